package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/deal"
)

// A unit is a batch (one transaction) whose deal changes stay in memory
// until it ends, then are written together: each changed deal once, at its
// last version, the audit entries, notices and links in one statement
// each, the inbox rows marked in one. The inbox processor applies a page of
// events in a unit: per event it costs a savepoint and whatever the change
// path reads that the unit has not read already, instead of some fifteen
// statements (each a round trip to PostgreSQL).
//
// The unit reads deals and links through itself (a deal read twice in a
// page is read once) and keeps what the page committed. Everything else
// the store does under a unit's context goes to the database, which first
// receives what the unit holds ("enter"), so that no read misses a write.
//
// Savepoints: an event that fails is undone in memory (a journal); if it
// had already reached the database, the database rolls back to its
// savepoint, opened just before, and the unit forgets what it read. An
// event that reaches the database after changing the unit's memory cannot
// be split that way: the unit is abandoned and the page is applied again
// the plain way (Batch), as it is when its writing fails.

// errSplit abandons a unit (see above).
var errSplit = errors.New("store: an operation of a unit reached the database after changing it in memory")

// unitKey is the context key of a unit.
type unitKey struct{}

// unit is the memory of one unit.
type unit struct {
	s       *Store
	ctx     context.Context
	tx      *gorm.DB // nil until begun
	deals   map[int64]*unitDeal
	links   map[change.LinkRef]*change.Link // nil: known not to be linked
	ofDeal  map[int64][]change.LinkRef      // a deal's links, when all are known
	byCRM   map[string][]int64              // deals stored with a crm_id, when read
	dirty   map[change.LinkRef]bool         // links to write
	audits  []auditRow
	notices []queued
	work    []queuedWork
	marks   []inboxMark
	journal []func()
	scopes  []*scope
	failed  error
}

// unitDeal is a deal as the unit holds it.
type unitDeal struct {
	d       *deal.Deal // as last committed in the unit (or read)
	stored  int64      // the version in the database
	changed bool       // to write
}

// queuedWork is a sync request with its time.
type queuedWork struct {
	refs []change.LinkRef
	at   time.Time
}

// inboxMark is an inbox row's outcome, written when the unit ends.
type inboxMark struct {
	id     int64
	status InboxStatus
	reason string
	at     time.Time
}

// scope is an open savepoint of the unit.
type scope struct {
	mark   int // journal length at its start
	name   string
	opened bool // the database savepoint exists
	sizes  [4]int
}

func unitOf(ctx context.Context) *unit {
	u, _ := ctx.Value(unitKey{}).(*unit)
	return u
}

// Unit runs fn as a unit (see above) in one transaction, committed when fn
// returns nil. A unit that cannot hold what fn does is rolled back and fn
// runs again as a plain Batch: fn must be safe to run twice (it reads its
// work inside).
//
// On SQLite the transaction begins only when the unit first writes (at its
// end, as a rule): until then it reads from the read pool, so that the one
// writer connection is held for the writing alone, not for the whole page,
// and webhook deliveries are stored meanwhile. On PostgreSQL it begins at
// once (the page's rows are locked as they are taken).
func (s *Store) Unit(ctx context.Context, fn func(ctx context.Context) error) error {
	if unitOf(ctx) != nil || ctx.Value(txKey{}) != nil {
		return s.Batch(ctx, fn) // already in a transaction: join it
	}
	ctx, end := s.forgetAtEnd(ctx) // the unit's deals, and its fallback batch's
	defer end()
	u := &unit{s: s, ctx: ctx, deals: map[int64]*unitDeal{},
		links: map[change.LinkRef]*change.Link{}, ofDeal: map[int64][]change.LinkRef{}, dirty: map[change.LinkRef]bool{},
		byCRM: map[string][]int64{}}
	err := s.runUnit(u, fn)
	if err == nil {
		return nil
	}
	if !errors.Is(err, errSplit) && !isUnitWrite(err) {
		return err // fn's own failure: the caller's to handle
	}
	s.fallbacks.Add(1)
	slog.DebugContext(ctx, "store: a unit runs again as a plain batch", "reason", err)
	return s.Batch(ctx, fn)
}

// UnitFallbacks counts the units that ran again as a plain batch since the
// store was opened: a count that keeps rising means pages are not applied
// in bulk (the reason is logged at debug level).
func (s *Store) UnitFallbacks() int64 { return s.fallbacks.Load() }

func (s *Store) runUnit(u *unit, fn func(ctx context.Context) error) (err error) {
	if s.dialect != SQLite || s.rd == s.db {
		if err := u.begin(); err != nil {
			return err
		}
	}
	defer func() {
		if err != nil && u.tx != nil {
			_ = u.tx.Rollback().Error
		}
	}()
	if err := fn(context.WithValue(u.ctx, unitKey{}, u)); err != nil {
		return err
	}
	if u.failed != nil {
		return u.failed
	}
	if !u.pending() && u.tx == nil {
		return nil // read only
	}
	if err := u.begin(); err != nil {
		return err
	}
	if err := u.flush(); err != nil {
		return err
	}
	if err := u.tx.Commit().Error; err != nil {
		return &unitWriteError{fmt.Errorf("store: commit a unit: %w", err)}
	}
	return nil
}

