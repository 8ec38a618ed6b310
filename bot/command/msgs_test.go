package command_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/store/storetest"
)

const (
	ipDeal  = `deal new kind=ip name=N customer=C customer_location=SE location=1111111 value=50000 currency=USD close=2027-03-01 notes=n solution="Contoso Insight" ` + team
	saDeal  = `deal new kind=sa name=SA customer=Ad customer_location=DE location=1111111 value=30k close=2027-03-01 notes=n assessment="Readiness Assessment" contact="Eva Kund <eva@kund.example> +46 70 111 22 33" consent=yes ` + team
	receive = `deal receive kind=ip customer=Rcv customer_location=SE location=1111111 from=microsoft notes=n solution="Contoso Insight"`
)

// msgCase is one line run in a scenario: a refusal whose text holds every
// want (and none of the not), or, when ok, a reply that does.
type msgCase struct {
	name, line string
	ok         bool
	want, not  []string
	field      string // the refusal's field, when set
}

func (e *env) check(t *testing.T, tc msgCase) {
	t.Helper()
	r := e.svc.Run(context.Background(), access.LocalAdmin, here, tc.line)
	if r.OK() != tc.ok {
		t.Fatalf("%s: ok=%v, want %v: %s", tc.line, r.OK(), tc.ok, r.Text)
	}
	for _, w := range tc.want {
		if !strings.Contains(r.Text, w) {
			t.Errorf("%s:\n%s\nwant it to hold %q", tc.line, r.Text, w)
		}
	}
	for _, n := range tc.not {
		if strings.Contains(r.Text, n) {
			t.Errorf("%s:\n%s\nwant it without %q", tc.line, r.Text, n)
		}
	}
	if tc.field != "" && (r.Err == nil || r.Err.Field != tc.field) {
		t.Errorf("%s: field %+v, want %s", tc.line, r.Err, tc.field)
	}
}

