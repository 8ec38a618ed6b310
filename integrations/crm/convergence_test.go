package crm_test

// The convergence tests drive a change from every origin (chat, Partner
// Center, Salesforce, HubSpot) through the real change path, receiver,
// processor and syncer, against fakes that behave like the vendors:
// Partner Center keeps eTags, answers 412 on a stale one and notifies after
// every change, cosellbot's own PATCH included; Salesforce repeats every
// selected field of the record in every outbound message; HubSpot sends one
// event per property, batched and out of order. Whatever the origin, every
// system must end up holding the same deal, and nothing may be reverted.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/crmid"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/crmtest"
	"github.com/cosellbot/cosellbot/integrations/crm/generic"
	"github.com/cosellbot/cosellbot/integrations/crm/hubspot"
	pcsource "github.com/cosellbot/cosellbot/integrations/crm/partnercenter"
	"github.com/cosellbot/cosellbot/integrations/crm/salesforce"
	"github.com/cosellbot/cosellbot/integrations/partnercenter"
	"github.com/cosellbot/cosellbot/integrations/partnercenter/pcfake"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

const (
	referralID = "7b1c2d3e-4f50-4a61-8b72-93a4b5c6d7e8" // testdata/referral_new.json
	sfOrg      = "00D5g000004ABCDEAA"
	sfID       = "0065g00000QRS01" // as a rep copies it from Salesforce's page: 15 characters
	hsID       = "9001"
	crmSecret  = "crm-secret"
)

// fakeCRM is a CRM's records as the vendor keeps them, written by
// cosellbot's signed webhooks (applied by the partner's flow) and edited
// by its users; each change owes cosellbot a notification, sent the way the
// vendor sends them.
type fakeCRM struct {
	mu      sync.Mutex
	name    string
	clock   *crmtest.Clock
	records map[string]map[string]string // id → field → value
	owed    []owed                       // notifications not delivered yet
	at      map[string]map[string]time.Time
	writes  int
	tries   int           // writes received, refused ones included
	fail    int           // answer the next writes 503 (429 with retryAfter)
	retryAf string        // Retry-After of a refused write, in seconds: a 429
	failAs  int           // the status of a refused write when set (400: final)
	hang    chan struct{} // when set, a write waits until it is closed
	srv     *httptest.Server
}

func newFakeCRM(t *testing.T, name string, clock *crmtest.Clock) *fakeCRM {
	f := &fakeCRM{name: name, clock: clock, records: map[string]map[string]string{}, at: map[string]map[string]time.Time{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.write))
	t.Cleanup(f.srv.Close)
	return f
}

