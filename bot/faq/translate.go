package faq

import (
	"maps"
	"slices"
	"sort"
	"sync"
)

// Word translations learned from the knowledge base itself. Every entry is
// written in English, French and Swedish, phrasing by phrasing: its
// question, each alternate and its answer are translations of each other.
// IBM Model 1 (expectation-maximisation over those sentence pairs) then
// estimates, for each French or Swedish term, the English terms it
// translates to. The learned ranker (textfeat.go) reads every question also
// as English concepts: an English question's terms themselves, a French or
// Swedish one's terms' translations. What the training texts of one
// language teach about a concept then serves the other two: a Swedish
// question with an everyday word finds the entry whose English phrasings
// (or English tuning questions) carry its translation.

// Settings of the translation table.
const (
	transIters = 8   // EM iterations
	transMinP  = 0.2 // a translation kept must have at least this probability
	transTop   = 2   // and be among the term's most probable ones
)

// translations maps a term of one language to English terms, most probable
// first.
type translations map[string][]string

// sentencePair is one phrasing in a foreign language and its English
// translation, as analysed terms.
type sentencePair struct{ f, e []string }

// buildTranslations fills each language index's translations into English
// (English: none; textFeatures uses the term itself), French and Swedish
// side by side: each takes about 80 ms. An alternate is paired with the
// English one in its place when both lists are as long (they are written
// line by line).
func (ix *Index) buildTranslations(entries []Entry) {
	en := ix.langs[EN]
	var wg sync.WaitGroup
	for _, l := range Langs {
		if l == EN {
			continue
		}
		li := ix.langs[l]
		wg.Go(func() {
			var pairs []sentencePair
			add := func(f, e string, question bool) {
				pf := distinct(li.terms(prepare(l, f, question)))
				pe := distinct(en.terms(prepare(EN, e, question)))
				if len(pf) > 0 && len(pe) > 0 {
					pairs = append(pairs, sentencePair{pf, pe})
				}
			}
			for _, e := range entries {
				te, tf := e.Text[EN], e.Text[l]
				add(tf.Question, te.Question, true)
				if len(tf.Alternates) == len(te.Alternates) {
					for i := range tf.Alternates {
						add(tf.Alternates[i], te.Alternates[i], true)
					}
				}
				add(tf.Answer, te.Answer, false)
			}
			li.trans = ibmModel1(pairs)
		})
	}
	wg.Wait()
}

// translations are each language index's tables, by language.
func (ix *Index) translations() map[Lang]translations {
	out := map[Lang]translations{}
	for l, li := range ix.langs {
		if li.trans != nil {
			out[l] = li.trans
		}
	}
	return out
}

// useTranslations gives each language index its table from trans (a
// cached ranker's).
func (ix *Index) useTranslations(trans map[Lang]translations) {
	for l, li := range ix.langs {
		li.trans = trans[l]
	}
}

// distinct is terms without repeats, in first-seen order.
func distinct(terms []string) []string {
	var out []string
	for _, t := range terms {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// nullWord is the foreign sentence's empty word, which English words
// without a translation align to.
const nullWord = "\x00"

// ibmModel1 estimates t(e|f) by EM on the sentence pairs and keeps, per
// foreign term, its likeliest English terms. Every (f, e) pair that meets
// in a sentence pair is numbered once, so the iterations run on slices.
// Deterministic: sums run in sentence order and ties sort by term.
func ibmModel1(pairs []sentencePair) translations {
	type key struct{ f, e string }
	slot := map[key]int32{}
	var keys []key
	fID := map[string]int32{}
	var fOf []int32                      // slot → its foreign term's number
	cells := make([][]int32, len(pairs)) // per pair: slots, English word by English word, over f then null
	for pi, p := range pairs {
		fs := append(slices.Clip(p.f), nullWord)
		c := make([]int32, 0, len(p.e)*len(fs))
		for _, e := range p.e {
			for _, f := range fs {
				k := key{f, e}
				s, ok := slot[k]
				if !ok {
					s = int32(len(keys))
					slot[k] = s
					keys = append(keys, k)
					id, ok := fID[f]
					if !ok {
						id = int32(len(fID))
						fID[f] = id
					}
					fOf = append(fOf, id)
				}
				c = append(c, s)
			}
		}
		cells[pi] = c
	}
	t := make([]float64, len(keys))
	for i := range t {
		t[i] = 1
	}
	count := make([]float64, len(keys))
	total := make([]float64, len(fID))
	for range transIters {
		clear(count)
		clear(total)
		for pi, p := range pairs {
			n := len(p.f) + 1
			for j := range p.e {
				row := cells[pi][j*n : (j+1)*n]
				z := 0.0
				for _, s := range row {
					z += t[s]
				}
				for _, s := range row {
					c := t[s] / z
					count[s] += c
					total[fOf[s]] += c
				}
			}
		}
		for s, c := range count {
			t[s] = c / total[fOf[s]]
		}
	}
	byF := map[string][]int32{}
	for s, k := range keys {
		if k.f != nullWord && t[s] >= transMinP {
			byF[k.f] = append(byF[k.f], int32(s))
		}
	}
	out := translations{}
	for _, f := range slices.Sorted(maps.Keys(byF)) {
		ss := byF[f]
		sort.Slice(ss, func(i, j int) bool {
			if t[ss[i]] != t[ss[j]] {
				return t[ss[i]] > t[ss[j]]
			}
			return keys[ss[i]].e < keys[ss[j]].e
		})
		for _, s := range ss[:min(len(ss), transTop)] {
			out[f] = append(out[f], keys[s].e)
		}
	}
	return out
}
