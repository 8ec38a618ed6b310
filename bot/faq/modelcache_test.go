package faq

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
)

// countingCache counts a ModelCache's hits and writes.
type countingCache struct {
	ModelCache
	mu         sync.Mutex
	hits, puts int
}

func (c *countingCache) Get(key string) ([]byte, bool) {
	b, ok := c.ModelCache.Get(key)
	c.mu.Lock()
	defer c.mu.Unlock()
	if ok {
		c.hits++
	}
	return b, ok
}

func (c *countingCache) Put(key string, b []byte) {
	c.mu.Lock()
	c.puts++
	c.mu.Unlock()
	c.ModelCache.Put(key, b)
}

// TestModelCacheReusesTheTrainedRanker: the shared index's build trained
// and stored its ranker, analysis and neighbour index, and kept the parsed
// tuning set; put in a cache folder, they replace
// the folder's stale files, and an index built over the folder loads them
// and answers every tuning and hold-out question with the same
// probabilities and confidence as the trained one.
func TestModelCacheReusesTheTrainedRanker(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the ranker")
	}
	es, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	trained := loadIndex(t)
	sharedCache.mu.Lock()
	hits, puts := sharedCache.hits, sharedCache.puts
	sharedCache.mu.Unlock()
	stored := sharedCache.ModelCache.(*memCache).entries()
	if hits != 0 || puts != 4 || len(stored) != 4 {
		t.Fatalf("the shared build: %d hits, %d writes of %d keys; want 0 and 4 of 4 (the ranker, the analysis, the neighbour index, the tuning set)", hits, puts, len(stored))
	}
	dir := t.TempDir()
	var stale []string
	for _, kind := range []string{rankerFormat, docsFormat, neighboursFormat, tuningFormat} {
		f := filepath.Join(dir, kind+"-000000000000000000000000.gob")
		if err := os.WriteFile(f, []byte("a file of an older build"), 0o644); err != nil {
			t.Fatal(err)
		}
		stale = append(stale, f)
	}
	cache := &countingCache{ModelCache: DirCache(dir)}
	for key, b := range stored {
		cache.Put(key, b)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 4 || slices.ContainsFunc(files, func(f string) bool { return slices.Contains(stale, f) }) {
		t.Fatalf("cache folder holds %q; want the new ranker's, analysis's, neighbour index's and tuning set's files alone", files)
	}
	loaded, err := NewIndex(es, WithModelCache(cache))
	if err != nil {
		t.Fatal(err)
	}
	// It reads the ranker, the analysis and the neighbour index, not the
	// tuning set: the analysis holds what the questions teach the readers.
	if cache.hits != 3 || cache.puts != 4 {
		t.Fatalf("a build over the folder: %d hits, %d writes in all; want 3 (no tuning set) and 4", cache.hits, cache.puts)
	}
	if !reflect.DeepEqual(loaded.spoken, trained.spoken) || !reflect.DeepEqual(loaded.mend.typed, trained.mend.typed) {
		t.Fatal("the cached build's spoken vocabulary or typed words differ from the trained one's")
	}
	// The neighbour index read from the cache is the one built.
	if a, errA := trained.near.encode(); errA != nil {
		t.Fatal(errA)
	} else if b, errB := loaded.near.encode(); errB != nil || !bytes.Equal(a, b) {
		t.Fatalf("the cached neighbour index differs from the built one (%v)", errB)
	}
	// The translation tables come with the ranker, not learned again.
	if got, want := loaded.translations(), trained.translations(); len(want[FR]) == 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("loaded translation tables differ from the trained ones (%d and %d French terms)", len(got[FR]), len(want[FR]))
	}
	for _, c := range loadCases(t, "testdata/tuning.yaml") {
		lang := detectLang(c.Question, trained.vocab)
		a, b := trained.probs(trained.ranker, c.Question, lang), loaded.probs(loaded.ranker, c.Question, lang)
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%q: class %d probability %v trained, %v loaded", c.Question, i, a[i], b[i])
			}
		}
		if x, y := trained.Ask(c.Question), loaded.Ask(c.Question); x.EntryID != y.EntryID || x.Confidence != y.Confidence {
			t.Fatalf("%q: trained answers %s (%v), loaded %s (%v)", c.Question, x.EntryID, x.Confidence, y.EntryID, y.Confidence)
		}
	}
	// The analysis read from the cache is the one made: every language's
	// terms, postings and entry features alike.
	for _, l := range Langs {
		if a, b := docTerms(trained.langs[l]), docTerms(loaded.langs[l]); !reflect.DeepEqual(a, b) {
			t.Fatalf("%s: the index built from the cached analysis differs from the analysed one", l)
		}
	}
	for _, c := range loadCases(t, "testdata/holdout.yaml") {
		if x, y := trained.Ask(c.Question), loaded.Ask(c.Question); x.EntryID != y.EntryID || x.Confidence != y.Confidence {
			t.Fatalf("%q: analysed answers %s (%v), cached %s (%v)", c.Question, x.EntryID, x.Confidence, y.EntryID, y.Confidence)
		}
	}
	// A torn analysis file is analysed again and written anew.
	docs, _ := filepath.Glob(filepath.Join(dir, docsFormat+"-*.gob"))
	if len(docs) != 1 || os.WriteFile(docs[0], []byte("torn"), 0o644) != nil {
		t.Fatalf("analysis files %q", docs)
	}
	if _, err := NewIndex(es, WithModelCache(cache)); err != nil {
		t.Fatal(err)
	}
	if cache.puts != 5 {
		t.Fatalf("after a torn analysis: %d writes in all, want 5", cache.puts)
	}
}

