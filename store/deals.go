package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// conflictError is ErrConflict with the deal and the version now stored, in
// words fit for the chat.
type conflictError struct{ id, version int64 }

func (e *conflictError) Error() string {
	return fmt.Sprintf("deal %d was changed by someone else (version %d); reload and try again", e.id, e.version)
}

func (e *conflictError) Unwrap() error { return ErrConflict }

// inTx runs fn in one transaction. fn wraps its own errors; a failure to
// begin or commit is wrapped with what.
func (s *Store) inTx(ctx context.Context, what string, fn func(tx *gorm.DB) error) error {
	var fnErr error
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		fnErr = fn(tx)
		return fnErr
	})
	if err != nil && fnErr == nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return err
}

// CreateDeal stores a new deal together with its audit event, in one
// transaction, and sets d.ID and d.Version (1). d.ID must be 0. A deal whose
// ExternalID is already stored is refused with ErrExists. The notices go to
// the outbox in the same transaction (see afterDealWrite).
func (s *Store) CreateDeal(ctx context.Context, d *deal.Deal, a Audit, notices ...Notice) error {
	if d.ID != 0 {
		return fmt.Errorf("store: create deal %q: it already has id %d", d.Name, d.ID)
	}
	row, err := toDealRow(d)
	if err != nil {
		return err
	}
	row.Version = 1
	err = s.inTx(ctx, "create deal", func(tx *gorm.DB) error {
		return insertDeal(tx, d, &row, []Audit{a}, notices)
	})
	if err != nil {
		return err
	}
	d.ID, d.Version = row.ID, row.Version
	return nil
}

// crmIDIndex is the unique index of deals' CRM IDs (00014).
const crmIDIndex = "deals_crm_id_unique"

// dealKeyTaken is the error of writing d when a unique index of deals
// refused it: its external id is another deal's (ErrExists), or its CRM ID
// (ErrCRMIDTaken). PostgreSQL names the index; SQLite does not, and there
// a deal with both is said to clash on either (a CRM ID is claimed, and
// checked, in the writing transaction before: SQLite has one writer).
func dealKeyTaken(err error, d *deal.Deal) error {
	var pg *pgconn.PgError
	switch {
	case errors.As(err, &pg) && pg.ConstraintName != "":
		if pg.ConstraintName == crmIDIndex {
			return fmt.Errorf("another deal has CRM ID %s: %w", d.CRMID, ErrCRMIDTaken)
		}
	case d.CRMID != "" && d.ExternalID == "":
		return fmt.Errorf("another deal has CRM ID %s: %w", d.CRMID, ErrCRMIDTaken)
	case d.CRMID != "":
		return fmt.Errorf("another deal has external id %q or CRM ID %s: %w", d.ExternalID, d.CRMID, ErrExists)
	}
	return fmt.Errorf("deal with external id %q: %w", d.ExternalID, ErrExists)
}

// insertDeal inserts row (the encoded d) with its audit entries and notices.
func insertDeal(tx *gorm.DB, d *deal.Deal, row *dealRow, entries []Audit, notices []Notice) error {
	if err := tx.Create(row).Error; err != nil {
		if isDuplicate(err) {
			return dealKeyTaken(err, d)
		}
		return fmt.Errorf("store: insert deal %q: %w", d.Name, err)
	}
	for _, a := range entries {
		if err := audit(tx, subjectDeal, strconv.FormatInt(row.ID, 10), a); err != nil {
			return err
		}
	}
	stored := *d
	stored.ID = row.ID
	at := time.Time{}
	if len(entries) > 0 {
		at = entries[0].At
	}
	return afterDealWrite(tx, &stored, row.Version, at, true, notices)
}

// GetDeal reads one deal; ErrNotFound when there is no such deal.
func (s *Store) GetDeal(ctx context.Context, id int64) (*deal.Deal, error) {
	if u := unitOf(ctx); u != nil {
		return u.deal(id)
	}
	if ctx.Value(txKey{}) != nil {
		return takeDeal(s.reader(ctx), id) // the batch's transaction
	}
	return s.cachedDeal(ctx, id)
}

// takeDeal reads one deal through GORM on db.
func takeDeal(db *gorm.DB, id int64) (*deal.Deal, error) {
	var row dealRow
	return dealOf(id, &row, db.Where("id = ?", id).Take(&row).Error)
}

// dealOf is the deal of a row read for id, or what its read came to.
func dealOf(id int64, row *dealRow, err error) (*deal.Deal, error) {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("deal %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: read deal %d: %w", id, err)
	}
	return fromDealRow(row)
}

// dealColumns are the deals table's columns in dealRow's order.
const dealColumns = "id, version, name, direction, kind, sale_type, status, stage, location, value, currency, close_date, " +
	"customer_name, customer_location, external_id, favorite, expires_at, decision_due, created_at, updated_at, won_at, body"

// readDealSQL is readDeal's query per dialect, written once.
var readDealSQL = map[string]string{
	SQLite:   "SELECT " + dealColumns + " FROM deals WHERE id = ?",
	Postgres: "SELECT " + dealColumns + " FROM deals WHERE id = $1",
}

