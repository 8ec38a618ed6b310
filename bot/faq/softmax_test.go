package faq

import (
	"math"
	"slices"
	"testing"
)

// toyItems: three classes, each told apart by its own feature; feature 3 is
// shared noise.
func toyItems() []trainItem {
	var items []trainItem
	for c := range int32(3) {
		for range 5 {
			items = append(items, trainItem{x: sparse{ids: []int32{c, 3}, vals: []float32{1, 0.5}}, class: c, weight: 1})
		}
	}
	return items
}

func TestTrainSoftmax(t *testing.T) {
	ts := trainSpec{epochs: 20, lr: 0.5, l2: 1e-4, seed: 1}
	m := trainSoftmax(toyItems(), 4, 3, ts)
	p := make([]float64, 3)
	for c := range int32(3) {
		m.probs(sparse{ids: []int32{c}, vals: []float32{1}}, p)
		if sum := p[0] + p[1] + p[2]; math.Abs(sum-1) > 1e-9 {
			t.Errorf("class %d: probabilities sum to %v", c, sum)
		}
		if top := slices.Index(p, slices.Max(p)); top != int(c) || p[c] < 0.8 {
			t.Errorf("class %d: probabilities %v, want class %d above 0.8", c, p, c)
		}
	}
	// The shared feature alone says little: no class is sure.
	m.probs(sparse{ids: []int32{3}, vals: []float32{1}}, p)
	if slices.Max(p) > 0.6 {
		t.Errorf("shared feature: probabilities %v, want none above 0.6", p)
	}
}

func TestTrainSoftmaxDeterministic(t *testing.T) {
	ts := trainSpec{epochs: 5, lr: 0.5, l2: 1e-4, seed: 7}
	a := trainSoftmax(toyItems(), 4, 3, ts)
	b := trainSoftmax(toyItems(), 4, 3, ts)
	if !slices.Equal(a.w, b.w) || !slices.Equal(a.bias, b.bias) {
		t.Error("two trainings with the same seed differ")
	}
	ts.seed = 8
	if c := trainSoftmax(toyItems(), 4, 3, ts); slices.Equal(a.w, c.w) {
		t.Error("the seed does not change the visiting order")
	}
}
