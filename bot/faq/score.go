package faq

import (
	"math"
	"slices"
	"sort"
)

// Scoring. Every entry that shares a term (or a synonym, a typo candidate,
// a compound part) with the question is a candidate, in each of the three
// languages: a Swedish question may use the English name of a thing
// ("deal registration"), and the answer still comes in Swedish. Each
// candidate is described by a few bounded features, comparable across
// questions; the model (model.go) weighs them into a ranking score, and the
// winner's features and lead into a confidence. The weights are fitted on
// the tuning set, not set by hand.

// Rank features of one (question, entry) pair.
const (
	fBias       = iota
	fCov        // idf-weighted share of the question's words the entry explains (phrasings 1, answer ½)
	fCovQ       // the same, phrasings only
	fCovA       // the same, answer only
	fPhrase     // best phrasing's F-measure: the question covers it and it covers the question
	fPrec       // that phrasing's share explained by the question
	fIntentHit  // share of the question's intents the entry has
	fIntentMiss // 1 when the question has intents and the entry none of them
	fCostMiss   // 1 when the question asks a cost or rate and the entry states none
	fCross      // 1 when the match is in another language than the question's
	fUnknown    // share of the question's weight in words the knowledge base does not know
	nRank
)

// rankFeatureNames label the features in calibration.go and reports.
var rankFeatureNames = [nRank]string{"bias", "cov", "covQ", "covA", "phrase", "prec", "intentHit", "intentMiss", "costMiss", "cross", "unknown"}

// candidate is a scored entry for one question.
type candidate struct {
	id   string
	lang Lang // language of the index that matched it best
	x    [nRank]float64
	rank float64 // model score, the ranking key
}

// Credit for a question word found in an entry other than as itself.
const (
	creditSynonym = 0.85
	creditTypo    = 0.7
	creditAnswer  = 0.5
)

// weightedGroup is a question word with its idf weight and the terms that
// count as it (itself, synonyms, typo candidates), with their credit.
type weightedGroup struct {
	weight float64
	alts   []termCredit
	parts  [][]termCredit // a compound's parts, each with its alternatives
	known  bool
}

type termCredit struct {
	term   string
	credit float64
}

// expand weighs each word of the question and lists what counts as it.
func (li *langIndex) expand(pq parsedQuery) []weightedGroup {
	out := make([]weightedGroup, 0, len(pq.groups))
	for _, g := range pq.groups {
		wg := weightedGroup{weight: li.idf(g.main), known: li.df[g.main] > 0}
		wg.alts = li.alternatives(g.main, pq.typos)
		for _, s := range li.synonyms[g.main] {
			if !wg.known && li.df[s] > 0 {
				// The concept is known under another word: weigh it as such.
				wg.weight = math.Min(wg.weight, li.idf(s))
				wg.known = true
			}
		}
		if !wg.known {
			if m := pq.typos[g.main]; len(m) > 0 {
				wg.weight, wg.known = li.idf(m[0].term), true // a typo is as informative as its word
			}
		}
		if len(g.parts) > 0 {
			var pw float64
			for _, p := range g.parts {
				wg.parts = append(wg.parts, li.alternatives(p, nil))
				pw += li.idf(p)
			}
			if li.df[g.main] == 0 {
				wg.weight, wg.known = pw/float64(len(g.parts)), true // an unknown compound weighs what its parts do
			}
		}
		out = append(out, wg)
	}
	return out
}

func (li *langIndex) alternatives(t string, typos map[string][]typoMatch) []termCredit {
	alts := []termCredit{{t, 1}}
	for _, s := range li.synonyms[t] {
		alts = append(alts, termCredit{s, creditSynonym})
	}
	for _, m := range typos[t] {
		alts = append(alts, termCredit{m.term, creditTypo / float64(m.dist)})
	}
	return alts
}

