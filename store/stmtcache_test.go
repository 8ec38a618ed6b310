package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"modernc.org/sqlite"
)

// countingConnector counts the statements SQLite is asked to prepare.
type countingConnector struct {
	driver.Connector
	prepares *atomic.Int64
}

func (c countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return countingConn{innerConn: conn.(innerConn), prepares: c.prepares}, nil
}

type countingConn struct {
	innerConn
	prepares *atomic.Int64
}

func (c countingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	c.prepares.Add(1)
	return c.innerConn.PrepareContext(ctx, q)
}

// openCounting opens an SQLite file of one connection whose statements are
// cached (at most size) and counted.
func openCounting(t *testing.T, size int) (*sql.DB, *atomic.Int64) {
	t.Helper()
	base, err := sqlite.NewConnector("file:" + filepath.Join(t.TempDir(), "c.db") + "?_pragma=journal_mode(WAL)&" + sqliteDriverParams)
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	db := sql.OpenDB(stmtCacheConnector{base: countingConnector{Connector: base, prepares: &n}, size: size})
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO t (id, v) VALUES (1, 'a'), (2, 'b'), (3, 'c')`); err != nil {
		t.Fatal(err)
	}
	n.Store(0)
	return db, &n
}

func TestStatementsArePreparedOncePerConnectionInAndOutOfTransactions(t *testing.T) {
	db, prepares := openCounting(t, stmtCacheSize)
	for i := range 20 {
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`SAVEPOINT sp`); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`UPDATE t SET v = ? WHERE id = ?`, strconv.Itoa(i), 1); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`RELEASE SAVEPOINT sp`); err != nil {
			t.Fatal(err)
		}
		var v string
		if err := tx.QueryRow(`SELECT v FROM t WHERE id = ?`, 1).Scan(&v); err != nil || v != strconv.Itoa(i) {
			t.Fatalf("in transaction %d: v = %q, %v", i, v, err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(`SELECT v FROM t WHERE id = ?`, 1).Scan(&v); err != nil || v != strconv.Itoa(i) {
			t.Fatalf("after transaction %d: v = %q, %v", i, v, err)
		}
	}
	// One UPDATE and one SELECT; transaction control is never cached.
	if got := prepares.Load(); got != 2 {
		t.Errorf("statements prepared: %d, want 2 (one per SQL text)", got)
	}
}

func TestAStatementWhoseRowsAreOpenIsNotShared(t *testing.T) {
	db, prepares := openCounting(t, stmtCacheSize)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	const q = `SELECT id FROM t WHERE id >= ? ORDER BY id`
	outer, err := tx.Query(q, 1)
	if err != nil {
		t.Fatal(err)
	}
	var pairs [][2]int
	for outer.Next() {
		var a int
		if err := outer.Scan(&a); err != nil {
			t.Fatal(err)
		}
		inner, err := tx.Query(q, a) // the same text while the outer rows are open
		if err != nil {
			t.Fatal(err)
		}
		for inner.Next() {
			var b int
			if err := inner.Scan(&b); err != nil {
				t.Fatal(err)
			}
			pairs = append(pairs, [2]int{a, b})
		}
		if err := inner.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := outer.Err(); err != nil {
		t.Fatal(err)
	}
	if len(pairs) != 6 { // (1,1) (1,2) (1,3) (2,2) (2,3) (3,3)
		t.Fatalf("pairs %v, want 6", pairs)
	}
	if got := prepares.Load(); got != 4 { // the cached one, and one per inner query
		t.Errorf("prepares %d, want 4", got)
	}
	if err := outer.Close(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRow(q, 3).Scan(&n); err != nil || n != 3 {
		t.Fatalf("the cached statement after its rows closed: %d, %v", n, err)
	}
	if got := prepares.Load(); got != 4 {
		t.Errorf("prepares %d after reuse, want still 4", got)
	}
}

func TestTheCacheKeepsAtMostItsSize(t *testing.T) {
	db, prepares := openCounting(t, 2)
	queries := []string{`SELECT v FROM t WHERE id = ?`, `SELECT v FROM t WHERE id = ? AND 1`, `SELECT v FROM t WHERE id = ? AND 2`}
	for round := range 2 {
		for i, q := range queries {
			var v string
			if err := db.QueryRow(q, i+1).Scan(&v); err != nil || v != string(rune('a'+i)) {
				t.Fatalf("round %d, %q: %q, %v", round, q, v, err)
			}
		}
	}
	// Three texts cycling through a cache of two: every use misses.
	if got := prepares.Load(); got != 6 {
		t.Errorf("prepares %d, want 6", got)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		c := dc.(*cachingConn)
		if c.lru.Len() != 2 || len(c.stmts) != 2 {
			t.Errorf("cached %d / %d statements, want 2", c.lru.Len(), len(c.stmts))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCacheable(t *testing.T) {
	for q, want := range map[string]bool{
		"SELECT 1":                             true,
		"  select * from deals":                true,
		"INSERT INTO x VALUES (1)":             true,
		"UPDATE x SET a = 1":                   true,
		"DELETE FROM x":                        true,
		"WITH a AS (SELECT 1) SELECT * FROM a": true,
		"REPLACE INTO x VALUES (1)":            true,
		"SAVEPOINT sp0xc000123":                false,
		"RELEASE SAVEPOINT sp1":                false,
		"ROLLBACK TO SAVEPOINT sp1":            false,
		"BEGIN IMMEDIATE":                      false,
		"CREATE TABLE t (a)":                   false,
		"PRAGMA foreign_keys = 1":              false,
		"":                                     false,
		"SELECT":                               false,
		"INSERT INTO x VALUES " + strings.Repeat("(?, ?), ", 400) + "(?, ?)": false, // a batch: one of a kind
	} {
		if got := cacheable(q); got != want {
			t.Errorf("cacheable(%q) = %v, want %v", q, got, want)
		}
	}
}
