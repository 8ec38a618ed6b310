package crm_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// A Partner Center user closes the referral lost; a second later, before
// its notification arrives, a HubSpot user closes the deal won. A tester saw
// cosellbot and HubSpot keep "won" (and deal register say so) while
// Partner Center, which takes no change to a closed referral, held it
// lost. Partner Center's close stands: the deal is lost everywhere, and
// its history says why the won is void.
func TestPartnerCenterCloseStandsOverALaterOtherClose(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.pc.Set(referralID, "status", "Closed")
		w.pc.Set(referralID, "substatus", "Lost")
		w.pc.Set(referralID, "statusReason", "customer chose a competitor")
		held := w.pc.Notifications() // delayed
		w.clock.Set(w.clock.Now().Add(time.Second))
		w.hs.Edit(hsID, "dealstage", "closedwon")
		w.deliverHubSpot()
		w.h.Process(t)
		if d := dealOf(t, st, w.dealID); d.Status != deal.Won {
			t.Fatalf("after HubSpot's close: %s, want won", d.Status)
		}
		w.deliverPCNotices(held)
		w.settle()
		got := w.converged("Partner Center closed first")
		if got[change.Status] != string(deal.Lost) {
			t.Errorf("status %q everywhere, want Partner Center's lost", got[change.Status])
		}
		d := dealOf(t, st, w.dealID)
		if d.Reason != "customer chose a competitor" || !d.WonAt.IsZero() {
			t.Errorf("deal reason %q, won at %v", d.Reason, d.WonAt)
		}
		es, _ := st.History(t.Context(), w.dealID)
		if !slices.ContainsFunc(es, func(e ledger.Entry) bool {
			return e.Action == "lost" && strings.Contains(e.Detail, "before it was marked won here") && strings.Contains(e.Detail, "its close stands")
		}) {
			t.Errorf("history does not say why the won is void: %+v", es)
		}
	})
}
