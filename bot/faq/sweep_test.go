package faq

import (
	"fmt"
	"os"
	"sort"
	"testing"
)

// TestThresholdSweep prints, for a range of thresholds, what the eval set
// would score, and the confidence distributions behind DefaultThreshold.
// It documents how the threshold was chosen; run with FAQ_SWEEP=1 -v.
func TestThresholdSweep(t *testing.T) {
	if os.Getenv("FAQ_SWEEP") == "" {
		t.Skip("set FAQ_SWEEP=1 to print the threshold sweep")
	}
	ix := loadIndex(t)
	for _, file := range []string{"testdata/eval.yaml", "testdata/holdout.yaml"} {
		cases := loadCases(t, file)
		var right, wrongTop, oos []float64
		for _, c := range cases {
			res, top := ix.ask(c.Question)
			switch {
			case c.Expect == OutOfScope:
				oos = append(oos, res.Confidence)
			case top.id == c.Expect && res.Lang == c.Lang:
				right = append(right, res.Confidence)
			default:
				wrongTop = append(wrongTop, res.Confidence)
			}
		}
		for _, s := range [][]float64{right, wrongTop, oos} {
			sort.Float64s(s)
		}
		fmt.Printf("\n%s\nconfidence of correct top hits: %v\nconfidence of wrong top hits:   %v\nconfidence of out-of-scope:     %v\n",
			file, fmtFloats(right), fmtFloats(wrongTop), fmtFloats(oos))
		fmt.Printf("threshold  accuracy  wrong-answers  false-refusals  oos-refusal\n")
		saved := ix.threshold
		for th := 0.20; th <= 0.701; th += 0.02 {
			ix.threshold = th
			r := Evaluate(ix, cases)
			wrong := 0
			for _, lr := range r.ByLang {
				wrong += lr.Wrong
			}
			fmt.Printf("   %.2f     %5.1f%%       %3d            %3d          %5.1f%%\n",
				th, 100*r.Accuracy, wrong, r.FalseRefusals, 100*r.RefusalRate)
		}
		ix.threshold = saved
	}
}

func fmtFloats(xs []float64) string {
	s := "["
	for i, x := range xs {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%.2f", x)
	}
	return s + "]"
}
