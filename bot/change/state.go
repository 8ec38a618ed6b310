package change

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// StateNotice is a deal's current state for the channel messages already
// sent about it (ledger.KindState): the chat notifiers edit those messages
// in place, so a reminder no longer offers Accept once the referral was
// answered, whoever answered it and wherever. e is the change's audit
// entry: who did it, what and when. The first message's buttons become
// what is left to do: answering a referral still received, showing an open
// or won deal; a closed deal keeps none. Every commit of a change to a
// stored deal carries one (see stateNotices).
func StateNotice(d *deal.Deal, e ledger.Entry) ledger.Notice {
	// As cards print it: the stage of a deal being worked ("Qualified
	// (20%)"; its status goes without saying), else the status.
	state := capital(d.Status.Label())
	if info, ok := deal.StageOf(d.Kind, d.Stage); ok && d.Status.Active() {
		state = fmt.Sprintf("%s (%d%%)", info.Label, info.Percent)
	}
	detail := e.Detail
	if detail == "" {
		detail = e.Action
	}
	text := fmt.Sprintf("➜ %s — by %s, %s. Now: %s.", capital(detail), e.Actor, deal.Moment(e.At), state)
	var actions []chat.Action
	switch {
	case d.Status == deal.Received:
		actions = AnswerActions(d)
	case d.Status.Active(), d.Status == deal.Won:
		actions = []chat.Action{{Label: "Show", Command: fmt.Sprintf("deal show %d", d.ID)}}
	}
	return ledger.Notice{
		Subject: "deal:" + strconv.FormatInt(d.ID, 10), Kind: ledger.KindState, Text: text, Actions: actions,
		Location: d.Location, DealKind: d.Kind,
	}
}

// AnswerActions are what a received referral offers in a channel: accept
// it, decline it, or hold its reminders (each opens its form in chat).
func AnswerActions(d *deal.Deal) []chat.Action {
	id := idOf(d)
	return []chat.Action{
		{Label: "Accept", Command: "deal accept " + id, Style: "primary", Ask: deal.AcceptAsks(d)},
		{Label: "Decline", Command: "deal decline " + id, Style: "danger", Ask: []string{"reason"}},
		{Label: "Snooze", Command: "deal snooze " + id, Ask: []string{"until"}},
	}
}

// stateNotices is the state notice of a commit that changes a stored deal,
// from its last entry that changed something (a refusal or a kept
// conflict changes nothing, nor does a write given up). A new deal has no
// messages to edit yet.
func stateNotices(c *Commit) []ledger.Notice {
	if c.Deal == nil || c.Deal.ID == 0 {
		return nil
	}
	for i := len(c.Entries) - 1; i >= 0; i-- {
		if e := c.Entries[i]; e.Action != "refused" && e.Action != "conflict" && e.Action != ActionNotSynced {
			return []ledger.Notice{StateNotice(c.Deal, e)}
		}
	}
	return nil
}

// capital starts a sentence with a capital letter.
func capital(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}
