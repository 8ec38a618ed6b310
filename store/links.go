package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/crmid"
	"github.com/cosellbot/cosellbot/bot/deal"
)

// Links of deals to outside records and the sync work they wait for
// (bot/change): a link is an external_sync row with its shadow; the work is
// one sync_work row per link.

// syncWorkRow is one link whose system lacks something of its deal.
type syncWorkRow struct {
	System     string     `gorm:"column:system;primaryKey"`
	RecordID   string     `gorm:"column:record_id;primaryKey"`
	Gen        int64      `gorm:"column:gen;not null"`
	State      string     `gorm:"column:state;not null"`
	Attempts   int        `gorm:"column:attempts;not null"`
	DueAt      time.Time  `gorm:"column:due_at;not null;index:sync_work_due"` // partial: WHERE state = 'pending'
	LeaseUntil *time.Time `gorm:"column:lease_until"`
	LastError  string     `gorm:"column:last_error;not null"`
	CreatedAt  time.Time  `gorm:"column:created_at;not null;autoCreateTime:false"`
}

// TableName is the sync_work table.
func (syncWorkRow) TableName() string { return "sync_work" }

// Sync work states.
const (
	SyncPending = "pending"
	SyncDead    = "dead"
)

func linkOf(r *syncRow) (change.Link, error) {
	l := change.Link{System: r.Source, RecordID: r.ExternalID, ETag: r.ETag, Seen: fromPtr(r.ModifiedAt), Gone: fromPtr(r.GoneAt)}
	if r.DealID != nil {
		l.DealID = *r.DealID
	}
	if r.Shadow != "" && r.Shadow != "{}" {
		if err := json.Unmarshal([]byte(r.Shadow), &l.Shadow); err != nil {
			return l, fmt.Errorf("store: decode the shadow of %s record %s: %w", r.Source, r.ExternalID, err)
		}
	}
	return l, nil
}

func linkRow(l change.Link) (syncRow, error) {
	sh := []byte("{}")
	if len(l.Shadow) > 0 {
		norm := make(change.Shadow, len(l.Shadow))
		for f, m := range l.Shadow {
			if !m.At.IsZero() {
				m.At = utc(m.At)
			}
			norm[f] = m
		}
		var err error
		if sh, err = json.Marshal(norm); err != nil {
			return syncRow{}, fmt.Errorf("store: encode the shadow of %s record %s: %w", l.System, l.RecordID, err)
		}
	}
	r := syncRow{Source: l.System, ExternalID: l.RecordID, ModifiedAt: utcPtr(l.Seen), ETag: l.ETag, Shadow: string(sh), GoneAt: utcPtr(l.Gone)}
	if l.DealID != 0 {
		id := l.DealID
		r.DealID = &id
	}
	return r, nil
}

// Link reads the link of one outside record; ErrNotFound when it has none.
func (s *Store) Link(ctx context.Context, system, recordID string) (change.Link, error) {
	if u := unitOf(ctx); u != nil {
		if l, ok := u.links[change.LinkRef{System: system, RecordID: recordID}]; ok {
			if l == nil {
				return change.Link{}, fmt.Errorf("%s record %s: %w", system, recordID, ErrNotFound)
			}
			return *l, nil
		}
	}
	var row syncRow
	err := s.reader(ctx).Where("source = ? AND external_id = ?", system, recordID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return change.Link{}, fmt.Errorf("%s record %s: %w", system, recordID, ErrNotFound)
	}
	if err != nil {
		return change.Link{}, fmt.Errorf("store: read the link of %s record %s: %w", system, recordID, err)
	}
	return linkOf(&row)
}

// LinksOf lists the links of a deal.
func (s *Store) LinksOf(ctx context.Context, dealID int64) ([]change.Link, error) {
	if u := unitOf(ctx); u != nil {
		return u.linksOfDeal(dealID)
	}
	var rows []syncRow
	if err := s.reader(ctx).Where("deal_id = ?", dealID).Order("source, external_id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: read the links of deal %d: %w", dealID, err)
	}
	return linksOf(rows)
}

