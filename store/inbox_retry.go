package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// DeferInbox puts a row back to wait, after an attempt that failed for a
// reason that may pass (the database or the sender's API was unreachable):
// it stays received, with the reason and the attempt counted, and no
// replica claims it before until.
func (s *Store) DeferInbox(ctx context.Context, id int64, reason string, until time.Time) error {
	if len(reason) > 2000 {
		reason = reason[:2000]
	}
	res := s.db.WithContext(ctx).Model(&inboxRow{}).Where("id = ?", id).Updates(map[string]any{
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
