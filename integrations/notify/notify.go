// Package notify holds the notifiers that are no chat platform of their own:
// a log notifier, which writes outbound messages to the log (the shell's
// channel, and any platform not configured yet), and a mux that hands each
// message to the notifier of its place's platform.
package notify

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cosellbot/cosellbot/bot/chat"
)

// Log writes each message to a logger as one line; its reference is a
// sequence number, so threads work the same as on real platforms.
type Log struct {
	log *slog.Logger
	seq atomic.Int64
}

// NewLog builds a log notifier.
func NewLog(log *slog.Logger) *Log {
	if log == nil {
		log = slog.Default()
	}
	return &Log{log: log}
}

// Send logs the message. A state message (chat.Message.State) is logged as
// the edits a platform would make; it posts nothing, so it returns the
// thread it updates, or nothing when nothing was sent about its subject.
func (l *Log) Send(ctx context.Context, m chat.Message) (string, error) {
	if m.State {
		if len(m.Edits) == 0 {
			return "", nil
		}
		l.log.InfoContext(ctx, "notification state", "to", m.To.String(), "subject", m.Subject, "state", m.Text, "edits", len(m.Edits))
		if m.Thread != "" {
			return m.Thread, nil
		}
		return m.Edits[0].Ref, nil
	}
	ref := "log-" + strconv.FormatInt(l.seq.Add(1), 10)
	var actions []string
	for _, a := range m.Actions {
		actions = append(actions, a.Label+": "+a.Command)
	}
	l.log.InfoContext(ctx, "notification", "to", m.To.String(), "subject", m.Subject, "thread", m.Thread,
		"text", m.Text, "actions", strings.Join(actions, " | "), "ref", ref)
	return ref, nil
}

// Mux sends each message with the notifier registered for its platform. A
// platform without one is a permanent failure: retrying cannot help, and the
// row is dead at once, visible in `cosellbot outbox`.
type Mux struct {
	mu sync.RWMutex
	by map[string]chat.Notifier
}

// NewMux builds an empty mux.
func NewMux() *Mux { return &Mux{by: map[string]chat.Notifier{}} }

// Handle registers the notifier of a platform ("slack", "discord", "shell", "log").
func (m *Mux) Handle(platform string, n chat.Notifier) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.by[platform] = n
}

// Platforms lists the platforms with a notifier, sorted.
func (m *Mux) Platforms() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]string, 0, len(m.by))
	for p := range m.by {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// Send hands the message to its platform's notifier.
func (m *Mux) Send(ctx context.Context, msg chat.Message) (string, error) {
	m.mu.RLock()
	n, ok := m.by[msg.To.Platform]
	m.mu.RUnlock()
	if !ok {
		return "", chat.Permanent(fmt.Errorf("no notifier for platform %q (message to %s): configure that platform", msg.To.Platform, msg.To))
	}
	return n.Send(ctx, msg)
}
