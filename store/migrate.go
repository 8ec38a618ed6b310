package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds the schema, one directory of goose SQL files per dialect.
// Add a change as the next number in both directories (00002_outbox.sql, …).
//
//go:embed migrations/postgres/*.sql migrations/sqlite/*.sql
var migrations embed.FS

// MigrationsDigest is a digest of dialect's migration files (hex): two
// databases migrated from the same digest have the same schema. storetest
// names its template database by it.
func MigrationsDigest(dialect string) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations, "migrations/"+dialect, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := migrations.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("store: the %s migrations: %w", dialect, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Migrate applies the migrations the database lacks and reports how many it
// applied. On PostgreSQL it holds an advisory lock while it works, so that
// replicas starting together apply each migration once.
func (s *Store) Migrate(ctx context.Context) (applied int, err error) {
	p, err := s.migrations(ctx)
	if err != nil {
		return 0, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return len(results), fmt.Errorf("store: migrate %s: %w", s.dialect, err)
	}
	return len(results), nil
}

// migrations is the goose provider of the store's dialect, locked on
// PostgreSQL.
func (s *Store) migrations(ctx context.Context) (*goose.Provider, error) {
	dir, err := fs.Sub(migrations, "migrations/"+s.dialect)
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	gooseDialect := goose.DialectSQLite3
	if s.dialect == Postgres {
		gooseDialect = goose.DialectPostgres
		id, err := s.lockID(ctx)
		if err != nil {
			return nil, err
		}
		// Poll each second, for up to five minutes as goose's default does
		// (every 5 s): a replica waiting for another's migration starts
		// soon after it ends.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(id), lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, fmt.Errorf("store: migrate: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(sayWaiting{locker, id}))
	}
	p, err := goose.NewProvider(gooseDialect, sqlDB, dir, opts...)
	if err != nil {
		return nil, fmt.Errorf("store: migrate %s: %w", s.dialect, err)
	}
	return p, nil
}

// lockID is the advisory lock that serializes migrations: one per schema, so
// that replicas sharing a schema wait for each other while databases in other
// schemas (tests run in parallel, one schema each) do not.
func (s *Store) lockID(ctx context.Context) (int64, error) {
	var schema string
	if err := s.db.WithContext(ctx).Raw("SELECT current_schema()").Scan(&schema).Error; err != nil {
		return 0, fmt.Errorf("store: migrate: read the current schema: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("cosellbot-migrate:" + schema))
	return int64(h.Sum64()), nil
}

// sayWaiting is a session locker that logs when the lock is held by
// another session, so that a replica waiting for another's migration
// (or for a session left holding it) says why it does not start.
type sayWaiting struct {
	lock.SessionLocker
	id int64
}

// SessionLock takes the lock at once when it is free, else logs and waits.
func (w sayWaiting) SessionLock(ctx context.Context, conn *sql.Conn) error {
	var got bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", w.id).Scan(&got); err != nil {
		return fmt.Errorf("store: migrate: take the migration lock: %w", err)
	}
	if got {
		return nil
	}
	slog.WarnContext(ctx, "store: another replica is migrating this schema: waiting for it (up to 5 minutes)", "advisory lock", w.id)
	if err := w.SessionLocker.SessionLock(ctx, conn); err != nil {
		return fmt.Errorf("store: migrate: the migration lock (pg_advisory_lock %d) stayed held for 5 minutes: see pg_locks for the session holding it: %w", w.id, err)
	}
	slog.InfoContext(ctx, "store: the other replica's migration ended")
	return nil
}
