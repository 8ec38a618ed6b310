package command

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/escape"
)

// Args is a parsed command line: bare words in order, then key=value pairs.
type Args struct {
	Words []string
	Pairs map[string]string
	Keys  []string // keys in the order typed, for messages
}

// SyntaxError is a line that could not be split into words and pairs.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("at character %d: %s", e.Pos+1, e.Msg) }

// Quote writes a value the way the grammar reads it back as one value: in
// double quotes, with \ and " escaped; typographic quotes inside are text.
func Quote(v string) string {
	return `"` + quoteEscape.Replace(v) + `"`
}

// cite is how a refusal quotes what someone typed: escaped, on one line,
// and cut to escape.MaxQuote bytes with the full size, so that a 5,000-digit
// "deal ID" is not echoed whole into a chat answer.
func cite(v string) string { return escape.Quote(v, 0) }

var quoteEscape = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// quoteFold maps the typographic quotes to the plain one: for telling a
// line's first words apart (isQuestion), not for reading values.
var quoteFold = strings.NewReplacer("\u201c", `"`, "\u201d", `"`, "\u201e", `"`, "\u00ab", `"`, "\u00bb", `"`, "\u2033", `"`)

// closers are the quotes that open a quoted value and, for each, the ones
// that close it: the plain double quote, and the typographic quotes Slack
// and phone keyboards put in its place (“…”, „…“, «…», ”…”). Inside a value,
// quotes of another kind are text: an answer may hold “blue” or « bleu ».
var closers = map[rune]string{
	'"':      `"`,
	'\u201c': "\u201d\"\u201c",
	'\u201d': "\u201d\"",
	'\u201e': "\u201c\u201d\"",
	'\u00ab': "\u00bb",
	'\u2033': "\u2033\"",
}

// Parse splits what follows /cosell into words and key=value pairs. Values
// with spaces are double-quoted; inside quotes \" and \\ escape. A key may
// appear once.
func Parse(line string) (Args, error) {
	args := Args{Pairs: map[string]string{}}
	rs := []rune(line)
	i := 0
	for {
		for i < len(rs) && unicode.IsSpace(rs[i]) {
			i++
		}
		if i >= len(rs) {
			return args, nil
		}
		start := i
		var tok strings.Builder
		for i < len(rs) && !unicode.IsSpace(rs[i]) {
			closing, quoted := closers[rs[i]]
			if !quoted {
				tok.WriteRune(rs[i])
				i++
				continue
			}
			open := i
			i++
			for {
				if i >= len(rs) {
					return Args{}, &SyntaxError{open, "this double quote is never closed"}
				}
				if rs[i] == '\\' && i+1 < len(rs) && (rs[i+1] == '"' || rs[i+1] == '\\' || strings.ContainsRune(closing, rs[i+1])) {
					tok.WriteRune(rs[i+1])
					i += 2
					continue
				}
				if strings.ContainsRune(closing, rs[i]) {
					i++
					break
				}
				tok.WriteRune(rs[i])
				i++
			}
		}
		word := tok.String()
		raw := string(rs[start:i])
		// A pair is key=value where the key is typed bare: "a=b" in quotes is a word.
		if k, _, ok := strings.Cut(raw, "="); ok && isKey(k) {
			key := strings.ToLower(k)
			if _, dup := args.Pairs[key]; dup {
				return Args{}, &SyntaxError{start, fmt.Sprintf("%s= is given twice", key)}
			}
			_, val, _ := strings.Cut(word, "=")
			args.Pairs[key] = val
			args.Keys = append(args.Keys, key)
			continue
		}
		if len(args.Keys) > 0 {
			return Args{}, &SyntaxError{start, fmt.Sprintf("%q comes after key=value pairs: words go first, and values with spaces need double quotes", word)}
		}
		args.Words = append(args.Words, word)
	}
}

func isKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// ParseList splits a comma-separated list, dropping empty items. A comma
// inside parentheses does not split: cards print notes such as
// "Contoso Insight (Azure IP co-sell eligible, MACC)", typed back as they are.
func ParseList(s string) []string {
	var out []string
	depth, start := 0, 0
	add := func(item string) {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	for i, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case r == ',' && depth == 0:
			add(s[start:i])
			start = i + 1
		}
	}
	add(s[start:])
	return out
}

// ParsePerson reads "Name <email> +phone".
func ParsePerson(s string) (deal.Person, error) {
	s = strings.TrimSpace(s)
	open, close := strings.IndexByte(s, '<'), strings.IndexByte(s, '>')
	if open < 0 || close < open {
		return deal.Person{}, fmt.Errorf("%q is not a person: write \"Name <email> +phone\"", s)
	}
	p := deal.Person{
		Name:  strings.TrimSpace(s[:open]),
		Email: strings.TrimSpace(s[open+1 : close]),
		Phone: strings.TrimSpace(s[close+1:]),
	}
	if a, err := mail.ParseAddress(p.Email); err == nil {
		p.Email = strings.ToLower(a.Address)
	}
	return p, nil
}

// ParsePeople reads several persons separated by ';'.
func ParsePeople(s string) ([]deal.Person, error) {
	var out []deal.Person
	for _, item := range strings.Split(s, ";") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		p, err := ParsePerson(item)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no person given: write \"Name <email> +phone\", several separated by ;")
	}
	return out, nil
}

// ParseBool reads yes/no (and true/false).
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "y", "true", "1", "oui", "ja":
		return true, nil
	case "no", "n", "false", "0", "non", "nej":
		return false, nil
	}
	return false, fmt.Errorf("%q is not yes or no", s)
}
