package pipeline

import (
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/vocab"
)

// TestStageLabelsReadBack: a stage as the page shows it, in any of its
// languages, alone or as the deal page writes it with its percentage
// ("Säkra kundens engagemangsbrev (LOE) (20 %)"), is that stage to deal
// stage and deal list stage=: people copy it from the page into chat. The
// Swedish LOE label and the French "Gagnée" were not read.
func TestStageLabelsReadBack(t *testing.T) {
	for _, lang := range []string{"en", "fr", "sv"} {
		l := newLocale(lang, time.Time{})
		for _, kind := range []deal.Kind{deal.IPCoSell, deal.SolutionAssessment} {
			for _, row := range deal.Stages(kind) {
				label := l.Label("stage", row.Stage)
				for _, typed := range []string{label, label + " (" + l.Pct(row.Percent) + ")"} {
					if got, ok := vocab.Stages(kind).Lookup(typed); !ok || got.Slug != string(row.Stage) {
						t.Errorf("%s: %q read as %q (%v), want %s", lang, typed, got.Slug, ok, row.Stage)
					}
				}
			}
		}
	}
}
