package command_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/faq"
	"github.com/cosellbot/cosellbot/bot/faq/faqtest"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// gatedMisses is the real store whose miss writes wait for open: the
// writer is held mid-write while questions go on being refused.
type gatedMisses struct {
	*store.Store
	open   chan struct{}
	writes chan int // the size of each write, as it starts
}

func (g *gatedMisses) RecordFAQMisses(ctx context.Context, ms ...ledger.FAQMiss) error {
	g.writes <- len(ms)
	<-g.open
	return g.Store.RecordFAQMisses(ctx, ms...)
}

// Serve writes the misses of refused questions off the reply's path (the
// SQLite commit was the FAQ command's whole p99), and none is lost for it:
// faq misses lists the questions refused before it, and those queued while
// the writer was busy are written when it stops, on both databases.
func TestFAQMissesWrittenByServesWriter(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		g := &gatedMisses{Store: st, open: make(chan struct{}), writes: make(chan int, 16)}
		e := newEnv(t, st)
		e.svc = command.New(st, e.clk, deal.DefaultRates(), nil, command.WithFAQ(faqtest.Small(t), g, faq.WithModelCache(&smallFAQCache)))
		ctx, stop := context.WithCancel(t.Context())
		stopped := make(chan error, 1)
		go func() { stopped <- e.svc.WriteFAQMisses(ctx) }()
		for deadline := time.Now().Add(10 * time.Second); !e.svc.WritingFAQMisses(); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the miss writer did not start")
			}
		}
		if err := e.svc.WriteFAQMisses(ctx); err == nil || !strings.Contains(err.Error(), "already running") {
			t.Fatalf("a second writer: %v, want refused as already running", err)
		}

		first := "how many parking spaces does building 1 have"
		if r := e.run(first); r.Data["answered"] != false {
			t.Fatalf("%q answered: %v", first, r.Data["entry_id"])
		}
		// The reply came before the write: the writer is held in it.
		<-g.writes
		queued := []string{"how many parking spaces does building 2 have", "how many parking spaces does building 3 have", "how many parking spaces does building 4 have"}
		for _, q := range queued {
			if r := e.run(q); r.Data["answered"] != false {
				t.Fatalf("%q answered: %v", q, r.Data["entry_id"])
			}
		}
		close(g.open)
		r := e.run("faq misses")
		for _, q := range append([]string{first}, queued...) {
			if !strings.Contains(r.Text, q) {
				t.Errorf("faq misses does not list %q, refused before it:\n%s", q, r.Text)
			}
		}

		// Refused while the writer is held, then the writer stops: written.
		g.open = make(chan struct{})
		last := "how many parking spaces does building 6 have"
		e.run("how many parking spaces does building 5 have")
		<-g.writes
		e.run(last)
		stop()
		close(g.open)
		if err := <-stopped; err != nil {
			t.Fatal(err)
		}
		misses, err := st.FAQMisses(t.Context(), e.clk.t.Add(-time.Hour), 50)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range misses {
			got = append(got, m.Question)
		}
		if len(got) != 6 || !strings.Contains(strings.Join(got, "|"), last) {
			t.Errorf("after the writer stopped, the misses are %q, want the 6 refused", got)
		}

		// Stopped: a refused question is written before its reply.
		e.run("how many parking spaces does building 7 have")
		if misses, err := st.FAQMisses(t.Context(), e.clk.t.Add(-time.Hour), 50); err != nil || len(misses) != 7 {
			t.Errorf("with no writer, %d misses (%v), want 7", len(misses), err)
		}
	})
}
