package web_test

import (
	"bufio"
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cosellbot/cosellbot/integrations/web"
)

// A panicking handler answers 500 with the JSON error shape, is logged with
// its stack and counted by route; the connection stays usable. A panic
// after the answer started leaves the status alone but is still counted.
func TestRecovererAnswers500(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(web.LogHandler{Handler: slog.NewTextHandler(&logs, nil)})
	r := web.Router(web.NewDrain(okDB{}), log)
	rec := web.NewRecoverer(log)
	reg := prometheus.NewRegistry()
	if err := rec.Register(reg); err != nil {
		t.Fatal(err)
	}
	obs := web.NewObserver(log)
	if err := obs.Register(reg); err != nil {
		t.Fatal(err)
	}
	r.Use(rec.Middleware)
	r.HandleFunc("/boom/{id}", func(http.ResponseWriter, *http.Request) {
		var m map[string]int
		m["x"]++ // a nil map: a real runtime panic
	})
	r.HandleFunc("/late", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("partial"))
		panic("after the header")
	})
	srv := httptest.NewServer(obs.Wrap(r))
	defer srv.Close()
	client := srv.Client()
	for range 2 { // the same keep-alive connection serves the second
		resp, err := client.Post(srv.URL+"/boom/1", "text/plain", strings.NewReader("x"))
		if err != nil {
			t.Fatalf("the connection was dropped: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(string(body), `"code":"internal"`) {
			t.Errorf("panic answered %d %s", resp.StatusCode, body)
		}
	}
	resp, err := client.Get(srv.URL + "/late")
	if err == nil {
		_, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if got := counterValue(t, reg, "cosellbot_http_panics_total", "/boom/{id}"); got != 2 {
		t.Errorf("panics counted for /boom/{id}: %v, want 2", got)
	}
	if got := counterValue(t, reg, "cosellbot_http_panics_total", "/late"); got != 1 {
		t.Errorf("panics counted for /late: %v, want 1", got)
	}
	for _, want := range []string{`msg="handler panicked"`, "assignment to entry in nil map", "stack=", `code=500`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %s:\n%s", want, logs.String())
		}
	}
}

// counterValue reads one series of a counter vector in reg by its route
// label; 0 when there is none.
func counterValue(t *testing.T, reg *prometheus.Registry, name, route string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "route" && l.GetValue() == route {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// stalledUpload sends the headers of a POST and half its body, then waits
// for the answer.
func stalledUpload(t *testing.T, addr, path string) (*http.Response, error) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := conn.Write([]byte("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789")); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second)) // a safety net, not the assertion
	return http.ReadResponse(bufio.NewReader(conn), nil)
}

// guarded serves a handler that reads the whole body, answering 408 when
// the guard's deadline cut it, behind g.
func guarded(t *testing.T, g *web.BodyGuard) *httptest.Server {
	t.Helper()
	r := web.Router(web.NewDrain(okDB{}), slog.New(slog.DiscardHandler))
	r.Use(g.Middleware)
	r.HandleFunc("/upload/{kind}", func(w http.ResponseWriter, req *http.Request) {
		_, err := io.ReadAll(req.Body)
		switch {
		case web.TimedOut(err):
			web.WriteError(w, http.StatusRequestTimeout, "timeout", "too slow")
		case err != nil:
			web.WriteError(w, http.StatusRequestEntityTooLarge, "too_large", err.Error())
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}).Methods(http.MethodPost)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv
}

// An upload that stalls after its headers is cut by its route's deadline;
// another route's limit applies to its own path; a body over the size
// limit is refused.
func TestBodyGuardCutsStalledUploads(t *testing.T) {
	g := web.NewBodyGuard(web.BodyLimit{Read: time.Hour, Max: 10}, map[string]web.BodyLimit{"/upload/{kind}": {Read: 200 * time.Millisecond, Max: 1 << 20}})
	srv := guarded(t, g)
	resp, err := stalledUpload(t, srv.Listener.Addr().String(), "/upload/a")
	if err != nil {
		t.Fatalf("the stalled upload got no answer: %v", err)
	}
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("stalled upload answered %d, want 408", resp.StatusCode)
	}
	// A whole body is unaffected, and the deadline does not outlive it.
	ok, err := srv.Client().Post(srv.URL+"/upload/b", "text/plain", strings.NewReader("complete"))
	if err != nil || ok.StatusCode != http.StatusNoContent {
		t.Fatalf("a complete upload: %v %v", ok, err)
	}
	ok.Body.Close()
}

// At shutdown, Cut shortens a long deadline, so a stalled upload does not
// hold the server's Shutdown past its timeout.
func TestBodyGuardCut(t *testing.T) {
	g := web.NewBodyGuard(web.BodyLimit{Read: time.Hour, Max: 1 << 20}, nil)
	srv := guarded(t, g)
	answered := make(chan int, 1)
	go func() {
		resp, err := stalledUpload(t, srv.Listener.Addr().String(), "/upload/a")
		if err != nil {
			answered <- 0
			return
		}
		answered <- resp.StatusCode
	}()
	time.Sleep(100 * time.Millisecond) // the request is in flight (if not, Cut applies to it when it starts)
	g.Cut(50 * time.Millisecond)
	if code := <-answered; code != http.StatusRequestTimeout {
		t.Errorf("after Cut the stalled upload answered %d, want 408", code)
	}
}

// A body over the route's size limit is refused.
func TestBodyGuardLimitsSize(t *testing.T) {
	g := web.NewBodyGuard(web.BodyLimit{Read: time.Hour, Max: 10}, nil)
	srv := guarded(t, g)
	resp, err := srv.Client().Post(srv.URL+"/upload/a", "text/plain", strings.NewReader(strings.Repeat("x", 11)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("an 11-byte body over a 10-byte limit answered %d", resp.StatusCode)
	}
}

// A server warming up (its FAQ index being built) is not ready: no
// question goes to it before it answers as fast as the rest.
func TestNotReadyWhileStarting(t *testing.T) {
	d := web.NewDrain(okDB{})
	r := web.Router(d, slog.New(slog.DiscardHandler))
	ready := func() *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return w
	}
	d.Starting()
	if w := ready(); w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "starting") {
		t.Errorf("/readyz while starting: %d %s", w.Code, w.Body.String())
	}
	d.Started()
	if w := ready(); w.Code != http.StatusOK {
		t.Errorf("/readyz once started: %d %s", w.Code, w.Body.String())
	}
}
