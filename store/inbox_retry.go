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

// maxPageBytes bounds the bodies one TakeInbox returns, whatever its limit:
// a page of large events (Salesforce sends up to 100 records in one) would
// otherwise hold them all in memory at once.
const maxPageBytes = 8 << 20

// TakeInbox reads up to limit rows waiting to be processed at now (received,
// and not held by a claim or a backoff), oldest first, leaving out the
// sources named, and no more than about maxPageBytes of bodies (at least one
// row). more says the page was cut short by either bound: more rows may be
// waiting. Inside a Batch on PostgreSQL they are locked for the
// batch (FOR UPDATE SKIP LOCKED): replicas take different pages and never
// wait for each other. On SQLite the batch's transaction holds the one
// writer, which serialises them anyway.
func (s *Store) TakeInbox(ctx context.Context, now time.Time, limit int, except []string) (rows []InboxEntry, more bool, err error) {
	db := s.conn(ctx)
	if s.dialect == SQLite {
		// No row locks to take: a unit reads its page without holding the
		// one writer (store/unit.go); a batch's reader is its transaction.
		db = s.reader(ctx)
	}
	// The LIMIT is a parameter, so that every page size is one statement
	// (shapes.go); GORM's Limit would write it into the text.
	where := "status = 'received' AND (claimed_until IS NULL OR claimed_until <= ?)"
	args := []any{utc(now)}
	if len(except) > 0 {
		where += " AND source NOT IN ?"
		args = append(args, except)
	}
	var sizes []int64
	err = db.Raw("SELECT "+s.bodyLength()+" FROM inbox WHERE "+where+" ORDER BY id LIMIT ?", append(args, limit)...).Scan(&sizes).Error
	if err != nil {
		return nil, false, fmt.Errorf("store: size the inbox page: %w", err)
	}
	if len(sizes) == 0 {
		return nil, false, nil
	}
	more = len(sizes) == limit
	n, total := 0, int64(0)
	for _, size := range sizes {
		if n > 0 && total+size > maxPageBytes {
			more = true
			break
		}
		n, total = n+1, total+size
	}
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := db.Raw("SELECT * FROM inbox WHERE "+where+" ORDER BY id LIMIT ?"+lock, append(args, n)...)
	var found []inboxRow
	if err := q.Scan(&found).Error; err != nil {
		return nil, false, fmt.Errorf("store: take inbox rows: %w", err)
	}
	rows, err = fromInboxRows(found)
	return rows, more, err
}

// bodyLength is the SQL of an inbox body's size in bytes.
func (s *Store) bodyLength() string {
	if s.dialect == Postgres {
		return "octet_length(body)"
	}
	return "length(body)"
}
