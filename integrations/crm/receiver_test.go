package crm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/crmtest"
	"github.com/cosellbot/cosellbot/integrations/crm/generic"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

var now = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

const secret = "generic-secret"

func setup(t *testing.T, st *store.Store) *crmtest.Harness {
	clock := crmtest.NewClock(now)
	return crmtest.New(t, st, clock, generic.New(secret, crmtest.Applier(st, clock)))
}

// signed builds a generic delivery signed as the README documents.
func signed(eventID string, body []byte, at time.Time) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	return http.Header{
		"Content-Type":       {"application/json"},
		crm.HeaderTimestamp:  {ts},
		crm.HeaderSignature:  {crm.Sign([]byte(secret), ts, body)},
		crm.HeaderEventID:    {eventID},
		"X-Unrelated-Header": {"kept"},
	}
}

func update(record, modified string, fields map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"type": "deal.updated", "record_id": record, "modified_at": modified, "fields": fields})
	return b
}

func dealOf(t *testing.T, st *store.Store, id int64) *deal.Deal {
	t.Helper()
	d, err := st.GetDeal(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// An amount written as chat takes it ("€60k") is read as chat reads it,
// with its currency.
func TestGenericValueAsChatWritesIt(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		d := crmtest.AcceptedDeal(t, st, "opp-43", now)
		body := update("opp-43", "2026-11-20T09:59:00Z", map[string]any{"value": "€65.5k"})
		if code, resp := h.Post(t, "/webhooks/generic", signed("evt-v", body, now), body); code != http.StatusOK {
			t.Fatalf("delivery: %d %s", code, resp)
		}
		if rep := h.Process(t); rep.Processed != 1 {
			t.Fatalf("report %+v", rep)
		}
		if got := dealOf(t, st, d.ID); got.Value != 65500_00 || got.Currency != "EUR" {
			t.Errorf("deal after €65.5k: %s %s", got.Value, got.Currency)
		}
	})
}

func TestGenericStageAdvancesTheDeal(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		d := crmtest.AcceptedDeal(t, st, "opp-42", now)
		body := update("opp-42", "2026-11-20T09:59:00Z", map[string]any{"stage": "proposed", "value": json.Number("65000.5")})
		code, resp := h.Post(t, "/webhooks/generic", signed("evt-1", body, now), body)
		if code != http.StatusOK {
			t.Fatalf("delivery: %d %s", code, resp)
		}
		rep := h.Process(t)
		if rep.Processed != 1 {
			t.Fatalf("report %+v", rep)
		}
		got := dealOf(t, st, d.ID)
		if got.Stage != deal.StageProposed || got.Value != 65000_50 {
			t.Errorf("deal after the webhook: stage %s value %s", got.Stage, got.Value)
		}
		if h := crmtest.History(t, st, d.ID); strings.Join(h, ",") != "ana@contoso.example accepted,generic edited,generic stage" {
			t.Errorf("history %v", h)
		}
		rows := h.Inbox(t)
		if len(rows) != 1 || rows[0].Status != store.InboxProcessed || string(rows[0].Body) != string(body) ||
			rows[0].Headers["X-Unrelated-Header"] != "kept" || rows[0].Headers[crm.HeaderSignature] == "" {
			t.Errorf("inbox %+v", rows)
		}
	})
}

// TestGenericStageAsCosellbotWritesIt: a stage copied from a deal card
// ("Proposed (60%)") or named as Partner Center shows it moves the deal.
// It was once skipped as unknown, and the event, with nothing left in it,
// was ignored as "already says so": the change was lost without a word.
func TestGenericStageAsCosellbotWritesIt(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		d := crmtest.AcceptedDeal(t, st, "opp-42", now)
		for i, step := range []struct {
			stage string
			want  deal.Stage
		}{{"Qualified", deal.StageQualified}, {"Proposed (60%)", deal.StageProposed}, {" NEGOTIATED ", deal.StageNegotiated}} {
			body := update("opp-42", now.Add(time.Duration(i+1)*time.Second).Format(time.RFC3339), map[string]any{"stage": step.stage})
			if code, resp := h.Post(t, "/webhooks/generic", signed(fmt.Sprintf("evt-%d", i), body, now), body); code != http.StatusOK {
				t.Fatalf("%q: %d %s", step.stage, code, resp)
			}
			if rep := h.Process(t); rep.Processed != 1 {
				t.Fatalf("%q: report %+v", step.stage, rep)
			}
			if got := dealOf(t, st, d.ID); got.Stage != step.want {
				t.Errorf("after stage %q the deal is at %s, want %s", step.stage, got.Stage, step.want)
			}
		}
	})
}

