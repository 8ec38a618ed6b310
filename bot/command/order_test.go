package command_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// TestNaturalWordOrder: verb-first wordings run the command, and anything
// shaped like a command is never answered from the FAQ.
func TestNaturalWordOrder(t *testing.T) {
	e := faqEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`deal new kind=ip name=Alpha customer=Contoso customer_location=FR location=1000001 value=30000 close=2027-01-01 notes=n solution="Contoso Insight" ` + team)
	for line, want := range map[string]string{
		"list deals":      "1 open deal",
		"deals":           "1 open deal",
		"show deal 1":     "Deal #1 Alpha",
		"view deal #1":    "Deal #1 Alpha",
		"deals list":      "1 open deal",
		"list solutions":  "solutions in your catalog",
		"list users":      "user",
		"deal list deals": "1 open deal",
	} {
		r := e.run(line)
		if !strings.Contains(r.Text, want) || r.Data["answered"] != nil {
			t.Errorf("%s → %q, want %q", line, r.Text, want)
		}
	}
	for line, want := range map[string]string{
		"new deal":        "deal new needs",
		"create deal":     "deal new needs",
		"accept 1":        "did you mean deal accept 1?",
		"won 1":           "did you mean deal won 1?",
		"shwo deal 1":     "did you mean",
		"stage=qualified": "start with a verb",
		"lsit deals":      "did you mean",
		"delete user x@y": "no user x@y",
	} {
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, line)
		if r.Data["answered"] != nil || !strings.Contains(r.Text, want) {
			t.Errorf("%s → %q (FAQ: %v), want %q", line, r.Text, r.Data["answered"], want)
		}
	}
	// Questions stay questions.
	for _, q := range []string{"what is a new deal", "how do I accept a referral", "show me how deal registration works"} {
		if r := e.run(q); r.Data["answered"] == nil {
			t.Errorf("%q did not reach the FAQ: %q", q, r.Text)
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
		"afficher la transaction 33": "no deal #33", // run as deal show 33, as the README says
	} {
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, line)
		if r.OK() || !strings.Contains(r.Text, want) {
			t.Errorf("%s → %q, want %q", line, r.Text, want)
		}
	}
}

// TestSentencesInFrenchAndSwedish: the articles a sentence puts between a
// verb and its noun are read past, and a list asked for in words is deal
// list. A tester's "afficher la transaction 9" got a did-you-mean,
// "accepter la transaction 4 nom=Test" was offered "deal accept 4 la", and
// "list my deals", "mes transactions" or "visa mina affärer" were answered
// (and recorded) as FAQ questions nobody had answered yet.
func TestSentencesInFrenchAndSwedish(t *testing.T) {
	e := faqEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`deal new kind=ip name=Alpha customer=Contoso customer_location=FR location=1000001 value=30000 close=2027-01-01 notes=n solution="Contoso Insight" ` + team)
	for _, tc := range []struct{ line, want string }{
		{"afficher la transaction 1", "Deal #1 Alpha"},
		{"voir la transaction 1", "Deal #1 Alpha"},
		{"montre la transaction 1", "Deal #1 Alpha"},
		{"afficher l'affaire 1", "Deal #1 Alpha"},
		{"affiche cette affaire 1", "Deal #1 Alpha"},
		{"visa den affären 1", "Deal #1 Alpha"},
		{"visa transaktionen 1", "Deal #1 Alpha"},
		{"show the deal 1", "Deal #1 Alpha"},
		{"list my deals", "1 open deal"},
		{"lister les transactions", "1 open deal"},
		{"mes transactions", "1 open deal"},
		{"montrer les affaires", "1 open deal"},
		{"lista mina affärer", "1 open deal"},
		{"visa mina affärer", "1 open deal"},
		{"show deals", "1 open deal"},
		{"list all my deals", "1 deal"},
	} {
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, tc.line)
		if !r.OK() || r.Data["answered"] != nil || !strings.Contains(r.Text, tc.want) {
			t.Errorf("%s → %q (FAQ: %v), want %q", tc.line, r.Text, r.Data["answered"], tc.want)
		}
	}
	for _, tc := range []struct{ line, want string }{
		// Keys are English: the suggestion is the whole command, never "la".
		{"accepter la transaction 1 nom=Test", "did you mean deal accept 1 name=Test?"},
		{`accepter la transaction 1 nom="Big test" valeur=5000`, `did you mean deal accept 1 name="Big test" value=5000?`},
		{"deal accept 1 nom=Test", "did you mean name=?"},
	} {
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, tc.line)
		if r.OK() || r.Data["answered"] != nil || !strings.Contains(r.Text, tc.want) {
			t.Errorf("%s → %q (FAQ: %v), want %q", tc.line, r.Text, r.Data["answered"], tc.want)
		}
	}
	if r := e.run("faq misses"); strings.Contains(r.Text, "transactions") || strings.Contains(r.Text, "deals") || strings.Contains(r.Text, "affärer") {
		t.Errorf("commands recorded as FAQ misses:\n%s", r.Text)
	}
	// Questions with those words stay questions.
	for _, q := range []string{"la transaction expire quand ?", "how do I list my deals in Partner Center?"} {
		if r := e.run(q); r.Data["answered"] == nil {
			t.Errorf("%q did not reach the FAQ: %q", q, r.Text)
		}
	}
}

// A verb typed without its noun is suggested as the full command with every
// key typed after it, each under the key the command takes (a tester's
// "accept 3 nom=Test" was offered "deal accept 3", the name dropped).
func TestVerbWithoutNounKeepsItsKeys(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	for _, tc := range []struct{ line, want string }{
		{"accept 3 nom=Test", "did you mean deal accept 3 name=Test?"},
		{"accept 3 name=Test", "did you mean deal accept 3 name=Test?"},
		{`accepter 3 nom="Big test" valeur=5000`, `did you mean deal accept 3 name="Big test" value=5000?`},
		{"accept 3 nmae=Test", "did you mean deal accept 3 name=Test?"},     // a typo of the key, fixed as in the other suggestions
		{"accept 3 colour=blue", "did you mean deal accept 3 colour=blue?"}, // no key it stands for: kept as typed
		{"lsit deals type=ip", "did you mean deal list kind=ip?"},           // a typo in the verb
		{"decline 3 raison=duplicate", "did you mean deal decline 3 reason=duplicate?"},
		{"invite microsoft to deal 3 help=technical", "did you mean deal invite 3 microsoft help=technical?"},
	} {
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, tc.line)
		if r.OK() || !strings.Contains(r.Text, tc.want) {
			t.Errorf("%s → %q, want %q", tc.line, r.Text, tc.want)
		}
	}
}
