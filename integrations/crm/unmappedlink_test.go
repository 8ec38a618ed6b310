package crm_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// saidKept reports whether the deal's history says, as system, that the
// record's stage raw is kept and not written over.
func (w *world) saidKept(system, raw string) bool {
	w.t.Helper()
	es, err := w.st.History(w.t.Context(), w.dealID)
	if err != nil {
		w.t.Fatal(err)
	}
	return slices.ContainsFunc(es, func(e ledger.Entry) bool {
		return e.Actor == system && e.Action == "kept" && strings.Contains(e.Detail, `stage "`+raw+`", which the `+system+` mapping does not list`) &&
			strings.Contains(e.Detail, "neither written over the other")
	})
}

// A Salesforce opportunity at a stage its mapping does not list (a
// picklist value the org added) is linked to a deal at Qualified by the
// deal's CRM ID. A tester saw the deal's stage written over the record's
// (Closed Won - Partner became Prospecting) with no word of it: the
// record's stage can be neither taken nor weighed against the deal's, so
// neither is written over the other, and the history says so. The deal's
// next stage is newer, and is written; once the mapping lists the stage,
// the record's next change applies it.
func TestRecordFirstLinkedAtAnUnmappedStageKeepsIt(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.chat(`deal stage %d qualified`)
		w.settle()
		const other = "0065g00000QRS02"
		linked := w.clock.Now()
		w.clock.Set(linked.Add(-time.Hour)) // the record's stage is older than the deal's
		w.sf.mu.Lock()
		w.sf.save(other, map[string]string{"Name": "Tailspin field service rollout", "StageName": "Closed Won - Partner", "Amount": "75000.0"})
		w.sf.mu.Unlock()
		w.clock.Set(linked)
		w.chat(`deal edit %d crm_id=` + other)
		w.settle()
		if got := w.sf.Record(other)["StageName"]; got != "Closed Won - Partner" {
			t.Errorf("Salesforce's stage is %q: the deal's was written over the record's", got)
		}
		if d := dealOf(t, st, w.dealID); d.Stage != deal.StageQualified || d.Status != deal.Accepted {
			t.Errorf("deal at %s, %s; want Qualified, accepted", d.Stage, d.Status)
		}
		if !w.saidKept("salesforce", "Closed Won - Partner") {
			es, _ := st.History(t.Context(), w.dealID)
			t.Errorf("the history does not say the record's stage was kept: %+v", es)
		}
		l, err := w.engine.Link(t.Context(), "salesforce", other)
		if err != nil || l.Shadow[change.Stage].Unread != "Closed Won - Partner" {
			t.Errorf("link %+v, %v: want it to know the record's stage", l.Shadow, err)
		}

		// A later edit of another field repeats the stage: no move, no
		// failure, nothing written over.
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.sf.Edit(other, "Description", "Field Service for 40 technicians")
		w.settle()
		if got := w.sf.Record(other)["StageName"]; got != "Closed Won - Partner" {
			t.Errorf("after another edit Salesforce's stage is %q", got)
		}

		// Moved there to another unlisted stage: kept too, and said.
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.sf.Edit(other, "StageName", "Negotiation - Legal")
		w.settle()
		if got := w.sf.Record(other)["StageName"]; got != "Negotiation - Legal" || !w.saidKept("salesforce", "Negotiation - Legal") {
			t.Errorf("after a move to another unlisted stage Salesforce's stage is %q", got)
		}

		// The deal moves on in chat: newer, it is written.
		w.chat(`deal stage %d developed`)
		w.settle()
		if got := w.sf.Record(other)["StageName"]; w.sfMap.Stages[0].Values[got] != string(deal.StageDeveloped) {
			t.Errorf("Salesforce's stage after the deal moved on: %q, want one that reads as Developed", got)
		}
		if l, err := w.engine.Link(t.Context(), "salesforce", other); err != nil || l.Shadow[change.Stage].Unread != "" || l.Shadow[change.Stage].Value != string(deal.StageDeveloped) {
			t.Errorf("link %+v, %v: want it at Developed, read", l.Shadow[change.Stage], err)
		}
	})
}

// Once the mapping lists the stage, the record's next message applies it.
func TestUnmappedStageKeptAppliesOnceMapped(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		const other = "0065g00000QRS02"
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.sf.mu.Lock()
		w.sf.save(other, map[string]string{"Name": "Tailspin field service rollout", "StageName": "Negotiation - Legal", "Amount": "75000.0"})
		w.sf.mu.Unlock()
		w.chat(`deal edit %d crm_id=` + other)
		w.settle()
		if !w.saidKept("salesforce", "Negotiation - Legal") || w.sf.Record(other)["StageName"] != "Negotiation - Legal" {
			t.Fatalf("the record's stage was not kept: %v", w.sf.Record(other))
		}
		w.sfMap.Stages[0].Values["Negotiation - Legal"] = string(deal.StageNegotiated) // the admin extends the mapping
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.sf.Edit(other, "Description", "Legal review of the contract")
		w.settle()
		if d := dealOf(t, st, w.dealID); d.Stage != deal.StageNegotiated {
			t.Errorf("deal at %s once the mapping lists the record's stage, want Negotiated", d.Stage)
		}
		if got := w.sf.Record(other)["StageName"]; got != "Negotiation - Legal" {
			t.Errorf("Salesforce's stage once applied: %q", got)
		}
	})
}
