package faq

import (
	"reflect"
	"slices"
	"testing"
)

func TestExamplesOf(t *testing.T) {
	ex := examplesOf([]Case{
		{Question: "a", Lang: EN, Expect: "x"},
		{Question: "b", Lang: EN, Expect: "x"},
		{Question: "c", Lang: SV, Expect: "x"},
		{Question: "d", Lang: FR, Expect: OutOfScope},
	})
	if !slices.Equal(ex["x"][EN], []string{"a", "b"}) || !slices.Equal(ex["x"][SV], []string{"c"}) {
		t.Errorf("examples = %v", ex)
	}
	if _, ok := ex[OutOfScope]; ok {
		t.Errorf("out-of-scope questions became examples: %v", ex[OutOfScope])
	}
}

// TestEmbeddedExamples: the learned examples are the tuning files, never the
// hold-out (which must stay unseen to measure anything).
func TestEmbeddedExamples(t *testing.T) {
	ex, err := embeddedExamples()
	if err != nil {
		t.Fatal(err)
	}
	tuning, err := LoadCaseFiles("testdata", TuningFiles...)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, byLang := range ex {
		for _, qs := range byLang {
			n += len(qs)
		}
	}
	in := 0
	for _, c := range tuning {
		if c.Expect != OutOfScope {
			in++
		}
	}
	if n != in {
		t.Errorf("%d examples, want the %d in-scope tuning questions", n, in)
	}
	holdout, err := LoadCaseFiles("testdata", HoldoutFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range holdout {
		if c.Expect != OutOfScope && slices.Contains(ex[c.Expect][c.Lang], c.Question) {
			t.Errorf("hold-out question %q is a learned example", c.Question)
		}
	}
}

// TestProfile: a word in most of an entry's phrasings scores higher than one
// in a single phrasing, and a word missing scores below zero.
func TestProfile(t *testing.T) {
	qt := &queryTerms{weights: []float64{1}, total: 1, bg: []float64{0.1}}
	score := func(hits, n int) float64 {
		p := newProfile(qt)
		for i := 0; i < n; i++ {
			c := credits{main: []float64{0}}
			if i < hits {
				c.main[0], c.on = 1, 1
			}
			p.add(&c)
		}
		return p.score()
	}
	if most, one, none := score(8, 10), score(1, 10), score(0, 10); !(most > one && one > none && none < 0) {
		t.Errorf("profile scores: 8/10 %.2f, 1/10 %.2f, 0/10 %.2f", most, one, none)
	}
}

// TestCachedTuning: a build with a model cache keeps the parsed tuning set
// there and reads it back as parsed, examples and all; a torn copy is
// parsed again and written anew; without a cache nothing is kept.
func TestCachedTuning(t *testing.T) {
	want, err := embeddedTuning()
	if err != nil {
		t.Fatal(err)
	}
	wantEx, err := embeddedExamples()
	if err != nil {
		t.Fatal(err)
	}
	mem := &memCache{}
	c := &countingCache{ModelCache: mem}
	check := func(step string, hits, puts int) {
		t.Helper()
		cases, ex, err := cachedTuning(c)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if !reflect.DeepEqual(cases, want) || !reflect.DeepEqual(ex, wantEx) {
			t.Fatalf("%s: the tuning set read differs from the one parsed (%d cases, want %d)", step, len(cases), len(want))
		}
		if c.hits != hits || c.puts != puts {
			t.Fatalf("%s: %d hits, %d writes; want %d and %d", step, c.hits, c.puts, hits, puts)
		}
	}
	check("first build", 0, 1)
	check("second build", 1, 1)
	for key := range mem.entries() {
		mem.Put(key, []byte("torn"))
	}
	check("torn copy", 2, 2)
	check("after the torn copy", 3, 2)
	if cases, _, err := cachedTuning(nil); err != nil || len(cases) != len(want) {
		t.Fatalf("without a cache: %d cases, %v", len(cases), err)
	}
}
