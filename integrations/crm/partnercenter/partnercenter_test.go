package partnercenter_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/ledger"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/crmtest"
	pcsource "github.com/cosellbot/cosellbot/integrations/crm/partnercenter"
	"github.com/cosellbot/cosellbot/integrations/partnercenter"
	"github.com/cosellbot/cosellbot/integrations/partnercenter/pcfake"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

var now = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

const (
	secret   = "pc-url-secret"
	newID    = "7b1c2d3e-4f50-4a61-8b72-93a4b5c6d7e8"
	activeID = "e4db6e31-1900-43b9-a0c8-6f1d7e8f9a0b"
)

// pki is a test CA and a signing certificate issued to Microsoft by it,
// published on an HTTPS server the way Partner Center publishes its own.
type pki struct {
	roots   *x509.CertPool
	key     *rsa.PrivateKey
	certURL string
	client  *http.Client
}

func newPKI(t *testing.T, org string) *pki {
	t.Helper()
	caKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test Root CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "pcnotifications-dispatch.microsoft.com", Organization: []string{org}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(90 * 24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pkix-cert")
		w.Write(leafDER)
	}))
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(caCert)
	return &pki{roots: roots, key: key, certURL: srv.URL + "/cert/pcnotifications-dispatch.microsoft.com.cer", client: srv.Client()}
}

// sign builds the headers Partner Center sends with a notification.
func (p *pki) sign(t *testing.T, body []byte) http.Header {
	sum := sha256.Sum256(body)
	sig, err := rsa.SignPKCS1v15(rand.Reader, p.key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Authorization", "Signature "+base64.StdEncoding.EncodeToString(sig))
	h.Set(pcsource.HeaderCertURL, p.certURL)
	h.Set(pcsource.HeaderAlgorithm, "rsa-sha256")
	return h
}

type env struct {
	h      *crmtest.Harness
	api    *pcfake.API
	client *partnercenter.Client
	src    *pcsource.Source
	pki    *pki
	st     *store.Store
}

func setup(t *testing.T, st *store.Store) *env {
	t.Helper()
	clock := crmtest.NewClock(now)
	api := pcfake.New(t, clock.Now)
	client, err := partnercenter.New(partnercenter.Config{APIURL: api.APIURL(), TokenURL: api.TokenURL(), ClientID: pcfake.ClientID, ClientSecret: pcfake.ClientSecret, RefreshToken: pcfake.RefreshToken})
	if err != nil {
		t.Fatal(err)
	}
	p := newPKI(t, pcsource.Organization)
	src := pcsource.New(secret, pcsource.NewCerts([]string{"127.0.0.1"}, p.roots, p.client), client, st, change.New(st, clock, map[string][]change.Field{pcsource.Name: nil}, nil, nil), "", clock, nil)
	return &env{h: crmtest.New(t, st, clock, src), api: api, client: client, src: src, pki: p, st: st}
}

func fixture(t *testing.T, name string) string {
	b, err := os.ReadFile("../../partnercenter/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// notification is the body Partner Center posts; its ResourceUri has
// Partner Center's webhook host, which cosellbot must never call.
func notification(event, id string, at time.Time) []byte {
	return fmt.Appendf(nil, `{
    "EventName": %q,
    "ResourceUri": "https://api.partnercenter.microsoft.com/engagements/v1/referrals/%s",
    "ResourceName": "referral",
    "AuditUri": null,
    "ResourceChangeUtcDate": %q
}`, event, id, at.Format("2006-01-02T15:04:05.0000000+00:00"))
}

func (e *env) deliver(t *testing.T, body []byte) (int, string) {
	return e.h.Post(t, "/webhooks/partnercenter?secret="+secret, e.pki.sign(t, body), body)
}

func TestNewReferralBecomesAReceivedDeal(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := setup(t, st)
		e.api.Put(fixture(t, "referral_new.json"))
		body := notification("referral-created", newID, now.Add(-time.Minute))
		for range 2 { // Partner Center retries: stored once
			if code, resp := e.deliver(t, body); code != 200 {
				t.Fatalf("delivery: %d %s", code, resp)
			}
		}
		if rep := e.h.Process(t); rep.Processed != 1 {
			t.Fatalf("report %+v %+v", rep, e.h.Inbox(t))
		}
		d, err := st.DealByExternalID(t.Context(), newID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != deal.Received || d.Direction != deal.Inbound || d.SaleType != deal.CoSell || d.From != "microsoft" ||
			d.Value != 75000_00 || d.Currency != "EUR" || d.Customer.Name != "Tailspin Toys GmbH" || d.Customer.Location != "DE" ||
			d.Location != "4567890" || d.Customer.Contact == nil || len(d.Team) != 1 || len(d.Solutions) != 1 ||
			!d.ExpiresAt.Equal(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("deal %+v", d)
		}
		if h := crmtest.History(t, st, d.ID); len(h) != 1 || h[0] != "partnercenter received" {
			t.Errorf("history %v", h)
		}
		for _, r := range e.api.Requests() {
			if r != "GET /v1.0/engagements/referrals/"+newID {
				t.Errorf("unexpected API call %s", r)
			}
		}
		link, err := st.Link(t.Context(), pcsource.Name, newID)
		if err != nil || link.ETag == "" || link.DealID != d.ID || link.Shadow[change.Status].Value != "received" {
			t.Errorf("link %+v, %v", link, err)
		}
	})
}

// A referral naming, as its CRM ID (externalReferenceId), a record whose
// CRM ID another deal holds is a deal all the same, without the ID: the
// record links to one deal, the one that held it. The history says so.
func TestReferralWithAHeldCRMIDBecomesADealWithoutIt(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := setup(t, st)
		holder := crmtest.AcceptedDeal(t, st, "opp-held", now)
		e.api.Put(fixture(t, "referral_new.json"))
		e.api.Set(newID, "externalReferenceId", "opp-held")
		if code, resp := e.deliver(t, notification("referral-created", newID, now.Add(-time.Minute))); code != 200 {
			t.Fatalf("delivery: %d %s", code, resp)
		}
		if rep := e.h.Process(t); rep.Processed != 1 {
			t.Fatalf("report %+v %+v", rep, e.h.Inbox(t))
		}
		d, err := st.DealByExternalID(t.Context(), newID)
		if err != nil {
			t.Fatal(err)
		}
		if d.CRMID != "" {
			t.Errorf("the referral's deal has CRM ID %q, held by deal %d", d.CRMID, holder.ID)
		}
		if got, err := st.DealByCRMID(t.Context(), "opp-held"); err != nil || got.ID != holder.ID {
			t.Errorf("opp-held is deal %v's (%v), want deal %d's", got, err, holder.ID)
		}
		hist, err := st.History(t.Context(), d.ID)
		if err != nil || len(hist) != 1 || !strings.Contains(hist[0].Detail, "CRM ID opp-held left out: another deal already has CRM ID opp-held") {
			t.Errorf("history %+v, %v; want the received line saying the CRM ID was left out", hist, err)
		}
	})
}

