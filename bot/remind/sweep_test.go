package remind_test

import (
	"flag"
	"fmt"
	"github.com/cosellbot/cosellbot/bot/change"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/cpor"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func entry(at time.Time, action string) ledger.Entry {
	return ledger.Entry{At: at, Actor: "test", Action: action, Detail: action}
}

// drain delivers everything due at now through n.
func drain(t *testing.T, st *store.Store, n chat.Notifier, now time.Time) {
	t.Helper()
	d := remind.NewDispatcher(st, n, func() time.Time { return now }, nil)
	for {
		got, err := d.Once(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if got == 0 {
			return
		}
	}
}

// TestLifeOfAReferral sweeps two weeks of a small pipeline, twice at every
// step (two replicas), and checks every alert reached its channels exactly
// once: reminders 7, 3 and 1 days ahead, none while snoozed, the expiry, the
// Microsoft decision flag, and a CPOR claim's window.
func TestLifeOfAReferral(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		// Claim news goes only to a subscription made for claims (kind=cpor)
		// by someone who may make it, here an incentives admin's channel.
		ina := access.User{ID: "ina@contoso.com", Roles: []access.Role{access.IncentivesAdmin}}
		if err := st.PutUser(ctx, ina, entry(t0, "granted")); err != nil {
			t.Fatal(err)
		}
		for _, sub := range []ledger.Subscription{
			{Place: sales, Location: "loc-1", CreatedBy: "a", CreatedAt: t0},
			{Place: ops, CreatedBy: "a", CreatedAt: t0},
			{Place: claimsChannel, DealKind: access.ClaimNews, CreatedBy: ina.ID, CreatedAt: t0},
		} {
			if err := st.Subscribe(ctx, sub, entry(t0, "subscribed")); err != nil {
				t.Fatal(err)
			}
		}
		a, b := referral("A", "loc-1", t0), referral("B", "loc-2", t0)
		c := referral("C", "loc-1", t0)
		c.Direction, c.Status, c.Stage, c.Microsoft, c.InvitedAt, c.DecisionDue = deal.Outbound, deal.Created, deal.StageCreated, deal.MSInvited, t0, t0.Add(deal.MicrosoftDecisionWindow)
		c.ExpiresAt, c.ReceivedAt, c.From = time.Time{}, time.Time{}, ""
		for _, d := range []*deal.Deal{a, b, c} {
			if err := st.CreateDeal(ctx, d, entry(t0, "created")); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.Snooze(ctx, b.ID, t0.Add(15*24*time.Hour), entry(t0, "snoozed")); err != nil {
			t.Fatal(err)
		}
		claim, _, err := cpor.New(cpor.Draft{TenantID: "8f3c2a1e-5b7d-4e9f-a0c1-2d3e4f5a6b7c", Country: "FR", Engagement: "modern-work", Workload: "Teams"}, "i", t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateClaim(ctx, claim, entry(t0, "claimed")); err != nil {
			t.Fatal(err)
		}
		if _, _, err := claim.Confirm(t0, t0); err != nil {
			t.Fatal(err)
		}
		if err := st.UpdateClaim(ctx, claim, entry(t0, "customer_notified")); err != nil {
			t.Fatal(err)
		}

		cfg := remind.DefaultConfig()
		cfg.DigestHour = 23 // keep digests out of this test
		n := &fakeNotifier{}
		var lines []string
		for _, at := range []time.Duration{time.Minute, 7*24*time.Hour + time.Minute, 8 * 24 * time.Hour, 11*24*time.Hour + time.Minute,
			13*24*time.Hour + time.Minute, 14*24*time.Hour + time.Minute, 14*24*time.Hour + 5*time.Minute} {
			now := t0.Add(at)
			for range 2 {
				rep, err := remind.NewSweeper(st, cfg, nil).Run(ctx, now)
				if err != nil {
					t.Fatalf("sweep at %s: %v", now, err)
				}
				lines = append(lines, rep.Lines...)
			}
			drain(t, st, n, now)
		}
		count := map[string]int{}
		for _, m := range n.messages() {
			if (m.To == claimsChannel) != strings.HasPrefix(m.Subject, "claim:") {
				t.Errorf("%s to %s: claim news goes to the claims channel, and nothing else does", m.Subject, m.To)
			}
			kind := strings.Fields(m.Text)[0]
			count[m.Subject+" "+m.To.Platform+" "+kind]++
		}
		want := map[string]int{
			"deal:1 slack ⏰": 3, "deal:1 discord ⏰": 3, // A: 7d, 3d, 1d, to both places
			"deal:1 slack ⌛": 1, "deal:1 discord ⌛": 1, // A expired
			"deal:2 discord ⌛": 1,                        // B: snoozed, so no reminder; loc-2 is not the sales channel's
			"deal:3 slack ⚑":   1, "deal:3 discord ⚑": 1, // C: Microsoft did not join
			"claim:1 slack CPOR": 2, // closing soon, then official: to the claims channel only
			// The expiries' new state, and C's (Microsoft's window lapsed),
			// which edits what each place has.
			"deal:1 slack ➜": 1, "deal:1 discord ➜": 1, "deal:2 discord ➜": 1,
			"deal:3 slack ➜": 1, "deal:3 discord ➜": 1,
		}
		for _, m := range n.messages() {
			if !m.State {
				continue
			}
			if m.Subject == "deal:3" {
				// C is still open: its state offers to show it.
				if len(m.Actions) != 1 || m.Actions[0].Command != "deal show 3" {
					t.Errorf("state of deal:3 to %s: actions %v, want Show", m.To, m.Actions)
				}
				continue
			}
			// A's three reminders are edited in place: no more Accept.
			if want := map[string]int{"deal:1": 3, "deal:2": 0}[m.Subject]; len(m.Edits) != want || len(m.Actions) != 0 {
				t.Errorf("state of %s to %s: %d edits, actions %v; want %d edits, no actions", m.Subject, m.To, len(m.Edits), m.Actions, want)
			}
		}
		for k, w := range want {
			if count[k] != w {
				t.Errorf("%s: %d messages, want %d", k, count[k], w)
			}
		}
		for k, got := range count {
			if _, ok := want[k]; !ok {
				t.Errorf("unexpected %d messages %s", got, k)
			}
		}
		ha, _ := st.History(ctx, a.ID)
		if last := ha[len(ha)-1]; last.Action != "expired" || last.Actor != remind.Actor {
			t.Errorf("A's history ends with %+v, want the sweep's expiry", last)
		}
		got, _ := st.GetClaim(ctx, claim.ID)
		if got.Status != cpor.Official {
			t.Errorf("claim is %s, want official", got.Status)
		}
		joined := strings.Join(lines, "\n")
		for _, w := range []string{"reminded: deal #1", "skipped the 7d reminder of deal #2", "expired: deal #1", "flagged: Microsoft did not join deal #3", "official: claim #1", "warned: the customer of claim #1 may decline until the end of 2026-11-09 (Europe/Paris time)"} {
			if !strings.Contains(joined, w) {
				t.Errorf("the reports lack %q:\n%s", w, joined)
			}
		}
		// Later messages about deal 1 thread under the first one in each place.
		for _, m := range n.messages() {
			if m.Subject == "deal:1" && strings.HasPrefix(m.Text, "⌛") && m.Thread == "" {
				t.Errorf("the expiry of deal 1 in %s is not threaded", m.To)
			}
		}
	})
}

// The daily digest goes once a day to each subscribed place, with what its
// subscriptions cover.
func TestDigest(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		for _, sub := range []ledger.Subscription{{Place: sales, Location: "loc-1"}, {Place: ops, Location: "loc-9"}} {
			sub.CreatedAt = t0
			if err := st.Subscribe(ctx, sub, entry(t0, "subscribed")); err != nil {
				t.Fatal(err)
			}
		}
		old := referral("Old", "loc-1", t0.Add(-40*24*time.Hour))
		old.Direction, old.Status, old.ExpiresAt = deal.Outbound, deal.Accepted, time.Time{}
		for _, d := range []*deal.Deal{referral("Soon", "loc-1", t0.Add(-10*24*time.Hour)), old} {
			if err := st.CreateDeal(ctx, d, entry(t0, "created")); err != nil {
				t.Fatal(err)
			}
		}
		n := &fakeNotifier{}
		for _, at := range []time.Time{t0, t0.Add(time.Hour), t0.Add(24 * time.Hour)} {
			if _, err := remind.NewSweeper(st, remind.DefaultConfig(), nil).Run(ctx, at); err != nil {
				t.Fatal(err)
			}
			drain(t, st, n, at)
		}
		var digests []chat.Message
		for _, m := range n.messages() {
			if strings.HasPrefix(m.Text, "Daily digest") {
				digests = append(digests, m)
			}
		}
		if len(digests) != 2 || digests[0].To != sales || digests[1].To != sales {
			t.Fatalf("digests %+v: want one a day to the sales channel only (ops covers no deal)", digests)
		}
		golden(t, "digest.golden", digests[0].Text)
	})
}

