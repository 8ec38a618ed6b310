package vocab

import (
	"slices"

	"github.com/cosellbot/cosellbot/bot/deal"
)

// The vocabularies of deals. Slugs are the values the record and JSON keep
// (DESIGN.md); labels are Partner Center's; Also holds the chat grammar's
// short forms and what people type in French and Swedish or copy from a CRM.
var (
	// Kinds of co-sell opportunity.
	Kinds = New("kind", "deal kind",
		Term{string(deal.IPCoSell), "IP co-sell", []string{"ip", "ip cosell", "co-vente IP", "co-vente de solution IP", "IP-samförsäljning", "samförsäljning IP", "IP-säljsamarbete", "säljsamarbete IP"}},
		Term{string(deal.ServicesCoSell), "Services co-sell", []string{"services", "service", "co-vente de services", "co-vente services", "tjänstesamförsäljning", "samförsäljning tjänster", "Services-säljsamarbete", "tjänstesäljsamarbete", "säljsamarbete tjänster"}},
		Term{string(deal.P2P), "Partner-to-partner (P2P)", []string{"p2p", "partner to partner", "partenaire à partenaire", "partner till partner"}},
		Term{string(deal.SolutionAssessment), "Solution assessment", []string{"sa", "assessment", "évaluation de solution", "évaluation de solutions", "lösningsutvärdering", "lösningsbedömning"}},
	)

	// SaleTypes say how much Microsoft sees of a deal.
	SaleTypes = New("sale_type", "sale type",
		Term{string(deal.Private), "Private", []string{"privé", "privée", "privat"}},
		Term{string(deal.PartnerLed), "Partner-led", []string{"partner led", "partnerled", "mené par le partenaire", "partnerledd", "partnerlett"}},
		// Partner Center's Swedish says "säljsamarbete" (seed 004), and so
		// does the FAQ's Swedish answer on sale types.
		Term{string(deal.CoSell), "Co-sell", []string{"co-vente", "covente", "samförsäljning", "säljsamarbete", "aktivt säljsamarbete"}},
	)

	// Statuses of the lifecycle.
	Statuses = New("status", "status",
		Term{string(deal.Received), "Received", []string{"new", "reçu", "mottagen"}},
		Term{string(deal.Created), "Created", []string{"créé", "skapad"}},
		Term{string(deal.Accepted), "Accepted", []string{"active", "accepté", "accepterad"}},
		Term{string(deal.Won), "Won", []string{"gagné", "vunnen", "vunnet", "closed won"}},
		Term{string(deal.Lost), "Lost", []string{"perdu", "förlorad", "förlorat", "closed lost"}},
		Term{string(deal.Declined), "Declined", []string{"refusé", "décliné", "avböjd"}},
		Term{string(deal.Expired), "Expired", []string{"expiré", "utgången"}},
		Term{string(deal.Error), "Closed as error", []string{"error", "erreur", "fel"}},
	)

	// PartnerRoles of a services co-sell deal.
	PartnerRoles = New("role", "partner role",
		Term{"pre-sales-vision", "Pre-sales / Vision", []string{"presales", "pre-sales", "vision", "avant-vente", "avant-vente / vision", "förförsäljning", "förförsäljning / vision"}},
		Term{"solution-design", "Solution design", []string{"design", "conception de solution", "conception de la solution", "lösningsdesign"}},
		Term{"proof-of-concept", "Proof of concept", []string{"poc", "preuve de concept", "validation de concept", "konceptbevis", "konceptvalidering"}},
		Term{"business-strategy", "Business strategy", []string{"stratégie commerciale", "stratégie d'entreprise", "affärsstrategi"}},
		Term{"deployment-services", "Deployment services", []string{"deployment", "services de déploiement", "déploiement", "driftsättningstjänster", "driftsättning"}},
		Term{"implementation-change-management", "Implementation & change management", []string{"implementation", "change management", "implementation/change management", "mise en œuvre et conduite du changement", "mise en œuvre et gestion du changement", "implémentation et gestion du changement", "implementering och förändringsledning"}},
		Term{"transaction", "Transaction", []string{"transaktion"}},
		Term{"managed-services", "Managed services", []string{"managed", "services managés", "services gérés", "förvaltade tjänster", "hanterade tjänster"}},
	)

	// Helps are the answers to Partner Center's "what help do you need from Microsoft".
	Helps = New("help", "help type",
		// Partner Center's default answer as its Swedish shows it (seed 004)
		// and as the FAQ's answers word it in each language.
		Term{string(deal.HelpNone), deal.HelpNone.Label(), []string{"no", "no help", "no help needed right now", "aucune", "aucune aide", "aucune aide requise", "aucune aide requise pour l'instant", "pas besoin d'aide",
			"ingen", "ingen hjälp", "ingen hjälp krävs", "ingen hjälp krävs just nu"}},
		Term{string(deal.HelpTechnical), deal.HelpTechnical.Label(), []string{"tech", "aide technique", "technique", "teknisk", "teknisk hjälp"}},
		Term{string(deal.HelpArchitecture), deal.HelpArchitecture.Label(), []string{"architecture", "revue d'architecture", "arkitektur", "arkitekturgranskning"}},
		Term{string(deal.HelpPricing), deal.HelpPricing.Label(), []string{"pricing", "licensing", "tarification", "prix", "licences", "prissättning", "licensiering"}},
		Term{string(deal.HelpFunding), deal.HelpFunding.Label(), []string{"funding", "investments", "financement", "investissements", "finansiering", "investeringar"}},
		Term{string(deal.HelpExecutive), deal.HelpExecutive.Label(), []string{"executive", "sponsor", "parrainage de la direction", "sponsor exécutif", "ledningssponsring"}},
		Term{string(deal.HelpCustomer), deal.HelpCustomer.Label(), []string{"customer", "engagement client", "relation client", "kundengagemang", "kundkontakt"}},
		Term{string(deal.HelpOther), deal.HelpOther.Label(), []string{"autre", "annan", "övrigt"}},
	)

	// Accounts are the classes of the customer picker.
	Accounts = New("account", "account class",
		Term{string(deal.Managed), "Microsoft managed", []string{"managed", "géré", "géré par Microsoft", "hanterad", "hanterad av Microsoft", "Microsoft-hanterad"}},
		Term{string(deal.Unmanaged), "Microsoft unmanaged", []string{"unmanaged", "non géré", "non géré par Microsoft", "ohanterad", "ej hanterad", "Microsoft-ohanterad", "inte hanterad av Microsoft"}},
		Term{string(deal.Other), "Other (DUNS)", []string{"duns", "d&b", "dun & bradstreet", "autre", "annan"}},
	)

	// Intents are the marketplace intents of an IP co-sell deal.
	Intents = New("intent", "marketplace intent",
		Term{string(deal.IntentYes), deal.IntentYes.Label(), []string{"y", "true", "oui", "ja"}},
		Term{string(deal.IntentNo), deal.IntentNo.Label(), []string{"n", "false", "non", "nej"}},
		Term{string(deal.IntentUndecided), deal.IntentUndecided.Label(), []string{"unsure", "maybe", "not sure", "indécis", "ne sait pas", "vet inte", "osäker", "obestämd"}},
	)

	// SolutionSources say whose solution a catalog entry is.
	SolutionSources = New("source", "solution source",
		Term{string(deal.Mine), "My company's solutions", []string{"mine", "my solution", "own", "nos solutions", "mes solutions", "våra lösningar", "egen"}},
		Term{string(deal.Microsoft), "Microsoft solutions", []string{"microsoft", "ms", "solutions Microsoft", "Microsofts lösningar"}},
		Term{string(deal.ThirdParty), "Other third-party co-sell solutions", []string{"third party", "third-party", "3rd party", "tiers", "solutions tierces", "tredje part"}},
		Term{string(deal.Assessment), "Solution assessments", []string{"assessment", "évaluation de solution", "lösningsutvärdering"}},
	)

	// IPKinds are the co-sell eligibilities of a partner's own IP solution.
	IPKinds = New("ip", "IP co-sell eligibility",
		Term{string(deal.IPAzure), deal.IPAzure.Label(), []string{"azure", "azure ip", "azure ip co-sell"}},
		Term{string(deal.IPBizAppsPremium), deal.IPBizAppsPremium.Label(), []string{"bizapps premium", "biz apps premium", "premium"}},
		Term{string(deal.IPBizAppsStd), deal.IPBizAppsStd.Label(), []string{"bizapps standard", "biz apps standard", "standard"}},
	)
)