// LinksOfRecord reads a record's link and every other link of its deal, in
// one query; none when the record is not linked.
func (s *Store) LinksOfRecord(ctx context.Context, system, recordID string) ([]change.Link, error) {
	if u := unitOf(ctx); u != nil {
		return u.linksOfRecord(system, recordID)
	}
	var rows []syncRow
	err := s.reader(ctx).Where(linksOfRecordWhere, system, recordID, system, recordID).
		Order("source, external_id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: read the links of %s record %s: %w", system, recordID, err)
	}
	return linksOf(rows)
}

// linksOfRecordWhere selects a record's link and every link of its deal
// (arguments: system, record id, twice).
const linksOfRecordWhere = "(source = ? AND external_id = ?) OR deal_id = (SELECT deal_id FROM external_sync WHERE source = ? AND external_id = ?)"

// linkUpsert writes a link over the one stored for its record.
var linkUpsert = clause.OnConflict{
	Columns:   []clause.Column{{Name: "source"}, {Name: "external_id"}},
	DoUpdates: clause.AssignmentColumns([]string{"deal_id", "modified_at", "etag", "shadow", "gone_at"}),
}

// linksOf decodes link rows, in their order.
func linksOf(rows []syncRow) ([]change.Link, error) {
	out := make([]change.Link, 0, len(rows))
	for i := range rows {
		l, err := linkOf(&rows[i])
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// SaveLink writes a link, replacing what was there.
func (s *Store) SaveLink(ctx context.Context, l change.Link) error {
	return saveLink(s.conn(ctx), l)
}

func saveLink(tx *gorm.DB, l change.Link) error {
	if l.System == "" || l.RecordID == "" {
		return fmt.Errorf("store: save link: system and record id are required, got %q and %q", l.System, l.RecordID)
	}
	row, err := linkRow(l)
	if err != nil {
		return err
	}
	err = tx.Clauses(linkUpsert).Create(&row).Error
	if err != nil {
		return fmt.Errorf("store: save the link of %s record %s: %w", l.System, l.RecordID, err)
	}
	return nil
}

// takeLink writes the link of a record that was read linked to no deal,
// unless it is linked to a deal now: another replica made the record's
// deal, or linked it, since (two of its events told at once). Written over,
// that deal lost its record (the record's events went to the other, or to
// none) and a second deal held it (a tester). It fails with ErrConflict
// then: read again, the record is linked, and its event an update.
func takeLink(tx *gorm.DB, l change.Link) error {
	row, err := linkRow(l)
	if err != nil {
		return err
	}
	upsert := linkUpsert
	upsert.Where = clause.Where{Exprs: []clause.Expression{clause.Expr{
		SQL:  "external_sync.deal_id IS NULL OR external_sync.deal_id = ? OR NOT EXISTS (SELECT 1 FROM deals WHERE deals.id = external_sync.deal_id)",
		Vars: []any{row.DealID},
	}}}
	res := tx.Clauses(upsert).Create(&row)
	if res.Error != nil {
		return fmt.Errorf("store: save the link of %s record %s: %w", l.System, l.RecordID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("%s record %s is linked to a deal since it was read: %w", l.System, l.RecordID, ErrConflict)
	}
	return nil
}

// Commit stores one change in one transaction (change.Record): the deal
// (inserted when its ID is 0, else updated at its version), its audit
// entries and notices, the links, and a sync for each link named in Work.
func (s *Store) Commit(ctx context.Context, c *change.Commit) error {
	if u := unitOf(ctx); u != nil {
		if u.holds(c) {
			return u.commit(c)
		}
		defer u.forgetCommit(c) // written through below: what the unit read of it is old
		s.early.Add(1)
	}
	var row dealRow
	if c.Deal != nil {
		var err error
		if row, err = toDealRow(c.Deal); err != nil {
			return err
		}
		if c.Deal.ID == 0 {
			row.Version = 1
		} else {
			row.Version = c.Deal.Version + 1
		}
	}
	err := s.inTx(ctx, "commit a change", func(tx *gorm.DB) error {
		if c.ClaimsCRMID && c.Deal != nil {
			if err := s.crmIDHeld(tx, c.Deal); err != nil {
				return err
			}
		}
		switch {
		case c.Deal == nil:
		case c.Deal.ID == 0:
			if err := insertDeal(tx, c.Deal, &row, c.Entries, c.Notices); err != nil {
				return err
			}
		default:
			if err := updateDeal(tx, c.Deal, &row, c.Entries, c.Notices); err != nil {
				return err
			}
		}
		for _, u := range c.Unlinks {
			if err := tx.Where("source = ? AND external_id = ?", u.System, u.RecordID).Delete(&syncRow{}).Error; err != nil {
				return fmt.Errorf("store: unlink %s record %s: %w", u.System, u.RecordID, err)
			}
			if err := tx.Where("system = ? AND record_id = ?", u.System, u.RecordID).Delete(&syncWorkRow{}).Error; err != nil {
				return fmt.Errorf("store: drop the sync work of %s record %s: %w", u.System, u.RecordID, err)
			}
		}
		for _, l := range c.Links {
			if l.DealID == 0 && l.Gone.IsZero() {
				// A record first linked (to the deal made of it), or kept
				// until it is complete enough for a deal: it was read linked
				// to no deal, and must still be (see takeLink).
				if c.Deal != nil {
					l.DealID = row.ID
				}
				if err := takeLink(tx, l); err != nil {
					return err
				}
				continue
			}
			if err := saveLink(tx, l); err != nil {
				return err
			}
		}
		return requestSync(tx, c.Work, c.At)
	})
	if c.Deal != nil && c.Deal.ID != 0 {
		s.forgetDeals(ctx, c.Deal.ID)
	}
	if err != nil {
		return err
	}
	if c.Deal != nil {
		c.Deal.ID, c.Deal.Version = row.ID, row.Version
	}
	return nil
}

// requestSync asks for a sync of each link: a new row due at once, or the
// existing one's generation bumped (and a dead one revived). A link waiting
// out a failure (a backoff, a 429's Retry-After) keeps its time: the
// system said when to come back, and the write then sends the deal as it
// is by then, the newer change included.
func requestSync(tx *gorm.DB, refs []change.LinkRef, at time.Time) error {
	at = utc(at)
	for _, r := range refs {
		row := syncWorkRow{System: r.System, RecordID: r.RecordID, Gen: 1, State: SyncPending, DueAt: at, CreatedAt: at}
		err := tx.Clauses(clause.OnConflict{
			Columns: []clause.Column{{Name: "system"}, {Name: "record_id"}},
			DoUpdates: clause.Assignments(map[string]any{
				"gen":      gorm.Expr("sync_work.gen + 1"),
				"state":    SyncPending,
				"attempts": gorm.Expr("CASE WHEN sync_work.state = 'dead' THEN 0 ELSE sync_work.attempts END"),
				"due_at":   gorm.Expr("CASE WHEN sync_work.state = 'dead' THEN ? WHEN sync_work.last_error <> '' THEN sync_work.due_at WHEN sync_work.due_at > ? THEN ? ELSE sync_work.due_at END", at, at, at),
			}),
		}).Create(&row).Error
		if err != nil {
			return fmt.Errorf("store: ask for a sync of %s record %s: %w", r.System, r.RecordID, err)
		}
	}
	return nil
}

// ClaimSync leases up to limit links due at now to the caller until
// now+lease. On PostgreSQL rows other syncers are claiming are skipped.
func (s *Store) ClaimSync(ctx context.Context, now time.Time, lease time.Duration, limit int, f change.SyncFilter) ([]change.Claim, error) {
	var rows []syncWorkRow
	now = utc(now)
	err := s.inTx(ctx, "claim sync work", func(tx *gorm.DB) error {
		q := tx.Where("state = 'pending' AND due_at <= ? AND (lease_until IS NULL OR lease_until < ?)", now, now).
			Order("due_at").Limit(limit)
		if len(f.Systems) > 0 {
			q = q.Where("system IN ?", f.Systems)
		}
		if len(f.Except) > 0 {
			q = q.Where("system NOT IN ?", f.Except)
		}
		if s.dialect == Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
		}
		if err := q.Find(&rows).Error; err != nil {
			return fmt.Errorf("store: claim sync work: %w", err)
		}
		for i := range rows {
			rows[i].Attempts++
			err := tx.Model(&syncWorkRow{}).Where("system = ? AND record_id = ?", rows[i].System, rows[i].RecordID).
				Updates(map[string]any{"lease_until": utc(now.Add(lease)), "attempts": rows[i].Attempts}).Error
			if err != nil {
				return fmt.Errorf("store: lease sync work: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]change.Claim, len(rows))
	for i, r := range rows {
		out[i] = change.Claim{LinkRef: change.LinkRef{System: r.System, RecordID: r.RecordID}, Gen: r.Gen, Attempt: r.Attempts}
	}
	return out, nil
}

// FinishSync ends claimed work, unless it was asked for again since the
// claim: then it is due again at now, its attempts counted afresh.
func (s *Store) FinishSync(ctx context.Context, c change.Claim, now time.Time) error {
	db := s.conn(ctx)
	res := db.Where("system = ? AND record_id = ? AND gen = ?", c.System, c.RecordID, c.Gen).Delete(&syncWorkRow{})
	if res.Error != nil {
		return fmt.Errorf("store: finish the sync of %s record %s: %w", c.System, c.RecordID, res.Error)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	err := db.Model(&syncWorkRow{}).Where("system = ? AND record_id = ?", c.System, c.RecordID).
		Updates(map[string]any{"lease_until": nil, "due_at": utc(now), "attempts": 0, "last_error": ""}).Error
	if err != nil {
		return fmt.Errorf("store: release the sync of %s record %s: %w", c.System, c.RecordID, err)
	}
	return nil
}

// RetrySync puts claimed work back, due at at, or dead.
func (s *Store) RetrySync(ctx context.Context, c change.Claim, at time.Time, reason string, dead bool) error {
	state := SyncPending
	if dead {
		state = SyncDead
	}
	if len(reason) > 2000 {
		reason = reason[:2000]
	}
	err := s.conn(ctx).Model(&syncWorkRow{}).Where("system = ? AND record_id = ?", c.System, c.RecordID).
		Updates(map[string]any{"lease_until": nil, "due_at": utc(at), "state": state, "last_error": reason}).Error
	if err != nil {
		return fmt.Errorf("store: put back the sync of %s record %s: %w", c.System, c.RecordID, err)
	}
	return nil
}

// SyncWork is a link's pending or dead sync, as `cosellbot sync` shows it.
type SyncWork struct {
	System, RecordID string
	State            string
	Attempts         int
	DueAt            time.Time
	LastError        string
}

// SyncWorkOf lists the sync work of a deal's links (dealID 0: of every
// deal, dead first).
func (s *Store) SyncWorkOf(ctx context.Context, dealID int64) ([]SyncWork, error) {
	q := s.reader(ctx).Model(&syncWorkRow{})
	if dealID != 0 {
		q = q.Where("EXISTS (SELECT 1 FROM external_sync x WHERE x.source = sync_work.system AND x.external_id = sync_work.record_id AND x.deal_id = ?)", dealID)
	}
	var rows []syncWorkRow
	if err := q.Order("state, due_at").Limit(500).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: read sync work: %w", err)
	}
	out := make([]SyncWork, len(rows))
	for i, r := range rows {
		out[i] = SyncWork{System: r.System, RecordID: r.RecordID, State: r.State, Attempts: r.Attempts, DueAt: r.DueAt.UTC(), LastError: r.LastError}
	}
	return out, nil
}

// RetryDeadSync makes dead sync work due again at now (of one system, or
// every one for ""); it returns how many.
func (s *Store) RetryDeadSync(ctx context.Context, system string, now time.Time) (int64, error) {
	q := s.conn(ctx).Model(&syncWorkRow{}).Where("state = ?", SyncDead)
	if system != "" {
		q = q.Where("system = ?", system)
	}
	res := q.Updates(map[string]any{"state": SyncPending, "due_at": utc(now), "attempts": 0})
	if res.Error != nil {
		return 0, fmt.Errorf("store: retry dead sync work: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// DealByCRMID reads the deal whose crm_id is id; ErrNotFound when none.
func (s *Store) DealByCRMID(ctx context.Context, id string) (*deal.Deal, error) {
	if id == "" {
		return nil, fmt.Errorf("deal with no crm_id: %w", ErrNotFound) // "" is every deal without one
	}
	if u := unitOf(ctx); u != nil {
		return u.dealByCRMID(id)
	}
	var rows []dealRow
	if err := s.reader(ctx).Where("crm_id = ?", id).Order("id").Limit(1).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: find the deal with crm_id %q: %w", id, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("deal with crm_id %q: %w", id, ErrNotFound)
	}
	return fromDealRow(&rows[0])
}

// cursorRow is where a poll resumes.
type cursorRow struct {
	Name    string     `gorm:"column:name;primaryKey"`
	At      *time.Time `gorm:"column:at"`
	Next    string     `gorm:"column:next;not null"`
	Version int64      `gorm:"column:version;not null"` // 00016
}

// TableName is the sync_cursors table.
func (cursorRow) TableName() string { return "sync_cursors" }

// Cursor reads a poll's cursor; the zero Cursor when it never ran.
func (s *Store) Cursor(ctx context.Context, name string) (change.Cursor, error) {
	var rows []cursorRow
	if err := s.reader(ctx).Where("name = ?", name).Limit(1).Find(&rows).Error; err != nil {
		return change.Cursor{}, fmt.Errorf("store: read the cursor of %s: %w", name, err)
	}
	if len(rows) == 0 {
		return change.Cursor{}, nil
	}
	return change.Cursor{At: fromPtr(rows[0].At), Next: rows[0].Next, Version: rows[0].Version}, nil
}

// SaveCursor writes a poll's cursor over the version it was read at
// (c.Version), as version c.Version+1. When another save came between
// (another replica's poll), nothing is written and the error wraps
// ErrConflict: the caller reads the cursor again and merges. One statement
// compares and writes, so that of two replicas saving over one version
// exactly one is taken, on PostgreSQL (the row's lock) and SQLite (its
// single writer) alike.
func (s *Store) SaveCursor(ctx context.Context, name string, c change.Cursor) error {
	row := cursorRow{Name: name, At: utcPtr(c.At), Next: c.Next, Version: c.Version + 1}
	res := s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "name"}},
		DoUpdates: clause.AssignmentColumns([]string{"at", "next", "version"}),
		Where: clause.Where{Exprs: []clause.Expression{
			clause.Eq{Column: clause.Column{Table: cursorRow{}.TableName(), Name: "version"}, Value: c.Version},
		}},
	}).Create(&row)
	if res.Error != nil {
		return fmt.Errorf("store: save the cursor of %s: %w", name, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: save the cursor of %s over version %d: saved since by another: %w", name, c.Version, ErrConflict)
	}
	return nil
}

// RenameLink gives a link the id its system gave the record cosellbot had
// it create, in one transaction: the link, its sync work, and the deal's
// ExternalID when it has none (bumping the deal's version, so that a change
// read before the rename cannot write the old id back).
func (s *Store) RenameLink(ctx context.Context, l change.Link, recordID string) error {
	defer s.forgetDeals(ctx, l.DealID)
	return s.inTx(ctx, "rename a link", func(tx *gorm.DB) error {
		res := tx.Model(&syncRow{}).Where("source = ? AND external_id = ?", l.System, l.RecordID).Update("external_id", recordID)
		if res.Error != nil {
			if isDuplicate(res.Error) {
				return fmt.Errorf("%s record %s is linked already: %w", l.System, recordID, ErrExists)
			}
			return fmt.Errorf("store: rename the link of %s record %s: %w", l.System, l.RecordID, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("%s record %s: %w", l.System, l.RecordID, ErrNotFound)
		}
		if err := tx.Model(&syncWorkRow{}).Where("system = ? AND record_id = ?", l.System, l.RecordID).Update("record_id", recordID).Error; err != nil {
			return fmt.Errorf("store: rename the sync work of %s record %s: %w", l.System, l.RecordID, err)
		}
		err := tx.Model(&dealRow{}).Where("id = ? AND external_id IS NULL", l.DealID).
			Updates(map[string]any{"external_id": recordID, "version": gorm.Expr("version + 1")}).Error
		if err != nil {
			if isDuplicate(err) {
				return fmt.Errorf("deal with external id %q: %w", recordID, ErrExists)
			}
			return fmt.Errorf("store: set the external id of deal %d: %w", l.DealID, err)
		}
		return nil
	})
}

// crmIDLockClass is the class (first key) of the PostgreSQL advisory locks
// that commits claiming a CRM ID take, in their transaction until it ends,
// one per CRM ID (its first form: every form of one record's id shares it):
// the check and the write of one cannot interleave with another's for the
// same ID on any replica. One lock for every ID serialised whole pages of
// CRM events on two replicas once deals made of CRM records claimed their
// IDs too; other IDs' claims do not wait for each other.
const crmIDLockClass = 0x636f736c // "cosl"

// crmIDLockKey is the second key of the advisory lock of a CRM ID.
func crmIDLockKey(id string) int32 {
	h := fnv.New32a()
	h.Write([]byte(crmid.Forms(id)[0]))
	return int32(h.Sum32())
}

// crmIDHeld fails with ledger.ErrCRMIDTaken when a deal other than d holds
// d's CRM ID in any of its forms. SQLite's write transactions are
// serialised already (_txlock=immediate); PostgreSQL's take the ID's
// advisory lock.
func (s *Store) crmIDHeld(tx *gorm.DB, d *deal.Deal) error {
	if d.CRMID == "" {
		return nil
	}
	if s.dialect == Postgres {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?, ?)", crmIDLockClass, crmIDLockKey(d.CRMID)).Error; err != nil {
			return fmt.Errorf("store: lock CRM ID %s: %w", d.CRMID, err)
		}
	}
	var ids []int64
	if err := tx.Model(&dealRow{}).Where("crm_id IN ? AND id <> ?", crmid.Forms(d.CRMID), d.ID).Limit(1).Pluck("id", &ids).Error; err != nil {
		return fmt.Errorf("store: check CRM ID %s: %w", d.CRMID, err)
	}
	if len(ids) > 0 {
		return fmt.Errorf("deal #%d has CRM ID %s: %w", ids[0], d.CRMID, ErrCRMIDTaken)
	}
	return nil
}

// DealsBeingCreated reads the deals whose record in system is still to be
// created (their link is pending: the first write creates it), oldest
// first. A record that system tells of before cosellbot heard back from
// its create (a timeout, a crash) is one of theirs.
func (s *Store) DealsBeingCreated(ctx context.Context, system string) ([]*deal.Deal, error) {
	var ids []int64
	err := s.reader(ctx).Model(&syncRow{}).Where("source = ? AND external_id LIKE ? AND deal_id IS NOT NULL", system, change.PendingPrefix+"%").
		Order("deal_id").Pluck("deal_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: find the deals whose %s record is being created: %w", system, err)
	}
	out := make([]*deal.Deal, 0, len(ids))
	for _, id := range ids {
		d, err := s.GetDeal(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
