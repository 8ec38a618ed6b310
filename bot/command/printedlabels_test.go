package command_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// TestLabelsTheFAQPrintsAreCommands: stages and help types copied from the
// FAQ's French and Swedish answers, or from Partner Center as the seeds
// show it, are taken by the commands (a tester's deal stage 9 "Säkra
// kundens engagemangsbrev (LOE) 20 %" and help="Ingen hjälp krävs just
// nu" were refused as unknown). bot/vocab's tests read every such label
// back; this one runs them through the grammar, quotes and all.
func TestLabelsTheFAQPrintsAreCommands(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	sa := `deal new kind=sa name="Readiness" customer=Northwind customer_location=US location=1234567 value=15000 close=2027-01-31 notes=n assessment="Readiness Assessment" assessment_location=US contact="Eva Kund <eva@kund.example> +46 70 111 22 33" consent=yes ` + team
	e.run(sa) // 1: Swedish stages
	e.run(sa) // 2: French stages
	ip := `deal new kind=ip name="Insight" customer="Contoso SA" customer_location=FR account=managed location=1234567 value=48000 close=2027-03-31 notes=n solution="Contoso Insight" ` + team
	for _, tc := range []struct{ line, want string }{
		{`deal stage 1 "Säkra kundens engagemangsbrev (LOE) 20 %"`, "Securing the customer's letter of engagement (LOE)"},
		{`deal stage 1 "Samla in data 40 %"`, "Collecting data"},
		{`deal stage 1 Förbereda utvärderingsrapporten 60 %`, "Preparing the assessment report"},
		{`deal stage 1 "Presentera för kunden"`, "Presenting to the customer"},
		{`deal stage 2 "Obtention de la lettre d'engagement (LOE) du client 20 %"`, "Securing the customer's letter of engagement (LOE)"},
		{`deal stage 2 "collecte des donnees"`, "Collecting data"},
		{`deal stage 2 "Préparation du rapport d'évaluation 60 %"`, "Preparing the assessment report"},
		{`deal stage 2 "PRESENTATION AU CLIENT 80 %"`, "Presenting to the customer"},
		{ip + ` help="Ingen hjälp krävs just nu" share=yes`, "partner-led"},
		{ip + ` help="Aucune aide requise pour l'instant" share=yes`, "partner-led"},
		{ip + ` help="No help needed right now" share=no`, "private"},
	} {
		if r := e.svc.Run(context.Background(), access.LocalAdmin, here, tc.line); !r.OK() || !strings.Contains(r.Text, tc.want) {
			t.Errorf("%s\n→ %s\nwant %q", tc.line, r.Text, tc.want)
		}
	}
}
