package faq

import (
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
