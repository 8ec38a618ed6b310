package command_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// TestFAQTeachFromMisses is an admin's round: a partner's question is
// refused, faq misses lists it with the entry it came closest to and the
// command to teach it, the admin clicks, the same question is answered
// from then on, and it leaves the misses.
func TestFAQTeachFromMisses(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := smallFAQEnv(t, st)
		const q = "hur vet jag vilket id vi har"
		r := e.run(q)
		if r.Data["answered"] != false {
			t.Fatalf("%q was answered already (%v): pick a question the small index refuses", q, r.Data["entry_id"])
		}
		r = e.run("faq misses")
		if len(r.Actions) != 1 || !strings.HasPrefix(r.Actions[0].Command, "faq teach ") || !strings.Contains(r.Text, "closest: ") {
			t.Fatalf("misses offer no teaching:\n%s\n%+v", r.Text, r.Actions)
		}
		teach := r.Actions[0].Command
		id := strings.Fields(teach)[2]
		r = e.run(teach)
		if !strings.Contains(r.Text, "FAQ entry "+id+" now answers") || !strings.Contains(r.Text, "(Swedish)") {
			t.Fatalf("teach: %s", r.Text)
		}
		if r = e.run(q); r.Data["answered"] != true || r.Data["entry_id"] != id {
			t.Fatalf("after teaching, %q → %v %v", q, r.Data["answered"], r.Data["entry_id"])
		}
		if r = e.run("faq misses"); strings.Contains(r.Text, q) || len(r.Actions) != 0 {
			t.Fatalf("a taught question is still a miss:\n%s", r.Text)
		}
		for line, want := range map[string]string{
			teach:                              "already has",
			"faq teach nosuch \"hur då\"":      "no FAQ entry nosuch",
			"faq teach " + id:                  "faq teach",
			"faq teach " + id + " hej lang=de": "lang takes en, fr or sv",
		} {
			if r := e.svc.Run(context.Background(), access.LocalAdmin, here, line); r.OK() || !strings.Contains(r.Text, want) {
				t.Errorf("%s → %q, want a refusal saying %q", line, r.Text, want)
			}
		}
	})
}
