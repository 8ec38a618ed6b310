package slack_test

import (
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/faq"
	"github.com/cosellbot/cosellbot/integrations/slack"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// withFAQ gives the service the FAQ over a dozen entries (partner IDs and
// profiles): enough to ask, miss and teach, quick to build.
func withFAQ(t testing.TB, st *store.Store) option {
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
	return func(_ *slack.Config, r *runner) { r.Service = r.svc(command.WithFAQ(small, st)) }
}

// confirms lists the confirmation dialogs of a message's buttons, by label.
func confirms(blocks []any) map[string]string {
	out := map[string]string{}
	for _, bl := range blocks {
		m, _ := bl.(map[string]any)
		els, _ := m["elements"].([]any)
		for _, el := range els {
			em, _ := el.(map[string]any)
			label, _ := em["text"].(map[string]any)["text"].(string)
			if c, ok := em["confirm"].(map[string]any); ok {
				out[label], _ = c["text"].(map[string]any)["text"].(string)
			}
		}
	}
	return out
}

// faq misses' Teach button opens Slack's confirmation dialog first,
// naming the entry's own question beside the one taught.
func TestTeachButtonAsksFirst(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newEnv(t, st, withFAQ(t, st))
	const q = "hur vet jag vilket id vi har"
	e.command("U_ANA", q)
	_, m := e.command("U_ANA", "faq misses")
	var teach, dialog string
	for label, text := range confirms(blocksOf(t, m)) {
		if strings.HasPrefix(label, "Teach ") {
			teach, dialog = label, text
		}
	}
	if teach == "" {
		t.Fatalf("no Teach button asks first: %s %+v", text(blocksOf(t, m)), controls(blocksOf(t, m)))
	}
	if !strings.Contains(dialog, "answers \"") || !strings.Contains(dialog, "Teach it to answer \""+q+"\" too?") {
		t.Errorf("%s asks %q, want the entry's question and the one taught", teach, dialog)
	}
}
