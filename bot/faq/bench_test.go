package faq

import (
	"slices"
	"testing"
	"time"
)

// BenchmarkAsk asks the whole hold-out set per iteration and reports
// per-question percentiles (the budget is p99 ≤ 2 ms): wall time, and on
// Linux the process's CPU time, which a loaded machine does not inflate.
func BenchmarkAsk(b *testing.B) { benchmarkAsk(b, 0) }

// BenchmarkAskPaced asks the hold-out's questions 10 ms apart, as a server
// answering 100 questions a second does: between two questions the caches
// serve other work, and a question costs more than back to back.
func BenchmarkAskPaced(b *testing.B) { benchmarkAsk(b, 10*time.Millisecond) }

// benchmarkAsk asks every hold-out question per pass, pace apart, and
// reports the wall and process CPU percentiles of one question.
func benchmarkAsk(b *testing.B, pace time.Duration) {
	ix := loadIndex(b)
	cases := loadCases(b, "testdata/holdout.yaml")
	wall := make([]time.Duration, 0, len(cases)*max(b.N, 1))
	cpu := make([]time.Duration, 0, len(cases)*max(b.N, 1))
	b.ResetTimer()
	for b.Loop() {
		for _, c := range cases {
			if pace > 0 {
				time.Sleep(pace)
			}
			c0, ok := processCPU()
			start := time.Now()
			ix.Ask(c.Question)
			wall = append(wall, time.Since(start))
			if c1, _ := processCPU(); ok {
				cpu = append(cpu, c1-c0)
			}
		}
	}
	b.StopTimer()
	pct := func(ds []time.Duration, p float64) float64 {
		slices.Sort(ds)
		return float64(ds[int(p*float64(len(ds)-1))].Microseconds())
	}
	b.ReportMetric(pct(wall, 0.50), "p50-µs")
	b.ReportMetric(pct(wall, 0.99), "p99-µs")
	if len(cpu) > 0 {
		b.ReportMetric(pct(cpu, 0.50), "cpu-p50-µs")
		b.ReportMetric(pct(cpu, 0.99), "cpu-p99-µs")
	}
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
