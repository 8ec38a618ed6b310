package partnercenter_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/integrations/crm/crmtest"
	pcsource "github.com/cosellbot/cosellbot/integrations/crm/partnercenter"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// A create Partner Center stored but never answered (a 504) is found by
// the retry, however people change other referrals in Partner Center
// while it looks: a changed referral moves to the end of the
// updatedDateTime ordering and shifts the rest left, so that a walk by
// next links ($skiptoken positions) skipped the referral the create had
// made, and made the deal a second time for Microsoft's sellers.
func TestRetriedCreateFindsItsReferralWhileTheListingShifts(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := setup(t, st)
		d := crmtest.AcceptedDeal(t, st, "", now)
		// Referrals updated since the deal was made, before its create.
		for i := range 3 {
			e.api.Put(incoming(t, i, d.CreatedAt.Add(time.Duration(i+1)*time.Second)))
		}
		e.api.LoseNextCreateAnswer()
		if _, err := e.client.Create(t.Context(), pcsource.NewReferral(d)); err == nil {
			t.Fatal("the first create was answered; want its answer lost")
		}
		notices := e.api.Notifications()
		made := notices[len(notices)-1].ID // the create's referral-created
		e.h.Clock.Add(time.Minute)
		// Someone changes the first two referrals once the retry has read
		// the first page of the listing.
		e.api.AfterList(func(n int) {
			if n == 1 {
				for i := range 2 {
					e.api.Set(pollID(i), "details/notes", fmt.Sprintf("changed %d", i))
				}
			}
		})

		pending := change.Link{System: pcsource.Name, RecordID: change.PendingPrefix + "1", DealID: d.ID}
		w, err := e.src.Writer().Write(t.Context(), pending, d, change.Of(d))
		if err != nil {
			t.Fatal(err)
		}
		if n := e.api.Created(); n != 1 {
			t.Errorf("%d referrals created in Partner Center for one deal, want 1", n)
		}
		if w.RecordID != made {
			t.Errorf("the write names referral %q, want %s, the one the first create made", w.RecordID, made)
		}
	})
}
