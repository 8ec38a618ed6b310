package dynamics_test

import (
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/crmtest"
	"github.com/cosellbot/cosellbot/integrations/crm/dynamics"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

var now = time.UnixMilli(1795600060000).UTC()

const secret = "dynamics-shared-secret"

const opportunity = "0a4f2c1e-77a0-f011-8122-000d3aa2331c"

func setup(t *testing.T, st *store.Store) *crmtest.Harness {
	ms, err := crm.LoadMappings("../../../deploy/crm", "dynamics")
	if err != nil {
		t.Fatal(err)
	}
	clock := crmtest.NewClock(now)
	return crmtest.New(t, st, clock, dynamics.New(secret, ms["dynamics"], crmtest.Applier(st, clock)))
}

// headers are what Dataverse sends, with the secret as an HttpHeader.
func headers(entity string) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Ms-Dynamics-Organization", "contoso.crm4.dynamics.com")
	h.Set("X-Ms-Dynamics-Entity-Name", entity)
	h.Set("X-Ms-Dynamics-Request-Name", "Update")
	h.Set("X-Ms-Correlation-Request-Id", "bbbb1111-cc22-3333-44dd-555555eeeeee")
	h.Set(dynamics.HeaderSecret, secret)
	return h
}

func fixture(t *testing.T, name string) []byte {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOpportunityUpdateApplied(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		d := crmtest.AcceptedDeal(t, st, opportunity, now)
		body := fixture(t, "opportunity_update.json")
		if code, resp := h.Post(t, "/webhooks/dynamics", headers("opportunity"), body); code != 200 {
			t.Fatalf("delivery: %d %s", code, resp)
		}
		if rep := h.Process(t); rep.Processed != 1 {
			t.Fatalf("report %+v %v", rep, h.Inbox(t))
		}
		got, _ := st.GetDeal(t.Context(), d.ID)
		if got.Stage != deal.StageProposed || got.Value != 82500_00 || got.Name != "Fabrikam BI rollout" || got.CloseDate.Format(time.DateOnly) != "2027-04-02" {
			t.Errorf("deal: stage %s value %s name %q close %s", got.Stage, got.Value, got.Name, got.CloseDate)
		}
		rows := h.Inbox(t)
		if rows[0].Key != "5bf20748-4ea2-e711-8122-000d3aa2331c" || rows[0].Headers[dynamics.HeaderSecret] != "" {
			t.Errorf("row key %q, secret stored: %q", rows[0].Key, rows[0].Headers[dynamics.HeaderSecret])
		}
	})
}

func TestOtherEntitiesIgnoredAndSecretChecked(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		body := fixture(t, "contact_update.json")
		noSecret := headers("contact")
		noSecret.Del(dynamics.HeaderSecret)
		wrong := headers("contact")
		wrong.Set(dynamics.HeaderSecret, "guess")
		for name, hdr := range map[string]http.Header{"missing": noSecret, "wrong": wrong} {
			if code, _ := h.Post(t, "/webhooks/dynamics", hdr, body); code != 401 {
				t.Errorf("%s secret: %d", name, code)
			}
		}
		if code, resp := h.Post(t, "/webhooks/dynamics?code="+secret, noSecret, body); code != 200 {
			t.Fatalf("WebhookKey ?code=: %d %s", code, resp)
		}
		rows := h.Inbox(t)
		if len(rows) != 1 || rows[0].Status != store.InboxIgnored || !strings.Contains(rows[0].Error, "contact") {
			t.Errorf("inbox %+v", rows)
		}
		noOp := []byte(strings.Replace(string(body), `"OperationId": "4af10637-4ea2-e711-8122-000d3aa2331c",`, "", 1))
		if code, resp := h.Post(t, "/webhooks/dynamics", headers("contact"), noOp); code != 400 || !strings.Contains(resp, "OperationId") {
			t.Errorf("no OperationId: %d %s", code, resp)
		}
	})
}

func TestStrippedContextFailsWithTheReason(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		crmtest.AcceptedDeal(t, st, opportunity, now)
		hdr := headers("opportunity")
		hdr.Set("X-Ms-Dynamics-Msg-Size-Exceeded", "true")
		h.Post(t, "/webhooks/dynamics", hdr, fixture(t, "opportunity_update.json"))
		rep := h.Process(t)
		if rep.Failed != 1 || !strings.Contains(rep.Failures[0].Error, "256 KB") {
			t.Errorf("report %+v", rep)
		}
		if rows := h.Inbox(t); len(rows[0].Body) == 0 {
			t.Error("the failed delivery's body is not kept for replay")
		}
	})
}

