package faq

import (
	"regexp"
	"slices"
	"testing"
)

// TestPrefilterStrings: the strings worked out for a pattern are those
// one of which its every match holds, spelled out as far as they go.
func TestPrefilterStrings(t *testing.T) {
	for _, c := range []struct {
		pattern string
		want    [][]string // per top-level branch; nil: runs always
	}{
		{`\bwho\b`, [][]string{{"who"}}},
		{`\bhow (long|soon)\b|\bdeadline\b`, [][]string{{"how long", "how soon"}, {"deadline"}}},
		{`\bpay(s|out|outs)?\b`, [][]string{{"pay"}}},
		{`^qu'?est[- ]ce qu`, [][]string{{"quest ce qu", "quest-ce qu", "qu'est ce qu", "qu'est-ce qu"}}},
		{`\bvad? star \S+( \S+)? for\b`, [][]string{{"va star ", "vad star "}}},
		{`(^|\s)ou (trouver|voir)\b`, [][]string{{"ou trouver", "ou voir"}}},
		{`\bdifferen(ce|t)\b|%`, [][]string{{"difference", "different"}, {"%"}}},
		{`\d+ days?`, [][]string{{" day"}}},
		{`x*|y`, [][]string{nil, {"y"}}},
		{`\w+`, [][]string{nil}},
		{`(?i)who`, [][]string{nil}}, // case-folded: any case may match
		{`a(b|c)|[|]|\|`, [][]string{{"ab", "ac"}, {"|"}, {"|"}}},
		{`(a|b)[a-z]{2,}`, [][]string{{"a", "b"}}},
	} {
		p := newPrefilter(c.pattern)
		var got [][]string
		for _, b := range p.branches {
			got = append(got, b.any)
		}
		if !slices.EqualFunc(got, c.want, slices.Equal) {
			t.Errorf("%s: strings %q, want %q", c.pattern, got, c.want)
		}
	}
}

// traitPrefilters are the patterns traitsOf reads a question with, in
// every language.
var traitPrefilters = []prefilter{figureQuestion, maximumQuestion, scoreQuestion, currencyQuestion, kindsQuestion, expansionQuestion, worthQuestion, percentQuestion}

// FuzzPrefilter: on any text, every prefilter says what regexp says
// running its pattern whole.
func FuzzPrefilter(f *testing.F) {
	for _, s := range []string{"how long does it take", "c'est quoi le cpor", "vad star pga for", "separate rates", "know no", "qu'est-ce que", "ou trouver", ""} {
		f.Add(s)
	}
	type pair struct {
		p  prefilter
		re *regexp.Regexp
	}
	var all []pair
	for _, it := range intents {
		for _, l := range Langs {
			all = append(all, pair{it.re[l], regexp.MustCompile(it.re[l].pattern)})
		}
	}
	for _, p := range traitPrefilters {
		all = append(all, pair{p, regexp.MustCompile(p.pattern)})
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, x := range all {
			if got, want := x.p.MatchString(s), x.re.MatchString(s); got != want {
				t.Errorf("%s on %q: prefilter %v, regexp %v", x.p.pattern, s, got, want)
			}
		}
	})
}
