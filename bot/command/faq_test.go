package command_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/faq"
	"github.com/cosellbot/cosellbot/bot/faq/faqtest"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

func faqEnv(t *testing.T, st *store.Store) *env {
	t.Helper()
	kb, err := faq.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, st)
	e.svc = command.New(st, e.clk, deal.DefaultRates(), nil, command.WithFAQ(kb, st, faq.WithModelCache(faqCache)))
	return e
}

// smallFAQEnv is faqEnv over a dozen entries (partner IDs and profiles, no
// follow-ups): tests of the admin verbs and of misses rebuild the index
// several times, and need no more of the knowledge base than this. Its
// builds share smallFAQCache: each such test starts from the same index,
// and its sqlite and postgres variants make the same changes.
func smallFAQEnv(t *testing.T, st *store.Store) *env {
	t.Helper()
	small := faqtest.Small(t)
	e := newEnv(t, st)
	e.svc = command.New(st, e.clk, deal.DefaultRates(), nil, command.WithFAQ(small, st, faq.WithModelCache(&smallFAQCache)))
	return e
}

// TestFAQ asks in each language, with and without the verb, and checks that
// the answer comes back in the asker's language from the right entry.
func TestFAQ(t *testing.T) {
	e := faqEnv(t, storetest.Open(t))
	for _, tt := range []struct {
		line, lang, entry string
	}{
		{"faq où trouver mon ID partenaire ?", "fr", "partner-id-where"},
		{"how long do we have to accept a referral", "en", ""},
		{"vad krävs för avtalsregistrering", "sv", ""},
		{`faq "what is CPOR?"`, "en", "cpor-what"},
	} {
		r := e.run(tt.line)
		if r.Data["answered"] != true || r.Data["lang"] != tt.lang || (tt.entry != "" && r.Data["entry_id"] != tt.entry) {
			t.Errorf("%s → answered=%v lang=%v entry=%v", tt.line, r.Data["answered"], r.Data["lang"], r.Data["entry_id"])
		}
		for _, a := range r.Actions {
			if strings.HasPrefix(a.Command, "faq wrong-answer ") {
				continue // Not what I asked: no question (TestFAQNotWhatIAsked)
			}
			if follow := e.run(a.Command); follow.Data["answered"] != true {
				t.Errorf("follow-up %q of %q was not answered", a.Command, tt.line)
			}
		}
	}
	// A question starting with a command's noun, which does not read as
	// that command, is the question (not "deal takes one of: …").
	for _, q := range []string{"deal registration requirements?", "cpor what is it"} {
		if r := e.svc.Run(context.Background(), access.LocalAdmin, here, q); r.Data["answered"] != true {
			t.Errorf("%s → %s", q, r.Text)
		}
	}
	// Asked with nothing that marks a question (a tester's "deal
	// registration requirements"), it stays the command's refusal, which
	// says how to ask it. A slip of two words gets no such hint.
	if r := e.svc.Run(context.Background(), access.LocalAdmin, here, "deal registration requirements"); r.OK() || !strings.Contains(r.Text, "(a question? ask it: faq deal registration requirements)") {
		t.Errorf("deal registration requirements → %q, want the refusal with the way to ask it", r.Text)
	}
	if r := e.svc.Run(context.Background(), access.LocalAdmin, here, "deal registration"); strings.Contains(r.Text, "a question?") {
		t.Errorf("deal registration → %q, want no question hint for two words", r.Text)
	}
	// A command with a question mark is the command's business, not the
	// FAQ's (which knows what CPOR is).
	kb, err := faq.Load()
	if err != nil {
		t.Fatal(err)
	}
	withCPOR := command.New(e.st, e.clk, deal.DefaultRates(), nil, command.WithFAQ(kb, e.st, faq.WithModelCache(faqCache)), command.WithCPOR(e.st))
	if r := withCPOR.Run(context.Background(), access.LocalAdmin, here, "cpor list?"); r.Data["answered"] == true {
		t.Errorf("cpor list? was answered from the FAQ: %s", r.Text)
	}
	// Commands stay commands, typos of them are pointed out, not answered.
	if r := e.svc.Run(context.Background(), access.LocalAdmin, here, "dael list"); r.OK() || !strings.Contains(r.Text, "did you mean deal") {
		t.Errorf("a verb typo went to the FAQ: %q", r.Text)
	}
	// A deal or claim named as replies print it is the show command it
	// asks for: the FAQ matched a bare number to whichever entry held it
	// ("#18" → "all 18 countries or regions", at 0.97).
	for line, want := range map[string]string{
		"#18":            "did you mean deal show 18?",
		"18":             "did you mean deal show 18?",
		"deal #18":       "did you mean deal show 18?",
		"deal 18":        "did you mean deal show 18?",
		"what about #12": "did you mean deal show 12?",
		"claim #2":       "did you mean cpor show 2?",
		"show #18":       "did you mean deal show 18?",
		"#18?":           "did you mean deal show 18?",
	} {
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, line)
		if r.OK() || r.Data["answered"] == true || !strings.Contains(r.Text, want) {
			t.Errorf("%s → %q, want %q", line, r.Text, want)
		}
	}
	// A number inside a question is the question's, in every language.
	// ("how long is the 14 day window for referrals" was the English one
	// until session 32's tuning questions took its confidence from 0.78 to
	// 0.54: refused, with the entry offered first.)
	for _, q := range []string{"do we have 14 days to accept a referral", "referral 14 days", "référence 14 jours"} {
		if r := e.svc.Run(context.Background(), access.LocalAdmin, here, q); r.Data["answered"] != true {
			t.Errorf("%q, a question holding a number, was not answered: %q", q, r.Text)
		}
	}
	// "affaire 14 jours" and "affär 14 dagar", a deal and 14 days, sit
	// between the referral's 14 days and the 14 days to ask Microsoft for
	// help: both are fair. Refits have answered each with the first or
	// refused it between the two (French since session 22, Swedish in
	// session 27); either is right, if a refusal offers both.
	for _, q := range []string{"affaire 14 jours", "affär 14 dagar"} {
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, q)
		suggested := fmt.Sprint(r.Data["suggestions"])
		answered := r.Data["answered"] == true && (r.Data["entry_id"] == "referral-expiry-14-days" || r.Data["entry_id"] == "cosell-help-14-days")
		offered := r.Data["answered"] != true && strings.Contains(suggested, "referral-expiry-14-days") && strings.Contains(suggested, "cosell-help-14-days")
		if !answered && !offered {
			t.Errorf("%q: want one of the two 14 days, or a refusal offering both; got %q (%v), suggestions %v", q, r.Text, r.Data["entry_id"], suggested)
		}
	}
	for _, q := range []string{"what is the #1 reason a referral expires", "vilken är regel #1?"} {
		if r := e.svc.Run(context.Background(), access.LocalAdmin, here, q); strings.Contains(r.Text, "deal show") {
			t.Errorf("%q read as a deal: %q", q, r.Text)
		}
	}
}

