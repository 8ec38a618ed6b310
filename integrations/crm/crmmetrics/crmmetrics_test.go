package crmmetrics_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/crmmetrics"
	"github.com/cosellbot/cosellbot/integrations/crm/crmtest"
	"github.com/cosellbot/cosellbot/integrations/crm/generic"
	"github.com/cosellbot/cosellbot/store/storetest"
)

var now = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func TestCountsByOutcome(t *testing.T) {
	st := storetest.OpenSQLite(t)
	clock := crmtest.NewClock(now)
	m := crmmetrics.New()
	reg := prometheus.NewPedanticRegistry()
	if err := m.Register(reg); err != nil {
		t.Fatal(err)
	}
	src := generic.New("s", crmtest.Applier(st, clock))
	commit := crm.NewCommitter(st, 0, 1)
	defer commit.Close()
	proc := crm.NewProcessor(st, []crm.Source{src}, clock, nil, m)
	r := mux.NewRouter()
	crm.NewReceiver(crm.ReceiverConfig{Sources: []crm.Source{src}, Commit: commit, Clock: clock, Metrics: m}).Mount(r)
	crmtest.AcceptedDeal(t, st, "opp-1", now)
	post := func(id, body string) {
		ts := strconv.FormatInt(now.Unix(), 10)
		req := httptest.NewRequest(http.MethodPost, "/webhooks/generic", strings.NewReader(body))
		req.Header.Set(crm.HeaderTimestamp, ts)
		req.Header.Set(crm.HeaderSignature, crm.Sign([]byte("s"), ts, []byte(body)))
		req.Header.Set(crm.HeaderEventID, id)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", id, w.Code, w.Body)
		}
	}
	post("a", `{"type":"deal.updated","record_id":"opp-1","fields":{"stage":"proposed"}}`)
	post("a", `{"type":"deal.updated","record_id":"opp-1","fields":{"stage":"proposed"}}`)
	// An event that fails when applied: one no receiver takes now (its
	// close is no date), stored as an earlier version took it.
	if _, err := st.AddInbox(t.Context(), []ledger.InboxEntry{{Source: "generic", Key: "b", Body: []byte(`{"type":"deal.updated","record_id":"opp-1","fields":{"close":"2027-02-30"}}`), Status: ledger.InboxReceived, ReceivedAt: now}}); err != nil {
		t.Fatal(err)
	}
	post("c", `{"type":"contact.created"}`)
	if _, err := proc.Pending(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP cosellbot_webhook_events_total Webhook events by source and outcome: received (stored in the inbox), duplicate (delivered before), applied, ignored (nothing to do, or stale), failed (left for cosellbot replay), and held (a delivery held before it was stored while processing was behind).
# TYPE cosellbot_webhook_events_total counter
cosellbot_webhook_events_total{outcome="applied",source="generic"} 1
cosellbot_webhook_events_total{outcome="duplicate",source="generic"} 1
cosellbot_webhook_events_total{outcome="failed",source="generic"} 1
cosellbot_webhook_events_total{outcome="ignored",source="generic"} 1
cosellbot_webhook_events_total{outcome="received",source="generic"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}
