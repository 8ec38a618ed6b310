package salesforce_test

import (
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/crmid"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/crmtest"
	"github.com/cosellbot/cosellbot/integrations/crm/salesforce"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

var now = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

const secret = "salesforce-secret"

func setup(t *testing.T, st *store.Store, orgs ...string) *crmtest.Harness {
	ms, err := crm.LoadMappings("../../../deploy/crm", "salesforce")
	if err != nil {
		t.Fatal(err)
	}
	clock := crmtest.NewClock(now)
	return crmtest.New(t, st, clock, salesforce.New(secret, orgs, ms["salesforce"], &crm.Applier{Engine: crmtest.Applier(st, clock).Engine, Find: st, IDs: crmid.Forms}))
}

func soap() http.Header {
	h := http.Header{}
	h.Set("Content-Type", "text/xml; charset=utf-8")
	h.Set("SOAPAction", `""`)
	return h
}

func TestOutboundMessageApplied(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st, "00D5g000004ABCD") // the 15-character form matches the 18
		d := crmtest.AcceptedDeal(t, st, "0065g00000QRS01AAA", now)
		body, err := os.ReadFile("testdata/outbound.xml")
		if err != nil {
			t.Fatal(err)
		}
		code, resp := h.Post(t, "/webhooks/salesforce?secret="+secret, soap(), body)
		if code != 200 || !strings.Contains(resp, "<Ack>true</Ack>") {
			t.Fatalf("delivery: %d %s", code, resp)
		}
		rows := h.Inbox(t)
		if len(rows) != 2 || rows[0].Key != "04l5g00000ABC01AAA" || !strings.HasPrefix(string(rows[0].Body), "<Notification>") || rows[1].Status != store.InboxIgnored {
			t.Fatalf("inbox %+v", rows)
		}
		if rep := h.Process(t); rep.Processed != 1 {
			t.Fatalf("report %+v", rep)
		}
		got, _ := st.GetDeal(t.Context(), d.ID)
		if got.Stage != deal.StageProposed || got.Value != 120000_00 || got.CloseDate.Format(time.DateOnly) != "2027-04-03" {
			t.Errorf("deal: stage %s value %s close %s", got.Stage, got.Value, got.CloseDate)
		}
		// Salesforce redelivers the message: acknowledged, nothing new.
		if code, resp := h.Post(t, "/webhooks/salesforce?secret="+secret, soap(), body); code != 200 || !strings.Contains(resp, "<Ack>true</Ack>") {
			t.Errorf("redelivery: %d %s", code, resp)
		}
		if rows := h.Inbox(t); len(rows) != 2 {
			t.Errorf("redelivery stored rows: %d", len(rows))
		}
	})
}

func TestOrganizationAndSecretChecked(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st, "00D000000000999")
		body, _ := os.ReadFile("testdata/outbound.xml")
		if code, resp := h.Post(t, "/webhooks/salesforce?secret="+secret, soap(), body); code != 401 || !strings.Contains(resp, "SALESFORCE_ORG_IDS") {
			t.Errorf("another organization: %d %s", code, resp)
		}
		h2 := setup(t, st, "00D5g000004ABCDEAA")
		if code, _ := h2.Post(t, "/webhooks/salesforce", soap(), body); code != 401 {
			t.Errorf("no secret: %d", code)
		}
		hdr := soap()
		hdr.Set(salesforce.HeaderSecret, secret)
		if code, _ := h2.Post(t, "/webhooks/salesforce", hdr, body); code != 200 {
			t.Errorf("secret in the header: %d", code)
		}
		// The right secret and a broken body: the body is named (400), not
		// the secret (401), which would send an admin after the wrong fix.
		if code, resp := h2.Post(t, "/webhooks/salesforce?secret="+secret, soap(), []byte(`<soapenv:Envelope><broken`)); code != 400 || !strings.Contains(resp, "body") {
			t.Errorf("broken XML with the right secret: %d %s, want 400 naming the body", code, resp)
		}
		if code, _ := h2.Post(t, "/webhooks/salesforce?secret=wrong", soap(), []byte(`<soapenv:Envelope><broken`)); code != 401 {
			t.Errorf("broken XML with a wrong secret: %d, want 401", code)
		}
	})
}