// write takes cosellbot's webhook: checked like the partner's flow checks
// it, then applied to the record.
func (f *fakeCRM) write(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := crm.VerifySignature([]byte(crmSecret), r.Header.Get(crm.HeaderTimestamp), r.Header.Get(crm.HeaderSignature), body, f.clock.Now()); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var m crm.Message
	if err := json.Unmarshal(body, &m); err != nil || m.Source != f.name {
		http.Error(w, "bad message", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	hang := f.hang
	f.mu.Unlock()
	if hang != nil {
		<-hang // a system that does not answer
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries++
	if f.fail > 0 {
		f.fail--
		if f.retryAf != "" {
			w.Header().Set("Retry-After", f.retryAf)
			http.Error(w, "too many requests", http.StatusTooManyRequests)
			return
		}
		if f.failAs != 0 {
			http.Error(w, "refused", f.failAs)
			return
		}
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	f.writes++
	id := m.RecordID
	if f.name == "salesforce" && len(id) == 18 {
		id = id[:15] // Salesforce takes either form of an id
	}
	if f.name == "salesforce" {
		// One save of the record, one outbound message: with every field
		// as the save left it. (A message per field, each with the fields
		// not yet written still empty, would tell of clearings nobody made.)
		f.save(id, m.Fields)
	} else {
		for k, v := range m.Fields {
			f.set(id, k, v)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// save sets several fields of a record at once, owing one notification
// of the whole record (Salesforce's), when any changed.
func (f *fakeCRM) save(id string, fields map[string]string) {
	if f.records[id] == nil {
		f.records[id] = map[string]string{}
		f.at[id] = map[string]time.Time{}
	}
	changed := ""
	for k, v := range fields {
		if f.records[id][k] != v {
			f.records[id][k] = v
			f.at[id][k] = f.clock.Now()
			changed = k
		}
	}
	if changed == "" {
		return
	}
	snap := map[string]string{}
	for k, v := range f.records[id] {
		snap[k] = v
	}
	f.owed = append(f.owed, owed{id: id, field: changed, fields: snap, at: f.clock.Now()})
}

// hangWrites makes the CRM's writes wait, unanswered, until the channel it
// returns is closed (or hang is cleared).
func (f *fakeCRM) hangWrites() chan struct{} {
	release := make(chan struct{})
	f.mu.Lock()
	f.hang = release
	f.mu.Unlock()
	return release
}

// Edit is a user changing a field in the CRM.
func (f *fakeCRM) Edit(id, field, value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.set(id, field, value)
}

func (f *fakeCRM) set(id, field, value string) {
	if f.records[id] == nil {
		f.records[id] = map[string]string{}
		f.at[id] = map[string]time.Time{}
	}
	if f.records[id][field] == value {
		return
	}
	f.records[id][field] = value
	f.at[id][field] = f.clock.Now()
	// The notification carries the record as it is at this change: every
	// field (Salesforce) or this property (HubSpot).
	snap := map[string]string{field: value}
	if f.name == "salesforce" {
		snap = map[string]string{}
		for k, v := range f.records[id] {
			snap[k] = v
		}
	}
	f.owed = append(f.owed, owed{id: id, field: field, fields: snap, at: f.clock.Now()})
}

// owed is one notification a CRM owes cosellbot.
type owed struct {
	id, field string
	fields    map[string]string
	at        time.Time
}

func (f *fakeCRM) Record(id string) map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	for k, v := range f.records[id] {
		out[k] = v
	}
	return out
}

// take returns the notifications owed, oldest first.
func (f *fakeCRM) take() []owed {
	if f == nil {
		return nil // not linked in this test
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.owed
	f.owed = nil
	return out
}

// world is cosellbot with Partner Center, Salesforce and HubSpot linked.
type world struct {
	t      *testing.T
	st     *store.Store
	clock  *crmtest.Clock
	h      *crmtest.Harness
	pc     *pcfake.API
	sf, hs *fakeCRM
	sfMap  *crm.Mapping
	hsMap  *crm.Mapping
	engine *change.Engine
	syncer []*change.Syncer // one per replica
	svc    *command.Service
	rng    *rand.Rand
	dealID int64
}

// replicas is how many cosellbot processes share the store.
func newWorld(t *testing.T, st *store.Store, replicas int) *world {
	t.Helper()
	w := &world{t: t, st: st, clock: crmtest.NewClock(now), rng: rand.New(rand.NewPCG(1, 2))}
	ms, err := crm.LoadMappings("../../deploy/crm", "salesforce", "hubspot")
	if err != nil {
		t.Fatal(err)
	}
	w.sfMap, w.hsMap = ms["salesforce"], ms["hubspot"]
	w.pc = pcfake.New(t, w.clock.Now)
	w.sf, w.hs = newFakeCRM(t, "salesforce", w.clock), newFakeCRM(t, "hubspot", w.clock)
	client, err := partnercenter.New(partnercenter.Config{APIURL: w.pc.APIURL(), TokenURL: w.pc.TokenURL(), ClientID: pcfake.ClientID, ClientSecret: pcfake.ClientSecret, RefreshToken: pcfake.RefreshToken})
	if err != nil {
		t.Fatal(err)
	}
	systems := map[string][]change.Field{pcsource.Name: nil, "salesforce": w.sfMap.Synced(), "hubspot": w.hsMap.Synced()}
	var sources []crm.Source
	for r := range replicas {
		engine := change.New(st, w.clock, systems, nil, nil)
		pc := pcsource.New("pc-secret", pcsource.NewCerts(nil, nil, nil), client, st, engine, "", w.clock, nil)
		writers := map[string]change.Writer{
			pcsource.Name: pc.Writer(),
			"salesforce":  crm.NewWriter(crm.Target{Source: "salesforce", URL: w.sf.srv.URL, Secret: []byte(crmSecret), Mapping: w.sfMap}, w.sf.srv.Client(), w.clock),
			"hubspot":     crm.NewWriter(crm.Target{Source: "hubspot", URL: w.hs.srv.URL, Secret: []byte(crmSecret), Mapping: w.hsMap}, w.hs.srv.Client(), w.clock),
		}
		w.syncer = append(w.syncer, change.NewSyncer(st, engine, writers, w.clock, nil))
		if r == 0 {
			w.engine = engine
			sources = []crm.Source{
				pc,
				salesforce.New(crmSecret, []string{sfOrg}, w.sfMap, &crm.Applier{Engine: engine, Find: st, IDs: crmid.Forms}),
				hubspot.New(crmSecret, w.hsMap, &crm.Applier{Engine: engine, Find: st}),
			}
		}
	}
	w.h = crmtest.New(t, st, w.clock, sources...)
	w.svc = command.New(st, w.clock, deal.DefaultRates(), nil, command.WithChanges(w.engine))

	// A referral arrives from Microsoft; the partner accepts it in chat and
	// tags it with its HubSpot record's id. The deal is also linked to a
	// Salesforce record (a deal links one record per CRM; a CRM ID names
	// one, so the second link is made here as the store keeps it), so that
	// one world has Partner Center and both kinds of CRM.
	d := w.referralArrives()
	w.chat(`deal accept %d close=2027-03-01 crm_id=` + hsID)
	if err := st.Commit(t.Context(), &change.Commit{Links: []change.Link{{System: "salesforce", RecordID: sfID, DealID: d.ID}}, At: w.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	// The CRMs' records exist from before, with values of their own, older
	// than the deal's; their first notifications merge them.
	w.clock.Set(w.clock.Now().Add(-time.Hour))
	w.sf.Edit(sfID, "Name", "Tailspin (old name)")
	w.sf.Edit(sfID, "Amount", "50000.0")
	w.clock.Set(w.clock.Now().Add(time.Hour))
	w.settle()
	w.hs.Edit(hsID, "dealname", "Tailspin field service rollout")
	w.settle()
	w.converged("after linking")
	return w
}

// referralArrives puts Microsoft's referral (testdata/referral_new.json) in
// Partner Center, lets its notification make the deal, and makes that the
// world's deal.
func (w *world) referralArrives() *deal.Deal {
	w.t.Helper()
	fixture, err := os.ReadFile("../partnercenter/testdata/referral_new.json")
	if err != nil {
		w.t.Fatal(err)
	}
	w.pc.Put(string(fixture))
	w.settle()
	d, err := w.st.DealByExternalID(w.t.Context(), referralID)
	if err != nil {
		w.t.Fatalf("the referral made no deal: %v", err)
	}
	w.dealID = d.ID
	return d
}

// referralImported is referralArrives without settling: only Partner
// Center's notification is delivered and processed, the clock untouched,
// for tests that time what follows from the import.
func (w *world) referralImported() *deal.Deal {
	w.t.Helper()
	fixture, err := os.ReadFile("../partnercenter/testdata/referral_new.json")
	if err != nil {
		w.t.Fatal(err)
	}
	w.pc.Put(string(fixture))
	w.deliverPC()
	w.h.Process(w.t)
	d, err := w.st.DealByExternalID(w.t.Context(), referralID)
	if err != nil {
		w.t.Fatalf("the referral made no deal: %v", err)
	}
	w.dealID = d.ID
	return d
}

// chat runs a command line as the local admin; %d is the deal.
func (w *world) chat(line string) {
	w.t.Helper()
	w.clock.Set(w.clock.Now().Add(time.Second))
	if strings.Contains(line, "%d") {
		line = fmt.Sprintf(line, w.dealID)
	}
	if r := w.svc.Run(context.Background(), access.LocalAdmin, chat.Place{Platform: "shell"}, line); !r.OK() {
		w.t.Fatalf("%s: %s", line, r.Text)
	}
}

// settle runs every replica's syncer and delivers every notification the
// vendors owe, until nothing moves.
func (w *world) settle() {
	w.t.Helper()
	for round := 0; round < 30; round++ {
		moved := false
		for _, s := range w.syncer {
			rep, err := s.Pass(context.Background())
			if err != nil {
				w.t.Fatal(err)
			}
			moved = moved || rep.Sent > 0
		}
		moved = w.deliverPC() || moved
		moved = w.deliverSalesforce() || moved
		moved = w.deliverHubSpot() || moved
		if rep := w.h.Process(w.t); rep.Processed+rep.Ignored+rep.Stale+rep.Failed > 0 {
			moved = true
			if rep.Failed > 0 {
				w.t.Fatalf("events failed: %+v", rep.Failures)
			}
		}
		if !moved {
			return
		}
		w.clock.Set(w.clock.Now().Add(time.Second))
	}
	w.t.Fatal("the systems never settled")
}

// deliverPC stores Partner Center's notifications in the inbox, as the
// receiver does once their signature checks.
func (w *world) deliverPC() bool { return w.deliverPCNotices(w.pc.Notifications()) }

// deliverPCNotices stores the given notifications of Partner Center's (ones
// held back, say) in the inbox.
func (w *world) deliverPCNotices(ns []pcfake.Notice) bool {
	var es []store.InboxEntry
	for _, n := range ns {
		body := fmt.Appendf(nil, `{"EventName":%q,"ResourceUri":"https://api.partnercenter.microsoft.com/engagements/v1/referrals/%s","ResourceName":"Referral","AuditUri":null,"ResourceChangeUtcDate":%q}`,
			n.Event, n.ID, n.At.Format(time.RFC3339Nano))
		es = append(es, store.InboxEntry{Source: pcsource.Name, Key: fmt.Sprintf("%s|%s|%s", n.Event, n.ID, n.At.Format(time.RFC3339Nano)), Body: body, Status: ledger.InboxReceived, ReceivedAt: w.clock.Now()})
	}
	if len(es) > 0 {
		if _, err := w.st.AddInbox(context.Background(), es); err != nil {
			w.t.Fatal(err)
		}
	}
	return len(ns) > 0
}

// deliverSalesforce posts an outbound message per changed record, with
// every field of the record and its 18-character id, as Salesforce does.
func (w *world) deliverSalesforce() bool {
	owed := w.sf.take()
	for _, o := range owed {
		var fields strings.Builder
		for _, k := range []string{"Amount", "CloseDate", "CurrencyIsoCode", "Description", "Loss_Reason__c", "Name", "StageName"} {
			if v := o.fields[k]; v != "" {
				fmt.Fprintf(&fields, "<sf:%s>%s</sf:%s>", k, xmlEscape(v), k)
			} else { // Salesforce sends a field without a value as nil
				fmt.Fprintf(&fields, `<sf:%s xsi:nil="true"/>`, k)
			}
		}
		modified := o.at.UTC().Format("2006-01-02T15:04:05.000Z")
		body := fmt.Appendf(nil, `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>%s</OrganizationId>
   <ActionId>04k5g000000XYZ1AAA</ActionId>
   <Notification>
    <Id>%s</Id>
    <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>%s</sf:Id>%s<sf:LastModifiedDate>%s</sf:LastModifiedDate>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`, sfOrg, "04l"+strconv.FormatInt(w.rng.Int64(), 36), o.id+"AAA", fields.String(), modified)
		h := http.Header{"Content-Type": {"text/xml; charset=utf-8"}, "Soapaction": {`""`}}
		if code, resp := w.h.Post(w.t, "/webhooks/salesforce?secret="+crmSecret, h, body); code != 200 {
			w.t.Fatalf("salesforce delivery: %d %s", code, resp)
		}
	}
	return len(owed) > 0
}

// deliverHubSpot posts one event per changed property, all in one batch,
// shuffled, as HubSpot does.
func (w *world) deliverHubSpot() bool {
	owed := w.hs.take()
	var events []map[string]any
	for _, o := range owed {
		events = append(events, map[string]any{
			"eventId": w.rng.Int64N(1 << 40), "subscriptionId": 1234, "portalId": 62515, "appId": 54321,
			"occurredAt": o.at.UnixMilli(), "subscriptionType": "deal.propertyChange", "attemptNumber": 0,
			"objectId": json.Number(o.id), "propertyName": o.field, "propertyValue": o.fields[o.field], "changeSource": "CRM_UI",
		})
	}
	if len(events) == 0 {
		return false
	}
	w.rng.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
	w.postHubSpot(events...)
	return true
}

// postHubSpot posts events to the HubSpot receiver in one batch, in the
// order given, signed as HubSpot signs.
func (w *world) postHubSpot(events ...map[string]any) {
	w.t.Helper()
	body, _ := json.Marshal(events)
	ts := strconv.FormatInt(w.clock.Now().UnixMilli(), 10)
	uri := w.h.Server.URL + "/webhooks/hubspot"
	h := http.Header{"Content-Type": {"application/json"}}
	h.Set(hubspot.HeaderTimestamp, ts)
	h.Set(hubspot.HeaderSignature, hubspot.Sign([]byte(crmSecret), http.MethodPost, uri, body, ts))
	if code, resp := w.h.Post(w.t, "/webhooks/hubspot", h, body); code != 200 {
		w.t.Fatalf("hubspot delivery: %d %s", code, resp)
	}
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// views are the deal as each system holds it, in the change path's terms,
// over the fields every one of them holds.
func (w *world) views() map[string]change.Values {
	w.t.Helper()
	d, err := w.st.GetDeal(context.Background(), w.dealID)
	if err != nil {
		w.t.Fatal(err)
	}
	common := []change.Field{change.Name, change.Value, change.Close, change.Notes, change.Stage}
	pick := func(v change.Values) change.Values {
		out := change.Values{}
		for _, f := range common {
			out[f] = v[f]
		}
		// A closed deal is compared by its outcome: a CRM's stage field
		// then holds the outcome, and Partner Center keeps its last stage.
		if deal.Status(v[change.Status]).Terminal() {
			out[change.Stage], out[change.Status] = "", v[change.Status]
		}
		return out
	}
	out := map[string]change.Values{"cosellbot": pick(change.Of(d))}
	raw, _ := json.Marshal(w.pc.Referral(referralID))
	var ref partnercenter.Referral
	if err := json.Unmarshal(raw, &ref); err != nil {
		w.t.Fatal(err)
	}
	in, err := pcsource.Incoming(&ref, w.clock.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	out["partnercenter"] = pick(in.Values)
	for name, f := range map[string]*fakeCRM{"salesforce": w.sf, "hubspot": w.hs} {
		id := sfID
		m := w.sfMap
		if name == "hubspot" {
			id, m = hsID, w.hsMap
		}
		in, err := m.Incoming(crm.Change{Source: name, RecordID: id, Fields: f.Record(id)})
		if err != nil {
			w.t.Fatal(err)
		}
		out[name] = pick(in.Values)
	}
	// A CRM without a stage of the deal's (accepted) says nothing of it.
	for _, sys := range []string{"salesforce", "hubspot", "partnercenter"} {
		if out[sys][change.Stage] == "" && out["cosellbot"][change.Stage] == string(deal.StageAccepted) {
			out[sys][change.Stage] = string(deal.StageAccepted)
		}
	}
	return out
}

// converged fails unless every system holds what cosellbot holds.
func (w *world) converged(when string) change.Values {
	w.t.Helper()
	vs := w.views()
	want := vs["cosellbot"]
	for sys, v := range vs {
		for f, x := range want {
			if v[f] != x {
				w.t.Errorf("%s: %s has %s = %q, cosellbot %q", when, sys, f, v[f], x)
			}
		}
	}
	return want
}

// edit is one change of one field, made in one system.
type edit struct {
	field change.Field
	chat  string    // the command line (%d: the deal)
	pc    [2]any    // Partner Center path and value
	sf    [2]string // Salesforce field and value
	hs    [2]string // HubSpot property and value
	want  string    // the field's value everywhere after
}

var edits = []edit{
	{change.Name, `deal edit %d name="Tailspin FS rollout"`, [2]any{"name", "Tailspin FS rollout"}, [2]string{"Name", "Tailspin FS rollout"}, [2]string{"dealname", "Tailspin FS rollout"}, "Tailspin FS rollout"},
	{change.Value, `deal edit %d value=82000`, [2]any{"details/dealValue", 82000}, [2]string{"Amount", "82000.0"}, [2]string{"amount", "82000"}, "8200000"},
	{change.Close, `deal edit %d close=2027-05-31`, [2]any{"details/closingDateTime", "2027-05-31T00:00:00Z"}, [2]string{"CloseDate", "2027-05-31"}, [2]string{"closedate", "1811721600000"}, "2027-05-31"},
	{change.Notes, `deal edit %d notes="Pilot with 10 technicians first"`, [2]any{"details/notes", "Pilot with 10 technicians first"}, [2]string{"Description", "Pilot with 10 technicians first"}, [2]string{"description", "Pilot with 10 technicians first"}, "Pilot with 10 technicians first"},
	{change.Stage, `deal stage %d developed`, [2]any{"salesStage", "Develop"}, [2]string{"StageName", "Needs Analysis"}, [2]string{"dealstage", "presentationscheduled"}, "developed"},
}

// make applies an edit in one system.
func (w *world) make(origin string, e edit) {
	w.t.Helper()
	w.clock.Set(w.clock.Now().Add(time.Second))
	switch origin {
	case "chat":
		w.chat(e.chat)
	case "partnercenter":
		w.pc.Set(referralID, e.pc[0].(string), e.pc[1])
	case "salesforce":
		w.sf.Edit(sfID, e.sf[0], e.sf[1])
	case "hubspot":
		w.hs.Edit(hsID, e.hs[0], e.hs[1])
	}
}

// A change of any synced field, made in any system, ends the same in every
// system, and the next notifications (echoes, full records) revert nothing.
func TestConvergenceMatrix(t *testing.T) {
	for _, origin := range []string{"chat", "partnercenter", "salesforce", "hubspot"} {
		t.Run(origin, func(t *testing.T) {
			storetest.Dialects(t, func(t *testing.T, st *store.Store) {
				w := newWorld(t, st, 2) // two replicas' syncers share the work
				for _, e := range edits {
					w.make(origin, e)
					w.settle()
					got := w.converged(fmt.Sprintf("%s changed %s", origin, e.field))
					if got[e.field] != e.want {
						t.Errorf("%s changed %s to %q; everyone has %q", origin, e.field, e.want, got[e.field])
					}
				}
				// The pages were applied in bulk: no unit had to run again
				// as a plain batch.
				if n := st.UnitFallbacks(); n != 0 {
					t.Errorf("%d inbox pages fell back from a unit to a plain batch", n)
				}
			})
		})
	}
}

// Two systems changing different fields at the same time both win; one
// field changed in two systems ends at the newer change everywhere, and the
// older one is kept in the deal's history.
func TestConcurrentEditsAndConflicts(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 2)
		// Different fields, before anyone hears of the other: both survive.
		w.sf.Edit(sfID, "Amount", "91000.0")
		w.pc.Set(referralID, "details/notes", "Needs an offline mode")
		w.chat(`deal edit %d name="Tailspin field service"`)
		w.settle()
		got := w.converged("three systems, three fields")
		if got[change.Value] != "9100000" || got[change.Notes] != "Needs an offline mode" || got[change.Name] != "Tailspin field service" {
			t.Errorf("a concurrent change was lost: %v", got)
		}
		// One field in two systems: HubSpot's change is the newer one.
		w.sf.Edit(sfID, "CloseDate", "2027-06-30")
		w.clock.Set(w.clock.Now().Add(3 * time.Second))
		w.hs.Edit(hsID, "closedate", "1817164800000") // 2027-08-02
		w.deliverHubSpot()                            // HubSpot's newer change arrives first,
		w.h.Process(t)
		w.settle() // Salesforce's older one after it

		got = w.converged("one field in two systems")
		if got[change.Close] != "2027-08-02" {
			t.Errorf("close %q, want HubSpot's newer 2027-08-02", got[change.Close])
		}
		hist, err := st.History(t.Context(), w.dealID)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range hist {
			if e.Action == "conflict" && strings.Contains(e.Detail, "Salesforce had close date 2027-06-30") {
				found = true
			}
		}
		if !found {
			t.Errorf("the losing change is not in the history: %v", crmtest.History(t, st, w.dealID))
		}
	})
}

// Writes that fail and are retried later send the deal as it is then: an
// older value never lands after a newer one.
func TestRetriesSendTheNewestValue(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.sf.mu.Lock()
		w.sf.fail = 3
		w.sf.mu.Unlock()
		w.chat(`deal edit %d value=70000`)
		if rep, err := w.syncer[0].Pass(t.Context()); err != nil || rep.Retried == 0 {
			t.Fatalf("first pass %+v %v: want Salesforce's write to fail", rep, err)
		}
		w.chat(`deal edit %d value=71000`)
		w.chat(`deal edit %d value=72000`)
		for range 6 { // backoff: let the retries come due
			w.clock.Set(w.clock.Now().Add(5 * time.Minute))
			w.settle()
		}
		if got := w.sf.Record(sfID)["Amount"]; got != "72000.00" {
			t.Errorf("Salesforce has %q, want the newest 72000.00", got)
		}
		w.converged("after retries")
		if n := w.sf.writes; n > 3 {
			t.Errorf("%d writes reached Salesforce; the older values should not have been sent once the newer was there", n)
		}
	})
}

// A referral declined in Partner Center tells the subscribed channels,
// like one declined in chat.
func TestDeclineFromPartnerCenterIsNews(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w, pc := pcWorld(t, st)
		w.h = crmtest.New(t, st, w.clock, pc)
		sub := ledger.Subscription{Place: chat.Place{Platform: "slack", Channel: "C1"}, CreatedBy: "ana", CreatedAt: now}
		if err := st.Subscribe(t.Context(), sub, ledger.Entry{At: now, Actor: "ana", Action: "subscribed", Detail: "slack C1"}); err != nil {
			t.Fatal(err)
		}
		fixture, _ := os.ReadFile("../partnercenter/testdata/referral_new.json")
		w.pc.Put(string(fixture))
		w.deliverPC()
		w.h.Process(t)
		w.clock.Set(now.Add(time.Hour))
		w.pc.Set(referralID, "status", "Closed")
		w.pc.Set(referralID, "substatus", "Declined")
		w.pc.Set(referralID, "statusReason", "Out of scope")
		w.deliverPC()
		w.h.Process(t)
		items, err := st.ClaimOutbox(t.Context(), w.clock.Now(), time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		var news []ledger.Delivery
		for _, it := range items {
			texts = append(texts, it.Message.Text)
			if it.Kind != ledger.KindState { // the deal's state line, for messages already sent (none here)
				news = append(news, it)
			}
		}
		items = news
		if len(items) != 1 || !strings.Contains(items[0].Message.Text, "declined") || !strings.Contains(items[0].Message.Text, "Partner Center") {
			t.Errorf("news: %q, want one declined notice naming Partner Center", texts)
		}
	})
}

// A deal made in chat is made in Partner Center too (a partner-led deal:
// Independent, shared with Microsoft sellers); Partner Center's own
// notification of it is an echo, and later edits are PATCHed to it.
func TestDealMadeInChatIsCreatedInPartnerCenter(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := pcChatWorld(t, st)
		d := w.madeInChat()
		ref := w.pc.Referral(d.ExternalID)
		consent, _ := ref["consent"].(map[string]any)
		if ref["name"] != "Fabrikam rollout" || ref["type"] != "Independent" || consent["consentToShareReferralWithMicrosoftSellers"] != true {
			t.Errorf("referral created: %v", ref)
		}
		w.chat(`deal edit %d value=45000`)
		w.settle()
		if v := w.pc.Referral(d.ExternalID)["details"].(map[string]any)["dealValue"]; v != 45000.0 {
			t.Errorf("Partner Center's value %v, want 45000", v)
		}
		got, _ := st.GetDeal(t.Context(), d.ID)
		if got.Value != 45000_00 || got.Status != deal.Created {
			t.Errorf("deal after the echoes: value %s status %s", got.Value, got.Status)
		}
		work, _ := st.SyncWorkOf(t.Context(), d.ID)
		if len(work) != 0 {
			t.Errorf("sync work left: %+v", work)
		}
	})
}

// pcWorld is cosellbot linked to Partner Center only, with the change path
// writing to it.
func pcWorld(t *testing.T, st *store.Store) (*world, *pcsource.Source) {
	t.Helper()
	w := &world{t: t, st: st, clock: crmtest.NewClock(now)}
	w.pc = pcfake.New(t, w.clock.Now)
	client, err := partnercenter.New(partnercenter.Config{APIURL: w.pc.APIURL(), TokenURL: w.pc.TokenURL(), ClientID: pcfake.ClientID, ClientSecret: pcfake.ClientSecret, RefreshToken: pcfake.RefreshToken})
	if err != nil {
		t.Fatal(err)
	}
	w.engine = change.New(st, w.clock, map[string][]change.Field{pcsource.Name: nil}, nil, nil)
	return w, pcsource.New("s", pcsource.NewCerts(nil, nil, nil), client, st, w.engine, "", w.clock, nil)
}

// saidRefused reports whether the deal's history has Partner Center's
// refusal saying why.
func (w *world) saidRefused(why string) bool {
	w.t.Helper()
	es, err := w.st.History(w.t.Context(), w.dealID)
	if err != nil {
		w.t.Fatal(err)
	}
	return slices.ContainsFunc(es, func(e ledger.Entry) bool {
		return e.Actor == "partnercenter" && e.Action == "refused" && strings.Contains(e.Detail, why)
	})
}

// madeInChat makes a partner-led services deal in chat, lets it be made in
// Partner Center, and makes it the world's deal.
func (w *world) madeInChat() *deal.Deal {
	w.t.Helper()
	w.chat(`deal new kind=services name="Fabrikam rollout" customer="Fabrikam AB" customer_location=SE location=1234567 value=40000 currency=EUR close=2027-02-01 notes="Rollout in 3 plants" team="Ana Diaz <ana@contoso.example> +46701234567" role=transaction area=Security play="Cloud security" share=yes`)
	w.settle()
	deals, err := w.st.ListDeals(w.t.Context(), ledger.DealFilter{})
	if err != nil || len(deals) != 1 {
		w.t.Fatalf("deals %v %v", deals, err)
	}
	d := deals[0]
	w.dealID = d.ID
	if d.ExternalID == "" {
		w.t.Fatal("the deal has no Partner Center referral id")
	}
	return d
}

// pcChatWorld is pcWorld with chat and a syncer writing to Partner Center,
// and the sources more makes receiving too.
func pcChatWorld(t *testing.T, st *store.Store, more ...func(*world) crm.Source) *world {
	t.Helper()
	w, pc := pcWorld(t, st)
	w.syncer = []*change.Syncer{change.NewSyncer(st, w.engine, map[string]change.Writer{pcsource.Name: pc.Writer()}, w.clock, nil)}
	sources := []crm.Source{pc}
	for _, m := range more {
		sources = append(sources, m(w))
	}
	w.h = crmtest.New(t, st, w.clock, sources...)
	w.svc = command.New(st, w.clock, deal.DefaultRates(), nil, command.WithChanges(w.engine))
	return w
}

// A CRM user's stage value is theirs: when several of the CRM's values
// read as one stage (HubSpot's appointmentscheduled and qualifiedtobuy;
// Salesforce's Needs Analysis and Id. Decision Makers), cosellbot takes the
// stage and leaves the value as they set it, rather than write back the
// first value its mapping lists for that stage. Nothing is echoed back
// either: a record that already says the deal's stage or outcome gets no
// stage write.
func TestCRMStageValueIsKept(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		for _, step := range []struct {
			crm          *fakeCRM
			id, field, v string
			stage        deal.Stage
		}{
			{w.hs, hsID, "dealstage", "qualifiedtobuy", deal.StageQualified},
			{w.sf, sfID, "StageName", "Needs Analysis", deal.StageDeveloped},
		} {
			step.crm.Edit(step.id, step.field, step.v)
			w.settle()
			d, err := st.GetDeal(t.Context(), w.dealID)
			if err != nil {
				t.Fatal(err)
			}
			if d.Stage != step.stage {
				t.Errorf("%s %s=%q: deal at %s, want %s", step.crm.name, step.field, step.v, d.Stage, step.stage)
			}
			w.converged(step.crm.name + " set " + step.v)
			for _, f := range []*fakeCRM{w.hs, w.sf} {
				id := map[*fakeCRM]string{w.hs: hsID, w.sf: sfID}[f]
				if f == step.crm && f.Record(id)[step.field] != step.v {
					t.Errorf("%s's %s is %q after cosellbot synced, want the user's %q", f.name, step.field, f.Record(id)[step.field], step.v)
				}
			}
		}
		// A deal made in chat and tagged with a HubSpot record nobody
		// synced yet, whose first event is its stage: the stage is taken,
		// the record keeps its value, and no empty lost reason (a field
		// cosellbot never saw) is written over the record's.
		w.chat(`deal new kind=services name="Second" customer=Contoso customer_location=FR location=1234567 value=50000 close=2027-06-30 notes=x role="Deployment services" area=Security play="Data Security" team="Ann <ann@contoso.com> +33 1 00 00 00 01" crm_id=9002`)
		w.hs.Edit("9002", "dealstage", "qualifiedtobuy")
		w.settle()
		rec := w.hs.Record("9002")
		if rec["dealstage"] != "qualifiedtobuy" {
			t.Errorf("a new HubSpot record's dealstage became %q, want the user's qualifiedtobuy", rec["dealstage"])
		}
		if v, ok := rec["closed_lost_reason"]; ok {
			t.Errorf("an empty lost reason was written to a new HubSpot record: %q", v)
		}
		if rec["amount"] != "50000.00" || rec["dealname"] != "Second" {
			t.Errorf("the new HubSpot record did not get the deal's fields: %v", rec)
		}

		// Won in Salesforce: the record says so already, so nothing is
		// written back to it, while HubSpot is told.
		before := w.sf.writes
		w.sf.Edit(sfID, "StageName", "Closed Won")
		w.settle()
		if d, _ := st.GetDeal(t.Context(), w.dealID); d.Status != deal.Won {
			t.Fatalf("Salesforce's Closed Won: deal %s", d.Status)
		}
		if w.sf.writes != before {
			t.Errorf("Closed Won from Salesforce was written back to it (%d writes)", w.sf.writes-before)
		}
		w.converged("won in Salesforce")
	})
}

// A record created in a CRM makes a deal under deal new's rules, read from
// Partner Center's labels as chat reads them, and the deal is made in
// Partner Center like one made in chat. A record that lacks what the rules
// ask makes no deal, and the inbox says what it lacks.
func TestCRMRecordIsMadeInPartnerCenter(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := pcChatWorld(t, st, func(w *world) crm.Source { return generic.New(secret, &crm.Applier{Engine: w.engine, Find: st}) })
		created := func(id string, fields map[string]any) {
			t.Helper()
			w.clock.Set(w.clock.Now().Add(time.Second))
			body, _ := json.Marshal(map[string]any{"type": "deal.created", "record_id": "opp-born", "modified_at": w.clock.Now().Format(time.RFC3339), "fields": fields})
			if code, resp := w.h.Post(t, "/webhooks/generic", signed(id, body, w.clock.Now()), body); code != 200 {
				t.Fatalf("%d %s", code, resp)
			}
			w.settle()
		}
		fields := map[string]any{
			"name": "Born in the CRM", "value": "30000", "currency": "EUR", "close": "2027-02-01", "notes": "Rollout in 3 plants",
			"kind": "Services co-sell", "location": "1234567", "customer": "Contoso GmbH", "customer_location": "DE",
			"role": "Proof of concept", "area": "Security",
		}
		created("born-1", fields) // no team, no play
		if deals, _ := st.ListDeals(t.Context(), ledger.DealFilter{}); len(deals) != 0 {
			t.Fatalf("an incomplete record made a deal: %+v", deals[0])
		}
		rows, err := st.ListInbox(t.Context(), ledger.InboxFilter{Source: "generic"})
		if err != nil || len(rows) != 1 || !strings.Contains(rows[0].Error, "team") || !strings.Contains(rows[0].Error, "play") {
			t.Fatalf("the inbox does not say what the record lacks: %+v %v", rows, err)
		}
		fields["team"] = "Ana Diaz <ana@contoso.example> +46701234567"
		fields["play"] = "Cloud security"
		created("born-2", fields)
		d, err := st.DealByCRMID(t.Context(), "opp-born")
		if err != nil {
			t.Fatalf("the complete record made no deal: %v", err)
		}
		if d.Kind != deal.ServicesCoSell || d.Role != "proof-of-concept" || d.ExternalID == "" {
			t.Fatalf("deal %+v: want services co-sell, proof-of-concept, made in Partner Center", d)
		}
		if ref := w.pc.Referral(d.ExternalID); ref["name"] != "Born in the CRM" {
			t.Errorf("Partner Center's referral: %v", ref)
		}
	})
}

