package store_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// seedPipeline fills the deals table of a PostgreSQL store with n deals, of
// which due are received referrals due for their 7-day reminder at now; of
// the rest, one in twenty is a received referral expiring later (outside
// every reminder window), the others are closed. It inserts on the server
// (INSERT … SELECT over generate_series), which is what makes a million
// rows take seconds.
func seedPipeline(tb testing.TB, s *store.Store, n, due int, now time.Time) {
	tb.Helper()
	const body = `{"customer":{"account":"other"},"help":"none","from":"microsoft","microsoft":"accepted"}`
	db := store.GormDB(s)
	err := db.Exec(`
INSERT INTO deals (version, name, direction, kind, sale_type, status, stage, location, value, currency,
                   customer_name, customer_location, favorite, expires_at, created_at, updated_at, body)
SELECT 1, 'deal ' || i, 'inbound', 'services_cosell', 'cosell',
       CASE WHEN i <= @due OR i % 20 = 0 THEN 'received' ELSE (ARRAY['won','lost','declined','expired'])[1 + i % 4] END,
       '', 'loc-' || (i % 50), 100000, 'USD', 'Customer ' || i, 'SE', false,
       CASE WHEN i <= @due THEN CAST(@now AS timestamptz) + interval '7 days' - interval '30 minutes' + (i * interval '1 millisecond')
            ELSE CAST(@now AS timestamptz) + interval '7 days 1 hour' + ((i % 518400) * interval '1 second') END,
       CAST(@now AS timestamptz) - interval '30 days', CAST(@now AS timestamptz) - interval '20 days', @body
FROM generate_series(1, @n) AS i`,
		map[string]any{"n": n, "due": due, "now": now, "body": body}).Error
	if err != nil {
		tb.Fatalf("seed %d deals: %v", n, err)
	}
	if err := db.Exec("ANALYZE deals").Error; err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkSweep is one sweep pass over pipelines of growing size with
// 1,000 referrals due for a reminder: it fires them and writes their outbox
// rows (one subscribed channel), then rolls back so that every iteration
// does the same work. The time should follow what is due, not the table.
// The 1,000,000-deal size runs only with COSELLBOT_BENCH_LARGE=1.
func BenchmarkSweep(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if os.Getenv("COSELLBOT_BENCH_LARGE") == "1" {
		sizes = append(sizes, 1_000_000)
	}
	const due = 1000
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, n := range sizes {
		b.Run(fmt.Sprintf("deals=%d/due=%d", n, due), func(b *testing.B) {
			s := storetest.OpenPostgres(b)
			seedPipeline(b, s, n, due, now)
			ctx := context.Background()
			place := chat.Place{Platform: "log", Channel: "alerts"}
			if err := s.Subscribe(ctx, ledger.Subscription{Place: place, CreatedAt: now}, store.Audit{At: now, Actor: "b", Action: "subscribed"}); err != nil {
				b.Fatal(err)
			}
			cfg := remind.DefaultConfig()
			cfg.DigestHour = 23
			fired := 0
			for b.Loop() {
				err := s.Rehearse(ctx, func(r *store.Store) error {
					rep, err := remind.NewSweeper(r, cfg, nil).Run(ctx, now)
					fired = len(rep.Lines)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			if fired != due {
				b.Fatalf("a sweep fired %d reminders, want %d", fired, due)
			}
		})
	}
}
