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
		// Partner Center's Swedish, and the FAQ's Swedish answers.
		{Kinds, "IP-säljsamarbete", "ip_cosell"},
		{Kinds, "Services-säljsamarbete", "services_cosell"},
		{SaleTypes, "partnerlett", "partner_led"},
		{SaleTypes, "säljsamarbete", "cosell"},
		{Accounts, "Microsoft-hanterad", "managed"},
		// The engagements as seed 003 (Partner Center's French) names them.
		{Engagements, "Utilisation moderne du travail et de la sécurité", "modern-work"},
		{Engagements, "Reconnaissance de l’utilisation - Applications Biz", "bizapps-usage"},
		{Engagements, "Chiffre d'affaires microsoft Business Applications", "bizapps-revenue"},
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
		// Dynamics 365's four stages (ux #9: Close was unknown).
		{Stages(deal.IPCoSell), "Qualify", "qualified"},
		{Stages(deal.IPCoSell), "Develop", "developed"},
		{Stages(deal.IPCoSell), "Propose", "proposed"},
		{MarkableStages(deal.SolutionAssessment), "Collecting data", "collect-data"},
		{Engagements, "Usage recognition – Biz Apps", "bizapps-usage"},
		// As cosellbot prints a stage: the note in parentheses is not the value.
		{Stages(deal.IPCoSell), "Proposed (60%)", "proposed"},
		{Stages(deal.IPCoSell), "Negotiated (80%, MCEM Empower & achieve)", "negotiated"},
		{Stages(deal.SolutionAssessment), "Securing the customer's letter of engagement (LOE) (20%)", "loe"},
		// As Partner Center shows a stage, its percentage after it (a
		// tester's "Qualified 20%" was refused).
		{Stages(deal.IPCoSell), "Qualified 20%", "qualified"},
		{MarkableStages(deal.SolutionAssessment), "Collecter les données 40 %", "collect-data"},
		{Stages(deal.IPCoSell), "Förhandlat 80%", "negotiated"},
		{Kinds, "Partner-to-partner (P2P)", "p2p"},
		{Kinds, "p2p (partner to partner)", "p2p"},
		// Partner Center's own French and Swedish stage labels, as its
		// stage tables print them (seeds 002 and 004).
		{Stages(deal.SolutionAssessment), "Sécurisation de la lettre d’engagement (LOE) du client", "loe"},
		{Stages(deal.SolutionAssessment), "Collecter les données", "collect-data"},
		{Stages(deal.SolutionAssessment), "Préparation du rapport d’évaluation", "report"},
		{Stages(deal.SolutionAssessment), "Conclue", "won"},
		{Stages(deal.IPCoSell), "Har godkänts", "accepted"},
		{Stages(deal.IPCoSell), "Utvecklat", "developed"},
		{Stages(deal.IPCoSell), "Förhandlat", "negotiated"},
		{Stages(deal.IPCoSell), "Vunnet", "won"},
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
	for _, in := range []string{"(60%)", "()", "Proposd (60%)", "Proposed (60%", "20%", "Proposd 60%"} {
		if got, ok := Stages(deal.IPCoSell).Lookup(in); ok {
			t.Errorf("Lookup(%q) = %q, want no stage", in, got.Slug)
		}
	}
}

// What deal stage takes lists only the stages a person marks: created and
// accepted are where a deal starts, won has its own verb (ux #9).
func TestMarkableStagesList(t *testing.T) {
	for k, want := range map[deal.Kind]string{
		deal.IPCoSell:           `unknown sales stage "Pending": stage takes Qualified, Developed, Proposed, Negotiated`,
		deal.SolutionAssessment: `unknown solution assessment stage "Pending": stage takes "Securing the customer's letter of engagement (LOE)", "Collecting data", "Preparing the assessment report", "Presenting to the customer"`,
	} {
		if _, err := MarkableStages(k).Match("Pending"); err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %s", k, err, want)
		}
		for _, s := range []string{"Created", "Accepted", "Won"} {
			if term, ok := MarkableStages(k).Lookup(s); ok {
				t.Errorf("%s: %s read as %s", k, s, term.Slug)
			}
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
		// Days ago, for what happened (a notification, a claim, a decline).
		"yesterday": day(2026, 11, 27), "hier": day(2026, 11, 27), "igår": day(2026, 11, 27), "-7d": day(2026, 11, 21), "-1w": day(2026, 11, 21),
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
	for _, in := range []string{"", "+7", "+xd", "-7", "+99999d", "-99999d", "next week", "Mar 2027",
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

// A day its month lacks is refused saying so, not as if the form were
// wrong (ux #10); a month-in-words date that is not read names those forms.
func TestParseDateSaysWhatIsWrong(t *testing.T) {
	now := time.Date(2026, 11, 29, 13, 0, 0, 0, time.UTC)
	for in, want := range map[string]string{
		"2026-02-30":                `"2026-02-30" is not a date: February 2026 has no 30th day (its last is the 28th)`,
		"2028-02-30":                `"2028-02-30" is not a date: February 2028 has no 30th day (its last is the 29th)`,
		"2027-04-31":                `"2027-04-31" is not a date: April 2027 has no 31st day (its last is the 30th)`,
		"2027-13-01":                `"2027-13-01" is not a date: there is no month 13 (YYYY-MM-DD: the month comes second, 01 to 12)`,
		"2027-02-00":                `"2027-02-00" is not a date: days start at 1, not 0`,
		"31 April 2027":             `"31 April 2027" is not a date: April 2027 has no 31st day (its last is the 30th)`,
		"Feb 29th, 2027":            `"Feb 29th, 2027" is not a date: February 2027 has no 29th day (its last is the 28th)`,
		"Tuesday, April 14, 2027":   `"Tuesday, April 14, 2027" is in doubt: 2027-04-14 is a Wednesday, not a Tuesday; write the date as YYYY-MM-DD`,
		"someday":                   `"someday" is not a date: write ` + DateHint + `, or ` + WordsHint,
		"the 11th of April in 2027": `"the 11th of April in 2027" is not a date: write ` + DateHint + `, or ` + WordsHint,
		"2026-11-28 25:00":          `"2026-11-28 25:00" is not a moment: 25:00 is not a time of day (00:00 to 23:59)`,
	} {
		if _, err := ParseDate(in, now); err == nil || err.Error() != want {
			t.Errorf("ParseDate(%q):\n got %v\nwant %s", in, err, want)
		}
	}
}

// Long dates as Outlook and Partner Center write them (ordinal suffixes,
// a day of the week first), a month's offset clamped to the last day of a
// shorter month, and moments as cosellbot prints them, read as their UTC
// day (ux #10, #5).
func TestParseDateLongFormsAndMonthEnds(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		in   string
		now  time.Time
		want time.Time
	}{
		{"11th April 2027", day(2026, 11, 29), day(2027, 4, 11)},
		{"March 31st, 2027", day(2026, 11, 29), day(2027, 3, 31)},
		{"Wednesday, April 14, 2027", day(2026, 11, 29), day(2027, 4, 14)},
		{"Wed, Apr 14, 2027", day(2026, 11, 29), day(2027, 4, 14)},
		{"mercredi 14 avril 2027", day(2026, 11, 29), day(2027, 4, 14)},
		{"onsdag 14 april 2027", day(2026, 11, 29), day(2027, 4, 14)},
		{"22nd November 2026", day(2026, 11, 29), day(2026, 11, 22)},
		{"+3m", day(2026, 11, 29), day(2027, 2, 28)},
		{"+3m", day(2026, 11, 30), day(2027, 2, 28)},
		{"+3m", day(2027, 11, 30), day(2028, 2, 29)},
		{"+1m", day(2027, 1, 31), day(2027, 2, 28)},
		{"+1m", day(2027, 8, 31), day(2027, 9, 30)},
		{"+2m", day(2026, 12, 31), day(2027, 2, 28)},
		{"+12m", day(2028, 2, 29), day(2029, 2, 28)},
		{"+1m", day(2026, 11, 15), day(2026, 12, 15)},
		{"+0m", day(2026, 11, 29), day(2026, 11, 29)},
		{"2026-11-28 09:15 UTC", day(2026, 11, 29), day(2026, 11, 28)},
		{"2026-11-28 23:15 -05:00", day(2026, 11, 29), day(2026, 11, 29)},
	} {
		got, err := ParseDate(tc.in, tc.now)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseDate(%q) on %s = %v, %v; want %s", tc.in, tc.now.Format(time.DateOnly), got, err, tc.want.Format(time.DateOnly))
		}
	}
}

// received= takes a moment as cosellbot prints it (UTC when no zone is
// given, as history lines are), and its refusal names the moment forms
// (ux #5).
func TestParseMoment(t *testing.T) {
	now := time.Date(2026, 11, 29, 13, 0, 0, 0, time.UTC)
	at := func(d, h, m, s int) time.Time { return time.Date(2026, 11, d, h, m, s, 0, time.UTC) }
	for in, want := range map[string]time.Time{
		"2026-11-28 09:15 UTC":      at(28, 9, 15, 0),
		"2026-11-28 09:15":          at(28, 9, 15, 0),
		"2026-11-28 9:15 utc":       at(28, 9, 15, 0),
		"2026-11-28 09:15:30 UTC":   at(28, 9, 15, 30),
		"2026-11-28T09:15:00Z":      at(28, 9, 15, 0),
		"2026-11-28T09:15":          at(28, 9, 15, 0),
		"2026-11-28 09:15Z":         at(28, 9, 15, 0),
		"2026-11-28 10:15 +01:00":   at(28, 9, 15, 0),
		"2026-11-28 04:15 -0500":    at(28, 9, 15, 0),
		"2026-11-28T10:15:00+01:00": at(28, 9, 15, 0),
		"2026-11-28":                at(28, 0, 0, 0),
		"today":                     at(29, 0, 0, 0),
		"Nov 28, 2026":              at(28, 0, 0, 0),
	} {
		got, err := ParseMoment(in, now)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseMoment(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"Nov 28, 2026 9:15 AM":    `"Nov 28, 2026 9:15 AM" is not a date or a moment: write a moment such as ` + MomentHint + `, or a date: ` + DateHint + `, or ` + WordsHint,
		"2026-11-28 09:15 CET":    `"2026-11-28 09:15 CET" is not a date or a moment: write a moment such as ` + MomentHint + `, or a date: ` + DateHint + `, or ` + WordsHint,
		"2026-11-28 24:00 UTC":    `"2026-11-28 24:00 UTC" is not a moment: 24:00 is not a time of day (00:00 to 23:59)`,
		"2026-11-28 09:15 +15:00": `"2026-11-28 09:15 +15:00" is not a moment: +15:00 is not a time zone offset (-12:00 to +14:00)`,
		"2026-02-30 09:15 UTC":    `"2026-02-30 09:15 UTC" is not a date: February 2026 has no 30th day (its last is the 28th)`,
		"3/1/2027":                `"3/1/2027" could be 2027-03-01 or 2027-01-03 depending on the country: write it as YYYY-MM-DD`,
	} {
		if _, err := ParseMoment(in, now); err == nil || err.Error() != want {
			t.Errorf("ParseMoment(%q):\n got %v\nwant %s", in, err, want)
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

func FuzzParseMoment(f *testing.F) {
	for _, s := range []string{"2026-11-28 09:15 UTC", "2026-11-28T09:15:00Z", "2026-11-28 09:15", "2026-11-28 9:15 +01:00", "2026-11-28", "Wednesday, April 14, 2027", "11th April 2027"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMoment(s, now)
		if err != nil {
			return
		}
		if m.Location() != time.UTC {
			t.Fatalf("%q: %v is not in UTC", s, m)
		}
		// What ParseDate reads, ParseMoment reads as the same day.
		if d, derr := ParseDate(s, now); derr == nil && !m.Equal(d) && !m.Truncate(24*time.Hour).Equal(d) {
			t.Fatalf("%q: moment %v, date %v", s, m, d)
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
