package store

import (
	"github.com/cosellbot/cosellbot/bot/ledger"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/cosellbot/cosellbot/bot/deal"
)

// The webhook inbox (migration 00003): every verified delivery is stored raw
// and committed before the sender is answered 2xx, then processed from here.

// The inbox's vocabulary is the record contract's (bot/ledger).
type (
	// InboxStatus is ledger.InboxStatus.
	InboxStatus = ledger.InboxStatus
	// InboxEntry is ledger.InboxEntry.
	InboxEntry = ledger.InboxEntry
	// InboxAdded is ledger.InboxAdded.
	InboxAdded = ledger.InboxAdded
	// InboxFilter is ledger.InboxFilter.
	InboxFilter = ledger.InboxFilter
)

// Inbox statuses (see ledger).
const (
	InboxReceived  = ledger.InboxReceived
	InboxProcessed = ledger.InboxProcessed
	InboxFailed    = ledger.InboxFailed
	InboxIgnored   = ledger.InboxIgnored
	InboxStale     = ledger.InboxStale
)

// inboxRow is an inbox entry as stored.
type inboxRow struct {
	ID          int64      `gorm:"column:id;primaryKey;autoIncrement;index:inbox_status,priority:2"`
	Source      string     `gorm:"column:source;not null;uniqueIndex:inbox_source_dedup_key,priority:1"`
	DedupKey    string     `gorm:"column:dedup_key;not null;uniqueIndex:inbox_source_dedup_key,priority:2"`
	Headers     string     `gorm:"column:headers;not null"`
	Body        []byte     `gorm:"column:body;not null"`
	Status      string     `gorm:"column:status;not null;index:inbox_status,priority:1"`
	Error       string     `gorm:"column:error;not null"`
	Attempts    int        `gorm:"column:attempts;not null"`
	ReceivedAt  time.Time  `gorm:"column:received_at;not null;autoCreateTime:false"`
	ProcessedAt *time.Time `gorm:"column:processed_at"`
	// ClaimedUntil holds the row for the replica processing it.
	ClaimedUntil *time.Time `gorm:"column:claimed_until"`
	// Duplicates counts the redeliveries of the row's key (00008).
	Duplicates int `gorm:"column:duplicates;not null"`
}

// TableName is the inbox table.
func (inboxRow) TableName() string { return "inbox" }

// syncRow is what cosellbot knows of one record of an outside system.
type syncRow struct {
	Source     string     `gorm:"column:source;primaryKey"`
	ExternalID string     `gorm:"column:external_id;primaryKey"`
	DealID     *int64     `gorm:"column:deal_id;index:external_sync_deal_id"`
	ModifiedAt *time.Time `gorm:"column:modified_at"`
	ETag       string     `gorm:"column:etag;not null"`
	Shadow     string     `gorm:"column:shadow;not null"` // JSON change.Shadow (00006)
	GoneAt     *time.Time `gorm:"column:gone_at"`         // change.Link.Gone (00011)
}

// TableName is the external_sync table.
func (syncRow) TableName() string { return "external_sync" }

// pendingRow is an inbox row to insert and the index of its entry.
type pendingRow struct {
	idx int
	row inboxRow
}

// maxInboxBatch bounds the rows of one INSERT statement (9 parameters each,
// far below PostgreSQL's 65,535).
const maxInboxBatch = 500

