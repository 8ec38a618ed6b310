package store

import (
	"testing"

	"github.com/cosellbot/cosellbot/bot/deal"
)

// The cache's own rules: nothing is kept while it is off or after a forget
// that a fill's read may have missed; it never holds more than
// dealCacheMax deals; what it hands out is a copy.
func TestDealCacheKeepsOnlyWhatNoWriteOvertook(t *testing.T) {
	var c dealCache
	_, epoch, live, _ := c.get(1)
	c.put(&deal.Deal{ID: 1}, epoch)
	if _, _, _, ok := c.get(1); ok || live {
		t.Fatal("kept a deal while the cache was off")
	}

	c.reset(true)
	_, epoch, _, _ = c.get(1)
	c.forget(2) // a write committed while deal 1 was being read
	c.put(&deal.Deal{ID: 1, Name: "old"}, epoch)
	if _, _, _, ok := c.get(1); ok {
		t.Fatal("kept a deal read before a forget")
	}

	_, epoch, _, _ = c.get(1)
	c.put(&deal.Deal{ID: 1, Name: "kept", Team: []deal.Person{{Name: "Ana"}}}, epoch)
	d, _, _, ok := c.get(1)
	if !ok || d.Name != "kept" {
		t.Fatalf("get after put: %+v, %v", d, ok)
	}
	d.Team[0].Name = "changed"
	if again, _, _, _ := c.get(1); again.Team[0].Name != "Ana" {
		t.Fatal("the caller's copy shares the cached deal")
	}

	for id := range int64(dealCacheMax + 50) {
		_, epoch, _, _ := c.get(id + 10)
		c.put(&deal.Deal{ID: id + 10}, epoch)
	}
	if n := len(c.deals); n > dealCacheMax {
		t.Fatalf("%d deals cached, at most %d", n, dealCacheMax)
	}

	c.reset(false)
	if _, _, _, ok := c.get(1); ok {
		t.Fatal("a reset left deals in the cache")
	}
}
