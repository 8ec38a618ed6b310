package crm

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// While more than a page waits, the processor says it is behind after each
// page, and it stops being behind with the page that empties the inbox.
func TestProcessorBehindWhilePagesAreFull(t *testing.T) {
	st := storetest.Open(t)
	ctx := t.Context()
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	entries := make([]ledger.InboxEntry, PageSize+PageSize/2)
	for i := range entries {
		entries[i] = ledger.InboxEntry{Source: "nowhere", Key: fmt.Sprint(i), Body: []byte("{}"), ReceivedAt: at}
	}
	if _, err := st.AddInbox(ctx, entries); err != nil {
		t.Fatal(err)
	}
	p := NewProcessor(st, nil, stoppedClock{at}, nil, nil)
	var behind []bool
	p.AfterPage = func() { behind = append(behind, p.behind.Load()) }
	rep, err := p.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Processed + rep.Failed + rep.Ignored + rep.Stale + rep.Retrying; got != len(entries) {
		t.Fatalf("took %d of %d events: %+v", got, len(entries), rep)
	}
	if len(behind) != 2 || !behind[0] || behind[1] {
		t.Fatalf("behind after each page: %v, want [true false]", behind)
	}
}

// Throttle lets a delivery go at once while the processor keeps up; while it
// is behind, it holds it until the next page ends, or MaxThrottle, or the
// request ends.
func TestThrottleHoldsUntilThePageEnds(t *testing.T) {
	p := NewProcessor(nil, nil, nil, nil, nil)
	returned := func(ctx context.Context) <-chan struct{} {
		c := make(chan struct{})
		go func() { p.Throttle(ctx); close(c) }()
		return c
	}
	select {
	case <-returned(t.Context()):
	case <-time.After(5 * time.Second):
		t.Fatal("held while the processor keeps up")
	}

	p.pageEnded(true)
	held := returned(t.Context())
	select {
	case <-held:
		t.Fatal("let go while the processor is behind, before a page ended")
	case <-time.After(50 * time.Millisecond):
	}
	p.pageEnded(true)
	select {
	case <-held:
	case <-time.After(5 * time.Second):
		t.Fatal("still held after the page ended")
	}

	ctx, cancel := context.WithCancel(t.Context())
	gone := returned(ctx)
	cancel()
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Fatal("still held after the request ended")
	}
	p.pageEnded(false)
}

// stoppedClock is a clock that never moves.
type stoppedClock struct{ t time.Time }

func (c stoppedClock) Now() time.Time { return c.t }
