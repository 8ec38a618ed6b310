package faq

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// langIndex is one language's view of the knowledge base: per entry the
// analysed terms of its phrasings (question and alternates) and of its
// answer, the postings that find candidate entries for a query's words, and
// the entry frequencies idf comes from. It is a plain in-memory structure
// (about a hundred entries per language); analysing the texts is most of
// building it (about 100 ms of CPU per language), which the model cache
// saves a restart or a one-shot `cosellbot ask` (docsfile.go).
type langIndex struct {
	lang Lang
	// names are the knowledge base's names, shared by the languages
	// (names.go).
	names *nameIndex
	// acronyms holds the terms of every acronym the knowledge base writes
	// (in capitals) or spells out (the entries' defines): what a stand-for
	// question may name.
	acronyms map[string]bool
	analyzer analysis.Analyzer
	ids      []string
	docs     []entryDoc
	// termID numbers the terms of the knowledge base; idfs and postings are
	// indexed by it.
	termID   map[string]int32
	termText []string // term ID → term
	idfs     []float64
	// postings lists, per term, the entries using it in a phrasing or in
	// the answer, in entry order.
	postings [][]int32
	n        int
	// pf counts, per term, the phrasings (of all entries) using it, and
	// nPhrasings counts all phrasings: the background of the term profile
	// (profile.go).
	pf         []float64
	nPhrasings float64
	// synonyms maps a stem to the stems of its synonym group (synonyms.go).
	synonyms map[string][]string
	// intentTerms are the analysed forms of the intent tokens (synonyms.go),
	// each with a bit of its own: features compares a question's intents
	// with each phrasing's as bit sets.
	intentTerms map[string]uint64
	// typos finds known terms close to a misspelt word (typo.go).
	typos *typoIndex
	// questionTypos finds the question words a misspelt unknown word may
	// stand for (questionWords).
	questionTypos *typoIndex
	// en is the English index and loanOf maps its terms to the terms this
	// language says them with: an English word in a French or Swedish
	// question (translate.go; nil for English).
	en     *langIndex
	loanOf map[string][]string
	// trans maps a term to its likeliest English translations (translate.go;
	// nil for English).
	trans translations
	// costTerm and defTerm are the analysed qqcost and qqdef intent tokens.
	costTerm, defTerm string
}

// entryDoc is one entry in one language, analysed. Term lists hold term IDs.
type entryDoc struct {
	q         []int32   // distinct terms of the question and alternates
	a         []int32   // distinct terms of the answer
	phrasings [][]int32 // each phrasing's distinct terms
	phraseW   []float64 // each phrasing's total idf
	// nKB is how many phrasings come from the knowledge base (question and
	// alternates); the rest are learned examples.
	nKB int
	// phraseIntents are each phrasing's own intents (langIndex.intentTerms
	// bits), and allIntents those of all of them.
	phraseIntents []uint64
	allIntents    uint64
	// uses lists the phrasings holding each of their terms: term
	// useTerms[k] (ascending) is in the phrasings usePhr[useOff[k]:
	// useOff[k+1]] (ascending). A question shares a term with a few of an
	// entry's hundreds of phrasings (its learned examples), and features
	// finds those few through it instead of testing every term of every
	// phrasing: a question told in a paragraph meets many entries, and
	// that test was most of its scoring.
	useTerms, useOff, usePhr []int32
	// defines holds the acronyms the answer spells out ("partner global
	// account (PGA)"), analysed: the entry says what they stand for.
	defines map[string]bool
	// figure is whether the answer states a number, and amounts the
	// currencies (and "%") it states an amount in (fFigureMiss).
	figure  bool
	amounts map[string]bool
	// minimum is whether the answer states a minimum of one (a figure for
	// a count question that asks no maximum).
	minimum bool
	// numbers are the numbers the answer states (fNumberMiss).
	numbers map[string]bool
	// points is whether the answer states a number of points (asksScore).
	points bool
	// currency is whether the answer speaks of currencies
	// (currencyQuestion).
	currency bool
	// intents are those the answer implies (a price, rate or "free"
	// answers a cost question; see answerIntents). The phrasings' own
	// intents are in phraseIntents: features counts those of the phrasings
	// a question is scored against, so that leave-one-out does not credit
	// a tuning question with the intents of its own learned example.
	intents map[string]bool
}