func TestRefusedDeliveriesStoreNothing(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		body := update("opp-1", "", map[string]any{"stage": "won"})
		wrongSecret := signed("e", body, now)
		wrongSecret.Set(crm.HeaderSignature, crm.Sign([]byte("other"), wrongSecret.Get(crm.HeaderTimestamp), body))
		noEventID := signed("", body, now)
		noEventID.Del(crm.HeaderEventID)
		huge := append([]byte(`{"type":"deal.updated","record_id":"x","fields":{"notes":"`), make([]byte, crm.MaxBody)...)
		tests := []struct {
			name, path string
			header     http.Header
			body       []byte
			code       int
			inBody     string
		}{
			{"bad signature", "/webhooks/generic", wrongSecret, body, 401, "does not match"},
			{"unsigned", "/webhooks/generic", http.Header{crm.HeaderEventID: {"e"}}, body, 401, "required"},
			{"old timestamp", "/webhooks/generic", signed("e", body, now.Add(-6*time.Minute)), body, 401, "more than 5m0s"},
			{"future timestamp", "/webhooks/generic", signed("e", body, now.Add(6*time.Minute)), body, 401, "more than 5m0s"},
			{"too large", "/webhooks/generic", signed("e", huge, now), huge, 413, "too_large"},
			{"no event id", "/webhooks/generic", noEventID, body, 400, "X-Event-Id"},
			{"not json", "/webhooks/generic", signed("e", []byte("{"), now), []byte("{"), 400, `"field":"body"`},
			{"no record", "/webhooks/generic", signed("e", []byte(`{"type":"deal.updated"}`), now), []byte(`{"type":"deal.updated"}`), 400, `"field":"record_id"`},
			{"bad time", "/webhooks/generic", signed("e", update("x", "yesterday", nil), now), update("x", "yesterday", nil), 400, "modified_at"},
			{"unknown stage", "/webhooks/generic", signed("e", update("x", "", map[string]any{"stage": "Closing"}), now), update("x", "", map[string]any{"stage": "Closing"}), 400, `\"Closing\" is not a stage or outcome: use one of qualified`},
			{"stage as a number", "/webhooks/generic", signed("e", update("x", "", map[string]any{"stage": 3}), now), update("x", "", map[string]any{"stage": 3}), 400, `"field":"fields.stage"`},
			{"unreadable value", "/webhooks/generic", signed("e", update("x", "", map[string]any{"value": "lots"}), now), update("x", "", map[string]any{"value": "lots"}), 400, `"field":"fields.value"`},
			{"unreadable close date", "/webhooks/generic", signed("e", update("x", "", map[string]any{"close": "2027-13-45", "name": "renamed"}), now), update("x", "", map[string]any{"close": "2027-13-45", "name": "renamed"}), 400, `"field":"fields.close"`},
			{"two currencies", "/webhooks/generic", signed("e", update("x", "", map[string]any{"value": "€60k", "currency": "USD"}), now), update("x", "", map[string]any{"value": "€60k", "currency": "USD"}), 400, `"field":"fields.currency"`},
			{"source off", "/webhooks/hubspot", signed("e", body, now), body, 503, "WEBHOOK_SECRET_hubspot"},
			{"unknown source", "/webhooks/pipedrive", signed("e", body, now), body, 404, "partnercenter, dynamics"},
		}
		for _, tt := range tests {
			code, resp := h.Post(t, tt.path, tt.header, tt.body)
			if code != tt.code || !strings.Contains(resp, tt.inBody) {
				t.Errorf("%s: %d %s; want %d containing %q", tt.name, code, resp, tt.code, tt.inBody)
			}
		}
		if rows := h.Inbox(t); len(rows) != 0 {
			t.Errorf("refused deliveries stored %d rows", len(rows))
		}
	})
}

