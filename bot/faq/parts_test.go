package faq

import (
	"slices"
	"strings"
	"testing"
)

func TestSplitTwo(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"what is cpor and who validates the claims", []string{"what is cpor", "who validates the claims"}},
		{"what is a private deal? and what is a partner-led deal?", []string{"what is a private deal", "what is a partner-led deal?"}},
		{"c'est quoi une transaction privee ? et une transaction dirigee par le partenaire ?", []string{"c'est quoi une transaction privee", "une transaction dirigee par le partenaire ?"}},
		{"vad är partner-id och var hittar jag det", []string{"vad är partner-id", "var hittar jag det"}},
		// The thanks after the second question's mark are no part of it;
		// what tells the case is.
		{"what is cpor? and who validates the claims? Thanks, Tom", []string{"what is cpor", "who validates the claims?"}},
		{"c'est quoi cpor ? et qui valide ? merci d'avance, Marie", []string{"c'est quoi cpor", "qui valide ?"}},
		{"what is cpor? how long does the customer have? it's for a CPOR claim", []string{"what is cpor", "how long does the customer have? it's for a CPOR claim"}},
		{"montant minimum pour l'enregistrement, et quelles solutions sont eligibles", []string{"montant minimum pour l'enregistrement", "quelles solutions sont eligibles"}},
		// A first question without its mark, then "also" and a second.
		{"which partner id do we choose for our profile. also why do profiles need one?", []string{"which partner id do we choose for our profile", "why do profiles need one?"}},
		{"comment on crée un deal SA. aussi qui peut en créer ?", []string{"comment on crée un deal SA", "qui peut en créer ?"}},
		{"vilket partner-id väljer vi för profilen. även varför behövs det?", []string{"vilket partner-id väljer vi för profilen", "varför behövs det?"}},
		// One question: "and" joins nouns, or a half has one word; a
		// story, not a question, comes before "also".
		{"we closed the contoso deal last week. also how do we register it?", nil},
		{"ip and services co-sell, what is the difference", nil},
		// "+" joins two questions as "and" does, after a mark or not.
		{"which roles can work on co-sell deals? + who goes on the deal team", []string{"which roles can work on co-sell deals", "who goes on the deal team"}},
		{"what is cpor + who validates the claims", []string{"what is cpor", "who validates the claims"}},
		{"CSA: we advised + main deploy partner", nil},
		// "can't" after "and" tells what went wrong; "what's" still asks.
		{"created an SA deal and can't find it anywhere, where did it go?", nil},
		{"created an SA deal and can’t find it anywhere", nil},
		{"what's a p2p deal and what's it for", []string{"what's a p2p deal", "what's it for"}},
		{"what is cpor?", nil},
		{"what is cpor? thanks", nil},
		{"cpor and how", nil},
		{"partner id and profiles", nil},
		{"", nil},
	} {
		if got := splitTwo(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("splitTwo(%q) = %q, want %q", tc.q, got, tc.want)
		}
	}
}

// FuzzSplitTwo checks that the halves are the message's own text, of two
// words or more each, in order.
func FuzzSplitTwo(f *testing.F) {
	for _, s := range []string{"what is cpor and who validates it", "a? b c", "x y ? and z w", "?", "и что and what is", "\xff and what \xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		h := splitTwo(q)
		if h == nil {
			return
		}
		i, j := strings.Index(q, h[0]), strings.LastIndex(q, h[1])
		if len(h) != 2 || i < 0 || j < 0 || i+len(h[0]) > j || len(strings.Fields(h[0])) < 2 || len(strings.Fields(h[1])) < 2 {
			t.Fatalf("splitTwo(%q) = %q", q, h)
		}
	})
}