// TestEntriesDigestNamesEveryField: the cache key of a build is read from
// the entries before any training text exists, so every field an entry
// has must change it (an admin's edit of one alternate must not load the
// ranker trained without it), and the same entries must give the same key.
func TestEntriesDigestNamesEveryField(t *testing.T) {
	t.Parallel()
	es, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	es = es[:3]
	digest := func(es []Entry) string {
		t.Helper()
		d := indexOf(es).entriesDigest(es)
		if len(d) != 24 {
			t.Fatalf("digest %q: want 24 hex digits (the test binary is a known executable)", d)
		}
		return d
	}
	base := digest(es)
	if again := digest(slices.Clone(es)); again != base {
		t.Fatalf("the same entries: %s, then %s", base, again)
	}
	edits := map[string]func(e *Entry){
		"id":       func(e *Entry) { e.ID += "-x" },
		"seed":     func(e *Entry) { e.Seed += "x" },
		"related":  func(e *Entry) { e.Related = append(slices.Clone(e.Related), "cpor-what") },
		"question": func(e *Entry) { t := e.Text[FR]; t.Question += " ?"; e.Text[FR] = t },
		"alternate": func(e *Entry) {
			t := e.Text[SV]
			t.Alternates = append(slices.Clone(t.Alternates), "ny fråga")
			e.Text[SV] = t
		},
		"moved": func(e *Entry) {
			t := e.Text[EN]
			t.Alternates = slices.Clone(t.Alternates)
			t.Answer = t.Alternates[0] + " " + t.Answer
			t.Alternates = t.Alternates[1:]
			e.Text[EN] = t
		},
		"answer": func(e *Entry) { t := e.Text[EN]; t.Answer += "."; e.Text[EN] = t },
	}
	seen := map[string]string{base: "none"}
	for name, edit := range edits {
		changed := slices.Clone(es)
		e := changed[1]
		e.Text = maps.Clone(e.Text)
		edit(&e)
		changed[1] = e
		d := digest(changed)
		if prev, ok := seen[d]; ok {
			t.Errorf("edit %s: digest %s, as edit %s", name, d, prev)
		}
		seen[d] = name
	}
	if d := digest(es[:2]); seen[d] != "" {
		t.Errorf("an entry removed: digest %s, as edit %s", d, seen[d])
	}
}

// docTerms describes a language index by its terms' text (term IDs are
// numbered in map order, differently from build to build): each entry's
// phrasings in order, its answer's terms sorted, its intents and idf
// weights.
func docTerms(li *langIndex) []string {
	var out []string
	for i, d := range li.docs {
		line := li.ids[i]
		for k, p := range d.phrasings {
			line += " |"
			for _, id := range p {
				line += " " + li.termText[id]
			}
			line += fmt.Sprint(" ", d.phraseIntents[k], " ", d.phraseW[k])
		}
		var a []string
		for _, id := range d.a {
			a = append(a, li.termText[id])
		}
		slices.Sort(a)
		out = append(out, fmt.Sprint(line, " answer ", a, d.intents, d.defines, d.figure, d.minimum, d.amounts, d.numbers, d.nKB))
	}
	return out
}

// tinyRanker is a valid ranker small enough for the fuzz seeds.
func tinyRanker() *ranker {
	return &ranker{
		spec: defaultFeatSpec, dict: map[string]int32{"cpor": 0, "mcem": 1}, nClass: 2,
		trans:  map[Lang]translations{FR: {"reclam": {"claim"}}, SV: {"avtal": {"deal", "agreement"}}},
		models: []*softmaxModel{{nClass: 2, bias: []float32{0.1, -0.1}, q: []int8{1, -2, 3, -4}, scale: []float32{0.5, 0.25}}},
	}
}

