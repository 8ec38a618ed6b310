package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// Replicas polling at once save the poll's cursor over the version they
// read: one save is taken, the others are refused with ErrConflict (their
// polls read the cursor again, merge and save again). Every save used to
// be taken, the last winning, and the failed referrals the others held for
// retry went with their saves. The replicas are stores of their own on one
// database, their saves started together, on the first save (no row yet)
// and on a later one.
func TestReplicasSavingTheCursorAtOnceTakeOneSave(t *testing.T) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			url := storetest.SQLiteURL(t)
			if dialect == store.Postgres {
				url = storetest.PostgresURL(t)
			}
			replicas := make([]*store.Store, 2)
			for i := range replicas {
				s, err := store.Open(t.Context(), url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				if _, err := s.Migrate(t.Context()); err != nil {
					t.Fatal(err)
				}
				replicas[i] = s
			}
			const name, savers = "partnercenter-poll", 8
			for round := range 3 {
				base, err := replicas[0].Cursor(t.Context(), name)
				if err != nil || base.Version != int64(round) {
					t.Fatalf("round %d: the cursor read %+v, %v; want version %d", round, base, err, round)
				}
				start := make(chan struct{})
				errs := make([]error, savers)
				var wg sync.WaitGroup
				for i := range savers {
					wg.Go(func() {
						<-start
						c := change.Cursor{At: t0.Add(time.Duration(round) * time.Hour), Next: fmt.Sprintf(`{"held":["r%d"]}`, i), Version: base.Version}
						errs[i] = replicas[i%len(replicas)].SaveCursor(t.Context(), name, c)
					})
				}
				close(start)
				wg.Wait()
				taken := -1
				for i, err := range errs {
					switch {
					case err == nil && taken >= 0:
						t.Errorf("round %d: saves %d and %d over version %d both taken", round, taken, i, base.Version)
					case err == nil:
						taken = i
					case !errors.Is(err, store.ErrConflict):
						t.Errorf("round %d: save %d: %v, want ErrConflict", round, i, err)
					}
				}
				if taken < 0 {
					t.Fatalf("round %d: no save taken: %v", round, errs)
				}
				got, err := replicas[1].Cursor(t.Context(), name)
				want := change.Cursor{At: t0.Add(time.Duration(round) * time.Hour), Next: fmt.Sprintf(`{"held":["r%d"]}`, taken), Version: base.Version + 1}
				if err != nil || !got.At.Equal(want.At) || got.Next != want.Next || got.Version != want.Version {
					t.Errorf("round %d: the cursor is %+v, %v; want the save taken, %+v", round, got, err, want)
				}
			}
		})
	}
}
