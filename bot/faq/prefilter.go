package faq

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
)

// Go's regexp has no literal prefilter for a pattern such as `\bhow
// (long|soon)\b|\bdeadline\b`: it tries every position of the text, and a
// question is read by dozens of such patterns in every language (the
// intents were an eighth of a paragraph's CPU). Most of those runs find
// nothing. A prefilter is the set of strings one of which every match
// contains, worked out from the pattern itself, so it cannot be wrong
// where a hand-kept list of hints could ("for" for a Swedish definition,
// "val" for a French cost): when the text holds none of them, the pattern
// cannot match and is not run.

// prefilterMax bounds the strings a prefilter spells out: `how
// (long|soon|quickly)` is three of them, and a product past this is cut to
// its longest exact part.
const prefilterMax = 32

// prefilter is a pattern split into its top-level branches, each with
// the strings one of which all its matches contain: a long message holds
// "rate" ("separate") or "no" ("know") often enough that running all
// seventeen of a cost pattern's branches whenever one branch's string is
// there was most of what was left; only that branch runs now.
type prefilter struct {
	pattern  string // as written, for the tests that hold it to regexp
	branches []branch
}

// branch is one top-level alternative of a pattern; any nil means it
// cannot be prefiltered and always runs.
type branch struct {
	re  *regexp.Regexp
	any []string
}

// newPrefilter compiles pattern as a prefilter; it panics, as
// regexp.MustCompile does, if pattern is not a regular expression.
func newPrefilter(pattern string) prefilter {
	p := prefilter{pattern: pattern}
	for _, alt := range topBranches(pattern) {
		b := branch{re: regexp.MustCompile(alt)}
		tree, err := syntax.Parse(alt, syntax.Perl)
		if err != nil {
			panic(err) // MustCompile parsed it
		}
		if f := literalsOf(tree.Simplify()).factors; !slices.Contains(f, "") {
			b.any = f
		}
		p.branches = append(p.branches, b)
	}
	return p
}

// MatchString reports whether the pattern matches s: whether a branch
// whose strings s holds matches it.
func (p prefilter) MatchString(s string) bool {
	for _, b := range p.branches {
		if (b.any == nil || containsAny(s, b.any)) && b.re.MatchString(s) {
			return true
		}
	}
	return false
}

// topBranches splits pattern at its top-level "|": the alternatives of
// the whole pattern, each a pattern of its own, matching what it matches
// between them. A leading flag group ("(?i)") would apply to all of them,
// so a pattern opening with one is kept whole.
func topBranches(pattern string) []string {
	if strings.HasPrefix(pattern, "(?") && !strings.HasPrefix(pattern, "(?:") && !strings.HasPrefix(pattern, "(?P") {
		return []string{pattern}
	}
	var out []string
	depth, start, class := 0, 0, false
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '\\':
			i++ // the escaped character is no bracket nor bar
		case class:
			class = c != ']'
		case c == '[':
			class = true
			if strings.HasPrefix(pattern[i+1:], "]") || strings.HasPrefix(pattern[i+1:], "^]") {
				i += strings.IndexByte(pattern[i+1:], ']') + 1 // a leading ']' is a member
			}
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == '|' && depth == 0:
			out = append(out, pattern[start:i])
			start = i + 1
		}
	}
	return append(out, pattern[start:])
}

// literals is what a (sub)pattern's matches are known to hold: exact, when
// not nil, is every string it matches (a finite set of at most
// prefilterMax); factors are strings one of which every match contains
// ("" among them: nothing is known).
type literals struct {
	exact   []string
	factors []string
}

// unknown is a pattern of which nothing is known.
var unknown = literals{factors: []string{""}}

// literalsOf works out the literals of a parsed, simplified pattern.
// Case-folded literals are unknown: the text might hold them in another
// case.
func literalsOf(re *syntax.Regexp) literals {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return unknown
		}
		s := string(re.Rune)
		return literals{exact: []string{s}, factors: []string{s}}
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return literals{exact: []string{""}, factors: []string{""}}
	case syntax.OpCharClass:
		return classLiterals(re)
	case syntax.OpCapture:
		return literalsOf(re.Sub[0])
	case syntax.OpQuest:
		sub := literalsOf(re.Sub[0])
		if sub.exact == nil || len(sub.exact) >= prefilterMax {
			return unknown
		}
		return literals{exact: union([]string{""}, sub.exact), factors: []string{""}}
	case syntax.OpPlus:
		return literals{factors: literalsOf(re.Sub[0]).factors}
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return literals{factors: literalsOf(re.Sub[0]).factors}
		}
		return unknown
	case syntax.OpAlternate:
		return alternateLiterals(re.Sub)
	case syntax.OpConcat:
		return concatLiterals(re.Sub)
	}
	return unknown // any character, a star: anything at all
}

// classLiterals spells out a class of a few single characters ("[- ]").
func classLiterals(re *syntax.Regexp) literals {
	if re.Flags&syntax.FoldCase != 0 {
		return unknown
	}
	var out []string
	for i := 0; i+1 < len(re.Rune); i += 2 {
		for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
			if len(out) == 4 {
				return unknown
			}
			out = append(out, string(r))
		}
	}
	return literals{exact: out, factors: out}
}

// alternateLiterals: a match of an alternation is a match of one branch.
func alternateLiterals(subs []*syntax.Regexp) literals {
	var out literals
	exact := true
	for _, s := range subs {
		l := literalsOf(s)
		if l.exact == nil {
			exact = false
		}
		out.exact = union(out.exact, l.exact)
		out.factors = union(out.factors, l.factors)
	}
	if !exact || len(out.exact) > prefilterMax {
		out.exact = nil
	}
	return out
}

// concatLiterals spells out runs of exact parts as far as prefilterMax
// allows; every match holds one string of each run and the factors of each
// part, and the surest of those sets (its shortest string longest) is
// kept.
func concatLiterals(subs []*syntax.Regexp) literals {
	cur := []string{""}
	exact := true
	best := []string{""}
	keep := func(set []string) {
		if surer(set, best) {
			best = set
		}
	}
	for _, s := range subs {
		l := literalsOf(s)
		keep(l.factors)
		if l.exact != nil && len(cur)*len(l.exact) <= prefilterMax {
			cur = product(cur, l.exact)
			continue
		}
		keep(cur)
		exact = false
		cur = []string{""}
		if l.exact != nil {
			cur = l.exact
		}
	}
	keep(cur)
	out := literals{factors: best}
	if exact {
		out.exact = cur
	}
	return out
}

// surer reports whether set a says more of a text than set b: its
// shortest string is longer (the likelier one to be missing from a text
// is what decides), then it has fewer strings.
func surer(a, b []string) bool {
	la, lb := shortest(a), shortest(b)
	if la != lb {
		return la > lb
	}
	return len(a) < len(b)
}

func shortest(set []string) int {
	n := -1
	for _, s := range set {
		if n < 0 || len(s) < n {
			n = len(s)
		}
	}
	return max(n, 0)
}

// product is every string of a followed by one of b.
func product(a, b []string) []string {
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return union(nil, out)
}

// union is a and b without repeats, in order; a string holding another of
// the set adds nothing to a "contains one of" test and is dropped from
// factors by the caller's choice of set, not here: exact sets need them.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
