package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/integrations/crm"
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

// server is a running `cosellbot serve`.
type server struct {
	cmd    *exec.Cmd
	addr   string
	logs   *bytes.Buffer
	exited chan error
}

func startServer(t *testing.T, bin string, env []string) *server {
	t.Helper()
	s := &server{addr: freeAddr(t), logs: &bytes.Buffer{}, exited: make(chan error, 1)}
	s.cmd = exec.Command(bin, "serve", "--addr", s.addr)
	s.cmd.Env = env
	s.cmd.Stderr = s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	t.Cleanup(func() { _ = s.cmd.Process.Kill() })
	waitReady(t, s.addr)
	return s
}

const faultSecret = "fault-test-secret-0123456789abcdef"

// deliver posts one signed generic webhook; it reports whether it was
// acknowledged (2xx).
func deliver(client *http.Client, addr, eventID string) bool {
	body := []byte(`{"type":"deal.updated","record_id":"opp-` + eventID + `","fields":{"notes":"fault test"}}`)
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/webhooks/generic", bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(crm.HeaderTimestamp, stamp)
	req.Header.Set(crm.HeaderSignature, crm.Sign([]byte(faultSecret), stamp, body))
	req.Header.Set(crm.HeaderEventID, eventID)
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode/100 == 2
}

// TestServerFaults drives the built binary through the faults a server
// meets in production.
func TestServerFaults(t *testing.T) {
	bin := buildBinary(t)

	// An upload that stalls after its headers does not hold SIGTERM: the
	// body guard cuts it, Shutdown finishes within COSELLBOT_SHUTDOWN_TIMEOUT
	// and the process exits 0.
	t.Run("stalled upload then SIGTERM", func(t *testing.T) {
		const timeout = 4 * time.Second
		env := append(os.Environ(), "DATABASE_URL=sqlite:"+filepath.Join(t.TempDir(), "stall.db"),
			"WEBHOOK_SECRET_GENERIC="+faultSecret, "COSELLBOT_DRAIN_DELAY=0s", "COSELLBOT_SHUTDOWN_TIMEOUT="+timeout.String())
		s := startServer(t, bin, env)
		conn, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		stamp := strconv.FormatInt(time.Now().Unix(), 10)
		fmt.Fprintf(conn, "POST /webhooks/generic HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n%s: %s\r\n%s: sha256=00\r\n%s: stall-1\r\n\r\n{\"type\":",
			crm.HeaderTimestamp, stamp, crm.HeaderSignature, crm.HeaderEventID)
		idle, err := net.Dial("tcp", s.addr) // an idle keep-alive socket too
		if err != nil {
			t.Fatal(err)
		}
		defer idle.Close()
		time.Sleep(300 * time.Millisecond) // both are in the server's hands
		start := time.Now()
		if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-s.exited:
			if err != nil {
				t.Fatalf("serve exited with %v after %s\n%s", err, time.Since(start), s.logs)
			}
		case <-time.After(timeout + 10*time.Second): // a safety net: the exit status is the assertion
			t.Fatalf("serve did not stop\n%s", s.logs)
		}
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		if resp, err := http.ReadResponse(bufio.NewReader(conn), nil); err == nil && resp.StatusCode != http.StatusRequestTimeout {
			t.Errorf("the stalled upload was answered %d, want 408 or a closed connection", resp.StatusCode)
		}
	})

	// Headers over MaxHeaderBytes are refused by the server itself (431),
	// before any handler reads them.
	t.Run("oversized headers", func(t *testing.T) {
		env := append(os.Environ(), "DATABASE_URL=sqlite:"+filepath.Join(t.TempDir(), "headers.db"), "WEBHOOK_SECRET_GENERIC="+faultSecret)
		s := startServer(t, bin, env)
		req, _ := http.NewRequest(http.MethodPost, "http://"+s.addr+"/webhooks/generic", bytes.NewReader([]byte("{}")))
		req.Header.Set(crm.HeaderTimestamp, strings.Repeat("7", 900_000))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("a 900 KB header answered %d, want 431", resp.StatusCode)
		}
	})

	// kill -9 while webhooks arrive: every delivery that was acknowledged
	// is in the inbox after a restart, once.
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		t.Run("kill -9 under load/"+dialect, func(t *testing.T) {
			dbURL := "sqlite:" + filepath.Join(t.TempDir(), "kill.db")
			if dialect == store.Postgres {
				dbURL = storetest.PostgresURL(t)
			}
			env := append(os.Environ(), "DATABASE_URL="+dbURL, "WEBHOOK_SECRET_GENERIC="+faultSecret, "COSELLBOT_LOG_FORMAT=json")
			n := soakN(300)
			rounds := 2
			if n > 1000 {
				rounds = 5
			}
			var acked sync.Map
			var sent, ackCount atomic.Int64
			for round := range rounds {
				s := startServer(t, bin, env)
				client := &http.Client{Timeout: 15 * time.Second}
				var wg sync.WaitGroup
				next := atomic.Int64{}
				for range 8 {
					wg.Go(func() {
						for {
							i := next.Add(1)
							if i > int64(n/rounds) {
								return
							}
							id := fmt.Sprintf("r%d-e%d", round, i)
							sent.Add(1)
							if deliver(client, s.addr, id) {
								acked.Store(id, true)
								ackCount.Add(1)
							}
						}
					})
				}
				// Kill once about half the round went by, while clients still send.
				for next.Load() < int64(n/rounds/2) {
					time.Sleep(5 * time.Millisecond)
				}
				if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				wg.Wait()
				<-s.exited
			}
			// Restart once more: it must come up on whatever the kills left.
			startServer(t, bin, env)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			st, err := store.Open(ctx, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			rows, err := st.ListInbox(ctx, store.InboxFilter{Source: "generic"})
			if err != nil {
				t.Fatal(err)
			}
			stored := map[string]int{}
			for _, r := range rows {
				stored[r.Key]++
			}
			lost := 0
			acked.Range(func(k, _ any) bool {
				if stored[k.(string)] != 1 {
					lost++
					if lost <= 5 {
						t.Errorf("acknowledged delivery %s is stored %d times", k, stored[k.(string)])
					}
				}
				return true
			})
			t.Logf("%s: %d sent, %d acknowledged, %d stored, %d acknowledged but not stored once, over %d kill -9",
				dialect, sent.Load(), ackCount.Load(), len(rows), lost, rounds)
			if ackCount.Load() == 0 {
				t.Error("nothing was acknowledged: the test proved nothing")
			}
		})
	}
}