// begin begins the unit's transaction, once.
func (u *unit) begin() error {
	if u.tx != nil {
		return nil
	}
	tx := u.s.db.WithContext(u.ctx).Begin()
	if tx.Error != nil {
		return &unitWriteError{fmt.Errorf("store: begin a unit: %w", tx.Error)}
	}
	u.tx = tx
	return nil
}

// read is where the unit reads: its transaction once begun (it sees what
// the unit wrote), else the read pool.
func (u *unit) read() *gorm.DB {
	if u.tx != nil {
		return u.tx
	}
	return u.s.rd.WithContext(u.ctx)
}

// pending reports whether the unit holds anything to write.
func (u *unit) pending() bool {
	if len(u.audits)+len(u.notices)+len(u.work)+len(u.marks)+len(u.dirty) > 0 {
		return true
	}
	for _, ud := range u.deals {
		if ud.changed {
			return true
		}
	}
	return false
}

// db is the handle for an operation the unit does not hold, under ctx:
// the read pool when the unit has neither begun nor anything to write and
// the operation only reads; else the transaction, once it holds what the
// unit holds. It carries the error when that failed.
func (u *unit) db(ctx context.Context, write bool) *gorm.DB {
	if !write && u.failed == nil && u.tx == nil && !u.pending() {
		return u.s.rd.WithContext(ctx)
	}
	if err := u.enter(); err != nil {
		db := u.s.db.WithContext(ctx)
		_ = db.AddError(err)
		return db
	}
	return u.tx.WithContext(ctx)
}

// unitWriteError is a failure to write what a unit held.
type unitWriteError struct{ err error }

func (e *unitWriteError) Error() string { return e.err.Error() }
func (e *unitWriteError) Unwrap() error { return e.err }

func isUnitWrite(err error) bool {
	var w *unitWriteError
	return errors.As(err, &w)
}

// enter makes the database hold what the unit holds, before an operation
// the unit does not know runs on it.
func (u *unit) enter() error {
	if u.failed != nil {
		return u.failed
	}
	if err := u.begin(); err != nil {
		u.failed = err
		return err
	}
	if sc := u.top(); sc != nil && !sc.opened && len(u.journal) > sc.mark {
		u.failed = errSplit
		return errSplit
	}
	if u.pending() {
		u.s.early.Add(1)
	}
	if err := u.flush(); err != nil {
		u.failed = err
		return err
	}
	for _, sc := range u.scopes {
		if sc.opened {
			continue
		}
		if err := u.tx.SavePoint(sc.name).Error; err != nil {
			u.failed = &unitWriteError{fmt.Errorf("store: savepoint: %w", err)}
			return u.failed
		}
		sc.opened = true
	}
	return nil
}

func (u *unit) top() *scope {
	if len(u.scopes) == 0 {
		return nil
	}
	return u.scopes[len(u.scopes)-1]
}

// savepoint runs fn so that what it does is undone when it fails.
func (u *unit) savepoint(ctx context.Context, fn func(ctx context.Context) error) error {
	sc := &scope{mark: len(u.journal), name: "unit" + strconv.Itoa(len(u.scopes)),
		sizes: [4]int{len(u.audits), len(u.notices), len(u.work), len(u.marks)}}
	u.scopes = append(u.scopes, sc)
	err := fn(ctx)
	u.scopes = u.scopes[:len(u.scopes)-1]
	if u.failed != nil {
		return u.failed
	}
	switch {
	case err != nil && sc.opened:
		if rerr := u.tx.RollbackTo(sc.name).Error; rerr != nil {
			u.failed = &unitWriteError{fmt.Errorf("store: roll back to savepoint: %w", rerr)}
			return u.failed
		}
		u.forget()
	case err != nil:
		u.undo(sc)
	case sc.opened:
		if rerr := u.tx.Exec("RELEASE SAVEPOINT " + sc.name).Error; rerr != nil {
			u.failed = &unitWriteError{fmt.Errorf("store: release savepoint: %w", rerr)}
			return u.failed
		}
	}
	return err
}

// undo reverts the memory to the start of sc.
func (u *unit) undo(sc *scope) {
	for i := len(u.journal) - 1; i >= sc.mark; i-- {
		u.journal[i]()
	}
	u.journal = u.journal[:sc.mark]
	u.audits, u.notices, u.work = u.audits[:sc.sizes[0]], u.notices[:sc.sizes[1]], u.work[:sc.sizes[2]]
	u.marks = u.marks[:sc.sizes[3]]
}

// forget drops what the unit read and holds after the database rolled
// back: it was all written before the savepoint, or is undone with it.
func (u *unit) forget() {
	clear(u.deals)
	clear(u.links)
	clear(u.ofDeal)
	clear(u.dirty)
	clear(u.byCRM)
	u.audits, u.notices, u.work, u.journal = nil, nil, nil, nil
}

