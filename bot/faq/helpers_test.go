package faq

import (
	"maps"
	"os"
	"sync"
	"testing"
)

var (
	sharedOnce sync.Once
	sharedIx   *Index
	sharedErr  error
	// sharedCache holds what the shared index's build trained and
	// analysed (its ranker and its analysis), counted: the model cache's
	// test reuses them rather than training the whole knowledge base's
	// ranker a second time (15 s).
	sharedCache = &countingCache{ModelCache: &memCache{}}
)

// loadIndex builds the index of the embedded knowledge base once per test
// binary: every test reads it, none modifies it.
func loadIndex(tb testing.TB) *Index {
	tb.Helper()
	sharedOnce.Do(func() {
		var es []Entry
		es, sharedErr = Load()
		if sharedErr == nil {
			sharedIx, sharedErr = NewIndex(es, WithModelCache(sharedCache))
		}
	})
	if sharedErr != nil {
		tb.Fatal(sharedErr)
	}
	return sharedIx
}

func loadCases(tb testing.TB, path string) []Case {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	cases, err := ParseCases(data)
	if err != nil {
		tb.Fatal(err)
	}
	return cases
}

// memCache is a ModelCache in memory that keeps every key.
type memCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (c *memCache) Get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.m[key]
	return b, ok
}

func (c *memCache) Put(key string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string][]byte{}
	}
	c.m[key] = b
}

// entries are the keys and contents the cache holds.
func (c *memCache) entries() map[string][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.m)
}
