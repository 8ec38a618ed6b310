package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/cosellbot/cosellbot/bot/deal"
)

// Hooks for the tests of package store_test (which cannot be package store:
// storetest imports store).

// GormDB is the store's GORM handle.
func GormDB(s *Store) *gorm.DB { return s.db }

// Models lists every GORM model.
var Models = models

// EventsOf is the audit trail of any subject ("deal", "solution", "user").
func EventsOf(ctx context.Context, s *Store, subjectType, subjectID string) ([]Audit, error) {
	return s.events(ctx, subjectType, subjectID)
}

// SeedDeals inserts many deals in one transaction, without audit events, for
// benchmarks; it sets their ids and versions.
func SeedDeals(ctx context.Context, s *Store, ds []*deal.Deal) error {
	rows := make([]dealRow, len(ds))
	for i, d := range ds {
		r, err := toDealRow(d)
		if err != nil {
			return err
		}
		r.Version = 1
		rows[i] = r
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return tx.CreateInBatches(rows, 500).Error
	})
	if err != nil {
		return fmt.Errorf("seed deals: %w", err)
	}
	for i := range ds {
		ds[i].ID, ds[i].Version = rows[i].ID, rows[i].Version
	}
	return nil
}

// AuditOf builds the audit line of a deal operation from the deal.Event it
// returned.
func AuditOf(at time.Time, actor string, e deal.Event) Audit {
	return Audit{At: at, Actor: actor, Action: e.Action, Detail: e.Detail}
}

// Pools are the store's connection pools: the writer, then the read-only
// pool when it has one of its own (an SQLite file).
func Pools(s *Store) []*gorm.DB { return s.pools() }

// DealCacheHits counts the deals GetDeal served from its cache.
func DealCacheHits(s *Store) int64 { return s.cache.hits.Load() }

// DealCacheLive reports whether GetDeal's cache is on (CacheDeals watching).
func DealCacheLive(s *Store) bool { return s.cache.isLive() }

// SetDealHeartbeat sets how long s's PostgreSQL deal watcher stays quiet
// before it probes its connection; call it before CacheDeals.
func SetDealHeartbeat(s *Store, d time.Duration) { s.heartbeat = d }

// MigrateDownTo rolls the schema back to version v (Migrate brings it up
// again): how a test sees a migration fill a column from older rows.
func MigrateDownTo(ctx context.Context, s *Store, v int64) error {
	p, err := s.migrations(ctx)
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, v)
	return err
}

// WrittenEarly counts the writes units made before their end instead of
// holding them.
func WrittenEarly(s *Store) int64 { return s.early.Load() }

// MigrationLockID is the advisory lock Migrate takes on PostgreSQL.
func MigrationLockID(ctx context.Context, s *Store) (int64, error) { return s.lockID(ctx) }
