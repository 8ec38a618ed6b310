package crm_test

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// Microsoft extends or shortens the window of a referral the partner has
// not answered: Partner Center's notification of it moves the deal's
// expiry, the history and the channels say from when to when, and the
// sweep reminds and expires at the new date, not the old one.
func TestPartnerCenterMovesTheExpiry(t *testing.T) {
	was := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC) // testdata/referral_new.json
	type sweep struct {
		at   time.Time
		want string // a line of the sweep's report about the deal
	}
	tests := []struct {
		name   string
		to     time.Time
		sweeps []sweep
	}{
		{"extended by a week", was.Add(7 * 24 * time.Hour), []sweep{
			{was.Add(30 * time.Second), "expires in 7 days (7d reminder)"}, // the old expiry: 7 days left now
			{was.Add(6*24*time.Hour + 30*time.Second), "expires in 1 day (1d reminder)"},
			{was.Add(7*24*time.Hour + 30*time.Second), "expired: deal #"},
		}},
		{"shortened by a week", was.Add(-7 * 24 * time.Hour), []sweep{
			{was.Add(-8*24*time.Hour + 30*time.Second), "expires in 1 day (1d reminder)"},
			{was.Add(-7*24*time.Hour + 30*time.Second), "expired: deal #"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Dialects(t, func(t *testing.T, st *store.Store) {
				w := pcChatWorld(t, st)
				sub := ledger.Subscription{Place: chat.Place{Platform: "slack", Channel: "C1"}, CreatedBy: "ana", CreatedAt: now}
				if err := st.Subscribe(t.Context(), sub, ledger.Entry{At: now, Actor: "ana", Action: "subscribed", Detail: "slack C1"}); err != nil {
					t.Fatal(err)
				}
				d := w.referralImported()
				if !d.ExpiresAt.Equal(was) {
					t.Fatalf("imported expiring %v, want %v", d.ExpiresAt, was)
				}

				w.clock.Set(w.clock.Now().Add(time.Hour))
				w.pc.Set(referralID, "expirationDateTime", tt.to.Format(time.RFC3339))
				w.deliverPC()
				w.h.Process(t)
				got := dealOf(t, st, d.ID)
				if got.Status != deal.Received || !got.ExpiresAt.Equal(tt.to) {
					t.Errorf("after Partner Center's update: %s expiring %v, want received expiring %v", got.Status, got.ExpiresAt, tt.to)
				}
				moved := "expiry moved from 2026-12-02 00:00 UTC to " + tt.to.Format("2006-01-02 15:04 UTC") + " by Partner Center"
				if !w.historySays("expiry_moved", moved) {
					t.Errorf("the history does not say %q: %v", moved, w.history())
				}
				items, err := st.ClaimOutbox(t.Context(), w.clock.Now(), time.Minute, 10)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.ContainsFunc(items, func(it ledger.Delivery) bool {
					return it.Kind == change.KindExpiryMoved && strings.Contains(it.Message.Text, moved)
				}) {
					t.Errorf("no news of the move to the subscribed channel: %+v", items)
				}

				// A notification of another change repeats the expiry: no
				// second move.
				w.clock.Set(w.clock.Now().Add(time.Minute))
				w.pc.Set(referralID, "details/notes", "40 technicians, 2 sites")
				w.deliverPC()
				w.h.Process(t)
				n := 0
				for _, line := range w.history() {
					if strings.Contains(line, "expiry moved") {
						n++
					}
				}
				if n != 1 {
					t.Errorf("%d history lines say the expiry moved, want 1: %v", n, w.history())
				}

				sweeper := remind.NewSweeper(st, remind.DefaultConfig(), nil).WithChanges(w.engine)
				for _, s := range tt.sweeps {
					w.clock.Set(s.at)
					rep, err := sweeper.Run(t.Context(), s.at)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.ContainsFunc(rep.Lines, func(l string) bool { return strings.Contains(l, s.want) }) {
						t.Errorf("sweep at %s: %q, want a line with %q", s.at.Format(time.RFC3339), rep.Lines, s.want)
					}
					if st := dealOf(t, st, d.ID).Status; (st == deal.Expired) != (s.want == "expired: deal #") {
						t.Errorf("sweep at %s: deal %s", s.at.Format(time.RFC3339), st)
					}
				}
				if got := dealOf(t, st, d.ID); got.Status != deal.Expired || !got.UpdatedAt.Equal(tt.to) {
					t.Errorf("deal %s updated %v, want expired at the new date %v", got.Status, got.UpdatedAt, tt.to)
				}
			})
		})
	}
}