func TestSignatureChecks(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := setup(t, st)
		body := notification("referral-created", newID, now)
		other := newPKI(t, pcsource.Organization) // a CA nobody configured
		notMicrosoft := newPKI(t, "Fabrikam Ltd")
		tests := map[string]http.Header{
			"tampered body":   e.pki.sign(t, append([]byte(" "), body...)),
			"untrusted chain": other.sign(t, body),
			"not Microsoft":   notMicrosoft.sign(t, body),
		}
		badHost := e.pki.sign(t, body)
		badHost.Set(pcsource.HeaderCertURL, strings.Replace(e.pki.certURL, "127.0.0.1", "localhost", 1))
		tests["host not allowed"] = badHost
		noAlg := e.pki.sign(t, body)
		noAlg.Del(pcsource.HeaderAlgorithm)
		tests["no algorithm"] = noAlg
		for name, hdr := range tests {
			if code, resp := e.h.Post(t, "/webhooks/partnercenter?secret="+secret, hdr, body); code != 401 {
				t.Errorf("%s: %d %s", name, code, resp)
			}
		}
		if code, _ := e.h.Post(t, "/webhooks/partnercenter", e.pki.sign(t, body), body); code != 401 {
			t.Errorf("without the URL secret: %d", code)
		}
		// The signature may come in X-MS-Signature instead.
		moved := e.pki.sign(t, body)
		moved.Set(pcsource.HeaderSignature, moved.Get("Authorization"))
		moved.Del("Authorization")
		if code, resp := e.h.Post(t, "/webhooks/partnercenter?secret="+secret, moved, body); code != 200 {
			t.Errorf("signature in X-MS-Signature: %d %s", code, resp)
		}
		if rows := e.h.Inbox(t); len(rows) != 1 {
			t.Errorf("%d rows stored, want only the valid delivery", len(rows))
		}
	})
}

