package faq

import (
	"regexp"
	"strings"
)

// Figure questions. "How many people can a deal team have at most?" shares
// every content word with the entry on the deal team, whose answer says who
// to add but states no maximum: the entry is the right topic and the wrong
// answer, and out-of-scope questions of that kind were the ones the bot
// answered. fFigureMiss marks a candidate whose answer states no figure for
// a question that asks one; Calibrate weighs it, as fCostMiss for prices.

// figureQuestion matches questions, folded, that ask a count, a maximum or
// a share, in any of the three languages (a question scored against
// another language's index keeps its own words). "How many days" is one
// too: the entries that answer it state their days in digits; and since
// session 53 "how long", a deadline, "combien de temps", "délai", "hur
// länge", "tidsgräns", which had only the duration intent, so "what are
// the deadlines for solution assessments" was answered by what a solution
// assessment is. Refit, the development sets answered 6 more right, 1
// more wrong and refused 2 more out-of-scope questions; the hold-out and
// fresh sets unchanged; the tuning set left one out 10 more right for 9
// more wrong (threshold 0.402 -> 0.398).
var figureQuestion = newPrefilter(`\bhow long\b|\bdeadlines?\b|\bcombien de temps\b|\bdelais?\b|\bhur lange\b|\bhur lang tid\b|\btidsgrans|\bhow many\b|\bat most\b|\bmaximum\b|\bper (year|month|week|quarter)\b|\bon average\b|\bpercentages?\b|` +
	`\bcombien d(e|es|')\s*(\S+)|\bau (plus|maximum)\b|\bpar (an|mois|semaine|trimestre)\b|\ben moyenne\b|\bpourcentages?\b|` +
	`\bhur manga\b|\bsom mest\b|\bmax(imalt|imum)\b|\bper (ar|manad|vecka|kvartal)\b|\bi (snitt|genomsnitt)\b|\bhur stor andel\b`)

// containsAny reports whether s contains one of subs: the strings that
// spare most questions a regexp (prefilter.go).
func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// figureAnswer matches answers, folded, that state a number: digits or a
// small number in words ("four stages", "sex fält"); not the digit of a
// name such as "P2P".
var figureAnswer = regexp.MustCompile(`\b\d+\b|\b(two|three|four|five|six|seven|eight|nine|ten|twelve|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|tva|tre|fyra|fem|sex|sju|atta|nio|tio|tolv)\b`)

// minimumAnswer matches answers, folded, that state a minimum of one ("at
// least one team member", "au moins un", "minst en"): the figure of "how
// many team members minimum", not of a maximum (maximumQuestion).
var (
	minimumAnswer   = regexp.MustCompile(`\bat least one\b|\bau moins une?\b|\bminst (en|ett)\b`)
	maximumQuestion = newPrefilter(`\bat most\b|\bmax|\bau plus\b|\bsom mest\b|\bhogst\b|\blimit|\blimite|\bgrans`)
)

// priceQuestion matches questions, folded, that ask a price, a fee or a
// rate in so many words: those an entry stating no cost cannot answer
// (candidate.answers). The cost intent (qqcost, synonyms.go) is wider, as
// ranking wants it, and as a hard rule it refused what it caught beside
// prices: "on touche plus de monde" (reach), "cost us time", "whether it
// paid off", "payer via la marketplace", "hur mycket Microsoft är med",
// "vad tjänar vi på" (what do we gain) — eleven right answers of the
// tuning set left one out, three of the development sets.
var priceQuestion = newPrefilter(`\bhow much (does|do|is|are|will|would|did|for)\b|\bcosts?\b|\bprices?\b|\bpricing\b|\bfees?\b|\bcharged?\b|\bfree\b|\brates?\b|\bcommissions?\b|\bmargins?\b|\bdiscounts?\b|\brebates?\b|` +
	`\bcombien (coute|coutent|ca coute|on paie|on paye|faut[- ]il payer)\b|\bc'?est combien\b|\bcoute(nt)?\b|\bprix\b|\bcouts?\b|\btarifs?\b|\bpayant\b|\bgratuit|\bfrais\b|\btaux\b|\bcommissions?\b|\bmarges?\b|\bremises?\b|` +
	`\bkostar\b|\bkostade\b|\bkostnad|\bpris(et|er|erna)?\b|\bavgift|\bgratis\b|\bprovision(en)?\b|\bmarginal(en)?\b|\brabatt`)

