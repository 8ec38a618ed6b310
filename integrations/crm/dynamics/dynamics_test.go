package dynamics_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
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

// One request runs several steps, each its own asynchronous delivery with
// the request's RequestId and an OperationId of its own (a WinOpportunity
// request: the Win step, and the Update step on statecode). Both apply;
// keyed by the RequestId, the second was dropped as a duplicate and the
// Win lost. A redelivery of one step (its OperationId again) is still a
// duplicate.
func TestStepsOfOneRequestAreEachApplied(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		crmtest.AcceptedDeal(t, st, opportunity, now)
		base := string(fixture(t, "opportunity_update.json"))
		base = strings.Replace(base, `"RequestId": null`, `"RequestId": "9d2c6a10-3b4e-4f5a-8c7d-0e1f2a3b4c5d"`, 1)
		first := base
		second := strings.Replace(base, `"OperationId": "5bf20748-4ea2-e711-8122-000d3aa2331c"`, `"OperationId": "6c031859-4ea2-e711-8122-000d3aa2331c"`, 1)
		if second == first {
			t.Fatal("the fixture's OperationId moved")
		}
		for i, body := range []string{first, second, second} {
			if code, resp := h.Post(t, "/webhooks/dynamics", headers("opportunity"), []byte(body)); code != 200 {
				t.Fatalf("delivery %d: %d %s", i, code, resp)
			}
		}
		if rows := h.Inbox(t); len(rows) != 2 {
			t.Errorf("%d inbox rows, want 2 (two steps; the redelivery a duplicate): %q", len(rows), reasons(rows))
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
		if len(rows) != 1 || rows[0].Status != store.InboxIgnored || rows[0].Error != "a contact record, not an opportunity" {
			t.Errorf("inbox %q", reasons(rows))
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

// reasons are the inbox rows' outcomes, without their bodies.
func reasons(rows []store.InboxEntry) []string {
	var out []string
	for _, r := range rows {
		out = append(out, string(r.Status)+": "+r.Error)
	}
	return out
}

// post delivers a fixture and applies it.
func post(t *testing.T, h *crmtest.Harness, name string) crm.Report {
	t.Helper()
	if code, resp := h.Post(t, "/webhooks/dynamics", headers("opportunity"), fixture(t, name)); code != 200 {
		t.Fatalf("%s: %d %s", name, code, resp)
	}
	return h.Process(t)
}

// A user empties the description: Dataverse sends the attribute as null
// in the Target (and leaves it out of the post image). It reaches the deal
// rules as empty notes, which they refuse (notes are required): the
// history says so, and the link knows Dynamics holds none, so the deal's
// notes are sent back instead of `cosellbot sync` saying "in step". An
// attribute the context does not hold (the update before it has no
// description) says nothing.
func TestEmptiedAttributeReachesTheDealRules(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		d := crmtest.AcceptedDeal(t, st, opportunity, now)
		if rep := post(t, h, "opportunity_update.json"); rep.Processed != 1 {
			t.Fatalf("update: %+v %q", rep, reasons(h.Inbox(t)))
		}
		if l, err := st.Link(t.Context(), dynamics.Name, opportunity); err != nil {
			t.Fatal(err)
		} else if m, ok := l.Shadow[change.Notes]; ok {
			t.Errorf("a context without description told notes %+v", m)
		}
		if rep := post(t, h, "opportunity_clear.json"); rep.Ignored != 1 {
			t.Fatalf("clear: %+v %q", rep, reasons(h.Inbox(t)))
		}
		rows := h.Inbox(t)
		if last := rows[len(rows)-1]; !strings.Contains(last.Error, "refused by the deal rules") || !strings.Contains(last.Error, "notes are required") {
			t.Errorf("inbox reason %q: want the empty notes refused by the rules", last.Error)
		}
		if got, _ := st.GetDeal(t.Context(), d.ID); got.Notes != "BI for 12 plants" {
			t.Errorf("notes %q, want the deal's kept", got.Notes)
		}
		if hist := crmtest.History(t, st, d.ID); hist[len(hist)-1] != "dynamics refused" {
			t.Errorf("history %v: want Dynamics' empty notes refused", hist)
		}
		l, err := st.Link(t.Context(), dynamics.Name, opportunity)
		if err != nil {
			t.Fatal(err)
		}
		if m, ok := l.Shadow[change.Notes]; !ok || m.Value != "" {
			t.Errorf("the link says Dynamics holds notes %+v, want empty (so the deal's are sent back)", m)
		}
	})
}

// A Paris user picks 2027-04-15 as the close date: the User Local
// behaviour of estimatedclosedate stores their midnight in UTC,
// 2027-04-14T22:00:00Z. The deal's close date is the day they chose.
func TestUserLocalCloseDateIsTheDayChosen(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		d := crmtest.AcceptedDeal(t, st, opportunity, now)
		if rep := post(t, h, "opportunity_userlocal.json"); rep.Processed != 1 {
			t.Fatalf("report %+v %q", rep, reasons(h.Inbox(t)))
		}
		if got, _ := st.GetDeal(t.Context(), d.ID); got.CloseDate.Format(time.DateOnly) != "2027-04-15" {
			t.Errorf("close %s, want 2027-04-15 as the Paris user chose it", got.CloseDate.Format(time.DateOnly))
		}
	})
}

