package vocab

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/cpor"
	"github.com/cosellbot/cosellbot/bot/deal"
)

func TestMatchAcceptsLabelsSlugsAndSynonyms(t *testing.T) {
	for _, tc := range []struct {
		v    *Vocabulary
		in   string
		want string
	}{
		{PartnerRoles, "Proof of concept", "proof-of-concept"},
		{PartnerRoles, "proof-of-concept", "proof-of-concept"},
		{PartnerRoles, "Pre-sales / Vision", "pre-sales-vision"},
		{PartnerRoles, "PRESALES VISION", "pre-sales-vision"},
		{PartnerRoles, "preuve de concept", "proof-of-concept"},
		{PartnerRoles, "Implementation/Change Management", "implementation-change-management"},
		{PartnerRoles, "mise en oeuvre et conduite du changement", "implementation-change-management"},
		{PartnerRoles, "förvaltade tjänster", "managed-services"},
		{PartnerRoles, "forvaltade tjanster", "managed-services"},
		{UserRoles, "Referrals admin", "referrals-admin"},
		{UserRoles, "referrals_user", "referrals-user"},
		{Kinds, "ip", "ip_cosell"},
		{Kinds, "IP co-sell", "ip_cosell"},
		{Kinds, "solution_assessment", "solution_assessment"},
		{Kinds, "Évaluation de solution", "solution_assessment"},
		{Helps, "none", "none"},
		{Helps, "No help needed", "none"},
		{Helps, "customer-engagement", "customer-engagement"},
		{Accounts, "Microsoft managed", "managed"},
		{Accounts, "Other (DUNS)", "other"},
		{Intents, "oui", "yes"},
		{SolutionSources, "third_party", "third_party"},
		{IPKinds, "bizapps_premium", "bizapps_premium"},
		{Areas, "Data and AI", "data-ai"},
		{Areas, "data & ai", "data-ai"},
		{Plays, "Migrate and modernize your estate", "migrate-modernize"},
		{Stages(deal.SolutionAssessment), "Collecting data", "collect-data"},
		{Stages(deal.SolutionAssessment), "collect-data", "collect-data"},
		{Stages(deal.SolutionAssessment), "Securing the customer's letter of engagement (LOE)", "loe"},
		{Stages(deal.IPCoSell), "Negotiation/Review", "negotiated"},
		{Stages(deal.IPCoSell), "Qualifié", "qualified"},
		{Engagements, "Usage recognition – Biz Apps", "bizapps-usage"},
		// As cosellbot prints a stage: the note in parentheses is not the value.
		{Stages(deal.IPCoSell), "Proposed (60%)", "proposed"},
		{Stages(deal.IPCoSell), "Negotiated (80%, MCEM Empower & achieve)", "negotiated"},
		{Stages(deal.SolutionAssessment), "Securing the customer's letter of engagement (LOE) (20%)", "loe"},
		{Kinds, "Partner-to-partner (P2P)", "p2p"},
		{Kinds, "p2p (partner to partner)", "p2p"},
	} {
		got, err := tc.v.Match(tc.in)
		if err != nil || got.Slug != tc.want {
			t.Errorf("%s.Match(%q) = %q, %v; want %q", tc.v.Field, tc.in, got.Slug, err, tc.want)
		}
	}
}

// A note in parentheses is dropped only after some text: "(60%)" alone,
// or a typo before a note, is still refused.
func TestLookupNoteAlone(t *testing.T) {
	for _, in := range []string{"(60%)", "()", "Proposd (60%)", "Proposed (60%"} {
		if got, ok := Stages(deal.IPCoSell).Lookup(in); ok {
			t.Errorf("Lookup(%q) = %q, want no stage", in, got.Slug)
		}
	}
}

func TestMatchRefusalListsLabels(t *testing.T) {
	_, err := PartnerRoles.Match("proof of concpt")
	if err == nil || !strings.Contains(err.Error(), `did you mean "Proof of concept"?`) {
		t.Fatalf("typo: %v", err)
	}
	_, err = Areas.Match("banana")
	if err == nil || !strings.Contains(err.Error(), `"Data & AI"`) || strings.Contains(err.Error(), "did you mean") {
		t.Fatalf("unknown: %v", err)
	}
	if _, err := Stages(deal.IPCoSell).Match("collect-data"); err == nil {
		t.Fatal("an SA stage matched the co-sell table")
	}
}

// TestVocabulariesCoverTheDomain keeps each vocabulary in step with the
// values the rules know: a value added there and forgotten here fails.
func TestVocabulariesCoverTheDomain(t *testing.T) {
	same := func(name string, v *Vocabulary, want []string) {
		t.Helper()
		if got := v.Slugs(); !slices.Equal(got, want) {
			t.Errorf("%s: slugs %v, the domain has %v", name, got, want)
		}
	}
	str := func(xs ...string) []string { return xs }
	var kinds, helps, roles, stages, urs, engs []string
	for _, k := range deal.Kinds {
		kinds = append(kinds, string(k))
	}
	for _, h := range deal.Helps {
		helps = append(helps, string(h))
	}
	for _, r := range deal.Roles {
		roles = append(roles, string(r))
	}
	for _, r := range access.Roles {
		urs = append(urs, string(r))
	}
	for _, e := range cpor.Engagements {
		engs = append(engs, string(e))
	}
	for _, info := range deal.Stages(deal.SolutionAssessment) {
		stages = append(stages, string(info.Stage))
	}
	same("kinds", Kinds, kinds)
	same("helps", Helps, helps)
	same("partner roles", PartnerRoles, roles)
	same("user roles", UserRoles, urs)
	same("engagements", Engagements, engs)
	same("SA stages", Stages(deal.SolutionAssessment), stages)
	same("accounts", Accounts, str(string(deal.Managed), string(deal.Unmanaged), string(deal.Other)))
	same("intents", Intents, str(string(deal.IntentYes), string(deal.IntentNo), string(deal.IntentUndecided)))
	for _, e := range cpor.Engagements {
		if Engagements.Label(string(e)) != e.Label() {
			t.Errorf("engagement %s: label %q, cpor says %q", e, Engagements.Label(string(e)), e.Label())
		}
	}
}

func TestParseAmount(t *testing.T) {
	for _, tc := range []struct {
		in       string
		want     deal.Money
		currency string
	}{
		{"45000", 4_500_000, ""},
		{"45,000", 4_500_000, ""},
		{"45 000", 4_500_000, ""},
		{"45\u202f000", 4_500_000, ""},
		{"45'000", 4_500_000, ""},
		{"€45k", 4_500_000, "EUR"},
		{"45k€", 4_500_000, "EUR"},
		{"45000 EUR", 4_500_000, "EUR"},
		{"45000eur", 4_500_000, "EUR"},
		{"USD 60,000", 6_000_000, "USD"},
		{"$1.2m", 120_000_000, "USD"},
		{"1,999.90", 199_990, ""},
		{"1 999,90", 199_990, ""},
		{"1.999,90", 199_990, ""},
		{"1999,9", 199_990, ""},
		{"60,000 EUR", 6_000_000, "EUR"}, // as cosellbot prints it
		{"1.250.000 SEK", 125_000_000, "SEK"},
		{"25000.50", 2_500_050, ""},
	} {
		a, err := ParseAmount(tc.in)
		if err != nil || a.Value != tc.want || a.Currency != tc.currency {
			t.Errorf("ParseAmount(%q) = %v %q, %v; want %v %q", tc.in, a.Value, a.Currency, err, tc.want, tc.currency)
		}
	}
	for _, in := range []string{"", "abc", "45.000", "-5", "45,00,0", "45000 kr", "45 XYZ", "1,2,3", "k", "€"} {
		if a, err := ParseAmount(in); err == nil {
			t.Errorf("ParseAmount(%q) = %v, want a refusal", in, a)
		}
	}
	if _, err := ParseAmount("45.000"); err == nil || !strings.Contains(err.Error(), "could mean 45000 or 45") {
		t.Errorf("45.000: %v", err)
	}
}

func TestParseDate(t *testing.T) {
	now := time.Date(2026, 11, 28, 23, 59, 0, 0, time.UTC)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for in, want := range map[string]time.Time{
		"2027-03-31": day(2027, 3, 31), "today": day(2026, 11, 28), "Tomorrow": day(2026, 11, 29),
		"demain": day(2026, 11, 29), "imorgon": day(2026, 11, 29), "aujourd'hui": day(2026, 11, 28),
		"+7d": day(2026, 12, 5), "+2w": day(2026, 12, 12), "+3m": day(2027, 2, 28), "+0d": day(2026, 11, 28),
		// The month in words, in English, French and Swedish.
		"Mar 1, 2027": day(2027, 3, 1), "March 1st, 2027": day(2027, 3, 1), "1 March 2027": day(2027, 3, 1),
		"1er mars 2027": day(2027, 3, 1), "15 févr. 2027": day(2027, 2, 15), "3 maj 2027": day(2027, 5, 3),
		"2027 Dec 31": day(2027, 12, 31), "sept 9 2027": day(2027, 9, 9),
		"March 2nd, 2027": day(2027, 3, 2), "3rd Mar 2027": day(2027, 3, 3), "2e mars 2027": day(2027, 3, 2),
		// Without a year: the date nearest today, behind or ahead.
		"Nov 27": day(2026, 11, 27), "27 nov.": day(2026, 11, 27), "Jan 15": day(2027, 1, 15),
		"15 janv": day(2027, 1, 15), "1st March": day(2027, 3, 1), "3 juni": day(2026, 6, 3), "May 20": day(2027, 5, 20),
	} {
		got, err := ParseDate(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "+7", "+xd", "-7d", "+99999d", "next week", "31 April 2027", "Mar 2027",
		"Mar 1 2", "1 2 2027", "Mar Apr 2027", "13/13/2027", "1/2/27", "2027/13/01", "2027/02/30",
		"Feb 29", "31 April", "Mar", "Mar 1 2 3"} {
		if _, err := ParseDate(in, now); err == nil || !strings.Contains(err.Error(), DateHint) {
			t.Errorf("ParseDate(%q): %v, want a refusal naming %s", in, err, DateHint)
		}
	}
	// A numeric date is another day in another country: refused, with the
	// readings that are dates in ISO form.
	for in, want := range map[string]string{
		"3/1/2027":   `"3/1/2027" could be 2027-03-01 or 2027-01-03 depending on the country: write it as YYYY-MM-DD`,
		"31/03/2027": `"31/03/2027" is not a date cosellbot reads: write 2027-03-31`,
		"3/15/2027":  `"3/15/2027" is not a date cosellbot reads: write 2027-03-15`,
		"01.03.2027": `"01.03.2027" could be 2027-01-03 or 2027-03-01 depending on the country: write it as YYYY-MM-DD`,
		"5/5/2027":   `"5/5/2027" is not a date cosellbot reads: write 2027-05-05`,
		// Year first reads one way only.
		"2027/11/28": `"2027/11/28" is not a date cosellbot reads: write 2027-11-28`,
		"2027.03.31": `"2027.03.31" is not a date cosellbot reads: write 2027-03-31`,
	} {
		if _, err := ParseDate(in, now); err == nil || err.Error() != want {
			t.Errorf("ParseDate(%q): %v, want %s", in, err, want)
		}
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"45,000", "€45k", "45 000 EUR", "1.999,90", "kr 5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAmount(s)
		if err == nil && a.Value < 0 {
			t.Fatalf("%q: negative %v", s, a.Value)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-01-01", "+7d", "today", "+3m", "Mar 1, 2027", "1er mars 2027", "3/1/2027", "31.03.2027"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s, now)
		if err == nil && (d.Hour() != 0 || d.Location() != time.UTC) {
			t.Fatalf("%q: %v is not a UTC date", s, d)
		}
		// A numeric date with slashes or dots is never read: it is another
		// day in another country.
		if _, _, _, ok := slashDate(s); ok && err == nil {
			t.Fatalf("%q read as %v", s, d)
		}
	})
}

func FuzzMatch(f *testing.F) {
	f.Add("Proof of concept")
	f.Add("Proof of concept (PoC)")
	f.Fuzz(func(t *testing.T, s string) {
		if term, err := PartnerRoles.Match(s); err == nil && !slices.Contains(PartnerRoles.Slugs(), term.Slug) {
			t.Fatalf("%q matched %q", s, term.Slug)
		}
	})
}

// TestMatchConcurrently: every chat request matches values at once; run
// with -race.
func TestMatchConcurrently(t *testing.T) {
	done := make(chan bool)
	for range 8 {
		go func() {
			for range 200 {
				if _, err := PartnerRoles.Match("Mise en œuvre et conduite du changement"); err != nil {
					t.Error(err)
				}
			}
			done <- true
		}()
	}
	for range 8 {
		<-done
	}
}