// answerIntents mark answers that state a cost, a rate or that something is
// free: "is there any cost?" is answered by "it is free", although the
// question shares no word with it. Patterns run on folded lower-case text.
var answerIntents = map[Lang]*regexp.Regexp{
	EN: regexp.MustCompile(`\d ?(%|eur|usd)|\bfree\b|\bfees?\b|\bcommission`),
	FR: regexp.MustCompile(`\d ?(%|eur|usd|€)|\bgratuit|\bfrais\b|\bcotisation|\bcommission`),
	SV: regexp.MustCompile(`\d ?(%|eur|usd|€)|\bgratis\b|kostnadsfri|\bavgift|\bprovision`),
}

// analysedLang is one language's analysis of the knowledge base: the
// Swedish compound dictionary its analyzer splits with, and each entry's
// terms (rawDoc). It is what an index build spends most of its time on,
// and depends only on the texts and the code, so the model cache keeps it
// (docsfile.go).
type analysedLang struct {
	compounds []string
	raw       []rawDoc
}

// newLangIndex builds one language's index; cached, when not nil, is its
// analysis as an earlier build of the same texts by the same executable
// made it, and saves analysing again. It returns the analysis it used.
func newLangIndex(l Lang, entries []Entry, ex examples, cached *analysedLang) (*langIndex, *analysedLang, error) {
	if cached != nil && len(cached.raw) != len(entries) {
		cached = nil // not this knowledge base's: analyse
	}
	var compoundWords []string
	if cached != nil {
		compoundWords = cached.compounds
	} else if l == SV {
		var texts []string
		for _, e := range entries {
			t := e.Text[l]
			texts = append(texts, t.Question, t.Answer)
			texts = append(texts, t.Alternates...)
			texts = append(texts, ex[e.ID][l]...)
		}
		compoundWords = swedishCompoundWords(texts)
	}
	an, err := newAnalyzer(l, map[string]interface{}{compoundWordsKey: compoundWords}, registry.NewCache())
	if err != nil {
		return nil, nil, fmt.Errorf("faq: %s analyzer: %w", l, err)
	}
	li := &langIndex{
		lang:        l,
		analyzer:    an,
		n:           len(entries),
		termID:      map[string]int32{},
		synonyms:    map[string][]string{},
		intentTerms: map[string]uint64{},
	}
	var its []string
	for tok := range intentTokens {
		its = append(its, li.terms(tok)...)
	}
	slices.Sort(its)
	for _, t := range slices.Compact(its) {
		li.intentTerms[t] = 1 << len(li.intentTerms)
	}
	li.costTerm, li.defTerm = li.intentTerm("qqcost"), li.intentTerm("qqdef")
	li.buildSynonyms()
	var raw []rawDoc
	if cached != nil {
		raw = cached.raw
	} else {
		raw = make([]rawDoc, len(entries))
		for i, e := range entries {
			raw[i] = li.analyseEntry(e.Text[l], ex[e.ID][l])
		}
	}
	for _, e := range entries {
		li.ids = append(li.ids, e.ID)
	}
	// Typos are looked up among the knowledge base's own words: a learned
	// example may be misspelt ("assesment"), and its misspelling must not
	// become a word of one entry; it is read as the word it stands for.
	vocab := map[string]bool{}
	for _, r := range raw {
		for _, p := range r.phrasings[:r.nKB] {
			for _, t := range p {
				vocab[t] = true
			}
		}
	}
	li.typos = newTypoIndex(slices.Collect(maps.Keys(vocab)))
	li.questionTypos = newTypoIndex(slices.Clone(questionWords[l]))
	// A cached analysis was kept mended: its examples are not looked up
	// again (that was a seventh of a cached build's CPU), and the index
	// built from it is the one its analysing build made.
	if cached == nil {
		for _, r := range raw {
			for i, p := range r.phrasings[r.nKB:] {
				r.phrasings[r.nKB+i] = li.correct(p, vocab)
			}
		}
	}
	li.acronyms = li.writtenAcronyms(entries)
	li.number(raw)
	return li, &analysedLang{compounds: compoundWords, raw: raw}, nil
}

// correct mends a learned example's terms as parse reads a question: an
// unknown first word one edit from a question word ("wat is csa exactly")
// is dropped (mistypedQuestionWord), and each other word the knowledge base
// does not know is replaced by the known word it is a likely typo of, or
// dropped when that word is in the example already. Kept, "asses" (from
// "2 assesment types to one sa deal") became a rare word of one entry and
// drew "who can creat a solution assesment" to it; kept, "wat" became a
// word of one entry, and "wat is cpor" (its question word no longer
// unknown) was drawn to that entry and refused.
func (li *langIndex) correct(terms []string, vocab map[string]bool) []string {
	if len(terms) > 1 && !vocab[terms[0]] && len(li.typos.lookup(terms[0], fuzziness(terms[0]))) == 0 && li.questionTypo(terms[0]) {
		terms = terms[1:]
	}
	out := make([]string, 0, len(terms))
	for i, t := range terms {
		if !vocab[t] {
			if m := li.typos.lookup(t, fuzziness(t)); len(m) > 0 {
				if slices.Contains(out, m[0].term) || slices.Contains(terms[i+1:], m[0].term) {
					continue // the word it stands for is there already ("sa … assesment")
				}
				t = m[0].term
			}
		}
		out = append(out, t)
	}
	return out
}

