package faq

import (
	"strings"
	"testing"
)

func TestWithoutStory(t *testing.T) {
	ix := loadIndex(t)
	for _, c := range []struct{ in, want string }{
		// Short questions are read as typed.
		{"where is Contoso's partner id?", "where is Contoso's partner id?"},
		// Names inside a sentence and a signature go; the message's and
		// each sentence's first word, acronyms and the knowledge base's
		// own words (Partner Center, Microsoft, CRM) stay.
		{"Hi, my colleague Dave asked me where Partner Center shows our CSP partner ID for the Brixton deal. Thanks, Linnea",
			"Hi, my colleague   asked me where Partner Center shows our CSP partner ID for the   deal. Thanks,  "},
		{"Vi har en affär med Sjöberg Logistik på ungefär 400 000 kr där vi behöver hjälp från Microsoft. Vad menas med co-sell?",
			"Vi har en affär med     på ungefär   där vi behöver hjälp från Microsoft. Vad menas med co-sell?"},
		// Amounts go unless the knowledge base states the number (the
		// deal registration threshold is 25,000 USD).
		{"notre deal est à 23 000 € et le seuil de la deal registration est de 25 000 USD je crois, c'est bien ça ?",
			"notre deal est à   et le seuil de la deal registration est de 25000 USD je crois, c'est bien ça ?"},
		// Dates and weekdays go; a month the knowledge base names stays.
		{"we created the deal on June 30th and my boss wants it registered by Friday, is it too late now?",
			"we created the deal on   and my boss wants it registered by  , is it too late now?"},
		{"what changed in the co-sell lifecycle in April 2023, we still see the old phases sometimes",
			"what changed in the co-sell lifecycle in April 2023, we still see the old phases sometimes"},
	} {
		if got := ix.withoutStory(normalize(c.in)); got != c.want {
			t.Errorf("withoutStory(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// TestWithoutMentioned: a mention as Slack's adapter writes it goes with
// the name after it, and the question is answered as it is without.
func TestWithoutMentioned(t *testing.T) {
	ix := loadIndex(t)
	for _, tc := range []struct{ in, want string }{
		{"@Ana Diaz what is cpor", "what is cpor"},
		{`"@Ana Diaz" what is cpor`, "what is cpor"},
		{"hey @Ana Diaz, vad är cpor?", "hey , vad är cpor?"},
		{"@cosellbot What is CPOR", "What is CPOR"},
		{"@ana Partner Center: where is our partner id", "Partner Center: where is our partner id"},
		{"(@Ana Diaz Sjöberg Lindqvist Holm) cpor?", "( Holm) cpor?"},
		{"mail ana@contoso.com about cpor", "mail ana@contoso.com about cpor"},
		{"what is cpor", "what is cpor"},
	} {
		if got := strings.Join(strings.Fields(ix.withoutMentioned(tc.in)), " "); got != tc.want {
			t.Errorf("withoutMentioned(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	plain := ix.Ask("what is cpor")
	for _, q := range []string{"@Ana Diaz what is cpor", `"@Ana Diaz" what is cpor`, "@Ana Diaz c'est quoi le cpor", "hey @Ana Diaz, what is cpor?"} {
		if res := ix.Ask(q); !res.Answered || res.EntryID != plain.EntryID {
			t.Errorf("Ask(%q) = %s answered %v (%.2f), want %s as without the mention", q, res.EntryID, res.Answered, res.Confidence, plain.EntryID)
		}
	}
}
