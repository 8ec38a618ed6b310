package crm_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/mux"

	"github.com/cosellbot/cosellbot/bot/logcapture"
	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/crmtest"
	"github.com/cosellbot/cosellbot/integrations/crm/generic"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// hostileServer is the generic source's receiver on a real HTTP server,
// logging into a buffer the test reads.
func hostileServer(t *testing.T, st *store.Store) (*httptest.Server, *logcapture.Buffer) {
	t.Helper()
	clock := crmtest.NewClock(now)
	logs := &logcapture.Buffer{}
	commit := crm.NewCommitter(st, 0, crm.CommitWorkers(st.Dialect()))
	r := mux.NewRouter()
	crm.NewReceiver(crm.ReceiverConfig{
		Sources: []crm.Source{generic.New(secret, crmtest.Applier(st, clock))},
		Commit:  commit, Clock: clock, Log: slog.New(slog.NewTextHandler(logs, nil)),
	}).Mount(r)
	srv := httptest.NewServer(r)
	t.Cleanup(func() { srv.Close(); commit.Close() })
	return srv, logs
}

func post(t *testing.T, srv *httptest.Server, path string, h http.Header, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// Each hostile delivery is refused at the door with a short answer naming
// what is wrong, a short log line, and nothing stored.
func TestHostileDeliveriesAreRefusedShortly(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		srv, logs := hostileServer(t, st)
		body := update("opp-1", "", map[string]any{"stage": "won"})
		hugeStamp := signed("e1", body, now)
		hugeStamp.Set(crm.HeaderTimestamp, strings.Repeat("7", 900_000))
		badUTF8ID := signed("e2", body, now)
		badUTF8ID[crm.HeaderEventID] = []string{"evt-\xff\xfe"}
		nulRecord := []byte(`{"type":"deal.updated","record_id":"opp\u0000-1","fields":{"stage":"won"}}`)
		nulField := []byte(`{"type":"deal.updated","record_id":"opp-1","fields":{"notes":"a\u0000b"}}`)
		rawBad := []byte("{\"type\":\"deal.updated\",\"record_id\":\"opp-\xff\",\"fields\":{}}")
		longID := strings.Repeat("k", crm.MaxKey+1)
		tests := []struct {
			name       string
			path       string
			header     http.Header
			body       []byte
			code       int
			field, msg string
		}{
			{"900 KB timestamp", "/webhooks/generic", hugeStamp, body, 401, "", "bytes)"},
			{"invalid UTF-8 in X-Event-Id", "/webhooks/generic", badUTF8ID, body, 400, crm.HeaderEventID, "not valid UTF-8"},
			{"NUL in record_id", "/webhooks/generic", signed("e3", nulRecord, now), nulRecord, 400, "record_id", "NUL"},
			{"NUL in a field", "/webhooks/generic", signed("e4", nulField, now), nulField, 400, "fields.notes", "NUL"},
			{"invalid UTF-8 in the body", "/webhooks/generic", signed("e5", rawBad, now), rawBad, 400, "body", "at byte 40"},
			{"event id too long", "/webhooks/generic", signed(longID, body, now), body, 400, crm.HeaderEventID, "more than 512"},
			{"event id with an invisible character", "/webhooks/generic", signed("e\u202e6", body, now), body, 400, crm.HeaderEventID, "invisible"},
			{"900 KB source name", "/webhooks/" + strings.Repeat("s", 100_000), signed("e7", body, now), body, 404, "", "(100000 bytes)"},
		}
		for _, tt := range tests {
			before := logs.Len()
			code, resp := post(t, srv, tt.path, tt.header, tt.body)
			if code != tt.code || !strings.Contains(resp, tt.msg) || (tt.field != "" && !strings.Contains(resp, `"field":"`+tt.field)) {
				t.Errorf("%s: %d %s; want %d naming %q with %q", tt.name, code, resp[:min(len(resp), 300)], tt.code, tt.field, tt.msg)
			}
			if len(resp) > 1024 {
				t.Errorf("%s: the answer is %d bytes", tt.name, len(resp))
			}
			if n := logs.Len() - before; n > 1024 {
				t.Errorf("%s: logged %d bytes", tt.name, n)
			}
		}
		if rows, err := st.ListInbox(t.Context(), store.InboxFilter{}); err != nil || len(rows) != 0 {
			t.Errorf("refused deliveries stored %d rows (%v)", len(rows), err)
		}
	})
}

// Credentials a sender adds (Authorization, X-Api-Key, signatures,
// cookies) are stored redacted, the shared secret not at all.
func TestStoredHeadersHoldNoCredentials(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		srv, _ := hostileServer(t, st)
		body := update("opp-1", "", map[string]any{"stage": "won"})
		h := signed("e1", body, now)
		h.Set("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.secret")
		h.Set("X-Api-Key", "k-123456")
		h.Set("Cookie", "session=abc")
		h.Set("X-Cosellbot-Secret", "shared")
		if code, resp := post(t, srv, "/webhooks/generic", h, body); code != http.StatusOK {
			t.Fatalf("%d %s", code, resp)
		}
		rows, err := st.ListInbox(t.Context(), store.InboxFilter{})
		if err != nil || len(rows) != 1 {
			t.Fatalf("%d rows, %v", len(rows), err)
		}
		got := rows[0].Headers
		for _, k := range []string{"Authorization", "X-Api-Key", crm.HeaderSignature} {
			if got[k] != crm.Redacted {
				t.Errorf("stored %s = %q, want %q", k, got[k], crm.Redacted)
			}
		}
		if _, ok := got["X-Cosellbot-Secret"]; ok {
			t.Error("the shared secret was stored")
		}
		if _, ok := got["Cookie"]; ok {
			t.Error("a cookie was stored")
		}
		if got[crm.HeaderEventID] != "e1" || got[crm.HeaderTimestamp] == "" {
			t.Errorf("useful headers lost: %v", got)
		}
	})
}

// Bad deliveries arriving among good ones never fail a good one: the
// good are all acknowledged and stored whatever shares their group commit.
func TestBadDeliveriesNeverFailTheirNeighbours(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		srv, _ := hostileServer(t, st)
		const good, bad = 200, 60
		var wg sync.WaitGroup
		failed := make(chan string, good)
		for i := range good + bad {
			wg.Go(func() {
				id := "good-" + strconv.Itoa(i)
				body := update("opp-"+strconv.Itoa(i), "", map[string]any{"stage": "won"})
				h := signed(id, body, now)
				if i >= good {
					h[crm.HeaderEventID] = []string{"bad-\xff" + strconv.Itoa(i)}
					body = []byte(`{"type":"deal.updated","record_id":"x\u0000","fields":{}}`)
					h = signed("bad-"+strconv.Itoa(i), body, now)
				}
				code, resp := post(t, srv, "/webhooks/generic", h, body)
				if i < good && code != http.StatusOK {
					failed <- id + ": " + strconv.Itoa(code) + " " + resp
				}
			})
		}
		wg.Wait()
		close(failed)
		for f := range failed {
			t.Error(f)
		}
		rows, err := st.ListInbox(t.Context(), store.InboxFilter{})
		if err != nil || len(rows) != good {
			t.Errorf("stored %d rows (%v), want %d", len(rows), err, good)
		}
	})
}
