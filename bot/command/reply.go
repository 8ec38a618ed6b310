package command

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// Reply is what a command answers, independent of the platform showing it:
// text for people, structured data for machines and renderers, and the
// actions that make sense next (buttons where the platform has them).
type Reply struct {
	Text    string
	Data    map[string]any
	Actions []Action
	Err     *Failure
	// Private marks an answer for its asker's eyes only (a sign-in link):
	// adapters never post it to the channel, even when asked to share.
	Private bool
}

// OK reports whether the command was carried out.
func (r Reply) OK() bool { return r.Err == nil }

// Action is a follow-up offered with a reply (see chat.Action).
type Action = chat.Action

// Failure is why a command was refused.
type Failure struct {
	Code    string `json:"code"` // usage, invalid, not_found, forbidden, conflict, unavailable
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	Rule    string `json:"rule,omitempty"`
	// Problems lists every field and rule broken when there are several, so
	// that a form can show each next to its field.
	Problems []Problem `json:"problems,omitempty"`
	// Key names a refusal chat words in the asker's language too
	// (Reply.In); "" for the others.
	Key string `json:"key,omitempty"`
}

// Problem is one broken rule of a refused command.
type Problem struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// Envelope is the --json form of a reply, the contract of DESIGN.md.
type Envelope struct {
	OK      bool           `json:"ok"`
	Text    string         `json:"text"`
	Data    map[string]any `json:"data,omitempty"`
	Actions []Action       `json:"actions,omitempty"`
	Error   *Failure       `json:"error,omitempty"`
}

// Envelope wraps the reply for JSON output.
func (r Reply) Envelope() Envelope {
	return Envelope{OK: r.OK(), Text: r.Text, Data: r.Data, Actions: r.Actions, Error: r.Err}
}

// refusal is an error with its own wording that errors.Is still matches to
// one of the ledger's kinds (not found, conflict, exists).
type refusal struct {
	msg  string
	kind error
}

func (r *refusal) Error() string { return r.msg }
func (r *refusal) Unwrap() error { return r.kind }

func refused(kind error, format string, args ...any) error {
	return &refusal{fmt.Sprintf(format, args...), kind}
}

// usageError is a line the grammar or the command table could not take.
type usageError struct {
	msg string
	// missing are the required keys not given, one problem each, so that
	// a form shows each under its own input rather than the usage line
	// under the first one.
	missing deal.Problems
}

func (e *usageError) Error() string { return e.msg }

func (e *usageError) Unwrap() error {
	if len(e.missing) == 0 {
		return nil
	}
	return e.missing
}

func usage(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

// fail turns any error into the reply that explains it.
func fail(err error) Reply {
	relabel(err) // refusals list Partner Center's labels (labels.go)
	f := &Failure{Code: "unavailable", Message: err.Error()}
	var rule *deal.RuleError
	var denied *access.Denied
	var use *usageError
	var syn *SyntaxError
	switch {
	case errors.As(err, &use), errors.As(err, &syn):
		f.Code = "usage"
	case errors.As(err, &rule):
		f.Code, f.Field, f.Rule = "invalid", rule.Field, rule.Rule
	case errors.As(err, &denied):
		f.Code, f.Field = "forbidden", denied.Field
	case errors.Is(err, ledger.ErrNotFound):
		f.Code = "not_found"
	case errors.Is(err, ledger.ErrConflict):
		f.Code = "conflict"
	case errors.Is(err, ledger.ErrExists):
		f.Code = "exists"
	default:
		// The cause (a connection string's host and user, a file's path)
		// is the operator's: it is in the server's log ("command failed"),
		// not in a chat reply.
		f.Message = "cosellbot could not reach or write its database, so nothing was changed; try again in a moment, and tell your cosellbot admin if it goes on (the server's log says why)"
	}
	var keyed interface{ MessageKey() string }
	if errors.As(err, &keyed) {
		f.Key = keyed.MessageKey()
	}
	text := "✗ " + f.Message
	var probs deal.Problems
	if errors.As(err, &probs) && len(probs) > 0 && f.Field == "" {
		f.Field, f.Rule = probs[0].Field, probs[0].Rule
	}
	if use != nil && len(probs) > 0 {
		for _, p := range probs {
			f.Problems = append(f.Problems, Problem{Field: p.Field, Rule: p.Rule, Message: p.Message})
		}
	} else if errors.As(err, &probs) && len(probs) > 1 {
		lines := make([]string, len(probs))
		for i, p := range probs {
			lines[i] = "  • " + p.Error()
			f.Problems = append(f.Problems, Problem{Field: p.Field, Rule: p.Rule, Message: p.Message})
		}
		text = fmt.Sprintf("✗ %d things to fix:\n%s", len(probs), strings.Join(lines, "\n"))
	}
	return Reply{Text: text, Err: f}
}

// Refusal is the reply for an error met before a command could run, such
// as an unknown user.
func Refusal(err error) Reply { return fail(err) }
