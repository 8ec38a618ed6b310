package faq

import (
	"strings"
	"testing"
)

// curveLine counts, answering the most confident first, the right answers
// reached before more than w wrong ones.
func TestCurveLineCountsRightAnswersAtFixedWrongOnes(t *testing.T) {
	// Confidence order: right, wrong×12, right×3, wrong×10, right.
	var outs []outcome
	var p []float64
	add := func(right bool, n int) {
		for range n {
			outs = append(outs, outcome{right: right})
			p = append(p, 1-float64(len(p))/100)
		}
	}
	add(true, 1)
	add(false, 12)
	add(true, 3)
	add(false, 10)
	add(true, 1)
	line := curveLine(outs, p, 1)
	for _, want := range []string{"w10:1 ", "w15:4 ", "w20:4 ", "w25:5 ", "w50:5 ", "sum(w15..w40) 23"} {
		if !strings.Contains(line, want) {
			t.Errorf("curve %q lacks %q", line, want)
		}
	}
}
