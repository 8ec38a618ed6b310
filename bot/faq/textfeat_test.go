package faq

import (
	"maps"
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

// TestFeaturizeNumbersInTextOrder: numbering each language's texts apart
// and renumbering them afterwards gives the dictionary and vectors of
// numbering every text in order, including features the languages share.
func TestFeaturizeNumbersInTextOrder(t *testing.T) {
	ix := loadIndex(t)
	spec := defaultFeatSpec
	texts := []rankerText{
		{text: "what is cpor", lang: EN},
		{text: "c'est quoi le cpor", lang: FR},
		{text: "vad är cpor", lang: SV},
		{text: "CPOR is a claim on a customer's workload.", lang: EN, kind: kbAnswer},
		{text: "hur registrerar vi en affär", lang: SV},
		{text: "comment enregistrer un deal", lang: FR},
		{text: "how do we register a deal", lang: EN},
	}
	want := map[string]int32{}
	var rfs []rawFeatures
	for _, tx := range texts {
		rf := ix.langs[tx.lang].builtFeatures(tx.text, tx.kind != kbAnswer, spec)
		vectorize(rf, want, true, spec)
		rfs = append(rfs, rf)
	}
	xs, dict := ix.featurize(texts, spec)
	if !maps.Equal(dict, want) {
		t.Fatalf("featurize numbered %d features, want %d in text order", len(dict), len(want))
	}
	shared, ok := want["wcpor"]
	if !ok {
		t.Fatal(`no "wcpor" feature; the test needs one the languages share`)
	}
	sharing := 0
	for i, rf := range rfs {
		v := vectorize(rf, want, false, spec)
		if !slices.Equal(xs[i].ids, v.ids) || !slices.Equal(xs[i].vals, v.vals) {
			t.Errorf("text %d %q: ids %v, want %v", i, texts[i].text, xs[i].ids, v.ids)
		}
		if i > 0 && slices.Contains(v.ids, shared) {
			sharing++
		}
	}
	if sharing < 2 {
		t.Errorf("%d later texts share wcpor, want ≥ 2 for the test to mean anything", sharing)
	}
}
