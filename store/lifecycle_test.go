package store_test

import (
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// Released messages are due again at once (the claim counts as a try); a
// row marked meanwhile is not released, and the oldest due time tells the
// dispatchers' lag.
func TestReleaseOutbox(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		if _, ok, err := s.OutboxOldestDue(ctx, t0); err != nil || ok {
			t.Fatalf("empty outbox: due %v, %v", ok, err)
		}
		for _, k := range []string{"a", "b", "c"} {
			n := ledger.Notice{Key: k, Subject: "deal:1", Kind: "x", Text: k, Places: []chat.Place{{Platform: "log", Channel: k}}}
			if err := s.Notify(ctx, t0, n); err != nil {
				t.Fatal(err)
			}
		}
		if due, ok, err := s.OutboxOldestDue(ctx, t0.Add(time.Minute)); err != nil || !ok || !due.Equal(t0.Truncate(time.Microsecond)) {
			t.Fatalf("oldest due %v %v %v, want %v", due, ok, err, t0)
		}
		items := claimAll(t, s, t0)
		if len(items) != 3 {
			t.Fatalf("claimed %d, want 3", len(items))
		}
		if _, ok, err := s.OutboxOldestDue(ctx, t0.Add(time.Second)); err != nil || ok {
			t.Fatalf("all leased: due %v, %v", ok, err)
		}
		if owned, err := s.MarkSent(ctx, items[0], t0, ""); err != nil || !owned {
			t.Fatalf("mark sent: %v %v", owned, err)
		}
		later := t0.Add(5 * time.Second)
		n, err := s.ReleaseOutbox(ctx, items, later)
		if err != nil || n != 2 {
			t.Fatalf("released %d, %v; want 2 (the sent one stays sent)", n, err)
		}
		again := claimAll(t, s, later)
		if len(again) != 2 || again[0].Attempt != items[1].Attempt+1 {
			t.Fatalf("after release claimed %+v, want 2 rows on their second try", again)
		}
		if n, err := s.ReleaseOutbox(ctx, items[1:], later); err != nil || n != 0 {
			t.Fatalf("releasing rows another claim took: %d, %v; want 0", n, err)
		}
	})
}

// A message held back for a channel's pace is lag from when it was
// written, though it is due again only in a moment: a backlog paced out
// over minutes shows on the metric.
func TestPacedMessageIsLag(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		n := ledger.Notice{Key: "p", Subject: "deal:1", Kind: "x", Text: "p", Places: []chat.Place{{Platform: "log", Channel: "busy"}}}
		if err := s.Notify(ctx, t0, n); err != nil {
			t.Fatal(err)
		}
		now := t0.Add(30 * time.Second)
		items, err := s.ClaimOutbox(ctx, now, time.Minute, 10)
		if err != nil || len(items) != 1 {
			t.Fatalf("claimed %v %v", items, err)
		}
		if ok, err := s.DeferOutbox(ctx, items[0], now.Add(time.Second)); err != nil || !ok {
			t.Fatalf("defer: %v %v", ok, err)
		}
		due, ok, err := s.OutboxOldestDue(ctx, now)
		if err != nil || !ok || !due.Equal(t0.Truncate(time.Microsecond)) {
			t.Errorf("oldest due %v %v %v, want %v: the paced message waits since it was written", due, ok, err, t0)
		}
	})
}
