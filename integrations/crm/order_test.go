package crm_test

// Events out of order, late, or dated ahead of the clock: deletions and
// restores, a stage from before a close, a misset clock.

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// hsEvent is one HubSpot event of the world's deal record, at a given time.
func (w *world) hsEvent(kind string, at time.Time, prop ...string) map[string]any {
	e := map[string]any{
		"eventId": w.rng.Int64N(1 << 40), "subscriptionId": 1234, "portalId": 62515, "appId": 54321,
		"occurredAt": at.UnixMilli(), "subscriptionType": "deal." + kind, "attemptNumber": 0,
		"objectId": json.Number(hsID), "changeSource": "CRM_UI",
	}
	if len(prop) == 2 {
		e["propertyName"], e["propertyValue"] = prop[0], prop[1]
	}
	return e
}

// lastInbox is the newest inbox row.
func (w *world) lastInbox() store.InboxEntry {
	w.t.Helper()
	rows := w.h.Inbox(w.t)
	return rows[len(rows)-1]
}

// hubspotWork is the sync work waiting for HubSpot, due or not, dead or not.
func (w *world) hubspotWork() []store.SyncWork {
	w.t.Helper()
	work, err := w.st.SyncWorkOf(w.t.Context(), 0) // every link's: a tombstone has no deal
	if err != nil {
		w.t.Fatal(err)
	}
	var out []store.SyncWork
	for _, x := range work {
		if x.System == "hubspot" {
			out = append(out, x)
		}
	}
	return out
}

// A record deleted in HubSpot is written no more: the chat's edits after
// the deletion reach Partner Center and Salesforce and not the deleted
// record, no sync work is left for it (it was left dead, "reading deal
// #0"), and an event of the record saved before the deletion and delivered
// after it is stale rather than linking the record back.
func TestDeletedRecordIsWrittenNoMore(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		deleted := w.clock.Now()
		w.postHubSpot(w.hsEvent("deletion", deleted))
		w.settle()
		w.postHubSpot(w.hsEvent("propertyChange", deleted.Add(-3*time.Second), "amount", "77000"))
		w.settle()
		if row := w.lastInbox(); row.Status != store.InboxStale || !strings.Contains(row.Error, "was deleted or merged away at") {
			t.Errorf("the late event: %s %q, want stale", row.Status, row.Error)
		}
		writes := w.hs.writes
		w.chat(`deal edit %d value=64000`)
		w.settle()
		if w.hs.writes != writes {
			t.Errorf("%d writes to the deleted HubSpot record after the chat edit", w.hs.writes-writes)
		}
		if work := w.hubspotWork(); len(work) > 0 {
			t.Errorf("sync work left for the deleted record: %+v", work)
		}
		vs := w.views()
		for _, sys := range []string{"cosellbot", "partnercenter", "salesforce"} {
			if vs[sys][change.Value] != "6400000" {
				t.Errorf("%s value %q after the chat edit, want 6400000", sys, vs[sys][change.Value])
			}
		}
	})
}

// HubSpot delivers a restore before the deletion it undid (one batch,
// out of order): the deletion, older than what the record told since, is
// stale. It unlinked the live record, and the chat's edits skipped it.
func TestRestoreDeliveredBeforeItsDeletion(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		at := w.clock.Now()
		w.postHubSpot(w.hsEvent("restore", at), w.hsEvent("deletion", at.Add(-5*time.Second)))
		w.settle()
		if l, err := st.Link(t.Context(), "hubspot", hsID); err != nil || l.DealID != w.dealID {
			t.Fatalf("the restored record's link %+v, %v: want it linked to deal %d", l, err, w.dealID)
		}
		w.chat(`deal edit %d value=64000`)
		w.settle()
		w.converged("after the chat edit")
	})
}

// HubSpot closes the deal and the stage it had just before comes after
// (one batch, out of order): the stage is stale. It was taken for a
// reopening: refused in the history and the outcome written back.
func TestStageFromBeforeTheCloseIsStale(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		at := w.clock.Now()
		w.hs.mu.Lock()
		w.hs.records[hsID]["dealstage"] = "closedlost" // as HubSpot holds it now
		w.hs.mu.Unlock()
		w.postHubSpot(
			w.hsEvent("propertyChange", at, "dealstage", "closedlost"),
			w.hsEvent("propertyChange", at.Add(-2*time.Second), "dealstage", "contractsent"),
		)
		w.settle()
		d, err := st.GetDeal(t.Context(), w.dealID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != deal.Lost {
			t.Fatalf("deal %s, want lost", d.Status)
		}
		hist, err := st.History(t.Context(), w.dealID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range hist {
			if strings.Contains(e.Detail, "reopened") {
				t.Errorf("a stage from before the close read as a reopening: %s %s", e.Action, e.Detail)
			}
		}
		if work := w.hubspotWork(); len(work) > 0 {
			t.Errorf("the outcome is written back to HubSpot, which holds it: %+v", work)
		}
		w.converged("after the close")
	})
}

