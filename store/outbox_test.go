package store_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/cpor"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

var (
	sales = chat.Place{Platform: "slack", Channel: "C0SALES01"}
	ops   = chat.Place{Platform: "discord", Channel: "123456789012345678"}
)

func subscribe(t *testing.T, s *store.Store, p chat.Place, loc string, k deal.Kind) {
	t.Helper()
	sub := ledger.Subscription{Place: p, Location: loc, DealKind: k, CreatedBy: "a@x.example", CreatedAt: t0}
	if err := s.Subscribe(t.Context(), sub, at("a@x.example", "subscribed", p.String())); err != nil {
		t.Fatal(err)
	}
}

func claimAll(t *testing.T, s *store.Store, now time.Time) []store.OutboxItem {
	t.Helper()
	items, err := s.ClaimOutbox(t.Context(), now, time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// A notice written with a deal change fans out to the matching subscribed
// places, once per place, and a retried write adds nothing.
func TestNoticesFanOutWithTheChange(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		subscribe(t, s, sales, "loc-1", "")
		subscribe(t, s, sales, "", deal.ServicesCoSell) // overlaps: still one message
		subscribe(t, s, ops, "loc-2", "")
		d := received("r", "loc-1")
		if err := s.CreateDeal(ctx, d, at("pc", "received", ""), ledger.Notice{Kind: "new", Text: "new referral #{id}",
			Actions: []chat.Action{{Label: "Accept", Command: "deal accept {id}"}}}); err != nil {
			t.Fatal(err)
		}
		items := claimAll(t, s, t0)
		if len(items) != 1 || items[0].Message.To != sales {
			t.Fatalf("claimed %+v, want one message to %s", items, sales)
		}
		m := items[0].Message
		if want := "new referral #1"; m.Text != want || m.Actions[0].Command != "deal accept 1" || m.Subject != "deal:1" {
			t.Errorf("message %+v: want text %q, the id in the action and subject deal:1", m, want)
		}
		// The same notice again (a retried sweep) is not written twice.
		n := ledger.Notice{Key: "k1", Subject: "deal:1", Kind: "x", Text: "once", Location: "loc-2", DealKind: deal.IPCoSell}
		for range 2 {
			if err := s.Notify(ctx, t0, n); err != nil {
				t.Fatal(err)
			}
		}
		if items := claimAll(t, s, t0); len(items) != 1 || items[0].Message.To != ops {
			t.Errorf("after two identical notices claimed %+v, want one message to %s", items, ops)
		}
		// Places set: only there, whatever the subscriptions.
		only := chat.Place{Platform: "log", Channel: "x"}
		if err := s.Notify(ctx, t0, ledger.Notice{Key: "k2", Subject: "s", Kind: "x", Text: "t", Places: []chat.Place{only}}); err != nil {
			t.Fatal(err)
		}
		if items := claimAll(t, s, t0); len(items) != 1 || items[0].Message.To != only {
			t.Errorf("a notice with places claimed %+v, want one message to %s", items, only)
		}
	})
}

// A failed UpdateDeal writes none of its notices.
func TestNoticesRollBackWithTheChange(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		subscribe(t, s, sales, "", "")
		d := received("r", "loc-1")
		if err := s.CreateDeal(ctx, d, at("pc", "received", "")); err != nil {
			t.Fatal(err)
		}
		stale := d.Clone()
		if err := s.UpdateDeal(ctx, d, at("a", "edit", "")); err != nil {
			t.Fatal(err)
		}
		err := s.UpdateDeal(ctx, stale, at("a", "declined", ""), ledger.Notice{Kind: "declined", Text: "declined"})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("stale update: %v, want a conflict", err)
		}
		if items := claimAll(t, s, t0); len(items) != 0 {
			t.Errorf("a refused change left %d outbox rows", len(items))
		}
	})
}

