package hubspot_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/crmtest"
	"github.com/cosellbot/cosellbot/integrations/crm/hubspot"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// now is just after the fixture's events occurred (1795600000000 ms).
var now = time.UnixMilli(1795600060000).UTC()

const secret = "hubspot-client-secret"

// path has a query with characters HubSpot decodes before signing.
const path = "/webhooks/hubspot?portal=12345678&cb=a%3Ab%2Cc"

func setup(t *testing.T, st *store.Store) *crmtest.Harness {
	ms, err := crm.LoadMappings("../../../deploy/crm", "hubspot")
	if err != nil {
		t.Fatal(err)
	}
	clock := crmtest.NewClock(now)
	src := hubspot.New(secret, ms["hubspot"], crmtest.Applier(st, clock))
	return crmtest.New(t, st, clock, src)
}

// signed signs a request the way HubSpot does (v3): the full URL, with the
// percent-encodings of its table decoded.
func signed(h *crmtest.Harness, body []byte, at time.Time) http.Header {
	ts := strconv.FormatInt(at.UnixMilli(), 10)
	uri := strings.ReplaceAll(strings.ReplaceAll(h.Server.URL+path, "%3A", ":"), "%2C", ",")
	hdr := http.Header{}
	hdr.Set("Content-Type", "application/json")
	hdr.Set("X-HubSpot-Signature-Version", "v3")
	hdr.Set(hubspot.HeaderTimestamp, ts)
	hdr.Set(hubspot.HeaderSignature, hubspot.Sign([]byte(secret), http.MethodPost, uri, body, ts))
	hdr.Set("X-HubSpot-Timeout-Millis", "10000")
	return hdr
}

func TestDealStageChangeApplied(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		d := crmtest.AcceptedDeal(t, st, "9001", now)
		body, err := os.ReadFile("testdata/events.json")
		if err != nil {
			t.Fatal(err)
		}
		if code, resp := h.Post(t, path, signed(h, body, now), body); code != 200 {
			t.Fatalf("delivery: %d %s", code, resp)
		}
		rows := h.Inbox(t)
		if len(rows) != 2 || rows[0].Key != "12345678:1234:100:1795600000000" || rows[1].Status != store.InboxIgnored {
			t.Fatalf("inbox %+v", rows)
		}
		if rep := h.Process(t); rep.Processed != 1 {
			t.Fatalf("report %+v", rep)
		}
		got, _ := st.GetDeal(t.Context(), d.ID)
		if got.Stage != deal.StageProposed {
			t.Errorf("stage %s, want proposed", got.Stage)
		}
		// HubSpot retries the batch: nothing new is stored or applied.
		h.Post(t, path, signed(h, body, now), body)
		if rows := h.Inbox(t); len(rows) != 2 {
			t.Errorf("a retried batch stored %d rows", len(rows))
		}
	})
}

func TestSignatureChecks(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		body := []byte(`[]`)
		stale := signed(h, body, now.Add(-6*time.Minute))
		tampered := signed(h, []byte(`[{}]`), now)
		wrongURI := signed(h, body, now)
		wrongURI.Set(hubspot.HeaderSignature, hubspot.Sign([]byte(secret), http.MethodPost, h.Server.URL+"/webhooks/hubspot", body, wrongURI.Get(hubspot.HeaderTimestamp)))
		for name, hdr := range map[string]http.Header{"stale": stale, "tampered": tampered, "other uri": wrongURI, "unsigned": {}} {
			if code, resp := h.Post(t, path, hdr, body); code != 401 {
				t.Errorf("%s: %d %s", name, code, resp)
			}
		}
		if rows := h.Inbox(t); len(rows) != 0 {
			t.Errorf("refused deliveries stored %d rows", len(rows))
		}
		bad := []byte(`[{"eventId":1,"subscriptionId":2,"portalId":3,"occurredAt":4,"subscriptionType":"deal.propertyChange"}]`)
		if code, resp := h.Post(t, path, signed(h, bad, now), bad); code != 400 || !strings.Contains(resp, `[0].objectId`) {
			t.Errorf("an event without objectId: %d %s", code, resp)
		}
	})
}

func TestRequestURIBehindAProxy(t *testing.T) {
	t.Parallel()
	r, _ := http.NewRequest(http.MethodPost, "http://internal:8080/webhooks/hubspot?x=%3A%40%2F", nil)
	r.Header.Set("X-Forwarded-Proto", "https")
	r.Header.Set("X-Forwarded-Host", "bot.example.com")
	if got := hubspot.RequestURI(r); got != "https://bot.example.com/webhooks/hubspot?x=:@/" {
		t.Errorf("RequestURI = %q", got)
	}
}

