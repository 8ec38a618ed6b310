package store_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// A refresh token saved by one process is read by the next; a save is a
// compare-and-set on the version, so that of two replicas that read the
// same token and rotated it at once, one save wins and neither overwrites
// the other's newer token with an older one.
func TestRefreshTokenCompareAndSet(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
		if tok, cfg, v, err := s.RefreshToken(ctx, "partnercenter"); err != nil || tok != "" || cfg != "" || v != 0 {
			t.Fatalf("nothing kept: %q, %q, %d, %v; want version 0", tok, cfg, v, err)
		}
		if ok, err := s.SaveRefreshToken(ctx, "partnercenter", "rt-1", "fp-a", 0, at); err != nil || !ok {
			t.Fatalf("first save = %v, %v", ok, err)
		}
		if ok, err := s.SaveRefreshToken(ctx, "partnercenter", "rt-stale", "fp-a", 0, at); err != nil || ok {
			t.Fatalf("a second first save = %v, %v; want refused", ok, err)
		}
		tok, cfg, v, err := s.RefreshToken(ctx, "partnercenter")
		if err != nil || tok != "rt-1" || cfg != "fp-a" || v != 1 {
			t.Fatalf("after a save: %q, %q, %d, %v", tok, cfg, v, err)
		}
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Go(func() {
				ok, err := s.SaveRefreshToken(ctx, "partnercenter", "rt-2-"+string(rune('a'+i)), "fp-a", v, at.Add(time.Minute))
				if err != nil {
					t.Error(err)
				}
				if ok {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d replicas saved over version %d, want exactly 1", wins.Load(), v)
		}
		if tok, _, v, _ = s.RefreshToken(ctx, "partnercenter"); v != 2 || tok == "rt-1" {
			t.Errorf("after the race: %q at version %d", tok, v)
		}
		// A newly configured token starts its own chain over the old row.
		if ok, err := s.SaveRefreshToken(ctx, "partnercenter", "rt-new", "fp-b", v, at.Add(time.Hour)); err != nil || !ok {
			t.Fatalf("save of a new chain = %v, %v", ok, err)
		}
		if tok, cfg, v, _ = s.RefreshToken(ctx, "partnercenter"); tok != "rt-new" || cfg != "fp-b" || v != 3 {
			t.Errorf("new chain: %q, %q, %d", tok, cfg, v)
		}
		if tok, _, v, _ = s.RefreshToken(ctx, "other"); tok != "" || v != 0 {
			t.Errorf("another name: %q, %d; want nothing", tok, v)
		}
	})
}