// Score questions. "How many PCS points for the security designation",
// "quel score pcs il faut pour la designation data & ai", "hur många
// pcs-poäng krävs": the designations' entry names the partner capability
// score and states a figure (six designations), so neither the cost nor
// the figure check refused them, at 0.85-0.99 (dev4, dev5, dev6). A
// question asking a number of points is answered only by an answer
// stating points; none does, so such questions are refused as misnamed
// ones are. "What score do we need to qualify" is left to the designations'
// entry, as the tuning questions have it (eligibility depends on the
// score): reading it as a points question lost three of them.
var (
	scoreQuestion = newPrefilter(`\bhow many (\S+[ -])?points?\b|\bpoints? (needed|required)\b|\bcombien de points?\b|\bpoints? (requis|necessaires?)\b|\bhur manga (\S+[ -])?poang\b|\bpoang (kravs|behovs)\b`)
	pointsAnswer  = regexp.MustCompile(`\d\s?(points?|pts|poang)\b`)
)

// Currency questions. "vilken valuta faktureras CSP direct bill i för
// svenska kunder?" (dev24, out of scope) got the CSP models' entry at
// 0.96: it covers "CSP", "direct bill" and invoicing, and says nothing of
// currencies. A question that asks about a currency (which one, an
// exchange rate, a conversion) is answered only by an entry whose answer
// speaks of currencies, as the deal registration threshold's conversion
// and a P2P partner's share do; any other entry is refused as a misnamed
// one is (candidate.answers). The words are the same in questions and
// answers, folded: "växelkurs" is "vaxelkurs", and Swedish compounds
// ("valutakurs", "valutaomräkning") start with "valuta".
var (
	currencyQuestion = newPrefilter(currencyWords)
	currencyAnswer   = regexp.MustCompile(currencyWords)
)

const currencyWords = `\bcurrenc(y|ies)\b|\bexchange rates?\b|\bdevises?\b|\btaux de change\b|\bvaluta|\bvaxelkurs`

// asksScore reports whether n, a question through neutral, asks a number
// of points.
func asksScore(n string) bool {
	return scoreQuestion.MatchString(n)
}

// kindsQuestion asks how many kinds of something there are ("how many
// deal types", "combien de types de transactions", "hur många typer"):
// an answer listing them answers it, with or without a figure.
var kindsQuestion = newPrefilter(`\bhow many (\S+ ){0,2}(types?|kinds?|sorts?)\b|\bcombien (y a[- ]t[- ]il )?de (types|sortes|genres)\b|\bhur manga (\S+ ){0,2}(typer|sorter|slags)\b`)

// Amount questions. "How much are the cloud credits worth?" meets the entry
// on ISV Success, whose answer says the credits are free: a cost intent
// answered, no value stated. "How much is 1560 EUR in USD?" meets the
// entry stating the fee in euros. Both ask an amount the knowledge base
// does not give, in a currency or as a worth; fFigureMiss marks a candidate
// whose answer states no amount (worthQuestion), or none in the currency the
// question converts to (currencyTarget). "How much does it cost?" is not
// one: "it is free" answers it.
var (
	worthQuestion  = newPrefilter(`\bworth\b|\bvalen?t\b|\bvaut\b|\bvarda?\b`)
	currencyTarget = regexp.MustCompile(`\b(?:in|into|en|i)\s+(usd|us dollars?|dollars?|eur|euros?|sek|kronor|couronnes?)\b|\b(usd|eur|sek|dollar|euro)\s+(?:value|valeur|vardet?)\b`)
	answerAmount   = regexp.MustCompile(`\d\s?(%|percent|pour ?cent|procent|eur|euros?|usd|dollars?|€|\$|sek|kr|kronor)|(\$|€|usd|eur|sek)\s?\d`)
	// percentQuestion asks a percentage: an answer stating amounts in
	// other units only ("at least 25,000 USD") does not answer it.
	percentQuestion = newPrefilter(`%|\bpercent(ages?)?\b|\bpourcentages?\b|\bpour ?cent\b|\bprocent(sats(en|er|erna)?)?\b`)
)

// worthIdiom asks whether something is worth the effort ("is isv success
// worth it", "ca vaut le coup", "är det värt det"): what one gets, not an
// amount.
var worthIdiom = regexp.MustCompile(`\bworth (it|the (effort|trouble|money|time))\b|\bvaut (le coup|la peine)\b|\bvart (det|modan|besvaret)\b`)

// amountBefore must precede a currency for it to be one the question
// converts to: an amount, or a "how much" ("how much is 1560 eur in usd",
// "combien font 1560 eur en usd"); "our deal is in sek" names the deal's
// currency.
var amountBefore = regexp.MustCompile(`\d|\bhow much\b|\bcombien\b|\bhur mycket\b|\bworth\b|\bvalen?t\b|\bvard[ae]?\b`)

// amountHints are substrings without which neither question pattern can
// match.
var amountHints = []string{"worth", "val", "vaut", "vard", "usd", "eur", "dollar", "sek", "kronor", "couronne", "%", "percent", "pourcent", "pour cent", "procent"}