// Messages asking two things get both answers, each worded for its half:
// first the whole message's answer (or, when the whole is refused, its
// first half's), then the other half's. A half whose words alone point
// elsewhere than the whole message (a pronoun for its topic) is not
// answered. None of these sentences is in a tuning set.
func TestAskTwoQuestions(t *testing.T) {
	ix := loadIndex(t)
	for _, tc := range []struct {
		q, first, also string // also "-": the second half refused; "": one answer
	}{
		// Refused whole since session 27's refit (the two halves split the
		// ranker), each half answered in the order asked.
		{"what is cpor and who validates the claims", "cpor-what", "cpor-validation"},
		{"how long do we have to accept a referral and how do i decline it", "referral-expiry-14-days", "referral-decline"},
		// "how much is the commission", alone, fell under session 21's
		// threshold (0.71 under 0.787) and is answered again under session
		// 22's (0.755); naming the program answers it either way.
		// Alone, "how much is the commission" names no program: since
		// session 27's last batch the ranker reads it as out of scope
		// (0.72), as the near misses asking other commissions are; since
		// session 28 it is asked again with the first half's "csa"
		// (carried) and answered, as the twin below that names it is.
		{"what is the csa program and how much is the commission", "csa-what", "csa-commission-rate"},
		{"what is the csa program and how much is the csa commission", "csa-what", "csa-commission-rate"},
		{"what is a private deal? and what is a partner-led deal?", "private-deal", "partner-led-deal"},
		{"what percentage is qualify and which mcem stage is it", "sales-stages", "mcem-stages"},
		{"montant minimum pour l'enregistrement et quelles solutions sont eligibles", "deal-registration-value", "deal-registration-solutions"},
		{"c'est quoi une transaction privee ? et une transaction dirigee par le partenaire ?", "private-deal", "partner-led-deal"},
		{"combien de temps pour accepter une reference et comment la refuser", "referral-expiry-14-days", "referral-decline"},
		{"vad är partner-id och var hittar jag det", "partner-id-where", "partner-id-what"},
		{"vad är en privat affär? och en partnerledd affär?", "private-deal", "partner-led-deal"},
		{"vilken procent är kvalificera och vilket mcem steg", "sales-stages", "mcem-stages"},
		// "comment on en cree une", alone, is about creating an assessment;
		// so is "how do i create one" since the long questions of
		// tuning-context.yaml (session 21), where the whole message was
		// answered with p2p-create before; refused alone, the second half
		// is asked again with the first's "p2p" (carried, session 28).
		// Since session 32's refit the French message is answered whole
		// with p2p-create (0.6 and up) or its halves in the order asked,
		// as each refit moves it around the threshold.
		{"c'est quoi une transaction p2p et comment on en cree une", "p2p-create", "p2p-deal"},
		{"what's a p2p deal and how do i create one", "p2p-deal", "p2p-create"},
		{"what is an sa and who can create one", "sa-who-can-create", "sa-what"},
		// The first half leans on nothing: answered alone, though the whole
		// message ranks it low (a tester's; it was dropped without a word).
		{"c'est quoi CPOR ? et combien de jours a le client pour refuser ?", "cpor-customer-decline", "cpor-what"},
		// The whole's answer is the second half's; the first, a question
		// nobody answers, says so.
		{"quel est le prix d'une vm azure ? et combien de jours a le client pour refuser ?", "cpor-customer-decline", "-"},
		{"what's the weather in stockholm? and how long do we have to accept a referral?", "referral-expiry-14-days", "-"},
		{"vad kostar en azure vm? och hur länge har vi på oss att acceptera en hänvisning?", "referral-expiry-14-days", "-"},
		// A first half refused whose closest topic is the answer shown is
		// covered by it: it said "Jag har inget svar på det ännu", then
		// what Voice is.
		{"vad e voice i partnersource och vad gör man där", "voice-what", ""},
		{"le CSA ça vaut le coup ? la commission s'ajoute aux revenus des licences ?", "csa-what", ""},
		// The second half alone says another thing the whole does not ask.
		{"what is macc and what do i do on the deal", "macc", ""},
		// A first question without its mark, then "also" and a second.
		{"which partner id should we choose for our business profiles, we have several locations. also why do business profiles need partner ids at all?", "partner-id-choose", "partner-id-why-profiles"},
		// A second half that stands for the first's topic with a pronoun
		// is the whole's answer's, or a follow-up of the first half's
		// (considered): alone, its one word fitted another entry, which
		// the whole, that word in it, still ranked among its best nine
		// ("miss": the profiles not migrated in time; "see": the co-sell
		// roles; "ändra": the deal team, a known miss from session 21 to
		// 0.66.0).
		{"hur stänger jag en affär skapad av misstag och kan jag ändra den efteråt", "close-as-error", ""},
		{"how long do we have to accept a referral? and what happens if we miss it?", "referral-expiry-14-days", ""},
		{"hur länge har vi på oss att acceptera en referral? och vad händer om vi missar det?", "referral-expiry-14-days", ""},
		{"combien de temps pour accepter une référence ? et que se passe-t-il si on le rate ?", "referral-expiry-14-days", ""},
		{"what is a private deal and who can see it", "private-deal", ""},
		{"c'est quoi un deal privé et qui peut le voir", "private-deal", ""},
		{"what is the 72 hour rule and what happens if we ignore it", "rule-72-hours", ""},
	} {
		r := ix.Ask(tc.q)
		got := []string{r.EntryID}
		if r.Also != nil {
			got = append(got, r.Also.EntryID)
			if !r.Also.Answered {
				got[1] = "-"
			}
			if !strings.Contains(tc.q, r.Part) || !strings.Contains(tc.q, r.Also.Part) {
				t.Errorf("%q: halves %q and %q are not the message's", tc.q, r.Part, r.Also.Part)
			}
		}
		want := []string{tc.first}
		if tc.also != "" {
			want = append(want, tc.also)
		}
		if len(want) == 2 && want[1] != "-" {
			// Both halves answered: which of them the whole message's
			// answer is depends on where the whole sits against the
			// threshold, which each refit moves (the French p2p probe
			// flipped four times); the reply shows them in the order
			// asked either way (below).
			slices.Sort(got)
			slices.Sort(want)
		}
		if !r.Answered || !slices.Equal(got, want) {
			t.Errorf("%q: answered %v with %q, want %q", tc.q, r.Answered, got, want)
		}
		if h := r.Halves(); len(h) == 2 && strings.Index(tc.q, h[0].Part) > strings.LastIndex(tc.q, h[1].Part) {
			t.Errorf("%q: halves shown as %q then %q, not in the order asked", tc.q, h[0].Part, h[1].Part)
		}
	}
}

