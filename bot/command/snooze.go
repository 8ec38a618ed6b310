package command

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/bot/vocab"
)

// dealSnooze holds a deal's reminders until a moment in the future; the
// deal's expiry, and news of its changes, still go out. A date is its start,
// 00:00 UTC, as every date cosellbot reads (no user or workspace has a time
// zone of its own here); a moment with its zone (until="2026-12-03 09:00
// +01:00") is taken to the minute. The reply says both moments in UTC, when
// the snooze ends and when the next reminder goes, since reminders that fall
// due while snoozed are skipped, not sent when it ends.
func (s *Service) dealSnooze(ctx context.Context, c *call) (Reply, error) {
	d, err := s.visibleDeal(ctx, c)
	if err != nil {
		return Reply{}, err
	}
	// A referral past its 14 days has no reminders left: the first action
	// that meets the expiry records it, this one too.
	if d, err = s.recordDue(ctx, c, d); err != nil {
		return Reply{}, err
	}
	// Before the date: no date makes reminders of a deal that has none.
	if err := d.Snoozable(c.now); err != nil {
		return Reply{}, err
	}
	typed := strings.TrimSpace(c.get("until"))
	until, err := vocab.ParseMoment(typed, c.now)
	if err != nil {
		return Reply{}, &deal.RuleError{Field: "until", Rule: "format", Message: err.Error()}
	}
	if !until.After(c.now) {
		return Reply{}, &deal.RuleError{Field: "until", Rule: "until_future",
			Message: fmt.Sprintf("until=%s is %s, not in the future: snooze until a later date or moment", typed, deal.Moment(until))}
	}
	detail := "reminders snoozed until " + deal.Moment(until)
	exp := d.ExpiresAt
	if !exp.IsZero() && until.After(calendarDay(exp)) {
		// Capped: a snooze past the expiry would silence the last reminders
		// before a referral is lost for good.
		until = calendarDay(exp)
		if !until.After(c.now) {
			return Reply{}, &deal.RuleError{Field: "until", Rule: "until_before_expiry",
				Message: fmt.Sprintf("deal %d expires today (%s): there is nothing left to snooze; answer it with deal accept %d or deal decline %d", d.ID, exp.Format("15:04 MST"), d.ID, d.ID)}
		}
		detail = fmt.Sprintf("reminders snoozed until %s, the start of the day the referral expires (you asked for later)", deal.Moment(until))
	}
	next, left := remind.NextReminder(exp, until, s.reminderOffsets())
	var after string
	switch {
	case !exp.IsZero() && !left:
		// The snooze swallows the last reminder (until= the day a referral
		// expires at 02:34 drops the 1-day one): none resumes.
		after = fmt.Sprintf("no reminder comes before it expires on %s: answer it before then (deal accept %d or deal decline %d)", deal.Moment(exp), d.ID, d.ID)
	case left:
		after = fmt.Sprintf("the next one comes %s, %s before it expires on %s", deal.Moment(next), deal.TimeLeft(next, exp), deal.Moment(exp))
	default:
		after = "they resume then"
	}
	if err := s.alerts.Snooze(ctx, d.ID, until, ledger.Entry{At: c.now, Actor: c.who.ID, Action: "snoozed", Detail: detail}); err != nil {
		return Reply{}, fmt.Errorf("snoozing deal #%d: %w", d.ID, err)
	}
	data := map[string]any{"deal": View(d), "snoozed_until": dateOf(until), "snoozed_until_at": until.UTC().Format(time.RFC3339)}
	if left {
		data["next_reminder_at"] = next.UTC().Format(time.RFC3339)
	}
	return Reply{Text: fmt.Sprintf("Deal #%d: %s; %s.", d.ID, detail, after), Data: data}, nil
}

// reminderOffsets are when reminders go before an expiry: as configured,
// or the sweep's defaults for a Service given none.
func (s *Service) reminderOffsets() []time.Duration {
	if len(s.remindBefore) == 0 {
		return remind.DefaultConfig().Before
	}
	return s.remindBefore
}
