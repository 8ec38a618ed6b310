// Package spell measures how far a typed word is from a known one, for the
// "did you mean" of commands and the typo tolerance of the FAQ.
package spell

// Distance is the optimal string alignment distance of a and b (insertions,
// deletions, substitutions and swaps of neighbours each count one, so
// "clsoe" is one typo from "close"), or max+1 as soon as it is known to
// exceed max: callers only ever ask "is it within max?".
func Distance(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}
	// Three rows: two back for transpositions.
	pp := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, pp[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		pp, prev, cur = prev, cur, pp
	}
	return prev[len(rb)]
}

// Closest returns the candidate nearest to word if it is near enough to be a
// plausible typo: one edit for words of up to three letters, two otherwise.
func Closest(word string, candidates []string) (string, bool) {
	limit := 2
	if len([]rune(word)) <= 3 {
		limit = 1
	}
	best, bestD := "", limit+1
	for _, c := range candidates {
		if d := Distance(word, c, limit); d < bestD {
			best, bestD = c, d
		}
	}
	return best, best != ""
}
