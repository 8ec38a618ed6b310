// Package storetest gives tests and benchmarks a migrated store of their own:
// an SQLite file in a temporary directory always, and a PostgreSQL database
// of its own when TEST_DATABASE_URL names a server.
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
	"strings"
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

// OpenPostgres returns a migrated store in a database of its own on the
// server named by TEST_DATABASE_URL, dropped when the test ends. Without
// TEST_DATABASE_URL the test is skipped with SkipMessage.
//
// The database is a copy of a template that the store's migrations made
// once (postgresTemplate): CREATE DATABASE … TEMPLATE takes 30 ms where
// migrating a new schema took 350 ms under -race on an idle machine and
// about a second in make test on two cores, most of a small PostgreSQL
// test's time, over 460 of them. Migrate still runs on the copy, and finds
// nothing left to apply. The server's user needs CREATEDB.
func OpenPostgres(tb testing.TB) *store.Store {
	tb.Helper()
	base, u := server(tb)
	tmpl, err := postgresTemplate()
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	name := testDBPrefix + randomHex(tb, 8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("storetest: connect to %s: %v", EnvURL, err)
	}
	defer admin.Close(ctx)
	if err := createDatabase(ctx, admin, name, tmpl); err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	// Registered before the store's Close, so it runs after it.
	atEnd(tb, base, "drop database "+name, "DROP DATABASE "+name+" WITH (FORCE)")
	u.Path = "/" + name
	return openAndMigrate(tb, u.String())
}

// testDBPrefix and templatePrefix begin the names of the databases
// OpenPostgres makes: a test's own, and the migrated templates they copy.
const (
	testDBPrefix   = "storetest_"
	templatePrefix = "storetest_tmpl_"
)

// staleAfter is how old a database of storetest's must be for a later test
// binary to drop it: a test's own outlives its test only when the binary
// was killed, a template when the migrations changed since.
const staleAfter = 24 * time.Hour

// postgresTemplate is the name of a database on the server of base that
// the store's migrations made, named by their digest: made once per server
// and set of migrations, under an advisory lock so that the test binaries
// go test runs at once make it once, and renamed into place only when
// migrated, so that no test copies one half made. Databases of storetest's
// older than staleAfter are dropped on the way.
var postgresTemplate = sync.OnceValues(func() (string, error) {
	base := os.Getenv(EnvURL)
	digest, err := store.MigrationsDigest(store.Postgres)
	if err != nil {
		return "", err
	}
	name := templatePrefix + digest[:16]
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w", EnvURL, err)
	}
	defer admin.Close(ctx)
	// Session-level: CREATE DATABASE cannot run inside a transaction.
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(hashtext('cosellbot-storetest-template'))"); err != nil {
		return "", fmt.Errorf("the template's lock: %w", err)
	}
	dropStale(ctx, admin, name)
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", fmt.Errorf("look for the template %s: %w", name, err)
	}
	if exists {
		return name, nil
	}
	building := name + "_new"
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)"); err != nil {
		return "", fmt.Errorf("drop a half-made template %s: %w", building, err)
	}
	if err := createDatabase(ctx, admin, building, "template0"); err != nil {
		return "", err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", EnvURL, err)
	}
	u.Path = "/" + building
	s, err := store.Open(ctx, u.String())
	if err != nil {
		return "", err
	}
	if _, err := s.Migrate(ctx); err != nil {
		_ = s.Close()
		return "", err
	}
	if err := s.Close(); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+building+" RENAME TO "+name); err != nil {
		return "", fmt.Errorf("rename the template %s: %w", building, err)
	}
	return name, nil
})

// createDatabase makes database name as a copy of template, and dates it
// (its comment) for dropStale.
func createDatabase(ctx context.Context, admin *pgx.Conn, name, template string) error {
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+template); err != nil {
		if strings.Contains(err.Error(), "42501") {
			return fmt.Errorf("the user of %s may not create databases: grant it CREATEDB (ALTER ROLE … CREATEDB): %w", EnvURL, err)
		}
		return fmt.Errorf("create database %s from %s: %w", name, template, err)
	}
	if _, err := admin.Exec(ctx, "COMMENT ON DATABASE "+name+" IS '"+time.Now().UTC().Format(time.RFC3339)+"'"); err != nil {
		return fmt.Errorf("date database %s: %w", name, err)
	}
	return nil
}

// dropStale drops storetest's databases dated more than staleAfter ago,
// but keep: a test binary killed before its cleanups leaves its tests'
// databases behind, and a change of the migrations leaves the old
// template. A database that will not drop (in use) is left for next time.
func dropStale(ctx context.Context, admin *pgx.Conn, keep string) {
	rows, err := admin.Query(ctx, `SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '')
		FROM pg_database WHERE datname LIKE 'storetest\_%'`)
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name, made string
		if rows.Scan(&name, &made) != nil || name == keep {
			continue
		}
		if at, err := time.Parse(time.RFC3339, made); err == nil && time.Since(at) > staleAfter {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name)
	}
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
	base, u := server(tb)
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
	atEnd(tb, base, "drop schema "+schema, "DROP SCHEMA "+schema+" CASCADE")
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// server is TEST_DATABASE_URL, as written and parsed; without it tb is
// skipped with SkipMessage.
func server(tb testing.TB) (string, *url.URL) {
	tb.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		tb.Skip(SkipMessage)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("storetest: parse %s: %v", EnvURL, err)
	}
	return base, u
}

// atEnd runs stmt on the server of base when tb ends, on a connection of
// its own (the test's are closed by then); what names it in the error.
func atEnd(tb testing.TB, base, what, stmt string) {
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("storetest: %s: %v", what, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, stmt); err != nil {
			tb.Errorf("storetest: %s: %v", what, err)
		}
	})
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
