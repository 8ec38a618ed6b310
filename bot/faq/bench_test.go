package faq

import (
	"slices"
	"strings"
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

// BenchmarkAskStories asks the tuning-chat13 questions of 20 words or more:
// a whole case told in a paragraph, the question in its middle. They cost
// the most (every word meets phrasings to score), and the budget holds for
// them too. They are learned examples, so each meets its own copy; that
// adds one phrasing to score among hundreds.
func BenchmarkAskStories(b *testing.B) {
	var long []Case
	for _, c := range loadCases(b, "testdata/tuning-chat13.yaml") {
		if len(strings.Fields(c.Question)) >= 20 {
			long = append(long, c)
		}
	}
	benchmarkCases(b, long, 0)
}

// benchmarkAsk asks every hold-out question per pass, pace apart.
func benchmarkAsk(b *testing.B, pace time.Duration) {
	benchmarkCases(b, loadCases(b, "testdata/holdout.yaml"), pace)
}

// benchmarkCases asks every case's question per pass, pace apart, and
// reports the wall and process CPU percentiles of one question.
func benchmarkCases(b *testing.B, cases []Case, pace time.Duration) {
	ix := loadIndex(b)
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

// BenchmarkNeighbourIndex measures the neighbour index's part of a build
// (neighbours.go): every build makes it, a one-shot ask included, which
// finds the ranker and the analysis in its cache but not this.
func BenchmarkNeighbourIndex(b *testing.B) {
	ix := loadIndex(b)
	tuning, err := embeddedTuning()
	if err != nil {
		b.Fatal(err)
	}
	texts := ix.rankerTexts(tuning)
	b.ReportAllocs()
	for b.Loop() {
		newNeighbourIndex(texts, len(ix.order)+1)
	}
}
