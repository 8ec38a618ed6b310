package remind

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/cpor"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// Notice kinds, as outbox rows and history show them.
const (
	KindReminder    = "reminder"
	KindExpired     = "expired"
	KindDeclined    = "declined"
	KindDecisionDue = "decision-due"
	KindClaim       = "claim"
	KindDigest      = "digest"
)

// Reminder kinds of referral reminders are "before-" and the offset label.
func beforeKind(offset time.Duration) string { return "before-" + OffsetLabel(offset) }

// when is a time as notices show it.
func when(t time.Time) string { return deal.Moment(t) }

// left says how long until t as every reply says it (deal.TimeLeft): a
// reminder sent a minute late still says "3 days".
func left(t, now time.Time) string {
	if s := deal.TimeLeft(now, t); s != "" {
		return s
	}
	return "no time"
}

func answerActions(d *deal.Deal) []chat.Action { return change.AnswerActions(d) }

// StateNotice is change.StateNotice: a deal's current state, which edits
// the channel messages already sent about it.
func StateNotice(d *deal.Deal, e ledger.Entry) ledger.Notice { return change.StateNotice(d, e) }

func dealNotice(d *deal.Deal, kind, text string, actions []chat.Action) ledger.Notice {
	return ledger.Notice{
		Subject: "deal:" + strconv.FormatInt(d.ID, 10), Kind: kind, Text: text, Actions: actions,
		Location: d.Location, DealKind: d.Kind, Team: ledger.TeamOf(d),
	}
}

// LateAfter is how late a reminder may go out before it says so: a sweep
// runs every minute, so anything later means it was not running (a restart,
// an outage) when the reminder fell due.
const LateAfter = 15 * time.Minute

// ReminderNotice is the alert that a received referral expires in offset;
// its key is the reminder's, so each reminder reaches a channel once. One
// sent more than LateAfter after it fell due says that it is late.
func ReminderNotice(d *deal.Deal, offset time.Duration, now time.Time) ledger.Notice {
	return reminderNotice(d, offset, now, now)
}

// reminderNotice is ReminderNotice written at fired (the sweep's pass that
// fired it) and delivered at now: the dispatcher writes it again at
// delivery (Dispatcher.atDelivery), so that the time left it says is true
// when the channel reads it, however long a failing platform held it.
func reminderNotice(d *deal.Deal, offset time.Duration, fired, now time.Time) ledger.Notice {
	due := d.ExpiresAt.Add(-offset)
	// A referral recorded by hand expires in cosellbot only: Partner Center
	// archives only its own.
	archiver := "cosellbot records it as expired"
	if d.ExternalID != "" {
		archiver = "Partner Center archives it as expired"
	}
	text := fmt.Sprintf("⏰ Referral %s from %s expires in %s, on %s: accept or decline it, or %s.",
		change.About(d), deal.SenderLabel(d.From), left(d.ExpiresAt, now), when(d.ExpiresAt), archiver)
	if late := now.Sub(due); late > LateAfter {
		why := "while cosellbot's sweep was not running"
		switch {
		case d.CreatedAt.After(due):
			why = "before the referral was recorded here"
		case fired.Sub(due) <= LateAfter:
			why = "but could not be delivered here until now"
		}
		text += fmt.Sprintf(" (Sent late: this %s reminder was due %s, %s.)", OffsetLabel(offset), when(due), why)
	}
	n := dealNotice(d, KindReminder, text, answerActions(d))
	n.Key = fmt.Sprintf("%s#%s#%d", n.Subject, beforeKind(offset), due.UTC().UnixMicro())
	return n
}

// reminderOffset reads a referral reminder's offset back from its outbox
// key (ReminderNotice's key, then the place).
func reminderOffset(key string) (time.Duration, bool) {
	parts := strings.Split(key, "#")
	if len(parts) < 3 {
		return 0, false
	}
	label, ok := strings.CutPrefix(parts[1], "before-")
	if !ok {
		return 0, false
	}
	off, err := parseOffset(label)
	return off, err == nil
}

// DecisionDueNotice flags a co-sell deal Microsoft did not join within its
// decision window (the change path's news of the lapse).
func DecisionDueNotice(d *deal.Deal) ledger.Notice { return change.LapsedNotice(d) }

// claimNotice is news about a claim, routed to the subscriptions made for
// claims only (subscribe kind=cpor): a claim has no deal location or kind,
// and a notice without them would match every location subscription, so
// that sellers read claims they may not open (access.ClaimNews).
func claimNotice(c *cpor.Claim, text string) ledger.Notice {
	return ledger.Notice{Subject: c.Subject(), Kind: KindClaim, Text: text, Location: access.ClaimLocation, DealKind: access.ClaimNews}
}

func claimAbout(c *cpor.Claim) string {
	return fmt.Sprintf("#%d (tenant %s, %s, %s)", c.ID, c.TenantID, c.Target(), c.Engagement.Label())
}

// ClaimClosingNotice warns that a claim's decline window closes soon. The
// dispatcher writes it again at delivery, or drops it once the window has
// closed (Dispatcher.atDelivery, ClosingWarningOver).
func ClaimClosingNotice(c *cpor.Claim, now time.Time) ledger.Notice {
	text := fmt.Sprintf("CPOR claim %s: the customer's window to decline closes in %s; their last day to decline is %s (%s time), and unless they decline the association is official after it.",
		claimAbout(c), left(c.OfficialAt, now), c.LastDay().Format(time.DateOnly), cpor.Zone(c.Country))
	n := claimNotice(c, text)
	n.Key = fmt.Sprintf("%s#%s#%d", c.Subject(), cpor.PlanClosing, c.OfficialAt.UTC().UnixMicro())
	return n
}

