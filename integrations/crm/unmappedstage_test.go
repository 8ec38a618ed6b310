package crm_test

import (
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/deal"
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
