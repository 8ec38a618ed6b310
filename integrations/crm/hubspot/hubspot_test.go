package hubspot_test

import (
	"errors"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

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
