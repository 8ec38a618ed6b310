package faq

import (
	"fmt"
	"io"
	"slices"
)

// A replay (go run ./cmd/faqeval -replay) refits the confidence under
// other fit settings and scores the measured sets with it without ranking
// anything again: the tuning set's winners (cross-fitted, as Calibrate
// sees them) and the measured sets' winners (as Ask ranks them) are
// described once, which takes as long as a calibration, and each setting
// then costs a logistic fit, a second or two, where a refit and a run of
// faqeval take a quarter of an hour. Session 45 chose wrongWeight with it.
//
// It is exact for a question answered or refused whole. A message Ask
// answers by its halves (parts.go) because the shipped model refused the
// whole keeps its halves' shipped outcome when the replayed model refuses
// the whole too; one the shipped model answered whole and the replayed one
// refuses counts as refused, its halves unasked. So the shipped setting
// replays to faqeval's figures, and a setting whose threshold is higher
// than the shipped one's reads low by the halves it does not ask. In
// session 45, replayed from wrongWeight 2's winners, wrongWeight 3 gave
// 11,973 right, 116 wrong and 868 of 904 out-of-scope questions refused,
// where its refit's faqeval run gave 11,980, 118 and 867; replayed from
// wrongWeight 3's, wrongWeight 2 gave 11,919 right, where faqeval had
// given it 11,948 (117 wrong either way).

// fitSpec weighs the confidence fit and prices the threshold.
type fitSpec struct {
	wrongWeight float64 // fitConfidence's weight of a wrong in-scope winner
	wrongCost   float64 // pickThreshold's price of a wrong answer
	oosShare    float64 // fitConfidence's share of the out-of-scope questions
}

// shippedFit is the fit Calibrate makes.
var shippedFit = fitSpec{wrongWeight: wrongWeight, wrongCost: wrongCost, oosShare: oosShare}

// replayGrid are the settings a replay scores: wrongWeight by wrongCost
// around the shipped ones, then oosShare either side of its own.
func replayGrid() []fitSpec {
	var g []fitSpec
	for _, ww := range []float64{2, 2.5, 3, 4} {
		for _, cost := range []float64{2, 2.5, 3} {
			g = append(g, fitSpec{ww, cost, oosShare})
		}
	}
	for _, share := range []float64{0.15, 0.35} {
		g = append(g, fitSpec{wrongWeight, wrongCost, share})
	}
	return g
}

// replayCase is a measured question's winner as Ask ranked it.
type replayCase struct {
	set   int // its set's place in the replay's list
	lang  Lang
	oos   bool
	right bool // the winner is its entry (or one that answers it too), in its language
	gate  bool // the winner may answer at all (candidate.answers)
	x     [nConf]float64
	// parts is the shipped outcome of a message answered by its halves
	// while its whole was refused: 1 right, -1 wrong, 0 none.
	parts int8
}

// replayTally counts a replayed model's outcomes over the measured sets.
type replayTally struct {
	// byLang[set][lang]: in-scope questions, right answers, wrong ones.
	byLang [][3][3]int
	// oosBySet[set]: out-of-scope questions, answered ones.
	oosBySet           [][2]int
	oos, oosAnswered   int
	right, wrong, asks int
}

// ReplayConfidence writes to out, for each setting of replayGrid, the
// threshold the refit picks on the tuning set and what the measured sets
// (named, in order) would get: right and wrong answers, out-of-scope
// questions refused, accuracy per language, how many set-and-language
// pairs stay under 95 % and how many sets refuse under 90 % of their
// out-of-scope questions; then the tuning set's answered shares and each
// set's figures (writeSets).
func ReplayConfidence(ix *Index, tuning []Case, names []string, measured [][]Case, out io.Writer) error {
	_, outs, _, err := calibrate(ix, tuning, calibrationPartitions)
	if err != nil {
		return err
	}
	weight := 1 / float64(len(calibrationPartitions))
	var cases []replayCase
	for s, set := range measured {
		for _, c := range set {
			rc := ix.replayCase(c)
			rc.set = s
			cases = append(cases, rc)
		}
	}
	fmt.Fprintf(out, "shipped: threshold %.3f (wrongWeight %.1f, wrongCost %.1f, oosShare %.2f)\n", ix.threshold, wrongWeight, wrongCost, oosShare)
	for _, spec := range replayGrid() {
		m := Model{}
		copy(m.Conf[:], fitConfidence(outs, weight, spec))
		thr := pickThreshold(&m, outs, spec.wrongCost)
		t := replayTallyOf(cases, len(measured), m.Conf[:], thr)
		fmt.Fprintf(out, "wrongWeight %.1f wrongCost %.1f oosShare %.2f: %s; tuning set %s\n", spec.wrongWeight, spec.wrongCost, spec.oosShare, t.line(thr), answeredShares(outs, m.Conf[:], thr))
		t.writeSets(out, names)
	}
	return nil
}

