package crm_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/crmid"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/crm/crmtest"
	"github.com/cosellbot/cosellbot/integrations/crm/dynamics"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// dynamicsWithIDs serves the Dynamics source as the server wires it: a
// deal's CRM ID may hold the GUID in any of the forms people copy.
func dynamicsWithIDs(t *testing.T, st *store.Store) *crmtest.Harness {
	t.Helper()
	clock := crmtest.NewClock(now)
	a := crmtest.Applier(st, clock)
	a.IDs = crmid.Forms
	return crmtest.New(t, st, clock, dynamics.New(secret, dynamicsMapping(t), a))
}

// A CRM ID typed as Dynamics shows it in Excel (upper case) or in session
// details (braces) links the opportunity Dataverse names in lower case.
func TestDynamicsGUIDInAnyForm(t *testing.T) {
	for _, typed := range []string{"E18E7399-8C2E-F111-8A4C-6045BD0A1C09", "{e18e7399-8c2e-f111-8a4c-6045bd0a1c09}"} {
		t.Run(typed, func(t *testing.T) {
			storetest.Dialects(t, func(t *testing.T, st *store.Store) {
				h := dynamicsWithIDs(t, st)
				d := crmtest.AcceptedDeal(t, st, typed, now)
				postDynamics(t, h, dataverse("Update", "5bf20748-4ea2-e711-8122-000d3aa23301", "e18e7399-8c2e-f111-8a4c-6045bd0a1c09",
					[]attr{{"name", "Renamed in Dynamics"}}, nil))
				h.Process(t)
				if got, _ := st.GetDeal(t.Context(), d.ID); got.Name != "Renamed in Dynamics" {
					t.Errorf("deal name %q: the update did not reach the deal with CRM ID %s (%v)", got.Name, typed, h.Inbox(t))
				}
			})
		})
	}
}

// A Win whose context names no opportunity (the empty GUID) closes the
// opportunity its OpportunityClose names.
func TestDynamicsWinNamedByItsOpportunityClose(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := dynamicsWithIDs(t, st)
		const id = "7a1d0c22-8c2e-f111-8a4c-6045bd0a1c02"
		d := crmtest.AcceptedDeal(t, st, id, now)
		var ctx map[string]any
		if err := json.Unmarshal(dataverse("Win", "5bf20748-4ea2-e711-8122-000d3aa23302", "00000000-0000-0000-0000-000000000000", nil, nil), &ctx); err != nil {
			t.Fatal(err)
		}
		ctx["InputParameters"] = []any{
			map[string]any{"key": "OpportunityClose", "value": map[string]any{"LogicalName": "opportunityclose", "Id": "00000000-0000-0000-0000-000000000000",
				"Attributes": []attr{{"opportunityid", lookup("opportunity", id, nil)}, {"description", "Signed"}}}},
			map[string]any{"key": "Status", "value": option(3)},
		}
		body, _ := json.Marshal(ctx)
		postDynamics(t, h, body)
		h.Process(t)
		if got, _ := st.GetDeal(t.Context(), d.ID); got.Status != deal.Won {
			t.Errorf("deal %s after the Win, want won (%v)", got.Status, h.Inbox(t))
		}
	})
}

// A received referral linked to an opportunity already past its first
// stage: the first Update after linking, whose Target changes the sales
// stage, moved it on in Dynamics and accepts it; one whose Target changes
// only the description (its post image holding the stage) does not.
func TestDynamicsTargetStageAcceptsTheReferral(t *testing.T) {
	for _, tc := range []struct {
		name   string
		target []attr
		want   deal.Status
	}{
		{"stage changed", []attr{{"salesstage", option(2)}}, deal.Accepted},
		{"description changed", []attr{{"description", "ERP, 3 sites"}}, deal.Received},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Dialects(t, func(t *testing.T, st *store.Store) {
				h := dynamicsWithIDs(t, st)
				const id = "44444444-8c2e-f111-8a4c-6045bd0a1c44"
				d, _, err := deal.Receive(deal.Draft{Kind: deal.IPCoSell, Customer: deal.Customer{Name: "Coho", Location: "US", Account: deal.Other}, Location: "1234567", From: "microsoft", Notes: "ERP", CRMID: id}, now.Add(-time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				if err := st.CreateDeal(t.Context(), d, ledger.Entry{At: now.Add(-time.Hour), Actor: "test", Action: "received"}); err != nil {
					t.Fatal(err)
				}
				image := []attr{{"name", "Coho ERP"}, {"estimatedvalue", money(55000)}, {"estimatedclosedate", wcf(now.AddDate(0, 6, 0))}, {"salesstage", option(2)}, {"statecode", option(0)}}
				postDynamics(t, h, dataverse("Update", "5bf20748-4ea2-e711-8122-000d3aa23303", id, tc.target, image))
				h.Process(t)
				if got, _ := st.GetDeal(t.Context(), d.ID); got.Status != tc.want {
					var notes []string
					for _, r := range h.Inbox(t) {
						notes = append(notes, string(r.Status)+": "+r.Error)
					}
					t.Errorf("deal %s, want %s (%q)", got.Status, tc.want, notes)
				}
			})
		})
	}
}