// A system that answered 429 with Retry-After is not written to before
// then, however many changes (chat edits, other systems' echoes) ask for
// it meanwhile; then it gets the newest value.
func TestRetryAfterIsKept(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.sf.mu.Lock()
		w.sf.fail, w.sf.retryAf = 1, "20"
		w.sf.mu.Unlock()
		w.chat(`deal edit %d value=70000`)
		if rep, err := w.syncer[0].Pass(t.Context()); err != nil || rep.Retried == 0 {
			t.Fatalf("first pass %+v %v: want Salesforce's write refused", rep, err)
		}
		tries := w.sf.tries
		w.chat(`deal edit %d value=71000`)
		w.clock.Set(w.clock.Now().Add(5 * time.Second))
		if _, err := w.syncer[0].Pass(t.Context()); err != nil {
			t.Fatal(err)
		}
		if w.sf.tries != tries {
			t.Errorf("Salesforce was written to %d more times within its Retry-After of 20 s", w.sf.tries-tries)
		}
		w.clock.Set(w.clock.Now().Add(20 * time.Second))
		w.settle()
		if got := w.sf.Record(sfID)["Amount"]; got != "71000.00" {
			t.Errorf("Salesforce has %q after its Retry-After, want the newest 71000.00", got)
		}
		w.converged("after the Retry-After")
	})
}

