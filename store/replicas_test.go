package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// countingNotifier counts deliveries per message; victim, when set, makes
// Send hang on its first message for as long as the test runs: the
// replica died in the middle of a send (a dispatcher that is merely
// stopped finishes its send and records it).
type countingNotifier struct {
	mu     sync.Mutex
	counts map[string]int
	hang   chan struct{} // closed when the hanging send has started
	dead   chan struct{} // closed when the test ends
	once   sync.Once
	victim bool
}

func (n *countingNotifier) Send(ctx context.Context, m chat.Message) (string, error) {
	if n.victim {
		n.once.Do(func() { close(n.hang) })
		<-n.dead // killed mid-send: never returns a delivery
		return "", errors.New("the process died")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.counts[m.Subject+" "+m.To.String()]++
	return "ref", nil
}

// Three replicas plan and three dispatch, each with its own connections, over
// 2,000 referrals due for their 7-day reminder; a fourth dispatcher is
// killed in the middle of a send. Every reminder reaches the channel exactly
// once, the dead dispatcher's messages included, once its lease runs out.
// 2,000 keeps the six replicas contending for pages for seconds; volume is
// the sweep benchmarks' job (sweep_bench_test.go), and 10,000 made this the
// slowest test of the suite (34 s without -race).
func TestReplicasDeliverExactlyOnce(t *testing.T) {
	t.Parallel()
	const deals = 2_000
	url := storetest.PostgresURL(t)
	ctx := t.Context()
	open := func() *store.Store {
		s, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	first := open()
	if _, err := first.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	place := chat.Place{Platform: "log", Channel: "alerts"}
	if err := first.Subscribe(ctx, ledger.Subscription{Place: place, CreatedAt: now}, store.Audit{At: now, Actor: "t", Action: "subscribed"}); err != nil {
		t.Fatal(err)
	}
	ds := make([]*deal.Deal, deals)
	for i := range ds {
		ds[i] = received(fmt.Sprint("r", i), "loc-1")
		ds[i].ReceivedAt = now.Add(-7*24*time.Hour - time.Duration(i)*time.Millisecond)
		ds[i].ExpiresAt = ds[i].ReceivedAt.Add(deal.ReferralWindow)
	}
	seeded := time.Now()
	if err := store.SeedDeals(ctx, first, ds); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d referrals in %s", deals, time.Since(seeded).Round(time.Millisecond))

	sweepAt := now.Add(time.Minute) // the planners' time, and the dispatchers'
	var clock atomic.Pointer[time.Time]
	clock.Store(&sweepAt)
	tick := func() time.Time { return *clock.Load() }
	good := &countingNotifier{counts: map[string]int{}}

	cfg := remind.DefaultConfig()
	cfg.DigestHour = 23 // no digest in this test
	var planners sync.WaitGroup
	planning := atomic.Int32{}
	planning.Store(3)
	errs := make(chan error, 6)
	for range 3 {
		s := open()
		planners.Go(func() {
			defer planning.Add(-1)
			if _, err := remind.NewSweeper(s, cfg, nil).Run(ctx, sweepAt); err != nil {
				errs <- err
			}
		})
	}

	// A fourth dispatcher claims the first batch the planners write and hangs
	// sending its first message; then it is killed.
	victimCtx, kill := context.WithCancel(ctx)
	victim := &countingNotifier{victim: true, hang: make(chan struct{}), dead: make(chan struct{})}
	victimDone := make(chan struct{})
	victimStore := open()
	t.Cleanup(func() { close(victim.dead); <-victimDone }) // before its store closes
	go func() {
		defer close(victimDone)
		d := remind.NewDispatcher(victimStore, victim, tick, nil)
		for victimCtx.Err() == nil {
			if n, _ := d.Once(victimCtx); n > 0 {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	select {
	case <-victim.hang:
	case <-time.After(time.Minute):
		t.Fatal("the victim never claimed a message")
	}
	kill() // the process is gone: its send never returns, its lease runs out

	stores := []*store.Store{open(), open(), open()}
	drain := func() {
		var dispatchers sync.WaitGroup
		for _, s := range stores {
			dispatchers.Go(func() {
				d := remind.NewDispatcher(s, good, tick, nil)
				for {
					n, err := d.Once(ctx)
					if err != nil {
						errs <- err
						return
					}
					if n == 0 && planning.Load() == 0 {
						return
					}
				}
			})
		}
		dispatchers.Wait()
	}
	start := time.Now()
	drain()
	t.Logf("planned and delivered in %s", time.Since(start).Round(time.Millisecond))
	// Only the killed dispatcher's rows are left; they are due again once
	// their lease has run out.
	later := sweepAt.Add(remind.Lease + time.Minute)
	clock.Store(&later)
	drain()
	planners.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(good.counts) != deals {
		t.Errorf("%d referrals got their reminder, want %d", len(good.counts), deals)
	}
	for k, n := range good.counts {
		if n != 1 {
			t.Errorf("%s: delivered %d times", k, n)
		}
	}
	waiting, dead, err := first.OutboxCounts(ctx)
	if err != nil || waiting != 0 || dead != 0 {
		t.Errorf("outbox left %d waiting, %d dead (%v)", waiting, dead, err)
	}
}
