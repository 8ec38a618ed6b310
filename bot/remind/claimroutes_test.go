package remind_test

import (
	"slices"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/cpor"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// TestClaimNewsOnlyToClaimSubscriptions: a CPOR claim has no deal location,
// so its news goes only to subscriptions made for claims (kind=cpor) whose
// maker may still make them, never to the channels subscribed by location
// for deal news, nor to one whose maker was removed (vis #7, #11); and deal
// news never goes to a claims subscription.
func TestClaimNewsOnlyToClaimSubscriptions(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		users := []access.User{
			{ID: "admin@contoso.com", Roles: []access.Role{access.ReferralsAdmin, access.IncentivesAdmin}, Global: true},
			{ID: "vic@contoso.com", Roles: []access.Role{access.IncentivesUser}},
			{ID: "ana@contoso.com", Roles: []access.Role{access.ReferralsUser}, Locations: []string{"loc-1"}},
		}
		for _, u := range users {
			if err := st.PutUser(ctx, u, entry(t0, "granted")); err != nil {
				t.Fatal(err)
			}
		}
		place := func(ch string) chat.Place { return chat.Place{Platform: "slack", Channel: ch} }
		var (
			byLocation   = place("C1111AAAA")  // admin, location loc-1: deal news
			orphan       = place("C4444AAAA")  // rad, removed since, location loc-1: deal news
			claims       = place("C9999AAAA")  // admin, kind=cpor
			vicDM        = place("D0VIC0001")  // vic, her DM, kind=cpor
			anaDM        = place("D0ANA0001")  // ana, no incentives role, kind=cpor (stored by hand)
			orphanClaims = place("C5555AAAA")  // rad, removed since, kind=cpor
			vicChannel   = place("C6666AAAAA") // vic, a channel, kind=cpor (stored by hand)
		)
		for _, sub := range []ledger.Subscription{
			{Place: byLocation, Location: "loc-1", CreatedBy: "admin@contoso.com"},
			{Place: orphan, Location: "loc-1", CreatedBy: "rad@contoso.com"},
			{Place: claims, DealKind: access.ClaimNews, CreatedBy: "admin@contoso.com"},
			{Place: vicDM, DealKind: access.ClaimNews, CreatedBy: "vic@contoso.com"},
			{Place: anaDM, DealKind: access.ClaimNews, CreatedBy: "ana@contoso.com"},
			{Place: orphanClaims, DealKind: access.ClaimNews, CreatedBy: "rad@contoso.com"},
			{Place: vicChannel, DealKind: access.ClaimNews, CreatedBy: "vic@contoso.com"},
		} {
			sub.CreatedAt = t0
			if err := st.Subscribe(ctx, sub, entry(t0, "subscribed")); err != nil {
				t.Fatal(err)
			}
		}
		claim, _, err := cpor.New(cpor.Draft{TenantID: "8f3c1a2e-1111-4b7a-9c55-0a1b2c3d4e5f", Country: "FR", Engagement: "modern-work", Workload: "Exchange"}, "vic@contoso.com", t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateClaim(ctx, claim, entry(t0, "claimed")); err != nil {
			t.Fatal(err)
		}
		if _, _, err := claim.Confirm(t0, t0); err != nil {
			t.Fatal(err)
		}
		// Recorded notified: a warning of a window that is not running is
		// dropped at delivery.
		if err := st.UpdateClaim(ctx, claim, entry(t0, "customer_notified")); err != nil {
			t.Fatal(err)
		}
		d := referral("Loc1", "loc-1", t0)
		if err := st.CreateDeal(ctx, d, entry(t0, "created")); err != nil {
			t.Fatal(err)
		}
		// The warning before the customer's window closes, and a deal reminder.
		if err := st.Notify(ctx, t0, remind.ClaimClosingNotice(claim, t0), remind.ReminderNotice(d, 7*24*time.Hour, t0)); err != nil {
			t.Fatal(err)
		}
		n := &fakeNotifier{}
		drain(t, st, n, t0)
		got := map[string][]chat.Place{}
		for _, m := range n.messages() {
			got[m.Subject] = append(got[m.Subject], m.To)
		}
		same := func(a, b []chat.Place) bool {
			cmp := func(x, y chat.Place) int {
				if x.String() < y.String() {
					return -1
				}
				if x.String() > y.String() {
					return 1
				}
				return 0
			}
			a, b = slices.Clone(a), slices.Clone(b)
			slices.SortFunc(a, cmp)
			slices.SortFunc(b, cmp)
			return slices.Equal(a, b)
		}
		if want := []chat.Place{claims, vicDM}; !same(got[claim.Subject()], want) {
			t.Errorf("claim news went to %v, want only %v", got[claim.Subject()], want)
		}
		// The removed admin's channel keeps its deal news, by design.
		if want := []chat.Place{byLocation, orphan}; !same(got["deal:1"], want) {
			t.Errorf("deal news went to %v, want %v", got["deal:1"], want)
		}
	})
}
