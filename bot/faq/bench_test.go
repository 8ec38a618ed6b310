package faq

import (
	"slices"
	"testing"
	"time"
)

// BenchmarkAsk asks the whole eval set per iteration and reports per-question
// latency percentiles (the budget is p99 ≤ 2 ms).
func BenchmarkAsk(b *testing.B) {
	ix := loadIndex(b)
	cases := loadCases(b, "testdata/holdout.yaml")
	durations := make([]time.Duration, 0, len(cases)*max(b.N, 1))
	b.ResetTimer()
	for b.Loop() {
		for _, c := range cases {
			start := time.Now()
			ix.Ask(c.Question)
			durations = append(durations, time.Since(start))
		}
	}
	b.StopTimer()
	slices.Sort(durations)
	pct := func(p float64) float64 {
		return float64(durations[int(p*float64(len(durations)-1))].Microseconds())
	}
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
	b.ReportMetric(float64(len(cases)), "questions/op")
}

// BenchmarkNewIndex measures a full rebuild, which happens at start-up and
// after every knowledge-base edit.
func BenchmarkNewIndex(b *testing.B) {
	entries, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		ix, err := NewIndex(entries)
		if err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}
