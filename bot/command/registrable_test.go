package command_test

import (
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// An IP co-sell referral Microsoft sent without a solution is accepted
// and may be won, but a won deal cannot change and registration needs a
// co-sell-eligible solution: accepting says so while it can be added, and
// winning without one says the deal cannot be registered (it said "Next:
// deal register", which could only refuse). With one, neither is said.
func TestNoRegistrableSolutionIsSaid(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`deal receive kind=ip customer=Fabrikam customer_location=SE account=managed location=1000001 from=microsoft notes=n`)
	e.run(`deal receive kind=ip customer=Northwind customer_location=SE account=managed location=1000001 from=microsoft notes=n solution="Contoso Insight"`)
	accept := func(id string) string {
		t.Helper()
		r := e.run(`deal accept ` + id + ` name=N value=30000 close=2027-06-01`)
		if !r.OK() {
			t.Fatalf("accept %s: %s", id, r.Text)
		}
		return r.Text
	}
	if got := accept("1"); !strings.Contains(got, `No co-sell-eligible solution of yours yet`) || !strings.Contains(got, `deal edit 1 solution=`) {
		t.Errorf("accepting a referral without a solution:\n%s", got)
	}
	if got := accept("2"); strings.Contains(got, "co-sell-eligible") {
		t.Errorf("accepting a referral with a registrable solution warns:\n%s", got)
	}
	if got := e.run(`deal won 1`).Text; !strings.Contains(got, "It cannot be registered") || strings.Contains(got, "Next: deal register") {
		t.Errorf("won without a registrable solution:\n%s", got)
	}
	if got := e.run(`deal won 2`).Text; !strings.Contains(got, "Next: deal register 2") {
		t.Errorf("won with a registrable solution:\n%s", got)
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

// A registrable deal in a currency the rates table lacks says so when it is
// made (a tester's HUF deal heard of it only from deal register, once won).
func TestNoRateSaidAtCreation(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	r := e.run(`deal new kind=ip name=Forint customer=C customer_location=HU account=managed location=1111111 value="10,000,000 HUF" close=2027-03-01 notes=n solution="Contoso Insight" ` + team)
	if !strings.Contains(r.Text, "No registration rate for HUF") {
		t.Errorf("a HUF deal made:\n%s", r.Text)
	}
	if r := e.run(`deal new kind=ip name=Euro customer=C customer_location=FR account=managed location=1111111 value=50000 currency=EUR close=2027-03-01 notes=n solution="Contoso Insight" ` + team); strings.Contains(r.Text, "No registration rate") {
		t.Errorf("a EUR deal made:\n%s", r.Text)
	}
}

// A won co-sell deal's Microsoft answer only moves on (a tester turned
// "won" to "declined" and back, registration flipping each time), and once
// Microsoft declined, registration is refused for good, not "yet"; an
// invitation still unanswered may still be answered.
func TestMicrosoftAnswerOfAWonDeal(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	for _, name := range []string{"Declined", "Waiting"} {
		if r := e.run(`deal new kind=ip name=` + name + ` customer=C customer_location=SE account=managed location=1111111 value=50000 currency=USD close=2027-03-01 notes=n solution="Contoso Insight" help="Technical help" contact="Eva Kund <eva@c.example> +46 70 111 22 33" consent=yes ` + team); !r.OK() {
			t.Fatalf("deal new: %s", r.Text)
		}
	}
	e.run("deal edit 1 microsoft=declined")
	e.run("deal won 1")
	e.run("deal won 2")
	if r := e.try("deal edit 1 microsoft=accepted"); r.OK() || !strings.Contains(r.Text, "only moves on") {
		t.Errorf("a won deal's decline turned to an acceptance: %s", r.Text)
	}
	if r := e.run("deal register 1"); strings.Contains(r.Text, "yet") {
		t.Errorf("declined by Microsoft and won:\n%s", r.Text)
	}
	if r := e.run("deal register 2"); !strings.Contains(r.Text, "Deal #2 cannot be registered yet.") {
		t.Errorf("won, Microsoft still to answer:\n%s", r.Text)
	}
	if r := e.try("deal edit 2 microsoft=won"); !r.OK() {
		t.Errorf("Microsoft marking a won deal won: %s", r.Text)
	}
	if r := e.try("deal edit 2 microsoft=declined"); r.OK() {
		t.Errorf("a won deal's Microsoft win turned to a decline: %s", r.Text)
	}
}

// try runs a line as the local admin, refused or not.
func (e *env) try(line string) command.Reply {
	e.t.Helper()
	return e.svc.Run(e.t.Context(), access.LocalAdmin, here, line)
}

// A verb missing its last word says what the word may be where help has
// it: "deal stage 13" alone gave the synopsis without a stage's name.
func TestMissingWordSaysWhatItMayBe(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	r := e.try("deal stage 13")
	if r.OK() || !strings.Contains(r.Text, "usage: deal stage ID STAGE") || !strings.Contains(r.Text, "Qualified, Developed, Proposed, Negotiated") {
		t.Errorf("deal stage 13: %s", r.Text)
	}
}

// A line missing a key and giving others wrong names every problem: a
// tester's deal new with notes="" heard only "needs notes=", which hid a
// country, a negative value and a past date. A line only missing keys keeps
// its usage refusal, one problem per key.
func TestMissingKeyAndWrongValuesSaidTogether(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	r := e.try(`deal new kind=ip name=X customer=C customer_location=France location=1234567 value=-5 close=2020-01-01 notes="" ` + team)
	for _, want := range []string{"value:", "customer_location:", "close:", "notes:"} {
		if r.OK() || !strings.Contains(r.Text, want) {
			t.Errorf("refusal does not name %s\n%s", want, r.Text)
		}
	}
	if r := e.try("deal new kind=ip name=X"); r.OK() || r.Err.Code != "usage" {
		t.Errorf("only keys missing: %+v", r.Err)
	}
}