// closingWindow reads, from the outbox key of a claim's closing warning
// (ClaimClosingNotice's key, then the place), the end of the window it
// warned of; ok is false for any other key.
func closingWindow(key string) (end time.Time, ok bool) {
	parts := strings.Split(key, "#")
	if len(parts) < 3 || parts[1] != cpor.PlanClosing {
		return time.Time{}, false
	}
	micros, _, _ := strings.Cut(parts[2], "|")
	n, err := strconv.ParseInt(micros, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMicro(n).UTC(), true
}

// IsClosingWarning reports whether an outbox message of kind and key is a
// claim's warning that its decline window closes soon.
func IsClosingWarning(kind, key string) bool {
	if kind != KindClaim {
		return false
	}
	_, ok := closingWindow(key)
	return ok
}

// ClosingWarningOver says why a claim's closing warning (key its outbox
// key) is no longer true at now, or "" while it is: the customer's window
// closed (the claim made official or not yet), the claim was declined or
// is gone (c nil), or its window moved, which plans a warning of its own.
// Delivered then, it would ask to watch a window that is over.
func ClosingWarningOver(key string, id int64, c *cpor.Claim, now time.Time) string {
	warned, _ := closingWindow(key)
	switch {
	case c == nil:
		return fmt.Sprintf("claim #%d no longer exists", id)
	case c.Status == cpor.Official:
		return fmt.Sprintf("the customer's window to decline claim #%d closed at %s: the claim is official", id, when(c.OfficialAt))
	case c.Status == cpor.Declined:
		return fmt.Sprintf("the customer declined claim #%d: its window is over", id)
	case c.Status != cpor.Notified || c.OfficialAt.IsZero():
		return fmt.Sprintf("claim #%d is %s now: no window to decline is running", id, c.Status.Label())
	case !now.Before(c.OfficialAt):
		return fmt.Sprintf("the customer's window to decline claim #%d closed at %s (their last day was %s, %s time)",
			id, when(c.OfficialAt), c.LastDay().Format(time.DateOnly), cpor.Zone(c.Country))
	case !warned.IsZero() && !warned.Equal(c.OfficialAt):
		return fmt.Sprintf("the customer's window to decline claim #%d now closes at %s: its own warning comes a day before", id, when(c.OfficialAt))
	}
	return ""
}

// NoAnswerTaken says why news asking to answer referral #id (its arrival,
// a reminder, a moved expiry) makes no sense at now, or "" while the
// referral waits for an answer: it was answered or closed, it expired (the
// sweep may not have recorded it yet), or it is gone (d nil).
func NoAnswerTaken(id int64, d *deal.Deal, now time.Time) string {
	switch {
	case d == nil:
		return fmt.Sprintf("deal #%d no longer exists", id)
	case d.Status != deal.Received:
		return fmt.Sprintf("deal #%d is %s now: it takes no answer", id, d.Status)
	case !d.ExpiresAt.IsZero() && !d.ExpiresAt.After(now):
		return fmt.Sprintf("deal #%d expired on %s", id, when(d.ExpiresAt))
	}
	return ""
}

// ClaimNotice tells what happened to a claim (ev is what its operation
// returned).
func ClaimNotice(c *cpor.Claim, ev deal.Event) ledger.Notice {
	return claimNotice(c, fmt.Sprintf("CPOR claim %s: %s.", claimAbout(c), ev.Detail))
}

// digestShown bounds the deals a digest lists per section.
const digestShown = 10

// DigestNotice is a channel's daily digest: referrals expiring within a week
// and open deals unchanged for staleAfter. ok is false when there is
// nothing to say.
func DigestNotice(place chat.Place, now time.Time, expiring, stale []*deal.Deal, staleAfter time.Duration) (ledger.Notice, bool) {
	if len(expiring) == 0 && len(stale) == 0 {
		return ledger.Notice{}, false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Daily digest, %s.", now.UTC().Format(time.DateOnly))
	section := func(title string, ds []*deal.Deal, line func(*deal.Deal) string) {
		if len(ds) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s (%d):", title, len(ds))
		for i, d := range ds {
			if i == digestShown {
				fmt.Fprintf(&b, "\n  … and %d more", len(ds)-digestShown)
				break
			}
			b.WriteString("\n  • " + line(d))
		}
	}
	section("Referrals expiring this week", expiring, func(d *deal.Deal) string {
		return fmt.Sprintf("%s expires in %s", change.About(d), left(d.ExpiresAt, now))
	})
	days := int(staleAfter / (24 * time.Hour))
	section(fmt.Sprintf("Open deals with no change in %d days", days), stale, func(d *deal.Deal) string {
		return fmt.Sprintf("%s, %s since %s", change.About(d), d.Status, d.UpdatedAt.UTC().Format(time.DateOnly))
	})
	day := now.UTC().Format(time.DateOnly)
	return ledger.Notice{
		Key: "digest:" + day, Subject: "digest:" + day, Kind: KindDigest, Text: b.String(),
		Places: []chat.Place{place},
	}, true
}