// number gives every term an ID, counts entry frequencies and turns the
// analysed entries into ID lists with their idf weights.
func (li *langIndex) number(raw []rawDoc) {
	// mark[x] is one more than the last entry whose phrasings hold term x:
	// a set per entry, without the maps that were a third of number's
	// time.
	mark := make([]int, len(li.postings))
	id := func(t string) int32 {
		if i, ok := li.termID[t]; ok {
			return i
		}
		i := int32(len(li.postings))
		li.termID[t] = i
		li.termText = append(li.termText, t)
		li.postings = append(li.postings, nil)
		mark = append(mark, 0)
		return i
	}
	li.docs = make([]entryDoc, len(raw))
	for i, r := range raw {
		d := &li.docs[i]
		for t := range r.defines {
			li.acronyms[t] = true
		}
		d.intents, d.nKB, d.defines, d.figure, d.amounts, d.numbers = r.intents, r.nKB, r.defines, r.figure, r.amounts, r.numbers
		for _, its := range r.phraseIntents {
			var b uint64
			for _, it := range its {
				b |= li.intentTerms[it]
			}
			d.phraseIntents = append(d.phraseIntents, b)
			d.allIntents |= b
		}
		d.minimum = r.minimum
		d.points = r.points
		d.currency = r.currency
		for _, p := range r.phrasings {
			var ids []int32
			for _, t := range p {
				x := id(t)
				ids = append(ids, x)
				if mark[x] != i+1 {
					mark[x] = i + 1
					d.q = append(d.q, x)
				}
			}
			d.phrasings = append(d.phrasings, ids)
		}
		d.index()
		for t := range r.a {
			d.a = append(d.a, id(t))
		}
		slices.Sort(d.a)
		all := append(slices.Clone(d.q), d.a...)
		slices.Sort(all)
		for _, x := range slices.Compact(all) {
			li.postings[x] = append(li.postings[x], int32(i))
		}
	}
	li.weigh()
}

// index fills d's uses lists from its phrasings.
func (d *entryDoc) index() {
	byTerm := map[int32][]int32{}
	for i, p := range d.phrasings {
		for _, x := range p {
			if l := byTerm[x]; len(l) == 0 || l[len(l)-1] != int32(i) {
				byTerm[x] = append(l, int32(i))
			}
		}
	}
	d.useTerms = slices.Sorted(maps.Keys(byTerm))
	d.useOff = make([]int32, 0, len(d.useTerms)+1)
	for _, x := range d.useTerms {
		d.useOff = append(d.useOff, int32(len(d.usePhr)))
		d.usePhr = append(d.usePhr, byTerm[x]...)
	}
	d.useOff = append(d.useOff, int32(len(d.usePhr)))
}

// hits returns, for each phrasing of d, the question's terms it holds
// (bit k for qt.terms[k]; 0 when it meets none of them), in buf grown and
// zeroed. A question of more than 64 terms (its synonyms, typo guesses and
// compound parts count too; a paragraph may reach it) marks a phrasing it
// meets with every bit, which phraseHits scores by scanning its terms.
func (d *entryDoc) hits(qt *queryTerms, buf []uint64) []uint64 {
	buf = zeroed(buf, len(d.phrasings))
	for k, x := range qt.terms {
		j, ok := slices.BinarySearch(d.useTerms, x)
		if !ok {
			continue
		}
		bit := uint64(1) << k
		if len(qt.terms) > 64 {
			bit = ^uint64(0)
		}
		for _, i := range d.usePhr[d.useOff[j]:d.useOff[j+1]] {
			buf[i] |= bit
		}
	}
	return buf
}

