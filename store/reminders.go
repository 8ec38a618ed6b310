package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// Reminder states: planned ahead and waiting for its time, fired (its
// notices were written), or skipped (due while snoozed or no longer
// relevant).
const (
	ReminderPlanned = "planned"
	ReminderFired   = "fired"
	ReminderSkipped = "skipped"
)

// reminderRow is a check, planned or done. (subject, kind, due_at) is unique:
// every replica may plan every minute and each reminder still exists once.
type reminderRow struct {
	ID      int64      `gorm:"column:id;primaryKey;autoIncrement"`
	Subject string     `gorm:"column:subject;not null;uniqueIndex:reminders_key,priority:1"`
	Kind    string     `gorm:"column:kind;not null;uniqueIndex:reminders_key,priority:2"`
	DueAt   time.Time  `gorm:"column:due_at;not null;uniqueIndex:reminders_key,priority:3;index:reminders_planned"` // partial: WHERE state = 'planned'
	State   string     `gorm:"column:state;not null"`
	FiredAt *time.Time `gorm:"column:fired_at"`
}

// TableName is the reminders table.
func (reminderRow) TableName() string { return "reminders" }

// snoozeRow suppresses a subject's reminders until a time.
type snoozeRow struct {
	Subject   string    `gorm:"column:subject;primaryKey"`
	Until     time.Time `gorm:"column:until;not null"`
	CreatedBy string    `gorm:"column:created_by;not null"`
	CreatedAt time.Time `gorm:"column:created_at;not null;autoCreateTime:false"`
}

// TableName is the snoozes table.
func (snoozeRow) TableName() string { return "snoozes" }

// plan inserts planned reminders, leaving those that exist alone.
func plan(tx *gorm.DB, rs []ledger.Reminder) error {
	if len(rs) == 0 {
		return nil
	}
	rows := make([]reminderRow, len(rs))
	for i, r := range rs {
		rows[i] = reminderRow{Subject: r.Subject, Kind: r.Kind, DueAt: utc(r.DueAt), State: ReminderPlanned}
	}
	err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "subject"}, {Name: "kind"}, {Name: "due_at"}}, DoNothing: true}).
		Omit("id").Create(&rows).Error
	if err != nil {
		return fmt.Errorf("store: plan %d reminders: %w", len(rows), err)
	}
	return nil
}

// Plan records reminders to check later (PlannedDue finds them when due).
func (s *Store) Plan(ctx context.Context, rs ...ledger.Reminder) error {
	return s.inTx(ctx, "plan reminders", func(tx *gorm.DB) error { return plan(tx, rs) })
}

// Firing is ledger.Firing: a due reminder and its notices.
type Firing = ledger.Firing

func remKey(subject, kind string, due time.Time) string {
	return subject + "\x00" + kind + "\x00" + strconv.FormatInt(utc(due).UnixMicro(), 10)
}

