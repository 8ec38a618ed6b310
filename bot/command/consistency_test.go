package command_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// TestConsistency: the same rule and the same wording on every path.
func TestConsistency(t *testing.T) {
	st := storetest.Open(t)
	e := newEnv(t, st)
	e.svc = command.New(st, e.clk, deal.DefaultRates(), nil, command.WithAlerts(st, []string{"shell"}, nil))
	e.seedCatalog()
	refused := func(line, want string) {
		t.Helper()
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, line)
		if r.OK() || !strings.Contains(r.Text, want) {
			t.Errorf("%s → %q, want a refusal saying %q", line, r.Text, want)
		}
	}
	// Countdowns say the time left as reminders do (deal.TimeLeft): "14
	// days" when it arrives, hours on the last day, never "tomorrow" for
	// what ends in ten hours.
	e.run(`deal receive kind=services customer=Fabrikam customer_location=SE location=1000001 from=microsoft`)
	e.clk.t = start.Add(5 * time.Second)
	if r := e.run("deal show 1"); !strings.Contains(r.Text, "(in 14 days)") {
		t.Errorf("seconds after receipt:\n%s", r.Text)
	}
	e.clk.t = start.Add(13*24*time.Hour + 14*time.Hour) // 23:00 the day before it expires
	if r := e.run("deal show 1"); !strings.Contains(r.Text, "(in 10 hours)") {
		t.Errorf("the eve of expiry:\n%s", r.Text)
	}
	e.clk.t = start.Add(14*24*time.Hour - 2*time.Hour)
	if r := e.run("deal show 1"); !strings.Contains(r.Text, "(in 2 hours)") {
		t.Errorf("the day of expiry:\n%s", r.Text)
	}
	e.clk.t = start
	// Snooze is capped at the expiry.
	if r := e.run("deal snooze 1 until=+30d"); !strings.Contains(r.Text, "until 2026-12-06 00:00 UTC, the start of the day the referral expires") {
		t.Errorf("snooze past the expiry: %s", r.Text)
	}
	// Accept without a team is allowed (Partner Center's accept form makes it
	// optional) and says how to add one; the last member never goes.
	r := e.run(`deal accept 1 name="Fabrikam Teams" value="1.200.000 SEK" close=+60d notes="900 seats"`)
	if !strings.Contains(r.Text, `No team yet: add who works on it with deal team add 1 "Name <email> +phone"`) {
		t.Errorf("accept without team:\n%s", r.Text)
	}
	e.run(`deal team add 1 "Ana Diaz <ana@contoso-partner.com> +33 1 23 45 67 89"`)
	refused("deal team remove 1 ana@contoso-partner.com", "a deal keeps at least one team member")
	// One e-mail check: what a team refuses, user add refuses too.
	refused(`deal team add 1 "Dee <dee@contoso> +46 8 123 456"`, `"dee@contoso" is not a valid e-mail address`)
	refused("user add dee@contoso role=referrals-user", `"dee@contoso" is not an e-mail address`)
	// Areas and plays are Partner Center's.
	refused(`deal new kind=services name=x customer=y customer_location=FR location=1000001 value=1 close=+1d notes=n role=poc area=banana play=42 `+team, `unknown solution area "banana"`)
	// Plurals.
	e.run("deal fav 1")
	if r := e.run("deal list favorites"); !strings.Contains(r.Text, "1 favorite deal ·") {
		t.Errorf("plural: %s", r.Text)
	}
}

