package faq

import (
	"regexp"
	"slices"
	"strings"
)

// synonymGroups are words partners use interchangeably for the same thing.
// Partner Center itself says "referral", "deal" and "opportunity" for one
// object, and users ask "is it mandatory" about a field the knowledge base
// calls "required". Each query term is expanded to its group (at a lower
// boost), so the knowledge base need not repeat every variant in its
// alternates. Words are analysed like the text, so inflections come free.
// Keep groups to true synonyms in this domain: a loose group ("time",
// "days") would make unrelated entries look alike.
var synonymGroups = map[Lang][][]string{
	EN: {
		{"required", "mandatory", "compulsory", "obligatory"},
		{"amount", "value"},
		{"referral", "deal", "opportunity"},
		{"fee", "cost", "price"},
		{"customer", "client"},
		{"favorite", "favourite"},
		{"delete", "remove"},
		{"change", "edit", "modify", "update"},
		{"register", "registration", "registering", "registered"},
		{"won", "win", "winning"},
		{"decline", "reject", "refuse"},
		{"lead", "prospect"},
		{"hidden", "invisible", "private"},
		{"stage", "phase", "step"},
		{"eligible", "eligibility", "qualify", "qualifies"},
		{"create", "creation", "creating", "created"},
		{"commission", "fees"},
		{"click", "select", "press"},
		{"cosell", "cosells"},
		{"enroll", "enrol", "join", "signup", "sign"},
		{"greyed", "grayed", "disabled", "grey", "gray"},
		{"licence", "license"},
		{"minimum", "min", "least", "threshold", "lowest"},
		{"get", "obtain", "acquire"},
		// Everyday words for the documents' terms.
		{"company", "organization", "organisation", "business", "firm"},
		{"expire", "expired", "expires", "lapse", "lapsed"},
		{"email", "mail", "e-mail"},
		{"apply", "request"},
		{"accept", "approve"},
		{"seller", "salesperson", "rep"},
		{"member", "someone", "somebody", "colleague", "coworker"},
		{"find", "locate"},
		// Tried in faq9b and not kept: chat shorthand, "opp", "opps",
		// "oppty" with opportunity (French "opp", "oppo" too), "reg" with
		// registration, "prereq(s)" with prerequisite (French "prérequis").
		// Tuning ranked 1939 first against 1935, but the refit threshold
		// rose to 0.77: 1749 right against 1760, 226 of 231 refused against
		// 227; hold-out 992 against 993 (1020 ranked first against 1019);
		// fresh unchanged.
	},
	FR: {
		{"obligatoire", "requis", "exigé", "nécessaire"},
		{"montant", "valeur"},
		// Tried in session 14 and not kept: the loanword "referral(s)" in
		// this group and in Swedish's (French and Swedish chat says it;
		// the knowledge base's French never does). Tuning 2,665 right
		// against 2,676; hold-out 993 against 995 (Swedish 325 against
		// 327); fresh 169 against 170.
		{"référence", "transaction", "opportunité", "affaire", "deal"},
		{"coût", "prix", "cotisation", "tarif"},
		{"supprimer", "effacer"},
		{"modifier", "changer", "éditer"},
		{"enregistrer", "enregistrement"},
		{"conclue", "gagnée", "gagné", "conclu"},
		{"refuser", "rejeter", "décliner"},
		{"prospect", "lead", "leads", "piste", "pistes"},
		{"délai", "temps"},
		{"étape", "phase"},
		{"éligible", "éligibilité", "admissible"},
		{"créer", "création", "créée", "créé"},
		{"commission", "fees"},
		{"locataire", "tenant"},
		{"ouvrés", "ouvrables"},
		{"cliquer", "sélectionner"},
		{"évaluation", "assessment"},
		{"cosell", "covente"},
		{"minimum", "minimal", "minimale", "seuil"},
		{"grisé", "grisée", "désactivé", "désactivée"},
		{"inscrire", "inscription", "adhérer", "adhésion", "rejoindre"},
		{"entreprise", "société", "organisation", "boîte"},
		{"expirer", "expire", "expirée", "périmée", "périmé"},
		{"courriel", "email", "mail", "e-mail"},
		{"vendeur", "commercial"},
		{"trouver", "localiser"},
		{"réclamer", "toucher", "percevoir"},
	},
	SV: {
		{"obligatorisk", "obligatoriskt", "krävs", "nödvändig"},
		{"belopp", "värde", "summa"},
		{"hänvisning", "avtal", "affär", "affärsmöjlighet", "deal"},
		{"avgift", "kostnad", "pris"},
		{"radera", "ta bort"},
		{"ändra", "redigera", "uppdatera"},
		{"registrera", "registrering", "registreras"},
		{"vunnen", "vunnet", "vunna", "vinna", "vann"},
		{"avvisa", "neka", "avböja", "nekad"},
		{"lead", "leads", "prospekt"},
		{"tenant", "klientorganisation"},
		{"provision", "arvode"},
		{"klicka", "välja", "välj"},
		{"fas", "faser", "steg", "etapp"},
		{"skapa", "skapad", "skapat", "skapats", "skapades"},
		{"lösningsutvärdering", "lösningsutvärderingar", "lösningsbedömning", "assessment"},
		{"cosell", "säljsamarbete", "säljsamarbeten", "samförsäljning"},
		{"minsta", "minimum", "lägsta", "gräns"},
		{"få", "skaffa", "erhålla"},
		{"utgråad", "utgråat", "gråmarkerad", "grå", "avstängd"},
		// Everyday Swedish for the documents' terms.
		//
		// Tried in faq9b and not kept: "hjärta(t)" with "hjärtikon",
		// "frivillig" with "valfri", "utgått" with "utgången", French
		// "optionnel" with "facultatif" (and, in a first try, "kolla"
		// with "kontrollera", "knep" with "tips"). Tuning ranked 1943 first
		// against 1935, but the refit threshold rose to 0.78: 1741 right
		// against 1760, hold-out 991 against 993, fresh unchanged; the
		// tuning curve 8453 against 8459. The larger try: 1942 first,
		// threshold 0.79, hold-out 991.
		{"företag", "bolag", "organisation", "firma"},
		{"gratis", "kostnadsfri", "kostnadsfritt", "avgiftsfri", "avgiftsfritt"},
		{"mejl", "mail", "e-post", "epost"},
		{"säljare", "försäljare"},
		{"hitta", "leta"},
		{"förfalla", "förfaller", "förfallen", "utgå", "utgår", "löpa", "löper"},
		{"acceptera", "godkänna", "godta"},
		{"ansöka", "ansökan", "begära", "söka"},
		{"kund", "kunder", "klient", "kunden"},
		{"jobba", "arbeta"},
		{"dold", "dolt", "gömd", "gömt", "osynlig"},
		{"dubblett", "duplicerat", "duplicerad"},
	},
}

