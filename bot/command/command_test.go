package command_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/shell"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// clock is a test clock that only moves when told to.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

var here = chat.Place{Platform: "shell", Channel: "test"}

var start = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

type env struct {
	t   *testing.T
	svc *command.Service
	st  *store.Store
	clk *clock
}

func newEnv(t *testing.T, st *store.Store) *env {
	clk := &clock{start}
	return &env{t: t, svc: command.New(st, clk, deal.DefaultRates(), nil), st: st, clk: clk}
}

// run executes a line as the local admin and fails the test if it is refused.
func (e *env) run(line string) command.Reply {
	e.t.Helper()
	r := e.svc.Run(context.Background(), access.LocalAdmin, here, line)
	if !r.OK() {
		e.t.Fatalf("%s\n→ refused: %+v", line, r.Err)
	}
	return r
}

// seedCatalog adds the solutions the scenarios use.
func (e *env) seedCatalog() {
	for _, line := range []string{
		`solution add name="Contoso Insight" source=mine ip=azure macc=yes incentivized=yes`,
		`solution add name="Fabrikam Flow" source=mine ip=bizapps_premium`,
		`solution add name="Azure OpenAI" source=microsoft`,
		`solution add name="Readiness Assessment" source=assessment`,
	} {
		e.run(line)
	}
}

const team = `team="Ana Diaz <ana@contoso-partner.com> +33 1 23 45 67 89"`

// TestSession drives a whole working session and compares every reply with
// the golden transcript, so a change in wording is a reviewed change.
func TestSession(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	var transcript strings.Builder
	say := func(line string) {
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, line)
		transcript.WriteString("> /cosell " + line + "\n" + shell.Render(r) + "\n\n")
	}
	say("help")
	say("help deal stage")
	say(`deal new kind=ip name="Contoso analytics" customer="Contoso SA" customer_location=FR account=managed location=1234567 value=48000 currency=EUR close=2027-03-31 notes="Data platform for 40 stores" solution="Contoso Insight" share=yes ` + team)
	say("deal stage 1 qualified")
	say("deal stage 1 proposed")
	e.clk.t = start.Add(80 * time.Hour)
	say("deal won 1")
	say("deal register 1")
	say(`deal receive kind=services customer="Fabrikam AB" customer_location=SE location=1234567 from=microsoft notes="Teams rollout, 900 seats"`)
	e.clk.t = e.clk.t.Add(8 * 24 * time.Hour)
	say("deal list expiring")
	say("deal accept 2") // the referral came without name, value and close: the refusal says how
	say(`deal accept 2 name="Fabrikam Teams rollout" value=120000 currency=SEK close=2027-02-15 ` + team)
	say(`deal team add 2 "Bo Ek <bo@example.com> +46 70 000 00 00"`)
	say("deal team remove 2 bo ek") // as the card names him
	say("deal history 2")
	say(`deal new kind=sa name="Readiness for Northwind" customer="Northwind" customer_location=US location=1234567 value=15000 close=2027-01-31 notes="Assessment of 3 data centres" assessment="Readiness Assessment" assessment_location=US contact="Eva Kund <eva@kund.example> +46 70 111 22 33" consent=yes ` + team)
	say("deal won 3")
	say("deal stage 3 collect-data")
	say("deal stage 3 loe")
	say("deal list")
	say("deal show 3")
	say("deal stage 9 qualified")
	say("deal new kind=ip")
	say(`deal new kind=ip name=x customer=y customer_location=FRA location=1 value=-3 close=2020-01-01 notes=n team="Bo <bo> 12" solution=nothing`)
	say("deal acept 1")
	say("deal won 1")
	checkGolden(t, "session", transcript.String())
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test ./bot/command -update rewrites it; review the diff):\n%s", path, diff(string(want), got))
	}
}

