// Package panics keeps a bug reached by one chat command from taking the
// server down. The chat adapters run commands in goroutines of their own
// (the answer may come after Slack's or Discord's deadline), where the
// HTTP server's panic recovery does not reach: a panic there would end the
// process, and every request in flight with it.
package panics

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/escape"
)

// Runner runs chat commands (command.Service; the adapters' Runner).
type Runner interface {
	Resolve(ctx context.Context, id string) (access.User, error)
	Run(ctx context.Context, who access.User, where chat.Place, line string) command.Reply
	ReadOnly(line string) bool
	Permits(ctx context.Context, who access.User, line string) *command.Reply
	Confirm(ctx context.Context, who access.User, line string) (question, cancel string)
}

// Guard wraps r so that a command that panics is answered with a failure
// saying so, and logged with its stack, instead of crashing the process.
func Guard(r Runner, log *slog.Logger) Runner { return guarded{r, log} }

type guarded struct {
	Runner
	log *slog.Logger
}

// Message is what the person who typed a command that panicked reads.
const Message = "cosellbot failed on this command (a bug, now logged); nothing was changed unless the history says so. Try again, or tell your admin."

func (g guarded) Run(ctx context.Context, who access.User, where chat.Place, line string) (reply command.Reply) {
	defer func() {
		if v := recover(); v != nil {
			g.log.ErrorContext(ctx, "command panicked", "line", escape.Bound(line, 200), "user", who.ID,
				"panic", escape.Bound(fmt.Sprint(v), 500), "stack", string(debug.Stack()))
			reply = command.Reply{Text: "✗ " + Message, Err: &command.Failure{Code: "internal", Message: Message}}
		}
	}()
	return g.Runner.Run(ctx, who, where, line)
}

// Recover logs a panic of background work instead of ending the process;
// call it deferred at the top of the goroutine.
func Recover(ctx context.Context, log *slog.Logger, what string) {
	if v := recover(); v != nil {
		log.ErrorContext(ctx, what+" panicked", "panic", escape.Bound(fmt.Sprint(v), 500), "stack", string(debug.Stack()))
	}
}