// Fire records reminders as fired (or skipped) and writes the notices of
// those that no one fired before, in one transaction, and returns those. A
// reminder fires once whoever calls: a new one is inserted, a planned one
// moves on, and one already fired or skipped is left alone with its notices
// unwritten. So replicas may all sweep at once.
func (s *Store) Fire(ctx context.Context, now time.Time, fs []Firing) ([]ledger.Reminder, error) {
	byKey := make(map[string]Firing, len(fs))
	var uniq []Firing
	for _, f := range fs {
		k := remKey(f.Subject, f.Kind, f.DueAt)
		if _, dup := byKey[k]; !dup {
			uniq = append(uniq, f)
		}
		byKey[k] = f
	}
	var fired []ledger.Reminder
	err := s.inTx(ctx, "fire reminders", func(tx *gorm.DB) error {
		var notices []Notice
		for start := 0; start < len(uniq); start += 500 {
			chunk := uniq[start:min(start+500, len(uniq))]
			var sql strings.Builder
			args := make([]any, 0, 5*len(chunk))
			sql.WriteString("INSERT INTO reminders (subject, kind, due_at, state, fired_at) VALUES ")
			for i, f := range chunk {
				if i > 0 {
					sql.WriteString(", ")
				}
				sql.WriteString("(?, ?, ?, ?, ?)")
				state := ReminderFired
				if f.Skip {
					state = ReminderSkipped
				}
				args = append(args, f.Subject, f.Kind, utc(f.DueAt), state, utc(now))
			}
			sql.WriteString(" ON CONFLICT (subject, kind, due_at) DO UPDATE SET state = excluded.state, fired_at = excluded.fired_at" +
				" WHERE reminders.state = 'planned' RETURNING id")
			var ids []int64
			if err := tx.Raw(sql.String(), args...).Scan(&ids).Error; err != nil {
				return fmt.Errorf("store: fire %d reminders: %w", len(chunk), err)
			}
			if len(ids) == 0 {
				continue
			}
			var rows []reminderRow
			if err := tx.Where("id IN ?", ids).Find(&rows).Error; err != nil {
				return fmt.Errorf("store: read fired reminders: %w", err)
			}
			for _, r := range rows {
				f := byKey[remKey(r.Subject, r.Kind, r.DueAt)]
				fired = append(fired, f.Reminder)
				if !f.Skip {
					notices = append(notices, f.Notices...)
				}
			}
		}
		return enqueue(tx, now, notices)
	})
	if err != nil {
		return nil, err
	}
	return fired, nil
}

// PlannedDue lists up to limit planned reminders due at now, oldest first.
func (s *Store) PlannedDue(ctx context.Context, now time.Time, limit int) ([]ledger.Reminder, error) {
	var rows []reminderRow
	err := s.reader(ctx).Where("state = 'planned' AND due_at <= ?", utc(now)).
		Order("due_at").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: read due reminders: %w", err)
	}
	out := make([]ledger.Reminder, len(rows))
	for i, r := range rows {
		out[i] = ledger.Reminder{Subject: r.Subject, Kind: r.Kind, DueAt: r.DueAt.UTC()}
	}
	return out, nil
}

// Fired reports which of the reminders were fired or skipped already; the
// sweep asks before composing a digest.
func (s *Store) Fired(ctx context.Context, r ledger.Reminder) (bool, error) {
	var n int64
	err := s.reader(ctx).Model(&reminderRow{}).
		Where("subject = ? AND kind = ? AND due_at = ? AND state <> 'planned'", r.Subject, r.Kind, utc(r.DueAt)).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("store: look up reminder %s %s: %w", r.Subject, r.Kind, err)
	}
	return n > 0, nil
}

// Snooze suppresses a deal's reminders until until, with an entry in its
// history; a later snooze replaces an earlier one.
func (s *Store) Snooze(ctx context.Context, dealID int64, until time.Time, a Audit) error {
	row := snoozeRow{Subject: dealSubject(dealID), Until: utc(until), CreatedBy: a.Actor, CreatedAt: utc(a.At)}
	return s.inTx(ctx, fmt.Sprintf("snooze deal %d", dealID), func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&dealRow{}).Where("id = ?", dealID).Count(&n).Error; err != nil {
			return fmt.Errorf("store: snooze deal %d: %w", dealID, err)
		}
		if n == 0 {
			return fmt.Errorf("deal %d: %w", dealID, ErrNotFound)
		}
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "subject"}},
			DoUpdates: clause.AssignmentColumns([]string{"until", "created_by", "created_at"}),
		}).Create(&row).Error
		if err != nil {
			return fmt.Errorf("store: snooze deal %d: %w", dealID, err)
		}
		return audit(tx, subjectDeal, strconv.FormatInt(dealID, 10), a)
	})
}

// Snoozed returns, of the subjects, those snoozed past now and until when.
func (s *Store) Snoozed(ctx context.Context, subjects []string, now time.Time) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	for start := 0; start < len(subjects); start += 500 {
		var rows []snoozeRow
		err := s.reader(ctx).Where("subject IN ? AND until > ?", subjects[start:min(start+500, len(subjects))], utc(now)).Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("store: read snoozes: %w", err)
		}
		for _, r := range rows {
			out[r.Subject] = r.Until.UTC()
		}
	}
	return out, nil
}

