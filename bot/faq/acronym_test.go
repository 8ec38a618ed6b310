package faq

import (
	"slices"
	"testing"
)

func TestSpelledOut(t *testing.T) {
	tests := []struct {
		answer string
		want   []string
	}{
		{"linked to the partner global account (PGA) ID", []string{"pga"}},
		{"kopplas till partnerns globala konto-ID (PGA).", []string{"pga"}},
		{"the Cloud Solution Provider (CSP) program", []string{"csp"}},
		{"claiming partner of record links a partner to a customer", []string{"cpor"}},
		{"enter the DUNS number (optional)", nil},     // one capital: not an acronym
		{"3 customer references (2) are needed", nil}, // digits only
		{"MS co-sell with Microsoft sellers", nil},    // folded names, not acronyms of an entry
		{"Data Universal Numbering System (DUNS)", []string{"duns"}},
	}
	for _, tt := range tests {
		got := spelledOut(tt.answer)
		if !slices.Equal(got, tt.want) {
			t.Errorf("spelledOut(%q) = %v, want %v", tt.answer, got, tt.want)
		}
	}
}

// TestAskStandFor: "what does X stand for", in each language, with chat
// filler around it, reaches the entry that spells X out.
func TestAskStandFor(t *testing.T) {
	ix := loadIndex(t)
	for _, tt := range []struct{ q, want string }{
		{"hey btw what does MACC stand for actually", "macc"},
		{"MCEM c'est l'abréviation de quoi déjà", "mcem-stages"},
	} {
		r := ix.Ask(tt.q)
		if !r.Answered || r.EntryID != tt.want {
			t.Errorf("Ask(%q) = %s (answered %v, confidence %.2f), want %s", tt.q, r.EntryID, r.Answered, r.Confidence, tt.want)
		}
	}
}
