// Package storetest gives tests and benchmarks a migrated store of their own:
// an SQLite file in a temporary directory always, and a PostgreSQL schema of
// its own when TEST_DATABASE_URL names a server.
//
// Each store is independent, so tests using it may run in parallel. In CI
// TEST_DATABASE_URL is set and the PostgreSQL variants must run: without it
// they skip with exactly "TEST_DATABASE_URL not set", which CI looks for.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cosellbot/cosellbot/store"
)

// EnvURL names the environment variable holding the PostgreSQL server URL.
const EnvURL = "TEST_DATABASE_URL"

// SkipMessage is what a PostgreSQL test says when it cannot run.
const SkipMessage = EnvURL + " not set"

// Open returns a migrated SQLite store for one test, in tb.TempDir(). It is
// closed when the test ends.
func Open(tb testing.TB) *store.Store { return OpenSQLite(tb) }

// OpenSQLite returns a migrated SQLite store in a file of tb.TempDir(),
// closed when the test ends.
//
// The file is a copy of one that the store's migrations made once per test
// binary (migratedSQLite): every test's database is still its own, but it
// is not migrated again from nothing. Under -race running the migrations
// was most of a small test's time (goose parsing the SQL files and SQLite
// parsing the DDL, both instrumented): 25 of integrations/crm's 135 CPU
// seconds, 20 of bot/command's 180. Migrate still runs on the copy, and
// finds nothing left to apply; the tests of Open and Migrate themselves
// take an empty database (SQLiteURL, URLs) and migrate it from nothing.
func OpenSQLite(tb testing.TB) *store.Store {
	tb.Helper()
	db, err := migratedSQLite()
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	path := filepath.Join(tb.TempDir(), "cosellbot.db")
	if err := os.WriteFile(path, db, 0o644); err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	return openAndMigrate(tb, "sqlite:"+path)
}

// migratedSQLite returns the bytes of an SQLite database that Open and
// Migrate made in a temporary folder and Close then checkpointed whole into
// its file (no -wal file is left to copy), once per test binary. Nothing
// writes to the bytes.
var migratedSQLite = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "storetest-")
	if err != nil {
		return nil, fmt.Errorf("a folder for the migrated SQLite template: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.db")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		return nil, err
	}
	if _, err := s.Migrate(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	if err := s.Close(); err != nil {
		return nil, err
	}
	for _, side := range []string{"-wal", "-journal"} {
		if fi, err := os.Stat(path + side); err == nil && fi.Size() > 0 {
			return nil, fmt.Errorf("the migrated SQLite template kept a %s file of %d bytes after Close; a copy of the database file alone would lose it", side, fi.Size())
		}
	}
	return os.ReadFile(path)
})

// OpenPostgres returns a migrated store in a fresh schema of the server named
// by TEST_DATABASE_URL; the schema is dropped when the test ends. Without
// TEST_DATABASE_URL the test is skipped with SkipMessage.
func OpenPostgres(tb testing.TB) *store.Store {
	tb.Helper()
	return openAndMigrate(tb, PostgresURL(tb))
}

// SQLiteURL is the URL of an SQLite file in tb.TempDir() that does not exist
// yet, for tests of Open and Migrate themselves.
func SQLiteURL(tb testing.TB) string {
	tb.Helper()
	return "sqlite:" + filepath.Join(tb.TempDir(), "cosellbot.db")
}

// PostgresURL creates an empty schema on the server named by
// TEST_DATABASE_URL and returns a URL whose connections use it (search_path);
// the schema is dropped when the test ends. Without TEST_DATABASE_URL the test
// is skipped with SkipMessage. Stores opened on the URL must be closed before
// the test ends.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		tb.Skip(SkipMessage)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("storetest: parse %s: %v", EnvURL, err)
	}
	schema := "t_" + randomHex(tb, 8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("storetest: connect to %s: %v", EnvURL, err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("storetest: create schema %s: %v", schema, err)
	}
	// Registered before any store's Close, so it runs after them.
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("storetest: drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("storetest: drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// URLs runs fn as parallel subtests "sqlite" and "postgres" with the URL of
// an empty database of their own (see SQLiteURL and PostgresURL), for tests
// of Open and Migrate.
func URLs(t *testing.T, fn func(t *testing.T, url string)) {
	t.Helper()
	t.Run(store.SQLite, func(t *testing.T) {
		t.Parallel()
		fn(t, SQLiteURL(t))
	})
	t.Run(store.Postgres, func(t *testing.T) {
		t.Parallel()
		fn(t, PostgresURL(t))
	})
}

// Dialects runs fn as parallel subtests "sqlite" and "postgres", each with a
// store of its own. The postgres subtest skips with SkipMessage when
// TEST_DATABASE_URL is not set.
func Dialects(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run(store.SQLite, func(t *testing.T) {
		t.Parallel()
		fn(t, OpenSQLite(t))
	})
	t.Run(store.Postgres, func(t *testing.T) {
		t.Parallel()
		fn(t, OpenPostgres(t))
	})
}

// BenchDialects runs fn as sub-benchmarks "sqlite" and "postgres", each with a
// store of its own; postgres skips when TEST_DATABASE_URL is not set.
func BenchDialects(b *testing.B, fn func(b *testing.B, s *store.Store)) {
	b.Helper()
	b.Run(store.SQLite, func(b *testing.B) { fn(b, OpenSQLite(b)) })
	b.Run(store.Postgres, func(b *testing.B) { fn(b, OpenPostgres(b)) })
}

func openAndMigrate(tb testing.TB, dbURL string) *store.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := store.Open(ctx, dbURL)
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("storetest: %v", err)
		}
	})
	if _, err := s.Migrate(ctx); err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	return s
}

func randomHex(tb testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	return hex.EncodeToString(b)
}