// The messages of the ux report (#4, #5, #9, #10, #11): each refusal says
// what is wrong with what was typed, by its label, and what to type.
func TestMessagesSayWhatToType(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(ipDeal)                             // 1
	e.run(receive)                            // 2
	e.run(saDeal + " assessment_location=DE") // 3
	e.run(ipDeal)                             // 4: closed as error below
	e.run("deal error 4 reason=duplicate")    // 4
	e.run(saDeal + " assessment_location=SE") // 5: won below
	for _, st := range []string{"LOE", `"Collecting data"`, `"Preparing the assessment report"`, `"Presenting to the customer"`} {
		e.run("deal stage 5 " + st)
	}
	e.run("deal won 5")
	for _, tc := range []msgCase{
		// #4
		{name: "assessment location Germany", line: saDeal + " assessment_location=Germany", field: "assessment_location",
			want: []string{`the assessment location must be a two-letter country code like DE or SE`, `got "GERMANY"`}, not: []string{"required"}},
		{name: "assessment location XX", line: saDeal + " assessment_location=XX",
			want: []string{`two-letter country code`, `got "XX"`}, not: []string{"required"}},
		// #9: a received referral points to accept, or decline
		{name: "edit a referral", line: "deal edit 2 notes=x", want: []string{"while it is received", "accept the referral first (deal accept 2 name=… value=… close=…)"}},
		{name: "stage on a referral", line: "deal stage 2 qualified", want: []string{"accept the referral first (deal accept 2 name=… value=… close=…)"}},
		{name: "win a referral", line: "deal won 2", want: []string{"accept the referral first (deal accept 2 "}},
		{name: "lose a referral", line: "deal lost 2 reason=x", want: []string{"deal decline 2 reason=…", "deal accept 2 name=…"}},
		// #9: stage names that are no stage
		{name: "stage Lost", line: "deal stage 1 Lost", field: "stage", want: []string{`"Lost" is not a sales stage: mark the deal lost with deal lost 1 reason=…`}},
		{name: "stage Closed as error", line: `deal stage 1 "Closed as error"`, want: []string{"deal error 1 reason=…"}},
		{name: "stage Closed", line: `deal stage 1 Closed`, want: []string{"deal won 1, deal lost 1 reason=… or deal error 1 reason=…"}, not: []string{"Negotiated"}},
		{name: "stage unknown", line: "deal stage 1 Pending",
			want: []string{`unknown sales stage "Pending": stage takes Qualified, Developed, Proposed, Negotiated;`, "deal lost 1 reason=…"}, not: []string{"Created", "Accepted,", "Won"}},
		{name: "SA stage unknown", line: "deal stage 3 Pending",
			want: []string{`stage takes "Securing the customer's letter of engagement (LOE)", "Collecting data", "Preparing the assessment report", "Presenting to the customer"`}, not: []string{"Created"}},
		{name: "won SA, unknown stage", line: "deal stage 5 qualified",
			want: []string{"2 things to fix", "deal 5 is won: nothing can change", `unknown solution assessment stage "qualified"`}},
		{name: "Close, typed in chat, is closing", line: "deal stage 1 Close", want: []string{"deal won 1, deal lost 1 reason=… or deal error 1 reason=…"}, not: []string{"Negotiated"}},
		// #10
		{name: "February 30th", line: "deal edit 1 close=2026-02-30", field: "close", want: []string{`"2026-02-30" is not a date: February 2026 has no 30th day (its last is the 28th)`}},
		{name: "a long date", line: `deal edit 1 close="Wednesday, April 14, 2027"`, ok: true, want: []string{"close date 2027-04-14"}},
		{name: "an ordinal date", line: `deal edit 1 close="11th April 2027"`, ok: true, want: []string{"close date 2027-04-11"}},
		{name: "an unread date", line: `deal edit 1 close="next spring"`, want: []string{`or the month in words, like "Apr 8, 2027"`}},
		// #11
		{name: "closed as error", line: "deal edit 4 notes=late", want: []string{"deal 4 is closed as error: nothing can change"}, not: []string{"is error"}},
		{name: "an extra word", line: "deal show 1 extra", want: []string{`deal show takes no word "extra" after 1; usage: deal show ID`}},
		{name: "a flag typed in chat", line: "deal show 1 --json", want: []string{`deal show takes no flag "--json"`}},
		{name: "register before won", line: "deal register 1", ok: true,
			want: []string{"Deal #1 cannot be registered yet.", "the deal must be won first; it is at Created (10%)"}},
		{name: "register an SA deal", line: "deal register 3", ok: true, want: []string{"Deal #3 cannot be registered: only IP co-sell deals are."}, not: []string{"yet"}},
		{name: "register a deal closed as error", line: "deal register 4", ok: true, want: []string{"Deal #4 cannot be registered: it is closed as error."}},
		{name: "intent label", line: "deal edit 1 intent=no", ok: true, want: []string{"changed marketplace intent No"}},
		{name: "user add, not an e-mail", line: "user add ee@contoso role=referrals-admin", field: "email",
			want: []string{`✗ email: "ee@contoso" is not an e-mail address`}, not: []string{"id:"}},
		{name: "list by customer as typed", line: `deal list all customer="C & Co"`, ok: true, want: []string{`customer matching "C & Co"`}, not: []string{"candco"}},
		{name: "list by words as typed", line: `deal list all q=OPP-00123`, ok: true, want: []string{`matching "OPP-00123"`}, not: []string{"opp00123"}},
	} {
		t.Run(tc.name, func(t *testing.T) { e.check(t, tc) })
	}
}

// received= takes a moment as cosellbot prints it, keeps its time (the 14
// days run from it), and refuses what it cannot read naming the moment
// forms; a moment later today is named with its time (ux #5).
func TestReceivedTakesPrintedMoments(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.clk.t = time.Date(2026, 11, 29, 13, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ received, at, expires string }{
		{"2026-11-28 09:15 UTC", "2026-11-28T09:15:00Z", "2026-12-12 09:15 UTC"},
		{"2026-11-28 09:15", "2026-11-28T09:15:00Z", "2026-12-12 09:15 UTC"},
		{"2026-11-28T10:15:00+01:00", "2026-11-28T09:15:00Z", "2026-12-12 09:15 UTC"},
		{"2026-11-28", "2026-11-28T00:00:00Z", "2026-12-12 00:00 UTC"},
	} {
		r := e.run(receive + ` received="` + tc.received + `"`)
		if got := r.Data["deal"].(command.DealView).ReceivedAt.Time().UTC(); got.Format(time.RFC3339) != tc.at {
			t.Errorf("received=%s: %v, want %s", tc.received, got, tc.at)
		}
		if !strings.Contains(r.Text, "Answer by "+tc.expires) {
			t.Errorf("received=%s:\n%s\nwant Answer by %s", tc.received, r.Text, tc.expires)
		}
	}
	for _, tc := range []msgCase{
		{name: "a moment in the AM/PM form", line: receive + ` received="Nov 28, 2026 9:15 AM"`, field: "received",
			want: []string{`received: "Nov 28, 2026 9:15 AM" is not a date or a moment: write a moment such as 2026-11-28 09:15 UTC`, "2026-11-28T09:15:00Z", "YYYY-MM-DD"}},
		{name: "later today", line: receive + ` received=2026-11-29T23:59:00Z`, field: "received",
			want: []string{"the received time 2026-11-29 23:59 UTC is in the future (it is 2026-11-29 13:00 UTC now)"}},
		{name: "help", line: "help deal receive", ok: true, want: []string{"2026-11-28 09:15 UTC"}},
	} {
		t.Run(tc.name, func(t *testing.T) { e.check(t, tc) })
	}
}