// TestFAQUnknownAndMisses: out-of-scope questions are refused, not answered
// confidently, and land in faq misses for admins.
func TestFAQUnknownAndMisses(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := smallFAQEnv(t, st)
		r := e.run("what is the weather in paris tomorrow")
		if r.Data["answered"] != false || !strings.Contains(r.Text, "That looks outside what I know") {
			t.Fatalf("out of scope: %+v", r)
		}
		e.run("quel temps fera-t-il demain à paris")
		r = e.run("faq misses")
		if !strings.Contains(r.Text, "weather in paris") || !strings.Contains(r.Text, "quel temps") {
			t.Fatalf("misses: %s", r.Text)
		}
		if strings.Contains(r.Text, "not shown") {
			t.Errorf("two misses said to be cut: %s", r.Text)
		}
	})
}

// faq misses shows the 50 most asked and says how many more there are,
// rather than cutting the list silently.
func TestFAQMissesSaysWhatItDoesNotShow(t *testing.T) {
	e := smallFAQEnv(t, storetest.Open(t))
	for i := range 53 {
		e.run(fmt.Sprintf("faq how many parking spaces does building %d have", i))
	}
	e.run("faq how many parking spaces does building 0 have") // the most asked
	r := e.run("faq misses")
	if n := strings.Count(r.Text, "× ["); n != 50 {
		t.Errorf("%d misses listed, want 50", n)
	}
	if !strings.Contains(r.Text, "… and 3 asked fewer times, not shown") || !strings.Contains(r.Text, "building 0 have") {
		t.Errorf("misses: %s", r.Text[max(0, len(r.Text)-300):])
	}
}

