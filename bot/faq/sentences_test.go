package faq

import (
	"slices"
	"strings"
	"testing"
)

func TestQuestionSentences(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"We closed Contoso in May. What is CPOR used for? Thanks, Tom", []string{"What is CPOR used for?"}},
		// French writes a space before the mark; quotes may close after it.
		{"Le client m'a écrit : « c'est quoi un partner ID ? » Je ne sais pas. Ça sert à quoi ?", []string{"Le client m'a écrit : « c'est quoi un partner ID ? »", "Ça sert à quoi ?"}},
		{"Kunden skrev:\n> Kan ni skicka ert partner ID?\nVar hittar jag det i Partner Center?", []string{"> Kan ni skicka ert partner ID?", "Var hittar jag det i Partner Center?"}},
		// One sentence is the message itself: nothing to pick out.
		{"what is cpor?", nil},
		{"what is cpor", nil},
		// No question mark (a dictated message): none.
		{"so we closed contoso last week and i wonder what cpor is used for", nil},
		// Too short to ask anything of its own.
		{"CPOR is only about incentives. Right?", nil},
		// A mark inside a word ("v.20", "1.5") ends no sentence.
		{"Anna starts selling CRM from v.20 at 1.5 the volume. Do we need to join the partner program?", []string{"Do we need to join the partner program?"}},
	} {
		if got := questionSentences(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("questionSentences(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

// A message telling a case, refused whole, is answered by its question
// sentence, quoted in Part; a sentence nobody answers leaves it refused.
func TestAskSentences(t *testing.T) {
	ix := loadIndex(t)
	for _, tc := range []struct{ q, want, part string }{
		// Whole, the claim's story ranks cpor-validation first (0.34).
		{"Our finance lead Priya wrote: > the customer wants to know what we gain from the claim. I could not answer her on the spot. What is CPOR exactly? Cheers, Tom", "cpor-what", "What is CPOR exactly?"},
		{"We signed Contoso in June, 120k, and our rep Dana is on leave until August so nobody knows the process. What's the weather in Paris next week? Thanks.", "", ""},
		{"what is cpor", "cpor-what", ""},
	} {
		r := ix.Ask(tc.q)
		if r.EntryID != tc.want || r.Answered != (tc.want != "") || r.Part != tc.part || r.Also != nil {
			t.Errorf("%q: answered %v with %q, part %q; want %q, part %q", tc.q, r.Answered, r.EntryID, r.Part, tc.want, tc.part)
		}
	}
}

// FuzzQuestionSentences: any message gives sentences of its own that end in
// a question mark, in order, and never one sentence alone.
func FuzzQuestionSentences(f *testing.F) {
	for _, s := range []string{"We closed Contoso. What is CPOR? Thanks", "« quoi ? » Ça sert à quoi ?", "a?b? c?", "…?!", "\n\n?"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		text = chatText(text) // as askSentences reads it: valid UTF-8
		got := questionSentences(text)
		rest := text
		for _, s := range got {
			i := strings.Index(rest, s)
			if i < 0 {
				t.Fatalf("%q: sentence %q is not in the text, in order", text, s)
			}
			rest = rest[i+len(s):]
			if !strings.HasSuffix(strings.TrimRight(s, closers+" "), "?") || len(strings.Fields(s)) < minSentenceWords {
				t.Fatalf("%q: %q is no question sentence", text, s)
			}
		}
		if len(got) == 1 && strings.TrimSpace(text) == got[0] {
			t.Fatalf("%q: the whole message as its one sentence", text)
		}
	})
}