func TestDuplicateDeliveryAppliedOnce(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		d := crmtest.AcceptedDeal(t, st, "opp-7", now)
		body := update("opp-7", "2026-11-20T09:00:00Z", map[string]any{"stage": "developed"})
		for range 3 {
			if code, resp := h.Post(t, "/webhooks/generic", signed("evt-dup", body, now), body); code != 200 {
				t.Fatalf("delivery: %d %s", code, resp)
			}
		}
		h.Process(t)
		if rows := h.Inbox(t); len(rows) != 1 {
			t.Errorf("%d inbox rows for one event delivered three times", len(rows))
		}
		if hist := crmtest.History(t, st, d.ID); len(hist) != 2 {
			// No "linked" line: cosellbot writes nothing to this CRM.
			t.Errorf("history %v, want the acceptance and one stage", hist)
		}
		// The same event after it was processed is still a duplicate.
		if code, _ := h.Post(t, "/webhooks/generic", signed("evt-dup", body, now), body); code != 200 {
			t.Errorf("late duplicate: %d", code)
		}
		if rep := h.Process(t); rep.Processed+rep.Failed != 0 {
			t.Errorf("late duplicate processed: %+v", rep)
		}
		// The duplicate outcome shows on the row that was delivered again.
		dups, err := st.ListInbox(t.Context(), store.InboxFilter{Duplicated: true})
		if err != nil || len(dups) != 1 || dups[0].Duplicates != 3 {
			t.Errorf("rows delivered again: %+v, %v; want the one row, 3 duplicates", dups, err)
		}
	})
}

func TestOutOfOrderDeliveryIsStale(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		d := crmtest.AcceptedDeal(t, st, "opp-9", now)
		// Both carry the name, as a whole record repeats every field: the
		// older one's repeated name does not hide that its value is stale.
		newer := update("opp-9", "2026-11-20T09:30:00Z", map[string]any{"value": "70000", "name": "Fabrikam BI, phase 2"})
		older := update("opp-9", "2026-11-20T09:10:00Z", map[string]any{"value": "50000", "name": "Fabrikam BI, phase 2"})
		h.Post(t, "/webhooks/generic", signed("new", newer, now), newer)
		h.Process(t)
		h.Post(t, "/webhooks/generic", signed("old", older, now), older)
		rep := h.Process(t)
		if rep.Stale != 1 {
			t.Fatalf("report %+v, want the older update stale", rep)
		}
		if got := dealOf(t, st, d.ID); got.Value != 70000_00 {
			t.Errorf("the older update overwrote the newer: value %s", got.Value)
		}
		rows := h.Inbox(t)
		if rows[1].Status != store.InboxStale || !strings.Contains(rows[1].Error, "older than what the CRM told before") {
			t.Errorf("stale row %+v", rows[1])
		}
	})
}

func TestUnknownEventTypeIgnored(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		body := []byte(`{"type":"contact.created","record_id":"c-1"}`)
		if code, resp := h.Post(t, "/webhooks/generic", signed("c1", body, now), body); code != 200 {
			t.Fatalf("%d %s", code, resp)
		}
		rows := h.Inbox(t)
		if len(rows) != 1 || rows[0].Status != store.InboxIgnored || !strings.Contains(rows[0].Error, "contact.created") {
			t.Errorf("inbox %+v", rows)
		}
	})
}

// An event that cannot be read as it is (here a Dynamics 365 transaction
// currency the mapping has no code for) leaves the row failed with the
// reason and the payload; replay applies it once the cause is fixed. (A
// record linked to no deal is no failure: TestRecordLinkedToNoDealIsIgnored.)
func TestFailedEventIsKeptAndReplayed(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		m := dynamicsMapping(t)
		h := dynamicsSetup(t, st, m)
		const opp = "3c1d0c22-8c2e-f111-8a4c-6045bd0a1c01"
		d := crmtest.AcceptedDeal(t, st, opp, now)
		body := dataverse("Update", "9a000001-4ea2-e711-8122-000d3aa2331c", opp,
			[]attr{{"salesstage", option(0)}, {"transactioncurrencyid", lookup("transactioncurrency", "ff4e2a1b-2222-e711-8122-000d3aa2331c", nil)}, {"modifiedon", wcf(now.Add(-time.Hour))}},
			[]attr{{"transactioncurrencyid", lookup("transactioncurrency", "ff4e2a1b-2222-e711-8122-000d3aa2331c", "Hong Kong Dollar")}})
		postDynamics(t, h, body)
		if rep := h.Process(t); rep.Failed != 1 || !strings.Contains(rep.Failures[0].Error, `"Hong Kong Dollar" is not an ISO currency code`) {
			t.Fatalf("report %+v", rep)
		}
		m.Currencies["Hong Kong Dollar"] = "HKD" // the admin adds it to the mapping
		rep, err := h.Proc.Replay(t.Context(), "dynamics")
		if err != nil || rep.Processed != 1 {
			t.Fatalf("replay: %+v, %v", rep, err)
		}
		if got := dealOf(t, st, d.ID); got.Stage != deal.StageQualified || got.Currency != "HKD" {
			t.Errorf("after replay: stage %s currency %s", got.Stage, got.Currency)
		}
		if rows := h.Inbox(t); rows[0].Attempts != 2 || rows[0].Status != store.InboxProcessed {
			t.Errorf("row after replay %+v", rows[0])
		}
	})
}

