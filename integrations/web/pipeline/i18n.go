package pipeline

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/cosellbot/cosellbot/bot/cpor"
	"github.com/cosellbot/cosellbot/bot/deal"
)

// The page speaks English, French and Swedish: the language a person chose
// on the page (?lang=, kept in a cookie), else the best match of their
// browser's Accept-Language, else English.

var (
	langTags    = []language.Tag{language.English, language.French, language.Swedish}
	langMatcher = language.NewMatcher(langTags)
)

// langCookie keeps the language a person chose.
const langCookie = "cosellbot_lang"

// pickLang chooses the language of a request: en, fr or sv.
func pickLang(r *http.Request) string {
	if v := r.URL.Query().Get("lang"); known(v) {
		return v
	}
	if c, err := r.Cookie(langCookie); err == nil && known(c.Value) {
		return c.Value
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return "en"
	}
	_, i, _ := langMatcher.Match(tags...)
	return []string{"en", "fr", "sv"}[i]
}

func known(l string) bool { return l == "en" || l == "fr" || l == "sv" }

// locale formats words, numbers and times for one request.
type locale struct {
	Lang string
	now  time.Time
	p    *message.Printer
	msgs map[string]string
}

// locales are built once: a Printer is safe for concurrent reads.
var locales = map[string]*message.Printer{
	"en": message.NewPrinter(language.English),
	"fr": message.NewPrinter(language.French),
	"sv": message.NewPrinter(language.Swedish),
}

func newLocale(lang string, now time.Time) *locale {
	return &locale{Lang: lang, now: now, p: locales[lang], msgs: messages[lang]}
}

// T is the text of key in the locale's language (English when missing).
func (l *locale) T(key string) string {
	if s, ok := l.msgs[key]; ok {
		return s
	}
	if s, ok := messages["en"][key]; ok {
		return s
	}
	return key
}

// F is T with fmt verbs filled in.
func (l *locale) F(key string, args ...any) string { return l.p.Sprintf(l.T(key), args...) }

// Num is a whole number with the locale's grouping: 1,234 (en), 1 234
// (fr, sv, with a no-break space). Written by hand: the board prints
// thousands of them and message.Printer is slow at it.
func (l *locale) Num(n any) string {
	var v int64
	switch x := n.(type) {
	case float64:
		v = int64(math.Round(x))
	case int:
		v = int64(x)
	case int64:
		v = x
	default:
		return l.p.Sprint(n)
	}
	sep := "\u00a0"
	if l.Lang == "en" {
		sep = ","
	}
	return group(v, sep)
}

func group(v int64, sep string) string {
	neg := v < 0
	if neg {
		v = -v
	}
	digits := strconv.FormatInt(v, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Money is an amount in its currency, to the unit.
func (l *locale) Money(m interface{ Float() float64 }, currency string) string {
	return l.Num(m.Float()) + " " + currency
}

// USD is a converted total.
func (l *locale) USD(v float64) string { return l.Num(v) + " USD" }

// Date is a day, ISO 8601 in every language: unambiguous across the three.
func (l *locale) Date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(time.DateOnly)
}

// CustomerDay is the day t falls on in a claim's customer country, as
// chat says a claim's dates: the notification day, and the last day the
// customer may decline (the window is counted in their time zone). In UTC
// the page said a day later than chat east of UTC and earlier west of it.
func (l *locale) CustomerDay(t time.Time, country string) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(cpor.Zone(country)).Format(time.DateOnly)
}

// Zone names a claim's customer time zone, as chat does.
func (l *locale) Zone(country string) string { return cpor.Zone(country).String() }

// Time is a moment to the minute, in UTC.
func (l *locale) Time(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04") + " UTC"
}

// Countdown says how long until t: "3 d 4 h left", or that it passed.
func (l *locale) Countdown(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := t.Sub(l.now)
	if d <= 0 {
		return l.T("countdown.passed")
	}
	days, hours := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	if days == 0 {
		return l.F("countdown.hours", hours, int(d%time.Hour/time.Minute))
	}
	return l.F("countdown.days", days, hours)
}

