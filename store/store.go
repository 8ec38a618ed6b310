// Package store persists cosellbot's deals, their audit trail, the partner's
// solution catalog and its users, with GORM on PostgreSQL or SQLite.
//
// GORM models live here and only here: the domain types of bot/deal and
// bot/access carry no tags, and this package translates between the two. Every
// change is one transaction that also writes an audit event, so the history of
// a deal can never disagree with the deal. Deals use optimistic concurrency: an
// update names the version it was read at and fails with ErrConflict when
// someone else stored a change in between.
//
// The store never reads the clock. Times come from the caller (Audit.At,
// deal.Deal.UpdatedAt, …); they are stored in UTC to the microsecond and come
// back in UTC.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cosellbot/cosellbot/bot/ledger"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Errors that callers tell apart with errors.Is. They are the ledger's (the
// contract bot/ledger gives the core), so a check against either package's
// name works. The errors returned wrap them with the subject, e.g.
// "deal 42: not found".
var (
	// ErrNotFound means the deal, user or other subject does not exist.
	ErrNotFound = ledger.ErrNotFound
	// ErrConflict means a deal was changed by someone else since it was read.
	ErrConflict = ledger.ErrConflict
	// ErrExists means a unique name or id is already taken.
	ErrExists = ledger.ErrExists
	// ErrCRMIDTaken means a commit gave a deal a CRM ID another deal holds.
	ErrCRMIDTaken = ledger.ErrCRMIDTaken
)

// Dialect names as returned by Store.Dialect.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

// sqliteParams is what every SQLite connection needs to survive concurrent
// writers: WAL, a busy timeout, foreign keys, and immediate transactions, so
// that a read-then-write transaction never fails to upgrade its lock with
// SQLITE_BUSY (DESIGN.md, Dependencies).
const sqliteParams = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate"

// acceptedForms is quoted by Open's error for an unknown URL.
const acceptedForms = `"postgres://…", "postgresql://…", "sqlite:PATH" or "sqlite::memory:"`

// Store is cosellbot's database: deals, audit events, solutions and users.
// It is safe for concurrent use.
type Store struct {
	// db takes every write and every transaction.
	db *gorm.DB
	// rd takes reads outside a transaction: on an SQLite file a read-only
	// pool beside the single writer connection (pool.go); elsewhere db.
	rd      *gorm.DB
	dialect string
	// readSQL is rd's database/sql handle, for the plain reads (readDeal).
	readSQL *sql.DB
	// dealShape is a unit's deal update, worked out once (unit_write.go).
	dealShapeOnce sync.Once
	dealShape     *dealUpdateShape
	dealShapeErr  error
	// fallbacks counts units run again as plain batches (UnitFallbacks).
	fallbacks atomic.Int64
	// early counts a unit's writes before its end: a commit it could not
	// hold, an operation it does not know flushing what it held (tests
	// tell held work from work written piecemeal with it).
	early atomic.Int64
	// url is what Open was given: the deal cache's watcher connects with it.
	url string
	// file is the SQLite file, when the database is one (Writable).
	file string
	// cache keeps GetDeal's deals while CacheDeals runs (dealcache.go).
	cache dealCache
	// heartbeat, when set, replaces the deal watcher's (tests).
	heartbeat time.Duration
}

// Open connects to the database named by url: "postgres://…" or
// "postgresql://…" for PostgreSQL, "sqlite:PATH" for an SQLite file (created
// if missing; parameters after a "?" are passed to the driver before the
// store's own) or "sqlite::memory:" for a private in-memory database. It pings
// the database within ctx but does not migrate; call Migrate.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg := &gorm.Config{
		Logger:                 logger.Default.LogMode(logger.Silent),
		SkipDefaultTransaction: true, // every write here runs in an explicit transaction
		TranslateError:         true, // unique violations become gorm.ErrDuplicatedKey on both dialects
		DisableAutomaticPing:   true, // Open pings itself, within ctx
	}
	var (
		dialector gorm.Dialector
		dialect   string
		memory    bool
		fileDSN   string // SQLite: "file:PATH" and the caller's parameters
		sep       string // SQLite: what joins the store's parameters to fileDSN
		err       error
	)
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		dialector, dialect = postgres.New(postgres.Config{DSN: url}), Postgres
	case strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(url, "sqlite:")
		if path == "" {
			return nil, fmt.Errorf("store: open %q: give a file, as in sqlite:cosellbot.db, or sqlite::memory:", url)
		}
		memory = path == ":memory:"
		sep = "?"
		if strings.Contains(path, "?") { // the caller's own parameters come first
			sep = "&"
		}
		fileDSN = "file:" + path
		if dialector, err = sqliteDialector(fileDSN + sep + sqliteParams); err != nil {
			return nil, fmt.Errorf("store: open %q: %w", url, err)
		}
		dialect = SQLite
	default:
		return nil, fmt.Errorf("store: unknown database URL %q: use %s", redact(url), acceptedForms)
	}
	db, err := gorm.Open(dialector, gormConfig(cfg))
	if err != nil {
		return nil, openError(dialect, url, err)
	}
	s := &Store{db: db, rd: db, dialect: dialect, url: url}
	if dialect == SQLite && !memory {
		s.file, _, _ = strings.Cut(strings.TrimPrefix(fileDSN, "file:"), "?")
	}
	switch {
	case memory:
		// Every connection to ":memory:" is a database of its own: keep one.
		err = sizePool(db, 1)
	case dialect == SQLite:
		err = sizePool(db, 1) // the writer; the readers come once the file exists
	default:
		err = sizePool(db, postgresConns())
	}
	if err == nil {
		err = s.ping(ctx)
	}
	if err == nil && dialect == SQLite && !memory {
		s.rd, err = sqliteSplit(db, cfg, fileDSN, sep)
		if err == nil {
			err = s.ping(ctx)
		}
	}
	if err == nil {
		s.readSQL, err = s.rd.DB()
	}
	if err != nil {
		_ = s.Close()
		return nil, openError(dialect, url, err)
	}
	return s, nil
}

