package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// TestTransientSQLite classifies errors produced by a real SQLite file: a
// second writer with no busy timeout gets SQLITE_BUSY (transient); a
// constraint violation and a syntax error are permanent.
func TestTransientSQLite(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "busy.db")
	open := func() *sql.DB {
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(0)&_txlock=immediate")
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	if _, err := a.ExecContext(ctx, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)"); err != nil {
		t.Fatal(err)
	}
	tx, err := a.BeginTx(ctx, nil) // immediate: holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "INSERT INTO t (v) VALUES ('x')"); err != nil {
		t.Fatal(err)
	}
	_, busy := b.ExecContext(ctx, "INSERT INTO t (v) VALUES ('y')")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	_, dup := a.ExecContext(ctx, "INSERT INTO t (v) VALUES ('x')")
	_, syntax := a.ExecContext(ctx, "INSERT INTO nowhere VALUES (1")
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"SQLITE_BUSY from a second writer", busy, true},
		{"SQLITE_BUSY wrapped", fmt.Errorf("store: add: %w", busy), true},
		{"unique violation", dup, false},
		{"syntax error", syntax, false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		if tt.err == nil && tt.name != "nil" {
			t.Fatalf("%s: the database gave no error", tt.name)
		}
		if got := store.Transient(tt.err); got != tt.want {
			t.Errorf("%s: Transient(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

// TestTransientPostgres classifies errors produced by a real PostgreSQL
// server: a terminated backend, a refused connection, a deadline, SQLSTATEs
// raised by the server, and permanent ones (constraint, invalid text).
func TestTransientPostgres(t *testing.T) {
	t.Parallel()
	s := storetest.OpenPostgres(t)
	ctx := t.Context()
	db := store.GormDB(s)
	base := storetest.PostgresURL(t)

	// A backend terminated by an administrator: the next statement on it
	// fails (57P01, or a closed connection once pgx noticed).
	victim, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer victim.Close(context.Background())
	var pid int
	if err := victim.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if err := db.WithContext(ctx).Exec("SELECT pg_terminate_backend(?)", pid).Error; err != nil {
		t.Fatal(err)
	}
	var terminated error
	for range 50 { // the backend exits asynchronously
		if _, terminated = victim.Exec(ctx, "SELECT 1"); terminated != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, afterClose := victim.Exec(ctx, "SELECT 1")

	_, refused := pgx.Connect(ctx, "postgres://u@127.0.0.1:1/x?sslmode=disable&connect_timeout=2")

	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	deadline := db.WithContext(short).Exec("SELECT pg_sleep(5)").Error
	cancel()

	raise := func(code string) error {
		return db.WithContext(ctx).Exec(fmt.Sprintf(`DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '%s'; END $$`, code)).Error
	}
	deadlock := realDeadlock(t, ctx, base)
	serialization := realSerializationFailure(t, ctx, base)

	if err := db.WithContext(ctx).Exec("CREATE TABLE u (v text PRIMARY KEY)").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.WithContext(ctx).Exec("INSERT INTO u VALUES ('a')").Error; err != nil {
		t.Fatal(err)
	}
	dup := db.WithContext(ctx).Exec("INSERT INTO u VALUES ('a')").Error
	nul := db.WithContext(ctx).Exec("INSERT INTO u VALUES (?)", "a\x00b").Error
	badUTF8 := db.WithContext(ctx).Exec("INSERT INTO u VALUES (?)", "a\xffb").Error

	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"terminated backend (57P01)", terminated, true},
		{"statement on the closed connection", afterClose, true},
		{"connection refused", refused, true},
		{"context deadline", deadline, true},
		{"deadlock (40P01), real", deadlock, true},
		{"serialization failure (40001), real", serialization, true},
		{"57P02 crash shutdown", raise("57P02"), true},
		{"57P03 cannot connect now", raise("57P03"), true},
		{"08006 connection failure", raise("08006"), true},
		{"53300 too many connections", raise("53300"), true},
		{"unique violation", dup, false},
		{"NUL in text", nul, false},
		{"invalid UTF-8", badUTF8, false},
		{"raised 22P02", raise("22P02"), false},
		{"wrapped terminated backend", fmt.Errorf("apply: %w", terminated), true},
		{"not found", store.ErrNotFound, false},
		{"a plain error", errors.New("deal 4: name is required"), false},
	}
	for _, tt := range tests {
		if tt.err == nil {
			t.Errorf("%s: the database gave no error", tt.name)
			continue
		}
		if got := store.Transient(tt.err); got != tt.want {
			t.Errorf("%s: Transient(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

// realDeadlock makes two transactions wait for each other's row lock; the
// server kills one of them with 40P01, which is returned.
func realDeadlock(t *testing.T, ctx context.Context, url string) error {
	t.Helper()
	a, b := mustConnect(t, ctx, url), mustConnect(t, ctx, url)
	mustExec(t, ctx, a, "CREATE TABLE dl (id int PRIMARY KEY, v int)")
	mustExec(t, ctx, a, "INSERT INTO dl VALUES (1, 0), (2, 0)")
	mustExec(t, ctx, a, "BEGIN")
	mustExec(t, ctx, b, "BEGIN")
	mustExec(t, ctx, a, "UPDATE dl SET v = 1 WHERE id = 1")
	mustExec(t, ctx, b, "UPDATE dl SET v = 1 WHERE id = 2")
	errs := make(chan error, 2)
	go func() { _, err := a.Exec(ctx, "UPDATE dl SET v = 2 WHERE id = 2"); errs <- err }()
	go func() { _, err := b.Exec(ctx, "UPDATE dl SET v = 2 WHERE id = 1"); errs <- err }()
	// Once the server kills the victim, the winner's update goes through:
	// both statements end, and only then is either connection touched again
	// (a pgx connection is not safe for concurrent use).
	var found error
	for range 2 {
		if err := <-errs; err != nil {
			found = err
		}
	}
	_, _ = a.Exec(ctx, "ROLLBACK")
	_, _ = b.Exec(ctx, "ROLLBACK")
	return found
}

// realSerializationFailure runs two serializable transactions whose
// read-then-write overlap; the second to commit fails with 40001.
func realSerializationFailure(t *testing.T, ctx context.Context, url string) error {
	t.Helper()
	a, b := mustConnect(t, ctx, url), mustConnect(t, ctx, url)
	mustExec(t, ctx, a, "CREATE TABLE sf (id int PRIMARY KEY, v int)")
	mustExec(t, ctx, a, "INSERT INTO sf VALUES (1, 0)")
	mustExec(t, ctx, a, "BEGIN ISOLATION LEVEL SERIALIZABLE")
	mustExec(t, ctx, b, "BEGIN ISOLATION LEVEL SERIALIZABLE")
	mustExec(t, ctx, a, "SELECT v FROM sf WHERE id = 1")
	mustExec(t, ctx, b, "SELECT v FROM sf WHERE id = 1")
	mustExec(t, ctx, a, "UPDATE sf SET v = 1 WHERE id = 1")
	mustExec(t, ctx, a, "COMMIT")
	_, err := b.Exec(ctx, "UPDATE sf SET v = 2 WHERE id = 1")
	_, _ = b.Exec(ctx, "ROLLBACK")
	return err
}

func mustConnect(t *testing.T, ctx context.Context, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func mustExec(t *testing.T, ctx context.Context, c *pgx.Conn, q string) {
	t.Helper()
	if _, err := c.Exec(ctx, q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
