package faq

import (
	"github.com/cosellbot/cosellbot/bot/spell"

	"slices"
	"strings"
	"sync"
	"testing"
)

func TestDetectLang(t *testing.T) {
	ix := loadIndex(t)
	tests := []struct {
		q    string
		want Lang
	}{
		{"où trouver mon ID partenaire ?", FR},
		{"ou trouver mon id partenaire", FR},
		{"l'id partenaire est gratuit ?", FR},
		{"combien de jours pour refuser", FR},
		{"delai pour accepter une reference entrante", FR},
		{"how long do we have to accept a referral", EN},
		{"partner role options for services co-sell", EN},
		{"tell me a joke", EN},
		{"deal registration 25000 USD", EN},
		{"vad krävs för avtalsregistrering", SV},
		// An English contraction's "d" is not French's elided "d'";
		// French "et" is French; "for" is also Swedish "för" unaccented.
		{"deal team details req'd", EN},
		{"difference profil csp et non csp", FR},
		{"krav for deal registration", SV},
		{"vad kravs for avtalsregistrering", SV},
		{"hur lång tid har vi", SV},
		{"kan jag ta bort en favorit", SV},
		{"avtalsregistrering", SV},
		{"partenaire", FR},
		// French typography: a space before the question mark.
		{"cpor ?", FR},
		{"25000 usd minimum ?", FR},
		{"cpor?", EN},
		// One word the knowledge base uses in a single language outweighs
		// whatlanggo, which calls these French and English.
		{"become services partner microsoft", EN},
		{"phase fermee", FR},
		// Only product words several languages share: whatlanggo's
		// unreliable guess (French) does not count, English does.
		{"partner role options", EN},
		{"macc eligible solution", EN},
		// British spellings are English too, though the knowledge base
		// writes them only in its French text.
		{"partner programme", EN},
		{"csp programme requirements", EN},
		{"le programme partenaire", FR},
		// Partner Center's English names in a French or Swedish
		// keyword question count half beside a word of the knowledge
		// base's French or Swedish; English function words still decide.
		{"business profiles flera partner id", SV},
		{"deal synlighet outbound", SV},
		{"cpor infos supplementaires", FR},
		{"what does krav mean for deal registration", EN},
		// What the asker quotes is Partner Center's screen, not their
		// language: the words outside the quotes decide; a message all
		// in quotes is read whole.
		{"valde 'No help needed right now' och sen Yes pa 'Do you want Microsoft sellers to see this deal?', blir det partner-led?", SV},
		{"svarade nej pa 'Do you want Microsoft sellers to see this deal?', blir den private da?", SV},
		{"what does \"date de clôture estimée\" mean", EN},
		{"le bouton « Add to pipeline » sert à quoi", FR},
		{"\"vad kostar det\"", SV},
		// Nothing to go on: English.
		{"", EN},
		{"???", EN},
		{"CPOR", EN},
	}
	for _, tt := range tests {
		// ix.spoken, as Ask: the knowledge base's words and the English
		// ones French and Swedish tuning questions use.
		if got := detectLang(tt.q, ix.spoken); got != tt.want {
			t.Errorf("detectLang(%q) = %s, want %s", tt.q, got, tt.want)
		}
	}
}

// askCase asserts that q is answered with entry id, in language lang, with
// the entry's answer in that language.
// answered is a question Ask must answer with entry id, in lang.
type answered struct {
	q, id string
	lang  Lang
}

// askAll checks each case with askCase.
func askAll(t *testing.T, ix *Index, cases []answered) {
	t.Helper()
	for _, c := range cases {
		askCase(t, ix, c.q, c.id, c.lang)
	}
}

// refuseAll checks that ix answers none of qs; why says what makes each
// unanswerable.
func refuseAll(t *testing.T, ix *Index, why string, qs ...string) {
	t.Helper()
	for _, q := range qs {
		if r := ix.Ask(q); r.Answered {
			t.Errorf("Ask(%q) answered %s (%.2f), want a refusal: %s", q, r.EntryID, r.Confidence, why)
		}
	}
}

func askCase(t *testing.T, ix *Index, q, id string, lang Lang) {
	t.Helper()
	r := ix.Ask(q)
	if !r.Answered || r.EntryID != id || r.Lang != lang {
		t.Errorf("Ask(%q) = answered %v, %q in %s (confidence %.2f, suggestions %v); want %q in %s",
			q, r.Answered, r.EntryID, r.Lang, r.Confidence, r.Suggestions, id, lang)
		return
	}
	e := ix.entries[id]
	if r.Answer != e.Text[lang].Answer || r.Question != e.Text[lang].Question {
		t.Errorf("Ask(%q) answered in the wrong language: %q", q, r.Answer)
	}
	if r.Confidence < ix.threshold || r.Confidence > 1 {
		t.Errorf("Ask(%q) confidence %.2f outside [threshold, 1]", q, r.Confidence)
	}
}

