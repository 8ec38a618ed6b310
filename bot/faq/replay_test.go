package faq

import (
	"slices"
	"strings"
	"testing"
)

// replayTallyOf answers a winner whose confidence reaches the threshold and
// that may answer; a message refused whole keeps its halves' shipped
// outcome; an answered out-of-scope question counts apart.
func TestReplayTallyOf(t *testing.T) {
	w := make([]float64, nConf)
	w[0] = 1 // the confidence is sigmoid(x[0])
	at := func(z float64) [nConf]float64 {
		var x [nConf]float64
		x[0] = z
		return x
	}
	sure, unsure := at(2), at(-2) // 0.88 and 0.12 against 0.5
	cases := []replayCase{
		{set: 0, lang: EN, right: true, gate: true, x: sure},              // right
		{set: 0, lang: EN, right: false, gate: true, x: sure},             // wrong
		{set: 0, lang: FR, right: true, gate: true, x: unsure},            // refused
		{set: 0, lang: FR, right: true, gate: true, x: unsure, parts: 1},  // right by its halves
		{set: 1, lang: SV, right: true, gate: true, x: unsure, parts: -1}, // wrong by its halves
		{set: 1, lang: SV, right: true, gate: false, x: sure},             // may not answer: refused
		{set: 1, lang: SV, oos: true, gate: true, x: sure},                // out of scope, answered
		{set: 1, lang: SV, oos: true, gate: true, x: unsure},              // out of scope, refused
	}
	got := replayTallyOf(cases, 2, w, 0.5)
	if got.right != 2 || got.wrong != 2 || got.asks != 6 || got.oos != 2 || got.oosAnswered != 1 {
		t.Errorf("right %d wrong %d asks %d oos %d answered %d; want 2, 2, 6, 2, 1", got.right, got.wrong, got.asks, got.oos, got.oosAnswered)
	}
	en, fr, sv := slices.Index(Langs, EN), slices.Index(Langs, FR), slices.Index(Langs, SV)
	if got.byLang[0][en] != [3]int{2, 1, 1} || got.byLang[0][fr] != [3]int{2, 1, 0} || got.byLang[1][sv] != [3]int{2, 0, 1} {
		t.Errorf("by set and language %v", got.byLang)
	}
	// Under 95 %: set 0's English (1 of 2) and French (1 of 2), set 1's
	// Swedish (0 of 2); languages a set does not have do not count.
	line := got.line(0.5)
	if got.oosBySet[0] != [2]int{0, 0} || got.oosBySet[1] != [2]int{2, 1} {
		t.Errorf("out of scope by set %v, want [0 0] [2 1]", got.oosBySet)
	}
	for _, want := range []string{"threshold 0.500", "2 right and 2 wrong of 6", "1 of 2 out-of-scope refused", "3 set-language pairs under 95 %", "1 sets refusing under 90 %"} {
		if !strings.Contains(line, want) {
			t.Errorf("line %q lacks %q", line, want)
		}
	}
}

// The replay always scores the setting Calibrate uses, so its line can be
// checked against faqeval's run.
func TestReplayGridHasTheShippedFit(t *testing.T) {
	if !slices.Contains(replayGrid(), shippedFit) {
		t.Errorf("replayGrid %v lacks the shipped %v", replayGrid(), shippedFit)
	}
}

// writeSets prints each set's right/wrong/asked per language and its
// out-of-scope questions refused.
func TestReplayWriteSets(t *testing.T) {
	tally := replayTally{byLang: make([][3][3]int, 1), oosBySet: [][2]int{{4, 1}}}
	tally.byLang[0][0] = [3]int{10, 8, 1}
	var b strings.Builder
	tally.writeSets(&b, []string{"dev.yaml"})
	if want := "dev.yaml       en 8/1/10 fr 0/0/0 sv 0/0/0 oos 3/4"; !strings.Contains(b.String(), want) {
		t.Errorf("writeSets = %q, want %q", b.String(), want)
	}
}

// answeredShares counts an answered out-of-scope question as wrong.
func TestAnsweredShares(t *testing.T) {
	w := make([]float64, nConf)
	w[0] = 1
	out := func(z float64, right, oos bool) outcome {
		o := outcome{right: right, oos: oos}
		o.x[0] = z
		return o
	}
	outs := []outcome{out(2, true, false), out(2, false, false), out(2, false, true), out(-2, true, false)}
	if got, want := answeredShares(outs, w, 0.5), "25.0 % right, 50.00 % wrong"; got != want {
		t.Errorf("answeredShares = %q, want %q", got, want)
	}
}