// A message asking more than two things still gets two answers, each half
// asked whole as before, and says which of its questions none of them
// covers (a tester's third question got no word). Asking two, or one,
// leaves none.
func TestAskMoreThanTwoQuestions(t *testing.T) {
	ix := loadIndex(t)
	for _, tc := range []struct {
		q       string
		entries []string // the answers, in the order asked ("-": refused)
		unasked []string
	}{
		{"what are the steps to become a crm partner, and how do i get the crm competency, and what are the deal reg requirements?",
			[]string{"crm-partner-steps", "crm-competency"}, []string{"what are the deal reg requirements?"}},
		{"c'est quoi cpor, et qui valide les demandes, et comment on crée une transaction p2p ?",
			[]string{"cpor-what", "-"}, []string{"qui valide les demandes", "comment on crée une transaction p2p ?"}},
		// Answered whole under session 21's refit, the rest unasked; since
		// session 22's, as its French twin: the second half, which holds
		// two questions, is refused and both are named (under one of
		// session 27's intermediate refits cpor-what answered it whole
		// again, at 0.73: both ways the two questions are named).
		{"vad är cpor och vem godkänner anspråken och hur skapar jag en p2p-affär?",
			[]string{"cpor-what", "-"}, []string{"vem godkänner anspråken", "hur skapar jag en p2p-affär?"}},
		{"what is cpor and who validates the claims", []string{"cpor-what", "cpor-validation"}, nil},
		{"where do i find my partner id", []string{"partner-id-where"}, nil},
		// A question that leans on the message for its topic is covered
		// when, asked with the names the message gives, the answer's
		// entry answers it: "There are six Solutions Partner
		// designations… ask it on its own: how many are there?"
		{"what are solutions partner designations, and how do we qualify, and how many are there?", []string{"solutions-partner-designations"}, nil},
		{"hur funkar kvalificeringen till solutions partner designations och hur manga finns det? var partner capability score gick upp forra kvartalet", []string{"solutions-partner-designations"}, nil},
		// Under three words a part asks nothing to send on its own.
		{"what is cpor? and who validates the claims? then what?", []string{"cpor-what", "cpor-validation"}, nil},
		// "and can't" tells what went wrong, it opens no question: it was
		// a third question ("ask it on its own: can't see it anywhere"),
		// or a half of its own answered with how to create the deal.
		{"where do I find my solution assessment deals? created one yesterday and can't see it anywhere", []string{"sa-find-deals"}, nil},
		{"created an SA deal and can't find it anywhere, where did it go?", []string{"sa-find-deals"}, nil},
		// A signature after the last question mark asks nothing.
		{"what is cpor? and who validates the claims? Thanks, Tom", []string{"cpor-what", "cpor-validation"}, nil},
		{"c'est quoi cpor ? et qui valide les demandes ? Merci d'avance, Marie", []string{"cpor-what", "cpor-validation"}, nil},
	} {
		r := ix.Ask(tc.q)
		var got []string
		for _, h := range r.Halves() {
			if !h.Answered {
				got = append(got, "-")
				continue
			}
			got = append(got, h.EntryID)
		}
		if !slices.Equal(got, tc.entries) || !slices.Equal(r.Unasked, tc.unasked) {
			t.Errorf("%q: answers %q, unasked %q; want %q, %q", tc.q, got, r.Unasked, tc.entries, tc.unasked)
		}
	}
}