// The database goes away in the middle of a delivery: the sender gets a 5xx
// and nothing is acknowledged; once the database is back, the sender's retry
// is stored and applied, and nothing is lost.
func TestDatabaseDownThenBack(t *testing.T) {
	storetest.URLs(t, func(t *testing.T, url string) {
		ctx := t.Context()
		first, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := first.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		d := crmtest.AcceptedDeal(t, first, "opp-db", now)
		h := setup(t, first)
		body := update("opp-db", "2026-11-20T09:00:00Z", map[string]any{"stage": "negotiated"})
		first.Close() // the database stops
		code, resp := h.Post(t, "/webhooks/generic", signed("evt-db", body, now), body)
		if code < 500 {
			t.Fatalf("delivery with the database down: %d %s, want a 5xx", code, resp)
		}

		second, err := store.Open(ctx, url) // the database is back
		if err != nil {
			t.Fatal(err)
		}
		defer second.Close()
		h2 := setup(t, second)
		if code, resp := h2.Post(t, "/webhooks/generic", signed("evt-db", body, now), body); code != 200 {
			t.Fatalf("retried delivery: %d %s", code, resp)
		}
		if rep := h2.Process(t); rep.Processed != 1 {
			t.Fatalf("report %+v", rep)
		}
		if got := dealOf(t, second, d.ID); got.Stage != deal.StageNegotiated {
			t.Errorf("stage %s after the retry", got.Stage)
		}
		if rows := h2.Inbox(t); len(rows) != 1 {
			t.Errorf("%d inbox rows, want 1", len(rows))
		}
	})
}

func TestConcurrentDeliveriesAllStored(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		const n = 60
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				body := update(fmt.Sprintf("opp-%d", i%7), "2026-11-20T09:00:00Z", map[string]any{"notes": "x"})
				// Every event twice, concurrently: each is stored once.
				for range 2 {
					if code, resp := h.Post(t, "/webhooks/generic", signed(fmt.Sprintf("evt-%d", i), body, now), body); code != 200 {
						t.Errorf("delivery %d: %d %s", i, code, resp)
					}
				}
			})
		}
		wg.Wait()
		if rows := h.Inbox(t); len(rows) != n {
			t.Errorf("%d rows stored, want %d", len(rows), n)
		}
	})
}

func TestParseTime(t *testing.T) {
	t.Parallel()
	want := time.Date(2017, 9, 26, 0, 30, 47, 0, time.UTC)
	for _, in := range []string{"2017-09-26T00:30:47Z", "2017-09-26T02:30:47+02:00", "1506385847000", `/Date(1506385847000)/`, `\/Date(1506385847000-0700)\/`} {
		got, err := crm.ParseTime(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v", in, got, err)
		}
	}
	if got, err := crm.ParseTime("2017-04-03"); err != nil || !got.Equal(time.Date(2017, 4, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("ParseTime(date) = %v, %v", got, err)
	}
	for _, bad := range []string{"", "soon", "12", "/Date(x)/"} {
		if _, err := crm.ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) accepted", bad)
		}
	}
}

func TestParseMappingNamesTheKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ yaml, want string }{
		{"record: deal\n", "source: required"},
		{"source: hubspot\n", "record: required"},
		{"source: hubspot\nrecord: deal\nfields: {price: amount}\n", "fields.price"},
		{"source: hubspot\nrecord: deal\nstages: [{values: {a: won}}]\n", "stages[0].field"},
		{"source: hubspot\nrecord: deal\nstages: [{field: s, values: {a: closed}}]\n", "stages[0].values.a"},
		{"source: hubspot\nrecord: deal\nstage: x\n", "field stage not found"},
		// A created record's deal needs a location Partner Center takes.
		{"source: hubspot\nrecord: deal\ncreate: {kind: ip, location: FR, customer_location: FR}\n", `create.location: "FR" is not a partner location ID: write the number Partner Center shows`},
	}
	for _, tt := range tests {
		if _, err := crm.ParseMapping([]byte(tt.yaml)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseMapping(%q) = %v, want %q", tt.yaml, err, tt.want)
		}
	}
}