func diff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			b.WriteString("line " + itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g + "\n")
		}
	}
	return b.String()
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// snapshot captures everything a refused command must leave untouched.
func snapshot(t *testing.T, st *store.Store) string {
	t.Helper()
	ctx := context.Background()
	deals, err := st.ListDeals(ctx, ledger.DealFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, d := range deals {
		j, _ := json.Marshal(command.View(d))
		b.Write(j)
		h, err := st.History(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(itoa(len(h)) + "\n")
	}
	sols, _ := st.Solutions(ctx)
	users, _ := st.Users(ctx)
	j, _ := json.Marshal([]any{sols, users})
	b.Write(j)
	return b.String()
}

// TestRefusals checks that every refusal names the field and rule, and
// leaves the database exactly as it was.
func TestRefusals(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.seedCatalog()
		base := `deal new kind=ip name=Alpha customer=Contoso customer_location=FR location=1000001 value=30000 close=2027-01-01 notes="n" solution="Contoso Insight" ` + team
		e.run(base)
		e.run(`deal receive kind=ip customer=Fabrikam customer_location=SE location=1000001 from=microsoft`)
		e.run("deal won 1")
		tests := []struct {
			name, line, code, field, rule string
		}{
			{"unknown verb suggests", "deal acept 2", "usage", "", ""},
			{"unknown key suggests", strings.Replace(base, "close=", "clse=", 1), "usage", "", ""},
			{"missing required key", "deal new kind=ip name=x", "usage", "", ""},
			{"bad date", strings.Replace(base, "2027-01-01", "01/01/2027", 1), "invalid", "close", "format"},
			{"close date in the past", strings.Replace(base, "2027-01-01", "2025-01-01", 1), "invalid", "close", "close_in_future"},
			{"bad value", strings.Replace(base, "30000", "30.000", 1), "invalid", "value", "format"},
			{"bad country", strings.Replace(base, "customer_location=FR", "customer_location=France", 1), "invalid", "customer_location", "customer_location_country"},
			{"team email invalid", strings.Replace(base, "ana@contoso-partner.com", "ana-at-contoso", 1), "invalid", "team", "person_email"},
			{"unknown solution", strings.Replace(base, `"Contoso Insight"`, `"Contoso Insite"`, 1), "invalid", "solution", "format"},
			{"services need a role", strings.Replace(base, "kind=ip", "kind=services", 1) + ` area="Data & AI" play="Unify your data platform"`, "invalid", "role", "role_required_services"},
			{"SA needs a vetted assessment type", strings.Replace(strings.Replace(base, "kind=ip", "kind=sa", 1), `solution="Contoso Insight"`, "assessment=Unknown assessment_location=FR", 1), "invalid", "assessment", "format"},
			{"terminal deal is immutable", "deal edit 1 notes=late", "invalid", "status", "terminal_immutable"},
			{"no such deal", "deal show 99", "not_found", "", ""},
			{"accept needs the missing fields", "deal accept 2", "invalid", "name", "name_required"},
			{"decline needs a reason", "deal decline 2 reason=", "usage", "", ""},
			{"stage unknown", "deal stage 2 qualified", "invalid", "status", "status_mark_a_stage_on"},
			{"user with a bad role", "user add bo@fabrikam.se role=boss", "invalid", "role", "format"},
			{"unknown user", "", "", "", ""},
		}
		for _, tt := range tests[:len(tests)-1] {
			t.Run(tt.name, func(t *testing.T) {
				before := snapshot(t, st)
				r := e.svc.Run(context.Background(), access.LocalAdmin, here, tt.line)
				if r.OK() {
					t.Fatalf("%s: accepted, want refused", tt.line)
				}
				if r.Err.Code != tt.code || (tt.field != "" && r.Err.Field != tt.field) || (tt.rule != "" && r.Err.Rule != tt.rule) {
					t.Fatalf("%s:\n got %+v\nwant code=%s field=%s rule=%s", tt.line, r.Err, tt.code, tt.field, tt.rule)
				}
				if r.Err.Message == "" || !strings.HasPrefix(r.Text, "✗") {
					t.Fatalf("refusal without a message: %+v", r)
				}
				if after := snapshot(t, st); after != before {
					t.Fatalf("%s changed the database:\nbefore %s\nafter  %s", tt.line, before, after)
				}
			})
		}
		if _, err := e.svc.Resolve(context.Background(), "nobody@contoso.com"); err == nil {
			t.Fatal("an unknown user was resolved")
		}
	})
}