// An off-topic question is told what cosellbot answers questions about, in
// the asker's language, not that it has no answer "yet": a promise an
// admin should not keep. It is still a miss, marked off-topic there; an
// in-scope refusal keeps "not yet" and the hint to teach it.
func TestFAQOffTopicSaysWhatItKnows(t *testing.T) {
	e := faqEnv(t, storetest.Open(t))
	for _, tt := range []struct{ q, lang, says string }{
		{"what is the weather in stockholm", "en", "That looks outside what I know: I answer questions about co-selling with Microsoft in Partner Center"},
		{"how much does an azure vm cost per month", "en", "That looks outside what I know"},
		{"quel temps fait-il à Paris", "fr", "Cela semble sortir de mon domaine : je réponds aux questions sur la co-vente avec Microsoft"},
		{"hur mycket kostar en azure vm", "sv", "Det verkar ligga utanför det jag kan: jag svarar på frågor om säljsamarbete med Microsoft"},
		// No word the knowledge base knows: the same, without the hint
		// (it is no miss).
		{"pizza", "en", "That looks outside what I know: I answer questions about co-selling with Microsoft in Partner Center (referrals, deals, solutions, CPOR, partner programs)."},
	} {
		r := e.run(tt.q)
		if r.Data["answered"] != false || r.Data["off_topic"] != true || r.Data["lang"] != tt.lang {
			t.Errorf("%q: answered=%v off_topic=%v lang=%v, want an off-topic refusal in %s", tt.q, r.Data["answered"], r.Data["off_topic"], r.Data["lang"], tt.lang)
			continue
		}
		if !strings.HasPrefix(r.Text, tt.says) || strings.Contains(r.Text, "yet") || strings.Contains(r.Text, "pas encore") || strings.Contains(r.Text, "ännu") ||
			(tt.q == "pizza") != (r.Text == tt.says) {
			t.Errorf("%q:\n%s\nwant it to start %q and promise no answer later", tt.q, r.Text, tt.says)
		}
	}
	const inScope = "old referral vanished from inbound"
	r := e.run(inScope)
	if r.Data["answered"] != false || r.Data["off_topic"] != nil ||
		!strings.HasPrefix(r.Text, "I don't have an answer to that yet.\nAn admin can teach me: faq misses lists this question.") {
		t.Errorf("%q, refused in scope:\n%s\n%v", inScope, r.Text, r.Data)
	}
	misses := e.run("faq misses")
	_, after, _ := strings.Cut(misses.Text, "what is the weather in stockholm")
	if !strings.Contains(after, "reads as off-topic") || !strings.Contains(misses.Text, inScope) {
		t.Errorf("the off-topic question is no miss marked off-topic, or the in-scope one is no miss:\n%s", misses.Text)
	}
}

// A refusal with closest topics ends with their heading, right above the
// buttons (or the commands the shell prints) it introduces, in the
// asker's language; the hint for admins comes before it.
func TestFAQRefusalHeadsItsSuggestions(t *testing.T) {
	e := faqEnv(t, storetest.Open(t))
	heading := map[string]string{"en": "Closest topics:", "fr": "Sujets les plus proches :", "sv": "Närmaste ämnen:"}
	shown := 0
	for _, q := range []string{
		"comment devenir partenaire de co-vente ?", "vad kostar det att registrera en affär?",
		"how much does an azure vm cost per hour", "quel est le taux d'incitation pour le co-sell",
		"vilken provision får vi för azure", "what is the price of a teams licence",
	} {
		r := e.run(q)
		if r.Data["answered"] != false || len(r.Actions) == 0 {
			continue
		}
		shown++
		lines := strings.Split(r.Text, "\n")
		if last := lines[len(lines)-1]; last != heading[r.Data["lang"].(string)] {
			t.Errorf("%q: the refusal ends with %q, want the closest topics' heading right above its %d buttons:\n%s", q, last, len(r.Actions), r.Text)
		}
	}
	if shown == 0 {
		t.Fatal("no question was refused with closest topics: pick near misses the knowledge base does not answer")
	}
}

