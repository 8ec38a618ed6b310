package faq

import (
	"hash/fnv"
	"math"
	"math/bits"
	"slices"
	"sync"
)

// Neighbours. Questions partners type are often close, letter for letter,
// to one the project has already seen: a learned example (a tuning
// question), an alternate or an entry's question. How close the nearest
// of the winner's own texts is, how much closer than any other entry's,
// and whose the few nearest texts are, tell a right winner from a wrong
// one where the coverage of the question's words cannot: a Swedish
// compound, a chat spelling or a story around the question lowers the
// coverage of a message whose nearest texts all belong to its entry. They
// are confidence features (cNbNear…cNbOOS) and, since 0.48.0, ranking
// ones for the best candidates (Model.Rerank, rerank), the similarity the
// cosine of two texts' character trigram sets (as crossfit.go finds
// near-duplicates).
//
// The tuning set is scored leave-one-out here too (leaveOut.self): a
// tuning question does not meet its own text, any copy of it, nor its
// translations (Case.Group), and nothing else is hidden, so that its
// neighbours are as close as a new question's. Hiding its cross-fitting
// fold instead (as the learned ranker's probabilities are made), the
// tuning set's right winners had a nearest text of their entry at 0.60
// and 45 % of their ten nearest texts' similarity, where the measured
// sets' right winners had 0.75 and 82 %: fitted on the first, the
// features lost 176 (right answers minus three times wrong ones, an
// out-of-scope question answered counted wrong) over the fourteen
// measured sets. Leaving out the question and its translations only, the
// tuning set's right winners had 0.75 and 79 %, its out-of-scope
// questions 0.44 and 11 % against the measured sets' 0.44 and 11 %, and
// the features gained 155 (session 47, the confidence refitted on 0.46.0's
// winners with them, as faqeval -replay does).
//
// Shipped in 0.47.0 with the five best entries' texts compared
// (neighbourEntries) and the common trigrams counted through bits
// (neighbourCommon), refitted (threshold 0.528 -> 0.478): the fourteen
// measured sets 11,980 right, 118 wrong and 867 of 904 out-of-scope
// questions refused -> 12,137, 111 and 864; set-and-language figures
// under 95 % 15 -> 9; every set better but fresh2 (482 right against 479,
// one wrong and one out-of-scope question answered more). The tuning set
// left one out: 34,502 -> 35,177 right, 644 -> 484 wrong, 2,520 -> 2,630
// of 2,731 out-of-scope questions refused. The first build, with the
// eight best entries and the common trigrams left out of the similarity,
// gained 96 where this one gains 169.

// neighbourTop is how many nearest texts vote for an entry (cNbVote).
const neighbourTop = 10

// neighbourFloor is the similarity under which a text is no neighbour:
// texts sharing a few common trigrams with the question ("<de", "er>")
// say nothing about it.
const neighbourFloor = 0.2

// neighbourEntries is how many of the question's best-ranked entries have
// their texts compared with it, besides the out-of-scope questions. All
// 43,000 texts, through the postings of the question's trigrams, cost a
// question 1.2 ms of CPU (BenchmarkAsk's p50 0.36 -> 1.6 ms). Replayed on
// the fourteen measured sets, comparing the first five entries' texts and
// the out-of-scope ones gained 182 (right answers minus three times wrong
// ones) where all texts gained 155: an entry ranked lower is no rival the
// confidence needs to weigh.
const neighbourEntries = 5

// neighbourCommon is the share of the texts above which a trigram is
// common ("<de", "er>", "ing"): its postings would be seven in ten of a
// question's (for three in ten of its trigrams), so each text holds its
// common trigrams in a few words of bits instead, counted with the
// question's by a population count. Leaving them out of the similarity
// altogether was as cheap, but it lost 25-45 of the replay's gain.
const neighbourCommon = 0.1

// neighbourCommonMin is the fewest texts a common trigram is in: in an
// index of a few texts (a test's) each is in a tenth of them.
const neighbourCommonMin = 10

// neighbourIndex finds the texts nearest a question by character trigrams.
// Its texts are numbered by class, so that a trigram's postings of one
// class are a run of them.
type neighbourIndex struct {
	gramID map[uint64]int32
	// flat[postOff[g]:postOff[g+1]] are the texts holding trigram g,
	// ascending; none for a common one.
	flat, postOff []int32
	// bit is each common trigram's place in a text's common bits, -1 for
	// the others; common holds each text's, words texts apart.
	bit    []int32
	common []uint64
	words  int
	// runs[g*(nClass+1)+c] is where trigram g's postings of class c start
	// in post[g], and the next class's where they end.
	runs   []int32
	nClass int
	size   []float32 // each text's count of distinct trigrams
	start  []int32   // class → its first text; start[nClass] is the text count
	text   []uint64  // each text's hash: a tuning question hides its copies
	group  []int32   // each tuning text's group (Case.Group) number, -1 for none
	groups map[string]int32
}