// weigh counts phrasing frequencies (the term profile's background) and
// entry frequencies (idf), and each phrasing's total idf.
func (li *langIndex) weigh() {
	li.pf = make([]float64, len(li.postings))
	for i := range li.docs {
		for _, p := range li.docs[i].phrasings {
			li.nPhrasings++
			for _, x := range p {
				li.pf[x]++
			}
		}
	}
	li.idfs = make([]float64, len(li.postings))
	for x, ps := range li.postings {
		li.idfs[x] = idf(len(ps), li.n)
	}
	for i := range li.docs {
		d := &li.docs[i]
		for _, p := range d.phrasings {
			w := 0.0
			for _, x := range p {
				w += li.idfs[x]
			}
			d.phraseW = append(d.phraseW, w)
		}
	}
}

// idf is BM25's idf over entries; a term no entry uses gets the highest
// value, so unknown words (typical of out-of-scope questions) weigh most.
func idf(df, n int) float64 {
	return math.Log(1 + (float64(n-df)+0.5)/(float64(df)+0.5))
}

// df is how many entries use term t.
func (li *langIndex) df(t string) int {
	if x, ok := li.termID[t]; ok {
		return len(li.postings[x])
	}
	return 0
}

// buildSynonyms expands synonymGroups to stems, each pointing at the others.
func (li *langIndex) buildSynonyms() {
	for _, group := range synonymGroups[li.lang] {
		var stems []string
		for _, w := range group {
			// Main terms only: the parts of a Swedish compound are not
			// synonyms of the group ("lösning" is not "assessment").
			for _, g := range li.parse(neutral(w)).groups {
				stems = append(stems, g.main)
			}
		}
		for _, a := range stems {
			for _, b := range stems {
				if a != b && !slices.Contains(li.synonyms[a], b) {
					li.synonyms[a] = append(li.synonyms[a], b)
				}
			}
		}
	}
	for k := range li.synonyms {
		sort.Strings(li.synonyms[k])
	}
}

// rawDoc is an entry analysed into terms, before numbering.
type rawDoc struct {
	defines       map[string]bool
	nKB           int
	phrasings     [][]string
	phraseIntents [][]string
	a             map[string]struct{}
	intents       map[string]bool
	figure        bool
	minimum       bool
	points        bool
	currency      bool
	amounts       map[string]bool
	numbers       map[string]bool
}

// analyseEntry turns one language's wording of an entry, and the entry's
// learned examples, into terms.
func (li *langIndex) analyseEntry(t Text, learned []string) rawDoc {
	d := rawDoc{a: map[string]struct{}{}, intents: map[string]bool{}, nKB: 1 + len(t.Alternates)}
	phrasings := append(append([]string{t.Question}, t.Alternates...), learned...)
	for _, p := range phrasings {
		var terms, intents []string
		for _, term := range li.terms(builtText(li.lang, p, true)) {
			if li.intentTerms[term] != 0 {
				if !slices.Contains(intents, term) {
					intents = append(intents, term)
				}
				continue
			}
			if !slices.Contains(terms, term) {
				terms = append(terms, term)
			}
		}
		d.phrasings = append(d.phrasings, terms)
		d.phraseIntents = append(d.phraseIntents, intents)
	}
	for _, term := range li.terms(builtText(li.lang, t.Answer, false)) {
		d.a[term] = struct{}{}
	}
	if answerIntents[li.lang].MatchString(foldLower(t.Answer)) {
		d.intents[li.costTerm] = true
	}
	d.figure = figureAnswer.MatchString(foldLower(t.Answer))
	d.minimum = minimumAnswer.MatchString(foldLower(t.Answer))
	d.points = pointsAnswer.MatchString(foldLower(t.Answer))
	d.currency = currencyAnswer.MatchString(foldLower(t.Answer))
	d.amounts = statedAmounts(foldLower(normalize(t.Answer)))
	d.numbers = answerNumbers(foldLower(normalize(t.Answer)))
	d.defines = map[string]bool{}
	for _, a := range spelledOut(t.Answer) {
		for _, term := range li.terms(a) {
			d.defines[term] = true
		}
		// A question names the acronym as the query steps read it: "SA"
		// becomes "solution assessment" in English and "évaluation de
		// solution" in French before it is analysed, so those are what the
		// entry defines too.
		for _, term := range li.terms(builtText(li.lang, strings.ToUpper(a), false)) {
			d.defines[term] = true
		}
	}
	return d
}

// intentTerm is the analysed form of an intent token.
func (li *langIndex) intentTerm(tok string) string {
	if ts := li.terms(tok); len(ts) == 1 {
		return ts[0]
	}
	return tok
}

// terms analyses text into its terms, in order, repeats kept.
func (li *langIndex) terms(text string) []string {
	return analysed{text, li.analyzer.Analyze([]byte(text))}.terms()
}
