package shell_test

import (
	"context"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

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

// people is a Runner that knows who is a user now, and records as whom
// each line ran.
type people struct {
	mu    sync.Mutex
	users map[string]access.User
	ran   []string
}

func (p *people) ranSafe() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.ran)
}

func (p *people) Resolve(_ context.Context, id string) (access.User, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u, ok := p.users[id]
	if !ok {
		return access.User{}, access.Deny("%s is not a cosellbot user", id)
	}
	return u, nil
}

func (p *people) Run(_ context.Context, who access.User, _ chat.Place, line string) command.Reply {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ran = append(p.ran, who.ID+": "+line)
	return command.Reply{Text: "ran"}
}

// A shell opened as a user acts as what they are at each line: removed
// while it is open, they are refused from the next line on.
func TestShellUserIsResolvedEachLine(t *testing.T) {
	ana := access.User{ID: "ana@contoso.com", Roles: []access.Role{access.ReferralsUser}}
	p := &people{users: map[string]access.User{ana.ID: ana}}
	var out strings.Builder
	r, w := io.Pipe()
	sh := &shell.Shell{Runner: p, User: ana, In: r, Out: &out}
	done := make(chan error, 1)
	go func() { done <- sh.Run(t.Context()) }()
	io.WriteString(w, "deal list\n")
	for len(p.ranSafe()) == 0 {
		time.Sleep(time.Millisecond)
	}
	p.mu.Lock()
	delete(p.users, ana.ID) // user remove, from elsewhere
	p.mu.Unlock()
	io.WriteString(w, "deal edit 3 notes=after\n")
	w.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if want := []string{"ana@contoso.com: deal list"}; !slices.Equal(p.ranSafe(), want) {
		t.Errorf("ran %q, want only the line before the removal", p.ranSafe())
	}
	if !strings.Contains(out.String(), "not a cosellbot user") {
		t.Errorf("printed %q", out.String())
	}
}

// A signal ending the context ends the shell while it waits for a line,
// not at the next line typed (which then ran on a server already
// stopping).
func TestShellEndsWithItsContext(t *testing.T) {
	ana := access.User{ID: "ana@contoso.com", Roles: []access.Role{access.ReferralsUser}}
	p := &people{users: map[string]access.User{ana.ID: ana}}
	r, w := io.Pipe()
	defer w.Close()
	sh := &shell.Shell{Runner: p, User: ana, In: r, Out: io.Discard}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- sh.Run(ctx) }()
	cancel() // Ctrl-C, SIGTERM
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the shell still waits for a line after its context ended")
	}
	if ran := p.ranSafe(); len(ran) != 0 {
		t.Errorf("ran %q", ran)
	}
}

// notifying is a Runner that, as the outbox dispatcher would while the line
// runs, sends its message to the shell's notices.
type notifying struct {
	notices *shell.Notices
	send    map[string]chat.Message // line → what the dispatcher delivers meanwhile
}

func (n notifying) Run(ctx context.Context, _ access.User, _ chat.Place, line string) command.Reply {
	if m, ok := n.send[line]; ok {
		if _, err := n.notices.Send(ctx, m); err != nil {
			panic(err)
		}
	}
	return command.Reply{Text: "ran " + line}
}

// Under serve --shell, the news for the shell's subscriptions is printed
// after the next line typed (an empty one too), as the shell renders
// replies: it went to the log, which serve --shell quiets to warnings, so
// subscribe promised reminders "there" and none ever came.
func TestShellPrintsItsNews(t *testing.T) {
	news := chat.Message{To: shell.Place, Subject: "deal:1", Text: "📥 New referral #1 for Fabrikam AB",
		Actions: []chat.Action{{Label: "Accept", Command: "deal accept 1", Ask: []string{"name"}}}}
	state := chat.Message{To: shell.Place, Subject: "deal:1", Text: "➜ Accepted", State: true, Edits: []chat.Sent{{Ref: "shell-1", Text: news.Text}}}
	for _, tc := range []struct {
		name string
		in   string
		send map[string]chat.Message
		want string
	}{
		{"after the next line", "deal receive\ndeal list\n", map[string]chat.Message{"deal receive": news},
			"ran deal receive\n📥 New referral #1 for Fabrikam AB\n→ Accept: deal accept 1 name=…\nran deal list\n"},
		{"an empty line shows it", "deal receive\n\n", map[string]chat.Message{"deal receive": news},
			"ran deal receive\n📥 New referral #1 for Fabrikam AB\n→ Accept: deal accept 1 name=…\n"},
		{"a state line edits nothing printed", "deal accept 1\n", map[string]chat.Message{"deal accept 1": state},
			"ran deal accept 1\n"},
		{"control characters are escaped", "x\n", map[string]chat.Message{"x": {To: shell.Place, Text: "deal \x1b[2J"}},
			"ran x\ndeal \\x1b[2J\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			notices := &shell.Notices{}
			var out strings.Builder
			sh := &shell.Shell{Runner: notifying{notices, tc.send}, In: strings.NewReader(tc.in), Out: &out, Notices: notices}
			if err := sh.Run(t.Context()); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("printed %q\nwant    %q", out.String(), tc.want)
			}
		})
	}
}