// Question intents. Stop-word removal throws away "why", "who", "how long",
// yet those words are what tells "What is CPOR?" from "Why does Microsoft use
// CPOR?" once the topic words are equal. So a few interrogative patterns
// add a synthetic token to the indexed questions/alternates and to the query;
// it only moves ranking (coverage ignores it).
type intent struct {
	token string
	re    map[Lang]prefilter // run on folded lower-case text
}

// Patterns run on folded lower-case text. A noun is read in its plural and,
// in Swedish, its definite forms ("rabatten", "priset", "tidsgränsen"): until
// session 53 "vad är rabatten för MACC?" was no cost question, so the MACC
// entry, which states no discount, answered it, where "what is the discount
// for MACC?" was refused.
var intents = []intent{
	{"qqdur", map[Lang]prefilter{
		EN: newPrefilter(`\bhow (long|soon|quickly|many (days|hours|weeks)|much time)\b|\bdeadlines?\b|\bwaiting (time|period)\b`),
		FR: newPrefilter(`\bcombien de (temps|jours|heures|semaines)\b|\bdelais?\b|\btemps d'?attente\b`),
		SV: newPrefilter(`\bhur (lang|lange|snart|fort|manga dagar|manga timmar|manga veckor)\b|\btidsgrans(en|er|erna)?\b|\bvantetid(en|er|erna)?\b`),
	}},
	{"qqwhy", map[Lang]prefilter{
		EN: newPrefilter(`\bwhy\b|\breason\b|\bpurpose\b|\bpoint of\b`),
		FR: newPrefilter(`\bpourquoi\b|\bpk\b|\bpq\b|\braison\b|\bbut du\b`),
		SV: newPrefilter(`\bvarfor\b|\banledning|\bsyftet?\b`),
	}},
	{"qqwho", map[Lang]prefilter{
		EN: newPrefilter(`\bwho\b`),
		FR: newPrefilter(`^qui\b|\bqui (peut|doit|enregistre|gere|voit|recoit)\b`),
		SV: newPrefilter(`\bvem\b`),
	}},
	{"qqwhere", map[Lang]prefilter{
		EN: newPrefilter(`\bwhere\b|\bwhich page\b`),
		FR: newPrefilter(`(^|\s)ou (trouver|voir|sont|est|vont|va|arrivent|apparait|gerer|reclamer|dans)\b|\bquelle page\b`),
		SV: newPrefilter(`^var\b|\bvar (hittar|finns|ser|hamnar|hanterar|i)\b|\bvart\b|\bvilken sida\b`),
	}},
	{"qqdef", map[Lang]prefilter{
		EN: newPrefilter(`(^|\b(btw|so|hey|hi|and|ok) )(what (is|are)|what'?s|whats|define)\b|\bmean(s|ing)?\b|\bstands? for\b|\bexplain|\bdefinition\b|\babbreviat|\bacronym`),
		FR: newPrefilter(`^qu'?est[- ]ce qu|\bc'?est quoi\b|\bc koi\b|\bca veut dire\b|\b(que )?(veut dire|signifie)\b|\babreviation\b|\bacronyme\b|\bsignification\b|\bdefinition\b|\bexplique`),
		SV: newPrefilter(`^vad (ar|betyder|menas|innebar)\b|\bvad? star \S+( \S+)? for\b|\bstar for vad\b|\bforkortning|\bakronym|\bbetyder\b|\bbetydelse\b|\bforklara`),
	}},
	{"qqdiff", map[Lang]prefilter{
		EN: newPrefilter(`\bdifferen(ce|t)\b|\bvs\b|\bversus\b|\bcompared?\b`),
		FR: newPrefilter(`\bdifferen(ce|t|ts)\b|\bcompar`),
		SV: newPrefilter(`\bskillnad|\bjamfor|\bskiljer`),
	}},
	{"qqcost", map[Lang]prefilter{
		EN: newPrefilter(`\bhow much\b|\bcosts?\b|\bprices?\b|\bfees?\b|\bpay(s|out|outs)?\b|\bpaid\b|\bfree\b|\bcharged?\b|\brates?\b|\bpercent(age)?\b|%|\bmargins?\b|\bdiscounts?\b|\brebates?\b|\bearn(s|ed)?\b|\bworth\b|\b(what|which|how big( a)?) commissions?\b`),
		FR: newPrefilter(`\bcombien (coute|rapporte|on (paie|paye|touche))\b|\bc'?est combien (la|le|les|l'|un|une|pour|par)\b|\bcoute\b|\bprix\b|\bcouts?\b|\btarifs?\b|\bpayant\b|\bpai(e|es|ent)\b|\bpaye[rz]?\b|\bgratuit|\bfrais\b|\btaux\b|\bmarges?\b|\bremises?\b|\bpour ?cent|%|\b(on|qu'?on|je|j'|nous|vous|tu|combien) ?touche\b|\b(on|y|qu'?on) gagne\b|\bvalen?t\b|\bprime\b`),
		SV: newPrefilter(`\bkostar\b|\bhur mycket\b|\bkostnad|\bpris(et|er|erna)?\b|\bavgift|\bgratis\b|\bbetala|\bmarginal(en|er|erna)?\b|\brabatt|\bprissattning|\bprocent|%|\btjanar\b|\bvard[ae]?\b`),
	}},
	// Tried in faq9b and not kept: French "qu'est-ce qui se passe / arrive",
	// "ce qui se passe", "qu'advient", Swedish "vad hände", "vad blir det
	// av", and qqif cancelling qqdef ("qu'est-ce qui…" read as a
	// definition). Tuning 1760 → 1759 right, 29 → 30 wrong; hold-out
	// 993 → 992; fresh unchanged.
	{"qqif", map[Lang]prefilter{
		EN: newPrefilter(`\bwhat (happens|if)\b|\bwhat will happen\b|\bhappens? (to|if|with|when)\b|\bend up\b|\bwhat now\b`),
		FR: newPrefilter(`\bque se passe|\bse passe t il\b|\bil se passe quoi\b|\bque devien|\bqu'?arrive|\bet maintenant\b|\bet si\b`),
		SV: newPrefilter(`\bvad (hander|sker)\b|\bhamnar\b|\bvart tar\b|\bvad nu\b`),
	}},
	{"qqnot", map[Lang]prefilter{
		EN: newPrefilter(`\b(not|no|cannot|cant|can't|dont|don't|never|werent|weren't|isnt|isn't|hidden)\b|n't\b`),
		FR: newPrefilter(`\b(pas|non|jamais|aucune?|invisible)\b`),
		SV: newPrefilter(`\b(inte|ej|ingen|inga|aldrig|osynlig)\b`),
	}},
	{"qqhow", map[Lang]prefilter{
		EN: newPrefilter(`^how\b|\bhow (do|can|to|should|does|would)\b`),
		FR: newPrefilter(`^comment\b|\bcomment (faire|puis|peut|dois|on|je|obtenir|creer|devenir)\b`),
		SV: newPrefilter(`^hur\b`),
	}},
	{"qqwhen", map[Lang]prefilter{
		EN: newPrefilter(`\bwhen\b|\bsince (when|what date)\b|\bwhat date\b`),
		FR: newPrefilter(`\bquand\b|\bqd\b|\bquelle date\b`),
		SV: newPrefilter(`\bnar\b|\bvilket datum\b`),
	}},
	// Something was missed: a deadline passed, a step was forgotten. What
	// then is another entry than how to do it in time ("missed the
	// migration deadline" against "profile migration deadline").
	{"qqmiss", map[Lang]prefilter{
		EN: newPrefilter(`\bmiss(ed)?\b|\btoo late\b|\bforg(o|e)t(ten)?\b|\bnot in time\b`),
		FR: newPrefilter(`\b(ratee?s?|loupee?s?|oubliee?s?)\b|\btrop tard\b|\bpas a temps\b`),
		SV: newPrefilter(`\bmissa(de|t|r)?\b|\bfor sent\b|\bglom(de|t|mer)?\b|\binte i tid\b`),
	}},
	{"qqcan", map[Lang]prefilter{
		EN: newPrefilter(`^(can|could|may) (i|we|a|an|the|my|our|you)\b`),
		FR: newPrefilter(`^(puis[- ]je|peut[- ]on|peux[- ]je|on peut|est[- ]ce qu'?on peut)\b`),
		SV: newPrefilter(`^(kan|far) (jag|vi|man|ett|en)\b`),
	}},
}