func TestSplitAll(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"what is cpor and who validates it and how long does the customer have", []string{"what is cpor", "who validates it", "how long does the customer have"}},
		{"what is cpor? what is macc? how do i register a deal?", []string{"what is cpor", "what is macc", "how do i register a deal?"}},
		{"what is cpor and who validates it", []string{"what is cpor", "who validates it"}},
		{"what is cpor", []string{"what is cpor"}},
		{"where do I find my sa deals? created one yesterday and can't see it anywhere", []string{"where do I find my sa deals", "created one yesterday and can't see it anywhere"}},
	} {
		if got := splitAll(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("splitAll(%q) = %q, want %q", tc.q, got, tc.want)
		}
	}
}

// TestCarried: a second half's topic is the abbreviation the first names
// and it does not.
func TestCarried(t *testing.T) {
	for _, tc := range [][3]string{
		{"what is cpor", "who validates the claims", "cpor"},
		{"what's a p2p deal", "how do i create one", "p2p"},
		{"c'est quoi un deal sa", "qui peut en créer", "SA"},
		{"what is the claiming partner of record", "who validates it", "cpor"},
		{"what is cpor", "who validates cpor claims", ""},
		{"how long do we have to accept a referral", "how do i decline it", ""},
		{"what is co-sell", "who at microsoft sees it", ""},
	} {
		if got := carried(tc[0], tc[1]); got != tc[2] {
			t.Errorf("carried(%q, %q) = %q, want %q", tc[0], tc[1], got, tc[2])
		}
	}
}

// remark tells the words after a message's last question mark that ask
// nothing from a question written without its mark.
func TestRemark(t *testing.T) {
	for _, tc := range []struct {
		text, part string
		want       bool
	}{
		{"what happens if they never answer? Thanks, Tom", "Thanks, Tom", true},
		{"c'est quoi cpor ? et qui valide ? Merci d'avance, Marie", "Merci d'avance, Marie", true},
		{"what is cpor? I need it for a client", "I need it for a client", true},
		{"vad är cpor? och vem godkänner? tack /Anna", "tack /Anna", true},
		{"what is cpor? and how do i create one", "how do i create one", false},
		{"what is cpor? and who validates the claims?", "who validates the claims?", false},
		{"what is cpor? and who validates the claims?", "what is cpor", false},
		{"what is cpor and who validates the claims", "who validates the claims", false},
		{"the csa commission and the cpor claims, and how do i get both", "the csa commission", false},
		{"what is cpor?  ", "", false},
	} {
		if got := remark(tc.text, tc.part); got != tc.want {
			t.Errorf("remark(%q, %q) = %v, want %v", tc.text, tc.part, got, tc.want)
		}
	}
}

// A story before the first of two questions, and a signature after the
// last (tried as a user): the first half, refused whole for the story's
// words, is answered by its question sentence, as a message refused whole
// is; the signature is no question left unasked. Since tuning-chat28 the
// whole message is answered by that entry, whose answer covers both
// questions (the association becomes official when the customer does not
// decline): one answer or two, the first is the CPOR decline window.
func TestStoryBeforeTwoQuestions(t *testing.T) {
	ix := loadIndex(t)
	q := "Hi team, we closed the Contoso deal in May for about 40k and Priya already set up the association in Partner Center. " +
		"Quick one: how many days does the customer have to confirm a CPOR claim? And what happens if they never answer? Thanks, Tom"
	r := ix.Ask(q)
	halves := r.Halves()
	if !halves[0].Answered || halves[0].EntryID != "cpor-customer-decline" {
		t.Fatalf("%q: halves %+v; want the first answered by cpor-customer-decline", q, halves)
	}
	if len(r.Unasked) != 0 {
		t.Errorf("%q: unasked %q; want none (a signature asks nothing)", q, r.Unasked)
	}
}

