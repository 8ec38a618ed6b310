package vocab

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/transform"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/faq"
)

// spellings are the ways a label gets typed back: as printed, without its
// percentage, in lower case, without accents.
func spellings(label string) []string {
	bare := label
	if b, ok := withoutPercent(label); ok {
		bare = b
	}
	plain, _, _ := transform.String(accents(), strings.ToLower(bare))
	return []string{label, bare, strings.ToLower(label), strings.ToUpper(bare), plain}
}

// stageItem is one "Label 20 %" of a stage table in an FAQ answer; the
// last is joined by "and", "et" or "och".
var stageItem = regexp.MustCompile(`(\p{L}[^,:;%.]*?)[\s\x{a0}]*(\d{1,3})[\s\x{a0}]?%`)

// stageTables are the FAQ entries whose answers print a stage table, with
// the kind of deal whose table it is.
var stageTables = map[string]deal.Kind{"sa-stages": deal.SolutionAssessment, "sales-stages": deal.IPCoSell}

// TestStageLabelsCosellbotPrints reads back, as the stage at its row, every
// stage label the FAQ prints in its stage tables, in the three languages
// (a tester's "Säkra kundens engagemangsbrev (LOE) 20 %", copied from the
// Swedish answer, was an unknown stage), and the labels of Partner
// Center's own tables in the seeds. The FAQ's answers are scanned, so a
// new wording there that the stage reader does not take fails here.
func TestStageLabelsCosellbotPrints(t *testing.T) {
	entries, err := faq.Load()
	if err != nil {
		t.Fatal(err)
	}
	tables := 0
	for _, e := range entries {
		for lang, text := range e.Text {
			items := stageItem.FindAllStringSubmatch(text.Answer, -1)
			if len(items) < 5 {
				continue // a percentage or two in a sentence, no table
			}
			kind, ok := stageTables[e.ID]
			if !ok {
				t.Errorf("FAQ entry %s (%s) prints a stage table: add it to stageTables with its deal kind", e.ID, lang)
				continue
			}
			tables++
			rows := deal.Stages(kind)
			if len(items) != len(rows) {
				t.Errorf("%s (%s): %d stages printed, the table has %d", e.ID, lang, len(items), len(rows))
				continue
			}
			for i, it := range items {
				label := it[0]
				for _, and := range []string{"and ", "et ", "och "} {
					label = strings.TrimPrefix(label, and)
				}
				for _, typed := range spellings(label) {
					if got, ok := Stages(kind).Lookup(typed); !ok || got.Slug != string(rows[i].Stage) {
						t.Errorf("%s (%s): %q read as %q (%v), want %s", e.ID, lang, typed, got.Slug, ok, rows[i].Stage)
					}
				}
			}
		}
	}
	if tables != 2*len(faq.Langs) {
		t.Errorf("found %d stage tables in the FAQ, want %d (both tables in every language)", tables, 2*len(faq.Langs))
	}

	// Partner Center's tables as the seeds print them: 002 (French,
	// solution assessments, "40 %%" as it is there) and 004 (Swedish).
	for _, tc := range []struct {
		kind  deal.Kind
		label string
		want  deal.Stage
	}{
		{deal.SolutionAssessment, "Créé 10 %", deal.StageCreated},
		{deal.SolutionAssessment, "Acceptée 10 %", deal.StageAccepted},
		{deal.SolutionAssessment, "Sécurisation de la lettre d’engagement (LOE) du client 20 %", deal.StageLOE},
		{deal.SolutionAssessment, "Collecter les données 40 %%", deal.StageCollectData},
		{deal.SolutionAssessment, "Préparation du rapport d’évaluation 60 %", deal.StageReport},
		{deal.SolutionAssessment, "Présentation au client 80 %", deal.StagePresent},
		{deal.SolutionAssessment, "Conclue 100 %", deal.StageWon},
		{deal.IPCoSell, "Skapad 10 %", deal.StageCreated},
		{deal.IPCoSell, "Har godkänts 10 %", deal.StageAccepted},
		{deal.IPCoSell, "Kvalificerad 20 %", deal.StageQualified},
		{deal.IPCoSell, "Utvecklat 40 %", deal.StageDeveloped},
		{deal.IPCoSell, "Föreslagen 60%", deal.StageProposed},
		{deal.IPCoSell, "Förhandlat 80 %", deal.StageNegotiated},
		{deal.IPCoSell, "Vunnet 100 %", deal.StageWon},
	} {
		for _, typed := range spellings(tc.label) {
			if got, ok := Stages(tc.kind).Lookup(typed); !ok || got.Slug != string(tc.want) {
				t.Errorf("seed label %q read as %q (%v), want %s", typed, got.Slug, ok, tc.want)
			}
		}
	}
}

// helpLabel is a quoted answer in an FAQ answer: "…" or « … ».
var helpLabel = regexp.MustCompile(`"([^"]{3,80})"|« ([^»]{3,80}) »`)

// helpWord marks a quoted answer as a help type.
var helpWord = regexp.MustCompile(`(?i)\b(help|aide|hjälp)\b`)

// TestHelpLabelsCosellbotPrints reads back every help type the FAQ tells
// people to pick, quoted in its answers in any language, and the words of
// Partner Center's own Swedish (seed 004): help="Ingen hjälp krävs just
// nu" and the French answer's « Aucune aide requise pour l'instant » were
// unknown help types.
func TestHelpLabelsCosellbotPrints(t *testing.T) {
	entries, err := faq.Load()
	if err != nil {
		t.Fatal(err)
	}
	quoted := 0
	for _, e := range entries {
		for lang, text := range e.Text {
			for _, m := range helpLabel.FindAllStringSubmatch(text.Answer, -1) {
				label := m[1] + m[2]
				if strings.HasSuffix(label, "?") || !helpWord.MatchString(label) {
					continue // a question Partner Center asks, or no help type
				}
				quoted++
				for _, typed := range spellings(label) {
					if _, ok := Helps.Lookup(typed); !ok {
						t.Errorf("%s (%s): help type %q is not read", e.ID, lang, typed)
					}
				}
			}
		}
	}
	if quoted < len(faq.Langs) {
		t.Errorf("found %d quoted help types in the FAQ, want one in each language at least", quoted)
	}
	for _, tc := range []struct{ label, want string }{
		{"Ingen hjälp krävs just nu", "none"},          // seed 004, Partner Center's Swedish
		{"Aucune aide requise pour l'instant", "none"}, // the French FAQ (sale types)
		{"No help needed right now", "none"},           // the English FAQ
		{"aucune aide requise", "none"},                // the French FAQ's sale type options
		{"ingen hjälp krävs", "none"},                  // the Swedish one's
		{"Ingen hjälp", "none"},                        // and shorter
		{"aucune aide", "none"},                        // as before
		// The labels cosellbot prints.
		{"Technical help", string(deal.HelpTechnical)},
		{"Architecture review", string(deal.HelpArchitecture)},
		{"Pricing and licensing", string(deal.HelpPricing)},
		{"Funding and investments", string(deal.HelpFunding)},
		{"Executive sponsorship", string(deal.HelpExecutive)},
		{"Customer engagement", string(deal.HelpCustomer)},
	} {
		for _, typed := range spellings(tc.label) {
			if got, ok := Helps.Lookup(typed); !ok || got.Slug != tc.want {
				t.Errorf("help %q read as %q (%v), want %s", typed, got.Slug, ok, tc.want)
			}
		}
	}
}
