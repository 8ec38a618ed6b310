package faq

import (
	"math"
	"math/rand/v2"
)

// Multinomial logistic regression (softmax) over sparse features, trained
// by stochastic gradient descent with AdaGrad step sizes and an L2 penalty.
// Hand-written because it is small: a machine-learning dependency would
// weigh more than the model. Training is deterministic: examples are
// visited in an order drawn from a fixed seed, and there is no concurrency.
//
// The three loops over the weights (trainSoftmax, step, probsInto) are
// marked //go:norace: under the race detector every weight read and write
// is a call into it, which made an index build take 45 s instead of 10 s
// (BenchmarkNewIndex with -race on 2 cores) and the test suite minutes
// longer. They touch only memory no other goroutine writes: a member's
// own model and scratch while it trains (the examples are only read), and
// at query time the caller's scratch and a model that is never written
// after its build. The code around them (the index build's goroutines,
// cross-fitting's folds, concurrent questions) stays instrumented.

// trainSpec sets the optimiser; defaultTrainSpec was chosen by
// cross-validation on the tuning set (go run ./cmd/faqeval -cv).
type trainSpec struct {
	epochs int
	lr     float64 // AdaGrad's base step
	l2     float64 // ridge penalty, per example seen
	seed   uint64
	// members is how many models, with seeds seed, seed+1…, are trained
	// (one after the other) and averaged: SGD's result depends on the order it
	// visits examples, and averaging evens that out.
	members int
	// answerW is the weight of an answer against a question's 1: answers
	// use the entry's words but are not worded like questions.
	answerW float64
}

// Tried in faq9b and not kept: 4 members instead of 2. Tuning 1755 right
// against 1760, 1938 ranked first against 1935; hold-out 992 against 993 at
// 8 wrong against 10, 38 of 45 refused against 39; fresh unchanged.
// Again in session 14 (3,245 in-scope tuning questions): hold-out 995 right
// (the same) at 9 wrong against 10, 39 of 45 refused; fresh 168 against 170
// at 3 wrong against 2, 29 of 30 refused against 30.
//
// lr and l2 were 0.5 and 1e-4 until the second chat batch of tuning
// questions: with half again as many examples the smaller, steadier step
// ranks 1.1 points more of the tuning set first in cross-validation
// (cvGrid), and after the refit the tuning set answers 2,631 right with 60
// wrong against 2,619 with 67.
// Tried in session 56 and not kept: 8 epochs. Refitted (threshold 0.399),
// the tuning set left one out 20 fewer right for 9 fewer wrong, the
// measured sets 1 fewer right for 1 more wrong.
var defaultTrainSpec = trainSpec{epochs: 6, lr: 0.2, l2: 1e-3, seed: 15, members: 2, answerW: 0.3}

// gradFloor: classes whose gradient on an example is below it are not
// updated for that example. Most of the 100-odd classes have a probability
// near zero on most examples; skipping them makes training about ten times
// faster, and their weights, never active, would only be shrunk by the
// penalty.
const gradFloor = 2e-3

// trainItem is one labelled text, weighed (answers weigh less than
// questions: they are worded unlike what users type).
type trainItem struct {
	x      sparse
	class  int32
	weight float32
}

// softmaxModel scores classes: w[f*nClass+c] is feature f's weight for
// class c while it trains; once compacted, q[f*nClass+c]·scale[f].
type softmaxModel struct {
	nClass int
	w      []float32
	bias   []float32
	q      []int8
	scale  []float32
}

// compact replaces the trained weights by 8-bit ones with a scale per
// feature: a quarter of the memory (the index holds two models of some
// 20,000 features × 117 classes: 20 MB as float32, 5 MB so), for
// probabilities that move by well under a thousandth.
func (m *softmaxModel) compact() {
	nFeat := len(m.w) / m.nClass
	m.q, m.scale = make([]int8, len(m.w)), make([]float32, nFeat)
	for f := range nFeat {
		row := m.w[f*m.nClass : (f+1)*m.nClass]
		var mx float32
		for _, w := range row {
			mx = max(mx, float32(math.Abs(float64(w))))
		}
		if mx == 0 {
			continue
		}
		sc := mx / 127
		m.scale[f] = sc
		for c, w := range row {
			m.q[f*m.nClass+c] = int8(math.Round(float64(w / sc)))
		}
	}
	m.w = nil
}

