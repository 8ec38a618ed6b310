package faq

import (
	"github.com/cosellbot/cosellbot/bot/spell"

	"slices"
	"sort"
	"strings"
	"unicode"
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
	w := typoWalk{ti: ti, t: t, k: k, r: []rune(t)}
	w.visit()
	w.delete(0, k)
	out := w.out
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

// typoWalk looks a word's deletions up one by one, in a reused buffer:
// building each as a string (deletions) was a tenth of a question's
// allocations, for strings only used as map keys.
type typoWalk struct {
	ti   *typoIndex
	t    string
	k    int
	r    []rune
	del  [maxTypoRunes]bool
	buf  []byte
	seen []int32 // terms already checked; a handful, so a slice
	out  []typoMatch
}

// delete visits every deletion of up to left more runes at positions from
// on, each set of positions once.
func (w *typoWalk) delete(from, left int) {
	if left == 0 || len(w.r) <= 1 {
		return
	}
	for i := from; i < len(w.r); i++ {
		w.del[i] = true
		w.visit()
		w.delete(i+1, left-1)
		w.del[i] = false
	}
}

// visit checks the terms the current deletion points back to.
func (w *typoWalk) visit() {
	w.buf = w.buf[:0]
	for i, c := range w.r {
		if !w.del[i] {
			w.buf = utf8.AppendRune(w.buf, c)
		}
	}
	for _, i := range w.ti.dels[string(w.buf)] {
		if slices.Contains(w.seen, i) {
			continue
		}
		w.seen = append(w.seen, i)
		u := w.ti.terms[i]
		if u == w.t {
			continue
		}
		if dist := spell.Distance(w.t, u, w.k); dist <= w.k {
			w.out = append(w.out, typoMatch{u, dist})
		}
	}
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

// Swapped letters. The typo index compares stems, and a stem can hide the
// commonest slip of a fast typist, two neighbouring letters swapped: "dyas"
// stems to "dya", two edits from "dai" (the stem of "days"), so "how many
// dyas to accept a referral" was refused at 0.00 without a suggestion; a
// four-letter stem gets no typo tolerance at all ("lnog"). And a word
// matched only as a typo is weighed less and misses the intents its
// spelling would have given ("how many days" asks a duration). So before
// anything reads a question, a word of three to eight letters (longer
// words' stems keep the slip for the typo index) becomes the one word of
// the knowledge base it turns into with two neighbouring letters swapped,
// in the question's language, when
//   - no knowledge-base text in any language uses it, and it is no
//     function word;
//   - no partner typed it in a tuning question: words the knowledge base
//     lacks are mostly real words, not typos, and a swap makes another
//     real word of many ("några" → "ångra", "grå" → "går", "aws" → "was",
//     "annule" → "annuel"); the tuning set's 3,500 questions, typed in
//     chat by several writers, are the everyday vocabulary at hand.
// The language test keeps a word of one language from becoming another's
// ("ordre" → "order", "line" → "lien", "combine" → "combien").

// mender mends a question's swapped letters (see above).
type mender struct {
	kb    langVocab       // the knowledge base's words, with their languages
	typed map[string]bool // the folded words of the tuning questions
	// short maps a knowledge-base word of minDropped+1 to maxDropped+1 letters, with
	// one letter left out inside it (neither the first nor the last), to
	// the words it comes from.
	short map[string][]string
}

// minDropped is the shortest word mended for a letter left out: in
// shorter ones, one more letter makes too many other words. maxDropped is
// the longest: "registraton" stems too far from "registr" for the typo
// index to weigh it as the word (dev5's "requirements for deal
// registraton?" was refused at 0.32).
const (
	minDropped = 5
	maxDropped = 13
)

// newMender returns the mender of a knowledge base's words and the words
// the tuning questions type (typedWords).
func newMender(kb langVocab, typed map[string]bool) mender {
	short := map[string][]string{}
	for w := range kb {
		n := utf8.RuneCountInString(w)
		if n <= minDropped || n > maxDropped+1 {
			continue
		}
		r := []rune(w)
		for i := 1; i < n-1; i++ {
			d := string(r[:i]) + string(r[i+1:])
			if !slices.Contains(short[d], w) {
				short[d] = append(short[d], w)
			}
		}
	}
	return mender{kb: kb, typed: typed, short: short}
}

// typedWords is the set of the tuning questions' folded words.
func typedWords(tuning []typedQuestion) map[string]bool {
	typed := map[string]bool{}
	for _, q := range tuning {
		for _, w := range q.words {
			typed[w] = true
		}
	}
	return typed
}

// unswap returns q with its swapped letters mended (see above). It runs
// on every question: a word is folded only when it is not plain lower-case
// ASCII, and the question's language is detected only when a swap finds a
// word of the knowledge base.
func (m mender) unswap(q string) string {
	var b strings.Builder
	last := 0 // q[:last] is written to b when b is in use
	lang := Lang("")
	for start := 0; start < len(q); {
		r, n := utf8.DecodeRuneInString(q[start:])
		if !isWordRune(r) {
			start += n
			continue
		}
		end := start + n
		for end < len(q) {
			r, n := utf8.DecodeRuneInString(q[end:])
			if !isWordRune(r) {
				break
			}
			end += n
		}
		w := q[start:end]
		start = end
		f, ok := m.unknown(w)
		if !ok {
			continue
		}
		langOf := func() Lang {
			if lang == "" {
				lang = detectLang(q, m.kb)
			}
			return lang
		}
		fix, ok := "", false
		if utf8.RuneCountInString(f) <= 8 {
			fix, ok = m.swapOf(f, langOf)
		}
		if !ok {
			fix, ok = m.droppedOf(f, langOf)
		}
		if !ok && last == 0 && b.Len() == 0 && strings.TrimSpace(q[:end-len(w)]) == "" {
			fix, ok = openerOf(f)
		}
		if !ok {
			continue
		}
		b.WriteString(q[last : end-len(w)])
		b.WriteString(fix)
		last = end
	}
	if last == 0 {
		return q
	}
	b.WriteString(q[last:])
	return b.String()
}

// isWordRune is a letter or digit: what a word is made of, for words and
// unswap alike.
func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// unknown returns w folded and whether it may be a typo to mend: of three
// to maxDropped letters (swaps are mended in words of at most eight), used
// by no knowledge-base text, no tuning question, and no function word.
func (m mender) unknown(w string) (string, bool) {
	if len(w) < 3 || utf8.RuneCountInString(w) > maxDropped {
		return "", false
	}
	f := w
	if !plainLower(w) {
		f = foldLower(w)
	}
	if _, ok := m.kb[f]; ok || m.typed[f] {
		return "", false
	}
	if _, ok := functionWordFolded[f]; ok {
		return "", false
	}
	if _, ok := functionWordLang[strings.ToLower(w)]; ok {
		return "", false
	}
	return f, true
}

// plainLower reports whether s is lower-case ASCII letters and digits only,
// which folding leaves as they are.
func plainLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// swapOf returns the one word of the knowledge base's texts in the
// question's language (lang, asked only once a swap is a known word) that
// f, a folded word, becomes with two neighbouring letters swapped.
func (m mender) swapOf(f string, lang func() Lang) (string, bool) {
	r := []rune(f)
	found := ""
	for i := 0; i+1 < len(r); i++ {
		if r[i] == r[i+1] || !unicode.IsLetter(r[i]) || !unicode.IsLetter(r[i+1]) {
			continue
		}
		r[i], r[i+1] = r[i+1], r[i]
		s := string(r)
		r[i], r[i+1] = r[i+1], r[i]
		if bits := m.kb[s]; bits != 0 && bits&langBit(lang()) != 0 && s != found {
			if found != "" {
				return "", false // two words: which one was meant is a guess
			}
			found = s
		}
	}
	return found, found != ""
}

// droppedOf returns the one word of the knowledge base's texts in the
// question's language that f, a folded word of at least minDropped letters,
// becomes with one letter put back ("trainigs" → "trainings").
func (m mender) droppedOf(f string, lang func() Lang) (string, bool) {
	if utf8.RuneCountInString(f) < minDropped {
		return "", false
	}
	found := ""
	for _, s := range m.short[f] {
		if m.kb[s]&langBit(lang()) != 0 {
			if found != "" {
				return "", false
			}
			found = s
		}
	}
	return found, found != ""
}

// openers are the words that open a question in the three languages,
// folded, that a mistyped first word is mended to: "qest ce que" and
// "vaad är" lost the definition intent their question word gives.
var openers = []string{"what", "which", "where", "when", "why", "how", "quoi", "quel", "quelle", "pourquoi", "comment", "combien", "quand", "quest", "vad", "vilken", "vilket", "vilka", "varfor", "hur"}

// openerOf returns the one question opener f, a folded word of three
// letters or more opening a question, is a letter away from: one left out
// or one added. Not one changed: "quant à …" (as for) would read "quand".
func openerOf(f string) (string, bool) {
	found := ""
	for _, o := range openers {
		if oneLetter(f, o) {
			if found != "" {
				return "", false
			}
			found = o
		}
	}
	return found, found != ""
}

// oneLetter reports whether one letter left out of the longer of a and b
// makes the other.
func oneLetter(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > len(rb) {
		ra, rb = rb, ra
	}
	if len(rb)-len(ra) != 1 {
		return false
	}
	i := 0
	for i < len(ra) && ra[i] == rb[i] {
		i++
	}
	return string(ra[i:]) == string(rb[i+1:])
}
