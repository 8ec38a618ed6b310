package faq

import (
	"slices"
	"sync"
)

// The learned ranker: a softmax classifier over the entries, plus an
// out-of-scope class, trained when the index is built on the knowledge
// base's questions and alternates, its answers (down-weighted), the tuning
// questions learned as examples (examples.go) and the tuning set's
// out-of-scope questions. Lexical features (score.go) say how well an entry
// covers the question; the ranker says which of the entries that cover it
// the question is about, which is where lexical scoring confused
// neighbours. Its probabilities enter the ranking and the confidence as
// features (fClass, fClassLead, fClassOOS), weighed by Calibrate like the
// others.
//
// Tried in faq7 and not kept:
//
//   - Training also on noised copies of the questions (a word dropped or
//     two swapped, a letter dropped, doubled or swapped in a long word;
//     accents, case and filler need none, the analysis folds them away):
//     the ranker alone, cross-validated, ranked 85.8-87.1 % first against
//     86.7-87.9 % over three seeds, and refitted the hold-out fell from 988
//     to 977 right.
//
// Tried in faq9b and not kept: 27 or 36 more near-miss out-of-scope tuning
// questions (testdata/near-miss-faq9b.yaml, loaded since session 36: a rate, price,
// date or count next to one the knowledge base states for something
// else). With all 36 the hold-out refused 42 of 45 out-of-scope questions
// (the issue asks 41) against 39, but answered 984 right against 993 and
// the fresh set 165 at 4 wrong (threshold 0.79); with the 27 less close
// ones, 40 of 45, 989 right, fresh 162 at 5 wrong. The refusals are there
// to have if the confidence can keep its right answers. They come from
// calibration seeing such questions, not from the ranker: the 36 given to
// the shipped ranker only (calibration and leave-one-out as before), the
// hold-out refused 39 of 45, with 991 right and 11 wrong, the fresh set
// 167 right at 4 wrong.
// Taken out again in session 56 (the file off the tuning set, refitted:
// threshold 0.367 against 0.398), the measured sets answered 19 more right
// for 10 more wrong and 3 more out-of-scope questions (the hold-out 41 of
// 45 refused against 42, the fresh set 3 English questions wrong against
// 2): the near misses still earn their place.
//
// Kept from faq7: an English-concepts block of features learned from the
// kb's parallel phrasings (translate.go). It ranks better (tuning 1908 →
// 1935 first, hold-out 1016 → 1019); over ranker seeds 15, 16 and 17 the
// hold-out averaged 987.0 right against 982.3 at 8.7 wrong against 8.0, the
// fresh set 166.0 against 164.0 at 2.7 wrong against 2.3. Its weight (2)
// is the one the tuning set prefers.

// textKind says where a training text comes from.
type textKind uint8

const (
	kbQuestion  textKind = iota // an entry's canonical question
	kbAlternate                 // an entry's alternate phrasing
	kbAnswer                    // an entry's answer
	tuningText                  // a tuning question (learned example or out-of-scope)
)

// rankerText is one training text of the ranker.
type rankerText struct {
	text  string
	lang  Lang
	class int32 // entry's place in Index.order; len(order) for out-of-scope
	kind  textKind
	group string // an out-of-scope tuning question's Case.Group: cross-fitting holds its translations out with it
	// translations is any tuning question's Case.Group: its neighbours
	// (neighbours.go) leave its translations out.
	translations string
}

// ranker is a trained classifier with the dictionary of its features: an
// average of models trained from different seeds.
type ranker struct {
	spec   featSpec
	dict   map[string]int32
	models []*softmaxModel
	nClass int
	// trans are the translation tables its English-concepts features were
	// made with (translate.go), kept with it in the cache: learning them
	// is most of an index build once the ranker is cached.
	trans map[Lang]translations
}

// rankerTexts lists the training texts of entries (in ix order) and of the
// tuning cases (in-scope ones as examples, out-of-scope ones for the
// out-of-scope class).
func (ix *Index) rankerTexts(cases []Case) []rankerText {
	var out []rankerText
	for i, id := range ix.order {
		e := ix.entries[id]
		for _, l := range Langs {
			t := e.Text[l]
			out = append(out, rankerText{t.Question, l, int32(i), kbQuestion, "", ""})
			for _, a := range t.Alternates {
				out = append(out, rankerText{a, l, int32(i), kbAlternate, "", ""})
			}
			out = append(out, rankerText{t.Answer, l, int32(i), kbAnswer, "", ""})
		}
	}
	for _, c := range cases {
		class, ok := ix.classOf(c.Expect)
		if ok {
			// Cross-fitting holds out-of-scope translations out together:
			// each out-of-scope question is a topic of its own, whose only
			// relatives in training are its translations, so a model that
			// saw them is far surer than on a new one (97 % refused
			// cross-fitted against 84 % on the hold-out). An entry's
			// question has dozens of paraphrases in training, as a new
			// question about the entry has; grouping its translations too
			// made the cross-fitted ranker weaker than the shipped one is on
			// the hold-out (ranked first 93 % against 95 %).
			g := ""
			if c.Expect == OutOfScope {
				g = c.Group
			}
			// Read as a question is (examplesOf).
			out = append(out, rankerText{chatText(c.Question), c.Lang, class, tuningText, g, c.Group})
		}
	}
	return out
}

