// Package chat is the vocabulary every chat platform shares with the core:
// where a command was typed or a message goes, the actions a message offers,
// and the Notifier that delivers outbound messages. Adapters (Slack,
// Discord, the shell, a log) translate it to and from their wire formats.
package chat

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Place is a chat location: a platform and a channel on it.
type Place struct {
	Platform string `json:"platform"` // "slack", "discord", "shell", "log"
	Channel  string `json:"channel"`  // platform channel id; "" where the platform has none
}

func (p Place) String() string {
	if p.Channel == "" {
		return p.Platform
	}
	return p.Platform + ":" + p.Channel
}

// Action is a follow-up a person can take with one press; Command is the
// exact command line that runs it, so every platform executes buttons the
// same way as typed commands.
type Action struct {
	Label   string `json:"label"`
	Command string `json:"command"`
	Style   string `json:"style,omitempty"` // "primary", "danger" or ""
	// Ask names keys the platform must ask for before running (a decline
	// reason, say); the answers are appended as key=value pairs.
	Ask []string `json:"ask,omitempty"`
	// Confirm is the question the platform asks before running an action
	// that cannot be undone (marking a deal won, sharing a private one);
	// the action runs only once the clicker says yes. Empty: it runs at
	// once.
	Confirm string `json:"confirm,omitempty"`
}

// Message is an outbound notification.
type Message struct {
	To      Place    `json:"to"`
	Subject string   `json:"subject"` // what the news is about, e.g. "deal:12"; threads group by it
	Text    string   `json:"text"`
	Actions []Action `json:"actions,omitempty"`
	// Thread is the platform reference of the first message sent about
	// Subject to this place, so that later news threads under it (Slack) or
	// replies to it (Discord). Empty for the first message.
	Thread string `json:"thread,omitempty"`
	// State says that Text is the current state of Subject, not news: the
	// notifier posts nothing new but edits in place the messages already
	// sent about Subject to this place (Edits), appending Text as their
	// state line; the first of them (Thread) also takes Actions in place of
	// its own buttons, the others lose theirs. With no Edits there is
	// nothing to update and Send does nothing.
	State bool `json:"state,omitempty"`
	// Edits are the messages already sent about Subject to this place,
	// oldest first, as the outbox fills them in for a State message.
	Edits []Sent `json:"-"`
}

// Sent is a message already delivered: its platform reference and what it
// said, so that a state update can rewrite it with a new state line.
type Sent struct {
	Ref  string `json:"ref"`
	Text string `json:"text"`
}

// StateText is what an edited message shows: its own text, then the
// subject's current state on a line of its own.
func StateText(original, state string) string {
	if state == "" {
		return original
	}
	return original + "\n" + state
}

// EditActions are the buttons edit i of a state message (m.Edits[i]) ends
// with: m.Actions on the thread's first message (the first edit when the
// thread is not known), none on the others. Every platform edits alike.
func (m Message) EditActions(i int) []Action {
	if m.Edits[i].Ref == m.Thread || (m.Thread == "" && i == 0) {
		return m.Actions
	}
	return nil
}

// Notifier delivers messages to one platform. It returns the platform's
// reference of the sent message (Slack channel+ts, Discord message id).
// A failure is retried unless wrapped with Permanent (or Blocked, when the
// operator can remove its cause); RetryAfter says when.
type Notifier interface {
	Send(ctx context.Context, m Message) (ref string, err error)
}

type permanent struct {
	err error
	fix string // what the operator does about it; "" when nothing can be done
}

func (p *permanent) Error() string {
	if p.fix == "" {
		return p.err.Error()
	}
	return p.err.Error() + ": " + p.fix
}
func (p *permanent) Unwrap() error { return p.err }

// Permanent marks a failure that retrying cannot fix (unknown channel,
// revoked token, a message the platform rejects).
func Permanent(err error) error { return &permanent{err: err} }

// Blocked marks a failure that retrying cannot fix but the operator can,
// outside cosellbot (a revoked token, a channel the bot is not in): fix says
// what to do. It is permanent, so nothing hammers the platform with a
// request it refuses until then; its text ends with the fix, so that the
// outbox's last error and the log say it, and FixOf reads it.
func Blocked(err error, fix string) error { return &permanent{err: err, fix: fix} }

// FixOf returns what the operator must do about a failure marked Blocked.
func FixOf(err error) (string, bool) {
	var p *permanent
	if errors.As(err, &p) && p.fix != "" {
		return p.fix, true
	}
	return "", false
}

// IsPermanent reports whether a send failure should not be retried.
func IsPermanent(err error) bool {
	var p *permanent
	return errors.As(err, &p)
}

type later struct {
	after time.Duration
	err   error
}

func (l *later) Error() string { return fmt.Sprintf("%v (retry after %s)", l.err, l.after) }
func (l *later) Unwrap() error { return l.err }

// RetryAfter marks a failure the platform asked to retry no sooner than d
// (HTTP 429 with Retry-After).
func RetryAfter(d time.Duration, err error) error { return &later{d, err} }

type paced struct{ later }

// Paced marks a message cosellbot itself held back for d to keep to a
// platform's pace (a channel's messages per second): nothing was sent and
// nothing failed, so it is no attempt; RetryAfterOf reads its delay too.
func Paced(d time.Duration, err error) error { return &paced{later{d, err}} }

// IsPaced reports whether err is a message held back by Paced.
func IsPaced(err error) bool {
	var p *paced
	return errors.As(err, &p)
}

// RetryAfterOf returns the delay a failure asked for, if any.
func RetryAfterOf(err error) (time.Duration, bool) {
	var p *paced
	if errors.As(err, &p) {
		return p.after, true
	}
	var l *later
	if errors.As(err, &l) {
		return l.after, true
	}
	return 0, false
}
