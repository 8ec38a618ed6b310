package faq

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
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

// TestModelCacheReusesTheTrainedRanker builds an index twice over one cache
// folder: the first trains and stores, the second loads, and both answer
// every tuning question with the same probabilities.
func TestModelCacheReusesTheTrainedRanker(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the ranker")
	}
	es, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	stale := filepath.Join(dir, rankerFormat+"-000000000000000000000000.gob")
	if err := os.WriteFile(stale, []byte("a ranker of an older build"), 0o644); err != nil {
		t.Fatal(err)
	}
	cache := &countingCache{ModelCache: DirCache(dir)}
	trained, err := NewIndex(es, WithModelCache(cache))
	if err != nil {
		t.Fatal(err)
	}
	if cache.hits != 0 || cache.puts != 1 {
		t.Fatalf("first build: %d hits, %d writes; want 0 and 1", cache.hits, cache.puts)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 1 || files[0] == stale {
		t.Fatalf("cache folder holds %q; want the new ranker's file alone", files)
	}
	loaded, err := NewIndex(es, WithModelCache(cache))
	if err != nil {
		t.Fatal(err)
	}
	if cache.hits != 1 || cache.puts != 1 {
		t.Fatalf("second build: %d hits, %d writes in all; want 1 and 1", cache.hits, cache.puts)
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
	for i := range b { // any byte changed: refused (or still the same ranker), never a different one
		d := bytes.Clone(b)
		d[i] ^= 0x41
		if r, err := decodeRanker(d); err == nil && (r.nClass != 2 || r.models[0].q[3] != -4 || r.models[0].scale[1] != 0.25 || !reflect.DeepEqual(r.trans, tinyRanker().trans)) {
			t.Fatalf("byte %d damaged: decoded a different ranker %+v", i, r)
		}
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
