package faq

import (
	"slices"
	"testing"
)

// TestIBMModel1: from a few sentence pairs, each word finds the one its
// contexts single out (a word seen with "le" everywhere still goes to its
// own translation, not to "the").
func TestIBMModel1(t *testing.T) {
	pairs := []sentencePair{
		{[]string{"le", "chat"}, []string{"the", "cat"}},
		{[]string{"le", "chien"}, []string{"the", "dog"}},
		{[]string{"un", "chat"}, []string{"a", "cat"}},
		{[]string{"un", "chien", "noir"}, []string{"a", "black", "dog"}},
		{[]string{"le", "chat", "noir"}, []string{"the", "black", "cat"}},
	}
	tr := ibmModel1(pairs)
	for f, e := range map[string]string{"le": "the", "chat": "cat", "chien": "dog", "un": "a", "noir": "black"} {
		if len(tr[f]) == 0 || tr[f][0] != e {
			t.Errorf("%s → %q, want %q first", f, tr[f], e)
		}
	}
}

// TestTranslations: the knowledge base's own parallel phrasings teach
// everyday words, and a French or Swedish question gets the English
// concepts its English translation has.
func TestTranslations(t *testing.T) {
	ix := loadIndex(t)
	spec := featSpec{wWord: 1, wTrans: 1}
	for _, tc := range []struct {
		lang Lang
		q    string
		want []string // English concepts (stems) the question must have
	}{
		{EN, "how do i delete a profile", []string{"tdelet", "tprofil"}},
		{FR, "comment supprimer un profil", []string{"tdelet", "tprofil"}},
		{FR, "réclamer la commission csa pour une commande", []string{"tclaim", "tcommiss", "torder"}},
		{SV, "hur lägger jag till en partner på min affär", []string{"tadd", "tpartner", "tdeal"}},
		{SV, "kundens telefon och mejl", []string{"tphone", "temail"}},
	} {
		got := ix.langs[tc.lang].textFeatures(tc.q, true, spec)[3]
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("%s %q: English concepts %q lack %q", tc.lang, tc.q, got, w)
			}
		}
	}
	if got := ix.langs[FR].textFeatures("comment supprimer un profil", true, featSpec{wWord: 1})[3]; len(got) > 0 {
		t.Errorf("without the block's weight, no English concepts: got %q", got)
	}
}
