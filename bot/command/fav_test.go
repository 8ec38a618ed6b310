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
	try := func(line string) (bool, string) {
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, line)
		return r.OK(), r.Text
	}
	for _, step := range []struct {
		line string
		ok   bool
		says string
	}{
		{"deal fav 1 on", true, "added to favorites"},
		{"deal fav 1 on", false, "deal 1 is already a favorite: nothing to do"}, // an old card, a second click
		{"deal fav 1 off", true, "removed from favorites"},
		{"deal fav 1 off", false, "deal 1 is already not a favorite"},
		{"deal fav 1", true, "added to favorites"}, // typed: switches
		{"deal fav 1 maybe", false, `takes on or off (or nothing, to switch), got "maybe"`},
	} {
		if ok, text := try(step.line); ok != step.ok || !strings.Contains(text, step.says) {
			t.Errorf("%s → ok %v %q, want ok %v saying %q", step.line, ok, text, step.ok, step.says)
		}
	}
	r := e.run("deal show 1")
	for _, a := range r.Actions {
		if a.Label == "Unfavorite" && a.Command != "deal fav 1 off" || a.Label == "Favorite" {
			t.Errorf("a favorite's card offers %s: %s", a.Label, a.Command)
		}
	}
}

// A stage typed as Partner Center shows it, its percentage after it, is
// that stage (a tester's "Qualified 20%" was refused with a did-you-mean).
func TestStageWithItsPercentage(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`deal new kind=ip name=IP customer=C customer_location=SE location=1111111 value=50000 currency=USD close=2027-03-01 notes=n solution="Contoso Insight" ` + team)
	if r := e.run("deal stage 1 Qualified 20%"); !strings.Contains(r.Text, "Qualified") {
		t.Errorf("deal stage 1 Qualified 20%% → %q", r.Text)
	}
	if r := e.run(`deal stage 1 "Developed 40 %"`); !strings.Contains(r.Text, "Developed") {
		t.Errorf("deal stage 1 \"Developed 40 %%\" → %q", r.Text)
	}
}

// Two people accept one referral at once, the second with values of their
// own: a tester's second got "already accepted: nothing to do", and nothing
// said their name, value and date were not kept.
func TestSecondAcceptSaysItsValuesWereNotApplied(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.run(`deal receive kind=services customer=Fabrikam customer_location=SE location=LOC1 from=microsoft`)
	e.run(`deal accept 1 name="First" value=50000 close=+60d notes=n`)
	r := e.svc.Run(context.Background(), access.LocalAdmin, here, `deal accept 1 name="Sven Berg" value=60000 close=+90d`)
	want := `deal 1 is already accepted: nothing to do; the name, value, close you gave were not applied: change them with deal edit 1 name="Sven Berg" value=60000 close=+90d`
	if r.OK() || !strings.Contains(r.Text, want) {
		t.Errorf("second accept → %q\nwant %q", r.Text, want)
	}
	if r := e.svc.Run(context.Background(), access.LocalAdmin, here, `deal accept 1`); r.OK() || strings.Contains(r.Text, "you gave") {
		t.Errorf("second accept without values → %q", r.Text)
	}
}