// Winning a deal in chat is written to Partner Center, whose notification
// of that write (the referral closed as won, its sales stage where it was)
// is cosellbot's own change coming back: nothing in the history says
// Partner Center changed anything.
func TestWonInChatIsNoPartnerCenterChange(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := pcChatWorld(t, st)
		w.chat(`solution add name="Contoso Insight" source=mine ip=azure`)
		w.chat(`deal new kind=ip name="Chat deal B" customer="Contoso Retail" customer_location=US account=managed location=1234567 value=60000 currency=USD close=2027-03-15 notes="chat B" team="Ana Diaz <ana@contoso.com> +46701234567" solution="Contoso Insight" share=yes`)
		w.settle()
		w.dealID = 1
		w.chat(`deal stage %d proposed`)
		if _, err := w.syncer[0].Pass(t.Context()); err != nil { // the stage written, its notification owed
			t.Fatal(err)
		}
		w.chat(`deal won %d`) // before the notification arrives, as typed right after
		w.settle()
		d, err := st.GetDeal(t.Context(), 1)
		if err != nil || d.Status != deal.Won {
			t.Fatalf("deal %v %v", d, err)
		}
		if ref := w.pc.Referral(d.ExternalID); ref["status"] != "Closed" || ref["substatus"] != "Won" {
			t.Errorf("Partner Center's referral: %v %v", ref["status"], ref["substatus"])
		}
		// Partner Center's closed referral keeps a sales stage of its own
		// (its last, or one saved with the close): it is no change.
		w.pc.Set(d.ExternalID, "salesStage", "Qualify")
		w.settle()
		for _, h := range crmtest.History(t, st, 1) {
			if strings.HasPrefix(h, "partnercenter ") {
				t.Errorf("history line from Partner Center after cosellbot's own writes: %q (all: %v)", h, crmtest.History(t, st, 1))
			}
		}
	})
}