func TestDefaultMappingsLoad(t *testing.T) {
	t.Parallel()
	ms, err := crm.LoadMappings("../../deploy/crm", "dynamics", "hubspot", "salesforce")
	if err != nil {
		t.Fatal(err)
	}
	in, err := ms["salesforce"].Incoming(crm.Change{Source: "salesforce", Fields: map[string]string{"StageName": "Closed Won", "Amount": "120000.0", "CloseDate": "2027-04-03", "LastModifiedDate": "2026-11-20T09:00:00.000Z"}})
	if err != nil || in.Values["status"] != "won" || in.Values["value"] != "12000000" || in.Values["close"] != "2027-04-03" || !in.Modified.Equal(now.Add(-time.Hour)) {
		t.Errorf("salesforce incoming %+v, %v", in, err)
	}
	if _, err := ms["hubspot"].Incoming(crm.Change{Fields: map[string]string{"amount": "lots"}}); err == nil || !strings.Contains(err.Error(), "amount") {
		t.Errorf("a bad amount: %v", err)
	}
	if _, err := crm.LoadMappings("../../deploy/crm", "pipedrive"); err == nil {
		t.Error("a missing mapping file loaded")
	}
}

// A record created in the sender (deal.created) makes a deal linked to it;
// later updates of the record change that deal.
func TestCreatedRecordMakesALinkedDeal(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		body, _ := json.Marshal(map[string]any{"type": "deal.created", "record_id": "opp-new", "modified_at": "2026-11-20T09:00:00Z", "fields": map[string]any{
			"name": "Contoso expansion", "value": "30000", "currency": "EUR", "close": "2027-02-01", "stage": "qualified", "notes": "Expansion to 3 sites",
			"kind": "services", "location": "1234567", "customer": "Contoso GmbH", "customer_location": "DE",
			"team": "Ana Diaz <ana@contoso.example> +46701234567", "role": "transaction",
			"area": "Business Applications", "play": "Finance and Supply Chain",
		}})
		if code, resp := h.Post(t, "/webhooks/generic", signed("c-1", body, now), body); code != 200 {
			t.Fatalf("%d %s", code, resp)
		}
		if rep := h.Process(t); rep.Processed != 1 {
			t.Fatalf("report %+v", rep)
		}
		d, err := st.DealByCRMID(t.Context(), "opp-new")
		if err != nil {
			t.Fatalf("no deal for the created record: %v", err)
		}
		if d.Name != "Contoso expansion" || d.Customer.Name != "Contoso GmbH" || d.Value != 30000_00 || d.Stage != deal.StageQualified || d.Location != "1234567" {
			t.Errorf("deal %+v", d)
		}
		upd := update("opp-new", "2026-11-20T09:30:00Z", map[string]any{"value": "35000"})
		h.Post(t, "/webhooks/generic", signed("c-2", upd, now), upd)
		if rep := h.Process(t); rep.Processed != 1 {
			t.Fatalf("update report %+v %+v", rep, h.Inbox(t)[1].Error)
		}
		if got := dealOf(t, st, d.ID); got.Value != 35000_00 {
			t.Errorf("value %s after the update", got.Value)
		}
	})
}

// An event that failed (a currency the mapping lacked) is replayed after a
// newer event of the same record was applied: what it changed and the
// newer one did not is still applied; what the newer one changed stays.
func TestReplayAppliesWhatIsStillNewer(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		m := dynamicsMapping(t)
		h := dynamicsSetup(t, st, m)
		const opp = "3c1d0c22-8c2e-f111-8a4c-6045bd0a1c02"
		d := crmtest.AcceptedDeal(t, st, opp, now.Add(-2*time.Hour))
		hkd := lookup("transactioncurrency", "ff4e2a1b-2222-e711-8122-000d3aa2331c", "Hong Kong Dollar")
		old := dataverse("Update", "9a000002-4ea2-e711-8122-000d3aa2331c", opp,
			[]attr{{"salesstage", option(1)}, {"estimatedvalue", money(50000)}, {"transactioncurrencyid", hkd}, {"modifiedon", wcf(now.Add(-time.Hour))}}, []attr{})
		postDynamics(t, h, old)
		if rep := h.Process(t); rep.Failed != 1 {
			t.Fatalf("report %+v", rep)
		}
		newer := dataverse("Update", "9a000003-4ea2-e711-8122-000d3aa2331c", opp,
			[]attr{{"estimatedvalue", money(70000)}, {"modifiedon", wcf(now.Add(-30 * time.Minute))}}, []attr{})
		postDynamics(t, h, newer)
		if rep := h.Process(t); rep.Processed != 1 {
			t.Fatalf("report %+v", rep)
		}
		m.Currencies["Hong Kong Dollar"] = "HKD"
		rep, err := h.Proc.Replay(t.Context(), "dynamics")
		if err != nil || rep.Processed != 1 {
			t.Fatalf("replay: %+v, %v", rep, err)
		}
		got := dealOf(t, st, d.ID)
		if got.Stage != deal.StageDeveloped || got.Value != 70000_00 {
			t.Errorf("after replay: stage %s (want developed), value %s (want the newer 70,000)", got.Stage, got.Value)
		}
	})
}