func TestUpdatesInOrderAndOutOfOrder(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := setup(t, st)
		e.api.Put(fixture(t, "referral_new.json"))
		e.deliver(t, notification("referral-created", newID, now.Add(-time.Hour)))
		e.h.Process(t)

		// The partner accepts in Partner Center and moves the stage.
		e.h.Clock.Set(now.Add(time.Hour))
		e.api.Set(newID, "status", "Active")
		e.api.Set(newID, "substatus", "Accepted")
		e.api.Set(newID, "details/closingDateTime", "2027-02-01T00:00:00Z")
		e.api.Set(newID, "salesStage", "Develop")
		e.deliver(t, notification("referral-updated", newID, now.Add(time.Hour)))
		if rep := e.h.Process(t); rep.Processed != 1 {
			t.Fatalf("update report %+v %v", rep, e.h.Inbox(t))
		}
		d, _ := st.DealByExternalID(t.Context(), newID)
		if d.Status != deal.Accepted || d.Stage != deal.StageDeveloped || d.CloseDate.Format(time.DateOnly) != "2027-02-01" {
			t.Errorf("deal after the update: %s %s %s", d.Status, d.Stage, d.CloseDate)
		}
		// A notification older than what was applied arrives late: stale.
		e.deliver(t, notification("referral-updated", newID, now.Add(-30*time.Minute)))
		if rep := e.h.Process(t); rep.Stale != 1 {
			t.Errorf("late notification: %+v", rep)
		}
		// The same version notified again changes nothing.
		e.deliver(t, notification("related-referral-updated", newID, now.Add(time.Hour)))
		if rep := e.h.Process(t); rep.Ignored != 1 {
			t.Errorf("repeated version: %+v", rep)
		}
	})
}

func TestActiveReferralFromTheRealShape(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := setup(t, st)
		e.api.Put(fixture(t, "referral_active.json"))
		e.deliver(t, notification("referral-created", activeID, now))
		if rep := e.h.Process(t); rep.Processed != 1 {
			t.Fatalf("report %+v %v", rep, e.h.Inbox(t))
		}
		d, _ := st.DealByExternalID(t.Context(), activeID)
		if d.Status != deal.Accepted || d.Value != 12000_50 || d.Customer.Contact == nil || d.Customer.Contact.Name != "Lucía Cliente" ||
			d.Notes != "Partner Center referral "+activeID || d.CloseDate.Format(time.DateOnly) != "2027-01-15" {
			t.Errorf("deal %+v", d)
		}
	})
}

func TestUnhandledEventsAndMalformedNotifications(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := setup(t, st)
		test := []byte(`{"EventName":"test-created","ResourceUri":"http://localhost:16722/v1/webhooks/registration/test","ResourceName":"test","AuditUri":null,"ResourceChangeUtcDate":"2026-11-16T16:19:06.3520276+00:00"}`)
		if code, resp := e.deliver(t, test); code != 200 {
			t.Fatalf("test event: %d %s", code, resp)
		}
		if rows := e.h.Inbox(t); len(rows) != 1 || rows[0].Status != store.InboxIgnored {
			t.Errorf("inbox %+v", rows)
		}
		noID := []byte(`{"EventName":"referral-updated","ResourceUri":"https://x/engagements/v1/referrals/","ResourceChangeUtcDate":"2026-11-16T16:19:06Z"}`)
		if code, resp := e.deliver(t, noID); code != 400 || !strings.Contains(resp, "ResourceUri") {
			t.Errorf("no referral id: %d %s", code, resp)
		}
		// A referral Partner Center no longer has: failed with the reason.
		e.deliver(t, notification("referral-updated", "0000-gone", now))
		if rep := e.h.Process(t); rep.Failed != 1 || !strings.Contains(rep.Failures[0].Error, "404") {
			t.Errorf("report %+v", rep)
		}
	})
}

func TestPollBackstop(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := setup(t, st)
		e.api.Put(fixture(t, "referral_new.json"))
		e.api.Put(fixture(t, "referral_active.json"))
		n, failures, err := e.src.Poll(t.Context())
		if err != nil || n != 2 || len(failures) != 0 {
			t.Fatalf("Poll = %d, %v, %v", n, failures, err)
		}
		// Nothing changed since: the next poll asks from the last update
		// and applies nothing.
		if n, _, err := e.src.Poll(t.Context()); err != nil || n != 0 {
			t.Errorf("second Poll = %d, %v", n, err)
		}
		e.h.Clock.Set(now.Add(time.Hour))
		e.api.Set(newID, "status", "Closed")
		e.api.Set(newID, "substatus", "Declined")
		e.api.Set(newID, "statusReason", "no capacity this quarter")
		if n, failures, err := e.src.Poll(t.Context()); err != nil || n != 1 {
			t.Fatalf("third Poll = %d, %v, %v", n, failures, err)
		}
		d, _ := st.DealByExternalID(t.Context(), newID)
		if d.Status != deal.Declined || d.Reason != "no capacity this quarter" {
			t.Errorf("deal %s %q", d.Status, d.Reason)
		}
	})
}

func TestStatusMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status, sub, dir string
		want             deal.Status
	}{
		{"New", "Pending", "Incoming", deal.Received},
		{"New", "Received", "Incoming", deal.Received},
		{"Active", "Accepted", "Incoming", deal.Accepted},
		{"Closed", "Won", "Incoming", deal.Won},
		{"Closed", "Lost", "Outgoing", deal.Lost},
		{"Closed", "Declined", "Incoming", deal.Declined},
		{"Closed", "Expired", "Incoming", deal.Expired},
		{"New", "Pending", "Outgoing", deal.Created},
	}
	for _, tt := range tests {
		got, err := pcsource.Status(&partnercenter.Referral{Status: tt.status, Substatus: tt.sub, Direction: tt.dir})
		if err != nil || got != tt.want {
			t.Errorf("Status(%s/%s %s) = %s, %v; want %s", tt.status, tt.sub, tt.dir, got, err, tt.want)
		}
	}
	if _, err := pcsource.Status(&partnercenter.Referral{Status: "Closed", Substatus: "Pending"}); err == nil {
		t.Error("Closed/Pending accepted")
	}
}

func FuzzDecodeNotification(f *testing.F) {
	f.Add(notification("referral-created", newID, now))
	f.Add([]byte(`{"EventName":"test-created","ResourceUri":"http://localhost:16722/v1/webhooks/registration/test","ResourceName":"test","AuditUri":null,"ResourceChangeUtcDate":"2017-11-16T16:19:06.3520276+00:00"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, id, at, err := pcsource.DecodeNotification(b)
		if err != nil {
			var fe *crm.FieldError
			if !errors.As(err, &fe) || fe.Field == "" {
				t.Errorf("error %v names no field", err)
			}
			return
		}
		if id != "" && (!partnercenter.ValidID(id) || at.IsZero()) {
			t.Errorf("accepted referral id %q at %v", id, at)
		}
	})
}

// A fetch that fails for a passing reason (Partner Center answers 503) is
// tried again on its own, with backoff; no one has to run replay.
func TestFailedFetchRetriesOnItsOwn(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := setup(t, st)
		e.api.Put(fixture(t, "referral_new.json"))
		e.api.FailNext(100)
		e.deliver(t, notification("referral-created", newID, now.Add(-time.Minute)))
		if rep := e.h.Process(t); rep.Retrying != 1 || rep.Failed != 0 {
			t.Fatalf("report %+v, want the event waiting for a retry", rep)
		}
		if rep := e.h.Process(t); rep.Processed+rep.Retrying != 0 {
			t.Fatalf("retried before its backoff: %+v", rep)
		}
		e.api.FailNext(0)
		e.h.Clock.Set(now.Add(time.Minute))
		if rep := e.h.Process(t); rep.Processed != 1 {
			t.Fatalf("report after the backoff %+v", rep)
		}
		if _, err := st.DealByExternalID(t.Context(), newID); err != nil {
			t.Errorf("no deal after the retry: %v", err)
		}
	})
}

// A related-referral event names another party's referral of the same
// engagement: it makes no second deal.
func TestRelatedReferralMakesNoSecondDeal(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := setup(t, st)
		e.api.Put(fixture(t, "referral_new.json"))
		e.deliver(t, notification("referral-created", newID, now.Add(-time.Minute)))
		related := strings.Replace(fixture(t, "referral_new.json"), newID, "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", 1)
		e.api.Put(related)
		e.deliver(t, notification("related-referral-created", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", now.Add(-time.Minute)))
		rep := e.h.Process(t)
		if rep.Processed != 1 || rep.Ignored != 1 {
			t.Fatalf("report %+v", rep)
		}
		if ds, _ := st.ListDeals(t.Context(), ledger.DealFilter{}); len(ds) != 1 {
			t.Errorf("%d deals for one engagement", len(ds))
		}
	})
}

// Record names the referral a stored notification is about, as links name
// it, so that `cosellbot sync DEAL` lists a linked referral's failed
// notifications; an event about no referral, or a body that is no
// notification, names none.
func TestRecordOfANotification(t *testing.T) {
	e := setup(t, storetest.OpenSQLite(t))
	var _ crm.Recorder = e.src
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"referral updated", notification("referral-updated", newID, now), newID},
		{"referral created", notification("referral-created", activeID, now), activeID},
		{"related referral", notification("related-referral-updated", activeID, now), activeID},
		{"not about referrals", []byte(`{"EventName":"test-created","ResourceUri":"http://localhost:16722/v1/webhooks/registration/test","ResourceChangeUtcDate":"2026-11-16T16:19:06Z"}`), ""},
		{"no referral id", []byte(`{"EventName":"referral-updated","ResourceUri":"https://x/engagements/v1/referrals/","ResourceChangeUtcDate":"2026-11-16T16:19:06Z"}`), ""},
		{"not JSON", []byte(`<xml/>`), ""},
	}
	for _, tt := range tests {
		if got := e.src.Record(ledger.InboxEntry{Source: pcsource.Name, Body: tt.body}); got != tt.want {
			t.Errorf("%s: Record = %q, want %q", tt.name, got, tt.want)
		}
	}
}
