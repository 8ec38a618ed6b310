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
	e.run(`deal new kind=ip name=Alpha customer=Contoso customer_location=FR location=LOC1 value=30000 close=2027-01-01 notes=n solution="Contoso Insight" ` + team)
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
