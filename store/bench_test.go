package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// BenchmarkCreateDeal stores a full deal and its audit event per iteration.
func BenchmarkCreateDeal(b *testing.B) {
	storetest.BenchDialects(b, func(b *testing.B, s *store.Store) {
		ctx := b.Context()
		i := 0
		for b.Loop() {
			d := fullDeal()
			d.ExternalID, d.CRMID = fmt.Sprintf("bench-%d", i), fmt.Sprintf("crm-bench-%d", i) // each one deal's
			i++
			if err := s.CreateDeal(ctx, d, at("bench@x.example", "created", "benchmark")); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAdvanceStage is a "deal stage" command: read the deal, mark its
// next stage, store it with its audit event.
func BenchmarkAdvanceStage(b *testing.B) {
	storetest.BenchDialects(b, func(b *testing.B, s *store.Store) {
		ctx := b.Context()
		d := outbound("bench", "loc-1")
		if err := s.CreateDeal(ctx, d, at("bench@x.example", "created", "")); err != nil {
			b.Fatal(err)
		}
		now := t0
		for b.Loop() {
			cur, err := s.GetDeal(ctx, d.ID)
			if err != nil {
				b.Fatal(err)
			}
			next, ok := cur.NextStage()
			if !ok { // at the last stage: start over, so that every iteration advances
				cur.Stage, cur.Marked = deal.StageCreated, nil
				next = deal.StageQualified
			}
			now = now.Add(time.Second)
			ev, err := cur.MarkStage(next, now)
			if err != nil {
				b.Fatal(err)
			}
			if err := s.UpdateDeal(ctx, cur, store.AuditOf(now, "bench@x.example", ev)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkListDeals10k lists every deal of a store holding 10,000 (seeded
// once, outside the timing).
func BenchmarkListDeals10k(b *testing.B) {
	const n = 10_000
	storetest.BenchDialects(b, func(b *testing.B, s *store.Store) {
		ctx := b.Context()
		seedFullDeals(b, s, n)
		for b.Loop() {
			got, err := s.ListDeals(ctx, store.DealFilter{})
			if err != nil {
				b.Fatal(err)
			}
			if len(got) != n {
				b.Fatalf("listed %d deals, want %d", len(got), n)
			}
		}
	})
}

// BenchmarkDealByCRMID10k finds a deal by crm_id among 10,000, as a CRM
// record's first event does (the deal's body used to be scanned: 13 ms a
// lookup at 5,000 deals).
func BenchmarkDealByCRMID10k(b *testing.B) {
	const n = 10_000
	storetest.BenchDialects(b, func(b *testing.B, s *store.Store) {
		ctx := b.Context()
		seedFullDeals(b, s, n)
		i := 0
		for b.Loop() {
			id := fmt.Sprintf("opp-%d", i*7919%n)
			d, err := s.DealByCRMID(ctx, id)
			if err != nil || d.CRMID != id {
				b.Fatalf("DealByCRMID(%s) = %v, %v", id, d, err)
			}
			i++
		}
	})
}

// seedFullDeals stores n full deals, deal i with external id seed-i and
// crm_id opp-i, outside the timing.
func seedFullDeals(b *testing.B, s *store.Store, n int) {
	b.Helper()
	ds := make([]*deal.Deal, n)
	for i := range ds {
		d := fullDeal()
		d.ExternalID, d.CRMID = fmt.Sprintf("seed-%d", i), fmt.Sprintf("opp-%d", i)
		ds[i] = d
	}
	if err := store.SeedDeals(b.Context(), s, ds); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkForgetInbox10k forgets 10,000 applied deliveries of 2 KB, with
// 1,000 recent ones kept behind them, per iteration (the seeding is not
// timed): the cost of serve's hourly retention pass, and how long it holds
// the writer in all. Each iteration's deliveries come 60 days after the
// last's, as time goes on in service, so that the last iteration's recent
// ones are forgotten too.
func BenchmarkForgetInbox10k(b *testing.B) {
	const n, recent = 10_000, 1_000
	storetest.BenchDialects(b, func(b *testing.B, s *store.Store) {
		ctx := b.Context()
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		body := []byte(strings.Repeat("x", 2048))
		seeded, kept := 0, 0
		seed := func(count int, at time.Time) {
			entries := make([]store.InboxEntry, count)
			for i := range entries {
				entries[i] = store.InboxEntry{Source: "generic", Key: fmt.Sprintf("k-%d", seeded), Body: body,
					Status: store.InboxProcessed, ReceivedAt: at, ProcessedAt: at}
				seeded++
			}
			for start := 0; start < count; start += 500 {
				if _, err := s.AddInbox(ctx, entries[start:min(start+500, count)]); err != nil {
					b.Fatal(err)
				}
			}
		}
		forgotten := 0
		for b.Loop() {
			b.StopTimer()
			cut := at.Add(30 * 24 * time.Hour)
			seed(n, at)
			seed(recent, cut.Add(time.Hour))
			b.StartTimer()
			got, err := s.ForgetInbox(ctx, cut)
			if want := n + kept; err != nil || got != int64(want) {
				b.Fatalf("forgot %d, %v; want %d", got, err, want)
			}
			forgotten += int(got)
			kept = recent
			at = at.Add(60 * 24 * time.Hour)
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(forgotten), "µs/row")
	})
}
