package crm_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/crmtest"
	"github.com/cosellbot/cosellbot/integrations/crm/generic"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// benchParallelism × GOMAXPROCS senders deliver at once in both benchmarks.
const benchParallelism = 16

var benchBody = []byte(`{"type":"deal.updated","record_id":"opp-42","modified_at":"2026-11-20T09:59:00Z","fields":{"stage":"proposed","value":"65000.50","notes":"Customer signed the letter of intent; legal review next week."}}`)

// latencies collects per-operation times across RunParallel's goroutines
// and reports the rate and the 99th percentile.
type latencies struct {
	mu  sync.Mutex
	all []time.Duration
}

func (l *latencies) add(ds []time.Duration) {
	l.mu.Lock()
	l.all = append(l.all, ds...)
	l.mu.Unlock()
}

func (l *latencies) report(b *testing.B, elapsed time.Duration) {
	if len(l.all) == 0 {
		return
	}
	slices.Sort(l.all)
	p99 := l.all[len(l.all)*99/100]
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(len(l.all))/elapsed.Seconds(), "rows/s")
}

// BenchmarkIngestGeneric delivers verified generic webhooks through the real
// receiver (signature check, group-committed inbox insert, 200) from many
// concurrent senders, and, in the same run, inserts the same payload as one
// row per autocommitted INSERT from as many senders: the baseline the inbox
// has to keep up with.
func BenchmarkIngestGeneric(b *testing.B) {
	b.Run("receiver/"+store.SQLite, func(b *testing.B) { benchReceiver(b, storetest.OpenSQLite(b)) })
	b.Run("receiver/"+store.Postgres, func(b *testing.B) { benchReceiver(b, storetest.OpenPostgres(b)) })
	b.Run("raw-insert/"+store.Postgres, benchRawInsert)
}

func benchReceiver(b *testing.B, st *store.Store) {
	clock := benchClock{}
	commit := crm.NewCommitter(st, 0, crm.CommitWorkers(st.Dialect()))
	defer commit.Close()
	r := mux.NewRouter()
	crm.NewReceiver(crm.ReceiverConfig{
		Sources: []crm.Source{generic.New(secret, crmtest.Applier(st, clock))},
		Commit:  commit, Clock: clock,
	}).Mount(r)
	var seq atomic.Int64
	var lat latencies
	b.SetParallelism(benchParallelism)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			id := "evt-" + strconv.FormatInt(seq.Add(1), 10)
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			req := httptest.NewRequest(http.MethodPost, "/webhooks/generic", bytes.NewReader(benchBody))
			req.Header.Set(crm.HeaderTimestamp, ts)
			req.Header.Set(crm.HeaderSignature, crm.Sign([]byte(secret), ts, benchBody))
			req.Header.Set(crm.HeaderEventID, id)
			w := httptest.NewRecorder()
			t0 := time.Now()
			r.ServeHTTP(w, req)
			mine = append(mine, time.Since(t0))
			if w.Code != http.StatusOK {
				b.Errorf("delivery %s: %d %s", id, w.Code, w.Body)
				return
			}
		}
		lat.add(mine)
	})
	elapsed := time.Since(start)
	b.StopTimer()
	lat.report(b, elapsed)
}

func benchRawInsert(b *testing.B) {
	url := storetest.PostgresURL(b)
	ctx := context.Background()
	st, err := store.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns = 64 // never the bottleneck
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	headers := `{"Content-Type":"application/json","X-Cosellbot-Signature":"sha256=0","X-Cosellbot-Timestamp":"0","X-Event-Id":"x"}`
	var seq atomic.Int64
	var lat latencies
	b.SetParallelism(benchParallelism)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			_, err := pool.Exec(ctx, `INSERT INTO inbox (source, dedup_key, headers, body, status, error, attempts, received_at) VALUES ($1, $2, $3, $4, 'received', '', 0, $5)`,
				"generic", fmt.Sprint("raw-", seq.Add(1)), headers, benchBody, time.Now().UTC())
			mine = append(mine, time.Since(t0))
			if err != nil {
				b.Error(err)
				return
			}
		}
		lat.add(mine)
	})
	elapsed := time.Since(start)
	b.StopTimer()
	lat.report(b, elapsed)
}

// benchClock is the wall clock: signatures are stamped with it.
type benchClock struct{}

func (benchClock) Now() time.Time { return time.Now().UTC() }
