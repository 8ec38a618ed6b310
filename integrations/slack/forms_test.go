package slack_test

import (
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// newDealInputs are the new deal modal's inputs, by block id: the element
// each holds.
func newDealInputs(t *testing.T, view map[string]any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	blocks, _ := view["blocks"].([]any)
	for _, b := range blocks {
		bm, _ := b.(map[string]any)
		id, _ := bm["block_id"].(string)
		el, _ := bm["element"].(map[string]any)
		out[id] = el
	}
	return out
}

// The new deal form can make a co-sell deal: asking for help from
// Microsoft needs the customer's contact and consent, so the form asks for
// both (as Invite Microsoft does), a missing contact is shown under the
// contact input rather than under Kind, and the consent box gives
// consent=yes. Its kinds read as everywhere else, and it opens with the
// person who opened it on the team, as Accept does.
func TestNewDealFormMakesACoSellDeal(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, withBotToken)
		if code, _ := e.command("U_ANA", "deal new"); code != 200 {
			t.Fatalf("deal new: %d", code)
		}
		e.ad.Wait()
		opened := e.slack.Took("/api/views.open")
		if len(opened) != 1 {
			t.Fatalf("views.open calls: %d", len(opened))
		}
		view, _ := opened[0].JSON["view"].(map[string]any)
		in := newDealInputs(t, view)
		if in["contact"]["type"] != "plain_text_input" || in["consent"]["type"] != "checkboxes" {
			t.Fatalf("contact %v, consent %v: the form cannot invite Microsoft", in["contact"], in["consent"])
		}
		if got := in["team"]["initial_value"]; got != "Ana Diaz <ana@partner.example> +46 70 123 45 67" {
			t.Errorf("team opens with %v, want the person who opened the form", got)
		}
		var labels []string
		for _, o := range in["kind"]["options"].([]any) {
			labels = append(labels, o.(map[string]any)["text"].(map[string]any)["text"].(string))
		}
		if got := strings.Join(labels, ", "); got != "IP co-sell, Services co-sell, Partner-to-partner (P2P), Solution assessment" {
			t.Errorf("kinds: %s", got)
		}

		sub := map[string]string{
			"kind": "p2p", "name": "Contoso rollout", "customer": "Contoso", "customer_location": "FR", "location": "1234567",
			"value": "25000", "close": "2031-06-30", "notes": "Rollout with a partner",
			"team": "Ana Diaz <ana@partner.example> +33 1 23 45 67 89", "help": "technical",
		}
		var got slackapi.ViewSubmissionResponse
		decode(t, e.interact(viewSubmission("U_ANA", sub)), &got)
		if got.ResponseAction != slackapi.RAErrors || !strings.Contains(got.Errors["contact"], "customer contact") || got.Errors["kind"] != "" {
			t.Fatalf("help without a contact: %s", mustJSON(t, got))
		}
		sub["contact"] = "Jo Lee <jo@contoso.example> +33 1 98 76 54 32"
		got = slackapi.ViewSubmissionResponse{}
		decode(t, e.interact(viewSubmission("U_ANA", sub)), &got)
		if got.ResponseAction != slackapi.RAErrors || !strings.Contains(got.Errors["consent"], "consent") || len(got.Errors) != 1 {
			t.Fatalf("a contact without consent: %s", mustJSON(t, got))
		}
		if deals, _ := st.ListDeals(t.Context(), ledger.DealFilter{}); len(deals) != 0 {
			t.Fatalf("a refused submission created %d deals", len(deals))
		}
		sub["consent"] = "yes"
		got = slackapi.ViewSubmissionResponse{}
		decode(t, e.interact(viewSubmission("U_ANA", sub)), &got)
		if got.ResponseAction != slackapi.RAUpdate || !strings.Contains(mustJSON(t, got.View), "Created deal #1") {
			t.Fatalf("with contact and consent: %s", mustJSON(t, got))
		}
		d, err := st.GetDeal(t.Context(), 1)
		if err != nil || d.Customer.Contact == nil || d.Customer.Contact.Email != "jo@contoso.example" || !d.Customer.Consent || d.Help == "" {
			t.Errorf("created deal: %+v, %v", d, err)
		}
	})
}

// A refusal no input of the form can fix (the referral expired while the
// Accept form was open) is not pinned under Deal name: the form is
// replaced by the message, as by a result. One that names an input and
// something else too lists both over the form, which Back brings back.
func TestFormRefusalAboutNoInput(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, withBotToken)
		e.receive()
		_, m := e.command("U_ANA", "deal show 1")
		view := e.openForm("U_ANA", find(t, controls(blocksOf(t, m)), "Accept"))
		values := inputValues(view)
		e.clk.Add(30 * 24 * time.Hour) // the referral expires while the form is open
		got := e.submitForm("U_ANA", view, values)
		if got.ResponseAction != slackapi.RAUpdate || len(got.Errors) != 0 || !strings.Contains(mustJSON(t, got.View), "expired") {
			t.Fatalf("accepting an expired referral: %s", mustJSON(t, got))
		}
		if strings.Contains(mustJSON(t, got.View), `"submit"`) {
			t.Errorf("the message offers to submit again: %s", mustJSON(t, got.View))
		}
	})
}

// An old card's buttons that open a form (Accept, Decline, Snooze) are
// asked of the deal first, all alike: on a referral already answered, or
// an outbound deal, each is refused at once, for the clicker alone, and no
// form opens. Snooze opened "Snooze reminders #1" on an accepted referral.
func TestOldFormButtonsRefuseAtOnce(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newEnv(t, st, withBotToken)
	e.receive()
	admin := access.User{ID: "ana@partner.example", Roles: []access.Role{access.ReferralsAdmin}, Global: true}
	for _, line := range []string{`deal accept 1 name="Fabrikam BI" value=60000 close=2031-03-01 notes="BI"`, created} {
		if r := e.svc.Run(t.Context(), admin, chatPlace, line); !r.OK() {
			t.Fatalf("%s: %s", line, r.Text)
		}
	}
	for _, tc := range []struct{ value, want string }{
		{"deal snooze 1", "deal 1 is accepted: only a referral waiting for an answer has reminders"},
		{"deal snooze 2", "deal 2 is an outbound deal"},
		{"deal accept 1", "accepted"},
		{"deal decline 1", "accepted"},
	} {
		before := len(e.slack.Took("/api/views.open"))
		blocks := e.press("U_ANA", control{ActionID: "cosell_form_0", Label: tc.value, Value: tc.value})
		if got := text(blocks); !strings.HasPrefix(got, "✗") || !strings.Contains(got, tc.want) {
			t.Errorf("old %s button: %q, want a refusal saying %q", tc.value, got, tc.want)
		}
		if n := len(e.slack.Took("/api/views.open")) - before; n != 0 {
			t.Errorf("old %s button opened %d forms", tc.value, n)
		}
	}
	if h := history(t, st); len(h) != 2 {
		t.Errorf("the clicks changed deal 1: %+v", h)
	}
}
