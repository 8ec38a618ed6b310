package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/cpor"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
)

// answerNews are the notice kinds that ask for an answer to a received
// referral (its arrival, its reminders, a moved expiry): they offer Accept
// and Decline, so they make sense only while the referral waits for one.
var answerNews = []string{remind.KindReminder, change.KindReceived, change.KindExpiryMoved}

// DeadOutbox picks the dead outbox rows RetryDeadOutbox makes due again:
// every one, or the one with ID, or those to Place (both may be set).
type DeadOutbox struct {
	ID    int64
	Place chat.Place // the zero Place: every place
}

// DroppedNotice is a dead row RetryDeadOutbox deleted instead of sending
// it again, and why.
type DroppedNotice struct {
	OutboxEntry
	Why string
}

// RetriedOutbox is what RetryDeadOutbox did.
type RetriedOutbox struct {
	// Retried are due again, their attempts counted from zero.
	Retried []OutboxEntry
	// Dropped no longer make sense and are deleted (see RetryDeadOutbox).
	Dropped []DroppedNotice
}

// RetryDeadOutbox makes the dead outbox rows which picks due again at now,
// with their attempts counted from zero, so that a dispatcher sends them on
// its next pass: a row goes dead at once on a failure only the operator can
// fix (a revoked token, a channel without the bot), and without this it
// stayed dead after the fix. Rows asking to answer a referral (answerNews)
// whose deal is no longer waiting for an answer, or is past its expiry, are
// deleted instead, and so is a reminder a later reminder about the same
// deal to the same place supersedes, and a claim's warning that its
// window closes soon once that window has closed: posted now they would
// offer Accept on a referral answered or expired meanwhile, remind twice,
// or ask to watch a window that is over (dropAnsweredReminders keeps
// waiting rows the same way). A reminder retried says the time left when
// it is delivered (remind's dispatcher writes it again). State messages
// need no such care: the dispatcher skips one a newer state supersedes
// (stateEdits).
func (s *Store) RetryDeadOutbox(ctx context.Context, which DeadOutbox, now time.Time) (RetriedOutbox, error) {
	var out RetriedOutbox
	err := s.inTx(ctx, "retry dead outbox rows", func(tx *gorm.DB) error {
		q := tx.Where("state = 'dead'")
		if which.ID != 0 {
			q = q.Where("id = ?", which.ID)
		}
		if which.Place != (chat.Place{}) {
			q = q.Where("platform = ? AND channel = ?", which.Place.Platform, which.Place.Channel)
		}
		var rows []outboxRow
		if err := q.Order("id").Find(&rows).Error; err != nil {
			return fmt.Errorf("store: read dead outbox rows: %w", err)
		}
		stale, err := staleNews(tx, rows, now)
		if err != nil {
			return err
		}
		var retry, drop []int64
		for _, r := range rows {
			if why, ok := stale[r.ID]; ok {
				drop = append(drop, r.ID)
				out.Dropped = append(out.Dropped, DroppedNotice{OutboxEntry: entryOf(r), Why: why})
				continue
			}
			retry = append(retry, r.ID)
			r.State, r.Attempts, r.NextAttemptAt, r.LastError = OutboxPending, 0, utc(now), ""
			out.Retried = append(out.Retried, entryOf(r))
		}
		if len(drop) > 0 {
			if err := tx.Where("id IN ? AND state = 'dead'", drop).Delete(&outboxRow{}).Error; err != nil {
				return fmt.Errorf("store: drop %d stale dead outbox rows: %w", len(drop), err)
			}
		}
		if len(retry) == 0 {
			return nil
		}
		// The last error goes with the death it caused: left on a row
		// waiting again, the listing would show the pending row as still
		// refused.
		err = tx.Model(&outboxRow{}).Where("id IN ? AND state = 'dead'", retry).Updates(map[string]any{
			"state": OutboxPending, "attempts": 0, "next_attempt_at": utc(now), "lease_until": nil, "last_error": "",
		}).Error
		if err != nil {
			return fmt.Errorf("store: retry %d dead outbox rows: %w", len(retry), err)
		}
		return nil
	})
	if err != nil {
		return RetriedOutbox{}, err
	}
	return out, nil
}

// staleNews says, by row id, which of the dead rows ask to answer a
// referral that no longer takes an answer, remind of one a later reminder
// to the same place supersedes, or warn that a claim's window closes when
// it has closed, and why (the rules are remind.NoAnswerTaken and
// remind.ClosingWarningOver, which the dispatcher applies at delivery too).
func staleNews(tx *gorm.DB, rows []outboxRow, now time.Time) (map[int64]string, error) {
	stale := map[int64]string{}
	var dealIDs, claimIDs []int64
	for _, r := range rows {
		switch {
		case slices.Contains(answerNews, r.Kind):
			if id, ok := ledger.DealOfSubject(r.Subject); ok {
				dealIDs = append(dealIDs, id)
			}
		case remind.IsClosingWarning(r.Kind, r.DedupKey):
			if id, ok := ledger.ClaimOfSubject(r.Subject); ok {
				claimIDs = append(claimIDs, id)
			}
		}
	}
	deals := map[int64]*deal.Deal{}
	if len(dealIDs) > 0 {
		var found []dealRow
		if err := tx.Select("id", "status", "expires_at").Where("id IN ?", dealIDs).Find(&found).Error; err != nil {
			return nil, fmt.Errorf("store: read the deals of dead outbox rows: %w", err)
		}
		for _, d := range found {
			deals[d.ID] = &deal.Deal{ID: d.ID, Status: deal.Status(d.Status), ExpiresAt: fromPtr(d.ExpiresAt)}
		}
	}
	claims := map[int64]*cpor.Claim{}
	if len(claimIDs) > 0 {
		var found []claimRow
		if err := tx.Where("id IN ?", claimIDs).Find(&found).Error; err != nil {
			return nil, fmt.Errorf("store: read the claims of dead outbox rows: %w", err)
		}
		for i := range found {
			claims[found[i].ID] = fromClaimRow(&found[i])
		}
	}
	for _, r := range rows {
		if remind.IsClosingWarning(r.Kind, r.DedupKey) {
			if id, ok := ledger.ClaimOfSubject(r.Subject); ok {
				if why := remind.ClosingWarningOver(r.DedupKey, id, claims[id], now); why != "" {
					stale[r.ID] = why
				}
			}
			continue
		}
		if !slices.Contains(answerNews, r.Kind) {
			continue
		}
		id, ok := ledger.DealOfSubject(r.Subject)
		if !ok {
			continue
		}
		if why := remind.NoAnswerTaken(id, deals[id], now); why != "" {
			stale[r.ID] = why
			continue
		}
		if r.Kind == remind.KindReminder {
			var later int64
			err := tx.Model(&outboxRow{}).Where("platform = ? AND channel = ? AND subject = ? AND kind = ? AND id > ?",
				r.Platform, r.Channel, r.Subject, remind.KindReminder, r.ID).Count(&later).Error
			if err != nil {
				return nil, fmt.Errorf("store: look for a later reminder of %s: %w", r.Subject, err)
			}
			if later > 0 {
				stale[r.ID] = fmt.Sprintf("a later reminder of deal #%d to the same place replaces it", id)
			}
		}
	}
	return stale, nil
}