func TestSuggestions(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	for line, want := range map[string]string{
		"deal acept 1":                 "did you mean deal accept?",
		"deal new kind=ip clse=2027":   "did you mean close=?",
		"dael list":                    "did you mean deal?",
		"deal list expirng":            "did you mean deal list expiring?",
		"deal team ad 1 x":             "did you mean deal team add?",
		"deal":                         "deal needs more",
		"solution add name=x source=y": `source takes "My company's solutions"`,
		// Other tools' names for a key, which no spelling distance finds
		// ("amount" is closer to account= than to value=).
		"deal new country=SE":            "did you mean customer_location=?",
		"deal new amount=5000":           "did you mean value=?",
		"deal new close_date=2027-01-01": "did you mean close=?",
		"deal new title=Contoso":         "did you mean name=?",
		"deal edit 1 location=1000002":   "location= cannot change once a deal exists",
		// Every unknown key at once, each with its suggestion (nam= alone,
		// then clse= once that was fixed, was one round trip per typo).
		"deal new kind=ip nam=X clse=2027-01-01": "2 unknown keys for deal new: nam= (did you mean name=?), clse= (did you mean close=?)",
		"deal new kind=ip nam=X zzzzzz=1":        "2 unknown keys for deal new: nam= (did you mean name=?), zzzzzz=; it takes kind= name=",
		"deal new kind=ip zzzzzz=1":              "unknown key zzzzzz= for deal new; it takes kind= name=",
		// A sentence naming a deal and what to do with it (read as deal
		// show 3, and as a question for the FAQ).
		"invite microsoft to deal 3": "did you mean deal invite 3 microsoft?",
		"mark deal 3 won":            "did you mean deal won 3?",
		"mark deal 3 as lost":        "did you mean deal lost 3?",
	} {
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, line)
		if r.OK() || !strings.Contains(r.Text, want) {
			t.Errorf("%s → %q, want it to contain %q", line, r.Text, want)
		}
	}
	// A question going on after the number stays a question.
	if r := e.svc.Run(context.Background(), access.LocalAdmin, here, "what happens to a won deal 3 days after"); strings.Contains(r.Text, "did you mean") {
		t.Errorf("a question read as a command: %q", r.Text)
	}
	// A mistyped verb to help says which it nearly is.
	if r := e.svc.Run(context.Background(), access.LocalAdmin, here, "help deal stge"); !strings.HasPrefix(r.Text, `No command "deal stge": did you mean help deal stage?`) {
		t.Errorf("help deal stge → %q", r.Text)
	}
}

// TestVisibility applies DOMAIN.md's rule: a referrals user scoped to a
// location sees a deal only when it is in that location and they are on its
// team; admins and global users see everything.
func TestVisibility(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`user add ana@contoso-partner.com role=referrals-user locations=1000001`)
	e.run(`user add bo@contoso-partner.com role=referrals-user locations=1000001`)
	e.run(`user add cy@contoso-partner.com role=referrals-user locations=global`)
	e.run(`user add inc@contoso-partner.com role=incentives-user`)
	e.run(`deal new kind=ip name=Alpha customer=Contoso customer_location=FR location=1000001 value=30000 close=2027-01-01 notes=n solution="Contoso Insight" ` + team)
	e.run(`deal new kind=ip name=Beta customer=Contoso customer_location=FR location=1000002 value=30000 close=2027-01-01 notes=n solution="Contoso Insight" ` + team)
	ctx := context.Background()
	as := func(id, line string) command.Reply {
		u, err := e.svc.Resolve(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return e.svc.Run(ctx, u, here, line)
	}
	count := func(r command.Reply) int { return len(r.Data["deals"].([]command.DealView)) }
	for _, tt := range []struct {
		name, user string
		deals      int
		show1      bool
	}{
		{"location user on the team sees the in-location deal only", "ana@contoso-partner.com", 1, true},
		{"location user off the team sees nothing", "bo@contoso-partner.com", 0, false},
		{"global user sees every location", "cy@contoso-partner.com", 2, true},
		{"local admin sees everything", "", 2, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if r := as(tt.user, "deal list"); !r.OK() || count(r) != tt.deals {
				t.Fatalf("deal list as %s: %v %d deals, want %d", tt.user, r.Err, count(r), tt.deals)
			}
			if r := as(tt.user, "deal show 1"); r.OK() != tt.show1 {
				t.Fatalf("deal show 1 as %s: ok=%v, want %v", tt.user, r.OK(), tt.show1)
			}
		})
	}
	if r := as("inc@contoso-partner.com", "deal list"); r.OK() || r.Err.Code != "forbidden" {
		t.Fatalf("an incentives-only user listed deals: %+v", r)
	}
	if r := as("ana@contoso-partner.com", `deal new kind=ip name=G customer=C customer_location=FR location=1000002 value=1 close=2027-01-01 notes=n solution="Contoso Insight" `+team); r.OK() || r.Err.Code != "forbidden" {
		t.Fatalf("a 1000001 user created a deal in 1000002: %+v", r)
	}
	if r := as("ana@contoso-partner.com", "user add x@y.io role=referrals-admin"); r.OK() || r.Err.Code != "forbidden" {
		t.Fatalf("a referrals user managed users: %+v", r)
	}
}

