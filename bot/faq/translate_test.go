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

// TestLoans: an English word of the knowledge base in a French or Swedish
// question is read as the words the language says it with, when the
// entries using each agree; a word the language knows keeps its own
// meaning.
func TestLoans(t *testing.T) {
	ix := loadIndex(t)
	for _, tc := range []struct {
		lang Lang
		word string
		want string // a term the loan must include; "" for none
	}{
		{FR, "location", "emplac"},
		{FR, "won", "gagn"}, // "lost" until session 35: French tuning questions use it now
		{FR, "outbound", "sortant"},
		{SV, "closed", "stang"},
		{SV, "won", "vunn"},
		{SV, "lost", "forlor"},
		{FR, "zzqx", ""},    // no English word of the knowledge base
		{SV, "peuvent", ""}, // French, not English
	} {
		// The table itself: parse reads a word as its loan only when the
		// language's index does not know it, and partners' tuning
		// questions teach some of these words to French and Swedish.
		li := ix.langs[tc.lang]
		got := li.loan(tc.word)
		if tc.want == "" && len(got) > 0 || tc.want != "" && !slices.Contains(got, tc.want) {
			t.Errorf("%s loan %q = %q, want %q", tc.lang, tc.word, got, tc.want)
		}
		for _, f := range got {
			if li.df(f) == 0 {
				t.Errorf("%s loan %q → %q, which no entry uses", tc.lang, tc.word, f)
			}
		}
	}
	// A word the language's texts use is its own, never read as a loan.
	for _, tc := range []struct {
		lang Lang
		word string
	}{{FR, "deal"}, {SV, "privat"}} {
		li := ix.langs[tc.lang]
		if pq := li.parse(neutral(tc.word)); pq.loans != nil {
			t.Errorf("%s %q read as the loan %q", tc.lang, tc.word, pq.loans)
		}
	}
	if ix.langs[EN].loan("closed") != nil {
		t.Error("English has loanwords")
	}
}

// TestInflectedLoans: an English word with a Swedish or French ending, as
// a code-switching partner types it, is read as the loan of its English
// word; a Swedish compound's accidental parts do not stop it.
func TestInflectedLoans(t *testing.T) {
	ix := loadIndex(t)
	for _, tc := range []struct {
		lang     Lang
		question string
		word     string   // the question word's stem
		want     []string // terms of which its loan must include one
	}{
		// Session 32's cases ("createar", "selectar", "contractet",
		// "mandatory") came from dev14's refusals; since dev14 is learned
		// (session 34) Swedish knows those words from its questions and
		// reads them as its own, as it does "rejectar" since session 35's
		// batches.
		// The table is learned from the questions: with tuning-chat27
		// (session 49) "migrate" reads as the noun "migrering" rather
		// than the verb's stem "migrer"; either is Swedish's word.
		{SV, "hur expirear en referral?", "expire", []string{"forfall"}},
		{SV, "hur migratear man profilen?", "migrate", []string{"migrer", "migrering"}},
		{SV, "vilken currencyn används för registreringen?", "currencyn", []string{"valut"}},
		{SV, "vad är thresholden för registrering?", "threshold", []string{"registreringsgran"}},
	} {
		li := ix.langs[tc.lang]
		pq := li.parse(neutral(ix.read(tc.question)))
		if got := pq.loans[tc.word]; !slices.ContainsFunc(tc.want, func(w string) bool { return slices.Contains(got, w) }) {
			t.Errorf("%s %q: %q read as %q, want one of %q among them (loans %v)", tc.lang, tc.question, tc.word, got, tc.want, pq.loans)
		}
	}
}

// TestOverlap is the Jaccard index of sorted entry lists.
func TestOverlap(t *testing.T) {
	for _, tc := range []struct {
		a, b []int32
		want float64
	}{
		{[]int32{1, 2, 3}, []int32{1, 2, 3}, 1},
		{[]int32{1, 2}, []int32{3, 4}, 0},
		{[]int32{1, 2, 3, 4}, []int32{2, 4, 6}, 0.4},
		{nil, nil, 0},
		{nil, []int32{1}, 0},
	} {
		if got := overlap(tc.a, tc.b); got != tc.want {
			t.Errorf("overlap(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
