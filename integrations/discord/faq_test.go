package discord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/faq"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// newFAQEnv is newEnv with the FAQ over a dozen entries (partner IDs and
// profiles): enough to ask, miss and teach, quick to build.
func newFAQEnv(t testing.TB, st *store.Store) *env {
	t.Helper()
	kb, err := faq.Load()
	if err != nil {
		t.Fatal(err)
	}
	var small []faq.Entry
	for _, e := range kb {
		if strings.HasPrefix(e.ID, "partner-id-") || strings.HasPrefix(e.ID, "profile-") {
			e.Related = nil
			small = append(small, e)
		}
	}
	return newEnv(t, st, time.Minute, command.WithFAQ(small, st))
}

// faq misses' Teach button asks first, as Discord can (it has no
// confirmation dialog): the press answers with the question, naming the
// entry's own question beside the one taught, and Yes and Cancel; nothing
// is taught before the yes; Cancel lists the misses again.
func TestTeachButtonAsksFirst(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newFAQEnv(t, st)
	const q = "hur vet jag vilket id vi har"
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