// AddInbox stores entries in one transaction, as status received unless an
// entry says otherwise (ignored, for an event type nothing handles). An entry
// whose source and key are already stored, or appear earlier in entries, is
// a duplicate: it is not stored again. The result has one element per entry.
// When the transaction fails, nothing is stored and the error says why.
func (s *Store) AddInbox(ctx context.Context, entries []InboxEntry) ([]InboxAdded, error) {
	out := make([]InboxAdded, len(entries))
	seen := make(map[[2]string]bool, len(entries))
	var rows []pendingRow
	for i, e := range entries {
		if e.Source == "" || e.Key == "" {
			return nil, fmt.Errorf("store: add to inbox: entry %d has no source or key", i)
		}
		if e.ReceivedAt.IsZero() {
			return nil, fmt.Errorf("store: add to inbox: %s %s has no received time", e.Source, e.Key)
		}
		k := [2]string{e.Source, e.Key}
		if seen[k] {
			out[i].Duplicate = true
			continue
		}
		seen[k] = true
		row, err := toInboxRow(e)
		if err != nil {
			return nil, err
		}
		rows = append(rows, pendingRow{i, row})
	}
	if len(rows) == 0 {
		return out, nil
	}
	insert := func(tx *gorm.DB) error {
		for start := 0; start < len(rows); start += maxInboxBatch {
			chunk := rows[start:min(start+maxInboxBatch, len(rows))]
			if s.dialect == Postgres {
				if err := insertInboxArrays(tx, chunk, out); err != nil {
					return err
				}
				continue
			}
			var q strings.Builder
			q.WriteString("INSERT INTO inbox (source, dedup_key, headers, body, status, error, attempts, received_at, processed_at) VALUES ")
			args := make([]any, 0, len(chunk)*9)
			for j, p := range chunk {
				if j > 0 {
					q.WriteString(", ")
				}
				q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
				r := p.row
				args = append(args, r.Source, r.DedupKey, r.Headers, r.Body, r.Status, r.Error, r.Attempts, r.ReceivedAt, r.ProcessedAt)
			}
			q.WriteString(" ON CONFLICT (source, dedup_key) DO NOTHING RETURNING id, source, dedup_key")
			var stored []struct {
				ID       int64
				Source   string
				DedupKey string
			}
			if err := tx.Raw(q.String(), args...).Scan(&stored).Error; err != nil {
				return fmt.Errorf("store: add %d deliveries to the inbox: %w", len(chunk), err)
			}
			ids := make(map[[2]string]int64, len(stored))
			for _, st := range stored {
				ids[[2]string{st.Source, st.DedupKey}] = st.ID
			}
			for _, p := range chunk {
				if id, ok := ids[[2]string{p.row.Source, p.row.DedupKey}]; ok {
					out[p.idx].ID = id
				} else {
					out[p.idx].Duplicate = true
				}
			}
		}
		return nil
	}
	var err error
	if len(rows) <= maxInboxBatch {
		// One statement is atomic on its own: no BEGIN and COMMIT round trips.
		err = insert(s.conn(ctx))
	} else {
		err = s.inTx(ctx, "add to inbox", insert)
	}
	if err != nil {
		return nil, err
	}
	// Redeliveries are counted on the row they repeat (rare: no cost on
	// the common path). A failed count loses nothing but the count.
	for i, a := range out {
		if a.Duplicate {
			e := entries[i]
			_ = s.conn(ctx).Model(&inboxRow{}).Where("source = ? AND dedup_key = ?", e.Source, e.Key).
				Update("duplicates", gorm.Expr("duplicates + 1")).Error
		}
	}
	return out, nil
}

// inboxArraysSQL inserts a whole batch as nine arrays: one statement text
// whatever the batch size, so PostgreSQL parses and plans it once per
// connection rather than once per batch.
const inboxArraysSQL = `INSERT INTO inbox (source, dedup_key, headers, body, status, error, attempts, received_at, processed_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::text[], $6::text[], $7::integer[], $8::timestamptz[], $9::timestamptz[])
ON CONFLICT (source, dedup_key) DO NOTHING RETURNING id, source, dedup_key`

func insertInboxArrays(tx *gorm.DB, chunk []pendingRow, out []InboxAdded) error {
	n := len(chunk)
	sources, keys, headers, statuses, errs := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	bodies, attempts := make([][]byte, n), make([]int32, n)
	received, processed := make([]time.Time, n), make([]*time.Time, n)
	for i, p := range chunk {
		r := p.row
		sources[i], keys[i], headers[i], statuses[i], errs[i] = r.Source, r.DedupKey, r.Headers, r.Status, r.Error
		bodies[i], attempts[i], received[i], processed[i] = r.Body, int32(r.Attempts), r.ReceivedAt, r.ProcessedAt
	}
	rs, err := tx.Statement.ConnPool.QueryContext(tx.Statement.Context, inboxArraysSQL, sources, keys, headers, bodies, statuses, errs, attempts, received, processed)
	if err != nil {
		return fmt.Errorf("store: add %d deliveries to the inbox: %w", n, err)
	}
	defer rs.Close()
	ids := make(map[[2]string]int64, n)
	for rs.Next() {
		var id int64
		var source, key string
		if err := rs.Scan(&id, &source, &key); err != nil {
			return fmt.Errorf("store: add %d deliveries to the inbox: %w", n, err)
		}
		ids[[2]string{source, key}] = id
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("store: add %d deliveries to the inbox: %w", n, err)
	}
	for _, p := range chunk {
		if id, ok := ids[[2]string{p.row.Source, p.row.DedupKey}]; ok {
			out[p.idx].ID = id
		} else {
			out[p.idx].Duplicate = true
		}
	}
	return nil
}

func toInboxRow(e InboxEntry) (inboxRow, error) {
	h := e.Headers
	if h == nil {
		h = map[string]string{}
	}
	hj, err := json.Marshal(h)
	if err != nil {
		return inboxRow{}, fmt.Errorf("store: encode the headers of %s %s: %w", e.Source, e.Key, err)
	}
	status := e.Status
	if status == "" {
		status = InboxReceived
	}
	body := e.Body
	if body == nil {
		body = []byte{}
	}
	return inboxRow{
		Source: e.Source, DedupKey: e.Key, Headers: string(hj), Body: body, Status: string(status),
		Error: e.Error, Attempts: e.Attempts, ReceivedAt: utc(e.ReceivedAt), ProcessedAt: utcPtr(e.ProcessedAt),
	}, nil
}