// Claiming leases rows; a lease that ran out makes the row due again, and
// the first dispatcher can no longer mark it; sent rows record the thread.
func TestOutboxLeaseAndMarks(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		n := ledger.Notice{Key: "k", Subject: "deal:7", Kind: "x", Text: "hello", Places: []chat.Place{sales}}
		if err := s.Notify(ctx, t0, n); err != nil {
			t.Fatal(err)
		}
		first := claimAll(t, s, t0)
		if len(first) != 1 || first[0].Attempt != 1 {
			t.Fatalf("claimed %+v", first)
		}
		if again := claimAll(t, s, t0.Add(30*time.Second)); len(again) != 0 {
			t.Fatalf("a leased row was claimed again within its lease: %+v", again)
		}
		second := claimAll(t, s, t0.Add(2*time.Minute)) // the first dispatcher died
		if len(second) != 1 || second[0].Attempt != 2 {
			t.Fatalf("after the lease claimed %+v, want the row at attempt 2", second)
		}
		if owned, err := s.MarkSent(ctx, first[0], t0, "ts-late"); err != nil || owned {
			t.Errorf("late MarkSent by the dead dispatcher = %v, %v; want false", owned, err)
		}
		if owned, err := s.MarkSent(ctx, second[0], t0.Add(2*time.Minute), "ts-1"); err != nil || !owned {
			t.Fatalf("MarkSent = %v, %v", owned, err)
		}
		// The next message about deal:7 to the same place threads under ts-1.
		if err := s.Notify(ctx, t0, ledger.Notice{Key: "k2", Subject: "deal:7", Kind: "x", Text: "more", Places: []chat.Place{sales, ops}}); err != nil {
			t.Fatal(err)
		}
		for _, it := range claimAll(t, s, t0.Add(3*time.Minute)) {
			want := ""
			if it.Message.To == sales {
				want = "ts-1"
			}
			if it.Message.Thread != want {
				t.Errorf("message to %s has thread %q, want %q", it.Message.To, it.Message.Thread, want)
			}
			if _, err := s.MarkFailed(ctx, it, errors.New("boom"), t0.Add(time.Hour), it.Message.To == ops); err != nil {
				t.Fatal(err)
			}
		}
		waiting, dead, err := s.OutboxCounts(ctx)
		if err != nil || waiting != 1 || dead != 1 {
			t.Errorf("counts = %d waiting, %d dead, %v; want 1, 1", waiting, dead, err)
		}
		rows, err := s.Outbox(ctx, 10)
		if err != nil || len(rows) != 2 || rows[0].State != store.OutboxDead || rows[0].LastError != "boom" {
			t.Errorf("Outbox() = %+v, %v; want the dead row first with its error", rows, err)
		}
		if items := claimAll(t, s, t0.Add(59*time.Minute)); len(items) != 0 {
			t.Errorf("a row backing off was claimed early: %+v", items)
		}
		if items := claimAll(t, s, t0.Add(time.Hour)); len(items) != 1 || items[0].Attempt != 2 {
			t.Errorf("after the backoff claimed %+v, want the pending row at attempt 2", items)
		}
	})
}

// Fire fires each reminder once, however often it is called, and moves a
// planned one on; skipped ones send nothing.
func TestFireOnce(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		due := t0.Add(-time.Hour)
		n := func(key string) []ledger.Notice {
			return []ledger.Notice{{Key: key, Subject: "deal:1", Kind: "reminder", Text: key, Places: []chat.Place{sales}}}
		}
		planned := ledger.Reminder{Subject: "deal:2", Kind: ledger.PlanDecisionDue, DueAt: due}
		if err := s.Plan(ctx, planned, planned); err != nil {
			t.Fatal(err)
		}
		got, err := s.PlannedDue(ctx, t0, 10)
		if err != nil || len(got) != 1 || !got[0].DueAt.Equal(due) {
			t.Fatalf("PlannedDue = %+v, %v", got, err)
		}
		fs := []ledger.Firing{
			{Reminder: ledger.Reminder{Subject: "deal:1", Kind: "before-7d", DueAt: due}, Notices: n("a")},
			{Reminder: ledger.Reminder{Subject: "deal:1", Kind: "before-3d", DueAt: due}, Skip: true, Notices: n("b")},
			{Reminder: planned, Notices: n("c")},
		}
		fired, err := s.Fire(ctx, t0, fs)
		if err != nil || len(fired) != 3 {
			t.Fatalf("first Fire = %+v, %v; want all 3", fired, err)
		}
		fired, err = s.Fire(ctx, t0, fs)
		if err != nil || len(fired) != 0 {
			t.Fatalf("second Fire = %+v, %v; want none", fired, err)
		}
		var texts []string
		for _, it := range claimAll(t, s, t0) {
			texts = append(texts, it.Message.Text)
		}
		slices.Sort(texts)
		if !slices.Equal(texts, []string{"a", "c"}) {
			t.Errorf("sent %v, want a and c (b was skipped)", texts)
		}
		if got, _ := s.PlannedDue(ctx, t0, 10); len(got) != 0 {
			t.Errorf("a fired reminder is still planned: %+v", got)
		}
		if ok, err := s.Fired(ctx, fs[1].Reminder); err != nil || !ok {
			t.Errorf("Fired(skipped) = %v, %v", ok, err)
		}
	})
}