// TestFAQAdmin: admins add, edit and remove entries; the index follows at
// once; bad entries are refused naming the key, and change nothing.
func TestFAQAdmin(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := smallFAQEnv(t, st)
		ctx := context.Background()
		e.run(`user add ana@contoso.com role=referrals-user locations=global`)
		ana, _ := e.svc.Resolve(ctx, "ana@contoso.com")
		add := `faq add teams-phone en_question="Does co-sell cover Teams Phone?" en_answer="Yes, as a Modern Work workload." fr_question="Le co-sell couvre-t-il Teams Phone ?" fr_answer="Oui, comme charge Modern Work." sv_question="Omfattar säljsamarbete Teams Phone?" sv_answer="Ja, som Modern Work-arbetsbelastning."`
		if r := e.svc.Run(ctx, ana, here, add); r.OK() || r.Err.Code != "forbidden" {
			t.Fatalf("a referrals user added an FAQ entry: %+v", r)
		}
		before, _ := st.FAQVersion(ctx)
		for _, bad := range []struct{ line, field, says string }{
			{`faq add x en_question="Q?" en_answer="A"`, "fr_question", ""},
			{`faq edit partner-id-where related=no-such-entry`, "related", `unknown entry "no-such-entry"`},
			// An unknown related ID is told the one meant, as a command's ID is.
			{`faq edit partner-id-where related=partner-id-wat`, "related", `unknown entry "partner-id-wat": did you mean partner-id-what?`},
			{`faq edit partner-id-where related=partner-id-where`, "related", "refers to itself"},
			{`faq edit partner-id-where fr_answer=""`, "fr_answer", ""},
		} {
			r := e.svc.Run(ctx, access.LocalAdmin, here, bad.line)
			if r.OK() || r.Err.Field != bad.field || !strings.Contains(r.Text, bad.says) {
				t.Errorf("%s: %+v, want a refusal naming %s and saying %q", bad.line, r.Err, bad.field, bad.says)
			}
		}
		if after, _ := st.FAQVersion(ctx); after != before {
			t.Fatalf("refused edits changed the FAQ: %s → %s", before, after)
		}
		e.run(add)
		if r := e.run("does co-sell cover teams phone"); r.Data["entry_id"] != "teams-phone" {
			t.Fatalf("the added entry does not answer: %+v", r.Data)
		}
		// An alternate listed twice (in any case) is kept once.
		e.run(`faq edit teams-phone en_alternates="teams calling|Teams Calling| |phone system"`)
		over, err := st.FAQOverrides(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if i := slices.IndexFunc(over, func(o faq.Entry) bool { return o.ID == "teams-phone" }); i < 0 || !slices.Equal(over[i].Text[faq.EN].Alternates, []string{"teams calling", "phone system"}) {
			t.Errorf("alternates saved: %+v", over)
		}
		// Related IDs as typed: any case, a repeat kept once.
		e.run(`faq edit teams-phone related="Partner-ID-What, partner-id-what"`)
		if r := e.run("does co-sell cover teams phone"); len(r.Actions) != 2 || !strings.Contains(r.Actions[0].Command, "partner ID") {
			t.Errorf("related partner-id-what once, then Not what I asked: %+v", r.Actions)
		}
		e.run(`faq edit teams-phone en_answer="Yes: Teams Phone is a Modern Work workload."`)
		if r := e.run("does co-sell cover teams phone"); !strings.Contains(r.Text, "Yes: Teams Phone") {
			t.Fatalf("the edit does not answer: %s", r.Text)
		}
		e.run("faq remove partner-id-where")
		if r := e.run("où trouver mon ID partenaire ?"); r.Data["entry_id"] == "partner-id-where" {
			t.Fatal("a removed entry still answers")
		}
		if r := e.svc.Run(ctx, access.LocalAdmin, here, "faq add teams-phone en_question=q en_answer=x fr_question=q fr_answer=x sv_question=q sv_answer=x"); r.OK() || r.Err.Code != "exists" {
			t.Fatalf("adding an existing id: %+v", r.Err)
		}
	})
}

