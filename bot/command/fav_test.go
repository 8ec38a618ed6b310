package command_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
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

// "Yet" promises what can still come: a won deal's value no longer
// changes, so one under the minimum is refused for good (a tester read
// "cannot be registered yet"); a missing rate says who adds it.
func TestRegistrationOfAWonDealSaysWhatCanStillCome(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`deal new kind=ip name=Small customer=C customer_location=SE account=managed location=1111111 value=20000 currency=USD close=2027-03-01 notes=n share=yes solution="Contoso Insight" ` + team)
	e.run(`deal new kind=ip name=Forint customer=C customer_location=SE account=managed location=1111111 value="10,000,000 HUF" close=2027-03-01 notes=n share=yes solution="Contoso Insight" ` + team)
	e.run("deal won 1")
	e.run("deal won 2")
	if r := e.run("deal register 1"); !strings.Contains(r.Text, "Deal #1 cannot be registered: it is won, and a won deal's fields no longer change.") {
		t.Errorf("a won deal under the minimum:\n%s", r.Text)
	}
	if r := e.run("deal register 2"); !strings.Contains(r.Text, "Deal #2 cannot be registered yet.") || !strings.Contains(r.Text, "COSELLBOT_RATES_FILE") {
		t.Errorf("a won deal in a currency with no rate:\n%s", r.Text)
	}
}

// A snooze capped at the expiry promised reminders would "resume" on the
// day the referral is lost: it says when it expires instead.
func TestSnoozeToTheExpirySaysWhenItIsLost(t *testing.T) {
	st := storetest.Open(t)
	e := newEnv(t, st)
	e.svc = command.New(st, e.clk, deal.DefaultRates(), nil, command.WithAlerts(st, []string{"shell"}, nil))
	e.run(`deal receive kind=services customer=Fabrikam customer_location=SE location=LOC1 from=microsoft`)
	r := e.run("deal snooze 1 until=+30d")
	if strings.Contains(r.Text, "resume") || !strings.Contains(r.Text, "it expires 2026-12-06 09:00 UTC: answer it before then (deal accept 1 or deal decline 1)") {
		t.Errorf("capped snooze: %s", r.Text)
	}
	if r := e.run("deal snooze 1 until=+3d"); !strings.Contains(r.Text, "they resume on 2026-11-25") {
		t.Errorf("snooze: %s", r.Text)
	}
}

// Commands typed with French and Swedish verbs, or English ones of other
// forms, run as (or are pointed at) the command they name (a tester's "acceptera affär
// 33" was offered deal show 33, "accepter 33" went to the FAQ, "lose deal
// 14" got deal show 14).
func TestVerbsPeopleTypeGetTheirCommand(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	for line, want := range map[string]string{
		"acceptera affär 33":         "no deal #33",                // run as deal accept 33, as "show deal 1" runs
		"avvisa affär 33":            "deal decline needs reason=", // run as deal decline 33
		"lose deal 14":               "deal lost needs reason=",
		"accepter 33":                "did you mean deal accept 33?",
		"accepte 33":                 "did you mean deal accept 33?",
		"afficher la transaction 33": "did you mean deal show 33?",
	} {
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, line)
		if r.OK() || !strings.Contains(r.Text, want) {
			t.Errorf("%s → %q, want %q", line, r.Text, want)
		}
	}
}

// Refusals say what to type: a tester's UK got no GB, a past close date no
// close=, and "Paris office" read as if no location had been given.
func TestRefusalsSayWhatToType(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	line := `deal new kind=ip name=N customer=C customer_location=UK location="Paris office" value=50000 currency=USD close=2020-01-01 notes=n solution="Contoso Insight" ` + team
	r := e.svc.Run(context.Background(), access.LocalAdmin, here, line)
	for _, want := range []string{`got "UK" (the United Kingdom is GB)`, "is in the past: give a later one, close=YYYY-MM-DD", `like 1234567), got "Paris office"`} {
		if r.OK() || !strings.Contains(r.Text, want) {
			t.Errorf("refusal lacks %q:\n%s", want, r.Text)
		}
	}
}

// CPOR events that happened before they are typed here: a claim submitted
// in Partner Center last week, a customer notified then, and a decline
// within the window told after it closed (a tester could record neither
// the claim's date nor the decline's, and recorded the opposite of what
// happened).
func TestCPOREventsOfThePast(t *testing.T) {
	e := newAlertEnv(t, storetest.Open(t)) // now: 2026-11-22 09:00 UTC
	try := func(line string) (bool, string) {
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, line)
		return r.OK(), r.Text
	}
	for _, step := range []struct {
		line string
		ok   bool
		says string
	}{
		{"cpor claim customer=" + tenant + " country=FR engagement=modern-work workload=Teams claimed=+3d", false, "in the future"},
		{"cpor claim customer=" + tenant + " country=FR engagement=modern-work workload=Teams claimed=2026-11-02", true, "Submitted CPOR claim #1"},
		{"cpor confirm 1 notified=2026-11-06", true, "notified the customer on 2026-11-06"},
		{"cpor decline 1 reason=late", false, "if they declined before, give the day: cpor decline 1 declined=DATE"},
		{"cpor decline 1 declined=2026-11-05 reason=x", false, "before they were notified on 2026-11-06"},
		{"cpor decline 1 declined=2026-11-10 reason=\"not our partner\"", true, "the customer declined"},
	} {
		if ok, text := try(step.line); ok != step.ok || !strings.Contains(text, step.says) {
			t.Errorf("%s → ok %v\n%s\nwant ok %v saying %q", step.line, ok, text, step.ok, step.says)
		}
	}
}
