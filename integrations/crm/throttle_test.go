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
	const page = 100 // as PageSize, in less time
	entries := make([]ledger.InboxEntry, page+page/2)
	for i := range entries {
		entries[i] = ledger.InboxEntry{Source: "nowhere", Key: fmt.Sprint(i), Body: []byte("{}"), ReceivedAt: at}
	}
	if _, err := st.AddInbox(ctx, entries); err != nil {
		t.Fatal(err)
	}
	p := NewProcessor(st, nil, stoppedClock{at}, nil, nil)
	p.SetPage(page)
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
// is behind, it holds it until as many events as it brings were applied,
// or the processor caught up, or the request ended (or MaxThrottle).
func TestThrottleHoldsUntilAnEventIsApplied(t *testing.T) {
	p := NewProcessor(nil, nil, nil, nil, nil)
	returnedAfter := func(ctx context.Context, events int) <-chan struct{} {
		c := make(chan struct{})
		go func() { p.Throttle(ctx, events); close(c) }()
		return c
	}
	returned := func(ctx context.Context) <-chan struct{} { return returnedAfter(ctx, 1) }
	goes := func(c <-chan struct{}, what string) {
		t.Helper()
		select {
		case <-c:
		case <-time.After(5 * time.Second):
			t.Fatal(what)
		}
	}
	holds := func(c <-chan struct{}, what string) {
		t.Helper()
		select {
		case <-c:
			t.Fatal(what)
		case <-time.After(50 * time.Millisecond):
		}
	}
	goes(returned(t.Context()), "held while the processor keeps up")

	p.pageEnded(true)
	held := returned(t.Context())
	holds(held, "let go while the processor is behind, before an event was applied")
	p.applied()
	goes(held, "still held after an event was applied")

	a, b := returned(t.Context()), returned(t.Context())
	holds(a, "let go before an event was applied")
	p.pageEnded(true) // still behind: nobody goes for that
	holds(b, "let go at the end of a page while still behind")
	p.pageEnded(false)
	goes(a, "still held after the processor caught up")
	goes(b, "still held after the processor caught up")

	// A delivery of three events waits for three events applied.
	p.pageEnded(true)
	three := returnedAfter(t.Context(), 3)
	p.applied()
	p.applied()
	holds(three, "let a delivery of three events go after two were applied")
	p.applied()
	goes(three, "still held after three events were applied")

	ctx, cancel := context.WithCancel(t.Context())
	gone := returned(ctx)
	cancel()
	goes(gone, "still held after the request ended")
	p.pageEnded(false)
}

// stoppedClock is a clock that never moves.
type stoppedClock struct{ t time.Time }

func (c stoppedClock) Now() time.Time { return c.t }