// Events are applied in pages of one transaction each, with a savepoint per
// event: a bad event fails alone and its neighbours are applied, and two
// and a half pages of events cost three commits, each page applied as a
// unit (no fallback) and followed by a wake-up of the syncer.
func TestEventsAreAppliedInPages(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		pages := 0
		h.Proc.AfterPage = func() { pages++ }
		// Pages of 100 rather than crm.PageSize (1,000): paging is the same
		// at any size, and 2,500 signed deliveries took 40-60 s under -race.
		const page = 100
		h.Proc.SetPage(page)
		var ids []int64
		for i := range 5 {
			ids = append(ids, crmtest.AcceptedDeal(t, st, fmt.Sprintf("opp-p%d", i), now).ID)
		}
		n := 2*page + page/2
		for i := range n {
			at := now.Add(-time.Hour + time.Duration(i)*time.Second).UTC().Format(time.RFC3339)
			body := update(fmt.Sprintf("opp-p%d", i%5), at, map[string]any{"value": fmt.Sprint(61000 + i)})
			if i == 120 {
				// No date: refused at receipt now, so stored as an earlier
				// version took it; it fails when applied.
				body = update("opp-p0", "2026-11-20T09:02:00Z", map[string]any{"close": "2027-02-30"})
				if _, err := st.AddInbox(t.Context(), []store.InboxEntry{{Source: "generic", Key: "p-120", Body: body, Status: ledger.InboxReceived, ReceivedAt: now}}); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if code, resp := h.Post(t, "/webhooks/generic", signed(fmt.Sprintf("p-%d", i), body, now), body); code != 200 {
				t.Fatalf("%d %s", code, resp)
			}
		}
		rep := h.Process(t)
		if rep.Processed != n-1 || rep.Failed != 1 || rep.Pages != 3 || pages != 3 {
			t.Fatalf("report: %d processed, %d failed, %d pages (%d wake-ups); want %d, 1, 3 (3)", rep.Processed, rep.Failed, rep.Pages, pages, n-1)
		}
		if f := st.UnitFallbacks(); f != 0 {
			t.Errorf("%d pages fell back to plain batches", f)
		}
		for i, id := range ids {
			want := deal.Money((61000 + n - 5 + i) * 100) // event n-5+i is the deal's newest
			if got := dealOf(t, st, id); got.Value != want {
				t.Errorf("deal %d value %s, want %s (its newest event)", id, got.Value, want)
			}
		}
	})
}

// A CRM moving a referral on after its 14 days meets the expiry, as a
// person would: the expiry is recorded, dated when it happened, and the
// change is refused, whether or not the sweep ran.
func TestChangeAfterExpiryRecordsTheExpiry(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		received := now.Add(-15 * 24 * time.Hour)
		d, _, err := deal.Receive(deal.Draft{
			Kind: deal.ServicesCoSell, Customer: deal.Customer{Name: "Fabrikam AB", Location: "SE", Account: deal.Managed},
			Location: "1234567", From: "microsoft", ReceivedAt: received, CRMID: "opp-late-2",
		}, received)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateDeal(t.Context(), d, ledger.Entry{At: received, Actor: "ana@contoso.example", Action: "received", Detail: "received"}); err != nil {
			t.Fatal(err)
		}
		body := update("opp-late-2", "2026-11-20T09:00:00Z", map[string]any{"stage": "qualified"})
		h.Post(t, "/webhooks/generic", signed("late-2", body, now), body)
		if rep := h.Process(t); rep.Ignored != 1 {
			t.Fatalf("report %+v, want the change refused", rep)
		}
		got := dealOf(t, st, d.ID)
		if got.Status != deal.Expired {
			t.Fatalf("status %s, want expired", got.Status)
		}
		hist, _ := st.History(t.Context(), d.ID)
		var expired *ledger.Entry
		for i := range hist {
			if hist[i].Action == "expired" {
				expired = &hist[i]
			}
		}
		if expired == nil || !expired.At.Equal(d.ExpiresAt) {
			t.Errorf("history %+v: want the expiry dated %s", hist, d.ExpiresAt)
		}
	})
}