// TestLabelsRoundTrip: what the card prints and what Partner Center shows
// is accepted as input.
func TestLabelsRoundTrip(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	r := e.run(`deal new kind="Services co-sell" name=Teams customer=Fabrikam customer_location=SE location=1000001 value="45 000" currency=eur close=tomorrow notes=n role="Pre-sales / Vision" area="Modern Work" play="converged communications" account="Microsoft managed" ` + team)
	v := r.Data["deal"].(command.DealView)
	if v.PartnerRole != "pre-sales-vision" || v.Value == nil || *v.Value != 45000 || v.Currency != "EUR" || v.SolutionArea != "modern-work" || v.CloseDate != "2026-11-23" {
		t.Fatalf("labels not read: %+v", v)
	}
	for _, want := range []string{"Partner role: Pre-sales / Vision · Solution area: Modern Work · Play: Converged Communications", "(SE, Microsoft managed)", "Value: 45,000 EUR"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("card lacks %q:\n%s", want, r.Text)
		}
	}
	// The card's own value and stage read back.
	e.run(`deal edit 1 value="60,000 EUR"`)
	e.run(`deal stage 1 "Proposed"`)
	e.run(`deal new kind=sa name=Ready customer=Northwind customer_location=US location=1000001 value=€15k close=+30d notes=n assessment="Readiness Assessment" assessment_location=US contact="Eva Kund <eva@kund.example> +46 70 111 22 33" consent=yes ` + team)
	e.run(`deal stage 2 "Securing the customer's letter of engagement (LOE)"`)
	e.run(`deal stage 2 Collecting data`)
	if r := e.run("deal show 2"); !strings.Contains(r.Text, "Stage: Collecting data (40%)") {
		t.Errorf("SA stage by label:\n%s", r.Text)
	}
	e.run(`user add bo@fabrikam.se role="Referrals admin, incentives user"`)
	if r := e.run("user list"); !strings.Contains(r.Text, "bo@fabrikam.se — Referrals admin, Incentives user") {
		t.Errorf("user roles by label: %s", r.Text)
	}
	r = e.svc.Run(context.Background(), access.LocalAdmin, here, `deal edit 1 value="45000 EUR" currency=USD`)
	if r.OK() || !strings.Contains(r.Text, "value= says EUR but currency= says USD") {
		t.Errorf("conflicting currencies: %s", r.Text)
	}
}

// TestTypedBack: what a card or a list prints, typed back into the command
// it belongs to, is read as what it says; what cannot be read is refused
// alone, without a second problem about what was given.
func TestTypedBack(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	r := e.run(`deal new kind=ip name=Alpha customer=Contoso customer_location=FR location=1000001 value=45000 currency=USD close=2027-03-01 notes=n account=duns solution="Contoso Insight" ` + team)
	card := r.Text
	solLine := ""
	for _, l := range strings.Split(card, "\n") {
		if s, ok := strings.CutPrefix(l, "Solutions: "); ok {
			solLine = s
		}
	}
	if !strings.Contains(solLine, "(") || !strings.Contains(solLine, ",") {
		t.Fatalf("the card's solution line has no note with a comma to type back: %q", solLine)
	}
	refused := func(line string) string {
		t.Helper()
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, line)
		if r.OK() {
			t.Fatalf("%s: accepted, want refused", line)
		}
		return r.Text
	}
	// The solution as the card prints it: the same solution, so nothing to change.
	if got := refused(`deal edit 1 solution=` + command.Quote(solLine)); !strings.Contains(got, "nothing to change: deal 1 already has the solution given") {
		t.Errorf("the card's solution line typed back: %s", got)
	}
	// The same value as the card prints it.
	if got := refused(`deal edit 1 value="45,000 USD" close=2027-03-01`); !strings.Contains(got, "nothing to change: deal 1 already has the value, currency, close given") {
		t.Errorf("same values: %s", got)
	}
	// An unreadable value is the only problem.
	if got := refused(`deal edit 1 value=-5`); strings.Contains(got, "nothing to change") || !strings.Contains(got, "not an amount") {
		t.Errorf("unreadable value: %s", got)
	}
	// The account as the card prints it.
	if r := e.run(`deal edit 1 account="Microsoft managed"`); !strings.Contains(r.Text, "Microsoft managed") {
		t.Errorf("account by label: %s", r.Text)
	}
	// A status as a list row prints it, as stage=.
	e.run(`deal receive kind=ip customer=Fabrikam customer_location=SE location=1000001 from=microsoft`)
	e.run(`deal receive kind=ip customer=Northwind customer_location=SE location=1000001 from=microsoft`)
	e.run(`deal decline 3 reason="Not a fit"`)
	if r := e.run(`deal list stage=Received`); !strings.Contains(r.Text, "#2 ") || strings.Contains(r.Text, "#1 ") || strings.Contains(r.Text, "#3 ") {
		t.Errorf("deal list stage=Received:\n%s", r.Text)
	}
	if r := e.run(`deal list closed stage=Declined`); !strings.Contains(r.Text, "#3 ") || strings.Contains(r.Text, "#2 ") {
		t.Errorf("deal list closed stage=Declined:\n%s", r.Text)
	}
	if got := refused(`deal list stage=Declined`); !strings.Contains(got, "deal list closed stage=Declined") {
		t.Errorf("a closed status in the open list: %s", got)
	}
	if got := refused(`deal list stage=Won`); !strings.Contains(got, "deal list closed stage=Won") {
		t.Errorf("Won in the open list: %s", got)
	}
}

