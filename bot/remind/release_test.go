package remind_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// stopNotifier stops its dispatcher (as SIGTERM does) while sending "a",
// and fails every send once stopped, as a cancelled HTTP call does.
type stopNotifier struct {
	mu   sync.Mutex
	stop context.CancelFunc
	sent []string
}

func (n *stopNotifier) Send(ctx context.Context, m chat.Message) (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if m.Text == "a" && n.stop != nil {
		n.stop()
	} else if err := ctx.Err(); err != nil {
		return "", err
	}
	n.sent = append(n.sent, m.Text)
	return "ref-" + m.Text, nil
}

// A dispatcher stopped in the middle of a batch records the send that
// succeeded (so it is not sent twice) and releases the rest, which another
// dispatcher sends at once instead of after the lease.
func TestDispatcherReleasesWhenStopped(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		for _, k := range []string{"a", "b", "c"} {
			n := ledger.Notice{Key: k, Subject: "deal:1", Kind: "x", Text: k, Places: []chat.Place{{Platform: "log", Channel: "ops"}}}
			if err := st.Notify(t.Context(), t0, n); err != nil {
				t.Fatal(err)
			}
		}
		ctx, stop := context.WithCancel(t.Context())
		n := &stopNotifier{stop: stop}
		now := func() time.Time { return t0 }
		if _, err := remind.NewDispatcher(st, n, now, nil).Once(ctx); err == nil {
			t.Fatal("a stopped dispatcher reported no error")
		}
		waiting, _, err := st.OutboxCounts(t.Context())
		if err != nil || waiting != 2 {
			t.Fatalf("after the stop %d waiting, %v; want b and c", waiting, err)
		}
		n.stop = nil
		d := remind.NewDispatcher(st, n, now, nil) // another replica, at the same instant: no lease to wait for
		if got, err := d.Once(t.Context()); err != nil || got != 2 {
			t.Fatalf("the other dispatcher claimed %d, %v; want 2", got, err)
		}
		if len(n.sent) != 3 || n.sent[0] != "a" || d.Sent.Load() != 2 {
			t.Fatalf("sent %v (other dispatcher %d); want a once, then b and c", n.sent, d.Sent.Load())
		}
	})
}
