package faq

import (
	"fmt"
	"hash/fnv"
	"io"
	"sort"
)

// ConfidenceCurve (go run ./cmd/faqeval -curve) writes to out how many
// tuning questions the confidence answers right at a given number of wrong
// answers (an in-scope question answered with another entry or an
// out-of-scope one answered), answering the most confident first: a
// comparison of confidence models that does not depend on where the
// threshold falls. "in" is the fit as Calibrate makes it; "cv" fits the
// confidence on nine tenths of the questions (translations together) and
// scores the rest, which tells features that separate from features that
// memorise. "base" keeps only the confidence features before cLexTop.
func ConfidenceCurve(ix *Index, cases []Case, out io.Writer) error {
	salts := calibrationPartitions
	weight := 1 / float64(len(salts))
	m, outs, kept, err := calibrate(ix, cases, salts)
	if err != nil {
		return err
	}
	const k = 10
	fold := make([]int, len(outs))
	for i, c := range kept {
		h := fnv.New32a()
		key := c.Group
		if key == "" {
			key = c.Question
		}
		h.Write([]byte(key))
		fold[i] = int(h.Sum32() % k)
	}
	fmt.Fprintf(out, "threshold %.3f\n", m.Threshold)
	for _, set := range []struct {
		name string
		n    int
	}{{"base", cLexTop}, {"all", nConf}} {
		xs := make([]outcome, len(outs))
		for i, o := range outs {
			for f := set.n; f < nConf; f++ {
				o.x[f] = 0
			}
			xs[i] = o
		}
		in, cv := make([]float64, len(xs)), make([]float64, len(xs))
		w := fitConfidence(xs, weight, shippedFit)
		for i, o := range xs {
			in[i] = confidenceOf(w, &o.x)
		}
		for f := range k {
			var tr []outcome
			for i, o := range xs {
				if fold[i] != f {
					tr = append(tr, o)
				}
			}
			w := fitConfidence(tr, weight, shippedFit)
			for i, o := range xs {
				if fold[i] == f {
					cv[i] = confidenceOf(w, &o.x)
				}
			}
		}
		fmt.Fprintf(out, "%-4s in %s\n%-4s cv %s\n", set.name, curveLine(xs, in, len(salts)), set.name, curveLine(xs, cv, len(salts)))
	}
	return nil
}

// curveLine lists the right answers at most w wrong ones, for a few w (each
// question counts once per partition stacked: scale).
func curveLine(outs []outcome, p []float64, scale int) string {
	idx := make([]int, len(outs))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return p[idx[a]] > p[idx[b]] })
	marks := []int{10, 15, 20, 25, 30, 40, 50}
	best := make([]int, len(marks))
	right, wrong := 0, 0
	for _, i := range idx {
		if outs[i].right {
			right++
		} else {
			wrong++
		}
		for j, w := range marks {
			if wrong <= w*scale {
				best[j] = max(best[j], right)
			}
		}
	}
	line, sum := "", 0
	for j, w := range marks {
		line += fmt.Sprintf(" w%d:%d", w, best[j]/scale)
		if w >= 15 && w <= 40 {
			sum += best[j] / scale
		}
	}
	return fmt.Sprintf("%s  sum(w15..w40) %d", line, sum)
}