// A co-sell deal waiting for Microsoft plans the check of its decision.
func TestDecisionDuePlanned(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		d := outbound("o", "loc-1")
		d.Microsoft, d.InvitedAt, d.DecisionDue = deal.MSInvited, t0, t0.Add(deal.MicrosoftDecisionWindow)
		if err := s.CreateDeal(t.Context(), d, at("a", "created", "")); err != nil {
			t.Fatal(err)
		}
		got, err := s.PlannedDue(t.Context(), d.DecisionDue, 10)
		if err != nil || len(got) != 1 || got[0].Kind != ledger.PlanDecisionDue || got[0].Subject != "deal:1" {
			t.Errorf("PlannedDue = %+v, %v; want the decision check of deal:1", got, err)
		}
	})
}

func TestSubscriptions(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		subscribe(t, s, sales, "loc-1", "")
		sub := ledger.Subscription{Place: sales, Location: "loc-1", CreatedBy: "a", CreatedAt: t0}
		if err := s.Subscribe(ctx, sub, at("a", "subscribed", "")); !errors.Is(err, store.ErrExists) {
			t.Errorf("subscribing twice: %v, want ErrExists", err)
		}
		other := sub
		other.Location = "loc-9"
		if err := s.Unsubscribe(ctx, other, at("a", "unsubscribed", "")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unsubscribing what is not there: %v, want ErrNotFound", err)
		}
		if err := s.Unsubscribe(ctx, sub, at("a", "unsubscribed", "")); err != nil {
			t.Fatal(err)
		}
		if subs, err := s.Subscriptions(ctx); err != nil || len(subs) != 0 {
			t.Errorf("Subscriptions = %+v, %v; want none", subs, err)
		}
	})
}

func TestSnooze(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		if err := s.Snooze(ctx, 99, t0.Add(time.Hour), at("a", "snoozed", "")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("snoozing a missing deal: %v", err)
		}
		d := received("r", "loc-1")
		if err := s.CreateDeal(ctx, d, at("pc", "received", "")); err != nil {
			t.Fatal(err)
		}
		for _, until := range []time.Time{t0.Add(time.Hour), t0.Add(48 * time.Hour)} {
			if err := s.Snooze(ctx, d.ID, until, at("a", "snoozed", "")); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Snoozed(ctx, []string{"deal:1", "deal:2"}, t0.Add(24*time.Hour))
		if err != nil || len(got) != 1 || !got["deal:1"].Equal(t0.Add(48*time.Hour)) {
			t.Errorf("Snoozed = %v, %v; want deal:1 until the later date", got, err)
		}
		h, _ := s.History(ctx, d.ID)
		if len(h) != 3 || h[2].Action != "snoozed" {
			t.Errorf("history %+v lacks the snoozes", h)
		}
	})
}

