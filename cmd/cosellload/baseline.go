package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// runBaselineServer serves the trivial handler the Slack figures are
// compared with: it reads the request, checks Slack's v0 signature and
// timestamp window exactly as a real handler must, and answers a fixed
// ephemeral message. It prints "listening on http://ADDR" once it accepts,
// and runs until SIGTERM or SIGINT.
func runBaselineServer(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cosellload baseline-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	secret := getenv("SLACK_SIGNING_SECRET")
	if secret == "" {
		fmt.Fprintln(stderr, "cosellload baseline-server: set SLACK_SIGNING_SECRET, the secret requests are signed with")
		return 2
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "cosellload baseline-server:", err)
		return 1
	}
	srv := &http.Server{Handler: hmacHandler([]byte(secret), time.Now), ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); _ = srv.Close() }()
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(stderr, "cosellload baseline-server:", err)
		return 1
	}
	return 0
}

// hmacHandler is the baseline: signature check and a constant answer.
func hmacHandler(secret []byte, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "cannot read the body", http.StatusBadRequest)
			return
		}
		stamp := r.Header.Get("X-Slack-Request-Timestamp")
		sec, err := strconv.ParseInt(stamp, 10, 64)
		if err != nil || now().Sub(time.Unix(sec, 0)).Abs() > 5*time.Minute {
			http.Error(w, "stale or missing timestamp", http.StatusUnauthorized)
			return
		}
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte("v0:" + stamp + ":"))
		mac.Write(body)
		want := "v0=" + hex.EncodeToString(mac.Sum(nil))
		if !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Slack-Signature"))) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"response_type":"ephemeral","text":"ok"}`)
	})
}

// latencies gathers the duration of each operation of a run.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d []time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d...)
	l.mu.Unlock()
}

// quantile of the gathered durations, q in [0, 1].
func (l *latencies) quantile(q float64) time.Duration {
	if len(l.d) == 0 {
		return 0
	}
	slices.Sort(l.d)
	return l.d[min(int(q*float64(len(l.d))), len(l.d)-1)]
}

// rawResult is what the raw insert baseline measured.
type rawResult struct {
	rows     int
	elapsed  time.Duration
	p50, p99 time.Duration
	err      error
}

// rate is rows per second.
func (r rawResult) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.rows) / r.elapsed.Seconds()
}

// rawInserts is the pgbench-like baseline for the webhooks: senders
// goroutines insert one payloadSize row per transaction (autocommit) into
// a table of their own for d, through db. On PostgreSQL db holds one
// connection per sender; SQLite has one writer, so there db holds one
// connection and the senders queue for it, which is its fastest way.
func rawInserts(ctx context.Context, db *sql.DB, insert string, senders int, d time.Duration) rawResult {
	payload := dealUpdate(1, "0", time.Now())
	var (
		lat   latencies
		wg    sync.WaitGroup
		errMu sync.Mutex
		first error
	)
	start := time.Now()
	deadline := start.Add(d)
	for range senders {
		wg.Go(func() {
			mine := make([]time.Duration, 0, 4096)
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t0 := time.Now()
				if _, err := db.ExecContext(ctx, insert, payload); err != nil {
					errMu.Lock()
					if first == nil {
						first = err
					}
					errMu.Unlock()
					break
				}
				mine = append(mine, time.Since(t0))
			}
			lat.add(mine)
		})
	}
	wg.Wait()
	return rawResult{rows: len(lat.d), elapsed: time.Since(start), p50: lat.quantile(0.5), p99: lat.quantile(0.99), err: first}
}
