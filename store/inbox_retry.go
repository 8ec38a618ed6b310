package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// DeferInbox puts a row back to wait, after an attempt that failed for a
// reason that may pass (the database or the sender's API was unreachable):
// it stays received, with the reason and the attempt counted, and no
// replica claims it before until.
func (s *Store) DeferInbox(ctx context.Context, id int64, reason string, until time.Time) error {
	reason = storableText(reason, maxReason) // a cut inside a character, a NUL: PostgreSQL would refuse the row
	res := s.conn(ctx).Model(&inboxRow{}).Where("id = ?", id).Updates(map[string]any{
		"status": string(InboxReceived), "error": reason, "attempts": gorm.Expr("attempts + 1"), "claimed_until": utc(until),
	})
	if res.Error != nil {
		return fmt.Errorf("store: defer inbox row %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("inbox row %d: %w", id, ErrNotFound)
	}
	return nil
}

// TakeInbox reads up to limit rows waiting to be processed at now (received,
// and not held by a claim or a backoff), oldest first, leaving out the
// sources named. Inside a Batch on PostgreSQL they are locked for the
// batch (FOR UPDATE SKIP LOCKED): replicas take different pages and never
// wait for each other. On SQLite the batch's transaction holds the one
// writer, which serialises them anyway.
func (s *Store) TakeInbox(ctx context.Context, now time.Time, limit int, except []string) ([]InboxEntry, error) {
	db := s.conn(ctx)
	if s.dialect == SQLite {
		// No row locks to take: a unit reads its page without holding the
		// one writer (store/unit.go); a batch's reader is its transaction.
		db = s.reader(ctx)
	}
	q := db.Model(&inboxRow{}).
		Where("status = 'received' AND (claimed_until IS NULL OR claimed_until <= ?)", utc(now))
	if len(except) > 0 {
		q = q.Where("source NOT IN ?", except)
	}
	q = q.Order("id").Limit(limit)
	if s.dialect == Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
	}
	var rows []inboxRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: take inbox rows: %w", err)
	}
	return fromInboxRows(rows)
}
