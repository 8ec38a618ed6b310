package store

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	gormsqlite "github.com/libtnb/sqlite"
	"gorm.io/gorm"
	"modernc.org/sqlite"
)

// SQLite statement cache. The SQLite driver (modernc.org/sqlite) parses and
// plans every statement it is handed as text, and database/sql hands it text
// for every query outside a prepared *sql.Stmt. GORM's PrepareStmt does not
// help inside transactions: a statement it first prepared in one transaction
// belongs to that transaction, and database/sql prepares it again in every
// later one (golang/go#28130, go-gorm/gorm#4644); the inbox processor runs
// all its work in transactions, and parsing was a third of its CPU profile.
// So each SQLite connection keeps its own prepared statements, keyed by SQL
// text, as pgx does for PostgreSQL connections by itself: a statement is
// parsed once per connection whether it runs in a transaction or not.

// stmtCacheSize bounds the statements one connection keeps: the store's
// queries are a few dozen shapes, but "IN (?, ?, …)" makes one per list
// length; the least recently used is finalized when the cache is full.
const stmtCacheSize = 256

// maxCachedStatement is the longest SQL text the cache keeps (bytes).
const maxCachedStatement = 2048

// sqliteDriverParams are what GORM's SQLite dialector (libtnb/sqlite) adds
// to a DSN it opens itself, given here since the store opens the connections:
// times written in the format SQLite's date functions read, and read back
// as time.Time.
const sqliteDriverParams = "_texttotime=1&_inttotime=1&_time_format=sqlite"

// sqliteDialector is GORM's SQLite dialector over connections that cache
// their statements; dsn is "file:PATH?…".
func sqliteDialector(dsn string) (gorm.Dialector, error) {
	base, err := sqlite.NewConnector(dsn + "&" + sqliteDriverParams)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(stmtCacheConnector{base: base, size: stmtCacheSize})
	return gormsqlite.New(gormsqlite.Config{Conn: db}), nil
}

// stmtCacheConnector opens SQLite connections that cache their statements.
type stmtCacheConnector struct {
	base driver.Connector
	size int
}

// Connect opens a connection of the base connector and wraps it.
func (c stmtCacheConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	cc, err := newCachingConn(conn, c.size)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	return cc, nil
}

// Driver is the base connector's driver.
func (c stmtCacheConnector) Driver() driver.Driver { return c.base.Driver() }

// innerConn is what the wrapped connection must provide: everything
// database/sql uses of an SQLite connection, so that wrapping hides none of
// it (modernc.org/sqlite documents that its connections implement all of
// these).
type innerConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// statement is what a prepared statement must provide.
type statement interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// cachingConn is one SQLite connection with its statement cache. database/sql
// never uses a connection from two goroutines at once, so the cache needs
// no lock.
type cachingConn struct {
	innerConn
	size  int
	stmts map[string]*list.Element // of *cachedStmt
	lru   list.List                // front: most recently used
}

// cachedStmt is a prepared statement of the cache; busy while rows it
// returned are open (SQLite cannot run a statement twice at once).
type cachedStmt struct {
	query string
	st    statement
	busy  bool
}

func newCachingConn(conn driver.Conn, size int) (*cachingConn, error) {
	ic, ok := conn.(innerConn)
	if !ok {
		return nil, fmt.Errorf("store: the SQLite driver's connection %T lacks an interface database/sql needs", conn)
	}
	return &cachingConn{innerConn: ic, size: size, stmts: map[string]*list.Element{}}, nil
}

// Unwrap is the driver's own connection (modernc.org/sqlite looks through
// wrappers that way).
func (c *cachingConn) Unwrap() driver.Conn { return c.innerConn }

