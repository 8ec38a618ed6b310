package faq

import (
	"bytes"
	"math"
	"reflect"
	"slices"
	"testing"
	"unicode/utf8"
)

func TestTrigramKeys(t *testing.T) {
	key := func(s string) uint64 {
		rs := []rune(s)
		return uint64(rs[0])<<42 | uint64(rs[1])<<21 | uint64(rs[2])
	}
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"", nil},
		{"a", []string{"<a>"}},
		{"CPOR", []string{"<cp", "cpo", "por", "or>"}},
		// Case and accents fold, words are marked apart, repeats count once.
		{"Är är", []string{"<ar", "ar>"}},
		{"de de, de!", []string{"<de", "de>"}},
		{"co-sell", []string{"<co", "co>", "<se", "sel", "ell", "ll>"}},
	} {
		var want []uint64
		for _, w := range tc.want {
			want = append(want, key(w))
		}
		slices.Sort(want)
		if got := trigramKeys(nil, tc.text); !slices.Equal(got, want) {
			t.Errorf("trigramKeys(%q) = %v, want the keys of %v", tc.text, got, tc.want)
		}
	}
	// Appending keeps what out held.
	if got := trigramKeys([]uint64{7}, "a"); len(got) != 2 || got[0] != 7 {
		t.Errorf("trigramKeys appended to [7] = %v", got)
	}
}

// neighbourFixture indexes a few texts of classes 0 and 1 (entries) and 2
// (out of scope); the last three are tuning questions of two cases.
func neighbourFixture() (*neighbourIndex, []Case) {
	cases := []Case{
		{Question: "how long to accept a referral", Lang: EN, Expect: "a", Group: "g1"},
		{Question: "combien de temps pour accepter une referral", Lang: FR, Expect: "a", Group: "g1"},
		{Question: "price of a virtual machine", Lang: EN, Expect: OutOfScope},
	}
	texts := []rankerText{
		{"How long do we have to accept a referral?", EN, 0, kbQuestion, "", ""},
		{"Referrals expire after fourteen days.", EN, 0, kbAnswer, "", ""},
		{"What is CPOR?", EN, 1, kbQuestion, "", ""},
		{"claiming partner of record", EN, 1, kbAlternate, "", ""},
		{cases[0].Question, EN, 0, tuningText, "", cases[0].Group},
		{cases[1].Question, FR, 0, tuningText, "", cases[1].Group},
		{cases[2].Question, EN, 2, tuningText, cases[2].Group, cases[2].Group},
	}
	return newNeighbourIndex(texts, 3), cases
}

func TestNeighbourIndex(t *testing.T) {
	nx, cases := neighbourFixture()
	if len(nx.size) != 6 {
		t.Fatalf("indexed %d texts, want 6 (answers are not)", len(nx.size))
	}
	if !slices.Equal(nx.start, []int32{0, 3, 5, 6}) {
		t.Fatalf("class starts %v, want [0 3 5 6]", nx.start)
	}
	all := []int32{0, 1, 2}

	// A text meets its copy at similarity 1.
	h := nx.near(cases[0].Question, all, nil)
	if math.Abs(h.best[0]-1) > 1e-9 {
		t.Errorf("a tuning question's own text: similarity %v, want 1", h.best[0])
	}
	// Left out, it meets neither its copy nor its translation, but the
	// knowledge base's question still.
	h = nx.near(cases[0].Question, all, &cases[0])
	if h.best[0] >= 1 || h.best[0] < 0.3 {
		t.Errorf("left out: similarity %v, want the kb question's, under 1", h.best[0])
	}
	for _, nb := range h.near[:h.n] {
		if nb.t == 3 || nb.t == 4 {
			t.Errorf("left out, its own text or translation %d is among the nearest", nb.t)
		}
	}
	// Nothing in common: no neighbours.
	h = nx.near("zzz qqq", all, nil)
	if h.n != 0 || slices.Max(h.best) != 0 {
		t.Errorf("unrelated question: %d neighbours, best %v", h.n, h.best)
	}

	// Features: the winner's nearest, its lead, its vote share, the
	// nearest out-of-scope question.
	h = nx.near("what is cpor", all, nil)
	x := h.features(1)
	if x[0] <= 0.5 || x[1] <= 0 || x[2] <= 0.5 || x[3] != h.best[2] {
		t.Errorf("cpor question, cpor entry: features %v", x)
	}
	if y := h.features(0); y[1] >= 0 || y[2] >= x[2] {
		t.Errorf("cpor question, referral entry: features %v, want a negative lead and a smaller share than %v", y, x)
	}
}

func TestNeighbourhoodJoin(t *testing.T) {
	nx, _ := neighbourFixture()
	q := "how long is a referral open, what is the price of a machine"
	whole := nx.near(q, []int32{0, 1, 2}, nil)
	joined := nx.near(q, []int32{0, 1}, nil).join(nx.near(q, []int32{2}, nil))
	if !slices.Equal(whole.best, joined.best) || whole.n != joined.n || whole.near != joined.near {
		t.Errorf("joined %+v, want %+v", joined, whole)
	}
	for k := range 3 {
		if whole.features(k) != joined.features(k) {
			t.Errorf("class %d: joined features %v, want %v", k, joined.features(k), whole.features(k))
		}
	}
}