// readDeal reads one deal from the read pool with a plain query and scan:
// the most frequent read ("deal show", every button) spent more time in
// GORM building the statement and scanning by reflection than in the
// database. TestReadDealMatchesGORM keeps the two readings equal.
func (s *Store) readDeal(ctx context.Context, id int64, r *dealRow) error {
	err := s.readSQL.QueryRowContext(ctx, readDealSQL[s.dialect], id).Scan(&r.ID, &r.Version, &r.Name, &r.Direction, &r.Kind, &r.SaleType,
		&r.Status, &r.Stage, &r.Location, &r.Value, &r.Currency, &r.CloseDate, &r.CustomerName, &r.CustomerLocation,
		&r.ExternalID, &r.Favorite, &r.ExpiresAt, &r.DecisionDue, &r.CreatedAt, &r.UpdatedAt, &r.WonAt, &r.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return gorm.ErrRecordNotFound
	}
	return err
}

// UpdateDeal stores a changed deal together with its audit event, in one
// transaction. d.Version must be the version the deal was read at: if someone
// else stored a change since, nothing is written and the error wraps
// ErrConflict ("deal N was changed by someone else (version X); reload and try
// again"). On success d.Version is bumped. CreatedAt never changes. The
// notices go to the outbox in the same transaction (see afterDealWrite).
func (s *Store) UpdateDeal(ctx context.Context, d *deal.Deal, a Audit, notices ...Notice) error {
	if d.ID == 0 {
		return fmt.Errorf("store: update deal %q: it has no id; use CreateDeal", d.Name)
	}
	row, err := toDealRow(d)
	if err != nil {
		return err
	}
	row.Version = d.Version + 1
	err = s.inTx(ctx, fmt.Sprintf("update deal %d", d.ID), func(tx *gorm.DB) error {
		return updateDeal(tx, d, &row, []Audit{a}, notices)
	})
	s.forgetDeals(ctx, d.ID)
	if err != nil {
		return err
	}
	d.Version = row.Version
	return nil
}

// updateDeal writes row (the encoded d, at d.Version+1) if the deal is still
// at d.Version, with its audit entries and notices.
func updateDeal(tx *gorm.DB, d *deal.Deal, row *dealRow, entries []Audit, notices []Notice) error {
	res := tx.Model(&dealRow{}).
		Where("id = ? AND version = ?", d.ID, d.Version).
		Select("*").Omit("id", "created_at").
		Updates(row)
	if res.Error != nil {
		if isDuplicate(res.Error) {
			return dealKeyTaken(res.Error, d)
		}
		return fmt.Errorf("store: update deal %d: %w", d.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		var cur dealRow
		err := tx.Select("id", "version").Where("id = ?", d.ID).Take(&cur).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("deal %d: %w", d.ID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: update deal %d: read its version: %w", d.ID, err)
		}
		return &conflictError{id: d.ID, version: cur.Version}
	}
	for _, a := range entries {
		if err := audit(tx, subjectDeal, strconv.FormatInt(d.ID, 10), a); err != nil {
			return err
		}
	}
	at := time.Time{}
	if len(entries) > 0 {
		at = entries[0].At
	}
	return afterDealWrite(tx, d, row.Version, at, false, notices)
}

// DealFilter selects deals for ListDeals; it is ledger.DealFilter. Zero
// fields select everything; set fields must all match: Direction; Statuses
// (any of them); Locations (any of them, exact match); Kind; Stage; Favorite
// (only favorites); ExpiringBefore (only deals whose ExpiresAt is set and
// strictly before it); Limit (at most this many; 0 or less: no limit).
type DealFilter = ledger.DealFilter

// ListDeals returns the deals that match f, ordered by id.
func (s *Store) ListDeals(ctx context.Context, f DealFilter) ([]*deal.Deal, error) {
	q := s.reader(ctx).Model(&dealRow{})
	if f.Direction != "" {
		q = q.Where("direction = ?", string(f.Direction))
	}
	if len(f.Statuses) > 0 {
		statuses := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			statuses[i] = string(st)
		}
		q = q.Where("status IN ?", statuses)
	}
	if len(f.Locations) > 0 {
		q = q.Where("location IN ?", f.Locations)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", string(f.Kind))
	}
	if f.Stage != "" {
		q = q.Where("stage = ?", string(f.Stage))
	}
	if f.Favorite {
		q = q.Where("favorite = ?", true)
	}
	if !f.ExpiringBefore.IsZero() {
		q = q.Where("expires_at IS NOT NULL AND expires_at < ?", utc(f.ExpiringBefore))
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []dealRow
	if err := q.Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list deals: %w", err)
	}
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

// History is the audit trail of a deal, oldest first. ErrNotFound when the
// deal has none (every stored deal has at least its creation).
func (s *Store) History(ctx context.Context, dealID int64) ([]Audit, error) {
	events, err := s.events(ctx, subjectDeal, strconv.FormatInt(dealID, 10))
	if err != nil {
		return nil, err
	}
	if len(events) == 0 {
		return nil, fmt.Errorf("deal %d: %w", dealID, ErrNotFound)
	}
	return events, nil
}

// events reads the audit trail of one subject in the order it was written.
func (s *Store) events(ctx context.Context, subjectType, subjectID string) ([]Audit, error) {
	var rows []auditRow
	err := s.reader(ctx).
		Where("subject_type = ? AND subject_id = ?", subjectType, subjectID).
		Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: read history of %s %s: %w", subjectType, subjectID, err)
	}
	out := make([]Audit, len(rows))
	for i, r := range rows {
		out[i] = Audit{At: r.At.UTC(), Actor: r.Actor, Action: r.Action, Detail: r.Detail}
	}
	return out, nil
}
