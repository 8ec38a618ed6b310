package crm_test

// What a CRM user emptying a field comes to, through the whole path
// (receiver, processor, change path, syncer), and what a record linked to
// no deal comes to in the inbox.

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/crmtest"
	"github.com/cosellbot/cosellbot/integrations/crm/hubspot"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// A HubSpot user empties each synced property in turn (HubSpot sends
// propertyValue ""). The empty value reaches the deal rules instead of
// being dropped: none of these may be empty on an accepted deal, so the
// deal keeps its value, HubSpot is sent it back, and nothing is left
// claiming "in step" while HubSpot is empty.
//
// Where the engine (bot/change) stands for each field: name, currency and
// notes are refused by deal.Edit's rules, with a "refused" history line.
// An empty value or close date is no change to the engine's Advance (it
// skips them), and a reason cleared on a lost deal is no change to a
// terminal deal: no history line, the inbox says "already says so", but the
// link records that HubSpot holds nothing, so the deal's value is still
// sent back. A reason cleared on an open deal is right to change nothing:
// an open deal has no reason.
func TestClearedCRMFieldsMeetTheDealRules(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		for _, tc := range []struct {
			property string
			field    change.Field
			refused  bool // the history says the rules refused it
		}{
			{"dealname", change.Name, true},
			{"amount", change.Value, true},
			{"deal_currency_code", change.Currency, true},
			{"closedate", change.Close, true},
			{"description", change.Notes, true},
		} {
			d, _ := st.GetDeal(t.Context(), w.dealID)
			want := change.Of(d)[tc.field]
			held := w.hs.Record(hsID)[tc.property]
			if held == "" {
				t.Fatalf("HubSpot's %s is empty before the test", tc.property)
			}
			before, _ := st.History(t.Context(), w.dealID)
			w.clock.Set(w.clock.Now().Add(time.Minute))
			w.hs.Edit(hsID, tc.property, "")
			w.settle()
			d, _ = st.GetDeal(t.Context(), w.dealID)
			if got := change.Of(d)[tc.field]; got != want {
				t.Errorf("%s emptied in HubSpot: the deal's %s became %q, want %q kept", tc.property, tc.field, got, want)
			}
			if got := w.hs.Record(hsID)[tc.property]; got != held {
				t.Errorf("%s emptied in HubSpot: HubSpot holds %q after the sync, want the deal's %q sent back", tc.property, got, held)
			}
			if tc.refused {
				es, _ := st.History(t.Context(), w.dealID)
				said := false
				for _, e := range es[len(before):] {
					said = said || e.Actor == "hubspot" && e.Action == "refused" && strings.Contains(e.Detail, string(tc.field))
				}
				if !said {
					t.Errorf("%s emptied in HubSpot: no history line says the rules refused it: %v", tc.property, crmtest.History(t, st, w.dealID))
				}
			}
			w.converged(tc.property + " emptied in HubSpot")
		}

		// A reason a HubSpot user typed on the open deal, then emptied:
		// theirs either way, nothing to apply nor to send.
		w.hs.Edit(hsID, "closed_lost_reason", "Pricing")
		w.settle()
		w.hs.Edit(hsID, "closed_lost_reason", "")
		w.settle()
		if d, _ := st.GetDeal(t.Context(), w.dealID); d.Reason != "" || w.hs.Record(hsID)["closed_lost_reason"] != "" {
			t.Errorf("reason emptied on an open deal: deal %q, HubSpot %q; want both empty", d.Reason, w.hs.Record(hsID)["closed_lost_reason"])
		}
		// The deal lost, its reason emptied in HubSpot: the deal keeps it
		// and HubSpot is sent it back.
		w.chat(`deal lost %d reason="No budget"`)
		w.settle()
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.hs.Edit(hsID, "closed_lost_reason", "")
		w.settle()
		if d, _ := st.GetDeal(t.Context(), w.dealID); d.Reason != "No budget" {
			t.Errorf("lost reason emptied in HubSpot: the deal's became %q", d.Reason)
		}
		if got := w.hs.Record(hsID)["closed_lost_reason"]; got != "No budget" {
			t.Errorf("lost reason emptied in HubSpot: HubSpot holds %q, want No budget sent back", got)
		}
		es, _ := st.History(t.Context(), w.dealID)
		if last := es[len(es)-1]; last.Action != "refused" || !strings.Contains(last.Detail, `its reason stays "No budget"`) {
			t.Errorf("lost reason emptied in HubSpot: last history line %+v, want it refused", last)
		}
	})
}

