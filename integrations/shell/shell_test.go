package shell_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
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

// lines records the lines a Runner was given.
type lines []string

func (l *lines) Run(_ context.Context, _ access.User, _ chat.Place, line string) command.Reply {
	*l = append(*l, line)
	return command.Reply{Text: "ran " + line}
}

// The shell takes what Slack takes, --share included: the command runs
// without it and the answer says it is only printed here.
func TestShareInTheShell(t *testing.T) {
	var got lines
	var out strings.Builder
	sh := &shell.Shell{Runner: &got, In: strings.NewReader("/cosell deal show 1 --share\ndeal list\n"), Out: &out}
	if err := sh.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	if want := (lines{"deal show 1", "deal list"}); !slices.Equal(got, want) {
		t.Errorf("ran %q, want %q", got, want)
	}
	if want := shell.ShareNote + "\nran deal show 1\nran deal list\n"; out.String() != want {
		t.Errorf("printed %q\nwant    %q", out.String(), want)
	}
}