func TestAskExamples(t *testing.T) {
	ix := loadIndex(t)
	askAll(t, ix, []answered{
		// The three questions of the brief.
		{"où trouver mon ID partenaire ?", "partner-id-where", FR},
		{"how long do we have to accept a referral", "referral-expiry-14-days", EN},
		{"vad krävs för avtalsregistrering", "deal-registration-criteria", SV},
		// Bare terms read as "what is it".
		{"72h", "rule-72-hours", EN},
		{"deal registration 25k USD", "deal-registration-value", EN},
		{"cpor 5 jours ouvrés", "cpor-customer-decline", FR},
	})
}

// TestAskIssueExamples are the kinds of misses issue 15 lists: filler,
// "what does X stand for", cost questions answered by "free", "what
// happens to", everyday Swedish, and near misses that must be refused.
func TestAskIssueExamples(t *testing.T) {
	ix := loadIndex(t)
	askAll(t, ix, []answered{
		{"hey btw where do i actually find our partner id", "partner-id-where", EN},
		{"what does CPOR stand for", "cpor-what", EN},
		{"CPOR c'est l'abréviation de quoi", "cpor-what", FR},
		{"vad står MCEM för", "mcem-stages", SV},
		{"is there any cost for a partner id", "partner-id-what", EN},
		{"what happens to leads of profiles we never migrated", "profile-leads-unmigrated", EN},
		{"what does claiming partner of record mean", "cpor-what", EN},
		// French partners call leads "pistes" (a tester's refused question).
		{"où sont les pistes de mon profil non migré", "profile-leads-unmigrated", FR},
		// The fee the knowledge base does give still answers.
		{"how much does the crm competency cost", "crm-program-fee", EN},
	})
	refuseAll(t, ix, "out of scope", "how much does an azure vm cost per month", "what's the weather in stockholm")
}

// TestAskActions: short questions asking to do something to a deal or a
// profile (a user probe in session 71: 25 such questions, 7 right and 8
// wrong). Deleting a deal is closing it as an error, in every language
// ("how do I delete a deal" got the favorites, "kan man radera en affär"
// the business profiles' deletion); an action no answer settles is
// refused (merging profiles got their deletion at 0.75). None of these is
// a tuning question or an alternate.
func TestAskActions(t *testing.T) {
	ix := loadIndex(t)
	askAll(t, ix, []answered{
		{"how do I delete a deal", "close-as-error", EN},
		{"comment supprimer une transaction créée par erreur", "close-as-error", FR},
		{"kan man radera en affär", "close-as-error", SV},
	})
	refuseAll(t, ix, "no answer settles the action", "peut-on fusionner deux profils business", "merge two partner IDs")
}

// TestAskExpansionQuestions: "what does X stand for" is answered by an entry
// whose answer spells X out, in any language and however the answer writes
// it ("(SA)", "(solution assessment, SA)", "CSP (Cloud Solution
// Provider)"), and refused when none does: a tester's "what does MCI stand
// for" got the CPOR engagements list, which names MCI without saying what
// it is.
func TestAskExpansionQuestions(t *testing.T) {
	ix := loadIndex(t)
	askAll(t, ix, []answered{
		{"what does PCS stand for", "solutions-partner-designations", EN},
		{"csp stands for?", "csp-what", EN},
		{"vad står SA för", "sa-what", SV},
		{"SA c'est l'abréviation de quoi", "sa-what", FR},
		{"what's p2p short for", "p2p-deal", EN},
	})
	refuseAll(t, ix, "no answer spells MCI out", "what does MCI stand for", "vad står MCI för", "MCI c'est l'abréviation de quoi")
	// "What commission" asks an amount (a tester's question got the
	// licence registration entry, which names CSA commissions but no rate).
	if r := ix.Ask("what commission does a CSA get"); r.Answered && r.EntryID != "csa-commission-rate" {
		t.Errorf("Ask(what commission does a CSA get) answered %s, want csa-commission-rate or a refusal", r.EntryID)
	}
}

func TestAskAccentFolding(t *testing.T) {
	ix := loadIndex(t)
	askAll(t, ix, []answered{
		{"ou trouver mon id partenaire", "partner-id-where", FR},
		{"OU TROUVER MON ID PARTENAIRE", "partner-id-where", FR},
		{"vad kravs for avtalsregistrering", "deal-registration-criteria", SV},
		{"delai pour accepter une reference entrante", "referral-expiry-14-days", FR},
		{"forsaljningssteg och procent for co-sell", "sales-stages", SV},
		{"hur lang tid har kunden pa sig att neka cpor", "cpor-customer-decline", SV},
		{"etapes de vente et pourcentages co-vente", "sales-stages", FR},
	})
}