// TestNoticeTexts pins the wording of every alert.
func TestNoticeTexts(t *testing.T) {
	a := referral("Fabrikam BI", "1234567", t0)
	a.ID = 12
	now := a.ExpiresAt.Add(-3*24*time.Hour + time.Minute)
	c := referral("C", "1234567", t0)
	c.ID, c.InvitedAt, c.DecisionDue = 5, t0, t0.Add(deal.MicrosoftDecisionWindow)
	cl, _, _ := cpor.New(cpor.Draft{TenantID: "8f3c2a1e-5b7d-4e9f-a0c1-2d3e4f5a6b7c", Country: "SE", Engagement: "bizapps-usage", Subscription: "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"}, "i", t0)
	cl.ID = 3
	_, _, _ = cl.Confirm(t0, t0)
	ev, _ := c.Clone().Decline("no capacity", "", now)
	accepted := a.Clone()
	accepted.Status, accepted.Stage = deal.Accepted, deal.StageAccepted
	declined := a.Clone()
	if _, err := declined.Decline("no capacity", "", now); err != nil {
		t.Fatal(err)
	}
	expired, _ := a.Clone().Expire(a.ExpiresAt)
	linked := a.Clone()
	linked.ExternalID = "pc-referral-1"
	expiredLinked, _ := linked.Expire(a.ExpiresAt)
	official := *cl
	officialEv, _ := official.MakeOfficial(cl.OfficialAt)
	var b strings.Builder
	for _, n := range []ledger.Notice{
		remind.ReminderNotice(a, 3*24*time.Hour, now),
		remind.ReminderNotice(a, 3*24*time.Hour, now.Add(30*time.Hour)),        // after an outage
		remind.ReminderNoticeAt(a, 3*24*time.Hour, now, now.Add(30*time.Hour)), // on time, delivered after Slack refused it
		change.News(a, expired, "sweep")[0],
		change.News(linked, expiredLinked, "sweep")[0],
		change.News(a, ev, "ana@contoso.example")[0],
		remind.DecisionDueNotice(c),
		remind.ClaimClosingNotice(cl, cl.OfficialAt.Add(-23*time.Hour)),
		remind.ClaimNotice(&official, officialEv),
		remind.StateNotice(a, ledger.Entry{At: now, Actor: "ana@partner.example", Action: "received", Detail: "received from Microsoft"}),
		remind.StateNotice(accepted, ledger.Entry{At: now, Actor: "hubspot", Action: "accepted", Detail: "accepted"}),
		remind.StateNotice(declined, ledger.Entry{At: now, Actor: "cosellbot", Action: "expired", Detail: "expired unanswered"}),
	} {
		b.WriteString(n.Kind + " [" + n.Subject + "] " + n.Text + "\n")
		for _, act := range n.Actions {
			b.WriteString("  → " + act.Label + ": " + act.Command + "\n")
		}
	}
	golden(t, "notices.golden", b.String())
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs:\n--- want\n%s\n--- got\n%s", name, want, got)
	}
}

