package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// On an SQLite file a read must not wait for the single writer: while a
// write transaction holds the writer connection, deals are still read.
func TestSQLiteReadsDoNotWaitForTheWriter(t *testing.T) {
	t.Parallel()
	s := storetest.OpenSQLite(t)
	ctx := t.Context()
	d := outbound("read while writing", "loc-1")
	if err := s.CreateDeal(ctx, d, at("a@x.example", "created", "")); err != nil {
		t.Fatal(err)
	}
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.Rehearse(ctx, func(tx *store.Store) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	got, err := s.GetDeal(rctx, d.ID)
	if err != nil {
		t.Errorf("GetDeal while a write transaction is open: %v", err)
	} else if got.Name != d.Name {
		t.Errorf("GetDeal = %q, want %q", got.Name, d.Name)
	}
	if _, err := s.ListDeals(rctx, store.DealFilter{}); err != nil {
		t.Errorf("ListDeals while a write transaction is open: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// The read-only pool refuses writes, so that nothing can write around the
// single writer by mistake.
func TestSQLiteReadPoolIsReadOnly(t *testing.T) {
	t.Parallel()
	s := storetest.OpenSQLite(t)
	pools := store.Pools(s)
	if len(pools) != 2 {
		t.Fatalf("an SQLite file has %d pools, want a writer and a read pool", len(pools))
	}
	err := pools[1].WithContext(t.Context()).Exec("CREATE TABLE nope (id INTEGER)").Error
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "readonly") {
		t.Errorf("a write through the read pool: err = %v, want a read-only error", err)
	}
}

// Under concurrent use no connection is closed for want of an idle slot,
// on either dialect: steady load opens no new connection once the pool
// has what it needs.
func TestPoolsKeepTheirConnections(t *testing.T) {
	t.Parallel()
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		d := outbound("pooled", "loc-1")
		if err := s.CreateDeal(ctx, d, at("a@x.example", "created", "")); err != nil {
			t.Fatal(err)
		}
		read := func() {
			var wg sync.WaitGroup
			errs := make(chan error, 32)
			for range 32 {
				wg.Go(func() {
					if _, err := s.GetDeal(ctx, d.ID); err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			if err := errors.Join(func() (all []error) {
				for e := range errs {
					all = append(all, e)
				}
				return all
			}()...); err != nil {
				t.Fatal(err)
			}
		}
		for range 6 {
			read()
		}
		for i, p := range store.Pools(s) {
			db, err := p.DB()
			if err != nil {
				t.Fatal(err)
			}
			st := db.Stats()
			if closed := st.MaxIdleClosed + st.MaxIdleTimeClosed + st.MaxLifetimeClosed; closed != 0 {
				t.Errorf("pool %d closed %d connections under steady load (for want of idle slots: %d; max open %d), so it opens new ones",
					i, closed, st.MaxIdleClosed, st.MaxOpenConnections)
			}
			if st.OpenConnections > st.MaxOpenConnections {
				t.Errorf("pool %d: %d connections open, more than its %d", i, st.OpenConnections, st.MaxOpenConnections)
			}
		}
	})
}