// openError words a failure to open the database, with what the file
// system says about an SQLite file when it explains the failure.
func openError(dialect, url string, err error) error {
	if dialect == SQLite {
		if why := sqliteFileProblem(strings.TrimPrefix(url, "sqlite:")); why != nil {
			return fmt.Errorf("store: open sqlite database: %w (%w)", why, err)
		}
	}
	return fmt.Errorf("store: open %s database: %w", dialect, err)
}

// redact hides a password in a URL that is quoted in an error message.
func redact(url string) string {
	scheme, rest, ok := strings.Cut(url, "://")
	if !ok {
		return url
	}
	userinfo, host, ok := strings.Cut(rest, "@")
	if !ok {
		return url
	}
	if user, _, hasPass := strings.Cut(userinfo, ":"); hasPass {
		return scheme + "://" + user + ":xxxxx@" + host
	}
	return url
}

// Ping checks that the database answers, through every pool, and that an
// SQLite file can be written (Writable); /readyz uses it. A file that turned
// read-only reads fine and fails every change: the server is not ready.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.ping(ctx); err != nil {
		return err
	}
	return s.Writable()
}

// ping checks that the database answers, through every pool.
func (s *Store) ping(ctx context.Context) error {
	for _, db := range s.pools() {
		sqlDB, err := db.DB()
		if err != nil {
			return fmt.Errorf("store: ping %s: %w", s.dialect, err)
		}
		if err := sqlDB.PingContext(ctx); err != nil {
			return fmt.Errorf("store: ping %s: %w", s.dialect, err)
		}
	}
	return nil
}

// Close releases the connections.
func (s *Store) Close() error {
	var errs []error
	for _, db := range s.pools() {
		sqlDB, err := db.DB()
		if err == nil {
			err = sqlDB.Close()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("store: close: %w", err))
		}
	}
	return errors.Join(errs...)
}

// pools is the writer pool, then the read pool when there is one of its own.
func (s *Store) pools() []*gorm.DB {
	if s.rd == nil || s.rd == s.db {
		return []*gorm.DB{s.db}
	}
	return []*gorm.DB{s.db, s.rd}
}

// Dialect is "postgres" or "sqlite".
func (s *Store) Dialect() string { return s.dialect }

// Audit is one line of a subject's history: who did what (Actor: a user's
// e-mail, "partnercenter", "sweep", …; Action: a stable verb such as created,
// stage, won; Detail: in words), and when. It is ledger.Entry, the shape the
// core writes and reads. Every change the store makes writes one, in the same
// transaction as the change. At must be set (the store never reads the
// clock); Actor and Action must not be empty, or the database refuses the
// whole change.
type Audit = ledger.Entry

// Subject types of audit events.
const (
	subjectDeal     = "deal"
	subjectSolution = "solution"
	subjectUser     = "user"
)

// audit writes an audit event inside tx.
func audit(tx *gorm.DB, subjectType, subjectID string, a Audit) error {
	if a.At.IsZero() {
		return fmt.Errorf("store: audit event %q on %s %s has no time", a.Action, subjectType, subjectID)
	}
	row := auditRow{
		At: utc(a.At), Actor: a.Actor, SubjectType: subjectType, SubjectID: subjectID,
		Action: a.Action, Detail: a.Detail,
	}
	if err := tx.Create(&row).Error; err != nil {
		return fmt.Errorf("store: write audit event %q on %s %s: %w", a.Action, subjectType, subjectID, err)
	}
	return nil
}

// utc is how every time is stored: in UTC, to the microsecond (PostgreSQL's
// resolution, applied to SQLite too so both dialects give back the same).
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// utcPtr maps the zero time to NULL.
func utcPtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := utc(t)
	return &u
}

// fromPtr maps NULL to the zero time.
func fromPtr(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// dateOf is the calendar day of t in UTC, at 00:00 UTC; NULL for the zero time.
func dateOf(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	y, m, d := t.UTC().Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &day
}

// isDuplicate reports a unique-constraint violation.
func isDuplicate(err error) bool { return errors.Is(err, gorm.ErrDuplicatedKey) }