// A lost reason a CRM user types on an open deal is theirs: cosellbot has
// none to give (a deal has one once lost) and writes nothing over it.
func TestCRMReasonOnAnOpenDealIsKept(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.hs.Edit(hsID, "closed_lost_reason", "Pricing concerns")
		w.sf.Edit(sfID, "Loss_Reason__c", "SF user reason")
		w.settle()
		if got := w.hs.Record(hsID)["closed_lost_reason"]; got != "Pricing concerns" {
			t.Errorf("HubSpot's reason became %q", got)
		}
		if got := w.sf.Record(sfID)["Loss_Reason__c"]; got != "SF user reason" {
			t.Errorf("Salesforce's reason became %q", got)
		}
	})
}

// A CRM that does not answer holds up its own records only: Partner Center
// and the other CRM get the change meanwhile.
func TestAHungSystemHoldsUpOnlyItself(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		release := w.hs.hangWrites()
		w.chat(`deal edit %d value=88000`)
		done := make(chan error, 1)
		go func() {
			_, err := w.syncer[0].Pass(context.Background())
			done <- err
		}()
		for deadline := time.Now().Add(20 * time.Second); w.sf.Record(sfID)["Amount"] != "88000.00" || w.pcValue() != 88000.0; {
			if time.Now().After(deadline) {
				close(release)
				t.Fatalf("while HubSpot hangs: Salesforce has %q, Partner Center %v; want 88000 in both", w.sf.Record(sfID)["Amount"], w.pcValue())
			}
			time.Sleep(10 * time.Millisecond)
		}
		w.hs.mu.Lock()
		w.hs.hang = nil
		w.hs.mu.Unlock()
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		w.settle()
		w.converged("after HubSpot answered")
	})
}

