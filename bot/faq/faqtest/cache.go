package faqtest

import (
	"bytes"
	"sync"
)

// Cache is a faq.ModelCache in memory that keeps every key, for tests that
// build indexes of the same texts again and again: each test of an admin
// verb starts from Small's index, and its sqlite and postgres variants
// make the same changes. faq.DirCache keeps one key only (the newest), and
// a process's own trained rankers are all it can reuse (the key names the
// executable), so a test binary shares one Cache between its tests.
//
// A build that finds its texts here loads the ranker trained for them
// instead of training it again (as serve does with COSELLBOT_CACHE_DIR);
// bot/faq's TestModelCacheReusesTheTrainedRanker checks that the loaded
// ranker answers as the trained one did. Under -race a Small index took
// 2.2 s to build, nearly all of it training.
type Cache struct {
	mu sync.Mutex
	m  map[string][]byte
}

// Get returns a copy of what Put stored under key.
func (c *Cache) Get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.m[key]
	return bytes.Clone(b), ok
}

// Put keeps a copy of b under key.
func (c *Cache) Put(key string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string][]byte{}
	}
	c.m[key] = bytes.Clone(b)
}
