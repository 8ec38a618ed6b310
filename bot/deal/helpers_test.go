package deal

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// t0 is the fixed "now" of every test: no test reads the wall clock.
var t0 = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

// closeDate is a valid estimated close date, three months after t0.
var closeDate = time.Date(2027, 2, 26, 0, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

func alice() Person {
	return Person{Name: "Alice Martin", Email: "alice@contoso.com", Phone: "+33 1 23 45 67 89"}
}

func bjorn() Person {
	return Person{Name: "Björn Svensson", Email: "bjorn@contoso.se", Phone: "+46 8 123 456 78"}
}

func customerContact() *Person {
	return &Person{Name: "Chloé Dubois", Email: "chloe@fabrikam.fr", Phone: "+33 6 12 34 56 78"}
}

// azureSolution is one of the partner's own Azure IP co-sell solutions, with
// no MACC or marketplace incentive flags so that cases can add them.
func azureSolution() Solution {
	return Solution{Name: "Contoso Analytics", Source: Mine, IP: IPAzure}
}

func assessmentSolution() Solution {
	return Solution{Name: "Azure migration assessment", Source: Assessment}
}

// validIP is a complete IP co-sell draft: private (help none, not shared).
func validIP() Draft {
	return Draft{
		Kind:      IPCoSell,
		Name:      "Fabrikam analytics rollout",
		Customer:  Customer{Name: "Fabrikam SA", Location: "FR", Account: Managed},
		Location:  "1234567",
		Value:     5_000_000, // 50,000.00
		Currency:  "USD",
		CloseDate: closeDate,
		Notes:     "Fabrikam wants to move its reporting to Azure.",
		Team:      []Person{alice()},
		Solutions: []Solution{azureSolution()},
		Help:      HelpNone,
	}
}

// validServices is a complete services co-sell draft without solutions
// (they are optional for services).
func validServices() Draft {
	dr := validIP()
	dr.Kind = ServicesCoSell
	dr.Solutions = nil
	dr.Role = "solution-design"
	dr.SolutionArea = "Data & AI"
	dr.SolutionPlay = "Analytics"
	return dr
}

// validSA is a complete solution assessment draft.
func validSA() Draft {
	dr := validIP()
	dr.Kind = SolutionAssessment
	dr.Customer = Customer{Name: "Northwind AB", Location: "SE", Account: Managed}
	dr.Solutions = []Solution{assessmentSolution()}
	dr.AssessmentLocation = "SE"
	dr.Customer.Contact, dr.Customer.Consent = customerContact(), true
	return dr
}

// validP2P is a complete partner-to-partner draft.
func validP2P() Draft {
	dr := validIP()
	dr.Kind = P2P
	return dr
}

// referral is a minimal inbound services referral sent by Microsoft two days
// before t0.
func referral() Draft {
	return Draft{
		Kind:       ServicesCoSell,
		Customer:   Customer{Name: "Northwind AB", Location: "SE", Account: Managed},
		Location:   "7654321",
		From:       "microsoft",
		ReceivedAt: t0.Add(-48 * time.Hour),
	}
}

// acceptChanges is what a partner gives when accepting a referral.
func acceptChanges() Changes {
	return Changes{
		Name:      ptr("Northwind data estate"),
		Value:     ptr(Money(4_000_000)),
		CloseDate: ptr(closeDate),
		Notes:     ptr("Northwind needs a data estate assessment."),
	}
}

func mustNew(t *testing.T, dr Draft) *Deal {
	t.Helper()
	d, _, err := New(dr, t0)
	if err != nil {
		t.Fatalf("New: unexpected error: %v", err)
	}
	return d
}

func mustReceive(t *testing.T, dr Draft) *Deal {
	t.Helper()
	d, _, err := Receive(dr, t0)
	if err != nil {
		t.Fatalf("Receive: unexpected error: %v", err)
	}
	return d
}

// acceptedReferral is an inbound referral the partner has accepted.
func acceptedReferral(t *testing.T) *Deal {
	t.Helper()
	d := mustReceive(t, referral())
	if _, err := d.Accept(acceptChanges(), t0); err != nil {
		t.Fatalf("Accept: unexpected error: %v", err)
	}
	return d
}

// ruleIDs returns "field/rule" for every *RuleError in err, sorted. It finds
// them with errors.As, walking a Problems list through Unwrap() []error.
func ruleIDs(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var first *RuleError
	if !errors.As(err, &first) {
		t.Fatalf("error %q (%T) is not a *deal.RuleError", err, err)
	}
	var ids []string
	if multi, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range multi.Unwrap() {
			var re *RuleError
			if !errors.As(e, &re) {
				t.Fatalf("error %q (%T) in the list is not a *deal.RuleError", e, e)
			}
			ids = append(ids, re.Field+"/"+re.Rule)
		}
	} else {
		ids = []string{first.Field + "/" + first.Rule}
	}
	for _, id := range ids {
		if id[0] == '/' || id[len(id)-1] == '/' {
			t.Errorf("rule error %q lacks a field or a rule", id)
		}
	}
	slices.Sort(ids)
	return ids
}

// expectRules checks that err breaks exactly the given "field/rule" pairs
// (in any order); no pairs means err must be nil.
func expectRules(t *testing.T, err error, want ...string) {
	t.Helper()
	got := ruleIDs(t, err)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("broken rules = %q, want %q (error: %v)", got, want, err)
	}
}

// err is the Problems as an error, nil when there are none.
func (p Problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return p
}
