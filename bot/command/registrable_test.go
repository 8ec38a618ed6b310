package command_test

import (
	"strings"
	"testing"

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
	e.run(`deal receive kind=ip customer=Fabrikam customer_location=SE account=managed location=LOC1 from=microsoft notes=n`)
	e.run(`deal receive kind=ip customer=Northwind customer_location=SE account=managed location=LOC1 from=microsoft notes=n solution="Contoso Insight"`)
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
