package chatkit

import (
	"context"
	"strings"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
)

// Opening is what a form needs before it opens: the deal its command acts
// on as the clicker sees it and the clicker as a person, or the refusal
// its submission would meet (a verb the clicker may not run, a deal they
// cannot see), answered instead of the form.
type Opening struct {
	Deal    *command.DealView
	Me      string
	Refused *command.Reply
}

// Open reads, as who, what the form for f needs; me is the clicker as
// Person writes them. Slack and Discord call it alike.
func Open(ctx context.Context, svc Runner, who access.User, where chat.Place, f Form, me string) Opening {
	o := Opening{Me: me}
	if r := svc.Permits(ctx, who, f.Command); r != nil {
		o.Refused = r
		return o
	}
	if id, ok := DealOf(f.Command); ok {
		rep := svc.Run(ctx, who, where, "deal show "+id)
		if !rep.OK() {
			o.Refused = &rep // "no deal #12", as the submission would say
			return o
		}
		if d, ok := rep.Data["deal"].(command.DealView); ok {
			o.Deal = &d
		}
	}
	return o
}

// DealOf is the deal id a "deal VERB ID" command acts on.
func DealOf(line string) (string, bool) {
	w := strings.Fields(line)
	if len(w) >= 3 && w[0] == "deal" {
		return strings.TrimPrefix(w[2], "#"), true
	}
	return "", false
}