// Close finalizes the cached statements and closes the connection.
func (c *cachingConn) Close() error {
	var errs []error
	for e := c.lru.Front(); e != nil; e = e.Next() {
		if err := e.Value.(*cachedStmt).st.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	c.stmts, c.lru = nil, list.List{}
	return errors.Join(append(errs, c.innerConn.Close())...)
}

// cacheable tells the statements worth keeping: the data statements of
// ordinary size. Transaction control (BEGIN, SAVEPOINT sp…, RELEASE) is
// cheap to parse and, for savepoints, named afresh each time; scripts and
// DDL run once; a statement of many rows (a page's VALUES list, a batch
// insert) has a text of its own for every row count, and its compiled
// program, kept in SQLite's memory outside Go's heap, is large: a cache of
// them held tens of megabytes per connection under load.
func cacheable(query string) bool {
	if len(query) > maxCachedStatement {
		return false
	}
	q := strings.TrimLeft(query, " \t\r\n(")
	for _, kw := range [...]string{"SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "WITH"} {
		if len(q) > len(kw) && strings.EqualFold(q[:len(kw)], kw) {
			return true
		}
	}
	return false
}

// stmt is the cached statement of query, prepared on first use; done marks
// it free again. A statement whose rows are still open is not shared: a
// statement of its own is prepared and closed with done.
func (c *cachingConn) stmt(ctx context.Context, query string) (statement, func(), error) {
	if e, ok := c.stmts[query]; ok {
		cs := e.Value.(*cachedStmt)
		if !cs.busy {
			c.lru.MoveToFront(e)
			cs.busy = true
			return cs.st, func() { cs.busy = false }, nil
		}
		st, err := c.prepare(ctx, query)
		if err != nil {
			return nil, nil, err
		}
		return st, func() { _ = st.Close() }, nil
	}
	st, err := c.prepare(ctx, query)
	if err != nil {
		return nil, nil, err
	}
	cs := &cachedStmt{query: query, st: st, busy: true}
	c.stmts[query] = c.lru.PushFront(cs)
	if c.lru.Len() > c.size {
		c.evict()
	}
	return st, func() { cs.busy = false }, nil
}

// evict finalizes the least recently used statement that is not busy.
func (c *cachingConn) evict() {
	for e := c.lru.Back(); e != nil; e = e.Prev() {
		cs := e.Value.(*cachedStmt)
		if cs.busy {
			continue
		}
		c.lru.Remove(e)
		delete(c.stmts, cs.query)
		_ = cs.st.Close()
		return
	}
}

func (c *cachingConn) prepare(ctx context.Context, query string) (statement, error) {
	ds, err := c.innerConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	st, ok := ds.(statement)
	if !ok {
		_ = ds.Close()
		return nil, fmt.Errorf("store: the SQLite driver's statement %T cannot run with a context", ds)
	}
	return st, nil
}

// ExecContext runs query through the connection's prepared statement.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if !cacheable(query) {
		return c.innerConn.ExecContext(ctx, query, args)
	}
	st, done, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	defer done()
	return st.ExecContext(ctx, args)
}

// QueryContext runs query through the connection's prepared statement; the
// statement is free again once the rows are closed.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if !cacheable(query) {
		return c.innerConn.QueryContext(ctx, query, args)
	}
	st, done, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args)
	if err != nil {
		done()
		return nil, err
	}
	inner, ok := rows.(typedRows)
	if !ok {
		_ = rows.Close()
		done()
		return nil, fmt.Errorf("store: the SQLite driver's rows %T lack column types", rows)
	}
	return &releasingRows{typedRows: inner, done: done}, nil
}

// typedRows is what the driver's rows provide and GORM reads: the columns'
// declared types (database/sql looks for each of these interfaces).
type typedRows interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

// releasingRows frees its cached statement when closed.
type releasingRows struct {
	typedRows
	done func()
}

// Close closes the rows (which resets the statement) and frees it.
func (r *releasingRows) Close() error {
	err := r.typedRows.Close()
	if r.done != nil {
		r.done()
		r.done = nil
	}
	return err
}
