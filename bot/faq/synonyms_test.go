package faq

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestIntentPrefilters: on every question of the tuning and hold-out sets,
// each intent's prefilter (in the question's language) and each trait's
// say what their pattern, run whole by regexp, says. FuzzPrefilter holds them to it on any text;
// this holds them to it on the texts they were written for.
func TestIntentPrefilters(t *testing.T) {
	cases, err := LoadCaseFiles("testdata", append(TuningFiles, HoldoutFile)...)
	if err != nil {
		t.Fatal(err)
	}
	// Every question: make test runs this beside the race run, without
	// -race (FAQ_EVAL_TESTS, NORACE_TESTS), where it takes a few seconds; under -race one
	// question in three took 12.5 s of bot/faq's race run.
	texts := map[Lang][]string{}
	for _, c := range cases {
		texts[c.Lang] = append(texts[c.Lang], neutral(c.Question))
	}
	for _, it := range intents {
		for _, l := range Langs {
			p, ok := it.re[l]
			if !ok {
				t.Errorf("intent %s has no pattern in %s", it.token, l)
				continue
			}
			re := regexp.MustCompile(p.pattern)
			for _, f := range texts[l] {
				if got, want := p.MatchString(f), re.MatchString(f); got != want {
					t.Errorf("intent %s/%s on %q: prefilter %v, regexp %v", it.token, l, f, got, want)
				}
			}
		}
	}
	for _, p := range traitPrefilters {
		re := regexp.MustCompile(p.pattern)
		for _, l := range Langs {
			for _, f := range texts[l] {
				if got, want := p.MatchString(f), re.MatchString(f); got != want {
					t.Errorf("%s on %q: prefilter %v, regexp %v", p.pattern, f, got, want)
				}
			}
		}
	}
}

// TestIntentsRead: an intent anchored at the start of a question is read
// after the greeting or discourse word a chat question opens with; and an
// intent reads its nouns in their plural and, in Swedish, definite forms
// ("rabatten", "priset", "tidsgränsen"), as the price question does
// (figure.go), so a cost question whose winner states no price is refused
// (fCostMiss) whichever form it is asked in.
func TestIntentsRead(t *testing.T) {
	for _, c := range []struct {
		l    Lang
		q    string
		want string
	}{
		// Leading filler.
		{SV, "liksom vad är cpor", "qqdef"},
		{SV, "hej! hur registrerar jag en affär", "qqhow"},
		{FR, "salut, qu'est-ce que le cpor", "qqdef"},
		{FR, "du coup comment on crée une transaction", "qqhow"},
		{EN, "ok so how do i register a deal", "qqhow"},
		// Word forms.
		{EN, "what are the deadlines for a referral", "qqdur"},
		{FR, "quels sont les délais pour répondre", "qqdur"},
		{SV, "vad är tidsgränsen för en hänvisning", "qqdur"},
		{SV, "vad är väntetiden för ett svar", "qqdur"},
		{EN, "what discounts do macc customers get", "qqcost"},
		{EN, "are there rebates", "qqcost"},
		{EN, "what margins do csp partners make", "qqcost"},
		{FR, "quelles remises pour le macc", "qqcost"},
		{FR, "les marges en csp", "qqcost"},
		{SV, "vad är rabatten för macc", "qqcost"},
		{SV, "vad är priset för crm-kompetensen", "qqcost"},
		{SV, "hur stor är marginalen", "qqcost"},
		{SV, "rabatter för macc-kunder", "qqcost"},
		{SV, "hur funkar prissättningen", "qqcost"},
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