// Deals is a count of deals in words: 1 deal, 2 deals.
func (l *locale) Deals(n int) string {
	if n == 1 {
		return l.T("deals.one")
	}
	return l.F("deals.other", n)
}

// Pct is a percentage as the language writes it: 80% in English, 80 %
// (a no-break space) in French and Swedish, as chat writes the same stage
// in English.
func (l *locale) Pct(n int) string {
	if l.Lang == "en" {
		return fmt.Sprintf("%d%%", n)
	}
	return fmt.Sprintf("%d\u00a0%%", n)
}

// Urgent reports whether t is less than three days away (or passed).
func (l *locale) Urgent(t time.Time) bool { return !t.IsZero() && t.Sub(l.now) < 3*24*time.Hour }

// Label translates a value of a closed set: kind.ip_cosell, status.won…
func (l *locale) Label(prefix string, v any) string {
	s := fmt.Sprint(v)
	if s == "" {
		return "—"
	}
	if t, ok := l.msgs[prefix+"."+s]; ok {
		return t
	}
	if t, ok := messages["en"][prefix+"."+s]; ok {
		return t
	}
	return strings.ReplaceAll(s, "_", " ")
}

// messages holds every text of the page by language.
var messages = map[string]map[string]string{
	"en": {
		"acct.managed": "Microsoft managed", "acct.unmanaged": "Microsoft unmanaged", "acct.other": "Other (DUNS)",
		"intent.yes": "Yes", "intent.no": "No", "intent.undecided": "Undecided", "from.microsoft": "Microsoft",
		"src.mine": "My company's solutions", "src.microsoft": "Microsoft solutions", "src.third_party": "Other third-party co-sell solutions", "src.assessment": "Solution assessments",
		"ip.azure": "Azure IP co-sell eligible", "ip.bizapps_premium": "Business Applications IP co-sell premium", "ip.bizapps_standard": "Business Applications IP co-sell standard",
		"title": "Co-sell pipeline", "skip": "Skip to the content", "nav": "Sections",
		"nav.board": "Board", "nav.expiring": "Expiring soon", "nav.charts": "Charts", "nav.claims": "CPOR claims",
		"signout": "Sign out", "signed_in_as": "Signed in as %s", "language": "Language",
		"filters": "Filters", "f.location": "Location", "f.kind": "Kind", "f.sale": "Sale type", "f.member": "Team member",
		"f.status": "Deals", "f.q": "Search", "f.q.hint": "name, customer, ID, CRM ID", "f.sort": "Sort by",
		"f.any": "any", "f.apply": "Apply", "f.reset": "Reset",
		"status.open": "open", "status.closed": "closed", "status.all": "all",
		"sort.close": "close date", "sort.value": "value (largest first)", "sort.expiry": "expiry", "sort.updated": "last change", "sort.name": "name",
		"lane.cosell": "Co-sell deals (IP, services, partner-to-partner)", "lane.sa": "Solution assessments",
		"col.received": "Received", "col.closed": "Closed (lost, declined, expired, error)",
		"col.summary": "%s · %s", "deals.one": "1 deal", "deals.other": "%d deals", "col.more": "%d more not shown: narrow the filters",
		"col.empty": "No deals", "col.won_hint": "Won deals show with Deals: closed or all.",
		"card.close": "Close", "card.expires": "Answer within", "card.value": "Value",
		"converted": "totals converted to USD at the %s rates", "unconverted": "%d deals in currencies the rates table lacks are left out of the totals",
		"board.count": "%s you can see", "board.none": "No deal you can see matches these filters.",
		"countdown.days": "%d d %d h left", "countdown.hours": "%d h %d min left", "countdown.passed": "time is up",
		"expiring.title": "Referrals expiring within 7 days", "expiring.none": "No referral you can see expires within 7 days.",
		"th.deal": "Deal", "th.customer": "Customer", "th.kind": "Kind", "th.location": "Location", "th.value": "Value", "th.close": "Close date",
		"th.expires": "Expires", "th.left": "Time left", "th.from": "From",
		"deal.title": "Deal #%d", "deal.unnamed": "(unnamed)", "deal.fields": "Details", "deal.team": "Team", "deal.solutions": "Solutions",
		"deal.partners": "Invited partners", "deal.links": "Partner Center and CRM records", "deal.history": "History",
		"deal.nolinks": "Not linked to Partner Center or a CRM.", "deal.noteam": "No team members.", "deal.nosolutions": "No solutions.",
		"deal.back": "Back to the board",
		"field.id":  "ID", "field.name": "Name", "field.direction": "Direction", "field.kind": "Kind", "field.sale_type": "Sale type",
		"field.status": "Status", "field.stage": "Stage", "field.value": "Value", "field.value_usd": "Value in USD (converted)",
		"field.close": "Expected close", "field.location": "Location", "field.customer": "Customer", "field.customer_location": "Customer country",
		"field.account": "Account", "field.macc": "MACC eligible", "field.contact": "Customer contact", "field.consent": "Consent to share contact",
		"field.crm_id": "CRM ID", "field.campaign_id": "Campaign ID", "field.notes": "Notes", "field.role": "Partner role",
		"field.program": "Partner program", "field.area": "Solution area", "field.play": "Solution play", "field.intent": "Marketplace intent",
		"field.assessment_location": "Assessment location", "field.help": "Help asked of Microsoft", "field.microsoft": "Microsoft",
		"field.invited_at": "Microsoft invited", "field.decision_due": "Microsoft decides by", "field.favorite": "Favorite",
		"field.from": "From", "field.external_id": "External ID", "field.received": "Received", "field.expires": "Expires",
		"field.reason": "Reason", "field.created": "Created", "field.updated": "Updated", "field.won": "Won", "field.marked": "Stages marked",
		"th.at": "When", "th.actor": "Who", "th.action": "What", "th.detail": "Detail", "th.source": "System", "th.record": "Record",
		"th.email": "E-mail", "th.phone": "Phone", "th.source_sol": "Source", "th.ip": "IP kind",
		"yes": "yes", "no": "no",
		"claims.title": "CPOR claims", "claims.none": "No CPOR claims yet.", "claims.denied": "CPOR claims need the incentives-admin or incentives-user role, as in chat.",
		"th.claim": "Claim", "th.tenant": "Customer tenant", "th.country": "Country", "th.engagement": "Engagement", "th.target": "Workload or subscription",
		"th.status": "Status", "th.notified": "Customer notified", "th.window": "Last day to decline (customer's time)",
		"charts.title": "Charts", "chart.funnel": "Funnel: deals and value per stage", "chart.funnel.note": "Open and won deals by current stage; lost, declined, expired and error deals are left out.",
		"chart.count": "Deals", "chart.value": "Value (USD, converted)", "chart.months": "Value of open deals by expected close month",
		"chart.months.note": "Open deals (received, created, accepted) by the month of their expected close date.",
		"chart.earlier":     "earlier", "chart.later": "later", "chart.referrals": "Referrals answered in time vs expired, last 90 days",
		"chart.referrals.note": "Inbound referrals by the week they were accepted or declined (answered in time) or expired unanswered.",
		"chart.answered":       "answered in time", "chart.expired": "expired", "chart.week": "Week of", "chart.month": "Month", "chart.stage": "Stage",
		"chart.numbers": "The numbers", "chart.total": "Total",
		"noreferrals":  "You have no referrals role: deals need referrals-admin or referrals-user, as in chat.",
		"signin.title": "Sign in", "signin.how": "Type /cosell web in Slack or Discord (or run cosellbot web-link --user EMAIL) for a private sign-in link. It works once, within 10 minutes.",
		"signin.confirm": "Sign in as %s", "signin.button": "Sign in", "signin.bad": "This sign-in link is not valid: it is damaged or was not made by this cosellbot.",
		"signin.expired": "This sign-in link has expired: links work for 10 minutes.", "signin.used": "This sign-in link was already used: each link works once.",
		"signin.again": "Get a new one with /cosell web.", "signin.gone": "%s is no longer a cosellbot user, so this link signs no one in.",
		"signin.ask": "Ask an admin to add you again in chat (user add %s role=…), then get a new link with /cosell web.",
		"signedout":  "You are signed out.",
		"err.filter": "Check the filters", "err.notfound": "No deal #%s that you can see.",
		"dir.inbound": "inbound", "dir.outbound": "outbound",
	},
	"fr": {
		"acct.managed": "Géré par Microsoft", "acct.unmanaged": "Non géré par Microsoft", "acct.other": "Autre (DUNS)",
		"intent.yes": "Oui", "intent.no": "Non", "intent.undecided": "Indécis", "from.microsoft": "Microsoft",
		"src.mine": "Solutions de mon entreprise", "src.microsoft": "Solutions Microsoft", "src.third_party": "Autres solutions tierces en co-vente", "src.assessment": "Évaluations de solution",
		"ip.azure": "Éligible à la co-vente IP Azure", "ip.bizapps_premium": "Co-vente IP Business Applications premium", "ip.bizapps_standard": "Co-vente IP Business Applications standard",
		"title": "Pipeline de co-vente", "skip": "Aller au contenu", "nav": "Rubriques",
		"nav.board": "Tableau", "nav.expiring": "Expirent bientôt", "nav.charts": "Graphiques", "nav.claims": "Demandes CPOR",
		"signout": "Se déconnecter", "signed_in_as": "Connecté en tant que %s", "language": "Langue",
		"filters": "Filtres", "f.location": "Emplacement", "f.kind": "Type", "f.sale": "Type de vente", "f.member": "Membre de l’équipe",
		"f.status": "Affaires", "f.q": "Rechercher", "f.q.hint": "nom, client, ID, ID CRM", "f.sort": "Trier par",
		"f.any": "toutes", "f.apply": "Appliquer", "f.reset": "Réinitialiser",
		"status.open": "ouvertes", "status.closed": "clôturées", "status.all": "toutes",
		"sort.close": "date de clôture", "sort.value": "valeur (la plus haute d’abord)", "sort.expiry": "expiration", "sort.updated": "dernière modification", "sort.name": "nom",
		"lane.cosell": "Affaires de co-vente (IP, services, partenaire à partenaire)", "lane.sa": "Évaluations de solutions",
		"col.received": "Reçues", "col.closed": "Clôturées (perdues, refusées, expirées, erreur)",
		"col.summary": "%s · %s", "deals.one": "1 affaire", "deals.other": "%d affaires", "col.more": "%d de plus non affichées : affinez les filtres",
		"col.empty": "Aucune affaire", "col.won_hint": "Les affaires gagnées s’affichent avec Affaires : clôturées ou toutes.",
		"card.close": "Clôture", "card.expires": "Répondre sous", "card.value": "Valeur",
		"converted": "totaux convertis en USD aux taux de %s", "unconverted": "%d affaires dans des devises absentes de la table des taux sont exclues des totaux",
		"board.count": "%s visibles", "board.none": "Aucune affaire visible ne correspond à ces filtres.",
		"countdown.days": "encore %d j %d h", "countdown.hours": "encore %d h %d min", "countdown.passed": "délai écoulé",
		"expiring.title": "Recommandations qui expirent sous 7 jours", "expiring.none": "Aucune recommandation visible n’expire sous 7 jours.",
		"th.deal": "Affaire", "th.customer": "Client", "th.kind": "Type", "th.location": "Emplacement", "th.value": "Valeur", "th.close": "Date de clôture",
		"th.expires": "Expire", "th.left": "Temps restant", "th.from": "De",
		"deal.title": "Affaire n° %d", "deal.unnamed": "(sans nom)", "deal.fields": "Détails", "deal.team": "Équipe", "deal.solutions": "Solutions",
		"deal.partners": "Partenaires invités", "deal.links": "Enregistrements Partner Center et CRM", "deal.history": "Historique",
		"deal.nolinks": "Liée ni à Partner Center ni à un CRM.", "deal.noteam": "Aucun membre.", "deal.nosolutions": "Aucune solution.",
		"deal.back": "Retour au tableau",
		"field.id":  "ID", "field.name": "Nom", "field.direction": "Sens", "field.kind": "Type", "field.sale_type": "Type de vente",
		"field.status": "Statut", "field.stage": "Étape", "field.value": "Valeur", "field.value_usd": "Valeur en USD (convertie)",
		"field.close": "Clôture prévue", "field.location": "Emplacement", "field.customer": "Client", "field.customer_location": "Pays du client",
		"field.account": "Compte", "field.macc": "Éligible MACC", "field.contact": "Contact client", "field.consent": "Consentement au partage du contact",
		"field.crm_id": "ID CRM", "field.campaign_id": "ID de campagne", "field.notes": "Notes", "field.role": "Rôle du partenaire",
		"field.program": "Programme partenaire", "field.area": "Domaine de solution", "field.play": "Scénario de solution", "field.intent": "Intention Marketplace",
		"field.assessment_location": "Lieu de l’évaluation", "field.help": "Aide demandée à Microsoft", "field.microsoft": "Microsoft",
		"field.invited_at": "Microsoft invité le", "field.decision_due": "Microsoft décide d’ici", "field.favorite": "Favori",
		"field.from": "De", "field.external_id": "ID externe", "field.received": "Reçue", "field.expires": "Expire",
		"field.reason": "Motif", "field.created": "Créée", "field.updated": "Modifiée", "field.won": "Gagnée", "field.marked": "Étapes marquées",
		"th.at": "Quand", "th.actor": "Qui", "th.action": "Quoi", "th.detail": "Détail", "th.source": "Système", "th.record": "Enregistrement",
		"th.email": "E-mail", "th.phone": "Téléphone", "th.source_sol": "Source", "th.ip": "Type d’IP",
		"yes": "oui", "no": "non",
		"claims.title": "Demandes CPOR", "claims.none": "Aucune demande CPOR pour l’instant.", "claims.denied": "Les demandes CPOR demandent le rôle incentives-admin ou incentives-user, comme dans le chat.",
		"th.claim": "Demande", "th.tenant": "Locataire du client", "th.country": "Pays", "th.engagement": "Engagement", "th.target": "Charge de travail ou abonnement",
		"th.status": "Statut", "th.notified": "Client notifié", "th.window": "Dernier jour pour refuser (heure du client)",
		"charts.title": "Graphiques", "chart.funnel": "Entonnoir : affaires et valeur par étape", "chart.funnel.note": "Affaires ouvertes et gagnées par étape actuelle ; les affaires perdues, refusées, expirées et en erreur sont exclues.",
		"chart.count": "Affaires", "chart.value": "Valeur (USD, convertie)", "chart.months": "Valeur des affaires ouvertes par mois de clôture prévue",
		"chart.months.note": "Affaires ouvertes (reçues, créées, acceptées) par mois de leur date de clôture prévue.",
		"chart.earlier":     "avant", "chart.later": "après", "chart.referrals": "Recommandations traitées à temps ou expirées, 90 derniers jours",
		"chart.referrals.note": "Recommandations entrantes par semaine d’acceptation ou de refus (traitées à temps) ou d’expiration sans réponse.",
		"chart.answered":       "traitées à temps", "chart.expired": "expirées", "chart.week": "Semaine du", "chart.month": "Mois", "chart.stage": "Étape",
		"chart.numbers": "Les chiffres", "chart.total": "Total",
		"noreferrals":  "Vous n’avez pas de rôle de recommandations : les affaires demandent referrals-admin ou referrals-user, comme dans le chat.",
		"signin.title": "Connexion", "signin.how": "Tapez /cosell web dans Slack ou Discord (ou lancez cosellbot web-link --user EMAIL) pour recevoir un lien de connexion privé. Il sert une fois, dans les 10 minutes.",
		"signin.confirm": "Se connecter en tant que %s", "signin.button": "Se connecter", "signin.bad": "Ce lien de connexion n’est pas valide : il est abîmé ou n’a pas été créé par ce cosellbot.",
		"signin.expired": "Ce lien de connexion a expiré : les liens servent 10 minutes.", "signin.used": "Ce lien de connexion a déjà servi : chaque lien sert une fois.",
		"signin.again": "Demandez-en un nouveau avec /cosell web.", "signin.gone": "%s n’est plus un utilisateur de cosellbot : ce lien ne connecte personne.",
		"signin.ask": "Demandez à un administrateur de vous ajouter à nouveau dans le chat (user add %s role=…), puis un nouveau lien avec /cosell web.",
		"signedout":  "Vous êtes déconnecté.",
		"err.filter": "Vérifiez les filtres", "err.notfound": "Aucune affaire n° %s que vous puissiez voir.",
		"dir.inbound": "entrante", "dir.outbound": "sortante",
		"kind.ip_cosell": "co-vente IP", "kind.services_cosell": "co-vente de services", "kind.p2p": "partenaire à partenaire", "kind.solution_assessment": "évaluation de solution",
		"sale.private": "privée", "sale.partner_led": "menée par le partenaire", "sale.cosell": "co-vente",
		"st.received": "reçue", "st.created": "créée", "st.accepted": "acceptée", "st.won": "gagnée", "st.lost": "perdue", "st.declined": "refusée", "st.expired": "expirée", "st.error": "erreur",
		"stage.created": "Créée", "stage.accepted": "Acceptée", "stage.qualified": "Qualifiée", "stage.developed": "Développée", "stage.proposed": "Proposée", "stage.negotiated": "Négociée", "stage.won": "Gagnée",
		"stage.loe": "Obtention de la lettre d’engagement (LOE)", "stage.collect-data": "Collecte des données", "stage.report": "Préparation du rapport d’évaluation", "stage.present": "Présentation au client",
		"claim.submitted": "soumise", "claim.customer_notified": "client notifié", "claim.official": "officielle", "claim.declined": "refusée", "claim.info_requested": "informations demandées",
	},
	"sv": {
		"acct.managed": "Hanterad av Microsoft", "acct.unmanaged": "Ej hanterad av Microsoft", "acct.other": "Annan (DUNS)",
		"intent.yes": "Ja", "intent.no": "Nej", "intent.undecided": "Obestämd", "from.microsoft": "Microsoft",
		"src.mine": "Mitt företags lösningar", "src.microsoft": "Microsofts lösningar", "src.third_party": "Andra lösningar från tredje part", "src.assessment": "Lösningsutvärderingar",
		"ip.azure": "Berättigad till Azure IP-samförsäljning", "ip.bizapps_premium": "Business Applications IP-samförsäljning premium", "ip.bizapps_standard": "Business Applications IP-samförsäljning standard",
		"title": "Co-sell-pipeline", "skip": "Hoppa till innehållet", "nav": "Avsnitt",
		"nav.board": "Tavla", "nav.expiring": "Går snart ut", "nav.charts": "Diagram", "nav.claims": "CPOR-anspråk",
		"signout": "Logga ut", "signed_in_as": "Inloggad som %s", "language": "Språk",
		"filters": "Filter", "f.location": "Plats", "f.kind": "Typ", "f.sale": "Försäljningstyp", "f.member": "Teammedlem",
		"f.status": "Affärer", "f.q": "Sök", "f.q.hint": "namn, kund, ID, CRM-ID", "f.sort": "Sortera efter",
		"f.any": "alla", "f.apply": "Använd", "f.reset": "Återställ",
		"status.open": "öppna", "status.closed": "stängda", "status.all": "alla",
		"sort.close": "stängningsdatum", "sort.value": "värde (störst först)", "sort.expiry": "utgång", "sort.updated": "senaste ändring", "sort.name": "namn",
		"lane.cosell": "Co-sell-affärer (IP, tjänster, partner till partner)", "lane.sa": "Lösningsutvärderingar",
		"col.received": "Mottagna", "col.closed": "Stängda (förlorade, avböjda, utgångna, fel)",
		"col.summary": "%s · %s", "deals.one": "1 affär", "deals.other": "%d affärer", "col.more": "%d till visas inte: smalna av filtren",
		"col.empty": "Inga affärer", "col.won_hint": "Vunna affärer visas med Affärer: stängda eller alla.",
		"card.close": "Stängs", "card.expires": "Svara inom", "card.value": "Värde",
		"converted": "summor omräknade till USD med kurserna för %s", "unconverted": "%d affärer i valutor som kurstabellen saknar ingår inte i summorna",
		"board.count": "%s som du ser", "board.none": "Ingen affär som du ser matchar filtren.",
		"countdown.days": "%d d %d h kvar", "countdown.hours": "%d h %d min kvar", "countdown.passed": "tiden är ute",
		"expiring.title": "Hänvisningar som går ut inom 7 dagar", "expiring.none": "Ingen hänvisning som du ser går ut inom 7 dagar.",
		"th.deal": "Affär", "th.customer": "Kund", "th.kind": "Typ", "th.location": "Plats", "th.value": "Värde", "th.close": "Stängningsdatum",
		"th.expires": "Går ut", "th.left": "Tid kvar", "th.from": "Från",
		"deal.title": "Affär nr %d", "deal.unnamed": "(namnlös)", "deal.fields": "Uppgifter", "deal.team": "Team", "deal.solutions": "Lösningar",
		"deal.partners": "Inbjudna partner", "deal.links": "Poster i Partner Center och CRM", "deal.history": "Historik",
		"deal.nolinks": "Inte länkad till Partner Center eller något CRM.", "deal.noteam": "Inga teammedlemmar.", "deal.nosolutions": "Inga lösningar.",
		"deal.back": "Tillbaka till tavlan",
		"field.id":  "ID", "field.name": "Namn", "field.direction": "Riktning", "field.kind": "Typ", "field.sale_type": "Försäljningstyp",
		"field.status": "Status", "field.stage": "Steg", "field.value": "Värde", "field.value_usd": "Värde i USD (omräknat)",
		"field.close": "Förväntat avslut", "field.location": "Plats", "field.customer": "Kund", "field.customer_location": "Kundens land",
		"field.account": "Konto", "field.macc": "MACC-berättigad", "field.contact": "Kundkontakt", "field.consent": "Samtycke till att dela kontakten",
		"field.crm_id": "CRM-ID", "field.campaign_id": "Kampanj-ID", "field.notes": "Anteckningar", "field.role": "Partnerroll",
		"field.program": "Partnerprogram", "field.area": "Lösningsområde", "field.play": "Lösningsspel", "field.intent": "Marketplace-avsikt",
		"field.assessment_location": "Utvärderingsplats", "field.help": "Hjälp som begärts av Microsoft", "field.microsoft": "Microsoft",
		"field.invited_at": "Microsoft inbjudet", "field.decision_due": "Microsoft beslutar senast", "field.favorite": "Favorit",
		"field.from": "Från", "field.external_id": "Externt ID", "field.received": "Mottagen", "field.expires": "Går ut",
		"field.reason": "Orsak", "field.created": "Skapad", "field.updated": "Ändrad", "field.won": "Vunnen", "field.marked": "Markerade steg",
		"th.at": "När", "th.actor": "Vem", "th.action": "Vad", "th.detail": "Detalj", "th.source": "System", "th.record": "Post",
		"th.email": "E-post", "th.phone": "Telefon", "th.source_sol": "Källa", "th.ip": "IP-typ",
		"yes": "ja", "no": "nej",
		"claims.title": "CPOR-anspråk", "claims.none": "Inga CPOR-anspråk ännu.", "claims.denied": "CPOR-anspråk kräver rollen incentives-admin eller incentives-user, som i chatten.",
		"th.claim": "Anspråk", "th.tenant": "Kundens klient", "th.country": "Land", "th.engagement": "Engagemang", "th.target": "Arbetsbelastning eller prenumeration",
		"th.status": "Status", "th.notified": "Kunden meddelad", "th.window": "Sista dag att avböja (kundens tid)",
		"charts.title": "Diagram", "chart.funnel": "Tratt: affärer och värde per steg", "chart.funnel.note": "Öppna och vunna affärer efter nuvarande steg; förlorade, avböjda, utgångna och felaktiga affärer ingår inte.",
		"chart.count": "Affärer", "chart.value": "Värde (USD, omräknat)", "chart.months": "Värde av öppna affärer per förväntad avslutsmånad",
		"chart.months.note": "Öppna affärer (mottagna, skapade, accepterade) efter månaden för deras förväntade stängningsdatum.",
		"chart.earlier":     "tidigare", "chart.later": "senare", "chart.referrals": "Hänvisningar besvarade i tid mot utgångna, senaste 90 dagarna",
		"chart.referrals.note": "Inkommande hänvisningar per vecka då de accepterades eller avböjdes (besvarade i tid) eller gick ut obesvarade.",
		"chart.answered":       "besvarade i tid", "chart.expired": "utgångna", "chart.week": "Vecka från", "chart.month": "Månad", "chart.stage": "Steg",
		"chart.numbers": "Siffrorna", "chart.total": "Totalt",
		"noreferrals":  "Du har ingen hänvisningsroll: affärer kräver referrals-admin eller referrals-user, som i chatten.",
		"signin.title": "Logga in", "signin.how": "Skriv /cosell web i Slack eller Discord (eller kör cosellbot web-link --user EMAIL) för en privat inloggningslänk. Den fungerar en gång, inom 10 minuter.",
		"signin.confirm": "Logga in som %s", "signin.button": "Logga in", "signin.bad": "Inloggningslänken är ogiltig: den är skadad eller skapades inte av denna cosellbot.",
		"signin.expired": "Inloggningslänken har gått ut: länkar fungerar i 10 minuter.", "signin.used": "Inloggningslänken har redan använts: varje länk fungerar en gång.",
		"signin.again": "Be om en ny med /cosell web.", "signin.gone": "%s är inte längre en cosellbot-användare, så länken loggar inte in någon.",
		"signin.ask": "Be en administratör lägga till dig igen i chatten (user add %s role=…), och be sedan om en ny länk med /cosell web.",
		"signedout":  "Du är utloggad.",
		"err.filter": "Kontrollera filtren", "err.notfound": "Ingen affär nr %s som du kan se.",
		"dir.inbound": "inkommande", "dir.outbound": "utgående",
		"kind.ip_cosell": "IP co-sell", "kind.services_cosell": "tjänste-co-sell", "kind.p2p": "partner till partner", "kind.solution_assessment": "lösningsutvärdering",
		"sale.private": "privat", "sale.partner_led": "partnerledd", "sale.cosell": "co-sell",
		"st.received": "mottagen", "st.created": "skapad", "st.accepted": "accepterad", "st.won": "vunnen", "st.lost": "förlorad", "st.declined": "avböjd", "st.expired": "utgången", "st.error": "fel",
		"stage.created": "Skapad", "stage.accepted": "Accepterad", "stage.qualified": "Kvalificerad", "stage.developed": "Utvecklad", "stage.proposed": "Föreslagen", "stage.negotiated": "Förhandlad", "stage.won": "Vunnen",
		"stage.loe": "Säkra kundens engagemangsbrev (LOE)", "stage.collect-data": "Samla in data", "stage.report": "Förbereda utvärderingsrapporten", "stage.present": "Presentera för kunden",
		"claim.submitted": "inskickat", "claim.customer_notified": "kunden meddelad", "claim.official": "officiellt", "claim.declined": "avböjt", "claim.info_requested": "mer information begärd",
	},
}

func init() {
	en := messages["en"]
	for _, k := range []struct{ key, v string }{
		{"kind.ip_cosell", "IP co-sell"}, {"kind.services_cosell", "services co-sell"}, {"kind.p2p", "partner-to-partner"}, {"kind.solution_assessment", "solution assessment"},
		{"sale.private", "private"}, {"sale.partner_led", "partner-led"}, {"sale.cosell", "co-sell"},
		{"st.received", "received"}, {"st.created", "created"}, {"st.accepted", "accepted"}, {"st.won", "won"}, {"st.lost", "lost"}, {"st.declined", "declined"}, {"st.expired", "expired"}, {"st.error", "error"},
		{"claim.submitted", "submitted"}, {"claim.customer_notified", "customer notified"}, {"claim.official", "official"}, {"claim.declined", "declined"}, {"claim.info_requested", "more information requested"},
	} {
		en[k.key] = k.v
	}
	for _, k := range []deal.Kind{deal.IPCoSell, deal.SolutionAssessment} {
		for _, st := range deal.Stages(k) {
			en["stage."+string(st.Stage)] = st.Label
		}
	}
}