// TestAskLoneHalfOfRefusedMessage: a message refused whole whose one half
// alone is answered under sureSentence says it has no answer; both halves
// answered still answer both.
func TestAskLoneHalfOfRefusedMessage(t *testing.T) {
	ix := loadIndex(t)
	const half = "what requirements must we meet as a partner to deliver it?"
	alone := ix.Ask(half)
	if !alone.Answered || alone.Confidence >= sureSentence {
		t.Fatalf("Ask(%q) = %v at %.2f: the test needs a half answered alone under %.2f", half, alone.EntryID, alone.Confidence, sureSentence)
	}
	t.Logf("alone: %s at %.2f", alone.EntryID, alone.Confidence)
	q := `The Microsoft seller wrote: "The customer can get a solution assessment funded". We have never done one. How do we apply for funding for a solution assessment, and ` + half
	r := ix.Ask(q)
	for _, h := range r.Halves() {
		if h.Answered {
			t.Errorf("Ask(%q) answered %q with %s (%.2f), want a refusal", q, h.Part, h.EntryID, h.Confidence)
		}
	}
	r = ix.Ask("c'est quoi cpor ? et qui valide les demandes ?")
	var got []string
	for _, h := range r.Halves() {
		got = append(got, h.EntryID)
	}
	if !slices.Equal(got, []string{"cpor-what", "cpor-validation"}) {
		t.Errorf("two questions in one answered %q, want cpor-what and cpor-validation", got)
	}
}

func TestConsidered(t *testing.T) {
	top := []string{"a", "b", "c", "d"}
	for _, tt := range []struct {
		half string
		want int // how many of top may answer the half
	}{
		{"what happens if we miss it", 1},
		{"who can see them", 1},
		{"and can we change that later", 1},
		{"vad händer om vi missar det", 1},
		{"vem kan se den", 1},
		{"que se passe-t-il si on le rate", 1},
		{"qui peut le voir", 1},
		{"ça change quoi", 1},
		// A pronoun beside an abbreviation of the half's own: the half
		// names its topic.
		{"which mcem stage is it", 4},
		{"can i invite microsoft to the p2p deal after it is created", 4},
		// No pronoun: French "le", "la", "les" after a noun or a verb
		// other than a modal are articles.
		{"who validates the claims", 4},
		{"qui valide les demandes", 4},
		{"combien de jours a le client pour refuser", 4},
		{"och vilka fält är obligatoriska", 4},
	} {
		if got := len(considered(tt.half, top)); got != tt.want {
			t.Errorf("considered(%q) keeps %d of %d, want %d", tt.half, got, len(top), tt.want)
		}
	}
	if got := considered("what happens if we miss it", nil); len(got) != 0 {
		t.Errorf("considered with no ranked entries = %v, want none", got)
	}
}

// TestOwnSentence: a question offered to send on its own drops the
// forward or the story told before its sentence.
func TestOwnSentence(t *testing.T) {
	for _, tc := range []struct{ part, want string }{
		{"Our CFO Linda wrote: > I don't want Microsoft seeing the numbers yet, can we still put it in Partner Center", "I don't want Microsoft seeing the numbers yet, can we still put it in Partner Center"},
		{"» J'ai pas su repondre. Quelle est la raison", "Quelle est la raison"},
		{"Min chef skrev: «Hur länge gäller vårt CSP-avtal", "Hur länge gäller vårt CSP-avtal"},
		{"I'd like to give her a clear explanation. What is CPOR", "What is CPOR"},
		{"line one\nhow do we register it", "how do we register it"},
		// A last sentence under three words stays with what comes before.
		{"we checked everything. Why?", "we checked everything. Why?"},
		{"how do we register it", "how do we register it"},
		{"", ""},
	} {
		if got := ownSentence(tc.part); got != tc.want {
			t.Errorf("ownSentence(%q) = %q, want %q", tc.part, got, tc.want)
		}
	}
}

// FuzzOwnSentence checks that the sentence offered is the part's own
// text, three words or more when it is not the whole part.
func FuzzOwnSentence(f *testing.F) {
	for _, s := range []string{"a wrote: > b c d", "« x ? » y z w", "\n\n", "a. b", "\xff. \xfe a b c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, part string) {
		got := ownSentence(part)
		if !strings.Contains(part, got) || got != part && len(words(foldLower(got))) < minSentenceWords {
			t.Fatalf("ownSentence(%q) = %q", part, got)
		}
	})
}
