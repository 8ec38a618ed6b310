package crm_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/crmmetrics"
	"github.com/cosellbot/cosellbot/integrations/crm/crmtest"
	"github.com/cosellbot/cosellbot/integrations/crm/generic"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// counted is the value of cosellbot_webhook_events_total{source, outcome}
// as /metrics would show it.
func counted(t *testing.T, reg *prometheus.Registry, source string, o crm.Outcome) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if f.GetName() == "cosellbot_webhook_events_total" && labels["source"] == source && labels["outcome"] == string(o) {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// Through the real receiver: while the processor is behind, a delivery is
// held before it is stored until an event is applied, then stored and
// acknowledged, and counted as held; once the processor keeps up,
// deliveries go straight through.
func TestDeliveryHeldWhileProcessingIsBehind(t *testing.T) {
	st := storetest.Open(t)
	clock := crmtest.NewClock(now)
	src := generic.New(secret, crmtest.Applier(st, clock))
	proc := crm.NewProcessor(st, []crm.Source{src}, clock, nil, nil)
	commit := crm.NewCommitter(st, 0, 1)
	defer commit.Close()
	metrics, reg := crmmetrics.New(), prometheus.NewRegistry()
	if err := metrics.Register(reg); err != nil {
		t.Fatal(err)
	}
	r := mux.NewRouter()
	crm.NewReceiver(crm.ReceiverConfig{Sources: []crm.Source{src}, Commit: commit, Proc: proc, Clock: clock, Metrics: metrics}).Mount(r)
	srv := httptest.NewServer(r)
	defer srv.Close()
	post := func(id string) <-chan int {
		done := make(chan int, 1)
		go func() {
			body := update("opp-1", "2026-11-20T09:00:00Z", map[string]any{"notes": id})
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/generic", bytes.NewReader(body))
			if err != nil {
				t.Error(err)
				done <- 0
				return
			}
			req.Header = signed(id, body, now)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Error(err)
				done <- 0
				return
			}
			resp.Body.Close()
			done <- resp.StatusCode
		}()
		return done
	}

	proc.SetBehind(true)
	held := post("evt-held")
	select {
	case code := <-held:
		t.Fatalf("answered %d while the processor is behind, before any event was applied", code)
	case <-time.After(100 * time.Millisecond):
	}
	if rows := len(inbox(t, st)); rows != 0 {
		t.Fatalf("%d rows stored while the delivery is held, want 0", rows)
	}
	proc.EventApplied()
	select {
	case code := <-held:
		if code != http.StatusOK {
			t.Fatalf("held delivery answered %d", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the held delivery was not let go after an event was applied")
	}
	if n := counted(t, reg, "generic", crm.Held); n != 1 {
		t.Fatalf("held counted %v times, want 1", n)
	}

	proc.SetBehind(false)
	select {
	case code := <-post("evt-free"):
		if code != http.StatusOK {
			t.Fatalf("answered %d", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("held while the processor keeps up")
	}
	if rows := len(inbox(t, st)); rows != 2 {
		t.Fatalf("%d rows stored, want both deliveries", rows)
	}
	if n := counted(t, reg, "generic", crm.Held); n != 1 {
		t.Fatalf("held counted %v times, want 1", n)
	}
}

// inbox lists every inbox row.
func inbox(t *testing.T, st *store.Store) []store.InboxEntry {
	t.Helper()
	rows, err := st.ListInbox(t.Context(), store.InboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
