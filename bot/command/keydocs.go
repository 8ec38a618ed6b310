package command

import (
	"fmt"
	"strings"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/vocab"
)

// keyDoc says what a key takes, for help VERB: accepted values come from
// the vocabularies, so help and the parser never disagree.
func keyDoc(key string) string {
	if v, ok := keyVocab[key]; ok {
		return v.What + ": " + v.Accepts()
	}
	if d, ok := keyDocs[key]; ok {
		return d
	}
	return ""
}

// keyDocFor is what key takes in verb: the verb's own words where a key
// means something else there (customer= of cpor claim is a tenant GUID,
// not a name), else keyDoc's.
func keyDocFor(verb, key string) string {
	if d, ok := verbKeyDocs[verb][key]; ok {
		return d
	}
	if key == "role" && strings.HasPrefix(verb, "user") {
		return vocab.UserRoles.What + ": " + vocab.UserRoles.Accepts()
	}
	return keyDoc(key)
}

// verbKeyDocs are the keys whose meaning differs from one verb to another.
var verbKeyDocs = map[string]map[string]string{
	"cpor claim": {
		"customer":     "the customer's Microsoft Entra tenant id, a GUID like 8f3c2a1e-5b7d-4e9f-a0c1-2d3e4f5a6b7c (not its name)",
		"country":      "the customer's country: two letters, like FR or SE (its business days count the 5 days to decline)",
		"workload":     "the workload claimed (or subscription=, not both)",
		"subscription": "the subscription id claimed, a GUID (or workload=, not both)",
		"notes":        "what Microsoft's validation should know about the claim",
		"claimed":      "the day the claim was submitted in Partner Center, when before today (" + vocab.PastDateHint + ")",
	},
	"cpor info":    {"notes": "what Microsoft asked for, in its words"},
	"cpor decline": {"reason": "why the customer declined, if they said", "declined": "the day the customer declined, when before today (" + vocab.PastDateHint + "); a decline within their window stands, told late"},
	"cpor confirm": {"notified": "the day Microsoft notified the customer (" + vocab.PastDateHint + "; default today): their 5 business days start"},
	"solution add": {"name": "the solution's name, as deals will name it (solution=); no , or ;"},
	"deal decline": {"notes": "your answer to the sender, beyond the reason"},
	"deal invite": {
		"value":    "the invited partner's share: " + amountDoc,
		"close":    "when the invited partner should finish their part: " + dateDoc,
		"notes":    "why you invite this partner (with partner=), in your words",
		"solution": "the solutions the invited partner brings, from your catalog (solution list), comma-separated",
		"team":     "the invited partner's people (default: the deal's team): " + personDoc,
		"help":     "with microsoft: " + vocab.Helps.What + ": " + vocab.Helps.Accepts(),
	},
	"deal upgrade": {"help": "to co-sell: " + vocab.Helps.What + ": " + vocab.Helps.Accepts()},
	"deal list": {
		"customer": "part of a customer's name",
		"location": "a partner location ID: only its deals",
		"kind":     "only deals of this kind: " + vocab.Kinds.Accepts(),
	},
	"subscribe":   {"location": "only deals of this partner location ID", "kind": "only deals of this kind: " + vocab.Kinds.Accepts() + ", or cpor for claims"},
	"unsubscribe": {"location": "the location= of the subscription to end", "kind": "the kind= of the subscription to end"},
}

var keyVocab = map[string]*vocab.Vocabulary{
	"kind": vocab.Kinds, "role": vocab.PartnerRoles, "help": vocab.Helps, "account": vocab.Accounts,
	"intent": vocab.Intents, "area": vocab.Areas, "play": vocab.Plays, "source": vocab.SolutionSources,
	"ip": vocab.IPKinds, "engagement": vocab.Engagements,
}

const (
	amountDoc = `amount: 45000, 45,000, "45 000", 45k, €45k or "45000 EUR"`
	dateDoc   = "date: " + vocab.DateHint + ", or " + vocab.WordsHint
	personDoc = `people: "Name <email> +phone", several separated by ;`
	yesNoDoc  = "yes or no"
)