// TestUnmappedCRMStageIsNamed: a CRM stage the mapping does not know is
// skipped (a CRM's stage fields also carry values that rightly map to
// nothing), but when it was all the event said, the inbox says which value
// and which mapping, instead of a bare "already says so".
func TestUnmappedCRMStageIsNamed(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		clock := crmtest.NewClock(now)
		d := crmtest.AcceptedDeal(t, st, "0065g00000QRS01", now)
		m, err := crm.ParseMapping([]byte("source: salesforce\nrecord: Opportunity\nfields: {name: Name, value: Amount}\nstages:\n  - field: StageName\n    values: {Proposal/Price Quote: proposed, Closed Won: won}\n"))
		if err != nil {
			t.Fatal(err)
		}
		a := crmtest.Applier(st, clock)
		c := crm.Change{Source: "salesforce", RecordID: "0065g00000QRS01", Object: "Opportunity", ModifiedAt: now,
			Fields: map[string]string{"StageName": "Discovery"}}
		res, err := a.Apply(context.Background(), m, c)
		if err != nil {
			t.Fatal(err)
		}
		want := `(StageName "Discovery" maps to no stage or outcome: add it to the salesforce mapping's stages)`
		if res.Status != store.InboxIgnored || !strings.Contains(res.Note, want) {
			t.Errorf("unmapped stage: %s %q, want ignored saying %s", res.Status, res.Note, want)
		}
		c.Fields = map[string]string{"StageName": "Proposal/Price Quote"}
		c.ModifiedAt = now.Add(time.Second)
		if res, err := a.Apply(context.Background(), m, c); err != nil || res.Status != store.InboxProcessed || dealOf(t, st, d.ID).Stage != deal.StageProposed {
			t.Errorf("mapped stage: %+v %v", res, err)
		}
		// A record first linked at such a stage, with a change of its
		// own: the change applies, and the note still names the stage
		// (it said nothing of it beside an applied change).
		crmtest.AcceptedDeal(t, st, "0065g00000QRS02", now)
		c = crm.Change{Source: "salesforce", RecordID: "0065g00000QRS02", Object: "Opportunity", ModifiedAt: now,
			Fields: map[string]string{"StageName": "Discovery", "Name": "Fabrikam BI, phase 2"}}
		if res, err := a.Apply(context.Background(), m, c); err != nil || res.Status != store.InboxProcessed || !strings.Contains(res.Note, `StageName "Discovery" maps to no stage`) {
			t.Errorf("unmapped stage beside a change: %+v %v, want applied saying %s", res, err, want)
		}
	})
}

