package crm_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5"

	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/crmtest"
	"github.com/cosellbot/cosellbot/integrations/crm/generic"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// soakN is how many deliveries a fault test sends: small in `make test`,
// COSELLBOT_SOAK_N (set by `make soak`) for a long run.
func soakN(small int) int {
	if n, err := strconv.Atoi(os.Getenv("COSELLBOT_SOAK_N")); err == nil && n > 0 {
		return n
	}
	return small
}

// While webhooks arrive and are applied, the test's own PostgreSQL backends
// are terminated again and again (pg_terminate_backend, as a failover or
// an administrator would). Every acknowledged delivery must be stored once,
// and every stored one must end applied, ignored or stale: none left
// waiting, none failed because a backend went away (that is transient).
func TestTerminatedBackendsUnderLoad(t *testing.T) {
	base := storetest.PostgresURL(t)
	app := fmt.Sprintf("cosellbot_fault_%d", time.Now().UnixNano())
	dbURL := base + "&application_name=" + app
	ctx := t.Context()
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const records = 20
	for i := range records {
		crmtest.AcceptedDeal(t, st, "opp-"+strconv.Itoa(i), now)
	}

	clock := crmtest.NewClock(now)
	src := generic.New(secret, crmtest.Applier(st, clock))
	quiet := slog.New(slog.DiscardHandler)
	proc := crm.NewProcessor(st, []crm.Source{src}, clock, quiet, nil)
	commit := crm.NewCommitter(st, 0, crm.CommitWorkers(st.Dialect()))
	r := mux.NewRouter()
	crm.NewReceiver(crm.ReceiverConfig{Sources: []crm.Source{src}, Commit: commit, Proc: proc, Clock: clock, Log: quiet}).Mount(r)
	srv := httptest.NewServer(r)
	defer srv.Close()
	defer commit.Close()
	procCtx, stopProc := context.WithCancel(context.Background())
	procDone := make(chan struct{})
	go func() { _ = proc.Run(procCtx); close(procDone) }()
	defer func() { stopProc(); <-procDone }()

	// The killer: terminate this test's backends, and only them.
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	killerCtx, stopKiller := context.WithCancel(ctx)
	var killed atomic.Int64
	killerDone := make(chan struct{})
	go func() {
		defer close(killerDone)
		for killerCtx.Err() == nil {
			var n int64
			if err := admin.QueryRow(killerCtx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&n); err == nil {
				killed.Add(n)
			}
			time.Sleep(40 * time.Millisecond)
		}
	}()

	n := soakN(300)
	var acked sync.Map
	var ackCount atomic.Int64
	var next atomic.Int64
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for range 8 {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				id := "evt-" + strconv.FormatInt(i, 10)
				body := update("opp-"+strconv.FormatInt(i%records, 10), now.Add(time.Duration(i)*time.Second).Format(time.RFC3339), map[string]any{"notes": "update " + id})
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/generic", bytesReader(body))
				for k, vs := range signed(id, body, now) {
					req.Header[k] = vs
				}
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				resp.Body.Close()
				if resp.StatusCode/100 == 2 {
					acked.Store(id, true)
					ackCount.Add(1)
				}
			}
		})
	}
	wg.Wait()
	stopKiller()
	<-killerDone

	// Claims a terminated connection could not release run out; the
	// processor then finishes what is left.
	clock.Set(now.Add(10 * time.Minute))
	deadline := time.Now().Add(2 * time.Minute)
	var rows []store.InboxEntry
	for {
		proc.Kick()
		time.Sleep(200 * time.Millisecond)
		rows, err = st.ListInbox(ctx, store.InboxFilter{Statuses: []store.InboxStatus{store.InboxReceived}})
		if err == nil && len(rows) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(rows) > 0 {
		t.Errorf("%d stored deliveries were never processed", len(rows))
	}
	all, err := st.ListInbox(ctx, store.InboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{}
	status := map[store.InboxStatus]int{}
	var failures []string
	for _, e := range all {
		stored[e.Key]++
		status[e.Status]++
		if e.Status != store.InboxProcessed && len(failures) < 3 {
			failures = append(failures, e.Error)
		}
	}
	lost := 0
	acked.Range(func(k, _ any) bool {
		if stored[k.(string)] != 1 {
			lost++
		}
		return true
	})
	if lost > 0 {
		t.Errorf("%d acknowledged deliveries are not stored exactly once", lost)
	}
	if ackCount.Load() == 0 || killed.Load() == 0 {
		t.Errorf("acknowledged %d with %d backends terminated: the test proved nothing", ackCount.Load(), killed.Load())
	}
	t.Logf("%d sent, %d acknowledged, %d stored (%d processed, %d failed, %d ignored or stale), %d backends terminated, %d acknowledged not stored",
		n, ackCount.Load(), len(all), status[store.InboxProcessed], status[store.InboxFailed], status[store.InboxIgnored]+status[store.InboxStale], killed.Load(), lost)
	if status[store.InboxFailed] > 0 {
		t.Errorf("%d acknowledged events failed (first reasons %q): a terminated backend is transient and must be retried", status[store.InboxFailed], failures)
	} else if len(failures) > 0 {
		t.Logf("first reasons for events not applied: %q", failures)
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
