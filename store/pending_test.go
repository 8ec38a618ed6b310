package store_test

import (
	"context"
	"testing"

	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

func TestMigrationsReportsWithoutApplying(t *testing.T) {
	storetest.URLs(t, func(t *testing.T, url string) {
		ctx := context.Background()
		st, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		cur, latest, err := st.Migrations(ctx)
		if err != nil || cur != 0 || latest < 1 {
			t.Fatalf("fresh database: current %d, latest %d, %v", cur, latest, err)
		}
		if cur2, _, _ := st.Migrations(ctx); cur2 != 0 {
			t.Fatal("Migrations applied something")
		}
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if cur, latest, err = st.Migrations(ctx); err != nil || cur != latest {
			t.Fatalf("after migrate: current %d, latest %d, %v", cur, latest, err)
		}
	})
}