// newNeighbourIndex indexes the ranker's training texts (rankerTexts)
// but the answers: long, and no question is written like one. nClass
// counts the entries and out of scope.
func newNeighbourIndex(texts []rankerText, nClass int) *neighbourIndex {
	nx := &neighbourIndex{gramID: map[uint64]int32{}, groups: map[string]int32{}, nClass: nClass}
	var kept []*rankerText
	for i := range texts {
		if texts[i].kind != kbAnswer {
			kept = append(kept, &texts[i])
		}
	}
	slices.SortStableFunc(kept, func(a, b *rankerText) int { return int(a.class - b.class) })
	// Each text's trigrams, numbered, one after the other (off), then
	// the postings of each, laid out in one array: appended to one slice
	// per trigram, they were most of a build's 100 MB of garbage. A word
	// has as many trigrams as letters, so a text at most as many as bytes.
	total := 0
	for _, t := range kept {
		total += len(t.text)
	}
	nx.start = make([]int32, nClass+1)
	off := make([]int, 1, len(kept)+1)
	ids := make([]int32, 0, total)
	var df []int32
	var keys []uint64
	var last []int32 // per trigram, the last text (plus one) that had it: a text's repeats count once
	for i, t := range kept {
		for c := t.class + 1; c <= int32(nClass); c++ {
			nx.start[c] = int32(i) + 1
		}
		keys = appendTrigrams(keys[:0], t.text)
		for _, k := range keys {
			id, ok := nx.gramID[k]
			if !ok {
				id = int32(len(df))
				nx.gramID[k] = id
				df = append(df, 0)
				last = append(last, 0)
			}
			if last[id] == int32(i)+1 {
				continue
			}
			last[id] = int32(i) + 1
			ids = append(ids, id)
			df[id]++
		}
		off = append(off, len(ids))
		nx.size = append(nx.size, float32(off[i+1]-off[i]))
		nx.text = append(nx.text, textHash(t.text))
		group := int32(-1)
		if t.translations != "" {
			g, ok := nx.groups[t.translations]
			if !ok {
				g = int32(len(nx.groups))
				nx.groups[t.translations] = g
			}
			group = g
		}
		nx.group = append(nx.group, group)
	}
	// The common trigrams go to each text's bits, the others to postings.
	nx.bit = make([]int32, len(df))
	postOff := make([]int32, len(df)+1)
	nCommon := 0
	for id, n := range df {
		nx.bit[id] = -1
		if n > neighbourCommonMin && float64(n) > neighbourCommon*float64(len(kept)) {
			nx.bit[id] = int32(nCommon)
			nCommon++
			n = 0
		}
		postOff[id+1] = postOff[id] + n
	}
	nx.words = (nCommon + 63) / 64
	nx.common = make([]uint64, nx.words*len(kept))
	flat := make([]int32, postOff[len(df)])
	fill := slices.Clone(postOff[:len(df)])
	for t := range kept {
		for _, id := range ids[off[t]:off[t+1]] {
			if b := nx.bit[id]; b >= 0 {
				nx.common[t*nx.words+int(b)/64] |= 1 << (b % 64)
				continue
			}
			flat[fill[id]] = int32(t)
			fill[id]++
		}
	}
	nx.flat, nx.postOff = flat, postOff
	nx.runs = make([]int32, 0, len(df)*(nClass+1))
	for id := range df {
		post := nx.postings(int32(id))
		for c := range nClass + 1 {
			i, _ := slices.BinarySearch(post, nx.start[c])
			nx.runs = append(nx.runs, int32(i))
		}
	}
	return nx
}

// postings are the texts holding trigram id, ascending.
func (nx *neighbourIndex) postings(id int32) []int32 {
	return nx.flat[nx.postOff[id]:nx.postOff[id+1]]
}

// trigramKeys appends the distinct character trigrams of text's folded
// words, each word between "<" and ">", packed three runes to a key, in
// order.
func trigramKeys(out []uint64, text string) []uint64 {
	start := len(out)
	out = appendTrigrams(out, text)
	keys := out[start:]
	slices.Sort(keys)
	return append(out[:start], slices.Compact(keys)...)
}

// appendTrigrams appends the trigram keys of text's words as they come,
// repeats included.
func appendTrigrams(out []uint64, text string) []uint64 {
	var rs []rune
	for _, w := range words(foldLower(text)) {
		rs = append(rs[:0], '<')
		for _, r := range w {
			rs = append(rs, r)
		}
		rs = append(rs, '>')
		for i := 0; i+3 <= len(rs); i++ {
			out = append(out, uint64(rs[i])<<42|uint64(rs[i+1])<<21|uint64(rs[i+2]))
		}
	}
	return out
}

func textHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// neighbourhood is what a question's nearest texts, among those of the
// classes compared, say of each class.
type neighbourhood struct {
	classes []int32   // the classes compared
	best    []float64 // per class compared, the similarity of its nearest text
	near    [neighbourTop]neighbour
	n       int // how many of near are kept
}

// near returns the neighbourhood of question q (as read) among the texts
// of classes; a tuning question scored leave-one-out (self) does not meet
// its own text, its copies nor its translations.
func (nx *neighbourIndex) near(q string, classes []int32, self *Case) *neighbourhood {
	grams := trigramKeys(nil, q)
	ids := make([]int32, 0, len(grams))
	qbits := make([]uint64, nx.words)
	qn := float64(len(grams))
	for _, g := range grams {
		id, ok := nx.gramID[g]
		switch {
		case !ok:
		case nx.bit[id] >= 0:
			qbits[nx.bit[id]/64] |= 1 << (nx.bit[id] % 64)
		default:
			ids = append(ids, id)
		}
	}
	own, group := uint64(0), int32(-2)
	if self != nil {
		own = textHash(chatText(self.Question))
		if g, ok := nx.groups[self.Group]; ok && self.Group != "" {
			group = g
		}
	}
	h := &neighbourhood{classes: classes, best: make([]float64, len(classes))}
	// Class by class: a class's texts are a run, and counting into a
	// small array the size of one class's run stays in the processor's
	// cache, where one count per text of the index did not. The array is
	// pooled: grown afresh it was 7 KB of every question's garbage.
	cp := countsPool.Get().(*[]uint16)
	defer countsPool.Put(cp)
	counts := *cp
	defer func() { *cp = counts }()
	for k, cl := range classes {
		base := nx.start[cl]
		counts = slices.Grow(counts[:0], int(nx.start[cl+1]-base))[:nx.start[cl+1]-base]
		clear(counts)
		for _, id := range ids {
			runs := nx.runs[int(id)*(nx.nClass+1):]
			for _, t := range nx.postings(id)[runs[cl]:runs[cl+1]] {
				counts[t-base]++
			}
		}
		for i, rare := range counts {
			t := base + int32(i)
			c := int(rare)
			for w, b := range nx.common[int(t)*nx.words : int(t+1)*nx.words] {
				c += bits.OnesCount64(b & qbits[w])
			}
			if c == 0 {
				continue
			}
			if self != nil && (nx.text[t] == own || nx.group[t] == group) {
				continue
			}
			s := float64(c) / math.Sqrt(qn*float64(nx.size[t]))
			h.best[k] = max(h.best[k], s)
			if s > neighbourFloor {
				h.keep(neighbour{s, t, k})
			}
		}
	}
	return h
}

// countsPool holds near's per-class counts between questions.
var countsPool = sync.Pool{New: func() any { return new([]uint16) }}

// join returns h and o, compared on different classes, as one
// neighbourhood: o's classes after h's.
func (h *neighbourhood) join(o *neighbourhood) *neighbourhood {
	j := &neighbourhood{classes: append(slices.Clone(h.classes), o.classes...), best: append(slices.Clone(h.best), o.best...), near: h.near, n: h.n}
	for _, nb := range o.near[:o.n] {
		nb.k += len(h.classes)
		j.keep(nb)
	}
	return j
}

// neighbour is a text t at similarity s, of the k-th class compared.
type neighbour struct {
	s float64
	t int32
	k int
}

// nearer orders neighbours, the nearest first, ties by text.
func (a neighbour) nearer(b neighbour) bool {
	return a.s > b.s || a.s == b.s && a.t < b.t
}

// keep inserts nb among the nearest kept, in order: a question's texts
// above neighbourFloor are hundreds, of which the nearest neighbourTop
// count (sorting them all was a third of near's time).
func (h *neighbourhood) keep(nb neighbour) {
	if h.n == neighbourTop {
		if !nb.nearer(h.near[h.n-1]) {
			return
		}
		h.n--
	}
	i := h.n
	for i > 0 && nb.nearer(h.near[i-1]) {
		h.near[i] = h.near[i-1]
		i--
	}
	h.near[i] = nb
	h.n++
}

// features are the neighbour features of the k-th class compared: its
// nearest text's similarity, its lead over any other class's nearest, the
// share of the nearest texts' similarity it holds, and the nearest
// out-of-scope question's similarity (the last class compared).
func (h *neighbourhood) features(k int) [4]float64 {
	var x [4]float64
	x[0] = h.best[k]
	other := 0.0
	for j, s := range h.best {
		if j != k {
			other = max(other, s)
		}
	}
	x[1] = x[0] - other
	total := 0.0
	for _, nb := range h.near[:h.n] {
		total += nb.s
		if nb.k == k {
			x[2] += nb.s
		}
	}
	if total > 0 {
		x[2] /= total
	}
	x[3] = h.best[len(h.best)-1]
	return x
}
