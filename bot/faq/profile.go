package faq

import (
	"math"
	"math/bits"
)

// Term profile. Coverage asks whether an entry's phrasings contain the
// question's words at all; the profile asks how typical they are of the
// entry: a word found in most of an entry's phrasings (its knowledge-base
// wording and the tuning questions learned as examples) says more about the
// entry than one found in a single alternate. It is a naive-Bayes
// likelihood ratio, per question word, of the entry's phrasings against all
// phrasings, Dirichlet-smoothed towards the background so an entry with few
// phrasings is not judged on one of them.

// profileMu is the Dirichlet prior's weight, in phrasings.
const profileMu = 2.0

// background fills qt.bg: per word, the share of all phrasings using it or
// a word counting as it (synonym, typo candidate), credit-weighted. The
// phrasings masked leave-one-out (calibration only) are left out of it, as
// they are of every entry's own rate: a question unseen has no phrasing of
// its own in the background.
func (li *langIndex) background(qt *queryTerms, masked [][]int32) {
	// In a fixed order: a sum over the map's order would differ in its last
	// bits from one call to the next, and so could an answer on the threshold.
	for k, x := range qt.terms {
		for _, r := range qt.refs[k] {
			if r.part < 0 {
				qt.bg[r.group] += r.credit * li.pf[x]
			}
		}
	}
	for _, p := range masked {
		for _, x := range p {
			if !qt.has(x) {
				continue
			}
			for _, r := range qt.refsOf(x) {
				if r.part < 0 {
					qt.bg[r.group] -= r.credit
				}
			}
		}
	}
	n := li.nPhrasings - float64(len(masked))
	for g, v := range qt.bg {
		if v > 1e-9 {
			qt.bg[g] = math.Min(1, (v+0.5)/(n+1))
		} else {
			qt.bg[g] = 0
		}
	}
}

// profile accumulates, per question word, the credit it gets in each of an
// entry's phrasings.
type profile struct {
	qt  *queryTerms
	cnt []float64
	n   float64 // phrasings counted
}

func newProfile(qt *queryTerms) *profile {
	return &profile{qt: qt, cnt: make([]float64, len(qt.weights))}
}

// add counts one phrasing, whose credits are c.
func (p *profile) add(c *credits) {
	p.n++
	for on := c.on; on != 0; on &= on - 1 {
		g := bits.TrailingZeros64(on)
		p.cnt[g] += c.main[g]
	}
}

// score is the idf-weighted mean, over the question's known words, of the
// log ratio of the word's smoothed rate in the entry to its background rate.
func (p *profile) score() float64 {
	s, w := 0.0, 0.0
	for g, bg := range p.qt.bg {
		if bg <= 0 {
			continue
		}
		rate := (p.cnt[g] + profileMu*bg) / (p.n + profileMu)
		s += p.qt.weights[g] * math.Log(rate/bg)
		w += p.qt.weights[g]
	}
	if w == 0 {
		return 0
	}
	return s / p.qt.total
}