// stageAlso are other names of the sales stages: French, Swedish (Partner
// Center's own labels in those languages among them, as its stage tables
// print them: "Utvecklat", "Collecter les données"; and every label
// cosellbot prints itself, in the FAQ's stage tables and on the pipeline
// page, whose tests read them all back), and the stage names of Dynamics
// 365 and Salesforce's default sales processes.
var stageAlso = map[deal.Stage][]string{
	deal.StageCreated:   {"créé", "créée", "skapad", "prospecting"},
	deal.StageAccepted:  {"accepté", "acceptée", "accepterad", "har godkänts", "godkänd"},
	deal.StageQualified: {"qualify", "qualification", "qualifié", "qualifiée", "kvalificerad", "kvalificering"},
	deal.StageDeveloped: {"develop", "needs analysis", "value proposition", "développé", "développée", "développement", "utvecklad", "utvecklat", "utveckling"},
	deal.StageProposed:  {"propose", "proposal", "proposal/price quote", "proposé", "proposée", "proposition", "föreslagen", "föreslaget", "offert"},
	// Not "close", Dynamics 365's fourth stage: typed in chat it reads as
	// closing the deal (won, lost, as error), which deal stage refuses with
	// those verbs; the Dynamics mapping reads its salesstage 3 itself.
	deal.StageNegotiated:  {"negotiate", "negotiation", "negotiation/review", "négocié", "négociée", "négociation", "förhandlad", "förhandlat", "förhandling"},
	deal.StageWon:         {"closed won", "gagné", "gagnée", "conclue", "conclu", "vunnen", "vunnet"},
	deal.StageLOE:         {"letter of engagement", "securing the letter of engagement", "lettre d'engagement", "obtention de la lettre d'engagement", "obtention de la lettre d'engagement (LOE)", "obtention de la lettre d'engagement (LOE) du client", "sécurisation de la lettre d'engagement", "sécurisation de la lettre d'engagement (LOE) du client", "uppdragsbrev", "engagemangsbrev", "säkra kundens engagemangsbrev", "säkra kundens engagemangsbrev (LOE)"},
	deal.StageCollectData: {"collect data", "data collection", "collecting", "collecte de données", "collecte des données", "collecter les données", "datainsamling", "samla in data"},
	deal.StageReport:      {"assessment report", "preparing the report", "rapport", "rapport d'évaluation", "préparation du rapport", "préparation du rapport d'évaluation", "utvärderingsrapport", "utvärderingsrapporten", "förbereda utvärderingsrapporten"},
	deal.StagePresent:     {"presentation", "presenting", "présentation", "présentation au client", "presentation för kunden", "presentera för kunden"},
}

