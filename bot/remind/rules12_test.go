package remind_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// Issue 12, part 1: after downtime the latest reminder that fell due is
// still sent, late and saying so, rather than dropped; older ones are
// superseded; and the expiry is dated at the real expiry, not at restart.
func TestMissedReminderSentLateAfterDowntime(t *testing.T) {
	tests := []struct {
		name     string
		down     time.Duration // when the (first) sweep runs, after t0
		wantKind string        // the reminder sent, "" for none
		wantLate bool
	}{
		{"missed reminders: down through 7d and 3d, the 3d goes late", 12 * 24 * time.Hour, "3d", true},
		{"missed reminders: down through 7d only, the 7d goes late", 9 * 24 * time.Hour, "7d", true},
		{"missed reminders: back within the catch-up window, on time", 7*24*time.Hour + 10*time.Minute, "7d", false},
		{"missed reminders: nothing due yet", 6 * 24 * time.Hour, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Dialects(t, func(t *testing.T, st *store.Store) {
				ctx := t.Context()
				if err := st.Subscribe(ctx, ledger.Subscription{Place: sales, CreatedAt: t0}, entry(t0, "subscribed")); err != nil {
					t.Fatal(err)
				}
				a := referral("A", "loc-1", t0)
				if err := st.CreateDeal(ctx, a, entry(t0, "created")); err != nil {
					t.Fatal(err)
				}
				now := t0.Add(tc.down)
				sw := remind.NewSweeper(st, remind.DefaultConfig(), nil) // a restart: its first pass
				for range 2 {
					if _, err := sw.Run(ctx, now); err != nil {
						t.Fatal(err)
					}
				}
				n := &fakeNotifier{}
				drain(t, st, n, now)
				var reminders []chat.Message
				for _, m := range n.messages() {
					if strings.HasPrefix(m.Text, "⏰") {
						reminders = append(reminders, m)
					}
				}
				if tc.wantKind == "" {
					if len(reminders) != 0 {
						t.Fatalf("reminders %v, want none", reminders)
					}
					return
				}
				if len(reminders) != 1 {
					t.Fatalf("%d reminders, want exactly the latest due one: %v", len(reminders), reminders)
				}
				text := reminders[0].Text
				if late := strings.Contains(text, "Sent late: this "+tc.wantKind+" reminder"); late != tc.wantLate {
					t.Errorf("reminder %q: late=%v, want %v (%s)", text, late, tc.wantLate, tc.wantKind)
				}
			})
		})
	}
}

// Issue 12, part 1: a sweep back after the referral expired records the
// expiry dated when it happened.
func TestExpiryDatedAtRealExpiryAfterOutage(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		a := referral("A", "loc-1", t0)
		if err := st.CreateDeal(ctx, a, entry(t0, "created")); err != nil {
			t.Fatal(err)
		}
		restart := a.ExpiresAt.Add(3 * 24 * time.Hour)
		if _, err := remind.NewSweeper(st, remind.DefaultConfig(), nil).Run(ctx, restart); err != nil {
			t.Fatal(err)
		}
		h, err := st.History(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := h[len(h)-1]
		if last.Action != "expired" || !last.At.Equal(a.ExpiresAt) {
			t.Errorf("history ends %+v, want the expiry dated %s (not the restart %s)", last, a.ExpiresAt, restart)
		}
	})
}

// Issue 12, part 2: reminders, deal news and digests reach a subscriber only
// about deals they may see. A scoped referrals user subscribed their DM to
// loc-1; they are on the team of A, not of B. The admin's channel gets both.
func TestNewsOnlyOfDealsTheSubscriberMaySee(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		dm := chat.Place{Platform: "slack", Channel: "D0REF0001"}
		ref := access.User{ID: "ref@x.example", Roles: []access.Role{access.ReferralsUser}, Locations: []string{"loc-1"}}
		boss := access.User{ID: "boss@x.example", Roles: []access.Role{access.ReferralsAdmin}, Global: true}
		for _, u := range []access.User{ref, boss} {
			if err := st.PutUser(ctx, u, entry(t0, "granted")); err != nil {
				t.Fatal(err)
			}
		}
		for _, sub := range []ledger.Subscription{
			{Place: dm, Location: "loc-1", CreatedBy: ref.ID, CreatedAt: t0},
			{Place: sales, CreatedBy: boss.ID, CreatedAt: t0},
			// A channel a scoped user subscribed before the rule: still filtered by its maker.
			{Place: ops, CreatedBy: ref.ID, CreatedAt: t0},
		} {
			if err := st.Subscribe(ctx, sub, entry(t0, "subscribed")); err != nil {
				t.Fatal(err)
			}
		}
		a, b := referral("A", "loc-1", t0), referral("B", "loc-1", t0)
		a.Team = []deal.Person{{Name: "Ref", Email: "ref@x.example", Phone: "+46 70 123 45 67"}}
		b.Team = []deal.Person{{Name: "Other", Email: "other@x.example", Phone: "+46 70 123 45 68"}}
		for _, d := range []*deal.Deal{a, b} {
			if err := st.CreateDeal(ctx, d, entry(t0, "created")); err != nil {
				t.Fatal(err)
			}
		}
		cfg := remind.DefaultConfig()
		cfg.DigestHour = 10
		sw := remind.NewSweeper(st, cfg, nil)
		now := t0.Add(7*24*time.Hour + time.Minute) // 7d reminders and the day's digest
		if _, err := sw.Run(ctx, now); err != nil {
			t.Fatal(err)
		}
		n := &fakeNotifier{}
		drain(t, st, n, now)
		got := map[string][]string{}
		for _, m := range n.messages() {
			got[m.To.String()] = append(got[m.To.String()], m.Text)
		}
		for place, texts := range got {
			all := strings.Join(texts, "\n")
			seesA := strings.Contains(all, `"A"`)
			seesB := strings.Contains(all, `"B"`)
			switch place {
			case sales.String():
				if !seesA || !seesB {
					t.Errorf("the admin's channel lacks news: %s", all)
				}
			default:
				if seesB {
					t.Errorf("%s got news of deal B, which its subscriber may not see:\n%s", place, all)
				}
				if !seesA {
					t.Errorf("%s lacks news of deal A, which its subscriber may see:\n%s", place, all)
				}
			}
		}
		if len(got[dm.String()]) < 2 {
			t.Errorf("the DM got %d messages, want A's reminder and a digest: %v", len(got[dm.String()]), got[dm.String()])
		}
	})
}
