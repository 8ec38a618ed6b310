package faq

import (
	"strings"
	"testing"
)

// TestLowerSA: lower-case "sa" is the abbreviation where a possessive or a
// Swedish "så" cannot stand, and nowhere else.
func TestLowerSA(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want bool
	}{
		{"how do i create an sa deal", true},
		{"vad används platsen på sa-dealen till", true},
		{"måste man vara godkänd av sa-teamet", true},
		{"skapade en sa:n igår", true},
		{"c koi les étapes de vente d'un deal sa ?", true},
		{"je retrouve plus mes deals sa", true},
		{"on peut mettre plusieurs types d'evaluation sur un sa ?", true},
		{"le bouton won est grisé sur ma sa", true},
		{"created an sa and can't find it", true},
		{"vad står sa för i co-sell?", true},
		{"what does sa stand for on a deal", true},
		{"sa ça veut dire quoi ds pc", true},
		{"sa : un seul type d'evaluation ou plusieurs", true},
		{"sa c'est l'abréviation de quoi dans les deals ?", true},
		{"vad betyder sa i co-sell", true},
		{"vad e sa?", true},
		{"skapade en sa, var syns den?", true},
		// Possessives and "så" stay words.
		{"le client a changé sa demande", false},
		{"i så fall, vad händer med affären", false},
		{"vi vill stänga affären så att kunden ser den", false},
		{"en deal så att säga", false},
		{"han sa att vi skulle registrera den", false},
		{"en så stor affär, kan vi registrera den", false},
		{"sa marche pas quand je clique", false},
		{"sa veut dire quoi ce message d'erreur", false}, // "ça", misspelt
		{"vad är så speciellt med co-sell", false},
	} {
		got := strings.Contains(neutral(tc.q), saMarker)
		if got != tc.want {
			t.Errorf("neutral(%q) = %q: abbreviation read %v, want %v", tc.q, neutral(tc.q), got, tc.want)
		}
	}
}
