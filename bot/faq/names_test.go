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
