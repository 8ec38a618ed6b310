package command_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// TestInviteMicrosoftGivesTheContact: a deal made without a customer
// contact could never invite Microsoft (the rule asked for contact=, which
// neither deal invite nor deal edit took). The invitation now carries it,
// the card's button asks for it, and it needs the customer's consent.
func TestInviteMicrosoftGivesTheContact(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`deal new kind=ip name="NW" customer="Northwind" customer_location=US location=1000001 value=50000 close=+30d notes=n solution="Contoso Insight" ` + team)
	r := e.run("deal show 1")
	var ask []string
	for _, a := range r.Actions {
		if a.Label == "Invite Microsoft" {
			ask = a.Ask
		}
	}
	if strings.Join(ask, ",") != "help,contact,consent" {
		t.Fatalf("Invite Microsoft asks %v on a deal without a contact", ask)
	}
	for line, want := range map[string]string{
		`deal invite 1 microsoft help=technical`:                                                       "inviting Microsoft needs a customer contact",
		`deal invite 1 microsoft help=technical contact="Eva Lund <eva@fabrikam.se> +46 8 123 456"`:    "consent=yes",
		`deal invite 1 partner=Litware contact="Eva Lund <eva@fabrikam.se> +46 8 123 456" consent=yes`: "contact= and consent= go with deal invite ID microsoft",
		`deal invite 1 microsoft help=technical contact="Eva Lund <eva@fabrikam.se>" consent=yes`:      "phone",
		// The invited partner's solution is a third party's: added as
		// your own, it would count as yours for registration.
		`deal invite 1 partner=Tailwind value=1000 close=+1m notes=x solution="TW Thing"`: `solution add name="TW Thing" source=third-party`,
		// Keys an invitation of Microsoft does not take were dropped.
		`deal invite 1 microsoft help=technical notes="please join"`: "notes= goes with deal invite ID partner=NAME",
		// Asking help makes a deal co-sell: a partner-led upgrade (for
		// good) dropped it.
		`deal upgrade 1 partner-led help=technical`: "help= invites Microsoft, which makes the deal co-sell: deal upgrade 1 co-sell help=",
	} {
		if r := e.svc.Run(context.Background(), access.LocalAdmin, here, line); r.OK() || !strings.Contains(r.Text, want) {
			t.Errorf("%s → %q, want a refusal saying %q", line, r.Text, want)
		}
	}
	if h := e.run("deal history 1").Text; strings.Contains(h, "upgraded") || strings.Contains(h, "invited") {
		t.Fatalf("a refusal changed the deal:\n%s", h)
	}
	r = e.run(`deal invite 1 microsoft help=technical contact="Eva Lund <eva@fabrikam.se> +46 8 123 456" consent=yes`)
	if !strings.Contains(r.Text, "invited Microsoft") || !strings.Contains(r.Text, "Customer contact: Eva Lund <eva@fabrikam.se> +46 8 123 456") {
		t.Fatalf("invite with the contact:\n%s", r.Text)
	}
}

// The card shows what an invited partner was asked (the invitation's
// notes), not only JSON: the channel reads the card.
func TestCardShowsInvitationNotes(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`deal new kind=ip name=P customer=Contoso customer_location=FR account=managed location=1000001 value=48000 currency=EUR close=2027-06-01 notes=n solution="Contoso Insight" ` + team)
	r := e.run(`deal invite 1 partner=Northwind value=20000 close=2027-03-01 notes="run the Azure workshop" solution="Azure OpenAI"`)
	if !r.OK() {
		t.Fatal(r.Text)
	}
	if card := e.run("deal show 1").Text; !strings.Contains(card, "Partner invited: Northwind for 20,000 EUR, closing 2027-03-01") || !strings.Contains(card, "· notes: run the Azure workshop") {
		t.Errorf("card:\n%s\nwant the invitation with its notes", card)
	}
}

// A partner's invitation with several problems says them all at once: the
// malformed values and the rules the rest breaks (it said value and
// solution, then, fixed, the past close date and the missing notes).
func TestInvitePartnerSaysEveryProblem(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`deal new kind=ip name=P customer=Contoso customer_location=FR location=1000001 value=48000 currency=EUR close=2027-06-01 notes=n solution="Contoso Insight" ` + team)
	r := e.svc.Run(context.Background(), access.LocalAdmin, here, `deal invite 1 partner=Adatum value=45.000 close=2020-01-01 solution=Nope`)
	for _, field := range []string{"value", "solution", "close", "notes"} {
		if r.OK() || !strings.Contains(r.Text, field) {
			t.Errorf("refusal %q does not name %s", r.Text, field)
		}
	}
	if h := e.run("deal history 1").Text; strings.Contains(h, "invited") {
		t.Errorf("a refused invitation changed the deal:\n%s", h)
	}
}

// A solution assessment deal takes no sale type (seed 004), so Microsoft is
// invited on none, from any path: a tester's "deal invite 1 microsoft
// help=technical" made one co-sell. Typed, clicked on its card (which no
// longer offers it) or on an old card, and as help= or share= when the
// deal is made, it is refused, saying why, and changes nothing.
func TestAssessmentInvitesNoMicrosoft(t *testing.T) {
	st := storetest.Open(t)
	e := newEnv(t, st)
	e.seedCatalog()
	sa := `deal new kind=sa name=R customer=N customer_location=US location=1000001 value=15000 close=2027-01-31 notes=n assessment="Readiness Assessment" assessment_location=US contact="Eva Kund <eva@kund.example> +46 70 111 22 33" consent=yes ` + team
	if r := e.run(sa); !r.OK() {
		t.Fatalf("SA deal: %s", r.Text)
	}
	for _, tc := range []struct{ line, field, rule string }{
		{"deal invite 1 microsoft help=technical", "sale_type", "invite_microsoft_assessment"},
		{`deal invite 1 microsoft help=pricing contact="Eva Kund <eva@kund.example> +46 70 111 22 33" consent=yes`, "sale_type", "invite_microsoft_assessment"},
		{"deal upgrade 1 cosell help=technical", "sale_type", "upgrade_assessment"},
		{sa + " help=technical", "help", "help_assessment"},
		{sa + " share=yes", "share", "share_assessment"},
	} {
		before := snapshot(t, st)
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, tc.line)
		if r.OK() || r.Err.Field != tc.field || r.Err.Rule != tc.rule || !strings.Contains(r.Text, "a solution assessment deal has no sale type to choose") {
			t.Errorf("%s → %q, want %s/%s", tc.line, r.Text, tc.field, tc.rule)
		}
		if snapshot(t, st) != before {
			t.Errorf("%s changed the database", tc.line)
		}
	}
	r := e.run("deal show 1")
	for _, a := range r.Actions {
		if strings.Contains(a.Command, "microsoft") || strings.Contains(a.Command, "upgrade") {
			t.Errorf("an SA deal's card offers %s: %s", a.Label, a.Command)
		}
	}
	if v := r.Data["deal"].(command.DealView); v.SaleType != "private" || v.Microsoft != "" {
		t.Errorf("SA deal after the refusals: sale type %s, Microsoft %q", v.SaleType, v.Microsoft)
	}
	// An old card's button is refused at the click, before its form.
	for _, click := range []string{"deal invite 1 microsoft", "deal upgrade 1 partner-led"} {
		if p := e.svc.Permits(context.Background(), access.LocalAdmin, click); p == nil || !strings.Contains(p.Text, "no sale type to choose") {
			t.Errorf("%s clicked → %v, want the refusal", click, p)
		}
	}
}
