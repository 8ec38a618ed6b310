package store_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm/schema"

	"github.com/cosellbot/cosellbot/bot/logcapture"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

func TestOpenRefusesUnknownURLs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, url string
		wantIn    []string
		notIn     string
	}{
		{"mysql", "mysql://root@localhost/db", []string{"postgres://", "postgresql://", "sqlite:PATH", "sqlite::memory:"}, ""},
		{"empty", "", []string{"postgres://", "sqlite:PATH"}, ""},
		{"bare path", "cosellbot.db", []string{"postgres://", "sqlite:PATH"}, ""},
		{"password hidden", "mysql://root:s3cret@localhost/db", []string{"sqlite:PATH"}, "s3cret"},
		{"sqlite without a path", "sqlite:", []string{"sqlite:cosellbot.db", "sqlite::memory:"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := store.Open(t.Context(), tt.url)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded", tt.url)
			}
			for _, w := range tt.wantIn {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Open(%q) = %q, which does not name %q", tt.url, err, w)
				}
			}
			if tt.notIn != "" && strings.Contains(err.Error(), tt.notIn) {
				t.Errorf("Open(%q) = %q, which shows %q", tt.url, err, tt.notIn)
			}
		})
	}
}

func TestOpenUnreachablePostgres(t *testing.T) {
	t.Parallel()
	// Port 1 on localhost: nothing listens, the dial fails at once.
	s, err := store.Open(t.Context(), "postgres://u:pw@127.0.0.1:1/x?sslmode=disable&connect_timeout=2")
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded with no server")
	}
	if !strings.Contains(err.Error(), "store:") {
		t.Errorf("error %q lacks context", err)
	}
}

func TestMigrate(t *testing.T) {
	storetest.URLs(t, func(t *testing.T, url string) {
		ctx := t.Context()
		s, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		n, err := s.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n < 1 {
			t.Errorf("first Migrate applied %d migrations, want at least 1", n)
		}
		n, err = s.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("second Migrate applied %d migrations, want 0", n)
		}
		if err := s.Ping(ctx); err != nil {
			t.Errorf("Ping: %v", err)
		}
		if got := s.Dialect(); !strings.HasPrefix(url, got) {
			t.Errorf("Dialect() = %q for %s", got, url)
		}
	})
}

// Replicas that start together each run Migrate; every migration must be
// applied exactly once: the advisory lock serializes them. (Several replicas
// need PostgreSQL; SQLite serves one.)
// TestMigrateSaysItWaits checks that a replica waiting for another's
// migration says so, instead of starting minutes later without a word, and
// goes on once the lock is free.
func TestMigrateSaysItWaits(t *testing.T) {
	url := storetest.PostgresURL(t)
	ctx := t.Context()
	holder, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	id, err := store.MigrationLockID(ctx, holder)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := store.GormDB(holder).DB()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", id); err != nil {
		t.Fatal(err)
	}
	var logs logcapture.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	defer slog.SetDefault(prev)
	s, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	done := make(chan error, 1)
	go func() { _, err := s.Migrate(ctx); done <- err }()
	for !strings.Contains(logs.String(), "another replica is migrating this schema") {
		select {
		case err := <-done:
			t.Fatalf("Migrate ended (%v) while the lock was held; log: %s", err, logs.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", id); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Migrate after the lock was freed: %v", err)
	}
}

func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	ctx := t.Context()
	const replicas = 5
	stores := make([]*store.Store, replicas)
	for i := range stores {
		s, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
		errs  []error
	)
	start := make(chan struct{})
	for _, s := range stores {
		wg.Go(func() {
			<-start
			n, err := s.Migrate(ctx)
			mu.Lock()
			defer mu.Unlock()
			total += n
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	n, err := stores[0].Migrate(ctx)
	if err != nil || n != 0 {
		t.Fatalf("Migrate after the replicas = %d, %v; want 0, nil", n, err)
	}
	if want := migrationCount(t); total != want {
		t.Errorf("replicas applied %d migrations in all, want %d", total, want)
	}
}

// migrationCount is the number of migrations a fresh database gets.
func migrationCount(t *testing.T) int {
	t.Helper()
	s, err := store.Open(t.Context(), "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n, err := s.Migrate(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOpenMemory(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, err := store.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	d := outbound("in memory", "loc-1")
	if err := s.CreateDeal(ctx, d, at("a@x.example", "created", "")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetDeal(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
}

// The SQL migrations and the GORM models must not drift: every model field
// has its column, every column its field, every model index exists.
func TestSchemaMatchesModels(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		db := store.GormDB(s)
		m := db.Migrator()
		for _, model := range store.Models {
			sch, err := schema.Parse(model, &sync.Map{}, db.NamingStrategy)
			if err != nil {
				t.Fatal(err)
			}
			if !m.HasTable(model) {
				t.Errorf("table %s is missing", sch.Table)
				continue
			}
			fields := map[string]bool{}
			for _, f := range sch.Fields {
				if f.DBName == "" {
					continue
				}
				fields[f.DBName] = true
				if !m.HasColumn(model, f.DBName) {
					t.Errorf("%s.%s (field %s) has no column", sch.Table, f.DBName, f.Name)
				}
			}
			cols, err := m.ColumnTypes(model)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cols {
				if !fields[c.Name()] {
					t.Errorf("column %s.%s has no model field", sch.Table, c.Name())
				}
			}
			modelIndexes := map[string]bool{}
			for _, idx := range sch.ParseIndexes() {
				modelIndexes[idx.Name] = true
				if !m.HasIndex(model, idx.Name) {
					t.Errorf("index %s on %s is missing", idx.Name, sch.Table)
				}
			}
			// Indexes the migrations created (not those behind primary keys).
			query := "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL"
			if s.Dialect() == store.Postgres {
				query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ? AND indexname NOT LIKE '%_pkey'"
			}
			var dbIndexes []string
			if err := db.Raw(query, sch.Table).Scan(&dbIndexes).Error; err != nil {
				t.Fatal(err)
			}
			if len(dbIndexes) == 0 && len(modelIndexes) > 0 {
				t.Errorf("found no index on %s", sch.Table)
			}
			for _, name := range dbIndexes {
				if !modelIndexes[name] {
					t.Errorf("index %s on %s is not declared in the model", name, sch.Table)
				}
			}
		}
	})
}

func TestCanceledContext(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		d := outbound("never", "loc-1")
		if err := s.CreateDeal(ctx, d, at("a@x.example", "created", "")); err == nil {
			t.Fatal("CreateDeal with a canceled context succeeded")
		}
		if d.ID != 0 || d.Version != 0 {
			t.Errorf("failed CreateDeal set id %d, version %d", d.ID, d.Version)
		}
		all, err := s.ListDeals(t.Context(), store.DealFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 0 {
			t.Errorf("a canceled CreateDeal left %d deals", len(all))
		}
	})
}