// A referral recorded while the sweep runs, already past its 7-day point
// (received a week ago), gets that reminder from the running sweep, late
// and saying why, once: not only from a sweep that starts after.
func TestRunningSweepRemindsARecordedLateReferral(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		if err := st.Subscribe(ctx, ledger.Subscription{Place: sales, CreatedBy: "a", CreatedAt: t0}, entry(t0, "subscribed")); err != nil {
			t.Fatal(err)
		}
		sw := remind.NewSweeper(st, remind.DefaultConfig(), nil)
		if _, err := sw.Run(ctx, t0); err != nil { // running, before the referral exists
			t.Fatal(err)
		}
		now := t0.Add(30 * time.Second)
		d := referral("Late", "loc-1", t0.Add(-8*24*time.Hour)) // its 7-day point a day ago
		d.CreatedAt, d.UpdatedAt = now, now
		if err := st.CreateDeal(ctx, d, entry(now, "received")); err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, at := range []time.Time{now.Add(30 * time.Second), now.Add(90 * time.Second)} {
			rep, err := sw.Run(ctx, at)
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, rep.Lines...)
		}
		n := 0
		for _, l := range lines {
			if strings.HasPrefix(l, fmt.Sprintf("reminded: deal #%d", d.ID)) && strings.Contains(l, "(7d reminder) — late") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("the 7d reminder of a referral recorded late was sent %d times by the running sweep, want once:\n%s", n, strings.Join(lines, "\n"))
		}
		f := &fakeNotifier{}
		drain(t, st, f, now.Add(2*time.Minute))
		if sent := f.messages(); len(sent) != 1 || !strings.Contains(sent[0].Text, "before the referral was recorded here") {
			t.Errorf("sent %v", sent)
		}
	})
}

// A referral expiring at the very moment of a pass is expired, not reminded
// first: a tester's pass at the expiry sent "expires in no time" with Accept
// buttons, then the expiry.
func TestNoReminderAtTheExpiry(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		d := referral("Edge", "loc-1", t0)
		if err := st.CreateDeal(t.Context(), d, entry(t0, "created")); err != nil {
			t.Fatal(err)
		}
		rep, err := remind.NewSweeper(st, remind.DefaultConfig(), nil).Run(t.Context(), d.ExpiresAt)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(rep.Lines, "\n")
		if strings.Contains(got, "reminded") || !strings.Contains(got, "expired") {
			t.Errorf("pass at the expiry:\n%s", got)
		}
	})
}
