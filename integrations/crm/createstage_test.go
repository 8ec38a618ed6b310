package crm_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/generic"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// A deal already past Created when its referral is first made: a stage
// marked in chat before the syncer's first pass, a CRM record created at
// a stage, a deal lost at once. Partner Center's create takes no sales
// stage (nor a close: a referral is created New), and a tester found the
// referral without them while the link's shadow said it held them: `sync`
// showed "in step" and nothing was ever PATCHed. What the create did not
// carry is written after it, and the link knows only what was written.
func TestCreatedReferralGetsWhatTheCreateCannotCarry(t *testing.T) {
	const newDeal = `deal new kind=services name="Fabrikam rollout" customer="Fabrikam AB" customer_location=SE location=1234567 value=40000 currency=EUR close=2027-02-01 notes="Rollout in 3 plants" team="Ana Diaz <ana@contoso.example> +46701234567" role=transaction area=Security play="Cloud security" share=yes`
	for _, tc := range []struct {
		name       string
		make       func(w *world) // makes the deal, before any sync pass
		stage      any            // Partner Center's salesStage after, nil for none
		status     string
		substatus  string
		reason     any // Partner Center's statusReason after, nil for none
		lostCreate bool
	}{
		{name: "staged in chat", make: func(w *world) { w.chat(newDeal); w.chat(`deal stage 1 proposed`) },
			stage: "Propose", status: "New", substatus: "Pending"},
		{name: "lost in chat", make: func(w *world) { w.chat(newDeal); w.chat(`deal lost 1 reason="Budget cut"`) },
			status: "Closed", substatus: "Lost", reason: "Budget cut"},
		{name: "created at a stage in a CRM", make: func(w *world) {
			body, _ := json.Marshal(map[string]any{"type": "deal.created", "record_id": "opp-born", "modified_at": w.clock.Now().Format(time.RFC3339), "fields": map[string]any{
				"name": "Born in the CRM", "value": "30000", "currency": "EUR", "close": "2027-02-01", "notes": "Rollout in 3 plants", "stage": "developed",
				"kind": "Services co-sell", "location": "1234567", "customer": "Contoso GmbH", "customer_location": "DE",
				"role": "Proof of concept", "area": "Security", "play": "Cloud security", "team": "Ana Diaz <ana@contoso.example> +46701234567",
			}})
			if code, resp := w.h.Post(w.t, "/webhooks/generic", signed("born", body, w.clock.Now()), body); code != 200 {
				w.t.Fatalf("%d %s", code, resp)
			}
			w.h.Process(w.t)
		}, stage: "Develop", status: "New", substatus: "Pending"},
		{name: "staged while the create's answer was lost", lostCreate: true, make: func(w *world) {
			w.chat(newDeal)
			if _, err := w.syncer[0].Pass(w.t.Context()); err != nil { // created there, answered 504
				w.t.Fatal(err)
			}
			w.pc.Notifications() // never delivered: the retry finds the referral
			w.chat(`deal stage 1 proposed`)
			w.clock.Set(w.clock.Now().Add(time.Minute)) // past the retry's wait
		}, stage: "Propose", status: "New", substatus: "Pending"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Dialects(t, func(t *testing.T, st *store.Store) {
				w := pcChatWorld(t, st, func(w *world) crm.Source { return generic.New(secret, &crm.Applier{Engine: w.engine, Find: st}) })
				if tc.lostCreate {
					w.pc.LoseNextCreateAnswer()
				}
				tc.make(w)
				w.settle()
				deals, err := st.ListDeals(t.Context(), ledger.DealFilter{})
				if err != nil || len(deals) != 1 || deals[0].ExternalID == "" {
					t.Fatalf("deals %+v %v: want one, made in Partner Center", deals, err)
				}
				d := deals[0]
				ref := w.pc.Referral(d.ExternalID)
				if ref["salesStage"] != tc.stage || ref["status"] != tc.status || ref["substatus"] != tc.substatus || ref["statusReason"] != tc.reason {
					t.Errorf("deal at %s (%s); Partner Center's referral: salesStage %v, %v/%v, statusReason %v; want %v, %s/%s, %v",
						d.Stage, d.Status, ref["salesStage"], ref["status"], ref["substatus"], ref["statusReason"], tc.stage, tc.status, tc.substatus, tc.reason)
				}
				links, err := st.LinksOf(t.Context(), d.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range links {
					if l.System != "partnercenter" {
						continue
					}
					for _, f := range []change.Field{change.Stage, change.Status} {
						if m := l.Shadow[f]; m.Value != change.Of(d)[f] || m.Pending {
							t.Errorf("the link's %s: %+v, want %q confirmed", f, m, change.Of(d)[f])
						}
					}
				}
				if work, _ := st.SyncWorkOf(t.Context(), d.ID); len(work) != 0 {
					t.Errorf("sync work left: %+v", work)
				}
			})
		})
	}
}