// TestReadOnly: adapters answer replays of commands that change nothing,
// and refuse replays of anything else; the table says which is which.
func TestReadOnly(t *testing.T) {
	e := smallFAQEnv(t, storetest.Open(t))
	for line, want := range map[string]bool{
		"":                        true,
		"help deal new":           true,
		"deal show 1":             true,
		"deal list expiring":      true,
		"DEAL History 3":          true,
		"user list":               true,
		"où trouver mon ID ?":     true,
		"deal won 1":              false,
		"deal new kind=ip":        false,
		"user add a@b.io role=x":  false,
		"faq add x en_answer=y":   false,
		"faq what is cpor":        true,
		"FAQ vad är CPOR?":        true,
		"faq teach x how so":      false,
		"faq wrong-answer x why":  false,
		"faq misses":              false,
		"solution add name=x":     false,
		"deal shw 1":              false,
		`deal show "unterminated`: false,
	} {
		if got := e.svc.ReadOnly(line); got != want {
			t.Errorf("ReadOnly(%q) = %v, want %v", line, got, want)
		}
	}
}

// A message asking two things is answered half by half, in the order
// asked, each half quoted above its answer; a half nobody answers says so,
// and faq misses lists the message with that half.
func TestFAQTwoQuestions(t *testing.T) {
	e := faqEnv(t, storetest.Open(t))
	r := e.run("what is cpor and who validates the claims")
	first, second := strings.Index(r.Text, "> what is cpor\nCPOR (Claiming Partner of Record) is"), strings.Index(r.Text, "> who validates the claims\n")
	// Which half is the reply's entry and which its Also follows the
	// whole's confidence: refused whole from session 27's refit, the first
	// half's entry led; since session 45's (threshold 0.528) the whole is
	// answered again, by cpor-validation (0.57), and the first half is its
	// Also, as before session 27. The reply reads the same either way: both
	// answers, each under its half, in the order asked.
	if first < 0 || second < first {
		t.Fatalf("two answers, in the order asked:\n%s\n%v", r.Text, r.Data)
	}
	also, _ := r.Data["also"].(map[string]any)
	got := map[any]any{r.Data["entry_id"]: r.Data["part"], also["entry_id"]: also["part"]}
	if got["cpor-what"] != "what is cpor" || got["cpor-validation"] != "who validates the claims" {
		t.Errorf("entries and parts: %v and also %v", r.Data, also)
	}
	for _, a := range r.Actions {
		if strings.Contains(a.Command, "What is CPOR") || strings.Contains(a.Command, "validate CPOR") {
			t.Errorf("a button asks again what was just answered: %q", a.Command)
		}
	}

	// (Until session 28 "…et comment on en cree une": asked again with
	// the first half's "p2p", that half is answered now.)
	r = e.run("c'est quoi une transaction p2p et quel est le prix d'une vm azure")
	if !strings.Contains(r.Text, "> c'est quoi une transaction p2p\nDans une opportunité partenaire à partenaire") ||
		!strings.Contains(r.Text, "> quel est le prix d'une vm azure\nCela semble sortir de mon domaine") {
		t.Fatalf("one half answered, the other not:\n%s", r.Text)
	}
	misses := e.run("faq misses")
	if !strings.Contains(misses.Text, "[fr] c'est quoi une transaction p2p et quel est le prix d'une vm azure\n      unanswered: quel est le prix d'une vm azure") {
		t.Errorf("the message answered in part is a miss, saying which half:\n%s", misses.Text)
	}
}

