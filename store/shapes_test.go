package store

import (
	"slices"
	"testing"
)

func TestChunksArePowersOfTwoAndAddUp(t *testing.T) {
	for n, want := range map[int][]int{
		0: nil, 1: {1}, 77: {64, 8, 4, 1}, 256: {256}, 600: {256, 256, 64, 16, 8}, 3: {2, 1},
	} {
		got := chunks(n, 256)
		if !slices.Equal(got, want) {
			t.Errorf("chunks(%d) = %v, want %v", n, got, want)
		}
	}
	shapes := map[int]bool{}
	for n := range 1001 {
		sum := 0
		for _, c := range chunks(n, 512) {
			sum += c
			shapes[c] = true
		}
		if sum != n {
			t.Fatalf("chunks(%d) add up to %d", n, sum)
		}
	}
	if len(shapes) > 10 {
		t.Errorf("%d chunk sizes for up to 1,000 rows; want at most 10 statement shapes", len(shapes))
	}
}

func TestPaddedKeepsTheSetAndRoundsUp(t *testing.T) {
	for _, xs := range [][]string{nil, {"a"}, {"a", "b", "c"}, {"a", "b", "c", "d", "e"}} {
		p := padded(xs)
		if len(xs) == 0 {
			if len(p) != 0 {
				t.Errorf("padded(%v) = %v", xs, p)
			}
			continue
		}
		if len(p)&(len(p)-1) != 0 || len(p) < len(xs) || len(p) >= 2*len(xs) && len(xs) > 1 {
			t.Errorf("padded(%v) has %d elements", xs, len(p))
		}
		for _, x := range p {
			if !slices.Contains(xs, x) {
				t.Errorf("padded(%v) brought in %q", xs, x)
			}
		}
	}
}