// leadingFiller matches the greetings and discourse words a chat question
// may open with (folded lower-case text), with the punctuation after them.
var leadingFiller = map[Lang]*regexp.Regexp{
	EN: regexp.MustCompile(`^((hey|hi|hello|hiya|yo|btw|so|ok|okay|and|also|um|uh|oh|well|quick question|question|sorry|folks|guys|team)\b[\s,!.:;-]*)+`),
	FR: regexp.MustCompile(`^((salut|bonjour|rebonjour|coucou|hello|hey|btw|bon|alors|du coup|euh|ok|dites|dis|et|sinon|au fait|petite question|question rapide|question|bref|tiens|ben|bah|hum)\b[\s,!.:;-]*)+`),
	SV: regexp.MustCompile(`^((hej|hejsan|halla|tjena|tja|liksom|btw|assa|alltsa|okej|ok|och|forresten|eh|typ|snabb fraga|en fraga|fraga|ba|aa|jo)\b[\s,!.:;-]*)+`),
}

var intentTokens = func() map[string]bool {
	m := map[string]bool{}
	for _, it := range intents {
		m[it.token] = true
	}
	return m
}()

// Tried in faq9b and not kept: question words closing a chat question
// ("migrate profiles to partner ids how", "le lead arrive ou", "p2p
// registration qui"; 37 tuning questions) read as qqhow, qqwhere and
// French qqwho. Tuning ranked 1944 first against 1935 and the tuning curve
// (-curve, all cv, sum w15..w40) rose from 8459 to 8487, but the refit
// threshold rose to 0.79: 1738 right at 26 wrong against 1760 at 29;
// hold-out 987 against 993; fresh 167 at 3 wrong, unchanged. With the
// shorthand and everyday synonyms below as well: 1944 first, 1740 right
// at 25 wrong, hold-out 989 at 9 wrong. Ranking gains that a threshold
// refit turns into fewer answers, to retry with the confidence model of
// the day.
//
// withIntents appends the intent tokens of text (in language l) to it. A
// comparison ("what is the difference between…") is not a definition even
// though it starts like one, so qqdiff cancels qqdef. A bare term of one or
// two words ("CPOR?", "PGA ID") is read as "what is it?".
func withIntents(l Lang, text string) string {
	f := strings.TrimSpace(text) // folded by neutral
	// Intents anchored at the start ("^vad är", "^qu'est-ce que", "^how")
	// are read after a leading greeting or discourse word: "liksom vad är
	// cpor", "salut, comment on crée une sa", "ok so how do i…".
	if re := leadingFiller[l]; re != nil {
		f = re.ReplaceAllString(f, "")
	}
	var found []string
	for _, it := range intents {
		if re, ok := it.re[l]; ok && re.MatchString(f) {
			found = append(found, it.token)
		}
	}
	if slices.Contains(found, "qqdiff") {
		found = slices.DeleteFunc(found, func(t string) bool { return t == "qqdef" })
	}
	if n := len(words(f)); len(found) == 0 && n > 0 && n <= 2 {
		found = append(found, "qqdef")
	}
	if len(found) == 0 {
		return text
	}
	return text + " " + strings.Join(found, " ")
}