// remember journals how to restore a deal's and some links' entries.
func (u *unit) remember(dealID int64, refs []change.LinkRef) {
	if len(u.scopes) == 0 {
		return // outside a savepoint nothing is undone
	}
	prev, had := u.deals[dealID]
	var saved unitDeal
	if had {
		saved = *prev
	}
	u.journal = append(u.journal, func() {
		if had {
			*prev = saved
			u.deals[dealID] = prev
		} else {
			delete(u.deals, dealID)
		}
	})
	prevOf, hadOf := u.ofDeal[dealID]
	prevOf = slices.Clone(prevOf)
	u.journal = append(u.journal, func() {
		if hadOf {
			u.ofDeal[dealID] = prevOf
		} else {
			delete(u.ofDeal, dealID)
		}
	})
	for _, r := range refs {
		l, had := u.links[r]
		wasDirty := u.dirty[r]
		var saved *change.Link
		if l != nil {
			c := *l
			saved = &c
		}
		u.journal = append(u.journal, func() {
			if had {
				u.links[r] = saved
			} else {
				delete(u.links, r)
			}
			if wasDirty {
				u.dirty[r] = true
			} else {
				delete(u.dirty, r)
			}
		})
	}
}

// holds reports whether the unit can keep c in memory: a change of a deal
// it read (or links only), with nothing removed.
func (u *unit) holds(c *change.Commit) bool {
	if len(c.Unlinks) > 0 || c.ClaimsCRMID {
		// A CRM ID claimed is checked in the transaction (Commit), not in
		// the unit's memory.
		return false
	}
	if c.Deal == nil {
		for _, l := range c.Links {
			if l.DealID == 0 {
				return false
			}
		}
		return true
	}
	_, ok := u.deals[c.Deal.ID]
	return c.Deal.ID != 0 && ok
}

// commit keeps c in memory (holds(c) is true).
func (u *unit) commit(c *change.Commit) error {
	dealID := int64(0)
	if c.Deal != nil {
		dealID = c.Deal.ID
	}
	refs := make([]change.LinkRef, len(c.Links))
	for i, l := range c.Links {
		refs[i] = change.LinkRef{System: l.System, RecordID: l.RecordID}
	}
	if c.Deal != nil {
		// Refused before anything changes: outside a savepoint nothing
		// would undo a half-kept commit.
		if cur := u.deals[dealID].d.Version; cur != c.Deal.Version {
			return &conflictError{id: dealID, version: cur}
		}
		for _, a := range c.Entries {
			if a.At.IsZero() {
				return fmt.Errorf("store: audit event %q on deal %d has no time", a.Action, dealID)
			}
		}
	}
	u.remember(dealID, refs)
	if c.Deal != nil {
		ud := u.deals[dealID]
		next := c.Deal.Clone()
		next.Version++
		ud.d, ud.changed = next, true
		id := strconv.FormatInt(dealID, 10)
		for _, a := range c.Entries {
			u.audits = append(u.audits, auditRow{At: utc(a.At), Actor: a.Actor, SubjectType: subjectDeal, SubjectID: id, Action: a.Action, Detail: a.Detail})
		}
		at := time.Time{}
		if len(c.Entries) > 0 {
			at = c.Entries[0].At
		}
		for _, n := range dealNotices(next, next.Version, false, c.Notices) {
			u.notices = append(u.notices, queued{at: at, n: n})
		}
		c.Deal.Version = next.Version
	}
	for i, l := range c.Links {
		if l.DealID == 0 {
			l.DealID = dealID
		}
		if old := u.links[refs[i]]; old != nil && old.DealID != l.DealID {
			delete(u.ofDeal, old.DealID) // moved: its old deal's list is stale
		}
		u.links[refs[i]] = &l
		u.dirty[refs[i]] = true
		if known, ok := u.ofDeal[l.DealID]; ok && !slices.Contains(known, refs[i]) {
			u.ofDeal[l.DealID] = append(slices.Clone(known), refs[i])
		}
	}
	if len(c.Work) > 0 {
		u.work = append(u.work, queuedWork{refs: c.Work, at: c.At})
	}
	return nil
}

// forgetCommit drops what a commit written through to the database made
// the unit's memory out of date.
func (u *unit) forgetCommit(c *change.Commit) {
	clear(u.byCRM) // a deal made or edited here may carry any crm_id
	if c.Deal != nil {
		delete(u.deals, c.Deal.ID)
		delete(u.ofDeal, c.Deal.ID)
	}
	for _, l := range c.Links {
		delete(u.links, change.LinkRef{System: l.System, RecordID: l.RecordID})
	}
	for _, r := range c.Unlinks {
		if l := u.links[r]; l != nil {
			delete(u.ofDeal, l.DealID)
		}
		delete(u.links, r)
	}
}