func TestKeepNearest(t *testing.T) {
	var h neighbourhood
	for i := range 25 {
		h.keep(neighbour{s: float64(i%7) / 7, t: int32(i)})
	}
	if h.n != neighbourTop {
		t.Fatalf("kept %d, want %d", h.n, neighbourTop)
	}
	for i := 1; i < h.n; i++ {
		if !h.near[i-1].nearer(h.near[i]) {
			t.Fatalf("not in order at %d: %+v", i, h.near[:h.n])
		}
	}
	if h.near[0] != (neighbour{s: 6.0 / 7, t: 6}) {
		t.Errorf("nearest %+v, want the first text at 6/7", h.near[0])
	}
}

func TestNeighbourCommonTrigrams(t *testing.T) {
	// Every text has "<th", "the", "he>": over neighbourCommon of them,
	// so held in bits, not postings. The similarity is the same as
	// counted by hand, common trigrams included.
	var texts []rankerText
	for i, w := range []string{"cpor", "macc", "csp", "isv", "p2p", "sa", "mcem", "ip", "co-sell", "deal", "pga", "the partner center", "thesis", "other", "deal deal the deal"} {
		texts = append(texts, rankerText{"the " + w, EN, int32(i % 3), kbAlternate, "", ""})
	}
	nx := newNeighbourIndex(texts, 3)
	if nx.words != 1 || slices.Max(nx.bit) < 0 {
		t.Fatalf("no common trigram held in bits (%d words)", nx.words)
	}
	cosine := func(a, b string) float64 {
		ka, kb := trigramKeys(nil, a), trigramKeys(nil, b)
		n := 0
		for _, k := range ka {
			if _, ok := slices.BinarySearch(kb, k); ok {
				n++
			}
		}
		if n == 0 {
			return 0
		}
		return float64(n) / math.Sqrt(float64(len(ka)*len(kb)))
	}
	for _, q := range []string{"the the the", "the macc", "what is the cpor", "other thesis", "nothing alike", ""} {
		h := nx.near(q, []int32{0, 1, 2}, nil)
		for k := range 3 {
			want := 0.0
			for _, tx := range texts {
				if tx.class == int32(k) {
					want = max(want, cosine(q, tx.text))
				}
			}
			if math.Abs(h.best[k]-want) > 1e-9 {
				t.Errorf("%q, class %d: nearest %v, want %v", q, k, h.best[k], want)
			}
		}
	}
}

// FuzzTrigramKeys checks that any question reads as sorted, distinct keys
// of three runes each.
func FuzzTrigramKeys(f *testing.F) {
	for _, s := range []string{"", "a", "co-sell", "Är är", "\xff\xfe", "🙂 cpor", "l'accord d'affaires"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		keys := trigramKeys(nil, q)
		for i := 1; i < len(keys); i++ {
			if keys[i-1] >= keys[i] {
				t.Fatalf("keys not sorted and distinct: %v", keys)
			}
		}
		for _, k := range keys {
			for _, r := range []rune{rune(k >> 42), rune(k >> 21 & (1<<21 - 1)), rune(k & (1<<21 - 1))} {
				if !utf8.ValidRune(r) && r != utf8.RuneError {
					t.Fatalf("key %x holds no rune", k)
				}
			}
		}
	})
}

// The cache keeps the neighbour index as built, and a torn or foreign
// file is built again, never read wrong.
func TestNeighboursFileRoundTrip(t *testing.T) {
	nx, cases := neighbourFixture()
	b, err := nx.encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeNeighbours(b)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := got.encode(); err != nil || !bytes.Equal(again, b) {
		t.Fatalf("the decoded index encodes differently (%v)", err)
	}
	for _, self := range []*Case{nil, &cases[0]} {
		want, have := nx.near(cases[0].Question, []int32{0, 1, 2}, self), got.near(cases[0].Question, []int32{0, 1, 2}, self)
		if !reflect.DeepEqual(want, have) {
			t.Errorf("decoded index's neighbourhood %+v, want %+v", have, want)
		}
	}
	if _, err := decodeNeighbours(b[:len(b)-9]); err == nil {
		t.Error("a torn file decoded")
	}
	docs, err := seal(docsFormat, []langDocsFile{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeNeighbours(docs); err == nil {
		t.Error("the analysis's file decoded as a neighbour index")
	}
}

// TestRerank: the neighbour features reorder the best neighbourEntries
// candidates among themselves by the weights the model gives them, and
// the candidates after them keep their place and score.
func TestRerank(t *testing.T) {
	ix := &Index{}
	var cands []candidate
	for i := range neighbourEntries + 2 {
		id := string(rune('a' + i))
		cands = append(cands, candidate{id: id, pos: int32(i), rank: float64(10 - i)})
	}
	cands[2].nb = [4]float64{1, 0.5, 1, 0.5} // third, with near texts
	cands[neighbourEntries].nb = [4]float64{1, 1, 1, 0.5}
	order := func(m *Model) []string {
		got := slices.Clone(cands)
		ix.rerank(got, m)
		var ids []string
		for _, c := range got {
			ids = append(ids, c.id)
		}
		return ids
	}
	var m Model
	if got, want := order(&m), []string{"a", "b", "c", "d", "e", "f", "g"}; !slices.Equal(got, want) {
		t.Errorf("unweighed: order %v, want %v", got, want)
	}
	m.Rerank = [nRerank]float64{1, 1, 1}
	if got, want := order(&m), []string{"c", "a", "b", "d", "e", "f", "g"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	got := slices.Clone(cands)
	ix.rerank(got, &m)
	if got[0].rank != 10.5 || got[1].rank != 10 {
		t.Errorf("scores %v and %v, want 10.5 and 10", got[0].rank, got[1].rank)
	}
	if got[neighbourEntries].rank != cands[neighbourEntries].rank {
		t.Errorf("candidate %d rescored: %v", neighbourEntries, got[neighbourEntries].rank)
	}
}
