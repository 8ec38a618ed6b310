package shell_test

import (
	"testing"

	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/integrations/shell"
)

func TestRenderActions(t *testing.T) {
	long := "De combien de temps le client dispose-t-il pour refuser une association CPOR ?"
	for _, tc := range []struct {
		name    string
		actions []command.Action
		want    string
	}{
		{"a label the command says", []command.Action{{Label: "Qu'est-ce que le CPOR ?", Command: `faq "Qu'est-ce que le CPOR ?"`}},
			"x\n→ faq \"Qu'est-ce que le CPOR ?\""},
		{"a label cut to fit a button", []command.Action{{Label: long[:70] + "…", Command: `faq "` + long + `"`}},
			"x\n→ faq \"" + long + "\""},
		{"a label of its own", []command.Action{{Label: "Accept", Command: "deal accept 1"}, {Label: "Decline", Command: "deal decline 1", Ask: []string{"reason"}}},
			"x\n→ Accept: deal accept 1 | Decline: deal decline 1 reason=…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shell.Render(command.Reply{Text: "x", Actions: tc.actions}); got != tc.want {
				t.Errorf("Render = %q\nwant     %q", got, tc.want)
			}
		})
	}
}
