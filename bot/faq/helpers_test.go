package faq

import (
	"os"
	"sync"
	"testing"
)

var (
	sharedOnce sync.Once
	sharedIx   *Index
	sharedErr  error
)

// loadIndex builds the index of the embedded knowledge base once per test
// binary: every test reads it, none modifies it.
func loadIndex(tb testing.TB) *Index {
	tb.Helper()
	sharedOnce.Do(func() {
		var es []Entry
		es, sharedErr = Load()
		if sharedErr == nil {
			sharedIx, sharedErr = NewIndex(es)
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
