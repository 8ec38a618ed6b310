package faq

import (
	"math"
	"testing"
)

// TestCalibrationIsCurrent refits the model on the tuning set and compares
// it with calibration.go: a change to the knowledge base, the features or
// the tuning set must come with `go run ./cmd/faqeval -calibrate`.
func TestCalibrationIsCurrent(t *testing.T) {
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
	for i := range m.Conf {
		stale = stale || !near(m.Conf[i], calibrated.Conf[i])
	}
	if stale {
		t.Errorf("calibration.go is stale: refit gives threshold %.4f (file %.4f); run go run ./cmd/faqeval -calibrate", m.Threshold, calibrated.Threshold)
	}
}

func TestSolve(t *testing.T) {
	a := [][]float64{{4, 1}, {1, 3}}
	x := solve(a, []float64{1, 2})
	if math.Abs(4*x[0]+x[1]-1) > 1e-12 || math.Abs(x[0]+3*x[1]-2) > 1e-12 {
		t.Errorf("solve = %v", x)
	}
}