// A message telling a case, refused whole, is answered by its question
// sentence, quoted above the answer: the reply says what it answers.
func TestFAQQuestionSentence(t *testing.T) {
	e := faqEnv(t, storetest.Open(t))
	r := e.run("Our finance lead Priya wrote: > the customer wants to know what we gain from the claim. I could not answer her on the spot. What is CPOR exactly? Cheers, Tom")
	if !strings.HasPrefix(r.Text, "> What is CPOR exactly?\nCPOR (Claiming Partner of Record) is") || r.Data["entry_id"] != "cpor-what" || r.Data["part"] != "What is CPOR exactly?" {
		t.Fatalf("the question sentence quoted and answered:\n%s\n%v", r.Text, r.Data)
	}
	if misses := e.run("faq misses"); strings.Contains(misses.Text, "Priya") {
		t.Errorf("an answered message is no miss:\n%s", misses.Text)
	}
}

// A message asking more than two things: its two answers, then the
// question none of them covers, quoted, in the asker's language, with a
// button that asks it alone, first among the buttons.
func TestFAQMoreThanTwoQuestions(t *testing.T) {
	e := faqEnv(t, storetest.Open(t))
	for _, tc := range []struct{ q, note, third string }{
		{"what are the steps to become a crm partner, and how do i get the crm competency, and what are the deal reg requirements?",
			"I answer at most two questions per message, so this one has no answer above; ask it on its own:", "what are the deal reg requirements?"},
		{"c'est quoi cpor, et qui valide les demandes, et comment on crée une transaction p2p ?",
			"Je réponds au plus à deux questions par message : celles-ci restent sans réponse ci-dessus, posez-les une par une :", "comment on crée une transaction p2p ?"},
		{"vad är cpor och vem godkänner anspråken och hur skapar jag en p2p-affär?",
			"Jag svarar på högst två frågor per meddelande, så de här frågorna är obesvarade ovan; ställ dem var för sig:", "hur skapar jag en p2p-affär?"},
	} {
		r := e.run(tc.q)
		if !strings.Contains(r.Text, tc.note) || !strings.Contains(r.Text, "\n> "+tc.third) {
			t.Errorf("%q: the reply does not say what it left unanswered:\n%s", tc.q, r.Text)
		}
		if !slices.ContainsFunc(r.Actions, func(a chat.Action) bool { return a.Command == "faq "+command.Quote(tc.third) }) {
			t.Errorf("%q: no button asks %q alone: %+v", tc.q, tc.third, r.Actions)
		}
	}
	if r := e.run("what is cpor and who validates the claims"); strings.Contains(r.Text, "at most two questions") {
		t.Errorf("two questions, both answered, and still the note:\n%s", r.Text)
	}
}

