package command_test

import (
	"context"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/faq"
	"github.com/cosellbot/cosellbot/bot/faq/faqtest"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// The observer gets each command's verb from the table (never the user's
// words), and "ok" or the failure's code.
func TestObserver(t *testing.T) {
	type seen struct{ verb, outcome string }
	var got []seen
	obs := command.WithObserver(func(verb, outcome string, d time.Duration) {
		if d < 0 {
			t.Errorf("%s: negative duration %v", verb, d)
		}
		got = append(got, seen{verb, outcome})
	})
	st := storetest.Open(t)
	svc := command.New(st, &clock{start}, deal.DefaultRates(), nil, command.WithFAQ(faqtest.Small(t), st, faq.WithModelCache(&smallFAQCache)), obs)
	for _, tt := range []struct{ line, verb, outcome string }{
		{"deal list", "deal list", "ok"},
		{"DEAL show 99", "deal show", "not_found"},
		{"deal frobnicate 1", "unknown", "usage"},
		{"", "help", "ok"},
		{`deal new name="unterminated`, "unknown", "usage"},
		{"where do I find my partner id?", "faq", "ok"},
	} {
		got = got[:0]
		svc.Run(context.Background(), access.LocalAdmin, here, tt.line)
		if len(got) != 1 || got[0] != (seen{tt.verb, tt.outcome}) {
			t.Errorf("%q: observed %+v, want %s %s", tt.line, got, tt.verb, tt.outcome)
		}
	}
}