// classOf is the ranker's class of an expected entry ID or OutOfScope; an
// entry the index does not hold (removed by an admin) has none.
func (ix *Index) classOf(expect string) (int32, bool) {
	if expect == OutOfScope {
		return int32(len(ix.order)), true
	}
	p, ok := ix.pos[expect]
	return int32(p), ok
}

// featurize analyses and numbers every text's features: each language in
// its own goroutine against a dictionary of its own, then renumbered in text
// order, so the dictionary is the same from run to run. Each text is kept
// as its vector, not its feature names: holding all 44,000 texts' names
// until the last was numbered cost 160 MB of strings, a live heap of 235 MB
// and a 610 MB peak RSS at a start with no cache, above a pod's memory
// limit (session 59).
func (ix *Index) featurize(texts []rankerText, spec featSpec) ([]sparse, map[string]int32) {
	xs := make([]sparse, len(texts))
	names := make([][]string, len(Langs)) // per language: local ID → feature
	var wg sync.WaitGroup
	for k, l := range Langs {
		wg.Go(func() {
			li := ix.langs[l]
			local := map[string]int32{}
			for i, t := range texts {
				if t.lang == l {
					xs[i] = vectorize(li.builtFeatures(t.text, t.kind != kbAnswer, spec), local, true, spec)
				}
			}
			names[k] = make([]string, len(local))
			for f, id := range local {
				names[k][id] = f
			}
		})
	}
	wg.Wait()
	// Languages share features (words such as "cpor", char n-grams, English
	// concepts), so a name numbered by an earlier text keeps its ID.
	dict := map[string]int32{}
	global := make([][]int32, len(Langs))
	for k := range Langs {
		global[k] = make([]int32, len(names[k]))
		for j := range global[k] {
			global[k][j] = -1
		}
	}
	for i, t := range texts {
		k := slices.Index(Langs, t.lang)
		for j, id := range xs[i].ids {
			g := global[k][id]
			if g < 0 {
				name := names[k][id]
				var ok bool
				if g, ok = dict[name]; !ok {
					g = int32(len(dict))
					dict[name] = g
				}
				global[k][id] = g
			}
			xs[i].ids[j] = g
		}
	}
	return xs, dict
}

// trainRanker trains on the texts for which keep is true (nil: all).
//
// Tried in session 56 and not kept, each refitted and measured on every set:
//   - the out-of-scope tuning questions at half weight ("how do i reject an
//     inbound deal" reads as out of scope at 0.48 because "reject" is in
//     out-of-scope questions): threshold 0.410, the tuning set left one out
//     22 fewer right for 15 fewer wrong, the measured sets 9 fewer right;
//   - the entries' alternates at twice a question's weight: threshold 0.385,
//     the tuning set 21 more right for 11 more wrong and 5 more out-of-scope
//     questions answered, the measured sets 6 more right for 5 more wrong.
//     Both are a lower threshold more than a better ranking: right minus
//     twice wrong (calibrate.go's utility) fell on both.
func trainRanker(texts []rankerText, xs []sparse, dict map[string]int32, nClass int, spec featSpec, ts trainSpec, keep func(int) bool) *ranker {
	items := make([]trainItem, 0, len(texts))
	for i, t := range texts {
		if keep != nil && !keep(i) {
			continue
		}
		w := float32(1)
		if t.kind == kbAnswer {
			w = float32(ts.answerW)
		}
		items = append(items, trainItem{xs[i], t.class, w}) // read-only: folds share them
	}
	r := &ranker{spec: spec, dict: dict, models: make([]*softmaxModel, max(ts.members, 1)), nClass: nClass}
	// The members side by side: each is trained alone from its own seed,
	// so the result is the same to the bit as one after the other, in half
	// the time on two cores (BenchmarkNewIndex 10.7-11.2 -> 6.3-7.0 s, most
	// of an admin's wait after faq add). Each holds its float weights and its
	// optimiser's state (10 MB apiece) only while it trains.
	var wg sync.WaitGroup
	for k := range r.models {
		wg.Go(func() {
			t := ts
			t.seed += uint64(k)
			m := trainSoftmax(items, len(dict), nClass, t)
			m.compact()
			r.models[k] = m
		})
	}
	wg.Wait()
	return r
}

// classProbs writes the class probabilities of x into p (len nClass): the
// members' average.
func (r *ranker) classProbs(x sparse, p []float64) {
	clear(p)
	q := make([]float64, r.nClass)
	for _, m := range r.models {
		m.probs(x, q)
		for c, v := range q {
			p[c] += v / float64(len(r.models))
		}
	}
}

// newRanker trains the index's ranker on texts (rankerTexts).
func (ix *Index) newRanker(texts []rankerText) *ranker {
	xs, dict := ix.featurize(texts, ix.setting.f)
	return trainRanker(texts, xs, dict, len(ix.order)+1, ix.setting.f, ix.setting.t, nil)
}

// probs returns the class probabilities of question q (sanitised), read
// in language l: one per entry in ix order, then out-of-scope.
func (ix *Index) probs(r *ranker, q string, l Lang) []float64 {
	return r.probsOf(ix.langs[l].textFeatures(q, true, r.spec))
}

// probsOf are the class probabilities of a text's features rf.
func (r *ranker) probsOf(rf rawFeatures) []float64 {
	p := make([]float64, r.nClass)
	r.classProbs(vectorize(rf, r.dict, false, r.spec), p)
	return p
}
