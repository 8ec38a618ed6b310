package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ReleaseOutbox gives claimed messages that were not sent back to the
// outbox, due at now: a dispatcher stopping (a rolling restart) calls it so
// that another replica sends them at once instead of when the lease runs
// out. The claim keeps counting as a try, so that the row's attempts never
// repeat: a release can then never touch a row another dispatcher claimed
// since, nor one marked meanwhile. It reports how many rows it released.
func (s *Store) ReleaseOutbox(ctx context.Context, items []OutboxItem, now time.Time) (int64, error) {
	var released int64
	err := s.inTx(ctx, "release outbox rows", func(tx *gorm.DB) error {
		released = 0
		for _, it := range items {
			res := tx.Model(&outboxRow{}).Where("id = ? AND state = ? AND attempts = ?", it.ID, OutboxSending, it.Attempt).
				Updates(map[string]any{"state": OutboxPending, "next_attempt_at": utc(now), "lease_until": nil})
			if res.Error != nil {
				return fmt.Errorf("store: release outbox row %d: %w", it.ID, res.Error)
			}
			released += res.RowsAffected
		}
		return nil
	})
	return released, err
}

// OutboxOldestDue is when the most overdue waiting message (pending, or
// sending with its lease run out) became due, and false when none is due
// at now: now minus it is how far the dispatchers lag behind. A message
// held back for a channel's pace (never tried, due again in a moment) is
// due since it was written: pacing a backlog is lag too.
func (s *Store) OutboxOldestDue(ctx context.Context, now time.Time) (time.Time, bool, error) {
	var due, paced []outboxRow
	err := s.rd.WithContext(ctx).Select("id", "next_attempt_at").
		Where("state IN ('pending', 'sending') AND next_attempt_at <= ?", utc(now)).
		Order("next_attempt_at").Limit(1).Find(&due).Error
	if err == nil {
		err = s.rd.WithContext(ctx).Select("id", "created_at").
			Where("state = 'pending' AND attempts = 0 AND next_attempt_at > ?", utc(now)).
			Order("created_at").Limit(1).Find(&paced).Error
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: oldest due outbox row: %w", err)
	}
	var oldest time.Time
	if len(due) == 1 {
		oldest = due[0].NextAttemptAt.UTC()
	}
	if len(paced) == 1 && (oldest.IsZero() || paced[0].CreatedAt.Before(oldest)) {
		oldest = paced[0].CreatedAt.UTC()
	}
	return oldest, !oldest.IsZero(), nil
}

// SQL is the connection pool, for its statistics (sql.DBStats) on /metrics.
func (s *Store) SQL() (*sql.DB, error) {
	db, err := s.db.DB()
	if err != nil {
		return nil, fmt.Errorf("store: connection pool: %w", err)
	}
	return db, nil
}
