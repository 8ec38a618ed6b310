package faq

import (
	"slices"
	"strings"
	"testing"
)

// TestIntentHints: every intent pattern has hints in every language, and
// no question of the evaluation sets matches, in its language, a pattern without containing
// one of its hints (the hint check would then hide the intent).
func TestIntentHints(t *testing.T) {
	cases, err := LoadCaseFiles("testdata", append(TuningFiles, HoldoutFile)...)
	if err != nil {
		t.Fatal(err)
	}
	// Every question: make test runs this beside the race run, without
	// -race (FAQ_EVAL_TESTS), where it takes a few seconds; under -race one
	// question in three took 12.5 s of bot/faq's race run.
	texts := map[Lang][]string{}
	for _, c := range cases {
		texts[c.Lang] = append(texts[c.Lang], neutral(c.Question))
	}
	for _, it := range intents {
		for l, re := range it.re {
			if len(intentHints[it.token][l]) == 0 {
				t.Errorf("intent %s has no hints in %s", it.token, l)
			}
			for _, f := range texts[l] { // questions are matched in their own language
				if !mayMatch(it.token, l, f) && re.MatchString(f) {
					t.Errorf("intent %s/%s matches %q but no hint does", it.token, l, f)
				}
			}
		}
	}
	if mayMatch("qqwhy", EN, strings.ToLower("how long")) {
		t.Error("qqwhy hint found in 'how long'")
	}
}

// TestLeadingFiller: an intent anchored at the start of a question is read
// after the greeting or discourse word a chat question opens with.
func TestLeadingFiller(t *testing.T) {
	for _, c := range []struct {
		l    Lang
		q    string
		want string
	}{
		{SV, "liksom vad är cpor", "qqdef"},
		{SV, "hej! hur registrerar jag en affär", "qqhow"},
		{FR, "salut, qu'est-ce que le cpor", "qqdef"},
		{FR, "du coup comment on crée une transaction", "qqhow"},
		{EN, "ok so how do i register a deal", "qqhow"},
	} {
		if got := withIntents(c.l, neutral(c.q)); !strings.Contains(got, c.want) {
			t.Errorf("%s %q: intents %q, want %s", c.l, c.q, got, c.want)
		}
	}
}

// TestDefinitionWords: the stand-for question in its other wordings is a
// definition question, and its own words are not content words.
func TestDefinitionWords(t *testing.T) {
	ix := loadIndex(t)
	for _, c := range []struct {
		l Lang
		q string
	}{
		{EN, "what's cpor short for"},
		{EN, "what is isv an abbreviation of"},
		{FR, "pga c'est l'acronyme de quoi"},
		{SV, "cpor står för vad"},
		{SV, "macc är en förkortning för vad"},
	} {
		pq := ix.langs[c.l].parse(neutral(c.q))
		if !slices.Contains(pq.intents, ix.langs[c.l].defTerm) {
			t.Errorf("%s %q: intents %v, want the definition intent", c.l, c.q, pq.intents)
		}
		if len(pq.groups) != 1 {
			t.Errorf("%s %q: words %v, want the acronym alone", c.l, c.q, pq.groups)
		}
	}
}
