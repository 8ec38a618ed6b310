package faq

import (
	"slices"
	"testing"
)

// TestCVAssign: near-duplicates of one entry share a fold, whatever their
// language, and so do translations (one Case.Group) however they are
// worded; different entries' questions and texts always trained on do not
// get one.
func TestCVAssign(t *testing.T) {
	texts := []rankerText{
		{"what is cpor", EN, 0, kbQuestion, "", ""},
		{"cpor commission 20%", EN, 0, kbAlternate, "", ""}, // copies the first tuning question
		{"cpor commission 20%?", EN, 0, tuningText, "", ""},
		{"commission cpor 20 % ?", FR, 0, tuningText, "", ""}, // its translation
		{"how do i claim cpor", EN, 0, tuningText, "", ""},
		{"csa commission 20%?", EN, 1, tuningText, "", ""}, // alike, but another entry
		{"an answer", EN, 1, kbAnswer, "", ""},
		{"price of an office licence", EN, 2, tuningText, "t.yaml:3/0", ""},
		{"tell me a joke", EN, 2, tuningText, "t.yaml:3/1", ""},
		{"pris på en kontorslicens", SV, 2, tuningText, "t.yaml:3/0", ""}, // a translation sharing few trigrams
	}
	got := cvAssign(texts, 5, 0)
	if got[0] != -1 || got[6] != -1 {
		t.Errorf("canonical question and answer in folds %d, %d; want -1 (always trained on)", got[0], got[6])
	}
	if got[1] != got[2] || got[2] != got[3] {
		t.Errorf("near-duplicates in folds %v, want one fold", got[1:4])
	}
	if got[4] == got[2] || got[5] == got[2] {
		t.Errorf("folds %v: a distinct question or another entry's shares the group's fold", got)
	}
	if got[7] != got[9] || got[8] == got[7] {
		t.Errorf("folds %v: translations apart, or another question of the item with them", got[7:])
	}
}

// TestCrossFit: a tuning question's cross-fitted probabilities come from a
// model that did not see it, so they are less sure than the shipped
// ranker's, yet still name the right entry most of the time.
func TestCrossFit(t *testing.T) {
	ix := loadIndex(t)
	cases, err := LoadCaseFiles("testdata", scoredTuningFiles...)
	if err != nil {
		t.Fatal(err)
	}
	oof := ix.oofProbs(cases, 0) // TestEval's, on the same cases
	var inScope, top1 int
	var sumOOF, sumFull float64
	for i, c := range cases {
		if c.Expect == OutOfScope || oof[i] == nil {
			continue
		}
		want, _ := ix.classOf(c.Expect)
		inScope++
		if slices.Index(oof[i], slices.Max(oof[i])) == int(want) {
			top1++
		}
		sumOOF += oof[i][want]
		sumFull += ix.probs(ix.ranker, sanitize(c.Question), c.Lang)[want]
	}
	if sumOOF >= sumFull {
		t.Errorf("mean probability of the expected entry: cross-fitted %.3f ≥ in-sample %.3f", sumOOF/float64(inScope), sumFull/float64(inScope))
	}
	if acc := float64(top1) / float64(inScope); acc < 0.83 {
		t.Errorf("cross-fitted top-1 %.3f, want ≥ 0.83 (0.849 on scoredTuningFiles in session 30)", acc)
	}
}
