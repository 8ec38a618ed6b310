package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// forgetBatch is how many inbox rows one DELETE removes. Each batch is its
// own short transaction: on SQLite the one writer is released between
// batches, so deliveries keep being acknowledged while months of rows go.
const forgetBatch = 1000

// finishedStatuses are the outcomes a delivery never leaves on its own: it
// was applied, ignored or stale. Failed rows wait for an admin's replay and
// waiting rows for the processor: neither is ever forgotten.
var finishedStatuses = []string{string(InboxProcessed), string(InboxIgnored), string(InboxStale)}

// ForgetInbox deletes the deliveries received and finished (applied,
// ignored, stale) before before, and says how many it deleted. Failed and
// waiting deliveries stay whatever their age. A redelivery of a forgotten
// delivery is stored again, and the processor judges it like any event
// (stale when its record has been modified since), so before must lie well
// beyond every sender's retry window.
//
// It walks the inbox by id: received_at grows with the id, so the first row
// received at or after before bounds what can go, and each batch reads the
// primary key from where the last one ended up to that bound, rather than
// every row kept (or, on PostgreSQL, the dead index entries of the rows
// deleted before vacuum removes them).
func (s *Store) ForgetInbox(ctx context.Context, before time.Time) (int64, error) {
	bound, err := s.firstInboxIDFrom(ctx, before)
	if err != nil {
		return 0, err
	}
	finished := func(db *gorm.DB) *gorm.DB {
		return db.Where("status IN ? AND received_at < ? AND processed_at < ?", finishedStatuses, utc(before), utc(before))
	}
	var total, after int64
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		// Read from the read pool: on SQLite the writer is taken only to
		// delete.
		var ids []int64
		err := finished(s.reader(ctx).Model(&inboxRow{}).Where("id > ? AND id < ?", after, bound)).
			Order("id").Limit(forgetBatch).Pluck("id", &ids).Error
		if err != nil {
			return total, fmt.Errorf("store: find deliveries finished before %s: %w", before.Format(time.RFC3339), err)
		}
		if len(ids) == 0 {
			return total, nil
		}
		// The rows found are every finished one from after to the last
		// found: delete that range, with the conditions again (a row may
		// have changed since it was read).
		last := ids[len(ids)-1]
		res := finished(s.conn(ctx).Where("id > ? AND id <= ?", after, last)).Delete(&inboxRow{})
		if res.Error != nil {
			return total, fmt.Errorf("store: forget deliveries finished before %s: %w", before.Format(time.RFC3339), res.Error)
		}
		total += res.RowsAffected
		after = last
		if len(ids) < forgetBatch {
			return total, nil
		}
	}
}

// firstInboxIDFrom is the id of the first delivery received at or after
// at, or one past the last id when every delivery is older.
func (s *Store) firstInboxIDFrom(ctx context.Context, at time.Time) (int64, error) {
	var row inboxRow
	err := s.reader(ctx).Select("id").Where("received_at >= ?", utc(at)).Order("id").Take(&row).Error
	if err == nil {
		return row.ID, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, fmt.Errorf("store: find the first delivery received from %s: %w", at.Format(time.RFC3339), err)
	}
	var last struct{ Max *int64 }
	if err := s.reader(ctx).Model(&inboxRow{}).Select("MAX(id) AS max").Scan(&last).Error; err != nil {
		return 0, fmt.Errorf("store: read the inbox's last id: %w", err)
	}
	if last.Max == nil {
		return 0, nil
	}
	return *last.Max + 1, nil
}
