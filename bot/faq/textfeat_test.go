package faq

import (
	"math"
	"slices"
	"testing"
)

func TestAppendCharGrams(t *testing.T) {
	got := appendCharGrams(nil, "<sa>", 3, 4)
	want := []string{"c<sa", "csa>", "c<sa>"}
	if !slices.Equal(got, want) {
		t.Errorf("appendCharGrams = %q, want %q", got, want)
	}
}

// TestTextFeatures: what users vary (accents, typos, filler, a synonym)
// leaves the features that matter in place.
func TestTextFeatures(t *testing.T) {
	ix := loadIndex(t)
	spec := featSpec{bigrams: true, charMin: 3, charMax: 5, wWord: 1, wBigram: 1, wChar: 1}
	for _, tc := range []struct {
		lang Lang
		a, b string
		want string // a feature both must have
	}{
		{FR, "où est l'étape négociée", "ou est l etape negociee", "cetap"},
		// The stemmer does not recognise the typo; character n-grams do.
		{EN, "deal registration minimum value", "hey btw deal registraton minimum value", "cgistr"},
		// Synonyms share their group's first stem.
		{EN, "is it mandatory", "is it required", "wcompulsori"},
		{SV, "avtalsregistrering krav", "krav för avtalsregistrering", "wavtal"},
	} {
		li := ix.langs[tc.lang]
		fa, fb := li.textFeatures(tc.a, true, spec), li.textFeatures(tc.b, true, spec)
		all := func(rf rawFeatures) []string { return slices.Concat(rf[0], rf[1], rf[2]) }
		if !slices.Contains(all(fa), tc.want) || !slices.Contains(all(fb), tc.want) {
			t.Errorf("%q / %q: want both to have %q, got %q and %q", tc.a, tc.b, tc.want, all(fa), all(fb))
		}
	}
}

// TestVectorize: each block has the norm of its weight, unknown features
// included, so words the model never saw make the vector fainter.
func TestVectorize(t *testing.T) {
	spec := featSpec{wWord: 1, wChar: 0.5}
	dict := map[string]int32{}
	rf := rawFeatures{{"wa", "wb"}, nil, {"cx", "cy", "cz", "cw"}}
	v := vectorize(rf, dict, true, spec)
	norm := func(v sparse) float64 {
		s := 0.0
		for _, x := range v.vals {
			s += float64(x * x)
		}
		return math.Sqrt(s)
	}
	if n := norm(v); math.Abs(n-math.Sqrt(1+0.25)) > 1e-6 || len(dict) != 6 {
		t.Errorf("norm %v with %d features, want %v with 6", n, len(dict), math.Sqrt(1.25))
	}
	frozen := vectorize(rawFeatures{{"wa", "wunknown"}}, dict, false, spec)
	if len(frozen.ids) != 1 || math.Abs(norm(frozen)-math.Sqrt(0.5)) > 1e-6 {
		t.Errorf("frozen dictionary: %d features of norm %v, want 1 of norm %v", len(frozen.ids), norm(frozen), math.Sqrt(0.5))
	}
}