func FuzzDecodeNotification(f *testing.F) {
	f.Add([]byte(`<Notification><Id>04l1</Id><sObject xsi:type="sf:Opportunity"><sf:Id>006</sf:Id><sf:StageName>Closed Won</sf:StageName></sObject></Notification>`))
	f.Add([]byte(`<Notification><Id></Id></Notification>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := salesforce.DecodeNotification(b)
		if err != nil {
			var fe *crm.FieldError
			if !errors.As(err, &fe) || fe.Field == "" {
				t.Errorf("error %v names no field", err)
			}
			return
		}
		if n.ID == "" || n.Object.Values()["Id"] == "" {
			t.Errorf("accepted a notification without ids: %+v", n)
		}
	})
}

func FuzzDecodeMessage(f *testing.F) {
	body, err := os.ReadFile("testdata/outbound.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(body)
	f.Add([]byte(`<Envelope><Body><notifications></notifications></Body></Envelope>`))
	src := salesforce.New(secret, []string{"00D5g000004ABCD"}, &crm.Mapping{Source: "salesforce", Record: "Opportunity"}, nil)
	f.Fuzz(func(t *testing.T, b []byte) {
		events, err := src.Decode(nil, b)
		if err != nil {
			var fe *crm.FieldError
			if !errors.As(err, &fe) || fe.Field == "" {
				t.Errorf("error %v names no field", err)
			}
			return
		}
		for _, e := range events {
			if e.Key == "" {
				t.Errorf("an event without a key: %q", e.Body)
			}
			if _, err := salesforce.DecodeNotification(e.Body); err != nil {
				t.Errorf("a stored notification does not decode: %v", err)
			}
		}
	})
}

// Salesforce shows a refusal in its outbound message queue as the SOAP
// fault it got: a wrong secret answers 401 with one, naming the reason.
func TestRefusalIsASOAPFault(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st, "00D5g000004ABCD")
		body, err := os.ReadFile("testdata/outbound.xml")
		if err != nil {
			t.Fatal(err)
		}
		code, resp := h.Post(t, "/webhooks/salesforce?secret=wrong", soap(), body)
		if code != 401 || !strings.Contains(resp, "<soapenv:Fault>") || !strings.Contains(resp, "<faultcode>soapenv:Client</faultcode>") || !strings.Contains(resp, "bad_signature") {
			t.Errorf("refusal: %d %s", code, resp)
		}
		// 100 notifications with long descriptions fit.
		n := strings.Repeat(`<Notification><Id>04l5g00000ABC01AAA</Id><sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>0065g00000QRS01AAA</sf:Id><sf:Description>`+strings.Repeat("x", 32000)+`</sf:Description></sObject></Notification>`, 100)
		big := strings.Replace(string(body), "<Notification>", n+"<Notification>", 1)
		if code, resp := h.Post(t, "/webhooks/salesforce?secret="+secret, soap(), []byte(big)); code == http.StatusRequestEntityTooLarge {
			t.Errorf("a message of 100 notifications (%d bytes) was too large: %s", len(big), resp[:min(len(resp), 200)])
		}
	})
}

// The outbound message sends the emptied Description as xsi:nil: it is
// empty notes for the deal rules, which refuse them (the rest of the record
// is applied; the history says so; the link knows Salesforce holds none, so
// the notes are sent back). Fields the message was not set up with
// (CurrencyIsoCode, Loss_Reason__c here) say nothing. The Account in the
// same message is ignored, in English.
func TestNilFieldIsAnEmptyValue(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st, "00D5g000004ABCD")
		d := crmtest.AcceptedDeal(t, st, "0065g00000QRS01AAA", now)
		body, err := os.ReadFile("testdata/outbound.xml")
		if err != nil {
			t.Fatal(err)
		}
		if code, resp := h.Post(t, "/webhooks/salesforce?secret="+secret, soap(), body); code != 200 {
			t.Fatalf("delivery: %d %s", code, resp)
		}
		if rep := h.Process(t); rep.Processed != 1 {
			t.Fatalf("report %+v", rep)
		}
		rows := h.Inbox(t)
		if !strings.Contains(rows[0].Error, "notes not applied: notes: notes are required") {
			t.Errorf("inbox reason %q: want the nil Description refused as empty notes", rows[0].Error)
		}
		if rows[1].Error != "an Account record, not an Opportunity" {
			t.Errorf("inbox reason %q", rows[1].Error)
		}
		got, _ := st.GetDeal(t.Context(), d.ID)
		if got.Notes != "BI for 12 plants" || got.Value != 120000_00 {
			t.Errorf("deal: notes %q value %s", got.Notes, got.Value)
		}
		if hist := crmtest.History(t, st, d.ID); hist[len(hist)-1] != "salesforce refused" {
			t.Errorf("history %v: want Salesforce's empty notes refused", hist)
		}
		l, err := st.Link(t.Context(), salesforce.Name, "0065g00000QRS01")
		if err != nil {
			t.Fatal(err)
		}
		if m, ok := l.Shadow[change.Notes]; !ok || m.Value != "" {
			t.Errorf("the link says Salesforce holds notes %+v, want empty", m)
		}
		for _, f := range []change.Field{change.Currency, change.Reason} {
			if m, ok := l.Shadow[f]; ok {
				t.Errorf("a field the message does not carry told %s %+v", f, m)
			}
		}
	})
}