func TestClaims(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		c, ev, err := cpor.New(cpor.Draft{TenantID: "8F3C2A1E-5B7D-4E9F-A0C1-2D3E4F5A6B7C", Country: "fr", Engagement: "modern-work", Workload: "Teams"}, "i@x.example", t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CreateClaim(ctx, c, store.AuditOf(t0, "i@x.example", ev)); err != nil {
			t.Fatal(err)
		}
		stale := *c
		ev, _, err = c.Confirm(t0, t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateClaim(ctx, c, store.AuditOf(t0, "i@x.example", ev)); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateClaim(ctx, &stale, store.AuditOf(t0, "x", ev)); !errors.Is(err, store.ErrConflict) {
			t.Errorf("stale claim update: %v, want ErrConflict", err)
		}
		got, err := s.GetClaim(ctx, c.ID)
		if err != nil || got.Status != cpor.Notified || !got.OfficialAt.Equal(c.OfficialAt) || got.Version != 2 || got.TenantID != "8f3c2a1e-5b7d-4e9f-a0c1-2d3e4f5a6b7c" {
			t.Errorf("GetClaim = %+v, %v", got, err)
		}
		planned, _ := s.PlannedDue(ctx, c.OfficialAt, 10)
		if len(planned) != 2 {
			t.Errorf("a notified claim planned %+v, want the closing warning and the official check", planned)
		}
		h, err := s.ClaimHistory(ctx, c.ID)
		if err != nil || len(h) != 2 {
			t.Errorf("ClaimHistory = %+v, %v", h, err)
		}
		if _, err := s.GetClaim(ctx, 42); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetClaim(42): %v", err)
		}
		all, err := s.Claims(ctx)
		if err != nil || len(all) != 1 {
			t.Errorf("Claims = %d, %v", len(all), err)
		}
	})
}

// A rehearsal sees its own writes and leaves nothing behind.
func TestRehearse(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		err := s.Rehearse(ctx, func(r *store.Store) error {
			if err := r.CreateDeal(ctx, received("r", "loc-1"), at("pc", "received", "")); err != nil {
				return err
			}
			ds, err := r.ListDeals(ctx, store.DealFilter{})
			if err != nil || len(ds) != 1 {
				t.Errorf("inside the rehearsal: %d deals, %v", len(ds), err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if ds, _ := s.ListDeals(ctx, store.DealFilter{}); len(ds) != 0 {
			t.Errorf("a rehearsal left %d deals", len(ds))
		}
		boom := errors.New("boom")
		if err := s.Rehearse(ctx, func(*store.Store) error { return boom }); !errors.Is(err, boom) {
			t.Errorf("Rehearse returned %v, want the function's error", err)
		}
	})
}

// ReceivedExpiring pages through deals sharing one expiry.
func TestReceivedExpiringPages(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		var ds []*deal.Deal
		for range 5 {
			ds = append(ds, received("r", "loc-1"))
		}
		if err := store.SeedDeals(ctx, s, ds); err != nil {
			t.Fatal(err)
		}
		exp := ds[0].ExpiresAt
		var seen []int64
		after, afterID := exp.Add(-time.Hour), int64(0)
		for {
			page, err := s.ReceivedExpiring(ctx, after, afterID, exp, 2)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range page {
				seen = append(seen, d.ID)
			}
			if len(page) < 2 {
				break
			}
			after, afterID = page[len(page)-1].ExpiresAt, page[len(page)-1].ID
		}
		if !slices.Equal(seen, []int64{1, 2, 3, 4, 5}) {
			t.Errorf("pages gave %v, want every deal once", seen)
		}
	})
}

