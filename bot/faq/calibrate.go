package faq

import (
	"bytes"
	"fmt"
	"go/format"
	"math"
	"sort"
)

// Calibration. The ranking weights are a conditional logit (softmax over a
// question's candidates) fitted so that the expected entry ranks first; the
// confidence is a logistic regression of "the winner is the right answer"
// (false for every out-of-scope question) on the winner's features; the
// threshold maximises right answers minus wrongCost times wrong ones over
// the tuning set. Both fits use Newton's method with a small L2 penalty:
// deterministic, so TestCalibrationIsCurrent can refit and compare.

// wrongCost is what a wrong answer (or an answered out-of-scope question)
// costs against a right one: a partner who acts on a wrong deal-registration
// rule loses more than one who gets "I don't know" and three suggestions.
const wrongCost = 3.0

// l2 is the ridge penalty of both fits; it only keeps weights finite where
// a feature separates the tuning set perfectly.
const l2 = 0.5

// calibrationMask hides, while calibrating, the phrasings a tuning question
// matches almost word for word (see langIndex.features): alternates were
// written from the tuning set's misses, and a question must not be scored
// against its own copy.
const calibrationMask = 0.9

// calibrationRounds is how often the ranking weights are refitted on the
// merge of languages the previous weights make.
const calibrationRounds = 4

// Calibrate fits a Model on labelled cases (the tuning set, never the
// hold-out) with ix's candidate features.
func Calibrate(ix *Index, cases []Case) (Model, error) {
	// An entry is a candidate in each language; ranking keeps its best
	// language, which depends on the weights being fitted. So start from
	// "native language first, then coverage" and refit on the merge the
	// previous weights make, a few rounds (it settles in two or three).
	var m Model
	m.Rank[fCov], m.Rank[fCross] = 1, -10
	type qcands struct {
		c     Case
		cands []candidate
	}
	var qs []qcands
	for round := 0; round < calibrationRounds; round++ {
		qs = qs[:0]
		var groups [][][nRank]float64
		var wantIdx []int
		for _, c := range cases {
			q := sanitize(c.Question)
			cands := ix.rank(q, detectLang(q, ix.vocab), &m, calibrationMask)
			qs = append(qs, qcands{c, cands})
			if c.Expect == OutOfScope {
				continue
			}
			i := -1
			xs := make([][nRank]float64, len(cands))
			for j, cd := range cands {
				xs[j] = cd.x
				if cd.id == c.Expect {
					i = j
				}
			}
			if i >= 0 && len(cands) > 1 {
				groups = append(groups, xs)
				wantIdx = append(wantIdx, i)
			}
		}
		if len(groups) == 0 {
			return m, fmt.Errorf("faq: calibrate: no in-scope case has its entry among the candidates")
		}
		copy(m.Rank[:], fitSoftmax(groups, wantIdx, nRank))
	}

	var X [][]float64
	var y []float64
	type scored struct {
		right, oos bool
		x          [nConf]float64
	}
	var outcomes []scored
	for _, q := range qs {
		if len(q.cands) == 0 {
			continue
		}
		for i := range q.cands {
			q.cands[i].rank = m.score(q.cands[i].x)
		}
		sortCandidates(ix, q.cands)
		x := confFeatures(q.cands)
		right := q.c.Expect != OutOfScope && q.cands[0].id == q.c.Expect && detectLang(sanitize(q.c.Question), ix.vocab) == q.c.Lang
		outcomes = append(outcomes, scored{right, q.c.Expect == OutOfScope, x})
		X = append(X, x[:])
		y = append(y, b2f(right))
	}
	conf := fitLogistic(X, y, nConf)
	copy(m.Conf[:], conf)

	// Threshold: the middle of the best-scoring interval between two
	// consecutive confidences.
	type point struct {
		p     float64
		right bool
	}
	pts := make([]point, len(outcomes))
	for i, o := range outcomes {
		s := 0.0
		for j, w := range m.Conf {
			s += w * o.x[j]
		}
		pts[i] = point{sigmoid(s), o.right}
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].p > pts[j].p })
	best, util, bestI := 0.0, 0.0, -1
	for i, p := range pts { // answering the i+1 most confident
		if p.right {
			util++
		} else {
			util -= wrongCost
		}
		if util > best {
			best, bestI = util, i
		}
	}
	switch {
	case bestI < 0:
		m.Threshold = 1
	case bestI == len(pts)-1:
		m.Threshold = pts[bestI].p / 2
	default:
		m.Threshold = (pts[bestI].p + pts[bestI+1].p) / 2
	}
	return m, nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func sortCandidates(ix *Index, cs []candidate) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].rank != cs[j].rank {
			return cs[i].rank > cs[j].rank
		}
		return ix.pos[cs[i].id] < ix.pos[cs[j].id]
	})
}

