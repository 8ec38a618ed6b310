package chat

import (
	"strings"
	"unicode/utf8"
)

// Split cuts text into chunks of at most limit characters for platforms that
// cap a message or section. It cuts between lines; a longer line is cut after
// its last space within the limit, else at the limit as moved back by
// hardCut, which each platform uses to keep its escapes whole (an HTML
// entity, a backslash with its character). Empty text gives no chunk.
func Split(text string, limit int, hardCut func(line []rune, limit int) int) []string {
	if len(text) <= limit || utf8.RuneCountInString(text) <= limit {
		// Fits whole: the one chunk the loop below would make, without
		// copying every line through runes (most replies take this path).
		if t := strings.Trim(text, "\n"); t != "" {
			return []string{t}
		}
		return nil
	}
	return split(text, limit, hardCut)
}

// split is Split for text longer than limit.
func split(text string, limit int, hardCut func(line []rune, limit int) int) []string {
	var chunks []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			chunks = append(chunks, strings.TrimRight(string(cur), "\n"))
			cur = cur[:0]
		}
	}
	for _, line := range strings.Split(text, "\n") {
		rs := []rune(line)
		for len(rs) > limit {
			flush()
			cut := cutLine(rs, limit, hardCut)
			chunks = append(chunks, strings.TrimRight(string(rs[:cut]), " "))
			rs = []rune(strings.TrimLeft(string(rs[cut:]), " "))
		}
		if len(cur) > 0 && len(cur)+1+len(rs) > limit {
			flush()
		}
		if len(cur) > 0 {
			cur = append(cur, '\n')
		}
		cur = append(cur, rs...)
	}
	flush()
	return chunks
}

func cutLine(rs []rune, limit int, hardCut func([]rune, int) int) int {
	for i := limit; i > limit/2; i-- {
		if rs[i-1] == ' ' {
			return i
		}
	}
	if cut := hardCut(rs, limit); cut > 0 && cut <= limit {
		return cut
	}
	return limit
}

// Clip shortens s to at most n characters, marking the cut with an
// ellipsis, for the platforms' fixed limits on labels and titles.
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
