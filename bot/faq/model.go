package faq

import (
	"math"
)

// Model holds the fitted weights: Rank scores a candidate from its features
// (score.go), Conf turns the winner's features and its lead over the
// runner-up into a confidence in [0,1], and Threshold is the confidence
// under which Ask refuses. calibration.go holds the values fitted on the
// tuning set by Calibrate.
type Model struct {
	Rank      [nRank]float64
	Conf      [nConf]float64
	Threshold float64
}

// Confidence features: the winner's rank features, then these.
const (
	cRank   = nRank + iota // the winner's ranking score
	cMargin                // its lead over the runner-up's score
	cProb                  // its share of the softmax over all candidates' scores
	cCovLow                // how far its coverage falls under 0.6 (a hinge: a lead means little when the winner explains little)
	cClassP                // the learned ranker's probability of it (fClass is its logarithm)
	nConf
)

// confFeatures describes the winner of a ranked candidate list.
func confFeatures(cands []candidate) [nConf]float64 {
	var x [nConf]float64
	top := cands[0]
	copy(x[:nRank], top.x[:])
	x[cRank] = top.rank
	x[cMargin] = top.rank // alone: its lead is its whole score
	if len(cands) > 1 {
		x[cMargin] = top.rank - cands[1].rank
	}
	sum := 0.0
	for _, c := range cands {
		sum += math.Exp(c.rank - top.rank)
	}
	x[cProb] = 1 / sum
	x[cCovLow] = math.Max(0, 0.6-top.x[fCov])
	x[cClassP] = math.Exp(10*top.x[fClass] - 10)
	return x
}

func (m *Model) score(x [nRank]float64) float64 {
	s := 0.0
	for i, w := range m.Rank {
		s += w * x[i]
	}
	return s
}

func (m *Model) confidence(cands []candidate) float64 {
	x := confFeatures(cands)
	s := 0.0
	for i, w := range m.Conf {
		s += w * x[i]
	}
	return sigmoid(s)
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }
