package faq

import "testing"

func TestHeard(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"so um how do i create a co cell deal", "so um how do i create a co-sell deal"},
		{"vad ar see por for nat", "vad ar cpor for nat"},
		{"c p o r claim how long does the customer have", "cpor claim how long does the customer have"},
		{"in a peer to peer deal who registers", "in a p2p deal who registers"},
		{"asså p tva p co cell vad innebar det", "asså p2p co-sell vad innebar det"},
		{"ou dans partenaire center je trouve les deals", "ou dans partner center je trouve les deals"},
		{"hur ser jag om kunden har ett mack avtal", "hur ser jag om kunden har ett macc avtal"},
		{"what is a s a deal and the m p n id", "what is a sa deal and the mpn id"},
		{"une opportunite co cele ca designe quoi", "une opportunite co-sell ca designe quoi"},
		{"maste man ha en losning pa ip kasell affarer", "maste man ha en losning pa ip co-sell affarer"},
		{"le client a un accord mac avec microsoft", "le client a un accord macc avec microsoft"},
		{"the customer has a mac agreement", "the customer has a macc agreement"},
		// Letters that spell no acronym of the documents stay.
		{"il y a combien de jours", "il y a combien de jours"},
		{"vad betyder i och a", "vad betyder i och a"},
	} {
		if got := heard(c.in); got != c.want {
			t.Errorf("heard(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