// fitSoftmax maximises Σ log softmax(w·x)[want] − l2/2·|w|² by Newton's
// method. The bias feature cancels out of a softmax; the penalty keeps it 0.
func fitSoftmax(groups [][][nRank]float64, want []int, dim int) []float64 {
	w := make([]float64, dim)
	for iter := 0; iter < 50; iter++ {
		g := make([]float64, dim)
		h := make([][]float64, dim)
		for i := range h {
			h[i] = make([]float64, dim)
		}
		for k, xs := range groups {
			ps := softmax(w, xs)
			mean := make([]float64, dim)
			for j, x := range xs {
				for a := 0; a < dim; a++ {
					mean[a] += ps[j] * x[a]
				}
			}
			for a := 0; a < dim; a++ {
				g[a] += xs[want[k]][a] - mean[a]
			}
			for j, x := range xs {
				for a := 0; a < dim; a++ {
					da := x[a] - mean[a]
					for b := 0; b < dim; b++ {
						h[a][b] += ps[j] * da * (x[b] - mean[b])
					}
				}
			}
		}
		if newtonStep(w, g, h) < 1e-10 {
			break
		}
	}
	return w
}

func softmax(w []float64, xs [][nRank]float64) []float64 {
	ps := make([]float64, len(xs))
	mx := math.Inf(-1)
	for j, x := range xs {
		s := 0.0
		for a := range w {
			s += w[a] * x[a]
		}
		ps[j] = s
		mx = math.Max(mx, s)
	}
	sum := 0.0
	for j := range ps {
		ps[j] = math.Exp(ps[j] - mx)
		sum += ps[j]
	}
	for j := range ps {
		ps[j] /= sum
	}
	return ps
}

// fitLogistic maximises the log-likelihood of y given X − l2/2·|w|².
func fitLogistic(X [][]float64, y []float64, dim int) []float64 {
	w := make([]float64, dim)
	for iter := 0; iter < 50; iter++ {
		g := make([]float64, dim)
		h := make([][]float64, dim)
		for i := range h {
			h[i] = make([]float64, dim)
		}
		for k, x := range X {
			s := 0.0
			for a := range w {
				s += w[a] * x[a]
			}
			p := sigmoid(s)
			for a := 0; a < dim; a++ {
				g[a] += (y[k] - p) * x[a]
				for b := 0; b < dim; b++ {
					h[a][b] += p * (1 - p) * x[a] * x[b]
				}
			}
		}
		if newtonStep(w, g, h) < 1e-10 {
			break
		}
	}
	return w
}

// newtonStep adds the L2 penalty to gradient g and (negated) Hessian h,
// solves h·d = g and moves w by d; it returns |d|.
func newtonStep(w, g []float64, h [][]float64) float64 {
	n := len(w)
	for a := 0; a < n; a++ {
		g[a] -= l2 * w[a]
		h[a][a] += l2
	}
	d := solve(h, g)
	norm := 0.0
	for a := range w {
		w[a] += d[a]
		norm += d[a] * d[a]
	}
	return math.Sqrt(norm)
}

// solve solves a·x = b by Gaussian elimination with partial pivoting; a is
// symmetric positive definite here (a Hessian plus a ridge).
func solve(a [][]float64, b []float64) []float64 {
	n := len(b)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(append([]float64{}, a[i]...), b[i])
	}
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		m[c], m[p] = m[p], m[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := m[r][n]
		for k := r + 1; k < n; k++ {
			s -= m[r][k] * x[k]
		}
		x[r] = s / m[r][r]
	}
	return x
}

// GoSource renders the model as calibration.go.
func (m Model) GoSource(origin string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by `go run ./cmd/faqeval -calibrate`; DO NOT EDIT.\n\npackage faq\n\n")
	fmt.Fprintf(&b, "// calibrated was fitted by Calibrate on %s.\nvar calibrated = Model{\n\tRank: [nRank]float64{\n", origin)
	for i, w := range m.Rank {
		fmt.Fprintf(&b, "\t\t%v, // %s\n", w, rankFeatureNames[i])
	}
	fmt.Fprintf(&b, "\t},\n\tConf: [nConf]float64{\n")
	for i, w := range m.Conf {
		name := "winner's rank score"
		switch {
		case i < nRank:
			name = "winner's " + rankFeatureNames[i]
		case i == cMargin:
			name = "lead over the runner-up"
		case i == cProb:
			name = "softmax share"
		}
		fmt.Fprintf(&b, "\t\t%v, // %s\n", w, name)
	}
	fmt.Fprintf(&b, "\t},\n\tThreshold: %v,\n}\n", m.Threshold)
	return format.Source(b.Bytes())
}
