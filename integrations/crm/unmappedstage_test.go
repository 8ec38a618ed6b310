package crm_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// A HubSpot user moves a linked deal to a stage of a custom pipeline the
// mapping does not list (numeric ids). A tester saw the event ignored: the
// admin who then added the stage had nothing to replay, and the move never
// reached cosellbot or Partner Center. It fails with what to add; replayed
// after the mapping lists it, the stage applies everywhere.
func TestUnmappedStageMoveIsKeptForReplay(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.postHubSpot(w.hsEvent("propertyChange", w.clock.Now(), "dealstage", "87654321"))
		rep := w.h.Process(t)
		if rep.Failed != 1 || !strings.Contains(rep.Failures[0].Error, `"87654321" maps to no stage or outcome`) || !strings.Contains(rep.Failures[0].Error, "cosellbot replay --source hubspot") {
			t.Fatalf("report %+v", rep)
		}
		w.hsMap.Stages[0].Values["87654321"] = string(deal.StageProposed) // the admin extends the mapping
		if rep, err := w.h.Proc.Replay(t.Context(), "hubspot"); err != nil || rep.Processed != 1 {
			t.Fatalf("replay: %+v, %v", rep, err)
		}
		w.settle()
		if got := dealOf(t, st, w.dealID); got.Stage != deal.StageProposed {
			t.Errorf("stage after the replay %s, want proposed", got.Stage)
		}
	})
}

// A Salesforce user moves a linked opportunity to a stage the mapping does
// not list, in one save with a new amount and a currency cosellbot does
// not know. A tester saw the message applied for its amount and the stage
// dropped without a failure: `sync` said "in step" while the record held
// the stage, and nothing was left to replay once the mapping listed it.
// Salesforce names no changed field (every message repeats the record), so
// the move is told from the link, which knew the record at a stage the
// mapping reads: the message fails, naming the value and the file, and so
// do the record's later messages that repeat the stage, until the mapping
// lists it. Replayed then, in order, they apply: the stage, the amount,
// and the currency refused by the deal rules, said in the history and
// sent back.
func TestUnmappedSalesforceStageMoveIsKeptForReplay(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.chat(`deal stage %d qualified`)
		w.settle() // Salesforce holds a stage the mapping reads
		before := dealOf(t, st, w.dealID)
		save := func(fields map[string]string) {
			w.clock.Set(w.clock.Now().Add(time.Second))
			w.sf.mu.Lock()
			w.sf.save(sfID, fields)
			w.sf.mu.Unlock()
			w.deliverSalesforce()
		}
		save(map[string]string{"CurrencyIsoCode": "XYZ", "StageName": "Closed Won - Partner", "Amount": "12000.0"})
		save(map[string]string{"NextStep": "Kick-off"}) // a field not in the message: it repeats the others
		rep := w.h.Process(t)
		if rep.Failed != 2 {
			t.Fatalf("report %+v: want both messages failed", rep)
		}
		for _, f := range rep.Failures {
			if !strings.Contains(f.Error, `"Closed Won - Partner" maps to no stage or outcome`) || !strings.Contains(f.Error, "cosellbot replay --source salesforce") {
				t.Errorf("failure %q: want the value and how to replay it", f.Error)
			}
		}
		if d := dealOf(t, st, w.dealID); d.Value != before.Value || d.Status != before.Status {
			t.Errorf("deal %s %s after the failed messages: want it untouched", d.Value, d.Status)
		}

		w.sfMap.Stages[0].Values["Closed Won - Partner"] = "won" // the admin extends the mapping
		if rep, err := w.h.Proc.Replay(t.Context(), "salesforce"); err != nil || rep.Failed != 0 || rep.Processed+rep.Ignored != 2 {
			t.Fatalf("replay: %+v, %v", rep, err)
		}
		w.settle()
		d := dealOf(t, st, w.dealID)
		if d.Status != deal.Won || d.Value != 12000_00 || d.Currency != before.Currency {
			t.Errorf("deal after the replay: %s %s %s; want won, 12000 %s", d.Status, d.Value, d.Currency, before.Currency)
		}
		if got := w.sf.Record(sfID); got["CurrencyIsoCode"] != before.Currency || got["StageName"] != "Closed Won - Partner" {
			t.Errorf("Salesforce holds currency %q, stage %q; want the deal's %s sent back, the user's stage kept", got["CurrencyIsoCode"], got["StageName"], before.Currency)
		}
		es, err := st.History(t.Context(), w.dealID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(es, func(e ledger.Entry) bool {
			return e.Actor == "salesforce" && e.Action == "refused" && strings.Contains(e.Detail, "currency")
		}) {
			t.Errorf("history does not say the currency was refused: %+v", es)
		}
		w.converged("after the replay")
	})
}