// A tester's faq misses filled with noise: "?", "quick q", "lol",
// "asdfgh" were misses, "ok" an "I don't know", and a 3,500-character paste
// was kept and listed whole. A message with no word the knowledge base
// knows is refused without the promise that an admin will see it, and is
// no miss; "ok" and "okej tack" are small talk; a long question is kept and
// listed cut to 300 characters, a paste kept whole before as well.
func TestFAQMissesKeepNoNoise(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := smallFAQEnv(t, st)
		for _, q := range []string{"?", "quick q", "lol", "asdfgh", "faq ?!"} {
			r := e.run(q)
			if r.Data["answered"] != false || strings.Contains(r.Text, "faq misses lists") {
				t.Errorf("%q → %q, want a refusal that promises no admin", q, r.Text)
			}
		}
		for q, kind := range map[string]string{"ok": faq.Acknowledgement, "okej tack": faq.Thanks, "ok merci": faq.Thanks} {
			if r := e.run(q); r.Data["small_talk"] != kind {
				t.Errorf("%q → %v %q, want %s", q, r.Data["small_talk"], r.Text, kind)
			}
		}
		long := "where is the partner profile of our subsidiary " + strings.Repeat("zq", 1730) // 3,506 characters
		if r := e.run(long); r.Data["answered"] != false {
			t.Fatalf("the long question was answered (%v)", r.Data["entry_id"])
		}
		old := "how do partner profiles relate to " + strings.Repeat("qz", 1750) // kept before misses were cut
		if err := st.RecordFAQMisses(t.Context(), ledger.FAQMiss{Question: old, Lang: "en", Actor: "admin@localhost", At: e.clk.t}); err != nil {
			t.Fatal(err)
		}
		r := e.run("faq misses")
		if views := fmt.Sprint(r.Data["misses"]); strings.Contains(views, "asdfgh") || strings.Contains(views, "lol") || strings.Contains(r.Text, "quick q") || strings.Contains(r.Text, "[en] ?") {
			t.Errorf("noise listed as misses:\n%s", r.Text)
		}
		for _, line := range strings.Split(r.Text, "\n") {
			if n := len([]rune(line)); n > 400 {
				t.Errorf("a miss line of %d characters: %.80s…", n, line)
			}
		}
		for _, start := range []string{long[:40], old[:40]} {
			i := strings.Index(r.Text, start)
			if i < 0 {
				t.Fatalf("the long miss %q… is not listed:\n%.2000s", start, r.Text)
			}
			line, _, _ := strings.Cut(r.Text[i:], "\n")
			if n := len([]rune(line)); n != 300 || !strings.HasSuffix(line, "…") {
				t.Errorf("long miss listed as %d characters ending %q, want 300 ending with …", n, line[len(line)-5:])
			}
		}
	})
}

// A refusal of a line that starts like a command and reads as a question
// says how to ask it, whether or not the FAQ answers it with confidence: a
// tester's "cpor claim window for customer?" got the usage alone, "deal
// registration requirements" the hint. A two-word slip gets none, and the
// usage no longer reads "takes no word … after ;" for a verb that takes no
// word at all.
func TestFAQHintOnCommandLikeQuestions(t *testing.T) {
	e := faqEnv(t, storetest.Open(t))
	kb, err := faq.Load()
	if err != nil {
		t.Fatal(err)
	}
	svc := command.New(e.st, e.clk, deal.DefaultRates(), nil, command.WithFAQ(kb, e.st, faq.WithModelCache(faqCache)), command.WithCPOR(e.st))
	for _, tc := range []struct {
		line string
		hint bool
	}{
		// The tester's "cpor claim window for customer?" is answered since
		// session 27's tuning questions (below); this one the FAQ does not
		// answer with confidence (0.31).
		{"cpor claim stuck for customer?", true},
		// Nothing marks it a question, but the FAQ answers it with
		// confidence since session 27 (cpor-customer-decline, 0.97): until
		// then it did not, and it got the usage alone.
		{"cpor claim window for customer", true},
		{"deal registration requirements", true},
		{"cpor claim why is mine so slow", true},
		{"deal foo?", false},
		{"deal registration", false},
	} {
		r := svc.Run(context.Background(), access.LocalAdmin, here, tc.line)
		if r.OK() || r.Data["answered"] == true {
			t.Errorf("%s → answered: %s", tc.line, r.Text)
			continue
		}
		if got := strings.Contains(r.Text, "(a question? ask it: faq "+tc.line+")"); got != tc.hint {
			t.Errorf("%s → %q, hint %v, want %v", tc.line, r.Text, got, tc.hint)
		}
		if strings.Contains(r.Text, "after ;") {
			t.Errorf("%s → %q", tc.line, r.Text)
		}
	}
	// Asked, and answered with confidence: the question, not the command.
	if r := svc.Run(context.Background(), access.LocalAdmin, here, "cpor claim window for customer?"); r.Data["entry_id"] != "cpor-customer-decline" {
		t.Errorf("cpor claim window for customer? → %q (%v), want the customer's 5 days", r.Text, r.Data["entry_id"])
	}
}

