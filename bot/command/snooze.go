package command

import (
	"context"
	"fmt"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/bot/vocab"
)

// dealSnooze holds a deal's reminders until the start (00:00 UTC) of a date
// in the future; the deal's expiry, and news of its changes, still go out.
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
	until, err := vocab.ParseDate(c.get("until"), c.now)
	if err != nil {
		return Reply{}, &deal.RuleError{Field: "until", Rule: "format", Message: err.Error()}
	}
	if !until.After(c.now) {
		return Reply{}, &deal.RuleError{Field: "until", Rule: "until_future",
			Message: fmt.Sprintf("until=%s is not in the future: snooze until a later date", until.Format(time.DateOnly))}
	}
	detail := "reminders snoozed until " + until.Format(time.DateOnly)
	after := fmt.Sprintf("they resume on %s", until.Format(time.DateOnly))
	exp := d.ExpiresAt
	if _, left := remind.NextReminder(exp, until, s.reminderOffsets()); !exp.IsZero() && !left {
		// The snooze swallows the last reminder (until= the day a referral
		// expires at 02:34 drops the 1-day one): none resumes.
		after = fmt.Sprintf("no reminder comes before it expires on %s: answer it before then (deal accept %d or deal decline %d)", deal.Moment(exp), d.ID, d.ID)
	}
	if !exp.IsZero() && until.After(calendarDay(exp)) {
		// Capped: a snooze past the expiry would silence the last reminders
		// before a referral is lost for good.
		until = calendarDay(exp)
		if !until.After(c.now) {
			return Reply{}, &deal.RuleError{Field: "until", Rule: "until_before_expiry",
				Message: fmt.Sprintf("deal %d expires today (%s): there is nothing left to snooze; answer it with deal accept %d or deal decline %d", d.ID, exp.Format("15:04 MST"), d.ID, d.ID)}
		}
		detail = fmt.Sprintf("reminders snoozed until %s, the day the referral expires (you asked for later)", until.Format(time.DateOnly))
		// Nothing resumes after an expiry: say when it is lost instead.
		after = fmt.Sprintf("it expires %s: answer it before then (deal accept %d or deal decline %d)", deal.Moment(exp), d.ID, d.ID)
	}
	if err := s.alerts.Snooze(ctx, d.ID, until, ledger.Entry{At: c.now, Actor: c.who.ID, Action: "snoozed", Detail: detail}); err != nil {
		return Reply{}, fmt.Errorf("snoozing deal #%d: %w", d.ID, err)
	}
	return Reply{
		Text: fmt.Sprintf("Deal #%d: %s; %s.", d.ID, detail, after),
		Data: map[string]any{"deal": View(d), "snoozed_until": dateOf(until)},
	}, nil
}

// reminderOffsets are when reminders go before an expiry: as configured,
// or the sweep's defaults for a Service given none.
func (s *Service) reminderOffsets() []time.Duration {
	if len(s.remindBefore) == 0 {
		return remind.DefaultConfig().Before
	}
	return s.remindBefore
}