func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(`{"eventId":100,"subscriptionId":1234,"portalId":12345678,"occurredAt":1711234567890,"subscriptionType":"deal.propertyChange","objectId":123,"propertyName":"dealstage","propertyValue":"closedwon"}`))
	f.Add([]byte(`{"eventId":1,"subscriptionId":1,"portalId":1,"occurredAt":1,"subscriptionType":"object.creation","objectTypeId":"0-3","objectId":5}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := hubspot.DecodeEvent(b)
		if err != nil {
			var fe *crm.FieldError
			if !errors.As(err, &fe) || fe.Field == "" {
				t.Errorf("DecodeEvent error %v names no field", err)
			}
			return
		}
		if _, err := e.OccurredAt.Int64(); err != nil {
			t.Errorf("accepted an event without a numeric occurredAt: %q", e.OccurredAt)
		}
	})
}

// eventIDs numbers the events the tests make, each anew as HubSpot does.
var eventIDs atomic.Int64

// events is a batch of HubSpot events as JSON.
func events(t *testing.T, es ...map[string]any) []byte {
	t.Helper()
	for _, e := range es {
		e["eventId"], e["subscriptionId"], e["portalId"], e["appId"] = 5000+eventIDs.Add(1), 77, 12345678, 9
		if _, ok := e["occurredAt"]; !ok {
			e["occurredAt"] = now.Add(-time.Second).UnixMilli()
		}
	}
	b, err := json.Marshal(es)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A deal created in HubSpot comes as a creation event and one event per
// property: the deal is made once the record has what a deal needs, and
// linked; a deletion unlinks it, a merge links the record it became.
func TestCreationDeletionAndMerge(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ms, err := crm.LoadMappings("../../../deploy/crm", "hubspot")
		if err != nil {
			t.Fatal(err)
		}
		m := ms["hubspot"]
		m.Create = &crm.Defaults{Kind: "IP co-sell", Location: "1234567", Customer: "Contoso", CustomerLocation: "US", Team: "Ana Diaz <ana@contoso.example> +46701234567", Solution: "contoso insight"}
		if err := st.AddSolution(t.Context(), deal.Solution{Name: "Contoso Insight", Source: deal.Mine, IP: deal.IPAzure}, store.Audit{At: now, Actor: "admin@contoso.example", Action: "added", Detail: "Contoso Insight"}); err != nil {
			t.Fatal(err)
		}
		clock := crmtest.NewClock(now)
		h := crmtest.New(t, st, clock, hubspot.New(secret, m, crmtest.Applier(st, clock)))
		post := func(body []byte) {
			t.Helper()
			if code, resp := h.Post(t, path, signed(h, body, now), body); code != 200 {
				t.Fatalf("delivery: %d %s", code, resp)
			}
		}
		post(events(t,
			map[string]any{"subscriptionType": "deal.propertyChange", "objectId": 777, "propertyName": "amount", "propertyValue": "42000"},
			map[string]any{"subscriptionType": "deal.creation", "objectId": 777},
			map[string]any{"subscriptionType": "deal.propertyChange", "objectId": 777, "propertyName": "closedate", "propertyValue": "1811721600000"},
			map[string]any{"subscriptionType": "deal.propertyChange", "objectId": 777, "propertyName": "dealname", "propertyValue": "Contoso data platform"},
			map[string]any{"subscriptionType": "deal.propertyChange", "objectId": 777, "propertyName": "description", "propertyValue": "Data platform for 3 plants"},
		))
		if rep := h.Process(t); rep.Failed != 0 || rep.Processed != 1 {
			t.Fatalf("report %+v", rep)
		}
		d, err := st.DealByCRMID(t.Context(), "777")
		if err != nil {
			t.Fatalf("no deal made of the created record: %v", err)
		}
		if d.Name != "Contoso data platform" || d.Value != 42000_00 || d.CloseDate.Format(time.DateOnly) != "2027-05-31" {
			t.Errorf("deal %q %s %s", d.Name, d.Value, d.CloseDate)
		}
		post(events(t, map[string]any{"subscriptionType": "deal.merge", "objectId": 888, "primaryObjectId": 888, "mergedObjectIds": []int{777, 888}, "newObjectId": 888}))
		if rep := h.Process(t); rep.Processed != 1 {
			t.Fatalf("merge report %+v", rep)
		}
		if l, err := st.Link(t.Context(), "hubspot", "888"); err != nil || l.DealID != d.ID {
			t.Errorf("the merged record's deal: %+v %v", l, err)
		}
		if l, err := st.Link(t.Context(), "hubspot", "777"); err != nil || l.DealID != 0 || l.Gone.IsZero() {
			t.Errorf("the record merged away: %+v, %v; want a tombstone", l, err)
		}
		post(events(t, map[string]any{"subscriptionType": "deal.deletion", "objectId": 888}))
		if rep := h.Process(t); rep.Processed != 1 {
			t.Fatalf("deletion report %+v", rep)
		}
		if l, err := st.Link(t.Context(), "hubspot", "888"); err != nil || l.DealID != 0 || l.Gone.IsZero() {
			t.Errorf("the deleted record's link %+v, %v: want a tombstone (no deal, the deletion's time)", l, err)
		}
		if got, err := st.GetDeal(t.Context(), d.ID); err != nil || got.Status.Terminal() {
			t.Errorf("the deal after its record was deleted: %+v %v", got, err)
		}
		if hist := crmtest.History(t, st, d.ID); hist[len(hist)-1] != "hubspot unlinked" {
			t.Errorf("history %v", hist)
		}
	})
}

// A user empties the deal's description: HubSpot sends the property with
// propertyValue "". It reaches the deal rules as empty notes, which they
// refuse: the history says so, and the link knows HubSpot holds none (so
// the notes are sent back), instead of "already says so".
func TestEmptiedPropertyReachesTheDealRules(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		d := crmtest.AcceptedDeal(t, st, "9001", now)
		body, err := os.ReadFile("testdata/description_emptied.json")
		if err != nil {
			t.Fatal(err)
		}
		if code, resp := h.Post(t, path, signed(h, body, now), body); code != 200 {
			t.Fatalf("delivery: %d %s", code, resp)
		}
		if rep := h.Process(t); rep.Ignored != 1 {
			t.Fatalf("report %+v", rep)
		}
		if rows := h.Inbox(t); !strings.Contains(rows[0].Error, "refused by the deal rules") || !strings.Contains(rows[0].Error, "notes are required") {
			t.Errorf("inbox reason %q: want the empty notes refused", rows[0].Error)
		}
		if got, _ := st.GetDeal(t.Context(), d.ID); got.Notes != "BI for 12 plants" {
			t.Errorf("notes %q, want the deal's kept", got.Notes)
		}
		if hist := crmtest.History(t, st, d.ID); hist[len(hist)-1] != "hubspot refused" {
			t.Errorf("history %v", hist)
		}
		l, err := st.Link(t.Context(), hubspot.Name, "9001")
		if err != nil {
			t.Fatal(err)
		}
		if m, ok := l.Shadow[change.Notes]; !ok || m.Value != "" {
			t.Errorf("the link says HubSpot holds notes %+v, want empty", m)
		}
	})
}

// postLast delivers a batch of events, processes it, and returns the newest
// inbox row.
func postLast(t *testing.T, h *crmtest.Harness, es ...map[string]any) store.InboxEntry {
	t.Helper()
	body := events(t, es...)
	if code, resp := h.Post(t, path, signed(h, body, now), body); code != 200 {
		t.Fatalf("delivery: %d %s", code, resp)
	}
	h.Process(t)
	rows := h.Inbox(t)
	return rows[len(rows)-1]
}

// HubSpot does not keep the order of its events: a property changed just
// before the deal was deleted may arrive after the deletion. It is stale
// (it linked the deleted record back by the deal's CRM ID, and the deal's
// later edits went to a record that no longer exists); the restore, later
// than the deletion, links it again, and the record's news applies.
func TestLateEventOfADeletedDealIsStale(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		d := crmtest.AcceptedDeal(t, st, "18400002", now)
		post := func(es ...map[string]any) store.InboxEntry { t.Helper(); return postLast(t, h, es...) }
		at := func(d time.Duration) int64 { return now.Add(d).UnixMilli() }
		post(map[string]any{"subscriptionType": "deal.propertyChange", "objectId": 18400002, "propertyName": "dealname", "propertyValue": "Fabrikam rollout", "occurredAt": at(-time.Hour)})
		post(map[string]any{"subscriptionType": "deal.deletion", "objectId": 18400002, "occurredAt": at(-10 * time.Second)})
		row := post(map[string]any{"subscriptionType": "deal.propertyChange", "objectId": 18400002, "propertyName": "dealname", "propertyValue": "Fabrikam rollout phase 2", "occurredAt": at(-20 * time.Second)})
		if row.Status != store.InboxStale || !strings.Contains(row.Error, "HubSpot record 18400002 was deleted or merged away at") {
			t.Errorf("a late event of the deleted record: %s %q, want stale", row.Status, row.Error)
		}
		if l, err := st.Link(t.Context(), hubspot.Name, "18400002"); err != nil || l.DealID != 0 {
			t.Errorf("the deleted record after a late event: %+v %v, want it linked to no deal", l, err)
		}
		if got, _ := st.GetDeal(t.Context(), d.ID); got.Name != "Fabrikam rollout" {
			t.Errorf("deal name %q after a late event of its deleted record", got.Name)
		}
		row = post(map[string]any{"subscriptionType": "deal.restore", "objectId": 18400002, "occurredAt": at(-5 * time.Second)})
		if row.Status != store.InboxProcessed || !strings.Contains(row.Error, "was restored: linked to it again") {
			t.Errorf("restore: %s %q", row.Status, row.Error)
		}
		post(map[string]any{"subscriptionType": "deal.propertyChange", "objectId": 18400002, "propertyName": "dealname", "propertyValue": "Fabrikam rollout phase 3", "occurredAt": at(-time.Second)})
		if got, _ := st.GetDeal(t.Context(), d.ID); got.Name != "Fabrikam rollout phase 3" {
			t.Errorf("deal name %q after the restored record's change", got.Name)
		}
	})
}

// A record merged into one whose id another deal holds as its CRM ID (a
// deal made for it, not linked yet): the merged deal is linked to it, and
// keeps its own CRM ID, since a CRM ID belongs to one deal; the merge is
// applied, not failed on the database's refusal.
func TestMergeIntoAHeldCRMIDKeepsTheDealsOwn(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		d := crmtest.AcceptedDeal(t, st, "18400001", now)
		other := crmtest.AcceptedDeal(t, st, "18400005", now)
		post := func(es ...map[string]any) store.InboxEntry { t.Helper(); return postLast(t, h, es...) }
		post(map[string]any{"subscriptionType": "deal.propertyChange", "objectId": 18400001, "propertyName": "dealstage", "propertyValue": "qualifiedtobuy"})
		row := post(map[string]any{"subscriptionType": "deal.merge", "objectId": 18400005, "primaryObjectId": 18400005, "newObjectId": 18400005, "mergedObjectIds": []int{18400001, 18400005}})
		if row.Status != store.InboxProcessed || !strings.Contains(row.Error, "CRM ID kept: another deal has 18400005") {
			t.Errorf("merge: %s %q", row.Status, row.Error)
		}
		if got, err := st.GetDeal(t.Context(), d.ID); err != nil || got.CRMID != "18400001" {
			t.Errorf("the merged deal's CRM ID: %q %v; want its own", got.CRMID, err)
		}
		if got, err := st.DealByCRMID(t.Context(), "18400005"); err != nil || got.ID != other.ID {
			t.Errorf("CRM ID 18400005: deal %v, %v; want deal %d", got, err, other.ID)
		}
	})
}

// A merge that relinked the deal says so in the inbox, whichever merged
// record came last (one linked to no deal said "linked to no deal"); a
// restore that linked the deal again says that, not "already says so".
func TestMergeAndRestoreSayTheRelink(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		d := crmtest.AcceptedDeal(t, st, "18400001", now)
		post := func(es ...map[string]any) store.InboxEntry { t.Helper(); return postLast(t, h, es...) }
		post(map[string]any{"subscriptionType": "deal.propertyChange", "objectId": 18400001, "propertyName": "dealstage", "propertyValue": "qualifiedtobuy"})
		row := post(map[string]any{"subscriptionType": "deal.deletion", "objectId": 18400001})
		if row.Status != store.InboxProcessed {
			t.Fatalf("deletion: %s %q", row.Status, row.Error)
		}
		// Restored, the record (the deal's CRM ID) is linked again.
		row = post(map[string]any{"subscriptionType": "deal.restore", "objectId": 18400001})
		if row.Status != store.InboxProcessed || row.Error != fmt.Sprintf("deal #%d: HubSpot record 18400001 was restored: linked to it again", d.ID) {
			t.Errorf("restore: %s %q", row.Status, row.Error)
		}
		if l, err := st.Link(t.Context(), hubspot.Name, "18400001"); err != nil || l.DealID != d.ID {
			t.Fatalf("the restored record: %+v %v", l, err)
		}
		row = post(map[string]any{"subscriptionType": "deal.merge", "objectId": 18400005, "primaryObjectId": 18400005, "newObjectId": 18400005, "mergedObjectIds": []int{18400001, 18400004}})
		if row.Status != store.InboxProcessed || !strings.Contains(row.Error, fmt.Sprintf("deal #%d: HubSpot record 18400001 was merged into HubSpot record 18400005: linked to it instead", d.ID)) {
			t.Errorf("merge: %s %q", row.Status, row.Error)
		}
		if l, err := st.Link(t.Context(), hubspot.Name, "18400005"); err != nil || l.DealID != d.ID {
			t.Errorf("the record merged into: %+v %v", l, err)
		}
		// The card and a search by CRM ID find the deal by the record it
		// is linked to now.
		if got, err := st.GetDeal(t.Context(), d.ID); err != nil || got.CRMID != "18400005" {
			t.Errorf("the deal's CRM ID after the merge: %q %v", got.CRMID, err)
		}
	})
}