// help VERB describes each key as that verb takes it, not as another verb
// does (ux #6).
func TestKeyHelpPerVerb(t *testing.T) {
	e := newAlertEnv(t, storetest.Open(t))
	for _, tc := range []msgCase{
		{line: "help cpor claim", want: []string{"customer=            the customer's Microsoft Entra tenant id, a GUID"}, not: []string{"customer's name", "what the customer needs"}},
		{line: "help cpor info", want: []string{"notes=               what Microsoft asked for"}, not: []string{"what the customer needs"}},
		{line: "help solution add", want: []string{"name=                the solution's name"}, not: []string{"the deal's name"}},
		{line: "help deal decline", want: []string{"notes=               your answer to the sender"}, not: []string{"what the customer needs"}},
		// Not pointing at itself (a tester read "help deal new lists every
		// key" inside help deal new).
		{line: "help deal new", want: []string{"name=                the deal's name", "customer=            the customer's name", "notes=               what the customer needs"}, not: []string{"(help deal new"}},
	} {
		t.Run(tc.line, func(t *testing.T) { tc.ok = true; e.check(t, tc) })
	}
}

// Two people accept one referral at once, the second with values of their
// own: a tester's second got "already accepted: nothing to do", and nothing
// said their name, value and date were not kept.
func TestSecondAcceptSaysItsValuesWereNotApplied(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.run(`deal receive kind=services customer=Fabrikam customer_location=SE location=1000001 from=microsoft`)
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

// A snooze capped at the expiry promised reminders would "resume" on the
// day the referral is lost: it says when it expires instead.
func TestSnoozeToTheExpirySaysWhenItIsLost(t *testing.T) {
	st := storetest.Open(t)
	e := newEnv(t, st)
	e.svc = command.New(st, e.clk, deal.DefaultRates(), nil, command.WithAlerts(st, []string{"shell"}, nil))
	e.run(`deal receive kind=services customer=Fabrikam customer_location=SE location=1000001 from=microsoft`)
	r := e.run("deal snooze 1 until=+30d")
	if strings.Contains(r.Text, "resume") || !strings.Contains(r.Text, "until 2026-12-06 00:00 UTC, the start of the day the referral expires") ||
		!strings.Contains(r.Text, "no reminder comes before it expires on 2026-12-06 09:00 UTC: answer it before then (deal accept 1 or deal decline 1)") {
		t.Errorf("capped snooze: %s", r.Text)
	}
	if r := e.run("deal snooze 1 until=+3d"); !strings.Contains(r.Text, "the next one comes 2026-11-29 09:00 UTC") {
		t.Errorf("snooze: %s", r.Text)
	}
}

// Refusals say what to type: a tester's UK got no GB, a past close date no
// close=, and "Paris office" read as if no location had been given.
func TestRefusalsSayWhatToType(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	line := `deal new kind=ip name=N customer=C customer_location=UK location="Paris office" value=50000 currency=USD close=2020-01-01 notes=n solution="Contoso Insight" ` + team
	r := e.svc.Run(context.Background(), access.LocalAdmin, here, line)
	for _, want := range []string{`got "UK" (the United Kingdom is GB)`, "is in the past: give a later one, close=YYYY-MM-DD", `location="Paris office" is not a partner location ID: location= takes the number Partner Center shows`} {
		if r.OK() || !strings.Contains(r.Text, want) {
			t.Errorf("refusal lacks %q:\n%s", want, r.Text)
		}
	}
}

// A typo of a command's first word in help gets its suggestion too (a
// tester's "help dael" got none, while "dael list" did).
func TestHelpTypoOfTheNoun(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	if r := e.svc.Run(context.Background(), access.LocalAdmin, here, "help dael"); !strings.Contains(r.Text, "did you mean help deal?") {
		t.Errorf("help dael → %q", r.Text)
	}
}
