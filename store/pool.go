package store

import (
	"runtime"
	"time"

	"gorm.io/gorm"
)

// Connection pools. database/sql keeps only 2 idle connections by default:
// under concurrent load every other request opened a connection and closed
// it again, which on SQLite means running the pragmas and reading the schema
// each time, and on PostgreSQL a new backend process per request (issue 16
// measured 26 % of the CPU in connection opening, and 832 new Postgres
// sessions in 8 seconds). So idle = open everywhere, and connections live
// long enough that steady load opens none.
const (
	// connMaxLifetime recycles a connection now and then (a restarted
	// PgBouncer, a failed-over primary, memory a backend has grown).
	connMaxLifetime = 30 * time.Minute
	// connMaxIdleTime closes connections that a past burst needed and the
	// present load does not.
	connMaxIdleTime = 10 * time.Minute
)

// postgresConns is the PostgreSQL pool size: enough for the concurrent
// requests a replica serves on a few cores, small enough that a handful of
// replicas stay far below max_connections (100 by default).
func postgresConns() int { return max(16, 4*runtime.GOMAXPROCS(0)) }

// sqliteReaders is the size of SQLite's read-only pool. In WAL mode readers
// never wait for the writer nor for each other, so reads scale with the
// cores while the writer works.
func sqliteReaders() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

// sqliteReadParams are the read-only pool's: no _txlock=immediate (a read
// must never take the write lock) and query_only, so that a write sent there
// by mistake fails instead of competing with the writer. journal_mode is the
// file's and was set by the writer.
const sqliteReadParams = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=query_only(1)"

// gormConfig is both pools' GORM configuration. Statements are prepared
// once per connection below GORM, not by GORM's PrepareStmt, which prepares
// a statement again in every transaction (stmtcache.go): pgx keeps each
// connection's statements by itself, and the SQLite connections are
// wrapped to do the same.
func gormConfig(cfg *gorm.Config) *gorm.Config {
	c := *cfg
	c.PrepareStmt = false
	return &c
}

// sizePool applies the pool settings to a GORM database.
func sizePool(db *gorm.DB, open int) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	sqlDB.SetMaxOpenConns(open)
	sqlDB.SetMaxIdleConns(open)
	sqlDB.SetConnMaxLifetime(connMaxLifetime)
	sqlDB.SetConnMaxIdleTime(connMaxIdleTime)
	return nil
}

// sqliteSplit sets up SQLite as one writer and a pool of readers over the
// same file: db (the writer) gets a single connection, so that writers queue
// in Go rather than in SQLite's busy-wait (which sleeps in steps of up to
// 100 ms), and the returned readers serve every read outside a transaction,
// so that reads never wait behind a write. dsn is the writer's DSN without
// the store's parameters: "file:PATH" plus the caller's own "?…".
func sqliteSplit(db *gorm.DB, cfg *gorm.Config, dsn, sep string) (*gorm.DB, error) {
	if err := sizePool(db, 1); err != nil {
		return nil, err
	}
	dialector, err := sqliteDialector(dsn + sep + sqliteReadParams)
	if err != nil {
		return nil, err
	}
	rd, err := gorm.Open(dialector, gormConfig(cfg))
	if err != nil {
		return nil, err
	}
	if err := sizePool(rd, sqliteReaders()); err != nil {
		return nil, err
	}
	return rd, nil
}