// A change the deal rules refused is not forgotten: the CRM still holds
// it, and when the CRM says it again later (the stages it lacked since
// marked), it is judged again rather than dropped as "already says so".
func TestRefusedChangeIsJudgedAgain(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		ctx := t.Context()
		d, _, err := deal.New(deal.Draft{
			Kind: deal.SolutionAssessment, Name: "Migration check", Value: 15_000_00, Currency: "EUR", CloseDate: now.AddDate(0, 3, 0), Notes: "n",
			Location: "1234567", CRMID: "opp-sa", AssessmentLocation: "SE",
			Customer:  deal.Customer{Name: "Fabrikam AB", Location: "SE", Account: deal.Managed, Consent: true, Contact: &deal.Person{Name: "Eva Kund", Email: "eva@kund.example", Phone: "+46 70 111 22 33"}},
			Solutions: []deal.Solution{{Name: "Migration assessment", Source: deal.Assessment}},
			Team:      []deal.Person{{Name: "Ana Diaz", Email: "ana@contoso.example", Phone: "+46 70 123 45 67"}},
		}, now.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateDeal(ctx, d, ledger.Entry{At: now.Add(-time.Hour), Actor: "ana@contoso.example", Action: "created", Detail: "created"}); err != nil {
			t.Fatal(err)
		}
		won := func(id, at string) {
			t.Helper()
			body := update("opp-sa", at, map[string]any{"stage": "won"})
			if code, resp := h.Post(t, "/webhooks/generic", signed(id, body, now), body); code != http.StatusOK {
				t.Fatalf("delivery: %d %s", code, resp)
			}
			h.Process(t)
		}
		won("sa-1", "2026-11-20T09:10:00Z")
		if got := dealOf(t, st, d.ID); got.Status == deal.Won {
			t.Fatal("an assessment with no stage marked was won")
		}
		// The partner marks every stage, as chat does.
		got := dealOf(t, st, d.ID)
		for _, s := range deal.Markable(deal.SolutionAssessment) {
			if _, err := got.MarkStage(s, now.Add(-30*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.UpdateDeal(ctx, got, ledger.Entry{At: now.Add(-30 * time.Minute), Actor: "ana@contoso.example", Action: "stage", Detail: "stages"}); err != nil {
			t.Fatal(err)
		}
		won("sa-2", "2026-11-20T09:40:00Z")
		if got := dealOf(t, st, d.ID); got.Status != deal.Won {
			t.Errorf("the CRM's won, said again once every stage was marked: deal %s; history %v", got.Status, crmtest.History(t, st, d.ID))
		}
	})
}

// A record that repeats a value which lost to a newer change here does not
// read "already says so": the deal and the record differ, and the inbox
// says the deal keeps its own.
func TestRepeatedLostValueIsNotAlreadySaid(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		d := crmtest.AcceptedDeal(t, st, "opp-50", now)
		link := update("opp-50", now.Add(-2*time.Hour).Format(time.RFC3339), map[string]any{"notes": "linked"})
		if code, resp := h.Post(t, "/webhooks/generic", signed("link", link, now), link); code != http.StatusOK {
			t.Fatalf("%d %s", code, resp)
		}
		h.Process(t)
		// The value changes here (in chat) at now.
		engine := change.New(st, crmtest.NewClock(now), nil, nil, nil)
		d, _, err := engine.Apply(t.Context(), dealOf(t, st, d.ID), "ana@contoso.com", func(d *deal.Deal) (deal.Event, error) {
			v := deal.Money(7000000)
			return d.Edit(deal.Changes{Value: &v}, now)
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, at := range []time.Time{now.Add(-time.Hour), now.Add(time.Hour)} { // older than the deal's value, then said again
			body := update("opp-50", at.Format(time.RFC3339), map[string]any{"value": 1})
			if code, resp := h.Post(t, "/webhooks/generic", signed(fmt.Sprintf("lost-%d", i), body, now), body); code != http.StatusOK {
				t.Fatalf("%d %s", code, resp)
			}
			h.Process(t)
		}
		rows := h.Inbox(t)
		last := rows[len(rows)-1]
		if strings.Contains(last.Error, "already says so") || !strings.Contains(last.Error, "keeps its own value") {
			t.Errorf("inbox note %q, want the deal keeping its own value", last.Error)
		}
		if got := dealOf(t, st, d.ID); got.Value != d.Value {
			t.Errorf("value %v, want the deal's %v kept", got.Value, d.Value)
		}
	})
}

// A referral expired at its time, whatever minute the sweep recorded it: a
// CRM change made between the expiry and the sweep's pass is a change to an
// expired referral, refused. It was applied as "changed before the close,
// told after it", the history saying the expiry was the later change (a
// tester).
func TestCRMChangeAfterAnExpiryTheSweepRecordedLate(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		expires := now.Add(-time.Minute)
		received := expires.Add(-deal.ReferralWindow)
		d, _, err := deal.Receive(deal.Draft{
			Kind: deal.ServicesCoSell, Customer: deal.Customer{Name: "Late AB", Location: "SE", Account: deal.Managed},
			Location: "1234567", From: "microsoft", ReceivedAt: received, CRMID: "LATE-2", Notes: "n",
			Team: []deal.Person{{Name: "Ana Diaz", Email: "ana@contoso.example", Phone: "+46 70 123 45 67"}},
		}, received)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateDeal(t.Context(), d, ledger.Entry{At: received, Actor: "ana@contoso.example", Action: "received", Detail: "received"}); err != nil {
			t.Fatal(err)
		}
		clock := crmtest.NewClock(now)
		if _, err := crmtest.Applier(st, clock).Engine.RecordDue(t.Context(), d, now); err != nil { // the sweep, a minute late
			t.Fatal(err)
		}
		body := update("LATE-2", expires.Add(20*time.Second).Format(time.RFC3339), map[string]any{"stage": "accepted", "name": "late", "value": "50000", "close": "2027-02-01"})
		if code, resp := h.Post(t, "/webhooks/generic", signed("evt-late", body, now), body); code != http.StatusOK {
			t.Fatalf("delivery: %d %s", code, resp)
		}
		h.Process(t)
		got := dealOf(t, st, d.ID)
		if got.Status != deal.Expired || got.Name == "late" || got.Value != 0 {
			t.Errorf("deal %s %q %s after a CRM change to the expired referral", got.Status, got.Name, got.Value)
		}
	})
}
