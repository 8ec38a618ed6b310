package faq

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// langIndex is one language's view of the knowledge base: per entry the
// analysed terms of its phrasings (question and alternates) and of its
// answer, the postings that find candidate entries for a query's words, and
// the entry frequencies idf comes from. It is a plain in-memory structure
// (about a hundred entries per language), built in milliseconds, so a
// one-shot `cosellbot ask` can afford to build it.
type langIndex struct {
	lang     Lang
	analyzer analysis.Analyzer
	ids      []string
	docs     []entryDoc
	// postings maps a term to the entries using it in a phrasing or in the
	// answer, in entry order.
	postings map[string][]int32
	df       map[string]int // term → entries using it anywhere
	n        int
	// synonyms maps a stem to the stems of its synonym group (synonyms.go).
	synonyms map[string][]string
	// intentTerms are the analysed forms of the intent tokens (synonyms.go).
	intentTerms map[string]bool
	// typos finds known terms close to a misspelt word (typo.go).
	typos *typoIndex
	// costTerm is the analysed qqcost intent token.
	costTerm string
}

// entryDoc is one entry in one language, analysed.
type entryDoc struct {
	q         map[string]struct{} // content terms of the question and alternates
	a         map[string]struct{} // content terms of the answer
	phrasings [][]string          // each phrasing's distinct content terms
	// intents are the question intents of the question and alternates, plus
	// those the answer implies (a price, rate or "free" answers a cost
	// question; see answerIntents).
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

func newLangIndex(l Lang, entries []Entry) (*langIndex, error) {
	var compoundWords []string
	if l == SV {
		var texts []string
		for _, e := range entries {
			t := e.Text[l]
			texts = append(texts, t.Question, t.Answer)
			texts = append(texts, t.Alternates...)
		}
		compoundWords = swedishCompoundWords(texts)
	}
	an, err := newAnalyzer(l, map[string]interface{}{compoundWordsKey: compoundWords}, registry.NewCache())
	if err != nil {
		return nil, fmt.Errorf("faq: %s analyzer: %w", l, err)
	}
	li := &langIndex{
		lang:        l,
		analyzer:    an,
		n:           len(entries),
		postings:    map[string][]int32{},
		df:          map[string]int{},
		synonyms:    map[string][]string{},
		intentTerms: map[string]bool{},
	}
	for tok := range intentTokens {
		for _, t := range li.terms(tok) {
			li.intentTerms[t] = true
		}
	}
	li.costTerm = li.intentTerm("qqcost")
	li.buildSynonyms()
	for i, e := range entries {
		d := li.analyseEntry(e.Text[l])
		li.ids = append(li.ids, e.ID)
		li.docs = append(li.docs, d)
		all := maps.Clone(d.q)
		maps.Copy(all, d.a)
		for t := range all {
			li.df[t]++
			li.postings[t] = append(li.postings[t], int32(i))
		}
	}
	vocab := map[string]bool{}
	for _, d := range li.docs {
		for t := range d.q {
			vocab[t] = true
		}
	}
	li.typos = newTypoIndex(slices.Collect(maps.Keys(vocab)))
	return li, nil
}

// buildSynonyms expands synonymGroups to stems, each pointing at the others.
func (li *langIndex) buildSynonyms() {
	for _, group := range synonymGroups[li.lang] {
		var stems []string
		for _, w := range group {
			// Main terms only: the parts of a Swedish compound are not
			// synonyms of the group ("lösning" is not "assessment").
			for _, g := range li.parse(w).groups {
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

// analyseEntry turns one language's wording of an entry into term sets.
func (li *langIndex) analyseEntry(t Text) entryDoc {
	d := entryDoc{q: map[string]struct{}{}, a: map[string]struct{}{}, intents: map[string]bool{}}
	for _, p := range append([]string{t.Question}, t.Alternates...) {
		var terms []string
		for _, term := range li.terms(prepare(li.lang, p, true)) {
			if li.intentTerms[term] {
				d.intents[term] = true
				continue
			}
			d.q[term] = struct{}{}
			if !slices.Contains(terms, term) {
				terms = append(terms, term)
			}
		}
		d.phrasings = append(d.phrasings, terms)
	}
	answer := prepare(li.lang, t.Answer, false)
	for _, term := range li.terms(answer) {
		d.a[term] = struct{}{}
	}
	if answerIntents[li.lang].MatchString(foldLower(t.Answer)) {
		d.intents[li.costTerm] = true
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
	toks := li.analyzer.Analyze([]byte(text))
	out := make([]string, 0, len(toks))
	for _, tok := range toks {
		if len(tok.Term) > 0 {
			out = append(out, string(tok.Term))
		}
	}
	return out
}