// currencyOf canonicalises a currency as the patterns above capture it.
func currencyOf(s string) string {
	switch {
	case s == "%", s == "percent", strings.HasPrefix(s, "pour"), s == "procent":
		return "%"
	case strings.Contains(s, "dollar"), s == "usd", s == "$":
		return "usd"
	case strings.HasPrefix(s, "eur"), s == "€":
		return "eur"
	}
	return "sek"
}

// amountAsk is what a question asks of an amount: any amount at all
// (worth), and the currencies it converts to.
type amountAsk struct {
	worth bool
	to    []string
}

func (a amountAsk) asked() bool { return a.worth || len(a.to) > 0 }

// askedAmount reads n, a question through neutral.
func askedAmount(n string) amountAsk {
	var a amountAsk
	if !containsAny(n, amountHints) {
		return a
	}
	a.worth = worthQuestion.MatchString(worthIdiom.ReplaceAllString(n, ""))
	if percentQuestion.MatchString(n) {
		a.to = append(a.to, "%")
	}
	for _, ix := range currencyTarget.FindAllStringSubmatchIndex(n, -1) {
		if !amountBefore.MatchString(n[:ix[0]]) {
			continue // "our deal is in sek": the deal's currency, not one to convert to
		}
		m := make([]string, 3)
		for k := 1; k < 3; k++ {
			if ix[2*k] >= 0 {
				m[k] = n[ix[2*k]:ix[2*k+1]]
			}
		}
		c := m[1]
		if c == "" {
			c = m[2]
		}
		a.to = append(a.to, currencyOf(c))
	}
	return a
}

// statedAmounts lists the currencies (and "%") in which a folded answer
// states an amount.
func statedAmounts(answer string) map[string]bool {
	out := map[string]bool{}
	for _, m := range answerAmount.FindAllStringSubmatch(answer, -1) {
		c := m[1]
		if c == "" {
			c = m[2]
		}
		out[currencyOf(c)] = true
	}
	return out
}

// misses reports whether an answer stating amounts misses what a asks.
func (a amountAsk) misses(amounts map[string]bool) bool {
	if a.worth && len(amounts) == 0 {
		return true
	}
	for _, c := range a.to {
		if !amounts[c] {
			return true
		}
	}
	return false
}

// Stated numbers. "What's the exact capability score threshold, 70?" and
// "can I cancel a subscription after 7 days" name a figure no answer gives:
// the entry they meet is about the thing, not about that figure. In scope,
// a number a question names is almost always in its answer ("cpor 5
// business days", "the 1560 fee"). fNumberMiss marks a candidate whose
// answer does not state a number the question names.
//
// Tried in session 56 and not kept: the converse as a feature of its own
// (1 when the answer states a number the question names: "vår solution
// assessment står på 20%" met sa-stages' 20 %, where sa-what ranked first).
// Refitted (threshold 0.406 against 0.398), the tuning set left one out
// answered 21 fewer right for 9 fewer wrong, the measured sets 10 fewer right
// for 1 fewer wrong: numbers in chat questions are mostly dates and amounts
// of the partner's own deal, which an answer stating the same digit for
// something else matches as well.

// standaloneNumber is a number written on its own ("70", "20000"), not the
// digit of a name ("p2p", "m365", "e5").
var standaloneNumber = regexp.MustCompile(`(?:^|[\s(])(\d+)(?:$|[\s?.,!:;%)])`)

// questionNumbers lists the standalone numbers of n, a question through
// neutral.
func questionNumbers(n string) []string {
	if !strings.ContainsAny(n, "0123456789") {
		return nil
	}
	var out []string
	for _, m := range standaloneNumber.FindAllStringSubmatch(n, -1) {
		out = append(out, m[1])
	}
	return out
}

// numberWords are the small numbers answers spell out, folded.
var numberWords = map[string]string{
	"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
	"nine": "9", "ten": "10", "twelve": "12", "un": "1", "une": "1", "deux": "2", "trois": "3", "quatre": "4",
	"cinq": "5", "sept": "7", "huit": "8", "neuf": "9", "dix": "10", "douze": "12", "ett": "1", "tva": "2",
	"tre": "3", "fyra": "4", "fem": "5", "sex": "6", "sju": "7", "atta": "8", "nio": "9", "tio": "10", "tolv": "12",
}

// answerNumbers is the set of numbers a folded, normalised answer states,
// in digits or in words.
func answerNumbers(a string) map[string]bool {
	out := map[string]bool{}
	for _, w := range words(a) {
		if isDigits(w) {
			out[w] = true
		} else if d, ok := numberWords[w]; ok {
			out[d] = true
		}
	}
	return out
}