// A CRM's change the rules refuse is sent back when the mapping can say
// the deal's value; when it cannot (an assessment stage in HubSpot's deal
// pipeline), the link goes on knowing that the record holds the refused
// value, so the sync view shows the difference instead of "in step".
func TestUnsayableStageIsNotTakenAsSent(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.chat(`solution add name="Azure Migration Assessment" source=assessment`)
		w.chat(`deal new kind=sa name="SA deal" customer=Litware customer_location=FR account=managed location=1234567 value=30000 currency=EUR close=2027-03-03 notes=sa team="Ana Diaz <ana@contoso.com> +46701234567" assessment="Azure Migration Assessment" assessment_location=FR crm_id=9012 contact="Eva Kund <eva@kund.example> +46 70 111 22 33" consent=yes`)
		w.hs.Edit("9012", "dealname", "SA deal")
		w.settle()
		w.hs.Edit("9012", "dealstage", "closedwon")
		w.settle()
		d, err := st.DealByCRMID(t.Context(), "9012")
		if err != nil || d.Status == deal.Won {
			t.Fatalf("deal %+v %v: want the assessment not won", d, err)
		}
		l, err := w.engine.Link(t.Context(), "hubspot", "9012")
		if err != nil {
			t.Fatal(err)
		}
		if got := l.Shadow[change.Status].Value; got != string(deal.Won) {
			t.Errorf("the link says HubSpot holds status %q; it holds closedwon (won)", got)
		}
		if w.hs.Record("9012")["dealstage"] != "closedwon" {
			t.Errorf("HubSpot's dealstage: %q", w.hs.Record("9012")["dealstage"])
		}
	})
}

// A CRM user moving a deal's stage back: the deal keeps its stage (stages
// only move forward), the CRM is sent it back, and the history and the
// inbox say what happened instead of "already says so".
func TestStageMovedBackInACRMIsSaid(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.chat(`deal stage %d developed`)
		w.settle()
		w.hs.Edit(hsID, "dealstage", "appointmentscheduled") // Qualified
		w.settle()
		d, _ := st.GetDeal(t.Context(), w.dealID)
		if d.Stage != deal.StageDeveloped {
			t.Fatalf("deal at %s, want Developed kept", d.Stage)
		}
		es, _ := st.History(t.Context(), w.dealID)
		last := es[len(es)-1]
		if last.Actor != "hubspot" || last.Action != "kept" || !strings.Contains(last.Detail, "kept stage Developed: HubSpot moved it back to Qualified") {
			t.Errorf("last history line: %+v", last)
		}
		w.converged("after HubSpot moved the stage back")
	})
}

// Partner Center saved with no team: the deal keeps its team (no path
// removes its last member), Partner Center is sent it back, and the
// history says so.
func TestTeamEmptiedInPartnerCenterIsSentBack(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.chat(`deal team add %d "Cy Lee <cy@contoso.com> +46701234567"`)
		w.settle()
		w.pc.Set(referralID, "team", []any{})
		w.settle()
		d, _ := st.GetDeal(t.Context(), w.dealID)
		if len(d.Team) == 0 {
			t.Fatal("the deal lost its team")
		}
		if team, _ := w.pc.Referral(referralID)["team"].([]any); len(team) != len(d.Team) {
			t.Errorf("Partner Center's team %v, want the deal's %d members sent back", w.pc.Referral(referralID)["team"], len(d.Team))
		}
		es, _ := st.History(t.Context(), w.dealID)
		if last := es[len(es)-1]; last.Actor != "partnercenter" {
			t.Errorf("last history line %+v: want Partner Center's emptied team said", last)
		}
		w.converged("after Partner Center's empty team")
	})
}

// A Partner Center save that changes the value and adds a member without a
// phone: the value is applied, the member refused (said in the history),
// and Partner Center is sent the deal's team back.
func TestPartOfARecordTheRulesRefuse(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		ref := w.pc.Referral(referralID)
		team := ref["team"].([]any)
		team = append(team, map[string]any{"firstName": "No", "lastName": "Phone", "email": "nophone@contoso.com"})
		w.pc.Set(referralID, "team", team)
		w.pc.Set(referralID, "details/dealValue", 91000)
		w.settle()
		d, _ := st.GetDeal(t.Context(), w.dealID)
		if d.Value != 91000_00 {
			t.Errorf("value %s, want Partner Center's 91,000 applied", d.Value)
		}
		for _, p := range d.Team {
			if p.Email == "nophone@contoso.com" {
				t.Errorf("a member without a phone joined the team: %+v", p)
			}
		}
		if got := len(w.pc.Referral(referralID)["team"].([]any)); got != len(d.Team) {
			t.Errorf("Partner Center's team has %d members, want the deal's %d sent back", got, len(d.Team))
		}
		if !w.saidRefused("No Phone has no phone number") {
			t.Error("no history line says the member was refused")
		}
		w.converged("after a partly refused save")
	})
}

// A write a system refused for good (a 400) is not sent again because
// another system's echo of the same change arrives: only a new change of
// the deal (or sync --retry-dead) tries it again.
func TestGivenUpWriteStaysDeadThroughEchoes(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.sf.mu.Lock()
		w.sf.fail, w.sf.failAs, w.sf.tries = 1, http.StatusBadRequest, 0
		w.sf.mu.Unlock()
		w.chat(`deal edit %d value=86000`)
		w.settle() // Partner Center and HubSpot written, their echoes delivered
		if w.sf.tries != 1 {
			t.Errorf("Salesforce got %d writes; a 400 is final, the echoes of the others are no new change", w.sf.tries)
		}
		work, _ := st.SyncWorkOf(t.Context(), w.dealID)
		dead := false
		for _, wk := range work {
			dead = dead || (wk.System == "salesforce" && wk.State == "dead")
		}
		if !dead {
			t.Errorf("sync work %+v: want Salesforce's dead", work)
		}
	})
}

