package faq

import (
	"github.com/cosellbot/cosellbot/bot/spell"

	"sort"
	"unicode/utf8"
)

// Typo tolerance. bleve's FuzzyQuery builds a Levenshtein automaton per term
// and query; for two edits that costs about 5 ms per word, which alone would
// blow the 2 ms budget of Ask on any question with two unknown words (typical
// of out-of-scope questions, which are also searched in all three
// languages). So candidates are found here instead, with a deletion index in
// the manner of SymSpell: every known term and its one-letter deletions point
// back to the term; a query word's deletions (up to its allowed edits) are
// looked up, and candidates are checked with the optimal-string-alignment
// distance (Levenshtein plus adjacent transpositions, so "accpet" is one edit
// from "accept"). The candidates then enter the bleve query as ordinary terms
// with a lower boost: the "fuzzy disjunct".

type typoIndex struct {
	terms []string
	dels  map[string][]int32 // term or term minus one letter → indexes in terms
}

type typoMatch struct {
	term string
	dist int
}

// maxTypoMatches bounds the clauses one misspelt word can add; words longer
// than maxTypoRunes are not looked up (their deletions grow quadratically
// and no real word of the knowledge base is that long).
const (
	maxTypoMatches = 4
	maxTypoRunes   = 30
)

func newTypoIndex(vocab []string) *typoIndex {
	sort.Strings(vocab)
	ti := &typoIndex{terms: vocab, dels: make(map[string][]int32, len(vocab)*8)}
	for i, t := range vocab {
		if utf8.RuneCountInString(t) < 3 {
			continue
		}
		for _, d := range deletions(t, 1) {
			ti.dels[d] = append(ti.dels[d], int32(i))
		}
	}
	return ti
}

// lookup returns known terms within k edits of t (t itself excluded),
// closest first, at most maxTypoMatches.
func (ti *typoIndex) lookup(t string, k int) []typoMatch {
	if k <= 0 || ti == nil || utf8.RuneCountInString(t) > maxTypoRunes {
		return nil
	}
	seen := map[int32]bool{}
	var out []typoMatch
	for _, d := range deletions(t, k) {
		for _, i := range ti.dels[d] {
			if seen[i] {
				continue
			}
			seen[i] = true
			u := ti.terms[i]
			if u == t {
				continue
			}
			if dist := spell.Distance(t, u, k); dist <= k {
				out = append(out, typoMatch{u, dist})
			}
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].dist != out[b].dist {
			return out[a].dist < out[b].dist
		}
		return out[a].term < out[b].term
	})
	if len(out) > maxTypoMatches {
		out = out[:maxTypoMatches]
	}
	return out
}

// deletions returns s and every string obtained by deleting up to k runes.
func deletions(s string, k int) []string {
	out := []string{s}
	level := []string{s}
	seen := map[string]bool{s: true}
	for ; k > 0; k-- {
		var next []string
		for _, w := range level {
			r := []rune(w)
			if len(r) <= 1 {
				continue
			}
			for i := range r {
				d := string(r[:i]) + string(r[i+1:])
				if !seen[d] {
					seen[d] = true
					next = append(next, d)
				}
			}
		}
		out = append(out, next...)
		level = next
	}
	return out
}