// trainSoftmax fits a softmax model of nClass classes over nFeat features.
//
// Not instrumented under -race: see the top of this file.
//
//go:norace
func trainSoftmax(items []trainItem, nFeat, nClass int, ts trainSpec) *softmaxModel {
	m := &softmaxModel{nClass: nClass, w: make([]float32, nFeat*nClass), bias: make([]float32, nClass)}
	g2 := make([]float32, len(m.w)) // AdaGrad: sum of squared gradients
	b2 := make([]float32, nClass)
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(ts.seed, 0x5eed))
	p := make([]float64, nClass)
	g := make([]float32, nClass)
	scores := make([]float32, nClass)
	for range ts.epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, k := range order {
			it := &items[k]
			m.probsInto(it.x, p, scores)
			for c := range g {
				g[c] = float32(p[c]) * it.weight
			}
			g[it.class] -= it.weight
			m.step(it.x, g, g2, b2, ts)
		}
	}
	return m
}

// step moves the weights of x's features against gradient g (per class).
//
// Not instrumented under -race: see the top of this file.
//
//go:norace
func (m *softmaxModel) step(x sparse, g, g2, b2 []float32, ts trainSpec) {
	lr, l2 := float32(ts.lr), float32(ts.l2)
	for c, gc := range g {
		if gc > -gradFloor && gc < gradFloor {
			continue
		}
		// The explicit conversions round every product, which forbids
		// fused multiply-adds: the model, hence calibration.go, is then the
		// same on every platform (TestCalibrationIsCurrent).
		b2[c] += float32(gc * gc)
		m.bias[c] -= float32(lr*gc) / sqrt32(b2[c]+1e-8)
		for j, f := range x.ids {
			i := int(f)*m.nClass + c
			d := float32(gc*x.vals[j]) + float32(l2*m.w[i])
			g2[i] += float32(d * d)
			m.w[i] -= float32(lr*d) / sqrt32(g2[i]+1e-8)
		}
	}
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

// probs writes the class probabilities of x into p (len nClass).
func (m *softmaxModel) probs(x sparse, p []float64) {
	m.probsInto(x, p, make([]float32, m.nClass))
}

// probsInto is probs with the caller's scratch for the scores (len nClass):
// training calls it once per example and epoch, and a fresh slice each
// time was most of an index build's garbage.
//
// Not instrumented under -race: see the top of this file.
//
//go:norace
func (m *softmaxModel) probsInto(x sparse, p []float64, s []float32) {
	copy(s, m.bias)
	for j, f := range x.ids {
		v := x.vals[j]
		if m.w == nil {
			addScaled8(s, m.q[int(f)*m.nClass:int(f+1)*m.nClass], float32(v*m.scale[f]))
			continue
		}
		addScaled(s, m.w[int(f)*m.nClass:int(f+1)*m.nClass], v)
	}
	mx := float32(math.Inf(-1))
	for _, v := range s {
		mx = max(mx, v)
	}
	sum := 0.0
	for c, v := range s {
		p[c] = math.Exp(float64(v - mx))
		sum += p[c]
	}
	for c := range p {
		p[c] /= sum
	}
}

// addScaled adds v·row to s, element by element (len(s) ≥ len(row)), four
// at a time: written as one loop, the bounds check of s and the loop's
// own test were as much of each element's work as the product, and this
// loop was two thirds of a build (training scores every example, six
// epochs, against every class). Each element is computed as before, one
// rounded product added, so the weights and probabilities are the same to
// the bit (TestCalibrationIsCurrent).
//
// Not instrumented under -race: see the top of this file.
//
//go:norace
func addScaled(s, row []float32, v float32) {
	s = s[:len(row)]
	i := 0
	for ; i+4 <= len(row); i += 4 {
		r, t := row[i:i+4:i+4], s[i:i+4:i+4]
		t[0] += float32(v * r[0]) // rounded: no fused multiply-add (see step)
		t[1] += float32(v * r[1])
		t[2] += float32(v * r[2])
		t[3] += float32(v * r[3])
	}
	for ; i < len(row); i++ {
		s[i] += float32(v * row[i])
	}
}

// addScaled8 is addScaled for a compacted model's 8-bit row (its scale
// already in v): the ranker's share of every question asked.
//
// Not instrumented under -race: see the top of this file.
//
//go:norace
func addScaled8(s []float32, row []int8, v float32) {
	s = s[:len(row)]
	i := 0
	for ; i+4 <= len(row); i += 4 {
		r, t := row[i:i+4:i+4], s[i:i+4:i+4]
		t[0] += float32(v * float32(r[0])) // rounded: no fused multiply-add (see step)
		t[1] += float32(v * float32(r[1]))
		t[2] += float32(v * float32(r[2]))
		t[3] += float32(v * float32(r[3]))
	}
	for ; i < len(row); i++ {
		s[i] += float32(v * float32(row[i]))
	}
}
