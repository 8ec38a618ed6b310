package faq

import (
	"math"
	"os"
	"testing"
)

// TestCalibrationIsCurrent refits the model on the tuning set and compares
// it with calibration.go: a change to the knowledge base, the features or
// the tuning set must come with `go run ./cmd/faqeval -calibrate`. The fit
// is deterministic, so when calibration.go records the very inputs and
// weights it was fitted from (CalibrationDigest) the refit is skipped; it
// takes five minutes on a 2-core VM. FAQ_REFIT=1 forces it.
func TestCalibrationIsCurrent(t *testing.T) {
	digest, err := CalibrationDigest(".", calibrated)
	if err != nil {
		t.Fatal(err)
	}
	if digest == calibratedFrom && Platform() == calibratedOn && os.Getenv("FAQ_REFIT") == "" {
		t.Logf("calibration.go was fitted from these inputs (%.12s) on %s: no refit; FAQ_REFIT=1 forces one", digest, calibratedOn)
		return
	}
	ix := loadIndex(t)
	cases, err := LoadCaseFiles("testdata", TuningFiles...)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Calibrate(ix, cases)
	if err != nil {
		t.Fatal(err)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }
	stale := !near(m.Threshold, calibrated.Threshold)
	for i := range m.Rank {
		stale = stale || !near(m.Rank[i], calibrated.Rank[i])
	}
	for i := range m.Rerank {
		stale = stale || !near(m.Rerank[i], calibrated.Rerank[i])
	}
	for i := range m.Conf {
		stale = stale || !near(m.Conf[i], calibrated.Conf[i])
	}
	if stale {
		t.Errorf("calibration.go is stale: refit gives threshold %.4f (file %.4f); run go run ./cmd/faqeval -calibrate", m.Threshold, calibrated.Threshold)
	} else if digest != calibratedFrom {
		// Current, but recorded from other inputs (code changed without
		// changing the fit): every run would refit until it is recorded.
		// Another Go version or architecture alone is no such change.
		t.Errorf("calibration.go matches the refit but records other inputs (%.12s, now %.12s): run go run ./cmd/faqeval -calibrate to record them", calibratedFrom, digest)
	}
}

func TestSolve(t *testing.T) {
	a := [][]float64{{4, 1}, {1, 3}}
	x := solve(a, []float64{1, 2})
	if math.Abs(4*x[0]+x[1]-1) > 1e-12 || math.Abs(x[0]+3*x[1]-2) > 1e-12 {
		t.Errorf("solve = %v", x)
	}
}

// TestPickThreshold: the threshold separates right answers from wrong ones
// when confidences do, and a lone right answer among wrong ones does not
// pull it down to itself.
func TestPickThreshold(t *testing.T) {
	var m Model
	m.Conf[fBias] = 1 // confidence = sigmoid(x[fBias])
	at := func(p float64, right bool) outcome {
		var o outcome
		o.x[fBias] = math.Log(p / (1 - p))
		o.right = right
		return o
	}
	var sep []outcome
	for i := 0; i < 20; i++ {
		sep = append(sep, at(0.90+float64(i)*0.004, true), at(0.30+float64(i)*0.004, false))
	}
	if th := pickThreshold(&m, sep, wrongCost); th <= 0.38 || th >= 0.90 {
		t.Errorf("separable: threshold %.3f, want between 0.38 and 0.90", th)
	}
	spike := append(sep[:len(sep):len(sep)], at(0.6, true))
	for i := 0; i < 6; i++ {
		spike = append(spike, at(0.62+float64(i)*0.01, false))
	}
	if th := pickThreshold(&m, spike, wrongCost); th < 0.6 {
		t.Errorf("lone right answer at 0.6 under wrong ones: threshold %.3f, want ≥ 0.6", th)
	}
}