// A change accepted in chat that a system refused for good is not lost
// silently: the deal's history and its channels say which system did not
// take it, why, and how to send it again.
func TestGivenUpWriteIsSaid(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		sub := ledger.Subscription{Place: chat.Place{Platform: "slack", Channel: "C1"}, CreatedBy: "ana", CreatedAt: now}
		if err := st.Subscribe(t.Context(), sub, ledger.Entry{At: now, Actor: "ana", Action: "subscribed", Detail: "slack C1"}); err != nil {
			t.Fatal(err)
		}
		w.sf.mu.Lock()
		w.sf.fail, w.sf.failAs = 1, http.StatusBadRequest
		w.sf.mu.Unlock()
		w.chat(`deal edit %d value=86000`)
		w.settle()
		if !w.historySays("not synced", "Salesforce record "+sfID) {
			t.Error("no history line says the change was not written to Salesforce")
		}
		items, err := st.ClaimOutbox(t.Context(), w.clock.Now(), time.Minute, 50)
		if err != nil {
			t.Fatal(err)
		}
		var said []string
		for _, it := range items {
			if it.Kind == change.KindSyncFailed {
				said = append(said, it.Message.Text)
			}
		}
		want := fmt.Sprintf("cosellbot sync %d --retry-dead", w.dealID)
		if len(said) != 1 || !strings.Contains(said[0], "Salesforce") || !strings.Contains(said[0], "refused") || !strings.Contains(said[0], want) {
			t.Errorf("news of the refused write: %q, want one naming Salesforce, its reason and %s", said, want)
		}
		// Given up once, said once: the other systems' echoes say nothing more.
		w.chat(`deal edit %d notes="after"`)
		w.settle()
		es, _ := st.History(t.Context(), w.dealID)
		n := 0
		for _, e := range es {
			if e.Action == "not synced" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d history lines say a write was given up, want 1 (the next change reached Salesforce)", n)
		}
	})
}

// Running, each system has its own loop: a change made while a CRM write
// hangs reaches Partner Center and the other CRM meanwhile, not once the
// hung write gives up.
func TestAChangeDuringAHangIsNotHeldUp(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		release := w.hs.hangWrites()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- w.syncer[0].Run(ctx) }()
		defer func() {
			cancel()
			<-done
		}()
		defer close(release)
		w.chat(`deal edit %d value=79000`) // HubSpot's write of it hangs
		for deadline := time.Now().Add(20 * time.Second); w.pcValue() != 79000.0; {
			if time.Now().After(deadline) {
				t.Fatalf("Partner Center never got the first change: %v", w.pcValue())
			}
			time.Sleep(10 * time.Millisecond)
		}
		w.chat(`deal edit %d notes="during the hang"`)
		for deadline := time.Now().Add(20 * time.Second); w.sf.Record(sfID)["Description"] != "during the hang"; {
			if time.Now().After(deadline) {
				t.Fatalf("while HubSpot hangs, Salesforce never got the second change: %v", w.sf.Record(sfID))
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

func (w *world) pcValue() any {
	return w.pc.Referral(referralID)["details"].(map[string]any)["dealValue"]
}

// One person adds a team member in chat while another adds one in Partner
// Center, before cosellbot's write reached it: both are on the team, in
// every system (the newer whole list dropped the other addition).
func TestTeamAddedInTwoPlacesKeepsBoth(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		team, _ := w.pc.Referral(referralID)["team"].([]any)
		w.chat(`deal team add %d "Cy Lee <cy@contoso.com> +46701234567"`)
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.pc.Set(referralID, "team", append(slices.Clone(team), map[string]any{"firstName": "Dee", "lastName": "Park", "email": "dee@contoso.com", "phoneNumber": "+46701234568"}))
		w.deliverPC() // Partner Center's notification comes before cosellbot's write went out
		w.h.Process(t)
		w.settle()
		d, _ := st.GetDeal(t.Context(), w.dealID)
		var emails []string
		for _, p := range d.Team {
			emails = append(emails, p.Email)
		}
		if !slices.Contains(emails, "cy@contoso.com") || !slices.Contains(emails, "dee@contoso.com") {
			t.Errorf("deal team %v, want both Cy (added in chat) and Dee (added in Partner Center)", emails)
		}
		if pcTeam, _ := w.pc.Referral(referralID)["team"].([]any); len(pcTeam) != len(d.Team) {
			t.Errorf("Partner Center's team has %d members, the deal %d", len(pcTeam), len(d.Team))
		}
		w.converged("after team additions in two places")
	})
}

// Declining a referral with notes keeps the sender's notes, in cosellbot
// and in Partner Center, and gives the sender the partner's answer with
// the reason (statusReason, the text of a declined referral they read).
func TestDeclineNotesAreTheAnswerNotTheReferralsNotes(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := pcChatWorld(t, st)
		d := w.referralArrives()
		senders := d.Notes
		w.chat(`deal decline %d reason="No capacity" notes="we are full this quarter"`)
		w.settle()
		got, _ := st.GetDeal(t.Context(), d.ID)
		if got.Notes != senders || got.DeclineNotes != "we are full this quarter" {
			t.Errorf("notes %q, decline notes %q; want the sender's %q kept", got.Notes, got.DeclineNotes, senders)
		}
		ref := w.pc.Referral(referralID)
		details, _ := ref["details"].(map[string]any)
		if ref["substatus"] != "Declined" || ref["statusReason"] != "No capacity — we are full this quarter" || details["notes"] != senders {
			t.Errorf("Partner Center: substatus %v, statusReason %q, notes %q", ref["substatus"], ref["statusReason"], details["notes"])
		}
		got, _ = st.GetDeal(t.Context(), d.ID) // Partner Center's notification of the write changed nothing
		if got.Reason != "No capacity" || got.DeclineNotes != "we are full this quarter" {
			t.Errorf("after Partner Center's echo: reason %q, decline notes %q", got.Reason, got.DeclineNotes)
		}
	})
}

// A Salesforce user saves another field just after a chat edit, while
// cosellbot's write of it is on its way; Salesforce's message of that save, holding the record
// as it was before the write landed, arrives after the write was answered.
// Its close date is the record as it was, not a change: the chat's close
// date stays in every system (it was reverted, and the old date written to
// Partner Center), and the user's amount is applied.
func TestARecordSavedBeforeTheWriteLandedRevertsNothing(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		// The close date the record holds is a Salesforce user's, not one
		// cosellbot wrote (those it knows for its own).
		w.sf.Edit(sfID, "CloseDate", "2027-04-03")
		w.settle()
		before, err := st.History(t.Context(), w.dealID)
		if err != nil {
			t.Fatal(err)
		}
		w.chat(`deal edit %d close=2027-05-15`)
		// After the chat edit, before its write lands: the record still
		// has the old close date.
		w.clock.Set(w.clock.Now().Add(500 * time.Millisecond))
		w.sf.Edit(sfID, "Amount", "22000.0")
		early := w.sf.take() // on its way while the chat edit is written
		w.clock.Set(w.clock.Now().Add(300 * time.Millisecond))
		if _, err := w.syncer[0].Pass(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := w.sf.Record(sfID)["CloseDate"]; got != "2027-05-15" {
			t.Fatalf("Salesforce close %q after the write, want 2027-05-15", got)
		}
		w.sf.mu.Lock()
		w.sf.owed = append(early, w.sf.owed...) // the early message first
		w.sf.mu.Unlock()
		w.settle()
		got := w.converged("after the early message")
		if got[change.Close] != "2027-05-15" || got[change.Value] != "2200000" {
			t.Errorf("close %q (want the chat's 2027-05-15), value %q (want Salesforce's 2200000)", got[change.Close], got[change.Value])
		}
		hist, err := st.History(t.Context(), w.dealID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range hist[len(before):] {
			if e.Actor == "salesforce" && strings.Contains(e.Detail, "close date") {
				t.Errorf("the record from before the write was applied, then the write's own message: %s %s", e.Action, e.Detail)
			}
		}
	})
}

// A Salesforce record with a negative amount: the deal rules refuse the
// value (it must be above zero), the rest of the save applies, and the
// deal's value is sent back; the whole message failed before, its rename
// and stage with it, on every save of the record.
func TestNegativeCRMAmountIsRefusedAlone(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		was, _ := st.GetDeal(t.Context(), w.dealID)
		w.sf.mu.Lock()
		w.sf.save(sfID, map[string]string{"Amount": "-500.0", "Name": "Tailspin renamed in Salesforce"})
		w.sf.mu.Unlock()
		w.settle()
		d, _ := st.GetDeal(t.Context(), w.dealID)
		if d.Name != "Tailspin renamed in Salesforce" || d.Value != was.Value {
			t.Errorf("name %q value %s; want the rename applied and the value kept at %s", d.Name, d.Value, was.Value)
		}
		if got := w.sf.Record(sfID)["Amount"]; got == "-500.0" {
			t.Errorf("Salesforce still holds %s: the deal's value was not sent back", got)
		}
		w.converged("after a negative amount")
	})
}