// TestButtons checks that every offered action is a command that runs.
func TestButtons(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	r := e.run(`deal receive kind=ip customer=Fabrikam customer_location=SE location=1000001 from="partner:Litware" name="Fabrikam BI" value=50000 close=2027-04-01 notes="BI for 12 plants" solution="Contoso Insight"`)
	if len(r.Actions) != 4 || r.Actions[0].Command != "deal accept 1" || r.Actions[1].Ask[0] != "reason" || r.Actions[2].Command != "deal error 1" || r.Actions[3].Command != "deal fav 1 on" {
		t.Fatalf("received deal actions: %+v", r.Actions)
	}
	r = e.run(r.Actions[0].Command)
	for i := 0; i < 4; i++ {
		next := r.Actions[0]
		if !strings.HasPrefix(next.Label, "Next stage") {
			break
		}
		r = e.run(next.Command)
	}
	if got := r.Data["deal"].(command.DealView); got.Stage != deal.StageNegotiated || got.StagePercent != 80 {
		t.Fatalf("after next-stage presses: %s %d%%", got.Stage, got.StagePercent)
	}
	r = e.run(r.Actions[0].Command) // Won
	if got := r.Data["deal"].(command.DealView); got.Status != deal.Won {
		t.Fatalf("won button: %s", got.Status)
	}
}

// Missing required keys come back one problem each, named by key, so that a
// form shows each under its own input (a blank Name under Name, not the
// usage line under Kind); the line typed keeps its usage text and code.
func TestMissingKeysAreProblemsByKey(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	for line, want := range map[string][]string{
		"deal new kind=ip customer=x name=  ": {"name", "customer_location", "location", "value", "close", "notes", "team"},
		"deal lost 1":                         {"reason"},
		"deal invite 1 value=10k close=+30d":  {"partner"},
	} {
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, line)
		if r.Err == nil || r.Err.Code != "usage" {
			t.Fatalf("%s: %+v, want a usage refusal", line, r.Err)
		}
		var got []string
		for _, p := range r.Err.Problems {
			got = append(got, p.Field)
			if !strings.HasPrefix(p.Message, "required") {
				t.Errorf("%s: problem %+v does not say it is required", line, p)
			}
		}
		if !slices.Equal(got, want) || r.Err.Field != want[0] {
			t.Errorf("%s: problems on %v (field %q), want %v", line, got, r.Err.Field, want)
		}
	}
}

// An unreadable value and the rules the rest breaks come back together, so
// that a form shows every problem at once rather than one per submission;
// nothing is saved.
func TestUnreadableAndRuleProblemsTogether(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.run(`deal receive kind=services customer="Fabrikam AB" customer_location=SE location=1234567 from=microsoft`)
	r := e.svc.Run(context.Background(), access.LocalAdmin, here, `deal accept 1 name=N3 value=45.000 close=2020-01-01 notes=ok team="Bob <bob@> 12"`)
	var got []string
	if r.Err != nil {
		for _, p := range r.Err.Problems {
			got = append(got, p.Field)
		}
	}
	if want := []string{"value", "close", "team", "team"}; !slices.Equal(got, want) {
		t.Errorf("problems on %v, want %v (%s)", got, want, r.Text)
	}
	if h := e.svc.Run(context.Background(), access.LocalAdmin, here, "deal history 1"); strings.Contains(h.Text, "accepted") {
		t.Errorf("the refused accept was saved: %s", h.Text)
	}
}

// A solution added twice is refused once, naming it and where it is, with
// the code scripts read ("exists"); it said the name twice and no way on.
func TestSolutionAddedTwice(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	r := e.svc.Run(context.Background(), access.LocalAdmin, here, `solution add name="contoso insight" source=mine ip=azure`)
	if r.OK() || r.Err.Code != "exists" || strings.Count(r.Text, "contoso insight") != 1 || !strings.Contains(r.Text, "solution list") {
		t.Errorf("second add: %q (%+v)", r.Text, r.Err)
	}
}

// deal team add with two people says it adds one, and how to give several;
// it said the first person's phone number was invalid.
func TestTeamAddOnePerson(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`deal new kind=ip name=A customer=C customer_location=FR location=1000001 value=30000 close=2027-01-01 notes=n solution="Contoso Insight" ` + team)
	r := e.svc.Run(context.Background(), access.LocalAdmin, here, `deal team add 1 "Bo Ek <bo@x.se> +46 70 111 22 33; Eva Lund <eva@x.se> +46 70 222 33 44"`)
	if r.OK() || !strings.Contains(r.Text, "adds one person") || strings.Contains(r.Text, "phone number") {
		t.Errorf("two people: %q", r.Text)
	}
}
