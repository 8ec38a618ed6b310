package clocktest

import (
	"sync"
	"testing"
	"time"
)

// A clock moved while other goroutines read it: every read is a time the
// clock was set to, and the race detector sees no race.
func TestClockMovesUnderReaders(t *testing.T) {
	t0 := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	c := New(t0)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 1000 {
				if n := c.Now(); n.Before(t0) || n.After(t0.Add(time.Hour)) {
					t.Errorf("read %v, outside what the clock was set to", n)
					return
				}
			}
		})
	}
	for range 60 {
		c.Add(time.Minute)
	}
	wg.Wait()
	if got := c.Now(); !got.Equal(t0.Add(time.Hour)) {
		t.Fatalf("after 60 minutes: %v", got)
	}
	c.Set(t0)
	if got := c.Now(); !got.Equal(t0) {
		t.Fatalf("after Set: %v", got)
	}
}
