package storetest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// A database of storetest's dated more than staleAfter ago (its binary was
// killed before its cleanups, or the migrations changed since it was a
// template) is dropped by the next binary's template step; one dated now,
// and the template kept, are not.
func TestDropStaleKeepsWhatMayBeInUse(t *testing.T) {
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Skip(SkipMessage)
	}
	ctx := t.Context()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(context.Background()) }) // after the drops below
	old, recent, keep := testDBPrefix+"zzold_"+randomHex(t, 4), testDBPrefix+"zznew_"+randomHex(t, 4), testDBPrefix+"zzkeep_"+randomHex(t, 4)
	for _, name := range []string{old, recent, keep} {
		if err := createDatabase(ctx, admin, name, "template0"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name) })
	}
	for _, name := range []string{old, keep} {
		if _, err := admin.Exec(ctx, "COMMENT ON DATABASE "+name+" IS '"+time.Now().Add(-2*staleAfter).UTC().Format(time.RFC3339)+"'"); err != nil {
			t.Fatal(err)
		}
	}
	dropStale(ctx, admin, keep)
	for name, want := range map[string]bool{old: false, recent: true, keep: true} {
		var exists bool
		if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
			t.Fatal(err)
		}
		if exists != want {
			t.Errorf("%s exists: %v, want %v", name, exists, want)
		}
	}
}
