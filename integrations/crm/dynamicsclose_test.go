package crm_test

import (
	"encoding/json"
	"testing"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/integrations/crm/crmtest"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// A Lose carries what the Close Opportunity dialog held: the status reason
// (an OptionSetValue parameter), the competitor (a reference, named or
// not) and the description. The deal's reason says all of it, in that
// order; with none of it, that it was lost in Dynamics 365.
func TestDynamicsLoseReason(t *testing.T) {
	const id = "7a1d0c22-8c2e-f111-8a4c-6045bd0a1c02"
	named := func(name any) attr {
		return attr{"competitorid", lookup("competitor", "c0c0c0c0-8c2e-f111-8a4c-6045bd0a1c0c", name)}
	}
	for _, tc := range []struct {
		name   string
		status int
		close  []attr
		want   string
	}{
		{"out-sold to a named competitor, described", 5, []attr{named("Contoso"), {"description", "went with a cheaper bid"}}, "Out-Sold, lost to Contoso, went with a cheaper bid"},
		{"canceled, nothing typed", 4, nil, "Canceled"},
		{"competitor without its name", 5, []attr{named(nil)}, "Out-Sold"},
		{"an organization's own status reason", 100000002, []attr{{"subject", "Budget frozen"}}, "status reason 100000002, Budget frozen"},
		{"description before subject", 4, []attr{{"subject", "Opportunity Close"}, {"description", "project stopped"}}, "Canceled, project stopped"},
		{"the platform's default and nothing typed", -1, nil, "lost in Dynamics 365"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Dialects(t, func(t *testing.T, st *store.Store) {
				h := dynamicsWithIDs(t, st)
				d := crmtest.AcceptedDeal(t, st, id, now)
				var ctx map[string]any
				if err := json.Unmarshal(dataverse("Lose", "5bf20748-4ea2-e711-8122-000d3aa23302", id, nil, nil), &ctx); err != nil {
					t.Fatal(err)
				}
				ctx["InputParameters"] = []any{
					map[string]any{"key": "OpportunityClose", "value": map[string]any{"LogicalName": "opportunityclose", "Id": "00000000-0000-0000-0000-000000000000",
						"Attributes": append([]attr{{"opportunityid", lookup("opportunity", id, nil)}}, tc.close...)}},
					map[string]any{"key": "Status", "value": option(tc.status)},
				}
				body, _ := json.Marshal(ctx)
				postDynamics(t, h, body)
				h.Process(t)
				got, _ := st.GetDeal(t.Context(), d.ID)
				if got.Status != deal.Lost || got.Reason != tc.want {
					t.Errorf("deal %s, reason %q; want lost, %q (%v)", got.Status, got.Reason, tc.want, h.Inbox(t))
				}
			})
		})
	}
}
