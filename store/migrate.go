package store

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds the schema, one directory of goose SQL files per dialect.
// Add a change as the next number in both directories (00002_outbox.sql, …).
//
//go:embed migrations/postgres/*.sql migrations/sqlite/*.sql
var migrations embed.FS

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
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(id))
		if err != nil {
			return nil, fmt.Errorf("store: migrate: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
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
