package faq

import (
	"slices"
	"testing"
)

// TestNames: the knowledge base's names are its capitalised runs without
// the sentence starts and function words around them, and a question
// names one in any case and language.
func TestNames(t *testing.T) {
	es, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ni := newNameIndex(es)
	for _, want := range []string{"ai cloud partner program", "solutions partner", "isv success", "partner id"} {
		if !slices.Contains(ni.names, want) {
			t.Errorf("names lack %q", want)
		}
	}
	// "partner center" is where everything happens (ambientNames).
	for _, not := range []string{"can i", "do i", "does microsoft", "microsoft ai cloud partner program", "partner center"} {
		if slices.Contains(ni.names, not) {
			t.Errorf("names hold %q, which is no name", not)
		}
	}
	tests := []struct {
		q, entry string
		misses   bool
	}{
		{"how much is the annual fee for the AI Cloud Partner Program", "crm-program-fee", true},
		{"combien coute l'adhesion annuelle au ai cloud partner program", "crm-program-fee", true},
		{"what is the solutions partner annual fee", "crm-program-fee", true},
		{"how much does the crm competency cost", "crm-program-fee", false}, // names nothing
		{"how do we join the ai cloud partner program", "cloud-partner-program-join", false},
		{"what percentage does partner center show for the negotiated stage", "sales-stages", false},
	}
	for _, tt := range tests {
		if got := ni.misses(tt.entry, ni.asked(tt.q)); got != tt.misses {
			t.Errorf("misses(%s, %q) = %v, want %v", tt.entry, tt.q, got, tt.misses)
		}
	}
}

// TestAskingPart: a message telling its case names what the case is
// about; the names a figure question asks of are its question sentences'.
func TestAskingPart(t *testing.T) {
	tests := []struct{ n, want string }{
		{"we added the dynamics crm competency. do we pay the annual fee again?", "do we pay the annual fee again?"},
		{"how much is the annual fee for the ai cloud partner program", "how much is the annual fee for the ai cloud partner program"},
		{"we're on the ai cloud partner program, what's the fee?", "we're on the ai cloud partner program, what's the fee?"},
		{"contoso again. what's the fee? and is it yearly?", "what's the fee? and is it yearly?"},
	}
	for _, tt := range tests {
		if got := askingPart(tt.n); got != tt.want {
			t.Errorf("askingPart(%q) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

// TestAskStoryNames: a name in the story around a fee question does not
// refuse the fee's entry; a name in the question itself still does.
func TestAskStoryNames(t *testing.T) {
	ix := loadIndex(t)
	// Read whole, not only by its question sentence (sentences.go).
	for _, q := range []string{
		"We got the Dynamics CRM competency last month on top of our Azure one. Do we have to pay the yearly partner program fee again?",
		"We resell Dynamics CRM licences and heard about CSA. What is this CSA thing, and how much does it pay?",
	} {
		if r, _ := ix.ask(q, nil); !r.Answered {
			t.Errorf("ask(%q) whole: refused (confidence %.2f), want it answered", q, r.Confidence)
		}
	}
	refuseAll(t, ix, "no entry states that program's fee", "how much is the annual fee for the AI Cloud Partner Program", "We are new partners. How much is the annual fee for the AI Cloud Partner Program?")
}