// A claim is made once, whoever makes it: the same claim submitted at once
// through two replicas (a double click, two colleagues), eight times each,
// is stored once; the others get cpor.Repeats's refusal naming the claim
// that stands. Once it is declined, the claim can be made again.
func TestClaimOnceAcrossReplicas(t *testing.T) {
	storetest.URLs(t, func(t *testing.T, url string) {
		ctx := t.Context()
		replicas := make([]*store.Store, 2)
		for i := range replicas {
			s, err := store.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			if i == 0 {
				if _, err := s.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
			}
			replicas[i] = s
		}
		draft := cpor.Draft{TenantID: "8F3C2A1E-5B7D-4E9F-A0C1-2D3E4F5A6B7C", Country: "fr", Engagement: "modern-work", Workload: "Teams"}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			made    []int64
			refused []string
		)
		for i := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, ev, err := cpor.New(draft, "i@x.example", t0)
				if err != nil {
					t.Error(err)
					return
				}
				err = replicas[i%2].CreateClaim(ctx, c, store.AuditOf(t0, "i@x.example", ev))
				mu.Lock()
				defer mu.Unlock()
				var re *deal.RuleError
				switch {
				case err == nil:
					made = append(made, c.ID)
				case errors.As(err, &re) && re.Rule == "claim_once":
					refused = append(refused, re.Message)
				default:
					t.Errorf("claim %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		if len(made) != 1 || len(refused) != 15 {
			t.Fatalf("made %v and refused %d of 16, want one made", made, len(refused))
		}
		if want := fmt.Sprintf("claim #%d already claims", made[0]); !strings.Contains(refused[0], want) {
			t.Errorf("refusal %q does not name the claim that stands (%q)", refused[0], want)
		}
		c, err := replicas[1].GetClaim(ctx, made[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.Confirm(t0, t0); err != nil {
			t.Fatal(err)
		}
		ev, err := c.Decline("the customer declined", t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := replicas[1].UpdateClaim(ctx, c, store.AuditOf(t0, "i@x.example", ev)); err != nil {
			t.Fatal(err)
		}
		again, ev, err := cpor.New(draft, "i@x.example", t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := replicas[0].CreateClaim(ctx, again, store.AuditOf(t0, "i@x.example", ev)); err != nil {
			t.Fatalf("claiming again after a decline: %v", err)
		}
	})
}

// A reminder not yet posted (a channel's 429, a batch still queued) is
// dropped when the referral is answered: posted later, it would offer
// Accept on a referral answered meanwhile.
func TestAnsweredReferralDropsItsWaitingReminders(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		d := received("R", "1000001")
		if err := st.CreateDeal(ctx, d, store.Audit{At: t0, Actor: "ana@contoso.example", Action: "received", Detail: "received"}); err != nil {
			t.Fatal(err)
		}
		rem := ledger.Notice{Key: "deal:r#7d", Subject: fmt.Sprintf("deal:%d", d.ID), Kind: remind.KindReminder, Text: "⏰ expires in 7 days", Places: []chat.Place{sales}}
		moved := ledger.Notice{Key: "deal:r#moved", Subject: fmt.Sprintf("deal:%d", d.ID), Kind: change.KindExpiryMoved, Text: "⏳ expiry moved", Places: []chat.Place{sales}}
		if err := st.Notify(ctx, t0, rem, moved); err != nil {
			t.Fatal(err)
		}
		d.Status, d.Stage = deal.Declined, "" // answered
		if err := st.UpdateDeal(ctx, d, store.Audit{At: t0, Actor: "ana@contoso.example", Action: "declined", Detail: "declined"}); err != nil {
			t.Fatal(err)
		}
		rows, err := st.Outbox(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Kind == remind.KindReminder || r.Kind == change.KindExpiryMoved {
				t.Errorf("a reminder of a declined referral still waits: %+v", r)
			}
		}
	})
}

// Dead rows come back due, with their attempts counted from zero: all of
// them, one by id or those to one place. A notice asking to answer a
// referral answered meanwhile, and a reminder a later one supersedes, are
// dropped instead of sent.
func TestRetryDeadOutbox(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		subscribe(t, s, sales, "loc-1", "")
		waiting, answered := received("waits", "loc-1"), received("answered", "loc-1")
		for _, d := range []*deal.Deal{waiting, answered} {
			if err := s.CreateDeal(ctx, d, at("pc", "received", ""), ledger.Notice{Kind: change.KindReceived, Text: "📥 new referral #{id}"}); err != nil {
				t.Fatal(err)
			}
		}
		subj := func(d *deal.Deal) string { return fmt.Sprintf("deal:%d", d.ID) }
		notices := []ledger.Notice{
			{Key: "w#7d", Subject: subj(waiting), Kind: remind.KindReminder, Text: "⏰ in 7 days", Places: []chat.Place{sales}},
			{Key: "w#3d", Subject: subj(waiting), Kind: remind.KindReminder, Text: "⏰ in 3 days", Places: []chat.Place{sales}},
			{Key: "a#7d", Subject: subj(answered), Kind: remind.KindReminder, Text: "⏰ in 7 days", Places: []chat.Place{sales}},
			{Key: "c#1", Subject: "claim:1", Kind: remind.KindClaim, Text: "CPOR claim #1", Places: []chat.Place{ops}},
		}
		if err := s.Notify(ctx, t0, notices...); err != nil {
			t.Fatal(err)
		}
		items := claimAll(t, s, t0)
		if len(items) != 6 {
			t.Fatalf("claimed %d rows, want 6", len(items))
		}
		for _, it := range items {
			if _, err := s.MarkFailed(ctx, it, chat.Permanent(errors.New("invalid_auth")), t0, true); err != nil {
				t.Fatal(err)
			}
		}
		answered.Status = deal.Declined
		if err := s.UpdateDeal(ctx, answered, at("ana@contoso.example", "declined", "declined")); err != nil {
			t.Fatal(err)
		}
		t1 := t0.Add(time.Hour)
		ids := func(es []store.OutboxEntry) (out []string) {
			for _, e := range es {
				out = append(out, e.Subject+" "+e.Text)
			}
			return out
		}

		one := items[len(items)-1].ID // the claim's notice, the last written
		got, err := s.RetryDeadOutbox(ctx, store.DeadOutbox{ID: one}, t1)
		if err != nil || len(got.Retried) != 1 || got.Retried[0].ID != one || len(got.Dropped) != 0 {
			t.Fatalf("retry of #%d = %+v, %v; want that row only", one, got, err)
		}
		if got, err := s.RetryDeadOutbox(ctx, store.DeadOutbox{Place: ops}, t1); err != nil || len(got.Retried)+len(got.Dropped) != 0 {
			t.Errorf("retry to %s once its row was retried = %+v, %v; want nothing", ops, got, err)
		}

		got, err = s.RetryDeadOutbox(ctx, store.DeadOutbox{}, t1)
		if err != nil {
			t.Fatal(err)
		}
		wantRetried := []string{subj(waiting) + " 📥 new referral #1", subj(waiting) + " ⏰ in 3 days"}
		if r := ids(got.Retried); !slices.Equal(r, wantRetried) {
			t.Errorf("retried %q, want %q", r, wantRetried)
		}
		var dropped []string
		for _, d := range got.Dropped {
			dropped = append(dropped, d.Subject+" "+d.Text+": "+d.Why)
		}
		wantDropped := []string{
			subj(answered) + " 📥 new referral #2: deal #2 is declined now: it takes no answer",
			subj(waiting) + " ⏰ in 7 days: a later reminder of deal #1 to the same place replaces it",
			subj(answered) + " ⏰ in 7 days: deal #2 is declined now: it takes no answer",
		}
		if !slices.Equal(dropped, wantDropped) {
			t.Errorf("dropped %q, want %q", dropped, wantDropped)
		}
		if w, d, err := s.OutboxCounts(ctx); err != nil || w != 3 || d != 0 {
			t.Errorf("counts after the retry = %d waiting, %d dead, %v; want 3, 0", w, d, err)
		}
		if early := claimAll(t, s, t1.Add(-time.Second)); len(early) != 0 {
			t.Errorf("retried rows were due before the retry: %+v", early)
		}
		again := claimAll(t, s, t1)
		if len(again) != 3 {
			t.Fatalf("claimed %d retried rows, want 3", len(again))
		}
		for _, it := range again {
			if it.Attempt != 1 {
				t.Errorf("retried row %d claimed at attempt %d, want 1 (attempts reset)", it.ID, it.Attempt)
			}
		}
		if got, err := s.RetryDeadOutbox(ctx, store.DeadOutbox{}, t1); err != nil || len(got.Retried)+len(got.Dropped) != 0 {
			t.Errorf("a second retry = %+v, %v; want nothing", got, err)
		}
	})
}
