package crm_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// A backlog of failing events is processed in pages and reported by
// count and sample: the heap stays bounded however many fail. make test
// runs 2,500 events of 32 KB (80 MB of bodies, were they all held);
// COSELLBOT_SOAK_EVENTS=50000 runs the figure (make soak does not
// run this test: go test -run TestFailingBacklogKeepsMemoryBounded).
func TestFailingBacklogKeepsMemoryBounded(t *testing.T) {
	n := 2500
	if v, err := strconv.Atoi(os.Getenv("COSELLBOT_SOAK_EVENTS")); err == nil && v > 0 {
		n = v
	}
	st := storetest.OpenSQLite(t)
	h := setup(t, st)
	body := make([]byte, 32<<10)
	for i := range body {
		body[i] = 'x'
	}
	for start := 0; start < n; start += 500 {
		var es []store.InboxEntry
		for i := start; i < min(start+500, n); i++ {
			es = append(es, store.InboxEntry{Source: "generic", Key: fmt.Sprintf("bad-%d", i), Body: body, Status: ledger.InboxReceived, ReceivedAt: now})
		}
		if _, err := st.AddInbox(context.Background(), es); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	rep := h.Process(t)
	close(stop)
	<-done
	if rep.Failed != n || len(rep.Failures) > 50 {
		t.Fatalf("%d failed, %d sampled; want %d failed, at most 50 sampled", rep.Failed, len(rep.Failures), n)
	}
	const bound = 40 << 20
	if p := peak.Load(); p > bound {
		t.Errorf("heap in use peaked at %d MiB processing %d failing events; want under %d MiB", p>>20, n, bound>>20)
	}
}
