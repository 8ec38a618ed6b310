package main

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/generic"
)

// Deal updates are generic deal.updated events of exactly payloadSize
// bytes, signed over the exact body, cycling through the deals by crm_id.
func TestDealUpdates(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	var seq atomic.Int64
	tr := dealUpdates("http://127.0.0.1:1", "run", []byte("s3cret"), 3, &seq, func() time.Time { return now })
	var records []string
	for range 4 {
		var tg vegeta.Target
		if err := tr(&tg); err != nil {
			t.Fatal(err)
		}
		if len(tg.Body) != payloadSize {
			t.Errorf("body of %d bytes, want %d", len(tg.Body), payloadSize)
		}
		req := httptest.NewRequest(tg.Method, tg.URL, bytes.NewReader(tg.Body))
		req.Header = tg.Header
		if err := crm.VerifySignature([]byte("s3cret"), req.Header.Get(crm.HeaderTimestamp), req.Header.Get(crm.HeaderSignature), tg.Body, now); err != nil {
			t.Errorf("signature: %v", err)
		}
		var p generic.Payload
		if err := json.Unmarshal(tg.Body, &p); err != nil {
			t.Fatalf("body is not JSON: %v", err)
		}
		if p.Type != "deal.updated" || p.Fields["notes"] == nil || p.ModifiedAt == "" {
			t.Errorf("payload %+v: want a deal.updated of the notes with modified_at", p)
		}
		records = append(records, p.RecordID)
	}
	if got := strings.Join(records, ","); got != "bench-2,bench-3,bench-1,bench-2" {
		t.Errorf("records %s, want them cycling through bench-1…bench-3", got)
	}
}

// The baseline handler checks Slack's signature like the real one: a signed
// request passes, a tampered or stale one gets 401.
func TestHMACBaseline(t *testing.T) {
	t.Parallel()
	now := time.Now()
	h := hmacHandler([]byte("slack-secret"), func() time.Time { return now })
	base, _ := url.Parse("http://127.0.0.1:8080")
	tr, err := targeter(options{target: base, kind: "slack", text: "deal show {deal}", deals: 200}, envOf("SLACK_SIGNING_SECRET", "slack-secret"), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	serve := func(tg vegeta.Target) int {
		req := httptest.NewRequest(tg.Method, tg.URL, bytes.NewReader(tg.Body))
		req.Header = tg.Header
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	var tg vegeta.Target
	if err := tr(&tg); err != nil {
		t.Fatal(err)
	}
	if form, _ := url.ParseQuery(string(tg.Body)); form.Get("text") != "deal show 2" {
		t.Errorf("text %q, want deal show 2", form.Get("text"))
	}
	if code := serve(tg); code != http.StatusOK {
		t.Errorf("signed request: %d, want 200", code)
	}
	tampered := tg
	tampered.Body = append(bytes.Clone(tg.Body), '&')
	if code := serve(tampered); code != http.StatusUnauthorized {
		t.Errorf("tampered body: %d, want 401", code)
	}
	stale := tg
	stale.Header = tg.Header.Clone()
	stale.Header.Set("X-Slack-Request-Timestamp", "1000000000")
	if code := serve(stale); code != http.StatusUnauthorized {
		t.Errorf("stale timestamp: %d, want 401", code)
	}
}

// The server's memory and CPU time are read from /proc.
func TestProcReaders(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this system")
	}
	if kb := readRSS(os.Getpid()); kb <= 0 {
		t.Errorf("readRSS = %d kB, want the test's own resident memory", kb)
	}
	start := readCPU(os.Getpid())
	for deadline := time.Now().Add(3 * time.Second); readCPU(os.Getpid()) == start && time.Now().Before(deadline); {
		_ = strings.Repeat("x", 1<<16) // burn CPU until a clock tick is counted
	}
	if readCPU(os.Getpid()) <= start {
		t.Error("readCPU did not grow while the test used the CPU")
	}
}

// Bad bench flags are refused with a message naming what to write.
func TestBenchFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-db", "mysql"}, "use sqlite, postgres or both"},
		{[]string{"-cases", "slak"}, `unknown case "slak"`},
		{[]string{"-cases", "faq", "-questions", "nowhere.yaml", "-bin", os.Args[0]}, "-questions: open nowhere.yaml"},
		{[]string{"-faq-rate", "0"}, "must be positive"},
		{[]string{"-senders", "8,x"}, "write positive numbers separated by commas"},
		{[]string{"-duration", "0s"}, "must be positive"},
		{[]string{"-bin", "/nonexistent/cosellbot"}, "run make build first"},
	} {
		var out, errb bytes.Buffer
		if code := runBench(tc.args, envOf(), &out, &errb); code != 2 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("bench %v: exit %d, stderr %q; want 2 and %q", tc.args, code, errb.String(), tc.want)
		}
	}
}

// TestTableCommandCell: the server's command p99 comes with the share of
// commands within issue 15's 2 ms, read off a bucket bound; a histogram
// without that bound gives the p99 alone.
func TestTableCommandCell(t *testing.T) {
	for _, tc := range []struct {
		in2ms float64
		want  string
	}{
		{0.992, "| 1.83 (99.2 % ≤ 2 ms) "},
		{math.NaN(), "| 1.83 "},
	} {
		var out strings.Builder
		printTable(&out, benchOptions{}, []benchRow{{db: "sqlite", name: "faq", rps: 100, commandP99: 1.83, commandIn2ms: tc.in2ms}})
		if !strings.Contains(out.String(), tc.want) {
			t.Errorf("in2ms %v: no %q in\n%s", tc.in2ms, tc.want, out.String())
		}
	}
}
