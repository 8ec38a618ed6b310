package chat

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplit(t *testing.T) {
	noCut := func(_ []rune, limit int) int { return limit }
	backOne := func(_ []rune, limit int) int { return limit - 1 }
	for _, tt := range []struct {
		name  string
		text  string
		limit int
		cut   func([]rune, int) int
		want  []string
	}{
		{"fits", "a\nb", 10, noCut, []string{"a\nb"}},
		{"empty gives no chunk", "", 10, noCut, nil},
		{"cuts between lines", "aaaa\nbbbb\ncc", 9, noCut, []string{"aaaa\nbbbb", "cc"}},
		{"long line at its last space", "aaa bbb ccc", 8, noCut, []string{"aaa bbb", "ccc"}},
		{"long word at the limit", "abcdefghij", 4, noCut, []string{"abcd", "efgh", "ij"}},
		{"platform moves a hard cut back", "abcdefghij", 4, backOne, []string{"abc", "def", "ghij"}},
		{"a hard cut out of range is ignored", "abcdef", 4, func([]rune, int) int { return 0 }, []string{"abcd", "ef"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Split(tt.text, tt.limit, tt.cut)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Split(%q, %d) = %q, want %q", tt.text, tt.limit, got, tt.want)
			}
		})
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("line one\nline two is longer than the limit\n\nend", 7)
	f.Add("\n\nshort\n\n text \n", 40)
	f.Fuzz(func(t *testing.T, text string, limit int) {
		if limit < 2 || limit > 200 || !utf8.ValidString(text) {
			return
		}
		for _, c := range Split(text, limit, func(_ []rune, l int) int { return l }) {
			if n := utf8.RuneCountInString(c); n > limit {
				t.Fatalf("chunk of %d characters over the limit %d: %q", n, limit, c)
			}
		}
		// Nothing but the spaces and newlines at cuts is lost.
		squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
		if got := squash(strings.Join(Split(text, limit, func(_ []rune, l int) int { return l }), "")); got != squash(text) {
			t.Fatalf("text changed: %q → %q", squash(text), got)
		}
		// Text that fits takes a shortcut; it must cut as the loop does.
		hard := func(_ []rune, l int) int { return l }
		if fast, loop := Split(text, limit, hard), split(text, limit, hard); !reflect.DeepEqual(fast, loop) {
			t.Fatalf("Split(%q, %d) = %q, the loop makes %q", text, limit, fast, loop)
		}
	})
}
