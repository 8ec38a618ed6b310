package command_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// A card's Favorite button sets the heart and Unfavorite takes it away,
// whatever happened since the card was sent: a tester's old card (and a
// double click) switched off a favorite a colleague had set. Typed alone,
// deal fav still switches.
func TestFavoriteButtonsSayWhatTheyDo(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`deal new kind=ip name=IP customer=C customer_location=SE location=1111111 value=50000 currency=USD close=2027-03-01 notes=n solution="Contoso Insight" ` + team)
	e.runSteps([]step{
		{"deal fav 1 on", true, "added to favorites"},
		{"deal fav 1 on", false, "deal 1 is already a favorite: nothing to do"}, // an old card, a second click
		{"deal fav 1 off", true, "removed from favorites"},
		{"deal fav 1 off", false, "deal 1 is already not a favorite"},
		{"deal fav 1", true, "added to favorites"}, // typed: switches
		{"deal fav 1 maybe", false, `takes on or off (or nothing, to switch), got "maybe"`},
	})
	r := e.run("deal show 1")
	for _, a := range r.Actions {
		if a.Label == "Unfavorite" && a.Command != "deal fav 1 off" || a.Label == "Favorite" {
			t.Errorf("a favorite's card offers %s: %s", a.Label, a.Command)
		}
	}
}

// step is a line typed as the local admin, whether it succeeds, and what
// its reply says.
type step struct {
	line string
	ok   bool
	says string
}

// runSteps types each step's line in order and checks its outcome.
func (e *env) runSteps(steps []step) {
	e.t.Helper()
	for _, st := range steps {
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, st.line)
		if r.OK() != st.ok || !strings.Contains(r.Text, st.says) {
			e.t.Errorf("%s → ok %v\n%s\nwant ok %v saying %q", st.line, r.OK(), r.Text, st.ok, st.says)
		}
	}
}