var keyDocs = map[string]string{
	"name": "the deal's name", "customer": "the customer's name", "customer_location": "the customer's country: two letters, like FR or SE",
	"location": "your MPN location: the partner location ID Partner Center shows under Settings > Account settings > Identifiers, 5 to 10 digits like 1234567 (the customer's country is customer_location=); never changes once the deal exists",
	"value":    amountDoc, "currency": "three-letter ISO code, like EUR or USD (or give it with value=)",
	"close": dateDoc, "received": "the day it reached you: " + vocab.PastDateHint + ", or " + vocab.WordsHint + ", or a moment such as " + vocab.MomentHint + " (the 14 days run from it)", "until": dateDoc + " (its start, 00:00 UTC), or a moment such as " + vocab.MomentHint, "notified": dateDoc,
	"notes": "what the customer needs, in your words", "team": personDoc, "contact": `one person: "Name <email> +phone" (needs consent=yes)`,
	"consent": yesNoDoc, "share": yesNoDoc + ": show the deal to Microsoft sellers (partner-led)", "customer_macc": yesNoDoc,
	"macc": yesNoDoc, "incentivized": yesNoDoc,
	"solution": "names from your catalog (solution list), comma-separated", "assessment": "an assessment type from your catalog (source=assessment)",
	"assessment_location": "the country of the assessment: two letters", "crm_id": "your CRM's id for the deal", "campaign_id": "the marketing campaign id",
	"from": `microsoft or "partner:NAME"`, "program": "the partner program of an inbound services deal",
	"reason": "why, in a few words (quoted if it has spaces)", "partner": "the partner's name",
	"microsoft": "where Microsoft stands: accepted, declined or won",
	"locations": "partner location IDs, comma-separated, or global",
	"stage":     "a stage name as Partner Center shows it, e.g. Qualified or \"Collecting data\"",
	"q":         "words to find in deal names, customers and CRM ids",
	"sort":      "expiry, value, close, updated (default: newest first)", "page": "page number, from 1", "limit": fmt.Sprintf("rows per page, 1 to %d (default %d)", maxListLimit, listLimit),
	"cursor": "next_cursor from the previous page (--json)", "format": "csv: every field, as a spreadsheet file",
	"country": "two letters, like FR", "workload": "the workload claimed", "subscription": "the subscription id claimed",
	"seed": "the source document the entry's facts come from, for audits", "related": "ids of entries to offer as follow-ups, comma-separated",
	"days": "how far back to look, in days (default 30)", "lang": "en, fr or sv (default: the question's own language)",
}

// The FAQ entry keys, one set per language.
func init() {
	for lang, name := range langNames {
		keyDocs[string(lang)+"_question"] = "the question in " + name + ", as the entry's title"
		keyDocs[string(lang)+"_answer"] = "the answer in " + name
		keyDocs[string(lang)+"_alternates"] = "other ways people ask it in " + name + ", separated by |"
	}
}

// helpMore explains what the keys alone do not say.
var helpMore = map[string]string{
	"deal accept": "A received referral needs name=, value=, close= and notes= on accept unless it already holds them " +
		"(deal show ID shows what it holds). team= is optional: a referral accepted without a team gets one later with deal team add " +
		"(every member with name, e-mail and phone).",
	"deal snooze": "Reminders stop until that date; never past the referral's expiry.",
	"deal stage":  "Co-sell stages: " + markable(deal.IPCoSell) + ".\n  Solution assessment stages (all mandatory, in order): " + markable(deal.SolutionAssessment) + ".",
	"deal list":   "Open deals by default; inbound, outbound, favorites, expiring (received, expiring within 7 days), closed, or all (open and closed). Next/Previous buttons page through.",
	"user add":    "The user's role: " + vocab.UserRoles.Accepts() + "; several comma-separated.",
}

// keyHelp is the required and optional keys of a verb, each with what it
// takes, for help VERB.
func (sp *spec) keyHelp() string {
	var b strings.Builder
	section := func(title string, keys []string) {
		if len(keys) == 0 {
			return
		}
		b.WriteString("\n  " + title + ":")
		for _, k := range keys {
			fmt.Fprintf(&b, "\n    %-20s %s", k+"=", keyDocFor(sp.verb, k))
		}
	}
	section("required", sp.required)
	section("optional", sp.optional)
	if more, ok := helpMore[sp.verb]; ok {
		b.WriteString("\n  " + more)
	}
	return b.String()
}

// markable lists the labels of the stages a person marks, for help.
func markable(k deal.Kind) string {
	var out []string
	for _, st := range deal.Markable(k) {
		out = append(out, vocab.Quoted(vocab.StageLabel(k, st)))
	}
	return strings.Join(out, ", ")
}