// ReceivedExpiring lists up to limit received referrals expiring at or
// before upTo and after the position (after, afterID) in (expires_at, id)
// order, soonest first; a zero after has no lower bound. Pass the last
// deal's expiry and id to read the next page. It is a range of the
// (status, expires_at) index, so its cost grows with the deals in the range,
// not with the table.
func (s *Store) ReceivedExpiring(ctx context.Context, after time.Time, afterID int64, upTo time.Time, limit int) ([]*deal.Deal, error) {
	q := s.reader(ctx).Where("status = ? AND expires_at <= ?", string(deal.Received), utc(upTo))
	if !after.IsZero() {
		a := utc(after)
		q = q.Where("expires_at >= ? AND (expires_at > ? OR id > ?)", a, a, afterID)
	}
	var rows []dealRow
	if err := q.Order("expires_at").Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list expiring referrals: %w", err)
	}
	return decodeDeals(rows)
}

// ReceivedSince lists up to limit received referrals recorded after since,
// with an id above afterID, by id: the ones a running sweep has not looked
// at yet (a referral recorded already past a reminder's point).
func (s *Store) ReceivedSince(ctx context.Context, since time.Time, afterID int64, limit int) ([]*deal.Deal, error) {
	var rows []dealRow
	err := s.reader(ctx).Where("status = ? AND created_at > ? AND id > ?", string(deal.Received), utc(since), afterID).
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: list referrals recorded since %s: %w", since.UTC().Format(time.RFC3339), err)
	}
	return decodeDeals(rows)
}

// Stale lists up to limit created or accepted deals not changed since
// before, oldest change first, and how many there are in all.
func (s *Store) Stale(ctx context.Context, before time.Time, limit int) ([]*deal.Deal, int64, error) {
	q := s.reader(ctx).Model(&dealRow{}).
		Where("status IN ? AND updated_at < ?", []string{string(deal.Created), string(deal.Accepted)}, utc(before))
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count stale deals: %w", err)
	}
	var rows []dealRow
	if err := q.Order("updated_at").Limit(limit).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list stale deals: %w", err)
	}
	ds, err := decodeDeals(rows)
	return ds, n, err
}

// Deals reads the deals with the given ids; missing ones are left out.
func (s *Store) Deals(ctx context.Context, ids []int64) ([]*deal.Deal, error) {
	var out []*deal.Deal
	for start := 0; start < len(ids); start += 500 {
		var rows []dealRow
		if err := s.reader(ctx).Where("id IN ?", ids[start:min(start+500, len(ids))]).Order("id").Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("store: read deals: %w", err)
		}
		ds, err := decodeDeals(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ds...)
	}
	return out, nil
}

func decodeDeals(rows []dealRow) ([]*deal.Deal, error) {
	out := make([]*deal.Deal, 0, len(rows))
	for i := range rows {
		d, err := fromDealRow(&rows[i])
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// errRehearsal ends a rehearsal's transaction without keeping anything.
var errRehearsal = errors.New("rehearsal: rolled back")

// Rehearse runs fn against a store whose every change is rolled back at the
// end, for dry runs: fn sees its own writes, nobody else does. On SQLite the
// rehearsal holds the write lock while it runs.
func (s *Store) Rehearse(ctx context.Context, fn func(*Store) error) error {
	var fnErr error
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		fnErr = fn(&Store{db: tx, rd: tx, dialect: s.dialect}) // reads too see the rehearsal's writes
		if fnErr != nil {
			return fnErr
		}
		return errRehearsal
	})
	if fnErr != nil {
		return fnErr
	}
	if !errors.Is(err, errRehearsal) {
		return fmt.Errorf("store: rehearse: %w", err)
	}
	return nil
}
