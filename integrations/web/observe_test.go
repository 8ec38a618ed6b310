package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/cosellbot/cosellbot/integrations/web"
)

type okDB struct{}

func (okDB) Ping(context.Context) error { return nil }

// Requests are counted by route template and code, carry a request id in
// and out (a forged one is replaced), and the id reaches the handler's logs.
func TestObserver(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(web.LogHandler{Handler: slog.NewTextHandler(&logs, nil)})
	drain := web.NewDrain(okDB{})
	r := web.Router(drain, log)
	r.HandleFunc("/items/{id}", func(w http.ResponseWriter, req *http.Request) {
		log.InfoContext(req.Context(), "handled item")
		w.WriteHeader(http.StatusAccepted)
	}).Methods(http.MethodPost)
	o := web.NewObserver(log)
	reg := prometheus.NewRegistry()
	if err := o.Register(reg); err != nil {
		t.Fatal(err)
	}
	h := o.Wrap(r)
	do := func(method, path, id string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, nil)
		if id != "" {
			req.Header.Set(web.HeaderRequestID, id)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	if w := do(http.MethodPost, "/items/1", "lb-abc.123"); w.Code != http.StatusAccepted || w.Header().Get(web.HeaderRequestID) != "lb-abc.123" {
		t.Fatalf("POST /items/1: %d, id %q", w.Code, w.Header().Get(web.HeaderRequestID))
	}
	if !strings.Contains(logs.String(), `msg="handled item" request_id=lb-abc.123`) {
		t.Errorf("the handler's log line lacks the request id:\n%s", logs.String())
	}
	w := do(http.MethodPost, "/items/2", "bad id\nforged=1")
	if got := w.Header().Get(web.HeaderRequestID); len(got) != 16 || strings.Contains(got, "forged") {
		t.Errorf("a forged request id came back as %q, want a new one", got)
	}
	do(http.MethodGet, "/nowhere", "")
	do(http.MethodGet, "/readyz", "")
	drain.Start()
	if w := do(http.MethodGet, "/readyz", ""); w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "draining") {
		t.Errorf("/readyz while draining: %d %s", w.Code, w.Body.String())
	}
	if w := do(http.MethodGet, "/healthz", ""); w.Code != http.StatusOK {
		t.Errorf("/healthz while draining: %d; a draining server is alive", w.Code)
	}
	want := `
# HELP cosellbot_http_requests_total HTTP requests by route template, method and status code.
# TYPE cosellbot_http_requests_total counter
cosellbot_http_requests_total{code="200",method="GET",route="/healthz"} 1
cosellbot_http_requests_total{code="200",method="GET",route="/readyz"} 1
cosellbot_http_requests_total{code="202",method="POST",route="/items/{id}"} 2
cosellbot_http_requests_total{code="404",method="GET",route="unmatched"} 1
cosellbot_http_requests_total{code="503",method="GET",route="/readyz"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "cosellbot_http_requests_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(reg, "cosellbot_http_request_duration_seconds"); n != 4 {
		t.Errorf("%d latency series, want 4 (one per route and method)", n)
	}
}