// A referral whose expiry passed before Partner Center's update of it
// arrives is the expiry path's: expired at its old date, as on any action,
// and not revived by the later date.
func TestPartnerCenterMovesNoExpiryPast(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := pcChatWorld(t, st)
		d := w.referralImported()
		was := d.ExpiresAt
		w.clock.Set(was.Add(time.Hour))
		w.pc.Set(referralID, "expirationDateTime", was.Add(7*24*time.Hour).Format(time.RFC3339))
		w.deliverPC()
		w.h.Process(t)
		got := dealOf(t, st, d.ID)
		if got.Status != deal.Expired || !got.ExpiresAt.Equal(was) {
			t.Errorf("deal %s expiring %v, want expired at its old date %v", got.Status, got.ExpiresAt, was)
		}
		if w.historySays("expiry_moved", "") {
			t.Errorf("an expired referral's expiry moved: %v", w.history())
		}
	})
}

// The referral's arrival says Partner Center's expiry, the one the deal
// keeps: a tester's inbox note said 14 days after the referral's creation,
// the deal the date Partner Center gave (here, a window Microsoft extended).
func TestImportTakesPartnerCenterExpiry(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := pcChatWorld(t, st)
		w.pc.Put(referralWith(t, func(r map[string]any) {
			r["createdDateTime"] = "2026-11-10T09:00:00Z" // its 14 days end 2026-11-24
			r["expirationDateTime"] = "2026-11-27T09:00:00Z"
		}))
		w.deliverPC()
		if rep := w.h.Process(t); rep.Processed != 1 {
			t.Fatalf("report %+v", rep)
		}
		d, err := st.DealByExternalID(t.Context(), referralID)
		if err != nil {
			t.Fatalf("the referral made no deal: %v", err)
		}
		w.dealID = d.ID
		if d.Status != deal.Received || !d.ExpiresAt.Equal(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)) {
			t.Errorf("deal %s expiring %v", d.Status, d.ExpiresAt)
		}
		if !w.historySays("received", "expires 2026-11-27") {
			t.Errorf("arrival: %v", w.history())
		}
	})
}

// A referral Partner Center holds accepted (or closed) imports as it is,
// however long after its creation it was last updated: a tester's first
// poll of an existing pipeline refused an accepted referral edited weeks
// later as "expired, unanswered", and failed on it at every poll.
func TestAnsweredReferralImportsWhateverItsAge(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := pcChatWorld(t, st)
		raw, err := os.ReadFile("../partnercenter/testdata/referral_active.json")
		if err != nil {
			t.Fatal(err)
		}
		var r map[string]any
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		const id = "22222222-0000-4000-8000-000000000002"
		r["id"], r["createdDateTime"], r["updatedDateTime"] = id, "2026-09-01T09:00:00Z", "2026-11-15T09:00:00Z"
		delete(r, "acceptedDateTime")
		body, _ := json.Marshal(r)
		w.pc.Put(string(body))
		w.deliverPC()
		if rep := w.h.Process(t); rep.Failed != 0 {
			t.Fatalf("report %+v", rep)
		}
		d, err := st.DealByExternalID(t.Context(), id)
		if err != nil {
			t.Fatalf("the accepted referral made no deal: %v", err)
		}
		if d.Status != deal.Accepted {
			t.Errorf("deal %s, want accepted as in Partner Center", d.Status)
		}
	})
}