// idf is BM25's idf over entries; a term no entry uses gets the highest
// value, so unknown words (typical of out-of-scope questions) weigh most.
func (li *langIndex) idf(t string) float64 {
	df := float64(li.df[t])
	n := float64(li.n)
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// bestIn is the best credit of alts found in set.
func bestIn(alts []termCredit, set map[string]struct{}) float64 {
	best := 0.0
	for _, a := range alts {
		if a.credit > best && has(set, a.term) {
			best = a.credit
		}
	}
	return best
}

func has(set map[string]struct{}, t string) bool {
	_, ok := set[t]
	return ok
}

// groupCredit is how well set explains one question word: the word itself
// (or a synonym or typo of it), or the average over a compound's parts.
func groupCredit(g weightedGroup, set map[string]struct{}) float64 {
	c := bestIn(g.alts, set)
	if len(g.parts) > 0 {
		var pc float64
		for _, p := range g.parts {
			pc += bestIn(p, set)
		}
		c = math.Max(c, pc/float64(len(g.parts)))
	}
	return c
}

// candidates lists the entries sharing a term with the question, with their
// features (the model's ranking score is filled in by the caller).
func (li *langIndex) candidates(q string, asked Lang) []candidate {
	pq := li.parse(q)
	if len(pq.groups) == 0 {
		return nil // only stop words or intents: nothing to go on
	}
	groups := li.expand(pq)
	var total, unknown float64
	matched := map[string]struct{}{}
	seen := map[int32]bool{}
	var docs []int32
	for _, g := range groups {
		total += g.weight
		if !g.known {
			unknown += g.weight
		}
		all := g.alts
		for _, p := range g.parts {
			all = append(all, p...)
		}
		for _, a := range all {
			matched[a.term] = struct{}{}
			for _, d := range li.postings[a.term] {
				if !seen[d] {
					seen[d] = true
					docs = append(docs, d)
				}
			}
		}
	}
	if total == 0 || len(docs) == 0 {
		return nil
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i] < docs[j] })
	costAsked := slices.Contains(pq.intents, li.costTerm)
	out := make([]candidate, 0, len(docs))
	for _, d := range docs {
		c := candidate{id: li.ids[d], lang: li.lang}
		li.features(&c.x, &li.docs[d], groups, total, matched, pq.intents)
		c.x[fBias] = 1
		c.x[fUnknown] = unknown / total
		if asked != li.lang {
			c.x[fCross] = 1
		}
		if costAsked && !li.docs[d].intents[li.costTerm] {
			c.x[fCostMiss] = 1
		}
		out = append(out, c)
	}
	return out
}

// features fills the coverage, phrasing and intent features of one entry.
func (li *langIndex) features(x *[nRank]float64, d *entryDoc, groups []weightedGroup, total float64, matched map[string]struct{}, intents []string) {
	var cov, covQ, covA float64
	for _, g := range groups {
		cq, ca := groupCredit(g, d.q), groupCredit(g, d.a)
		covQ += g.weight * cq
		covA += g.weight * ca
		cov += g.weight * math.Max(cq, creditAnswer*ca)
	}
	x[fCov], x[fCovQ], x[fCovA] = cov/total, covQ/total, covA/total
	for _, p := range d.phrasings {
		f, prec := li.phrasingMatch(p, groups, total, matched)
		if f > x[fPhrase] {
			x[fPhrase], x[fPrec] = f, prec
		}
	}
	if len(intents) > 0 {
		hit := 0
		for _, it := range intents {
			if d.intents[it] {
				hit++
			}
		}
		x[fIntentHit] = float64(hit) / float64(len(intents))
		if hit == 0 {
			x[fIntentMiss] = 1
		}
	}
}

// phrasingMatch compares the question with one phrasing of an entry: the
// share of the question it explains, the share of it the question explains,
// and their harmonic mean.
func (li *langIndex) phrasingMatch(p []string, groups []weightedGroup, total float64, matched map[string]struct{}) (f, prec float64) {
	if len(p) == 0 {
		return 0, 0
	}
	set := make(map[string]struct{}, len(p))
	var pw, pm float64
	for _, t := range p {
		set[t] = struct{}{}
		w := li.idf(t)
		pw += w
		if has(matched, t) {
			pm += w
		}
	}
	var rec float64
	for _, g := range groups {
		rec += g.weight * groupCredit(g, set)
	}
	rec /= total
	prec = pm / pw
	if rec+prec == 0 {
		return 0, prec
	}
	return 2 * rec * prec / (rec + prec), prec
}
