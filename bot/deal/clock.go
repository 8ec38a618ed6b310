package deal

import (
	"fmt"
	"strings"
	"time"
)

// This file holds the rules that the clock decides: a received referral
// expires 14 days after it arrived, and Microsoft's decision window on a
// co-sell invitation closes 14 days after it was asked. Both hold at the
// moment of any action, whether or not a sweep has recorded them yet, and
// both are recorded dated at the moment they happened.

// ExpiredAt reports whether the deal is a received referral whose 14 days
// ran out at now, recorded or not.
func (d *Deal) ExpiredAt(now time.Time) bool {
	return d.Status == Received && !d.ExpiresAt.IsZero() && !now.Before(d.ExpiresAt)
}

// ExpireIfDue archives a received referral whose time ran out at now, and
// returns the expiry event dated at ExpiresAt (not now), for the caller to
// record once with its news. ok is false when nothing was due.
func (d *Deal) ExpireIfDue(now time.Time) (ev Event, ok bool) {
	if !d.ExpiredAt(now) {
		return Event{}, false
	}
	ev, err := d.Expire(now)
	return ev, err == nil
}

// MoveExpiry sets when a received referral expires to what its sender says
// now: Partner Center extends or shortens a referral's window itself, and
// it is the one that refuses a late answer, so the reminders, the sweep
// and every reply follow its date. Only a referral still unanswered at now
// moves: one whose time ran out is the expiry path's, and an answered or
// closed one expires no more. A new date already past is taken as it is;
// the expiry path then records the expiry, dated at it.
func (d *Deal) MoveExpiry(to, now time.Time) (Event, error) {
	if err := d.needStatus("move the expiry of", now, Received); err != nil {
		return Event{}, err
	}
	if to.IsZero() {
		return Event{}, refuse("expires_at", "expiry_required", "referral #%d needs a date to expire at", d.ID)
	}
	if to.Equal(d.ExpiresAt) {
		return Event{}, refuse("expires_at", "edit_nothing", "nothing to change: referral #%d already expires at %s", d.ID, Moment(to))
	}
	from := d.ExpiresAt
	d.ExpiresAt, d.UpdatedAt = to, now
	return Event{Action: "expiry_moved", Detail: fmt.Sprintf("expiry moved from %s to %s", Moment(from), Moment(to))}, nil
}

// Moment is a time as replies and history lines write it, to the minute,
// in UTC ("2026-11-30 03:14 UTC"); "none" for the zero time.
func Moment(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// Snoozable refuses, saying why, to hold the reminders of a deal that has
// none: reminders count down to a received referral's expiry, so only a
// referral still waiting for an answer has them. An accepted referral, an
// outbound deal and a closed one were snoozed all the same, with a
// history line and a promise that reminders would "resume".
func (d *Deal) Snoozable(now time.Time) error {
	switch {
	case d.Status.Terminal():
		return refuse("status", "terminal_immutable", "deal %d is %s: it has no reminders left to snooze", d.ID, d.Status)
	case d.ExpiredAt(now):
		return refuse("status", "no_reminders", "deal %d expired unanswered on %s: it has no reminders left to snooze", d.ID, Moment(d.ExpiresAt))
	case d.Direction == Outbound:
		return refuse("status", "no_reminders", "deal %d is an outbound deal: only a referral waiting for an answer has reminders", d.ID)
	case d.Status != Received:
		return refuse("status", "no_reminders", "deal %d is %s: only a referral waiting for an answer has reminders", d.ID, d.Status)
	}
	return nil
}

// MicrosoftWindowClosed reports whether Microsoft was asked for help and
// its 14 days to decide ran out at now without an answer.
func (d *Deal) MicrosoftWindowClosed(now time.Time) bool {
	if d.Microsoft == MSLapsed {
		return true
	}
	return d.Microsoft == MSInvited && !d.DecisionDue.IsZero() && !now.Before(d.DecisionDue)
}

// LapseIfDue records that Microsoft did not join a deal within its
// decision window, dated at DecisionDue. Only deals still worked (or won
// and waiting for Microsoft) lapse; lost, declined and error ones are over.
func (d *Deal) LapseIfDue(now time.Time) (ev Event, ok bool) {
	if d.Microsoft != MSInvited || !d.MicrosoftWindowClosed(now) {
		return Event{}, false
	}
	if d.Status != Created && d.Status != Accepted && d.Status != Won {
		return Event{}, false
	}
	d.Microsoft = MSLapsed
	if d.UpdatedAt.Before(d.DecisionDue) {
		d.UpdatedAt = d.DecisionDue
	}
	return Event{
		Action: "microsoft_lapsed",
		Detail: fmt.Sprintf("Microsoft did not join within its 14 days (asked %s, window closed %s)", d.InvitedAt.UTC().Format(time.DateOnly), d.DecisionDue.UTC().Format(time.DateOnly)),
		At:     d.DecisionDue,
	}, true
}

// DueEvents applies every transition the clock decided by now (referral
// expiry, Microsoft's lapsed window) and returns their events, oldest
// first, for the caller to record before acting on the deal.
func (d *Deal) DueEvents(now time.Time) []Event {
	var out []Event
	if ev, ok := d.ExpireIfDue(now); ok {
		out = append(out, ev)
	}
	if ev, ok := d.LapseIfDue(now); ok {
		out = append(out, ev)
	}
	return out
}

// LinkedToPartnerCenter reports whether the deal mirrors a Partner Center
// referral, so that its decline is written back there (an expiry Partner
// Center decides itself) and Partner Center tells the sender; a referral
// recorded by hand has no such link.
func (d *Deal) LinkedToPartnerCenter() bool { return strings.TrimSpace(d.ExternalID) != "" }

// whoIsTold says, truthfully, how the sender learns of a decline or an
// expiry: through Partner Center for a linked referral, or from whoever
// recorded it by hand.
func (d *Deal) whoIsTold(what string) string {
	if d.Direction != Inbound {
		return "nobody else is involved"
	}
	if d.LinkedToPartnerCenter() {
		if what == "expiry" {
			// Partner Center expires its referrals itself, at its own
			// time: nothing is written back (it said so, untrue).
			return fmt.Sprintf("Partner Center expires the referral itself and tells %s", SenderLabel(d.From))
		}
		return fmt.Sprintf("the %s is written back to Partner Center, which tells %s", what, SenderLabel(d.From))
	}
	return fmt.Sprintf("this referral was recorded by hand, so nothing reaches %s: tell them yourself", SenderLabel(d.From))
}

// TimeLeft says how long until t, from now, the one way every reply,
// reminder and digest says it: whole days and hours, to the nearest hour
// ("7 days", "1 day 12 hours", "5 hours", "1 hour"), "less than an hour" in
// the last one, "" once t has passed. Calendar days read a referral that
// expires at midnight 24 hours away as "in 2 days"; rounding to days read
// 36 hours as 2 days: a deadline is never said to be further than it is by
// more than half an hour.
func TimeLeft(now, t time.Time) string {
	d := t.Sub(now)
	hours := int(d.Round(time.Hour) / time.Hour)
	switch {
	case d <= 0:
		return ""
	case hours >= 24:
		s := count(hours/24, "day")
		if h := hours % 24; h > 0 {
			s += " " + count(h, "hour")
		}
		return s
	case hours >= 2:
		return count(hours, "hour")
	case d >= time.Hour:
		return "1 hour"
	}
	return "less than an hour"
}

func count(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