func fromInboxRow(r *inboxRow) (InboxEntry, error) {
	var h map[string]string
	if err := json.Unmarshal([]byte(r.Headers), &h); err != nil {
		return InboxEntry{}, fmt.Errorf("store: decode the headers of inbox row %d: %w", r.ID, err)
	}
	return InboxEntry{
		ID: r.ID, Source: r.Source, Key: r.DedupKey, Headers: h, Body: r.Body, Status: InboxStatus(r.Status),
		Error: r.Error, Attempts: r.Attempts, ReceivedAt: r.ReceivedAt.UTC(), ProcessedAt: fromPtr(r.ProcessedAt),
		Duplicates: r.Duplicates,
	}, nil
}

// InboxEntry reads one delivery; ErrNotFound when there is none.
func (s *Store) InboxEntry(ctx context.Context, id int64) (InboxEntry, error) {
	var row inboxRow
	err := s.reader(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return InboxEntry{}, fmt.Errorf("inbox row %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return InboxEntry{}, fmt.Errorf("store: read inbox row %d: %w", id, err)
	}
	return fromInboxRow(&row)
}

// ListInbox returns the deliveries that match f, oldest first.
func (s *Store) ListInbox(ctx context.Context, f InboxFilter) ([]InboxEntry, error) {
	q := s.reader(ctx).Model(&inboxRow{})
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, v := range f.Statuses {
			st[i] = string(v)
		}
		// Outcomes and redeliveries are alternatives: --status
		// ignored,duplicate lists the rows that are either.
		if f.Duplicated {
			q = q.Where("status IN ? OR duplicates > 0", st)
		} else {
			q = q.Where("status IN ?", st)
		}
	} else if f.Duplicated {
		q = q.Where("duplicates > 0")
	}
	if f.Source != "" {
		q = q.Where("source = ?", f.Source)
	}
	if len(f.Sources) > 0 {
		q = q.Where("source IN ?", f.Sources)
	}
	if f.AfterID > 0 {
		q = q.Where("id > ?", f.AfterID)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []inboxRow
	if err := q.Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list the inbox: %w", err)
	}
	return fromInboxRows(rows)
}

// fromInboxRows decodes rows read from the inbox, in their order.
func fromInboxRows(rows []inboxRow) ([]InboxEntry, error) {
	out := make([]InboxEntry, 0, len(rows))
	for i := range rows {
		e, err := fromInboxRow(&rows[i])
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// ClaimInbox takes one received or failed row for processing until the
// given time, unless another replica holds it: ok is false then, and the
// caller leaves the row alone. MarkInbox releases the claim.
func (s *Store) ClaimInbox(ctx context.Context, id int64, now, until time.Time) (bool, error) {
	res := s.conn(ctx).Model(&inboxRow{}).
		Where("id = ? AND status IN ? AND (claimed_until IS NULL OR claimed_until <= ?)",
			id, []string{string(InboxReceived), string(InboxFailed)}, utc(now)).
		Update("claimed_until", utc(until))
	if res.Error != nil {
		return false, fmt.Errorf("store: claim inbox row %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// MarkInbox records the outcome of one processing attempt: the new status,
// the reason (empty when it was processed) and when. It counts the attempt.
func (s *Store) MarkInbox(ctx context.Context, id int64, status InboxStatus, reason string, at time.Time) error {
	switch status {
	case InboxProcessed, InboxFailed, InboxIgnored, InboxStale:
	default:
		return fmt.Errorf("store: mark inbox row %d: %q is not an outcome", id, status)
	}
	// The reason often quotes the event (a record id); a NUL or invalid
	// UTF-8 in it must not make the row impossible to mark.
	reason = storableText(reason, maxReason)
	if u := unitOf(ctx); u != nil {
		u.marks = append(u.marks, inboxMark{id: id, status: status, reason: reason, at: at})
		return nil
	}
	res := s.conn(ctx).Model(&inboxRow{}).Where("id = ?", id).Updates(map[string]any{
		"status": string(status), "error": reason, "attempts": gorm.Expr("attempts + 1"), "processed_at": utc(at),
		"claimed_until": nil,
	})
	if res.Error != nil {
		return fmt.Errorf("store: mark inbox row %d %s: %w", id, status, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("inbox row %d: %w", id, ErrNotFound)
	}
	return nil
}

// DealByExternalID reads the deal whose ExternalID (a Partner Center referral
// id) is id; ErrNotFound when there is none.
func (s *Store) DealByExternalID(ctx context.Context, id string) (*deal.Deal, error) {
	var row dealRow
	err := s.reader(ctx).Where("external_id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("deal with external id %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: read the deal with external id %q: %w", id, err)
	}
	return fromDealRow(&row)
}