func FuzzDecode(f *testing.F) {
	for _, name := range []string{"contact_update.json", "opportunity_update.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := dynamics.Decode(b)
		if err != nil {
			var fe *crm.FieldError
			if !errors.As(err, &fe) || fe.Field == "" {
				t.Errorf("Decode error %v names no field", err)
			}
			return
		}
		if c.PrimaryEntityID == "" || (c.OperationID == "" && (c.RequestID == nil || *c.RequestID == "")) {
			t.Errorf("accepted a context without its ids: %+v", c)
		}
		for _, p := range c.PostEntityImages {
			for _, a := range p.Value.Attributes {
				a.Text()
			}
		}
	})
}

// Synchronous steps send the zero OperationId with every delivery: two
// different updates are two events, the same context twice is one.
func TestSynchronousStepDeliveriesAreToldApart(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		d := crmtest.AcceptedDeal(t, st, opportunity, now)
		sync := strings.Replace(string(fixture(t, "opportunity_update.json")), `"OperationId": "5bf20748-4ea2-e711-8122-000d3aa2331c"`, `"OperationId": "00000000-0000-0000-0000-000000000000"`, 1)
		first := []byte(sync)
		second := strings.Replace(sync, `"Value": 82500.00`, `"Value": 91000.00`, 1)
		second = strings.Replace(second, `1795600000000`, `1795600060000`, 1) // modified a minute later
		for _, body := range [][]byte{first, first, []byte(second)} {
			if code, resp := h.Post(t, "/webhooks/dynamics", headers("opportunity"), body); code != 200 {
				t.Fatalf("delivery: %d %s", code, resp)
			}
		}
		if rows := h.Inbox(t); len(rows) != 2 {
			t.Fatalf("%d rows stored, want 2 (the repeated context is a duplicate)", len(rows))
		}
		if rep := h.Process(t); rep.Failed != 0 {
			t.Fatalf("report %+v", rep)
		}
		if got, _ := st.GetDeal(t.Context(), d.ID); got.Value != 91000_00 {
			t.Errorf("value %s, want the second update's 91,000", got.Value)
		}
	})
}

// An opportunity created in Dynamics 365 makes a deal with the mapping's
// defaults, its customer read from customerid by name and its notes from
// the description: nothing invented. Without a customer or a description
// it makes no deal, and the inbox says what it lacks.
func TestCreatedOpportunityMakesADeal(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		hd := headers("opportunity")
		hd.Set("X-Ms-Dynamics-Request-Name", "Create")
		body := fixture(t, "opportunity_create.json")
		if code, resp := h.Post(t, "/webhooks/dynamics", hd, body); code != 200 {
			t.Fatalf("delivery: %d %s", code, resp)
		}
		if rep := h.Process(t); rep.Processed != 1 {
			t.Fatalf("report %+v %v", rep, h.Inbox(t))
		}
		d, err := st.DealByCRMID(t.Context(), "1b2c3d4e-0000-4000-8000-00000000d001")
		if err != nil {
			t.Fatal(err)
		}
		if d.Customer.Name != "Fabrikam AB" || d.Notes != "Finance and supply chain for 3 plants" || d.Value != 120000_00 || d.Currency != "USD" {
			t.Errorf("deal: customer %q notes %q value %s %s", d.Customer.Name, d.Notes, d.Value, d.Currency)
		}
		// The same, without a customer: no deal, and the reason.
		bare := strings.Replace(strings.Replace(string(body), "1b2c3d4e-0000-4000-8000-00000000d001", "1b2c3d4e-0000-4000-8000-00000000d002", -1), `"key": "customerid"`, `"key": "ignored"`, 1)
		bare = strings.Replace(bare, "6c031859-5fb3-e711-8122-000d3aa2331c", "6c031859-5fb3-e711-8122-000d3aa2331d", 1)
		if code, resp := h.Post(t, "/webhooks/dynamics", hd, []byte(bare)); code != 200 {
			t.Fatalf("delivery: %d %s", code, resp)
		}
		h.Process(t)
		if _, err := st.DealByCRMID(t.Context(), "1b2c3d4e-0000-4000-8000-00000000d002"); err == nil {
			t.Error("an opportunity without a customer made a deal")
		}
		rows := h.Inbox(t)
		if last := rows[len(rows)-1]; !strings.Contains(last.Error, "customer") {
			t.Errorf("inbox note %q does not say the customer is missing", last.Error)
		}
	})
}
