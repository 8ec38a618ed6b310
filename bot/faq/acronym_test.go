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

// TestAskStandForNoAcronym: "stand for" and "acronym" said of no acronym
// ("what do the percentages stand for", "so many acronyms") ask what a
// thing is, and are answered as any question is; a stand-for question
// that names an acronym no answer spells out, one the knowledge base
// writes ("IP") or one it does not know, is still refused.
func TestAskStandForNoAcronym(t *testing.T) {
	ix := loadIndex(t)
	askAll(t, ix, []answered{
		{"what percentage does each sales stage stand for?", "sales-stages", EN},
		{"the three tabs in the customer search, what do they stand for?", "customer-account-tabs", EN},
		{"vad står de tre flikarna i kundsökningen för", "customer-account-tabs", SV},
		{"so many acronyms here, which programs does microsoft run for partners?", "partner-programs", EN},
		{"trop d'acronymes, quels programmes microsoft propose aux partenaires ?", "partner-programs", FR},
	})
	refuseAll(t, ix, "no answer spells it out", "what does IP stand for in IP co-sell", "what does XYZQ stand for in co-sell", "what does MCI stand for")
	en := ix.langs[EN]
	for _, a := range []string{"mci", "ip", "isv", "csp", "pga"} {
		if !en.acronyms[a] {
			t.Errorf("%q is not among the English index's acronyms", a)
		}
	}
	for _, w := range []string{"sale", "stage", "tab"} {
		if en.acronyms[w] {
			t.Errorf("%q is among the English index's acronyms", w)
		}
	}
}