// TestPermitsAtTheClick: a button that opens a form asks Permits first; a
// deal in a state its verb cannot act on (a referral already answered or
// expired, a deal closed) is refused there, with the submission's words,
// and the database is left as it was. Allowed clicks pass.
func TestPermitsAtTheClick(t *testing.T) {
	st := storetest.Open(t)
	e := newEnv(t, st)
	e.svc = command.New(st, e.clk, deal.DefaultRates(), nil, command.WithAlerts(st, []string{"shell"}, nil))
	e.seedCatalog()
	e.run(`deal receive kind=ip customer=Fabrikam customer_location=SE location=1000001 from=microsoft`)                                                                // 1: received
	e.run(`deal receive kind=ip customer=Northwind customer_location=SE location=1000001 from=microsoft`)                                                               // 2: declined
	e.run(`deal new kind=ip name=Alpha customer=Contoso customer_location=FR location=1000001 value=30000 close=2027-01-01 notes=n solution="Contoso Insight" ` + team) // 3: won
	e.run(`deal new kind=ip name=Beta customer=Contoso customer_location=FR location=1000001 value=30000 close=2027-01-01 notes=n solution="Contoso Insight" ` + team)  // 4: co-sell
	e.run(`deal decline 2 reason="Not a fit"`)
	e.run(`deal won 3`)
	if r := e.run(`deal invite 4 microsoft help=technical contact="Eva Lund <eva@contoso.fr> +33 1 23 45 67 89" consent=yes`); !r.OK() {
		t.Fatalf("inviting Microsoft: %s", r.Text)
	}
	for line, want := range map[string]string{
		"deal accept 2":   "deal 2 is declined",
		"deal decline 2":  "already declined",
		"deal lost 3":     "is won",
		"deal error 3":    "is won",
		"deal snooze 3":   "no reminders left",
		"deal team add 3": "is won",
		// A deal that does not exist, for a button as for the command.
		"deal lost 99": "no deal #99",
		"deal won 99":  "no deal #99",
		// What the deal, not the form's values, refuses: an upgrade the
		// deal is past, Microsoft invited twice.
		"deal upgrade 4 partner-led": "already co-sell",
		"deal upgrade 4 co-sell":     "already co-sell",
		"deal invite 4 microsoft":    "Microsoft is already on deal 4",
	} {
		before := snapshot(t, st)
		r := e.svc.Permits(context.Background(), access.LocalAdmin, line)
		if r == nil || !strings.Contains(r.Text, want) {
			t.Errorf("%s at the click: %v, want a refusal saying %q", line, r, want)
		}
		if snapshot(t, st) != before {
			t.Errorf("%s at the click changed the database", line)
		}
	}
	for _, line := range []string{"deal accept 1", "deal decline 1", "deal snooze 1", "deal show 3", "faq what is cpor"} {
		if r := e.svc.Permits(context.Background(), access.LocalAdmin, line); r != nil {
			t.Errorf("%s at the click refused: %s", line, r.Text)
		}
	}
	// Past its expiry, before the sweep: the click on Accept is refused
	// and, being an action, records the expiry (dated when it happened),
	// once, as the command does.
	e.clk.t = start.Add(15 * 24 * time.Hour)
	if r := e.svc.Permits(context.Background(), access.LocalAdmin, "deal accept 1"); r == nil || !strings.Contains(r.Text, "expired on") {
		t.Fatalf("deal accept 1 after its expiry at the click: %v", r)
	}
	e.svc.Permits(context.Background(), access.LocalAdmin, "deal decline 1")
	if h := e.run("deal history 1").Text; strings.Count(h, "expired unanswered") != 1 {
		t.Errorf("the click did not record the expiry once:\n%s", h)
	}
}