// A deal made or accepted in chat starts at a stage nobody chose: a CRM
// record linked to it, at Needs Analysis since the day before, gives the
// deal its stage. It lost to "Accepted" for good ("kept the newer stage";
// `cosellbot sync` said "theirs: nothing can be sent").
func TestLinkedRecordsStageIsTaken(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		now := w.clock.Now()
		w.clock.Set(now.Add(-24 * time.Hour))
		w.sf.Edit(sfID, "StageName", "Needs Analysis")
		w.clock.Set(now)
		w.settle()
		d, err := st.GetDeal(t.Context(), w.dealID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Stage != deal.StageDeveloped {
			t.Errorf("deal at %s, want Developed (Salesforce's Needs Analysis)", d.Stage)
		}
		w.converged("after the linked record's stage")
	})
}

// A record created in the sender that names a deal made in chat since,
// with older values, loses each field to the chat's (a conflict in the
// history per field, the record written back): the inbox says "kept the
// newer", not "already says so", which it said while the two differed.
func TestCreatedRecordThatLostSaysSo(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := pcChatWorld(t, st, func(w *world) crm.Source { return generic.New(secret, &crm.Applier{Engine: w.engine, Find: st}) })
		older := w.clock.Now().Add(-time.Hour)
		w.chat(`deal new kind=services name="Chat" customer=Contoso customer_location=FR location=1234567 value=50000 close=2027-03-01 notes=n1 role="Deployment services" area=Security play="Data Security" team="Ann <ann@contoso.com> +33 1 00 00 00 01" crm_id=opp-chat`)
		w.settle()
		body, _ := json.Marshal(map[string]any{"type": "deal.created", "record_id": "opp-chat", "modified_at": older.Format(time.RFC3339),
			"fields": map[string]any{"name": "CRM", "value": "40000", "close": "2027-02-01", "notes": "n0"}})
		if code, resp := w.h.Post(t, "/webhooks/generic", signed("created-old", body, w.clock.Now()), body); code != 200 {
			t.Fatalf("%d %s", code, resp)
		}
		w.settle()
		rows, err := st.ListInbox(t.Context(), ledger.InboxFilter{Source: "generic"})
		if err != nil || len(rows) != 1 {
			t.Fatalf("inbox %+v %v", rows, err)
		}
		if !strings.Contains(rows[0].Error, "kept the newer") {
			t.Errorf("inbox %q, want \"kept the newer\"", rows[0].Error)
		}
	})
}

// A generic deal.deleted unlinks the deal, as HubSpot's and Dataverse's
// deletions do (it read as an update with no fields: "already says so").
func TestGenericDeletionUnlinks(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := crmtest.New(t, st, crmtest.NewClock(now), generic.New(secret, crmtest.Applier(st, crmtest.NewClock(now))))
		d := crmtest.AcceptedDeal(t, st, "opp-gone", now)
		for i, typ := range []string{"deal.updated", "deal.deleted"} {
			body, _ := json.Marshal(map[string]any{"type": typ, "record_id": "opp-gone", "modified_at": now.Add(time.Duration(i-2) * time.Minute).Format(time.RFC3339), "fields": map[string]any{"notes": "n" + strconv.Itoa(i)}})
			if code, resp := h.Post(t, "/webhooks/generic", signed("gone-"+strconv.Itoa(i), body, now), body); code != 200 {
				t.Fatalf("%s: %d %s", typ, code, resp)
			}
			h.Process(t)
		}
		rows := h.Inbox(t)
		if last := rows[len(rows)-1]; !strings.Contains(last.Error, "was deleted in the CRM: unlinked") {
			t.Errorf("deal.deleted: %s %q", last.Status, last.Error)
		}
		if l, err := st.Link(t.Context(), "generic", "opp-gone"); err != nil || l.DealID != 0 || l.Gone.IsZero() {
			t.Errorf("the deleted record's link %+v, %v: want a tombstone", l, err)
		}
		if hist := crmtest.History(t, st, d.ID); hist[len(hist)-1] != "generic unlinked" {
			t.Errorf("history %v", hist)
		}
	})
}

// A write that fails (a 503) leaves what it could not express (HubSpot's
// pipeline has no Accepted stage) as the link knew it: recorded "sending"
// before the write, it stayed so for good, and sync said "sent, not
// confirmed" of a stage never sent, even after the retry succeeded.
func TestFailedWriteTakesBackWhatItCouldNotSend(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		before, err := st.Link(t.Context(), "hubspot", hsID)
		if err != nil {
			t.Fatal(err)
		}
		w.hs.mu.Lock()
		w.hs.fail = 1
		w.hs.mu.Unlock()
		w.chat(`deal edit %d value=64000`)
		if _, err := w.syncer[0].Pass(t.Context()); err != nil {
			t.Fatal(err)
		}
		for _, when := range []string{"after the failed write", "after the retry"} {
			l, err := st.Link(t.Context(), "hubspot", hsID)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []change.Field{change.Stage, change.Status} {
				if m := l.Shadow[f]; m.Pending && !before.Shadow[f].Pending {
					t.Errorf("%s: HubSpot's %s is %+v, sending, though HubSpot cannot hold it", when, f, m)
				}
			}
			w.clock.Set(w.clock.Now().Add(time.Minute))
			w.settle()
		}
		w.converged("after the retry")
	})
}

// A deal closed as error in chat cannot be closed so by a partner in
// Partner Center (it sends no status for it): the link does not take the
// error for Partner Center's, and sync says the two differ (it said "in
// step" while Partner Center held the referral open).
func TestErrorIsNotTakenForSentToPartnerCenter(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := pcChatWorld(t, st)
		made := w.madeInChat()
		w.chat(`deal error %d reason="duplicate deal"`)
		w.settle()
		l, err := st.Link(t.Context(), pcsource.Name, made.ExternalID)
		if err != nil {
			t.Fatal(err)
		}
		if m := l.Shadow[change.Status]; m.Value == string(deal.Error) || m.Sent == string(deal.Error) {
			t.Errorf("the link takes the error for Partner Center's: %+v (Partner Center holds %v)", m, w.pc.Referral(made.ExternalID)["status"])
		}
	})
}

// A Partner Center save that removes one member and adds one without a
// phone: the removal applies, the newcomer alone is refused (said in the
// history) and Partner Center is sent the deal's team. Refused whole, the
// removed member came back, in the deal and in Partner Center.
func TestTeamRemovalAppliesBesideARefusedNewcomer(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.chat(`deal team add %d "Bo Berg <bo@contoso.com> +46701234568"`)
		w.settle()
		var team []any
		for _, m := range w.pc.Referral(referralID)["team"].([]any) {
			if m.(map[string]any)["email"] != "bo@contoso.com" {
				team = append(team, m)
			}
		}
		team = append(team, map[string]any{"firstName": "Dee", "lastName": "NoPhone", "email": "dee@contoso.com"})
		w.pc.Set(referralID, "team", team)
		w.settle()
		d, _ := st.GetDeal(t.Context(), w.dealID)
		for _, p := range d.Team {
			if p.Email == "bo@contoso.com" || p.Email == "dee@contoso.com" {
				t.Errorf("team member %s after Partner Center removed Bo and added Dee without a phone", p.Email)
			}
		}
		for _, m := range w.pc.Referral(referralID)["team"].([]any) {
			if e := m.(map[string]any)["email"]; e == "bo@contoso.com" {
				t.Errorf("Bo, removed in Partner Center, was written back to it")
			}
		}
		if !w.saidRefused("Dee NoPhone has no phone number") {
			t.Error("no history line says Dee was refused")
		}
		w.converged("after the team save")
	})
}
