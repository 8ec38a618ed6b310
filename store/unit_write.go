package store

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// How a unit writes what it holds (unit.go): each changed deal once, then
// audit lines, notices, links, sync requests and inbox marks, a statement
// each (per chunk of rows).

// flush writes what the unit holds.
func (u *unit) flush() error {
	if err := u.write(); err != nil {
		return &unitWriteError{err}
	}
	for _, ud := range u.deals {
		ud.stored, ud.changed = ud.d.Version, false
	}
	clear(u.dirty)
	// What was read by crm_id predates the deals' edits just written (no
	// longer marked changed): read again, the transaction now holds them.
	clear(u.byCRM)
	u.audits, u.notices, u.work, u.marks, u.journal = nil, nil, nil, nil, nil
	return nil
}

func (u *unit) write() error {
	ids := make([]int64, 0, len(u.deals))
	for id, ud := range u.deals {
		if ud.changed {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids) // one lock order for every writer
	u.s.forgetDeals(u.ctx, ids...)
	if err := u.writeDeals(ids); err != nil {
		return err
	}
	err := eachChunk(u.audits, 256, func(rows []auditRow) error { return u.tx.Create(&rows).Error })
	if err != nil {
		return fmt.Errorf("store: write %d audit events: %w", len(u.audits), err)
	}
	if err := enqueueAll(u.tx, u.notices); err != nil {
		return err
	}
	if err := u.writeLinks(); err != nil {
		return err
	}
	for _, w := range u.work {
		if err := requestSync(u.tx, w.refs, w.at); err != nil {
			return err
		}
	}
	return markInbox(u.tx, u.s.dialect, u.marks)
}

// dealsPerUpdate bounds the deals of one UPDATE statement (23 parameters
// each); a power of two (shapes.go).
const dealsPerUpdate = 128

// writeDeals stores deals at their last version, each only if the
// database still has the version the unit read, a statement per chunk of
// at most dealsPerUpdate: a VALUES list joined to the table. Any deal that changed
// meanwhile fails the whole write (ErrConflict), and the page runs again
// plainly.
func (u *unit) writeDeals(ids []int64) error {
	return eachChunk(ids, dealsPerUpdate, u.writeDealChunk)
}

func (u *unit) writeDealChunk(ids []int64) error {
	shape, err := u.s.dealUpdate()
	if err != nil {
		return err
	}
	sch, cols, types := shape.sch, shape.cols, shape.types
	rows := make([][]any, len(ids))
	for i, id := range ids {
		ud := u.deals[id]
		row, err := toDealRow(ud.d)
		if err != nil {
			return err
		}
		row.Version = ud.d.Version
		rv := reflect.ValueOf(&row).Elem()
		rows[i] = append(make([]any, 0, len(cols)), ud.stored)
		for _, c := range sch.DBNames {
			v, _ := sch.FieldsByDBName[c].ValueOf(u.ctx, rv)
			rows[i] = append(rows[i], v)
		}
	}
	with, args := valuesCTE(u.s.dialect, cols, types, rows)
	res := u.tx.Exec(with+shape.update, args...)
	if res.Error != nil {
		if isDuplicate(res.Error) {
			return fmt.Errorf("store: update %d deals: an external id or a CRM ID is taken: %w", len(ids), ErrExists)
		}
		return fmt.Errorf("store: update %d deals: %w", len(ids), res.Error)
	}
	if int(res.RowsAffected) != len(ids) {
		return fmt.Errorf("store: update %d deals: %d had the version read: %w", len(ids), res.RowsAffected, ErrConflict)
	}
	for _, id := range ids {
		if err := planDecision(u.tx, u.deals[id].d); err != nil {
			return err
		}
	}
	return nil
}

// serialTypes are PostgreSQL's autoincrement types and their integers.
var serialTypes = map[string]string{"bigserial": "bigint", "serial": "integer", "smallserial": "smallint"}

// dealUpdateShape is what a unit's deal update is made of: the deals
// table as GORM sees it, the VALUES list's columns ("prev", the version
// read, then the table's) with their SQL types, and the UPDATE that joins
// the list to the table.
type dealUpdateShape struct {
	sch         *schema.Schema
	cols, types []string
	update      string
}

// dealUpdate is the store's deal update shape, worked out once.
func (s *Store) dealUpdate() (*dealUpdateShape, error) {
	s.dealShapeOnce.Do(func() {
		stmt := &gorm.Statement{DB: s.db}
		if err := stmt.Parse(&dealRow{}); err != nil {
			s.dealShapeErr = fmt.Errorf("store: the deals table: %w", err)
			return
		}
		sh := &dealUpdateShape{sch: stmt.Schema, cols: []string{"prev"}, types: []string{"bigint"}}
		var set []string
		for _, c := range stmt.Schema.DBNames {
			sh.cols = append(sh.cols, c)
			sh.types = append(sh.types, string(s.db.Dialector.DataTypeOf(stmt.Schema.FieldsByDBName[c])))
			if c != "id" && c != "created_at" {
				set = append(set, c+" = v."+c)
			}
		}
		sh.update = " UPDATE deals SET " + strings.Join(set, ", ") + " FROM v WHERE deals.id = v.id AND deals.version = v.prev"
		s.dealShape = sh
	})
	return s.dealShape, s.dealShapeErr
}

// writeLinks upserts the links the unit changed, a statement per chunk.
func (u *unit) writeLinks() error {
	if len(u.dirty) == 0 {
		return nil
	}
	rows := make([]syncRow, 0, len(u.dirty))
	for ref := range u.dirty {
		l := u.links[ref]
		if l == nil {
			continue
		}
		row, err := linkRow(*l)
		if err != nil {
			return err
		}
		rows = append(rows, row)
	}
	slices.SortFunc(rows, func(a, b syncRow) int {
		return cmp.Or(strings.Compare(a.Source, b.Source), strings.Compare(a.ExternalID, b.ExternalID))
	})
	err := eachChunk(rows, 128, func(rows []syncRow) error {
		return u.tx.Clauses(linkUpsert).Create(&rows).Error
	})
	if err != nil {
		return fmt.Errorf("store: save %d links: %w", len(rows), err)
	}
	return nil
}

// markInbox writes inbox outcomes, a statement per chunk: a VALUES list joined
// to the rows (PostgreSQL needs the list's types spelled out).
func markInbox(tx *gorm.DB, dialect string, marks []inboxMark) error {
	return eachChunk(marks, 512, func(marks []inboxMark) error { return markChunk(tx, dialect, marks) })
}

func markChunk(tx *gorm.DB, dialect string, marks []inboxMark) error {
	rows := make([][]any, len(marks))
	for i, m := range marks {
		rows[i] = []any{m.id, string(m.status), m.reason, utc(m.at)}
	}
	with, args := valuesCTE(dialect, []string{"id", "status", "reason", "at"}, []string{"bigint", "text", "text", "timestamptz"}, rows)
	res := tx.Exec(with+` UPDATE inbox SET status = v.status, error = v.reason, processed_at = v.at,
		attempts = inbox.attempts + 1, claimed_until = NULL
		FROM v WHERE inbox.id = v.id AND inbox.status = 'received'`, args...)
	if res.Error != nil {
		return fmt.Errorf("store: mark %d inbox rows: %w", len(marks), res.Error)
	}
	if int(res.RowsAffected) != len(marks) {
		return fmt.Errorf("store: mark %d inbox rows: %d found: %w", len(marks), res.RowsAffected, ErrNotFound)
	}
	return nil
}

// valuesCTE is "WITH v(cols…) AS (VALUES (…), (…))" holding rows, and its
// arguments. types are the columns' SQL types: PostgreSQL cannot infer
// them from parameters, so its first row spells them out.
func valuesCTE(dialect string, cols, types []string, rows [][]any) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, len(rows)*len(cols))
	b.WriteString("WITH v(" + strings.Join(cols, ", ") + ") AS (VALUES ")
	for i, row := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(")
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			if i == 0 && dialect == Postgres {
				typ := types[c]
				if t, ok := serialTypes[typ]; ok {
					typ = t // an autoincrement column's type is its integer's
				}
				b.WriteString("CAST(? AS " + typ + ")")
			} else {
				b.WriteString("?")
			}
		}
		b.WriteString(")")
		args = append(args, row...)
	}
	b.WriteString(")")
	return b.String(), args
}