// Salesforce sends a field emptied by a user as xsi:nil in the record's
// next outbound message: the deal rules judge it (notes are required: the
// deal keeps its notes, the history says so, Salesforce gets them back).
func TestNilSalesforceFieldIsJudged(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		d, _ := st.GetDeal(t.Context(), w.dealID)
		notes := d.Notes
		if w.sf.Record(sfID)["Description"] != notes {
			t.Fatalf("Salesforce's Description %q before the test, want the deal's notes", w.sf.Record(sfID)["Description"])
		}
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.sf.Edit(sfID, "Description", "") // delivered as <sf:Description xsi:nil="true"/>
		w.settle()
		if d, _ := st.GetDeal(t.Context(), w.dealID); d.Notes != notes {
			t.Errorf("notes %q after Salesforce's nil Description, want %q kept", d.Notes, notes)
		}
		if got := w.sf.Record(sfID)["Description"]; got != notes {
			t.Errorf("Salesforce's Description %q, want the deal's notes sent back", got)
		}
		es, _ := st.History(t.Context(), w.dealID)
		said := false
		for _, e := range es {
			said = said || e.Actor == "salesforce" && e.Action == "refused" && strings.Contains(e.Detail, "notes are required")
		}
		if !said {
			t.Errorf("no history line says Salesforce's empty notes were refused: %v", crmtest.History(t, st, w.dealID))
		}
		w.converged("after Salesforce emptied the description")
	})
}

// A CRM sends the changes of every record of the org, most of which are no
// co-sell deal: a record linked to no deal is ignored, with a reason naming
// it and how to link it, so that `cosellbot inbox` (failed rows) lists real
// failures only; `--all` still lists it. Once linked, the record's next
// change applies. A mapping that makes deals of created records still
// makes them.
func TestRecordLinkedToNoDealIsIgnored(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ms, err := crm.LoadMappings("../../deploy/crm", "hubspot")
		if err != nil {
			t.Fatal(err)
		}
		clock := crmtest.NewClock(now)
		h := crmtest.New(t, st, clock, hubspot.New(crmSecret, ms["hubspot"], crmtest.Applier(st, clock)))
		post := func(body string) {
			t.Helper()
			ts := clock.Now()
			hdr := http.Header{"Content-Type": {"application/json"}}
			stamp := ts.UnixMilli()
			hdr.Set(hubspot.HeaderTimestamp, itoa(stamp))
			hdr.Set(hubspot.HeaderSignature, hubspot.Sign([]byte(crmSecret), http.MethodPost, h.Server.URL+"/webhooks/hubspot", []byte(body), itoa(stamp)))
			if code, resp := h.Post(t, "/webhooks/hubspot", hdr, []byte(body)); code != 200 {
				t.Fatalf("delivery: %d %s", code, resp)
			}
		}
		// An ordinary HubSpot deal, created and edited: HubSpot's events as
		// its webhooks API documents them.
		at := itoa(now.Add(-time.Minute).UnixMilli())
		post(`[{"eventId":1001,"subscriptionId":77,"portalId":62515,"appId":9,"occurredAt":` + at + `,"subscriptionType":"deal.creation","attemptNumber":0,"objectId":18400099,"changeFlag":"CREATED","changeSource":"CRM_UI"},
{"eventId":1002,"subscriptionId":78,"portalId":62515,"appId":9,"occurredAt":` + at + `,"subscriptionType":"deal.propertyChange","attemptNumber":0,"objectId":18400099,"propertyName":"amount","propertyValue":"12000","changeSource":"CRM_UI"}]`)
		rep := h.Process(t)
		if rep.Failed != 0 || rep.Ignored != 2 {
			t.Fatalf("%d failed, %d ignored: want both events ignored, none failed", rep.Failed, rep.Ignored)
		}
		failed, err := st.ListInbox(t.Context(), ledger.InboxFilter{Statuses: []ledger.InboxStatus{ledger.InboxFailed}})
		if err != nil || len(failed) != 0 {
			t.Errorf("failed rows (cosellbot inbox): %+v %v; want none", failed, err)
		}
		all := h.Inbox(t) // cosellbot inbox --all
		for _, r := range all {
			if !strings.Contains(r.Error, "HubSpot record 18400099 is linked to no deal") || !strings.Contains(r.Error, "deal edit ID crm_id=18400099") {
				t.Errorf("inbox reason %q: want the record named and how to link it", r.Error)
			}
		}
		if !strings.Contains(all[0].Error, "makes no deals of created records") {
			t.Errorf("creation's reason %q: want it to say the mapping makes no deals of created records", all[0].Error)
		}
		// Linked, the record's next change applies.
		d := crmtest.AcceptedDeal(t, st, "18400099", now)
		post(`[{"eventId":1003,"subscriptionId":78,"portalId":62515,"appId":9,"occurredAt":` + itoa(now.UnixMilli()) + `,"subscriptionType":"deal.propertyChange","attemptNumber":0,"objectId":18400099,"propertyName":"amount","propertyValue":"13000","changeSource":"CRM_UI"}]`)
		if rep := h.Process(t); rep.Processed != 1 {
			t.Fatalf("after linking: report %+v", rep)
		}
		if got := dealOf(t, st, d.ID); got.Value != 13000_00 {
			t.Errorf("value %s after linking, want HubSpot's 13,000", got.Value)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
