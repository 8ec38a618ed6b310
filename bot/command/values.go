package command

import (
	"strings"

	"github.com/cosellbot/cosellbot/bot/vocab"
)

// term reads key as a value of a vocabulary: a slug, a Partner Center label
// or a synonym. Absent or blank gives "", a value not in the vocabulary a
// problem that lists the labels.
func (f *form) term(key string, v *vocab.Vocabulary) string {
	raw := f.str(key)
	if raw == "" {
		return ""
	}
	t, err := v.Match(raw)
	if err != nil {
		f.bad(key, "%v", err)
		return ""
	}
	return t.Slug
}

// terms reads a comma-separated list of values of a vocabulary.
func (f *form) terms(key string, v *vocab.Vocabulary) []string {
	var out []string
	for _, item := range ParseList(f.c.get(key)) {
		t, err := v.Match(item)
		if err != nil {
			f.bad(key, "%v", err)
			continue
		}
		out = append(out, t.Slug)
	}
	return out
}

// currencyOf settles the currency of a value: the currency= key, else the
// code or sign typed with the amount. The two must agree.
func (f *form) currencyOf(valueKey string, typed string) string {
	cur := strings.ToUpper(f.str("currency"))
	if typed == "" {
		return cur
	}
	if cur != "" && cur != typed {
		f.bad("currency", "%s= says %s but currency= says %s: give one", valueKey, typed, cur)
		return cur
	}
	return typed
}

// engagementSlug reads an engagement as its label, slug or a synonym (in
// any case, accents and punctuation); an unknown one passes through as
// typed, for bot/cpor's refusal.
func engagementSlug(s string) string {
	if t, ok := vocab.Engagements.Lookup(s); ok {
		return t.Slug
	}
	return s
}
