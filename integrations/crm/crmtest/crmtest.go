// Package crmtest runs webhook sources the way serve does, for tests: the
// real receiver on an httptest server over a real store, with a processor
// and a settable clock.
package crmtest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/clocktest"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/store"
)

// Clock is a settable clock (clocktest's, which the chat tests share).
type Clock = clocktest.Clock

// NewClock starts at t.
func NewClock(t time.Time) *Clock { return clocktest.New(t) }

// quiet drops the logs of refused deliveries and failed events, which the
// tests provoke on purpose.
var quiet = slog.New(slog.DiscardHandler)

// Harness is a receiver and a processor over one store.
type Harness struct {
	Store  *store.Store
	Clock  *Clock
	Proc   *crm.Processor
	Server *httptest.Server
	commit *crm.Committer
}

// New serves the sources on /webhooks/{source}; every other known source
// answers 503. Events are processed only when the test calls Process.
func New(t testing.TB, st *store.Store, clock *Clock, sources ...crm.Source) *Harness {
	t.Helper()
	h := &Harness{Store: st, Clock: clock}
	h.Proc = crm.NewProcessor(st, sources, clock, quiet, nil)
	h.commit = crm.NewCommitter(st, 0, crm.CommitWorkers(st.Dialect()))
	off := map[string]string{}
	for _, s := range crm.Sources {
		off[s] = "WEBHOOK_SECRET_" + s + " is not set"
	}
	for _, s := range sources {
		delete(off, s.Name())
	}
	r := mux.NewRouter()
	crm.NewReceiver(crm.ReceiverConfig{Sources: sources, Off: off, Commit: h.commit, Clock: clock, Log: quiet}).Mount(r)
	h.Server = httptest.NewServer(r)
	t.Cleanup(func() {
		h.Server.Close()
		h.commit.Close()
	})
	return h
}

// Post sends a delivery to path ("/webhooks/generic?x=1") and returns the
// status and body of the answer.
func (h *Harness) Post(t testing.TB, path string, header http.Header, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.Server.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := h.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Process applies the waiting events.
func (h *Harness) Process(t testing.TB) crm.Report {
	t.Helper()
	rep, err := h.Proc.Pending(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// Inbox lists every inbox row.
func (h *Harness) Inbox(t testing.TB) []store.InboxEntry {
	t.Helper()
	rows, err := h.Store.ListInbox(context.Background(), store.InboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// AcceptedDeal stores an accepted inbound referral linked to a CRM record
// (crm_id), as a partner would have after accepting it in chat.
func AcceptedDeal(t testing.TB, st *store.Store, crmID string, now time.Time) *deal.Deal {
	t.Helper()
	received := now.Add(-48 * time.Hour)
	d, _, err := deal.Receive(deal.Draft{
		Kind: deal.ServicesCoSell, Customer: deal.Customer{Name: "Fabrikam AB", Location: "SE", Account: deal.Managed},
		Location: "1234567", From: "microsoft", ReceivedAt: received, CRMID: crmID,
		Team: []deal.Person{{Name: "Ana Diaz", Email: "ana@contoso.example", Phone: "+46 70 123 45 67"}},
	}, received)
	if err != nil {
		t.Fatal(err)
	}
	name, notes, value := "Fabrikam BI", "BI for 12 plants", deal.Money(60_000_00)
	closeDate := time.Date(now.Year()+1, 3, 1, 0, 0, 0, 0, time.UTC)
	if _, err := d.Accept(deal.Changes{Name: &name, Notes: &notes, Value: &value, CloseDate: &closeDate}, received); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateDeal(context.Background(), d, ledger.Entry{At: received, Actor: "ana@contoso.example", Action: "accepted", Detail: "accepted"}); err != nil {
		t.Fatal(err)
	}
	return d
}

// History is the actions of a deal's history, oldest first, as "actor action".
func History(t testing.TB, st *store.Store, id int64) []string {
	t.Helper()
	es, err := st.History(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Actor + " " + e.Action
	}
	return out
}

// Applier is the applier serve builds, over a change path that writes to
// no system: what a source's tests need to apply events to deals.
func Applier(st *store.Store, clock crm.Clock) *crm.Applier {
	return &crm.Applier{Engine: change.New(st, clock, nil, nil, quiet), Find: st}
}
