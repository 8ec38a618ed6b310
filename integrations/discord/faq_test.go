package discord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/faq"
	"github.com/cosellbot/cosellbot/bot/faq/faqtest"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/discord"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// newFAQEnv is newEnv with the FAQ over a dozen entries (partner IDs and
// profiles): enough to ask, miss and teach, quick to build. The builds of
// the same texts share their trained ranker (faqCache).
func newFAQEnv(t testing.TB, st *store.Store) *env {
	t.Helper()
	small := faqtest.Small(t)
	return newEnv(t, st, time.Minute, command.WithFAQ(small, st, faq.WithModelCache(&faqCache)))
}

// faqCache keeps the rankers newFAQEnv's indexes trained, by their texts:
// every test starts from the same index (2.2 s to train under -race).
var faqCache faqtest.Cache

// faq misses' Teach button asks first, as Discord can (it has no
// confirmation dialog): the press answers with the question, naming the
// entry's own question beside the one taught, and Yes and Cancel; nothing
// is taught before the yes; Cancel lists the misses again.
func TestTeachButtonAsksFirst(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newFAQEnv(t, st)
	const q = "hur vet vi vilket id som är vårt"
	e.answer(e.slash("111", q))
	misses := e.answer(e.slash("111", "faq misses"))
	var teach string
	for label, id := range buttons(misses) {
		if strings.HasPrefix(label, "Teach ") {
			teach = id
		}
	}
	if teach == "" {
		t.Fatalf("faq misses offers no Teach button: %s %v", description(misses), buttons(misses))
	}
	question := e.answer(e.click("111", teach))
	got := description(question)
	if !strings.Contains(got, "answers \"") || !strings.Contains(got, "Teach it to answer \""+q+"\" too?") {
		t.Errorf("Teach answered %q, want the question naming both", got)
	}
	yes, cancel := buttons(question)["Yes, go ahead"], buttons(question)["Cancel"]
	if yes == "" || cancel == "" {
		t.Fatalf("the question offers %v, want Yes and Cancel", buttons(question))
	}
	if over, err := st.FAQOverrides(t.Context()); err != nil || len(over) != 0 {
		t.Fatalf("taught before the yes: %v, %v", over, err)
	}
	if back := description(e.answer(e.click("111", cancel))); !strings.Contains(back, q) {
		t.Errorf("Cancel: %s, want the misses", back)
	}
	if done := description(e.answer(e.click("111", yes))); !strings.Contains(done, "now answers") {
		t.Errorf("Yes: %s", done)
	}
}

// A French or Swedish user's button refusals come in the language the
// interaction says they read: a non-admin's Teach, a button cosellbot no
// longer knows. A tester's got both in English.
func TestButtonRefusalsInTheUsersLanguage(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newFAQEnv(t, st)
	bo := access.User{ID: "bo@partner.example", Roles: []access.Role{access.ReferralsUser}, Global: true}
	at := ledger.Entry{At: e.clk.Now(), Actor: "admin@localhost", Action: "user added"}
	if err := st.PutUser(t.Context(), bo, at); err != nil {
		t.Fatal(err)
	}
	if err := st.LinkChatUser(t.Context(), discord.Platform, "222", bo.ID, at); err != nil {
		t.Fatal(err)
	}
	teach := `confirm:faq teach partner-id-where "où est notre pid"`
	for _, tc := range []struct {
		locale, id, want string
	}{
		{"fr", teach, `non autorisé : seul un administrateur de références ou un administrateur des primes incitatives peut faire cela`},
		{"sv-SE", teach, `inte tillåtet: bara en referensadministratör eller en incitamentsadministratör får göra det här`},
		{"en-US", teach, `not allowed: only a referrals admin or an incentives admin may do this`},
		{"", `faq teach partner-id-where "où est notre pid"`, `not allowed: only a referrals admin or an incentives admin may do this`},
		{"fr", "ref:no-such-button", `ce bouton n'est plus valable ; saisissez plutôt la commande`},
		{"sv-SE", "ref:no-such-button", `den här knappen gäller inte längre; skriv kommandot i stället`},
		{"en-GB", "ref:no-such-button", `this button is no longer known; type the command instead`},
	} {
		e.locale = tc.locale
		if got := strings.TrimSpace(description(e.answer(e.click("222", tc.id)))); got != "✗ "+tc.want {
			t.Errorf("%s, locale %q: %q, want %q", tc.id, tc.locale, got, "✗ "+tc.want)
		}
	}
}

// An FAQ answer has a "Not what I asked" button; pressing it keeps the
// question as a miss answered wrongly by that entry, and thanks the
// presser in the answer's language.
func TestNotWhatIAskedButton(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newFAQEnv(t, st)
	for _, tc := range []struct{ q, label, thanks string }{
		{"where do i find my partner id", "Not what I asked", "Thanks: an admin will see in faq misses"},
		{"où trouver mon ID partenaire ?", "Ce n'est pas ma question", "Merci : un administrateur verra dans faq misses"},
	} {
		answer := e.answer(e.slash("111", tc.q))
		id := buttons(answer)[tc.label]
		if id == "" {
			t.Fatalf("%q: no %q button among %v", tc.q, tc.label, buttons(answer))
		}
		if got := description(e.answer(e.click("111", id))); !strings.HasPrefix(got, tc.thanks) {
			t.Errorf("%q: %s pressed: %q", tc.q, tc.label, got)
		}
	}
	misses, err := st.FAQMisses(t.Context(), e.clk.Now().Add(-time.Hour), 10)
	if err != nil || len(misses) != 2 || misses[0].Wrong != "partner-id-where" || misses[1].Wrong != "partner-id-where" {
		t.Errorf("misses: %+v, %v; want both questions, answered wrongly by partner-id-where", misses, err)
	}
}

// A question made of Partner Center's English names only ("partner id
// location") tells no language: the interaction's locale does. A question
// in words of its own keeps its language whatever the client's.
func TestFAQAnswersInTheInteractionsLocale(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newFAQEnv(t, st)
	var where faq.Entry
	for _, en := range faqtest.Small(t) {
		if en.ID == "partner-id-where" {
			where = en
		}
	}
	for _, tc := range []struct {
		locale, q string
		want      faq.Lang
	}{
		{"fr", "partner id location", faq.FR},
		{"sv-SE", "partner id location", faq.SV},
		{"en-GB", "partner id location", faq.EN},
		{"de", "partner id location", faq.EN},
		{"sv-SE", "où trouver notre partner id", faq.FR},
		{"fr", "var hittar vi vårt partner id", faq.SV},
	} {
		e.locale = tc.locale
		got := description(e.answer(e.slash("111", tc.q)))
		want := where.Text[tc.want].Answer
		if i := strings.IndexAny(want, `>*_~|\`); i > 0 {
			want = want[:i] // escaped as Discord's markdown
		}
		if !strings.Contains(got, want) {
			t.Errorf("%q from a %s client: %q, want partner-id-where's %s answer", tc.q, tc.locale, got, tc.want)
		}
	}
}