// Every FAQ answer has a "Not what I asked" button (in the asker's
// language; one per answered half of a message asking two things): a
// wrong answer never reached faq misses. Pressed, by anyone, it keeps the
// question as a miss answered wrongly by that entry; faq misses lists it
// while that entry still answers it, with the entry ranked next to teach
// (asking first); taught to another entry, it leaves the list.
func TestFAQNotWhatIAsked(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := smallFAQEnv(t, st)
		notAsked := func(r command.Reply) []chat.Action {
			var out []chat.Action
			for _, a := range r.Actions {
				if strings.HasPrefix(a.Command, "faq wrong-answer ") {
					out = append(out, a)
				}
			}
			return out
		}
		for _, tc := range []struct{ q, label string }{
			{"where do i find my partner id", "Not what I asked"},
			{"où trouver mon ID partenaire ?", "Ce n'est pas ma question"},
			{"var hittar jag mitt partner-id", "Inte det jag frågade"},
		} {
			r := e.run(tc.q)
			if got := notAsked(r); r.Data["answered"] != true || len(got) != 1 || got[0].Label != tc.label {
				t.Errorf("%q (answered %v) offers %+v, want one %q button", tc.q, r.Data["answered"], got, tc.label)
			}
		}
		r := e.run("vad är partner-id och var hittar jag det")
		if got := notAsked(r); r.Data["also"] == nil || len(got) != 2 || got[0].Label != "Inte det jag frågade: vad är partner-id" || got[1].Label != "Inte det jag frågade: var hittar jag det" {
			t.Errorf("two answers (also: %v), buttons %+v; want one per half, in the order asked", r.Data["also"] != nil, got)
		}
		if r := e.run("hur vet vi vilket id som är vårt"); len(notAsked(r)) != 0 {
			t.Errorf("a refusal offers %+v", notAsked(r))
		}

		// A question answered by partner-id-where, which a phrasing taught
		// to another entry then takes over. It was "where is my partner
		// number" (0.83) until session 28, now 0.69, just under this small
		// knowledge base's threshold; "how do i look up my pid" before
		// 0.23.0, which read "pid" as the partner ID (1.00) so surely that
		// no taught phrasing outweighed it.
		const q = "where can i see our partner number"
		if r := e.run(q); r.Data["answered"] != true {
			t.Fatalf("%q is not answered", q)
		}
		press := notAsked(e.run(q))[0].Command
		user := access.User{ID: "bo@contoso-partner.com", Roles: []access.Role{access.ReferralsUser}, Global: true}
		r = e.svc.Run(context.Background(), user, here, press)
		if !r.OK() || !strings.HasPrefix(r.Text, "Thanks: an admin will see in faq misses") {
			t.Fatalf("%s → %q", press, r.Text)
		}
		id := strings.Fields(press)[2]
		misses := e.run("faq misses")
		if !strings.Contains(misses.Text, "] "+q+"\n      answered by "+id) || !strings.Contains(misses.Text, "not what 1 of its askers asked") {
			t.Fatalf("the wrong answer is not listed:\n%s", misses.Text)
		}
		i := slices.IndexFunc(misses.Actions, func(a chat.Action) bool { return strings.HasSuffix(a.Command, command.Quote(q)) })
		if i < 0 || misses.Actions[i].Confirm == "" || strings.HasPrefix(misses.Actions[i].Command, "faq teach "+id+" ") {
			t.Fatalf("want a Teach button, asking first, for another entry than %s: %+v", id, misses.Actions)
		}
		// Taught to an entry of its own, the question leaves the misses.
		e.run(`faq add office-pid en_question="Where is our partner ID kept?" en_answer="In the office safe." fr_question="Où est gardé notre ID partenaire ?" fr_answer="Dans le coffre." sv_question="Var förvaras vårt partner-ID?" sv_answer="I kassaskåpet."`)
		if r := e.run(`faq teach office-pid "` + q + `" lang=en`); !strings.Contains(r.Text, "now answers") {
			t.Fatalf("the new entry does not take the question: %s", r.Text)
		}
		if r := e.run("faq misses"); strings.Contains(r.Text, q) {
			t.Errorf("a question taught to another entry is still listed:\n%s", r.Text)
		}
	})
}