// TestByStageOrder: the totals follow the pipeline, a referral not answered
// yet first, then Created before Accepted (both at 0 %), then the stages.
func TestByStageOrder(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`deal receive kind=ip customer=Fabrikam customer_location=SE location=1000001 from=microsoft`)
	e.run(`deal receive kind=ip customer=Northwind customer_location=SE location=1000001 from=microsoft`)
	e.run(`deal accept 2 name=N value=1000 close=2027-01-01 notes=n`)
	e.run(`deal new kind=ip name=Alpha customer=Contoso customer_location=FR location=1000001 value=30000 close=2027-01-01 notes=n solution="Contoso Insight" ` + team)
	e.run(`deal new kind=ip name=Beta customer=Contoso customer_location=FR location=1000001 value=30000 close=2027-01-01 notes=n solution="Contoso Insight" ` + team)
	e.run(`deal stage 4 proposed`)
	r := e.run(`deal list`)
	_, totals, _ := strings.Cut(r.Text, "By stage: ")
	var got []string
	for _, p := range strings.Split(totals, " · ") {
		name, _, _ := strings.Cut(p, ":")
		got = append(got, name)
	}
	if want := []string{"Received", "Created", "Accepted", "Proposed"}; !slices.Equal(got, want) {
		t.Errorf("By stage order %q, want %q\n%s", got, want, r.Text)
	}
}

// TestSnoozeRecordsTheExpiry: a referral past its 14 days meets its expiry
// at the first action, a snooze too, which records it as every other verb
// does (the sweep need not have run).
func TestSnoozeRecordsTheExpiry(t *testing.T) {
	st := storetest.Open(t)
	e := newEnv(t, st)
	e.svc = command.New(st, e.clk, deal.DefaultRates(), nil, command.WithAlerts(st, []string{"shell"}, nil))
	e.run(`deal receive kind=ip customer=Fabrikam customer_location=SE location=1000001 from=microsoft`)
	e.clk.t = start.Add(15 * 24 * time.Hour)
	r := e.svc.Run(context.Background(), access.LocalAdmin, here, `deal snooze 1 until=+2d`)
	if r.OK() || !strings.Contains(r.Text, "expired") {
		t.Fatalf("snooze past expiry: %s", r.Text)
	}
	if h := e.run(`deal history 1`); !strings.Contains(h.Text, "expired unanswered") {
		t.Errorf("the expiry was not recorded:\n%s", h.Text)
	}
}

// TestReceivedAtAMoment: received= given as a moment (as Partner Center's
// createdDateTime reads) keeps its time; the 14 days run from it.
func TestReceivedAtAMoment(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	r := e.run(`deal receive kind=services customer=Fabrikam customer_location=SE location=1000001 from=microsoft received=2026-11-20T08:40:00Z`)
	if !strings.Contains(r.Text, "Answer by 2026-12-04 08:40 UTC") {
		t.Errorf("a referral received at 08:40:\n%s", r.Text)
	}
	r = e.run(`deal receive kind=services customer=Northwind customer_location=SE location=1000001 from=microsoft received=2026-11-20`)
	if !strings.Contains(r.Text, "Answer by 2026-12-04 00:00 UTC") {
		t.Errorf("a referral received on a day:\n%s", r.Text)
	}
}