// The time zones a local midnight can come from read back as its day: the
// nearest UTC midnight, for offsets from UTC-11 to UTC+12 (UTC-12, where
// nobody lives, is half-way and taken as UTC+12's; +13 and +14 are said in
// the README: a day early unless the column is Date Only).
func TestLocalMidnightsReadAsTheirDay(t *testing.T) {
	m := &crm.Mapping{Source: dynamics.Name, Record: "opportunity", Fields: map[string]string{"close": "estimatedclosedate"}}
	for _, offset := range []int{-11, -10, -8, -5, -3, 0, 1, 2, 3, 5, 8, 9, 10, 12} {
		local := time.Date(2027, 4, 15, 0, 0, 0, 0, time.FixedZone("", offset*3600))
		in, err := m.Incoming(crm.Change{Source: dynamics.Name, Fields: map[string]string{"estimatedclosedate": dynamics.DateOnly(fmt.Sprintf(`/Date(%d)/`, local.UnixMilli()))}})
		if err != nil || in.Values[change.Close] != "2027-04-15" {
			t.Errorf("UTC%+d: close %q %v, want 2027-04-15", offset, in.Values[change.Close], err)
		}
	}
	if got := dynamics.DateOnly("/Date(1806624000000)/"); got != "/Date(1806624000000)/" {
		t.Errorf("a UTC midnight (Date Only behaviour) became %q", got)
	}
}

// A step registered without a post image sends lookups as the Target
// holds them: Id and LogicalName, Name null. The inbox says the post image
// is missing and how to register it, not that a GUID is no ISO currency
// code; and an opportunity whose customer came without its name makes no
// deal of the GUID (nothing made up for Partner Center).
func TestLookupWithoutItsNameSaysThePostImageIsMissing(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ms, err := crm.LoadMappings("../../../deploy/crm", "dynamics")
		if err != nil {
			t.Fatal(err)
		}
		m := ms["dynamics"]
		clock := crmtest.NewClock(now)
		h := crmtest.New(t, st, clock, dynamics.New(secret, m, crmtest.Applier(st, clock)))
		hd := headers("opportunity")
		hd.Set("X-Ms-Dynamics-Request-Name", "Create")
		if code, resp := h.Post(t, "/webhooks/dynamics", hd, fixture(t, "opportunity_create_noimage.json")); code != 200 {
			t.Fatalf("delivery: %d %s", code, resp)
		}
		rep := h.Process(t)
		if rep.Failed != 1 {
			t.Fatalf("report %+v", rep)
		}
		why := rep.Failures[0].Error
		for _, want := range []string{"transactioncurrencyid", "5a6b7c8d-0000-4000-8000-0000000000c1", "without its name", "PostImage"} {
			if !strings.Contains(why, want) {
				t.Errorf("inbox reason %q does not say %q", why, want)
			}
		}
		if strings.Contains(why, "not an ISO currency code") {
			t.Errorf("inbox reason %q calls the GUID a currency code", why)
		}
		// The currency's id mapped (the other way out the reason names),
		// the customer still comes without its name: no deal, and why.
		m.Currencies["5a6b7c8d-0000-4000-8000-0000000000c1"] = "USD"
		if rep, err := h.Proc.Replay(t.Context(), dynamics.Name); err != nil || rep.Ignored != 1 {
			t.Fatalf("replay: %+v %v", rep, err)
		}
		if _, err := st.DealByCRMID(t.Context(), "1b2c3d4e-0000-4000-8000-00000000d003"); err == nil {
			t.Fatal("an opportunity whose customer came without its name made a deal")
		}
		rows := h.Inbox(t)
		why = rows[len(rows)-1].Error
		for _, want := range []string{"the customer's name is required", "customerid came without the account's name", "PostImage"} {
			if !strings.Contains(why, want) {
				t.Errorf("inbox reason %q does not say %q", why, want)
			}
		}
	})
}

// Dataverse does not keep the order of its steps' deliveries: an Update
// saved before the opportunity was deleted may arrive after the Delete. It
// is stale (the record is gone); it found the deal again by its CRM ID,
// linked the deleted record back and applied, and the deal's later edits
// were written to a record that no longer exists. So whether the record
// was linked before (an earlier event) or only named by the deal's CRM ID.
func TestLateUpdateOfADeletedOpportunityIsStale(t *testing.T) {
	for _, linked := range []bool{true, false} {
		t.Run(map[bool]string{true: "linked", false: "named by the crm id"}[linked], func(t *testing.T) {
			storetest.Dialects(t, func(t *testing.T, st *store.Store) { lateUpdateOfADeletedOpportunity(t, st, linked) })
		})
	}
}

func lateUpdateOfADeletedOpportunity(t *testing.T, st *store.Store, linked bool) {
	t.Helper()
	h := setup(t, st)
	d := crmtest.AcceptedDeal(t, st, opportunity, now)
	version := d.Version
	if linked {
		if err := st.SaveLink(t.Context(), change.Link{System: dynamics.Name, RecordID: opportunity, DealID: d.ID}); err != nil {
			t.Fatal(err)
		}
		version++ // the unlink's history line
	}
	hd := headers("opportunity")
	hd.Set("X-Ms-Dynamics-Request-Name", "Delete")
	body := fixture(t, "opportunity_delete.json")
	if linked {
		// The same GUID, as a plug-in may write it: upper case, braced.
		body = bytes.Replace(body, []byte(`"PrimaryEntityId": "`+opportunity+`"`), []byte(`"PrimaryEntityId": "{`+strings.ToUpper(opportunity)+`}"`), 1)
	}
	if code, resp := h.Post(t, "/webhooks/dynamics", hd, body); code != 200 {
		t.Fatalf("delivery: %d %s", code, resp)
	}
	if rep := h.Process(t); rep.Processed+rep.Ignored != 1 || linked && rep.Processed != 1 {
		t.Fatalf("delete: %+v %q", rep, reasons(h.Inbox(t)))
	}
	// Saved at 1795600000000, 30 s before the deletion.
	if rep := post(t, h, "opportunity_update.json"); rep.Stale != 1 {
		t.Fatalf("late update: %+v %q, want it stale", rep, reasons(h.Inbox(t)))
	}
	rows := h.Inbox(t)
	if last := rows[len(rows)-1]; !strings.Contains(last.Error, "was deleted or merged away at 2026-11-25T09:47:10Z") || !strings.Contains(last.Error, "not applied") {
		t.Errorf("inbox reason %q: want the deletion's time and \"not applied\"", last.Error)
	}
	links, err := st.LinksOf(t.Context(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		if l.System == dynamics.Name {
			t.Errorf("the deleted opportunity is linked again: %+v", l)
		}
	}
	got, err := st.GetDeal(t.Context(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != version {
		t.Errorf("linked %v: deal version %d after the late update, want %d (unchanged since the delete)", linked, got.Version, version)
	}
}

// Deleting an opportunity (a Delete step) unlinks its deal, as HubSpot's
// deletion does: the deal stays, its history says so, and nothing more is
// written to a record that is gone. (It was "already says so".)
func TestDeleteUnlinksTheDeal(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		h := setup(t, st)
		d := crmtest.AcceptedDeal(t, st, opportunity, now)
		if rep := post(t, h, "opportunity_update.json"); rep.Processed != 1 {
			t.Fatalf("update: %+v", rep)
		}
		hd := headers("opportunity")
		hd.Set("X-Ms-Dynamics-Request-Name", "Delete")
		if code, resp := h.Post(t, "/webhooks/dynamics", hd, fixture(t, "opportunity_delete.json")); code != 200 {
			t.Fatalf("delivery: %d %s", code, resp)
		}
		if rep := h.Process(t); rep.Processed != 1 {
			t.Fatalf("delete: %+v %q", rep, reasons(h.Inbox(t)))
		}
		if l, err := st.Link(t.Context(), dynamics.Name, opportunity); err != nil || l.DealID != 0 || l.Gone.IsZero() {
			t.Errorf("the deleted opportunity's link %+v, %v: want a tombstone (no deal, the deletion's time)", l, err)
		}
		rows := h.Inbox(t)
		if last := rows[len(rows)-1]; !strings.Contains(last.Error, "was deleted in Dynamics 365: unlinked") {
			t.Errorf("inbox reason %q", last.Error)
		}
		if hist := crmtest.History(t, st, d.ID); hist[len(hist)-1] != "dynamics unlinked" {
			t.Errorf("history %v", hist)
		}
		if got, err := st.GetDeal(t.Context(), d.ID); err != nil || got.Status.Terminal() {
			t.Errorf("the deal after its opportunity was deleted: %+v %v", got, err)
		}
	})
}
