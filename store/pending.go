package store

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// Migrations tells how far the schema is: the version applied and the
// latest one this build knows. It changes nothing, so that cosellbot doctor
// can say "run cosellbot migrate" instead of migrating behind your back.
func (s *Store) Migrations(ctx context.Context) (current, latest int64, err error) {
	dir, err := fs.Sub(migrations, "migrations/"+s.dialect)
	if err != nil {
		return 0, 0, fmt.Errorf("store: migrations: %w", err)
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return 0, 0, fmt.Errorf("store: migrations: %w", err)
	}
	gooseDialect := goose.DialectSQLite3
	if s.dialect == Postgres {
		gooseDialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(gooseDialect, sqlDB, dir, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return 0, 0, fmt.Errorf("store: migrations %s: %w", s.dialect, err)
	}
	current, latest, err = p.GetVersions(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("store: migrations %s: %w", s.dialect, err)
	}
	return current, latest, nil
}
