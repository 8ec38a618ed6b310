// Package vocab holds one vocabulary per enumerated field of a deal, a claim
// or a user: each value's slug (what the record and JSON keep), its label as
// Partner Center shows it, and the other ways people write it (the old
// dashed slugs, French and Swedish words, CRM stage names).
//
// People paste values from Partner Center, from a CRM or from cosellbot's own
// replies, so input is matched ignoring case, accents, spaces and
// punctuation: "Pre-sales / Vision", "pre-sales-vision" and "presales
// vision" are one value. Output uses the label, and refusals list the labels,
// so what the bot prints is always something it reads back.
package vocab

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/cosellbot/cosellbot/bot/spell"
)

// Term is one value of a field.
type Term struct {
	Slug  string   // stored and in JSON, e.g. "proof-of-concept"
	Label string   // as Partner Center shows it, e.g. "Proof of concept"
	Also  []string // other spellings: short forms, fr, sv, CRM names
}

// Vocabulary is the closed list of values of one field.
type Vocabulary struct {
	Field string // the chat key, for messages ("role")
	What  string // what a value is, for messages ("partner role")
	Terms []Term
	index map[string]int // folded spelling → term
}

// New builds a vocabulary. Two terms claiming the same folded spelling is a
// programming error: input would match one of them arbitrarily.
func New(field, what string, terms ...Term) *Vocabulary {
	v := &Vocabulary{Field: field, What: what, Terms: terms, index: map[string]int{}}
	for i, t := range terms {
		for _, s := range append([]string{t.Slug, t.Label}, t.Also...) {
			k := Fold(s)
			if k == "" {
				continue
			}
			if j, dup := v.index[k]; dup && j != i {
				panic(fmt.Sprintf("vocab %s: %q names both %s and %s", field, s, terms[j].Slug, t.Slug))
			}
			v.index[k] = i
		}
	}
	return v
}

// accents drops combining marks (é → e, å → a) after a canonical
// decomposition. A transform chain keeps state, so each call makes its own.
func accents() transform.Transformer {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}

// ligatures are letters NFD does not decompose but people type both ways.
var ligatures = strings.NewReplacer("œ", "oe", "Œ", "oe", "æ", "ae", "Æ", "ae", "ß", "ss", "&", "and")

// Fold is the form under which spellings are compared: lower case, no
// accents, letters and digits only ("Pre-sales / Vision" → "presalesvision").
func Fold(s string) string {
	if !isASCII(s) { // most input is plain ASCII: skip the normalizer's allocations
		s, _, _ = transform.String(accents(), ligatures.Replace(s))
	} else if strings.IndexByte(s, '&') >= 0 {
		s = ligatures.Replace(s)
	}
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Lookup finds the term written as s, under Fold. A value copied as
// cosellbot prints it, with a note in parentheses after it ("Proposed
// (60%, MCEM Empower & achieve)"), is the value before the note, unless
// the whole is a term ("Other (DUNS)"); so is one copied as Partner
// Center shows a stage, its percentage after it ("Qualified 20%",
// "Collecter les données 40 %").
func (v *Vocabulary) Lookup(s string) (Term, bool) {
	if i, ok := v.index[Fold(s)]; ok {
		return v.Terms[i], true
	}
	for _, strip := range []func(string) (string, bool){WithoutNote, withoutPercent} {
		if bare, ok := strip(s); ok {
			if i, ok := v.index[Fold(bare)]; ok {
				return v.Terms[i], true
			}
		}
	}
	return Term{}, false
}

// percentSuffix is a percentage at the end of a value: " 20%", " 40 %",
// and " 40 %%" as seed 002 prints Partner Center's French collect-data row.
var percentSuffix = regexp.MustCompile(`\s+\d{1,3}(?:[.,]\d+)?\s*%+\s*$`)

// withoutPercent is s without a last percentage, and whether it had one
// after some text.
func withoutPercent(s string) (string, bool) {
	loc := percentSuffix.FindStringIndex(s)
	if loc == nil {
		return s, false
	}
	bare := strings.TrimSpace(s[:loc[0]])
	return bare, bare != ""
}

// WithoutNote is s without a last parenthesised note, and whether it had
// one after some text.
func WithoutNote(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if !strings.HasSuffix(s, ")") {
		return s, false
	}
	open := strings.LastIndex(s, "(")
	if open <= 0 {
		return s, false
	}
	bare := strings.TrimSpace(s[:open])
	return bare, bare != ""
}

// Match finds the term written as s, or explains what to write instead:
// the closest label when s looks like a typo of one, else every label.
func (v *Vocabulary) Match(s string) (Term, error) {
	if t, ok := v.Lookup(s); ok {
		return t, nil
	}
	return Term{}, v.unknown(s)
}

func (v *Vocabulary) unknown(s string) error {
	folded := Fold(s)
	keys := make([]string, 0, len(v.index))
	for k := range v.index {
		keys = append(keys, k)
	}
	if folded != "" {
		if k, ok := spell.Closest(folded, keys); ok {
			t := v.Terms[v.index[k]]
			return fmt.Errorf("unknown %s %q: did you mean %s? (%s takes %s)", v.What, s, Quoted(t.Label), v.Field, v.Accepts())
		}
	}
	return fmt.Errorf("unknown %s %q: %s takes %s", v.What, s, v.Field, v.Accepts())
}

// Label is the label of a slug, or the slug itself when it is not in the
// vocabulary (a value stored before the vocabulary knew it).
func (v *Vocabulary) Label(slug string) string {
	for _, t := range v.Terms {
		if t.Slug == slug {
			return t.Label
		}
	}
	return slug
}

// Slugs lists the slugs in order.
func (v *Vocabulary) Slugs() []string {
	out := make([]string, len(v.Terms))
	for i, t := range v.Terms {
		out[i] = t.Slug
	}
	return out
}

// Accepts lists the labels for help and refusals, quoted when they hold a
// space so that they can be pasted as they are: "Proof of concept", Transaction.
func (v *Vocabulary) Accepts() string {
	out := make([]string, len(v.Terms))
	for i, t := range v.Terms {
		out[i] = Quoted(t.Label)
	}
	return strings.Join(out, ", ")
}

// Quoted writes a label the way the chat grammar reads it as one value.
func Quoted(label string) string {
	if strings.ContainsAny(label, " \t,;=\"") {
		return `"` + strings.ReplaceAll(label, `"`, `\"`) + `"`
	}
	return label
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