func TestRankerFileRoundTripAndDamage(t *testing.T) {
	t.Parallel()
	b, err := encodeRanker(tinyRanker())
	if err != nil {
		t.Fatal(err)
	}
	r, err := decodeRanker(b)
	if err != nil {
		t.Fatal(err)
	}
	if r.spec != defaultFeatSpec || r.nClass != 2 || r.dict["mcem"] != 1 || len(r.models) != 1 || r.models[0].q[3] != -4 ||
		!reflect.DeepEqual(r.trans, tinyRanker().trans) {
		t.Fatalf("decoded %+v", r)
	}
	if got := r.models[0].q; !reflect.DeepEqual(got, tinyRanker().models[0].q) {
		t.Fatalf("weights %v, want %v", got, tinyRanker().models[0].q)
	}
	for i := range b { // any byte changed, in the header, the gob or the weights after it: refused
		d := bytes.Clone(b)
		d[i] ^= 0x41
		if _, err := decodeRanker(d); err == nil {
			t.Fatalf("byte %d damaged: decoded", i)
		}
	}
	if _, err := decodeRanker(b[:len(b)-1]); err == nil {
		t.Fatal("a file one byte short decoded")
	}
	// A file sealed right but holding more weights than its members: the
	// extra bytes are no member's, so the file is not one encodeRanker wrote.
	f := rankerFile{NClass: 2, Words: []string{"cpor", "mcem"}, Members: []memberFile{{NClass: 2, Bias: []float32{0, 0}, Scale: []float32{1, 1}}}}
	for _, tc := range []struct {
		name    string
		weights []byte
	}{{"too many weights", []byte{1, 2, 3, 4, 5}}, {"too few weights", []byte{1, 2, 3}}} {
		d, err := seal(rankerFormat, &f, tc.weights)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decodeRanker(d); err == nil {
			t.Errorf("%s: decoded", tc.name)
		}
	}
	if d, err := seal(rankerFormat, &f, []byte{1, 2, 3, 4}); err != nil {
		t.Fatal(err)
	} else if _, err := decodeRanker(d); err != nil {
		t.Errorf("the same file with its four weights: %v", err)
	}
	if _, ok := DirCache(t.TempDir()).Get("../escape"); ok {
		t.Fatal("a key with a path in it was read")
	}
}

// FuzzDecodeRanker: a damaged or foreign cache file is refused, never a
// panic, and what is accepted can be used.
func FuzzDecodeRanker(f *testing.F) {
	b, err := encodeRanker(tinyRanker())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("not gob"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := decodeRanker(data)
		if err != nil {
			return
		}
		p := make([]float64, r.nClass)
		ids := make([]int32, 0, len(r.dict))
		vals := make([]float32, 0, len(r.dict))
		for _, id := range r.dict {
			ids, vals = append(ids, id), append(vals, 1)
		}
		r.classProbs(sparse{ids: ids, vals: vals}, p)
	})
}

func TestDocsFileRoundTripAndDamage(t *testing.T) {
	t.Parallel()
	langs := map[Lang]*analysedLang{}
	for _, l := range Langs {
		langs[l] = &analysedLang{raw: []rawDoc{{
			defines: map[string]bool{"pga": true}, nKB: 1, phrasings: [][]string{{"cpor", "what"}, {"claim"}},
			phraseIntents: [][]string{{"qqdef"}, nil}, a: map[string]struct{}{"partner": {}}, intents: map[string]bool{},
			figure: true, amounts: map[string]bool{"eur": true}, numbers: map[string]bool{"14": true},
		}}}
	}
	langs[SV].compounds = []string{"avtal", "värde"}
	want := buildAnalysis{langs: langs, typed: map[string]bool{"knappen": true, "funkar": true},
		spoken: langVocab{"inbound": langBit(EN) | langBit(FR), "knapp": langBit(SV)}}
	b, err := encodeDocs(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeDocs(b)
	if err != nil {
		t.Fatal(err)
	}
	if r := got.langs[FR].raw[0]; len(got.langs[SV].compounds) != 2 || r.nKB != 1 || r.phrasings[1][0] != "claim" || !r.defines["pga"] || !r.numbers["14"] || !r.figure {
		t.Fatalf("decoded %+v", got)
	}
	if !reflect.DeepEqual(got.typed, want.typed) || !reflect.DeepEqual(got.spoken, want.spoken) {
		t.Fatalf("decoded typed words %v and spoken vocabulary %v; want %v and %v", got.typed, got.spoken, want.typed, want.spoken)
	}
	if !got.fits(1) || got.fits(2) {
		t.Fatal("an analysis of one entry a language: fits(1) must hold, fits(2) not")
	}
	for i := range b { // any byte changed, in the header or the payload: refused
		d := bytes.Clone(b)
		d[i] ^= 0x41
		if _, err := decodeDocs(d); err == nil {
			t.Fatalf("byte %d damaged: decoded", i)
		}
	}
	if _, err := decodeDocs(b[:len(b)-1]); err == nil {
		t.Fatal("a file one byte short decoded")
	}
}

// FuzzDecodeDocs: a damaged or foreign analysis file is refused, never a
// panic.
func FuzzDecodeDocs(f *testing.F) {
	f.Add([]byte("not gob"))
	if empty, err := seal(docsFormat, docsFile{}); err == nil {
		f.Add(empty)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, err := decodeDocs(data); err == nil {
			for _, l := range Langs {
				for _, r := range got.langs[l].raw {
					_ = r.phrasings[:r.nKB]
				}
			}
		}
	})
}
