package crm_test

import (
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// Salesforce's LastModifiedDate keeps seconds: a user's save and a flow's
// update in the same second are two messages with one time. A tester saw
// the second one taken for stale: cosellbot and Partner Center kept the
// first amount, Salesforce the second, and sync said "in step". The later
// delivery is the later save, and every system ends at it.
func TestTwoSavesInOneSecondEndAtTheLater(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.clock.Set(w.clock.Now().Add(time.Minute).Truncate(time.Second))
		w.sf.Edit(sfID, "Amount", "81000.0")
		w.sf.Edit(sfID, "Amount", "82000.0") // the same second
		w.settle()
		if got := w.converged("two saves in one second"); got[change.Value] != "8200000" {
			t.Errorf("value %s everywhere, want Salesforce's later 82,000", got[change.Value])
		}
		// And the next save, a minute later, follows as usual.
		w.clock.Set(w.clock.Now().Add(time.Minute).Truncate(time.Second))
		w.sf.Edit(sfID, "Amount", "83000.0")
		w.settle()
		if got := w.converged("a later save"); got[change.Value] != "8300000" {
			t.Errorf("value %s everywhere, want 83,000", got[change.Value])
		}
	})
}