func TestAskTypos(t *testing.T) {
	ix := loadIndex(t)
	askAll(t, ix, []answered{
		{"how long do we have to acept a referral", "referral-expiry-14-days", EN},
		{"whats the CSA comission percentage", "csa-commission-rate", EN},
		{"who can creat a solution assesment", "sa-who-can-create", EN},
		{"ou trouver mon id partenaier", "partner-id-where", FR},
		{"vad krävs för avtalsregistrerng", "deal-registration-criteria", SV},
		// A mistyped question word opening the question is a stop word,
		// not an unknown word of the topic (mistypedQuestionWord).
		{"wat is cpor", "cpor-what", EN},
		{"waht is cpor", "cpor-what", EN},
		{"qest ce que le cpor", "cpor-what", FR},
		{"vaad är cpor", "cpor-what", SV},
		{"c quoi le cpor", "cpor-what", FR}, // chat's "c'est quoi"
		// Two neighbouring letters swapped in a short word, which the
		// stems hide from the typo index (mender.unswap).
		{"how many dyas to accept a referral", "referral-expiry-14-days", EN},
		{"how lnog is a referral valid", "referral-expiry-14-days", EN},
		// A letter left out, which stems two edits away ("trainig"
		// against "train"): crm-exams answered until the mender put it back.
		{"which trainigs for the crm exams?", "crm-trainings", EN},
	})
	// Two misspelt key words leave too little to be sure: refused, with the
	// right entry offered first.
	if r := ix.Ask("how long do we have to acept a referal"); r.Answered && r.EntryID != "referral-expiry-14-days" ||
		!r.Answered && (len(r.Suggestions) == 0 || r.Suggestions[0].EntryID != "referral-expiry-14-days") {
		t.Errorf("double typo: %+v", r)
	}
}

// TestAskEnglishWordsInFrenchAndSwedish: partners name Partner Center's
// fields and states in English inside a French or Swedish question
// (translate.go, loans).
func TestAskEnglishWordsInFrenchAndSwedish(t *testing.T) {
	ix := loadIndex(t)
	askAll(t, ix, []answered{
		{"le champ location d'un deal, c'est quoi", "deal-location", FR},
		{"c'est quoi une transaction partner-led", "partner-led-deal", FR},
		{"vad är closed-fasen", "closed-phase", SV},
		{"vad är location-fältet på en affär", "deal-location", SV},
	})
}

// TestAskWonIsNoEarning: French "gagné" is a deal won far more often than
// money earned; read as a cost question, "comment je déclare le deal comme
// gagné dans partner center" had its right answer (0.99) refused because
// the answer names no price for Partner Center (names.go).
// TestAskKeywordsWithEnglishNames: a French or Swedish keyword question
// naming Partner Center's tabs and fields in English was answered in
// English, each English name a vote for it (spokenVocab).
func TestAskKeywordsWithEnglishNames(t *testing.T) {
	ix := loadIndex(t)
	for _, tc := range []struct {
		q    string
		lang Lang
	}{
		{"onglets inbound outbound favoris", FR},
		{"différence managed unmanaged other", FR},
		{"skillnad managed unmanaged other", SV},
		// Swedish "min" (my) is English "min" (minimum) too.
		{"min deal value for registration", EN},
	} {
		if got := ix.Language(tc.q); got != tc.lang {
			t.Errorf("Language(%q) = %s, want %s", tc.q, got, tc.lang)
		}
	}
}

// TestAskPID: "pid" is partners' name for the partner ID, which the
// documents never abbreviate; refused at 0.17 after 0.23.0's refit until
// it was read as "partner id".
func TestAskPID(t *testing.T) {
	ix := loadIndex(t)
	askAll(t, ix, []answered{
		{"how do i look up my pid", "partner-id-where", EN},
		{"c'est quoi notre pid", "partner-id-what", FR},
	})
}

// TestAskMCPP: partners still say "MCPP" for the AI Cloud Partner Program,
// which no document abbreviates; refused at 0.35 and 0.07 until it was read
// as the program's name. A fee asked of it stays a near miss: read as an
// acronym folded into one word, the name slipped past the names gate and
// the CRM competency's fee was answered at 0.98.
func TestAskMCPP(t *testing.T) {
	ix := loadIndex(t)
	askAll(t, ix, []answered{
		{"how do we sign up for mcpp", "cloud-partner-program-join", EN},
		{"hur går man med i mcpp", "cloud-partner-program-join", SV},
	})
	refuseAll(t, ix, "no entry states the program's fee", "how much is the mcpp annual fee", "combien coute l'adhesion au mcpp")
}

func TestAskWonIsNoEarning(t *testing.T) {
	ix := loadIndex(t)
	askAll(t, ix, []answered{
		{"on a signé hier, comment je déclare le deal comme gagné dans partner center ?", "won-lost", FR},
		// "touche" reaches customers here; only "on/qu'on/combien …
		// touche" is money (the cost gate refused it).
		{"profil csp ou non csp, lequel touche plus de clients", "csp-vs-non-csp-profiles", FR},
		// A price asked of an entry that states one passes the cost gate.
		{"how much is the csa commission", "csa-commission-rate", EN},
		// The score named, no number of points asked: the designations.
		{"how does the partner capability score work for designations", "solutions-partner-designations", EN},
	})
}

func TestAskRefusesOutOfScope(t *testing.T) {
	ix := loadIndex(t)
	for _, q := range []string{
		"", "   ", "?!", "tell me a joke", "what's the weather in paris tomorrow",
		"recette de la tarte aux pommes", "vem vann melodifestivalen",
		// Near misses: a price or rate the documents do not give must not
		// be answered with one they do give.
		"how much does an azure vm cost per month", "combien coute une vm azure",
		"vad kostar en virtuell maskin i azure",
		// A tester's program fees, answered with the legacy CRM
		// competency's 1,560 EUR until session 19 (names.go).
		"how much is the annual fee for the ai cloud partner program",
		"what is the solutions partner annual fee",
		"combien coute l'adhesion annuelle au ai cloud partner program",
		// "c'est combien" asks a price (dev4: answered with the six
		// designations at 0.97 until the cost intent knew it).
		"c'est combien une désignation solutions partner par an",
		// A percentage the documents do not give, answered with deal
		// registration's 25,000 USD minimum at 0.75 (dev4).
		"what % incentive for a registered ip co-sell deal",
		// A price asked of an entry that states none (dev5, dev6: the
		// CRM exams entry names Prometric, not its fee; answered at
		// 0.86-0.95 before the cost gate).
		"c'est combien l'examen crm chez prometric ?",
		"vad kostar ett crm-prov hos prometric",
		// A number of points, which no answer states (the designations'
		// entry names the score and states six designations).
		// Each at 0.95-0.99 without the gate.
		"how many points do we need to qualify for a solutions partner designation",
		"combien de points faut-il pour se qualifier à une désignation solutions partner",
		"hur många pcs-poäng krävs för en designation",
	} {
		r := ix.Ask(q)
		if r.Answered || r.Answer != "" || r.EntryID != "" {
			t.Errorf("Ask(%q) answered %q (confidence %.2f), want a refusal", q, r.EntryID, r.Confidence)
		}
		if len(r.Suggestions) > 3 {
			t.Errorf("Ask(%q) gave %d suggestions, want at most 3", q, len(r.Suggestions))
		}
	}
}

// Questions nothing in the knowledge base is about read as off-topic,
// whether an entry shares a word with them or none does (the reply then
// says what cosellbot answers about rather than "not yet"); a refused
// question in scope does not.
func TestAskOffTopic(t *testing.T) {
	ix := loadIndex(t)
	for _, tt := range []struct {
		q   string
		off bool
	}{
		{"", true}, {"?!", true}, {"pizza", true}, {"tell me a joke", true},
		{"what's the weather in paris tomorrow", true}, {"recette de la tarte aux pommes", true},
		{"vem vann melodifestivalen", true}, {"how much does an azure vm cost per month", true},
		{"what happens to old referrals", false},
	} {
		if r := ix.Ask(tt.q); r.Answered || r.OffTopic != tt.off {
			t.Errorf("Ask(%q): answered=%v off-topic=%v, want refused and off-topic=%v", tt.q, r.Answered, r.OffTopic, tt.off)
		}
	}
}

func TestAskSuggestions(t *testing.T) {
	ix := loadIndex(t)
	// In scope but indirect: not answered, yet the right entry is offered,
	// in the user's language. ("old referral disappeared" was answered
	// right once the neighbour features reranked, 0.48.0; "old referral
	// missing" at 0.42 once a wrong answer was priced 2, 0.50.0. With 32
	// entries scored in full, 0.55.0, "old referrals?" offered
	// referral-decline third and the expiry entry fourth, while "what
	// happens to old referrals" offers the expiry entry first.)
	r := ix.Ask("what happens to old referrals")
	if r.Answered {
		t.Fatalf("now answered (%s, %.2f): the suggestions path needs a vaguer question here", r.EntryID, r.Confidence)
	}
	if len(r.Suggestions) == 0 || len(r.Suggestions) > 3 {
		t.Fatalf("suggestions = %v, want 1 to 3", r.Suggestions)
	}
	found := false
	for _, s := range r.Suggestions {
		if s.Question != ix.entries[s.EntryID].Text[EN].Question {
			t.Errorf("suggestion %s not worded in English: %q", s.EntryID, s.Question)
		}
		found = found || s.EntryID == "referral-expiry-14-days"
	}
	if !found {
		t.Errorf("suggestions %v lack referral-expiry-14-days", r.Suggestions)
	}
}

func TestAskRelated(t *testing.T) {
	ix := loadIndex(t)
	r := ix.Ask("vad krävs för avtalsregistrering")
	e := ix.entries[r.EntryID]
	var ids []string
	for _, s := range r.Related {
		ids = append(ids, s.EntryID)
		if s.Question != ix.entries[s.EntryID].Text[SV].Question {
			t.Errorf("follow-up %s not in Swedish: %q", s.EntryID, s.Question)
		}
	}
	if len(ids) == 0 || !slices.Equal(ids, e.Related) {
		t.Errorf("related = %v, want %v", ids, e.Related)
	}
}

func TestOverridesEndToEnd(t *testing.T) {
	kb, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	// A part of the knowledge base: the partner ID and profile entries, the
	// favorites entry and the two that name it. Its ranker trains in a
	// fraction of the whole one's time (13 s of the FAQ run's).
	in := func(id string) bool {
		return strings.HasPrefix(id, "partner-id-") || strings.HasPrefix(id, "profile-") ||
			id == "favorites" || id == "cosell-tabs" || id == "cosell-page"
	}
	var base []Entry
	for _, e := range kb {
		if in(e.ID) {
			e.Related = slices.DeleteFunc(slices.Clone(e.Related), func(id string) bool { return !in(id) })
			base = append(base, e)
		}
	}
	var where Entry
	for _, e := range base {
		if e.ID == "partner-id-where" {
			where = e
		}
	}
	edited := Entry{ID: where.ID, Seed: where.Seed, Related: where.Related, Text: map[Lang]Text{}}
	for l, tx := range where.Text {
		tx.Answer = "Edited by an admin (" + string(l) + ")."
		edited.Text[l] = tx
	}
	added := Entry{ID: "office-hours", Seed: "admin", Text: map[Lang]Text{
		EN: {Question: "When is the partner desk open?", Alternates: []string{"partner desk opening hours"}, Answer: "Weekdays 9-17 CET."},
		FR: {Question: "Quand le bureau partenaires est-il ouvert ?", Answer: "En semaine, 9 h-17 h."},
		SV: {Question: "När är partnerdesken öppen?", Answer: "Vardagar 9-17."},
	}}
	merged := Merge(base, []Entry{edited, {ID: "favorites", Removed: true}, added})
	ix, err := NewIndex(merged)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if ix.Len() != len(base) {
		t.Errorf("Len = %d, want %d (one removed, one added)", ix.Len(), len(base))
	}
	if r := ix.Ask("où trouver mon ID partenaire ?"); r.Answer != "Edited by an admin (fr)." {
		t.Errorf("override not answered: %+v", r)
	}
	if r := ix.Ask("when is the partner desk open"); r.EntryID != "office-hours" {
		t.Errorf("added entry not found: %+v", r)
	}
	r := ix.Ask("how do I mark a deal as a favorite")
	if r.EntryID == "favorites" || slices.ContainsFunc(r.Suggestions, func(s Suggestion) bool { return s.EntryID == "favorites" }) {
		t.Errorf("removed entry still offered: %+v", r)
	}
	r = ix.Ask("What are the inbound, outbound and favorites tabs?")
	if slices.ContainsFunc(r.Related, func(s Suggestion) bool { return s.EntryID == "favorites" }) {
		t.Errorf("removed entry still a follow-up: %+v", r.Related)
	}
}

func TestAskConcurrent(t *testing.T) {
	ix := loadIndex(t)
	cases := loadCases(t, "testdata/legacy-eval.yaml")[:60]
	want := make([]Result, len(cases))
	for i, c := range cases {
		want[i] = ix.Ask(c.Question)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := range cases {
				j := (i + g*7) % len(cases)
				got := ix.Ask(cases[j].Question)
				if got.EntryID != want[j].EntryID || got.Confidence != want[j].Confidence {
					t.Errorf("concurrent Ask(%q) = %s %.3f, sequential %s %.3f",
						cases[j].Question, got.EntryID, got.Confidence, want[j].EntryID, want[j].Confidence)
				}
			}
		}(g)
	}
	wg.Wait()
}

func TestNormalize(t *testing.T) {
	tests := map[string]string{
		"25 000 USD":  "25000 USD",
		"25,000 USD":  "25000 USD",
		"25k":         "25000",
		"1 560 €":     "1560 €",
		"72h":         "72 h",
		"no numbers":  "no numbers",
		"1 000 000 $": "1000000 $",
	}
	for in, want := range tests {
		if got := normalize(in); got != want {
			t.Errorf("normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSwedishDecompounding(t *testing.T) {
	ix := loadIndex(t)
	li := ix.langs[SV]
	tests := []struct {
		word  string
		parts []string
	}{
		{"avtalsvärde", []string{"avtal", "vard"}},                  // avtal-s-värde
		{"försäljningsfaserna", []string{"forsaljning", "fas"}},     // försäljning-s-faser-na
		{"avtalsregistreringen", []string{"avtal", "registrering"}}, // avtal-s-registrering-en
		{"kontoret", nil}, // not konto + "ret"
		{"stänger", nil},  // not st + ange + r
	}
	for _, tt := range tests {
		g := li.parse(neutral(tt.word)).groups
		if len(g) != 1 {
			t.Fatalf("%s: groups %v", tt.word, g)
		}
		if !slices.Equal(g[0].parts, tt.parts) {
			t.Errorf("%s: parts %v, want %v", tt.word, g[0].parts, tt.parts)
		}
	}
}

// Only the first word is read as a mistyped question word, only when the
// knowledge base does not know it, and never when it is all the question
// says: "car" and "vat" later in a question are words of its topic.
func TestMistypedQuestionWord(t *testing.T) {
	ix := loadIndex(t)
	tests := []struct {
		lang  Lang
		q     string
		first string // the first content word parse keeps
	}{
		{EN, "wat is cpor", "cpor"},
		{EN, "hwo long before a referral expires", "long"},
		{EN, "cpor wat", "cpor"},
		{EN, "car price", "car"},
		{EN, "wat", "wat"},
		{SV, "vaad är cpor", "cpor"},
		{FR, "qest ce que le cpor", "cpor"},
		{FR, "quand expire un referral", "quand"}, // a word the knowledge base knows
		{FR, "kuand expire un referral", "kuand"}, // a typo of a word the knowledge base knows: findTypos reads it
	}
	for _, tt := range tests {
		pq := ix.langs[tt.lang].parse(neutral(tt.q))
		if len(pq.groups) == 0 || pq.groups[0].main != tt.first {
			t.Errorf("%s %q: first word %+v, want %q", tt.lang, tt.q, pq.groups, tt.first)
		}
	}
}

// TestCorrectExample: a learned example is mended as a question is read,
// so that its slips do not become words of one entry: a mistyped opening
// question word goes, a typo becomes the word it stands for, or goes when
// that word is there already.
func TestCorrectExample(t *testing.T) {
	li := loadIndex(t).langs[EN]
	vocab := map[string]bool{"csa": true, "add": true, "type": true, "sa": true, "assess": true, "deal": true}
	for _, tt := range []struct{ in, want []string }{
		{[]string{"wat", "csa"}, []string{"csa"}},
		{[]string{"wat"}, []string{"wat"}}, // a question of one word keeps it, as parse does
		{[]string{"csa", "wat"}, []string{"csa", "wat"}},
		{[]string{"asses", "deal"}, []string{"assess", "deal"}},
		{[]string{"add", "asses", "type", "sa", "assess"}, []string{"add", "type", "sa", "assess"}},
		{[]string{"assess", "asses"}, []string{"assess"}},
	} {
		if got := li.correct(slices.Clone(tt.in), vocab); !slices.Equal(got, tt.want) {
			t.Errorf("correct(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSpokenVocab: an English word of the knowledge base counts as French
// or Swedish too when partners use it there about as often as in English
// (a quarter of its English rate, twice at least), not when a question or
// two quote a button with it.
func TestSpokenVocab(t *testing.T) {
	kb := langVocab{"inbound": langBit(EN), "become": langBit(EN), "deal": langBit(EN)}
	var tuning []typedQuestion
	ask := func(l Lang, n int, words ...string) {
		for range n {
			tuning = append(tuning, typedQuestion{l, words})
		}
	}
	ask(EN, 8, "how", "to", "become", "a", "partner")
	ask(EN, 2, "deal", "deal")
	ask(FR, 2, "le", "bouton", "become", "a", "partner") // 2 of 12 French questions against 8 of 10 English
	ask(FR, 2, "onglet", "inbound")                      // no English question uses it
	ask(FR, 1, "deal")                                   // once is not enough
	ask(FR, 7, "autre", "chose")
	ask(SV, 3, "deal")
	got := spokenVocab(kb, tuning)
	for w, want := range map[string]uint8{
		"become":  langBit(EN),
		"inbound": langBit(EN) | langBit(FR),
		"deal":    langBit(EN) | langBit(SV),
		// Words the knowledge base lacks: one language's, used three
		// times or more and ten times as often as in any other.
		"chose":   langBit(FR),
		"how":     langBit(EN),
		"bouton":  0, // twice is one writer's habit
		"partner": 0, // 8 of 10 English questions, 2 of 12 French: both say it
	} {
		if got[w] != want {
			t.Errorf("%s: languages %b, want %b", w, got[w], want)
		}
	}
	if kb["inbound"] != langBit(EN) {
		t.Error("spokenVocab changed the knowledge base's vocabulary")
	}
}

func TestUnswap(t *testing.T) {
	v := langVocab{}
	v.add(EN, "How many days does a partner have to accept a referral? Long enough; the form is due. Order them. Accepted. Registration.")
	v.add(FR, "Combien de jours pour accepter une référence ? Le lien, un avoir annuel.")
	v.add(SV, "Hur många dagar har man på sig? Den går.")
	m := newMender(v, typedWords(typedQuestions([]Case{{Question: "kan vi köpa fler, knappen är grå"}, {Question: "vous annulez ?"}})))
	tests := []struct{ q, want string }{
		{"how many dyas to accept", "how many days to accept"},
		{"How lnog?", "How long?"},
		{"combien de juors", "combien de jours"},
		{"hur många dgaar", "hur många dagar"},
		{"how many days", "how many days"}, // known words stay
		{"teh days", "the days"},
		{"fro the partner", "fro the partner"}, // "for" is a function word, not the knowledge base's
		{"a referral", "a referral"},           // too short to mend
		{"partnre", "partner"},                 // seven letters
		{"referrla", "referral"},               // eight
		{"referarls", "referarls"},             // nine: left to the typo index
		{"cosellbot dyas9", "cosellbot dyas9"}, // a letter never swaps with a digit
		{"- dyas, lnog.", "- days, long."},     // punctuation kept
		{"fomr is due", "form is due"},
		// A word a partner typed in a tuning question is a word, not a
		// typo ("grå" would become "går").
		{"knappen är grå", "knappen är grå"},
		// Another language's word is not a typo of this one's: "ordre"
		// stays French, "line" English.
		{"dans quel ordre", "dans quel ordre"},
		{"how do the stages line up", "how do the stages line up"},
		// A letter left out inside a word of five letters or more is put
		// back; not at either end, where it makes another form or word
		// ("säker" → "osäker", "essayé" → "essayez"), nor in shorter words.
		{"a referal", "a referral"},
		{"how many acepted", "how many accepted"},
		{"jours annuel", "jours annuel"},
		{"ferral", "ferral"},
		{"referra", "referra"},
		{"fom is due", "fom is due"},
		{"deal registraton", "deal registration"}, // eleven letters: the typo index weighed it too little
		// A question's first word a letter away from a question word is
		// that word ("qest ce que", "vaad är" lost the definition intent);
		// not a changed letter ("quant au délai" is no "quand"), not
		// further in.
		{"wat is it", "what is it"},
		{"  qest ce que", "  quest ce que"},
		{"vaad är det", "vad är det"},
		{"quant au délai", "quant au délai"},
		{"days wat", "days wat"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := m.unswap(tt.q); got != tt.want {
			t.Errorf("unswap(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
	// Two known words a swap away: which one was meant is a guess.
	v.add(EN, "fomr ofrm")
	if got := m.unswap("the ofmr"); got != "the ofmr" {
		t.Errorf("unswap(ambiguous) = %q, want it as typed", got)
	}
}

// TestTypoLookupVisitsEveryDeletion holds lookup's walk over deletions to
// what it replaced: every term sharing a deletion of up to k runes with the
// word, the word's repeated letters and accents included.
func TestTypoLookupVisitsEveryDeletion(t *testing.T) {
	vocab := []string{"accept", "accepte", "acceptee", "commission", "comission", "réferral", "referral", "avtalsregistrering", "partner", "parter", "appel", "apple", "leed", "lead"}
	ti := newTypoIndex(slices.Clone(vocab))
	for _, word := range []string{"accpet", "acepte", "commmission", "comision", "referal", "réfféral", "avtalsregistrerng", "partenr", "aple", "leead", "lead"} {
		for k := 1; k <= 2; k++ {
			var want []typoMatch
			for _, u := range vocab {
				if u == word {
					continue
				}
				shares := false
				for _, d := range deletions(word, k) {
					if slices.Contains(deletions(u, 1), d) {
						shares = true
					}
				}
				if d := spell.Distance(word, u, k); shares && d <= k {
					want = append(want, typoMatch{u, d})
				}
			}
			slices.SortFunc(want, func(a, b typoMatch) int {
				if a.dist != b.dist {
					return a.dist - b.dist
				}
				return strings.Compare(a.term, b.term)
			})
			want = want[:min(len(want), maxTypoMatches)]
			if got := ti.lookup(word, k); !slices.Equal(got, want) {
				t.Errorf("lookup(%q, %d) = %v, want %v", word, k, got, want)
			}
		}
	}
}

func TestTypoIndex(t *testing.T) {
	ti := newTypoIndex([]string{"accept", "referr", "partenair", "avtalsregistrering", "id"})
	tests := []struct {
		word string
		k    int
		want string
	}{
		{"acept", 1, "accept"},  // deletion
		{"accpet", 1, "accept"}, // transposition
		{"acceptt", 1, "accept"},
		{"partenaier", 2, "partenair"},
		{"avtalsregistrerng", 2, "avtalsregistrering"},
		{"ix", 1, ""}, // too short to index: two-letter words are not typo candidates
		{"zzzzzz", 1, ""},
	}
	for _, tt := range tests {
		m := ti.lookup(tt.word, tt.k)
		got := ""
		if len(m) > 0 {
			got = m[0].term
		}
		if got != tt.want {
			t.Errorf("lookup(%q, %d) = %v, want %q", tt.word, tt.k, m, tt.want)
		}
	}
	if d := spell.Distance("abcdef", "badcfe", 2); d != 3 {
		t.Errorf("spell.Distance early exit = %d, want max+1 = 3", d)
	}
}

func TestSanitize(t *testing.T) {
	long := strings.Repeat("é", 1000)
	if s := sanitize(long); len(s) > maxQuestionBytes || !strings.HasPrefix(long, s) {
		t.Errorf("sanitize did not cut on a rune boundary: %d bytes", len(s))
	}
	if s := sanitize("a\xffb"); s != "a b" {
		t.Errorf("sanitize invalid UTF-8 = %q", s)
	}
}

func TestAskAfterClose(t *testing.T) {
	e := validEntry("partner-id-where")
	e.Text[FR] = Text{Question: "Où trouver mon ID partenaire ?", Answer: "Informations légales."}
	ix, err := NewIndex([]Entry{e})
	if err != nil {
		t.Fatal(err)
	}
	if r := ix.Ask("où trouver mon ID partenaire ?"); !r.Answered {
		t.Fatalf("open index did not answer its own question: %+v", r)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if r := ix.Ask("où trouver mon ID partenaire ?"); r.Answered {
		t.Errorf("closed index answered %+v", r)
	}
}

// TestUnknownAll: every candidate of a question carries the least share of
// it unknown to a language's index; a word no language knows raises it,
// an English word in a Swedish question does not.
func TestUnknownAll(t *testing.T) {
	ix := loadIndex(t)
	unknownAll := func(q string) float64 {
		t.Helper()
		s := sanitize(q)
		l := detectLang(s, ix.vocab)
		cands := ix.rank(s, l, &ix.model, &leaveOut{probs: ix.probs(ix.ranker, s, l)})
		if len(cands) == 0 {
			t.Fatalf("%q: no candidate", q)
		}
		for _, c := range cands[1:] {
			if c.x[fUnknownAll] != cands[0].x[fUnknownAll] {
				t.Fatalf("%q: unknownAll differs between candidates", q)
			}
		}
		return cands[0].x[fUnknownAll]
	}
	if u := unknownAll("how do i register a deal"); u != 0 {
		t.Errorf("known words: unknownAll %v, want 0", u)
	}
	if u := unknownAll("how do i register a zorblax deal"); u <= 0 {
		t.Errorf("an unknown word: unknownAll %v, want > 0", u)
	}
}

// An answer's opening bare "Yes." or "No." replies to its entry's own
// question: a question asked the other way round read it as the opposite
// (a tester's "what if the customer account is unmanaged, can i still
// register" got "Yes. The customer account must be managed…").
func TestAnswersDropTheirBareYesOrNo(t *testing.T) {
	ix := loadIndex(t)
	// "… can i still register", without "the deal", is refused since
	// session 21's refit (0.75 under 0.787): the deal is named here.
	r := ix.Ask("what if the customer account is unmanaged, can we still register the deal")
	if !r.Answered || !strings.HasPrefix(r.Answer, "The customer account must be managed") {
		t.Errorf("answer %q (%s)", r.Answer, r.EntryID)
	}
	for _, tt := range []struct{ in, want string }{
		{"Yes. The account must be managed.", "The account must be managed."},
		{"Nej. En lösning per affär.", "En lösning per affär."},
		{"Yes, step 2 is joining the program.", "Yes, step 2 is joining the program."},
		{"Non seulement…", "Non seulement…"},
	} {
		if got := withoutBareYesNo(tt.in); got != tt.want {
			t.Errorf("withoutBareYesNo(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestAskAs checks that the asker's usual language decides only where the
// question does not tell: Partner Center's English names alone.
func TestAskAs(t *testing.T) {
	ix := loadIndex(t)
	tests := []struct {
		question string
		usual    Lang
		want     Lang
	}{
		{"cpor seats sold data", SV, SV},
		{"cpor seats sold data", FR, FR},
		{"cpor seats sold data", EN, EN},
		{"cpor seats sold data", "de", EN}, // a language cosellbot does not write
		{"quelles données cpor on voit", SV, FR},
		{"vilka cpor data ser vi", FR, SV},
		{"what cpor data do we see", SV, EN},
	}
	for _, tt := range tests {
		res := ix.AskAs(tt.question, tt.usual)
		if res.Lang != tt.want {
			t.Errorf("AskAs(%q, %s): answered in %s, want %s", tt.question, tt.usual, res.Lang, tt.want)
			continue
		}
		if !res.Answered || res.EntryID != "cpor-data-access" {
			t.Errorf("AskAs(%q, %s): answered %v with %q, want cpor-data-access", tt.question, tt.usual, res.Answered, res.EntryID)
			continue
		}
		if want := ix.entries[res.EntryID].Text[tt.want].Answer; !strings.HasPrefix(res.Answer, want) {
			t.Errorf("AskAs(%q, %s): answer %q is not the %s text", tt.question, tt.usual, res.Answer, tt.want)
		}
	}
	if got, want := ix.Ask("cpor seats sold data"), ix.AskAs("cpor seats sold data", EN); got.Lang != want.Lang || got.Answer != want.Answer {
		t.Errorf("Ask and AskAs(EN) differ: %+v against %+v", got, want)
	}
}

// outsideQuotes drops quoted labels but keeps French elisions, English
// contractions and a message that is all quote.
func TestOutsideQuotes(t *testing.T) {
	tests := []struct{ q, want string }{
		{"what is cpor", "what is cpor"},
		{"l'id partenaire c'est quoi", "l'id partenaire c'est quoi"},
		{"we'll see, it isn't 'Won' yet", "we'll see, it isn't yet"},
		{"valde 'No help' och sen", "valde och sen"},
		{"le champ `Deal value` est requis", "le champ   est requis"},
		{"svarade \"Yes\" pa frågan", "svarade   pa frågan"},
		{"« Add to pipeline » ?", "« Add to pipeline » ?"},
		{"'Deal registration'", "'Deal registration'"},
		{"partners' deals 'x' ok", "partners' deals ok"},
	}
	for _, tt := range tests {
		if got := outsideQuotes(tt.q); got != tt.want {
			t.Errorf("outsideQuotes(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}