// A system's clock set a year ahead (or a generic sender's typo) tells a
// change of a year from now: it counts as received now. Kept as told, it
// outranked every other system's edit of the field for a year (a
// Salesforce user's notes were "kept the newer notes").
func TestATimeAheadOfTheClockCountsAsNow(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.hs.mu.Lock()
		w.hs.records[hsID]["description"] = "HubSpot, clock ahead" // as HubSpot holds it
		w.hs.mu.Unlock()
		w.postHubSpot(w.hsEvent("propertyChange", w.clock.Now().AddDate(1, 0, 0), "description", "HubSpot, clock ahead"))
		w.settle()
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.sf.Edit(sfID, "Description", "Salesforce, a minute later")
		w.settle()
		if got := w.converged("after the Salesforce edit"); got[change.Notes] != "Salesforce, a minute later" {
			t.Errorf("notes %q, want Salesforce's later edit", got[change.Notes])
		}
	})
}

// HubSpot merges the deal's record into another, which keeps its own
// values (the primary's): the deal's are written to it. The link took the
// merged-away record's shadow for the new record's, so "in step" was said
// of values the record never held, and nothing was written.
func TestMergedIntoRecordIsWritten(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.hs.mu.Lock()
		w.hs.records["9002"] = map[string]string{"dealname": "Primary record", "amount": "1000"}
		w.hs.at["9002"] = map[string]time.Time{}
		w.hs.mu.Unlock()
		merge := w.hsEvent("merge", w.clock.Now())
		merge["objectId"], merge["primaryObjectId"], merge["newObjectId"] = json.Number("9002"), json.Number("9002"), json.Number("9002")
		merge["mergedObjectIds"] = []json.Number{hsID, "9002"}
		w.postHubSpot(merge)
		w.settle()
		d, err := st.GetDeal(t.Context(), w.dealID)
		if err != nil {
			t.Fatal(err)
		}
		got := w.hs.Record("9002")
		if got["dealname"] != d.Name || got["amount"] == "1000" {
			t.Errorf("the record merged into holds %q, %q; want the deal's name %q and value", got["dealname"], got["amount"], d.Name)
		}
	})
}

// The deal is won in chat; a HubSpot stage saved just before, delivered
// after, lost to the newer close: a conflict, kept in the history. It also
// read as "HubSpot reopened it": refused, said a second time in the
// history, and the outcome written to HubSpot again.
func TestStageFromBeforeAChatCloseIsStale(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.chat(`deal won %d`)
		won := w.clock.Now()
		before, err := st.History(t.Context(), w.dealID)
		if err != nil {
			t.Fatal(err)
		}
		// cosellbot writes the outcome; HubSpot's notification of it is
		// on its way when the older stage arrives.
		if _, err := w.syncer[0].Pass(t.Context()); err != nil {
			t.Fatal(err)
		}
		echo := w.hs.take()
		writes := w.hs.writes
		w.postHubSpot(w.hsEvent("propertyChange", won.Add(-2*time.Second), "dealstage", "contractsent"))
		w.h.Process(t)
		w.hs.mu.Lock()
		w.hs.owed = append(w.hs.owed, echo...)
		w.hs.mu.Unlock()
		w.settle()
		if row := w.lastInbox(); strings.Contains(row.Error, "reopened") {
			t.Errorf("the stage from before the close: %s %q, read as a reopening", row.Status, row.Error)
		}
		hist, err := st.History(t.Context(), w.dealID)
		if err != nil {
			t.Fatal(err)
		}
		if added := hist[len(before):]; len(added) != 1 || added[0].Action != "conflict" {
			t.Errorf("history after the stage from before the close: %+v, want one conflict line", added)
		}
		if w.hs.writes != writes {
			t.Errorf("HubSpot was written the outcome again (%d writes)", w.hs.writes-writes)
		}
	})
}

// A change of a record saved before HubSpot merged it away, delivered
// after the merge, is stale: it linked the merged-away record back to its
// deal, and the deal's edits went to a record that no longer exists.
func TestLateEventOfAMergedAwayRecordIsStale(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		merged := w.clock.Now()
		merge := w.hsEvent("merge", merged)
		merge["objectId"], merge["primaryObjectId"], merge["newObjectId"] = json.Number("9002"), json.Number("9002"), json.Number("9002")
		merge["mergedObjectIds"] = []json.Number{hsID, "9002"}
		w.hs.mu.Lock()
		w.hs.records["9002"], w.hs.at["9002"] = map[string]string{}, map[string]time.Time{}
		w.hs.mu.Unlock()
		w.postHubSpot(merge)
		w.settle()
		w.postHubSpot(w.hsEvent("propertyChange", merged.Add(-3*time.Second), "amount", "61000"))
		w.settle()
		if row := w.lastInbox(); row.Status != store.InboxStale {
			t.Errorf("a late event of the merged-away record: %s %q, want stale", row.Status, row.Error)
		}
		if l, err := st.Link(t.Context(), "hubspot", hsID); err != nil || l.DealID != 0 {
			t.Errorf("the merged-away record: %+v %v, want it linked to no deal", l, err)
		}
	})
}