var coSellStages, assessmentStages = stages(deal.IPCoSell, false), stages(deal.SolutionAssessment, false)

var coSellMarkable, assessmentMarkable = stages(deal.IPCoSell, true), stages(deal.SolutionAssessment, true)

// stages is the vocabulary of a kind's stage table, or of the stages a
// person marks (deal.Markable) only.
func stages(k deal.Kind, markable bool) *Vocabulary {
	var terms []Term
	for _, info := range deal.Stages(k) {
		if markable && !slices.Contains(deal.Markable(k), info.Stage) {
			continue
		}
		terms = append(terms, Term{string(info.Stage), info.Label, stageAlso[info.Stage]})
	}
	what := "sales stage"
	if k == deal.SolutionAssessment {
		what = "solution assessment stage"
	}
	return New("stage", what, terms...)
}

// Stages is the stage vocabulary of a deal kind: solution assessments have
// their own table.
func Stages(k deal.Kind) *Vocabulary {
	if k == deal.SolutionAssessment {
		return assessmentStages
	}
	return coSellStages
}

// MarkableStages is the vocabulary of what deal stage takes for a deal
// kind: the stages between created or accepted and won, which a refusal
// lists (created and accepted are where a deal starts, won has its verb).
func MarkableStages(k deal.Kind) *Vocabulary {
	if k == deal.SolutionAssessment {
		return assessmentMarkable
	}
	return coSellMarkable
}

// AnyStage matches a stage of either table, for filters that span kinds.
func AnyStage(s string) (deal.Stage, bool) {
	if t, ok := coSellStages.Lookup(s); ok {
		return deal.Stage(t.Slug), true
	}
	if t, ok := assessmentStages.Lookup(s); ok {
		return deal.Stage(t.Slug), true
	}
	return "", false
}

// StageLabel is the label of a deal's stage in its kind's table; with no
// kind, in whichever table has it (a list filtered by stage alone).
func StageLabel(k deal.Kind, s deal.Stage) string {
	if k == "" {
		if l := assessmentStages.Label(string(s)); l != string(s) {
			return l
		}
	}
	return Stages(k).Label(string(s))
}
