package shell

import (
	"context"
	"strconv"
	"sync"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
)

// Notices is the shell's notifier under serve --shell: the news, reminders
// and digests for the subscriptions made in the shell (shell:local) wait
// here and are printed after the next line typed, since nothing can be
// written over a prompt being edited. Without it they went to the log,
// which serve --shell quiets to warnings: `subscribe` said "Reminders go
// there" and nothing ever came.
type Notices struct {
	mu      sync.Mutex
	pending []string
	seq     int64
}

// Send keeps a message to print. A state message (the deal moved on) edits
// messages already sent on other platforms; printed lines cannot be edited,
// so it prints nothing, and answers as the log notifier does.
func (n *Notices) Send(_ context.Context, m chat.Message) (string, error) {
	if m.State {
		switch {
		case len(m.Edits) == 0:
			return "", nil
		case m.Thread != "":
			return m.Thread, nil
		}
		return m.Edits[0].Ref, nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.seq++
	n.pending = append(n.pending, Render(command.Reply{Text: m.Text, Actions: m.Actions}))
	return "shell-" + strconv.FormatInt(n.seq, 10), nil
}

// take returns the messages waiting, oldest first, and forgets them.
func (n *Notices) take() []string {
	if n == nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	p := n.pending
	n.pending = nil
	return p
}
