package change

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// Notice kinds of the news a change sends to subscribed channels.
const (
	KindReceived = "received"
	KindExpired  = "expired"
	KindDeclined = "declined"
	// KindExpiryMoved is the news of a referral whose sender moved its
	// expiry: dropped, like the arrival news, once it is answered.
	KindExpiryMoved = "expiry-moved"
)

// About names a deal in news: "#12 "Name" for Fabrikam AB (IP co-sell, location 1234567)".
func About(d *deal.Deal) string {
	name := ""
	if d.Name != "" {
		name = " \"" + d.Name + "\"" // as typed: %q would show \" and \u escapes to people
	}
	return fmt.Sprintf("#%s%s for %s (%s, location %s)", idOf(d), name, d.Customer.Name, deal.KindLabel(d.Kind), d.Location)
}

// idOf is the deal's number in news; a deal not stored yet has none, and
// the store writes it in for "{id}" (with the notice's subject) when it
// stores the deal and its news together.
func idOf(d *deal.Deal) string {
	if d.ID == 0 {
		return "{id}"
	}
	return strconv.FormatInt(d.ID, 10)
}

// News is what subscribed channels are told of a change, whoever made it:
// a referral declined or expired is news from chat, a CRM, Partner Center
// or the sweep alike. by names who made the change.
func News(d *deal.Deal, ev deal.Event, by string) []ledger.Notice {
	switch ev.Action {
	case "received":
		if d.Status != deal.Received {
			return nil // recorded from a system already answered or closed
		}
		// Half of the 14 days went by unheard when the first word was the
		// 7-day reminder: the channel hears of a referral as it arrives.
		n := notice(d, KindReceived, fmt.Sprintf("📥 New referral %s from %s: accept or decline it by %s, or it expires.",
			About(d), deal.SenderLabel(d.From), deal.Moment(d.ExpiresAt)))
		n.Actions = AnswerActions(d)
		return []ledger.Notice{n}
	case "expiry_moved":
		// The channels were told the old date (the arrival news, the
		// reminders): a window shortened past a reminder's point would
		// otherwise reach them only at the next one.
		n := notice(d, KindExpiryMoved, fmt.Sprintf("⏳ Referral %s from %s: %s.", About(d), deal.SenderLabel(d.From), ev.Detail))
		n.Actions = AnswerActions(d)
		return []ledger.Notice{n}
	case "expired":
		return []ledger.Notice{notice(d, KindExpired, fmt.Sprintf("⌛ Referral %s %s.", About(d), ev.Detail))}
	case "declined":
		text := fmt.Sprintf("Referral %s was %s.", About(d), ev.Detail)
		if by != "" && !strings.Contains(by, "@") {
			text = fmt.Sprintf("Referral %s was %s (in %s).", About(d), ev.Detail, Label(by))
		}
		return []ledger.Notice{notice(d, KindDeclined, text)}
	case "microsoft_lapsed":
		return []ledger.Notice{LapsedNotice(d)}
	}
	return nil
}

// KindDecisionDue is the notice kind of a Microsoft decision window that
// closed without an answer.
const KindDecisionDue = "decision-due"

// LapsedNotice flags a co-sell deal Microsoft did not join within its
// decision window. Its key is the window's end, so the sweep and a person's
// action that both notice it send it once.
func LapsedNotice(d *deal.Deal) ledger.Notice {
	text := fmt.Sprintf("⚑ Deal %s: Microsoft has not joined within its 14 days (asked %s, due %s). Follow up with your Microsoft contact, or carry on partner-led.",
		About(d), d.InvitedAt.UTC().Format(time.DateOnly), d.DecisionDue.UTC().Format(time.DateOnly))
	n := notice(d, KindDecisionDue, text)
	n.Actions = []chat.Action{{Label: "Show", Command: fmt.Sprintf("deal show %d", d.ID)}}
	n.Key = fmt.Sprintf("%s#%s#%d", n.Subject, KindDecisionDue, d.DecisionDue.UTC().UnixMicro())
	return n
}

func notice(d *deal.Deal, kind, text string) ledger.Notice {
	n := ledger.Notice{Kind: kind, Text: text, Location: d.Location, DealKind: d.Kind, Team: ledger.TeamOf(d)}
	if d.ID != 0 {
		n.Subject = "deal:" + strconv.FormatInt(d.ID, 10) // else the store's, with the id
	}
	return n
}
