package command_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// A lookalike address (a Cyrillic а in ana@contoso.com) is refused by
// user add and wherever a team member or contact is typed, naming the
// character, so that an admin is not tricked into granting a role to a
// copy of an existing user; nothing is saved.
func TestLookalikeEmailsRefused(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run("user add ana@contoso.com role=referrals-user locations=1111111")
	e.run(`deal new kind=ip name=N customer=C customer_location=SE location=1111111 value=50000 currency=USD close=2027-03-01 notes=n solution="Contoso Insight" ` + team)
	const why = `"аna@contoso.com" mixes scripts in "аna": U+0430 CYRILLIC SMALL LETTER A is Cyrillic among Latin letters`
	for _, tt := range []struct{ name, line, field string }{
		{"user add", "user add аna@contoso.com role=referrals-user locations=global", "email"},
		{"user add, an admin", "user add АNA@contoso.com role=referrals-admin", "email"},
		{"deal team add", `deal team add 1 "Ana Fake <аna@contoso.com> +46 70 123 45 99"`, "team"},
		{"team= on deal new", `deal new kind=ip name=N customer=C customer_location=SE location=1111111 value=50000 currency=USD close=2027-03-01 notes=n solution="Contoso Insight" team="Ana Fake <аna@contoso.com> +46 70 123 45 99"`, "team"},
		{"a domain label, deal edit", `deal edit 1 team="Ana Fake <ana@cоntoso.com> +46 70 123 45 99"`, "team"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.svc.Run(context.Background(), access.LocalAdmin, here, tt.line)
			if r.OK() {
				t.Fatalf("accepted: %s", r.Text)
			}
			if !strings.Contains(r.Text, "mixes scripts") || !strings.Contains(r.Text, "type the address in one script") {
				t.Errorf("refusal does not say what is wrong and what to type: %s", r.Text)
			}
			if strings.Contains(tt.line, "аna@") && !strings.Contains(r.Text, why) {
				t.Errorf("refusal does not name the character: %s", r.Text)
			}
			if r.Err == nil || r.Err.Field != tt.field {
				t.Errorf("field: %+v", r.Err)
			}
		})
	}
	if r := e.run("user list"); strings.Contains(r.Text, "аna@") || strings.Count(r.Text, "ana@contoso.com") != 1 {
		t.Errorf("a lookalike was saved:\n%s", r.Text)
	}
	if r := e.run("deal show 1"); strings.Contains(r.Text, "Ana Fake") {
		t.Errorf("a lookalike joined the team:\n%s", r.Text)
	}
	// One script throughout is someone's real address.
	e.run("user add пётр@пример.рф role=referrals-user locations=global")
}

// A mistyped role is the one problem said: locations= is judged against
// the roles once they are read (it also said "locations= scopes referrals
// users only", a rule the user did not break).
func TestMistypedRoleIsTheOneProblem(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	r := e.svc.Run(context.Background(), access.LocalAdmin, here, "user add x@contoso.com role=referals-user locations=1234567")
	if r.OK() || !strings.Contains(r.Text, `did you mean "Referrals user"?`) {
		t.Fatalf("user add with a mistyped role: %q", r.Text)
	}
	if strings.Contains(r.Text, "locations") {
		t.Errorf("a mistyped role also refused locations=: %q", r.Text)
	}
}