// answeredShares is how much of the tuning set (each partition's winners)
// weights w answer at threshold thr, right and wrong (an out-of-scope
// question answered counting wrong): the wrong share issue 15 bounds, on
// the set the threshold was picked on.
func answeredShares(outs []outcome, w []float64, thr float64) string {
	right, wrong := 0, 0
	for i := range outs {
		if confidenceOf(w, &outs[i].x) < thr {
			continue
		}
		if outs[i].right {
			right++
		} else {
			wrong++
		}
	}
	return fmt.Sprintf("%.1f %% right, %.2f %% wrong", 100*ratio(right, len(outs)), 100*ratio(wrong, len(outs)))
}

// writeSets writes the tally set by set (named, in order): per language
// right/wrong/asked, then out-of-scope refused/asked. Read the development
// sets' lines to choose a setting, the hold-out's and fresh sets' only to
// report it.
func (t replayTally) writeSets(out io.Writer, names []string) {
	for s, name := range names {
		fmt.Fprintf(out, "   %-14s", name)
		for l, n := range t.byLang[s] {
			fmt.Fprintf(out, " %s %d/%d/%d", Langs[l], n[1], n[2], n[0])
		}
		fmt.Fprintf(out, " oos %d/%d\n", t.oosBySet[s][0]-t.oosBySet[s][1], t.oosBySet[s][0])
	}
}

// replayCase describes c's winner as Ask ranks it. A question nothing
// matches has none: no model answers it whole (gate false), and faqeval
// counts it all the same.
func (ix *Index) replayCase(c Case) replayCase {
	rc := replayCase{lang: c.Lang, oos: c.Expect == OutOfScope}
	res, cands := ix.ask(c.Question, nil)
	if len(cands) > 0 {
		rc.right = !rc.oos && c.answeredBy(cands[0].id) && res.Lang == c.Lang
		rc.gate = cands[0].answers()
		rc.x = ix.model.confFeatures(cands)
	}
	if !res.Answered {
		if full := ix.askParts(ix.asking(res.Lang), c.Question, res, cands); full.Answered {
			rc.parts = -1
			if !rc.oos && c.answeredBy(full.EntryID) && full.Lang == c.Lang {
				rc.parts = 1
			}
		}
	}
	return rc
}

// replayTallyOf scores the measured cases under confidence weights w and
// threshold thr.
func replayTallyOf(cases []replayCase, sets int, w []float64, thr float64) replayTally {
	t := replayTally{byLang: make([][3][3]int, sets), oosBySet: make([][2]int, sets)}
	for _, c := range cases {
		outcome := c.parts // refused whole: its halves' shipped outcome
		if c.gate && confidenceOf(w, &c.x) >= thr {
			outcome = -1
			if c.right {
				outcome = 1
			}
		}
		if c.oos {
			t.oos++
			t.oosBySet[c.set][0]++
			if outcome != 0 {
				t.oosAnswered++
				t.oosBySet[c.set][1]++
			}
			continue
		}
		l := slices.Index(Langs, c.lang)
		if l < 0 {
			continue
		}
		n := &t.byLang[c.set][l]
		n[0]++
		t.asks++
		switch outcome {
		case 1:
			n[1]++
			t.right++
		case -1:
			n[2]++
			t.wrong++
		}
	}
	return t
}

// line is the tally in one line.
func (t replayTally) line(thr float64) string {
	var per [3][3]int
	under := 0
	for _, set := range t.byLang {
		for l, n := range set {
			for k := range n {
				per[l][k] += n[k]
			}
			if n[0] > 0 && float64(n[1]) < 0.95*float64(n[0]) {
				under++
			}
		}
	}
	s := fmt.Sprintf("threshold %.3f, %d right and %d wrong of %d, %d of %d out-of-scope refused,", thr, t.right, t.wrong, t.asks, t.oos-t.oosAnswered, t.oos)
	for l, n := range per {
		s += fmt.Sprintf(" %s %.1f %%", Langs[l], 100*ratio(n[1], n[0]))
	}
	oosUnder := 0
	for _, n := range t.oosBySet {
		if n[0] > 0 && float64(n[0]-n[1]) < 0.9*float64(n[0]) {
			oosUnder++
		}
	}
	return s + fmt.Sprintf(", %d set-language pairs under 95 %%, %d sets refusing under 90 %% of out-of-scope", under, oosUnder)
}
