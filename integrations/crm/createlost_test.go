package crm_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// Partner Center stores a referral cosellbot asked it to create, and the
// answer is lost (a gateway's 504, cosellbot stopped while it waited). A
// tester found the deal then twice in cosellbot (the notification imported
// as a deal of its own) and twice in Partner Center (the create tried
// again). Whichever comes first, the notification or the retry, the
// referral is the deal's: one deal, one referral, linked.
func TestCreateWhoseAnswerWasLostIsNotMadeTwice(t *testing.T) {
	for _, first := range []string{"notification", "retry"} {
		t.Run(first, func(t *testing.T) {
			storetest.Dialects(t, func(t *testing.T, st *store.Store) {
				w := pcChatWorld(t, st)
				w.pc.LoseNextCreateAnswer()
				w.chat(`deal new kind=services name="Northwind Retail AI" customer="Northwind" customer_location=SE location=1234567 value=40000 currency=EUR close=2027-02-01 notes="Rollout" team="Ana Diaz <ana@contoso.example> +46701234567" role=transaction area=Security play="Cloud security" share=yes`)
				if _, err := w.syncer[0].Pass(t.Context()); err != nil { // the create: stored there, answered 504
					t.Fatal(err)
				}
				if w.pc.Created() != 1 {
					t.Fatalf("%d referrals created by the first write, want 1", w.pc.Created())
				}
				switch first {
				case "notification": // told of the referral before the retry's wait is over
					w.deliverPC()
					if rep := w.h.Process(t); rep.Processed != 1 || !strings.Contains(w.lastInbox().Error, "not created again") {
						t.Fatalf("the notification: %+v %+v", rep, w.lastInbox())
					}
				case "retry":
					w.pc.Notifications() // lost: cosellbot was down, or the notification never came
				}
				w.clock.Set(w.clock.Now().Add(time.Minute)) // past the retry's wait
				w.settle()

				if n := w.pc.Created(); n != 1 {
					t.Errorf("%d referrals in Partner Center, want 1", n)
				}
				deals, err := st.ListDeals(t.Context(), ledger.DealFilter{})
				if err != nil || len(deals) != 1 {
					t.Fatalf("deals %d (%v), want 1", len(deals), err)
				}
				d := deals[0]
				if d.ExternalID == "" || w.pc.Referral(d.ExternalID)["name"] != "Northwind Retail AI" {
					t.Errorf("deal's referral %q, want the one created", d.ExternalID)
				}
				links, _ := st.LinksOf(t.Context(), d.ID)
				if len(links) != 1 || links[0].RecordID != d.ExternalID {
					t.Errorf("links %+v, want the referral's only", links)
				}
				if work, _ := st.SyncWorkOf(t.Context(), d.ID); len(work) != 0 {
					t.Errorf("sync work left: %+v", work)
				}
				w.dealID = d.ID
				w.chat(`deal edit %d value=45000`) // and it syncs on from there
				w.settle()
				if v := w.pc.Referral(d.ExternalID)["details"].(map[string]any)["dealValue"]; v != 45000.0 {
					t.Errorf("Partner Center's value %v after an edit, want 45000", v)
				}
				if first == "notification" {
					es, _ := st.History(t.Context(), d.ID)
					if !slices.ContainsFunc(es, func(e ledger.Entry) bool {
						return e.Action == "linked" && strings.Contains(e.Detail, "not created again")
					}) {
						t.Errorf("history does not say the referral was linked: %+v", es)
					}
				}
			})
		})
	}
}
