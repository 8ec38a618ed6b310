package command

import (
	"regexp"
	"slices"
	"strings"

	"github.com/cosellbot/cosellbot/bot/spell"
)

// objects are the nouns people put first or second, by the verb they
// belong to: "list deals", "show deal 1", "new deal", "list claims".
var objects = map[string]string{
	"deal": "deal", "deals": "deal", "referral": "deal", "referrals": "deal", "opportunity": "deal", "opportunities": "deal",
	// French and Swedish names of a deal, as people type them around a command.
	"affaire": "deal", "affaires": "deal", "transaction": "deal", "transactions": "deal", "opportunité": "deal", "opportunite": "deal",
	"affär": "deal", "affären": "deal", "affärer": "deal", "affärerna": "deal", "möjlighet": "deal", "möjligheten": "deal", "möjligheter": "deal",
	"transaktion": "deal", "transaktionen": "deal", "transaktioner": "deal", "transaktionerna": "deal",
	"solution": "solution", "solutions": "solution", "catalog": "solution",
	"user": "user", "users": "user",
	"cpor": "cpor", "claim": "cpor", "claims": "cpor",
}

// verbSynonyms are words people use for the table's verbs.
var verbSynonyms = map[string]string{
	"create": "new", "add": "new", "view": "show", "get": "show", "open": "show", "display": "show",
	"ls": "list", "find": "list", "search": "list", "delete": "remove", "rm": "remove",
	"win": "won", "lose": "lost", "refuse": "decline",
	// French and Swedish verbs (a tester's "acceptera affär 33" was offered
	// deal show 33, and "accepter 33" went to the FAQ).
	"accepter": "accept", "accepte": "accept", "acceptez": "accept", "acceptera": "accept", "godkänn": "accept",
	"refuser": "decline", "décliner": "decline", "decliner": "decline", "avvisa": "decline", "avböj": "decline", "neka": "decline",
	"afficher": "show", "affiche": "show", "affichez": "show", "voir": "show", "montrer": "show", "montre": "show", "montrez": "show", "visa": "show",
	"lister": "list", "liste": "list", "listez": "list", "lista": "list",
	"gagner": "won", "gagné": "won", "vinn": "won", "vinna": "won", "perdre": "lost", "perdu": "lost", "förlora": "lost",
	"créer": "new", "creer": "new", "skapa": "new", "modifier": "edit", "ändra": "edit", "redigera": "edit",
}

// plurals are the nouns that name several of a thing: shown, they are its
// list ("montrer les affaires", "visa mina affärer", "show deals").
var plurals = map[string]bool{
	"deals": true, "referrals": true, "opportunities": true, "affaires": true, "transactions": true, "opportunités": true, "opportunites": true,
	"affärer": true, "affärerna": true, "möjligheter": true, "transaktioner": true, "transaktionerna": true,
	"solutions": true, "users": true, "claims": true,
}

// articles are the words a sentence puts between a verb and its noun, in
// English, French and Swedish ("afficher la transaction 9", "list my
// deals", "lista mina affärer"): before a noun of objects, they are read
// past. (Read as words, "la" became the argument of "did you mean deal
// accept 4 la?", and "mes transactions" went to the FAQ.) Not "sa", the
// solution assessment kind.
var articles = map[string]bool{
	"the": true, "a": true, "an": true, "my": true, "this": true, "these": true, "our": true,
	"le": true, "la": true, "les": true, "un": true, "une": true, "ce": true, "cet": true, "cette": true, "ces": true,
	"mon": true, "ma": true, "mes": true, "notre": true, "nos": true,
	"den": true, "det": true, "de": true, "en": true, "ett": true, "min": true, "mitt": true, "mina": true, "vår": true, "vårt": true, "våra": true,
}

// withoutArticles is words without the articles before a noun of objects
// among the first words, and with a French elided article cut off such a
// noun ("l'affaire" → "affaire").
func withoutArticles(words []string) []string {
	noun := func(w string) (string, bool) {
		lw := strings.ToLower(w)
		for _, el := range []string{"l'", "l’"} {
			if rest, ok := strings.CutPrefix(lw, el); ok {
				if _, isObject := objects[rest]; isObject {
					return w[len(w)-len(rest):], true
				}
			}
		}
		_, isObject := objects[lw]
		return w, isObject
	}
	out := make([]string, 0, len(words))
	for i, w := range words {
		if i < 3 && articles[strings.ToLower(w)] && i+1 < len(words) {
			if _, ok := noun(words[i+1]); ok {
				continue
			}
		}
		if i < 4 {
			w, _ = noun(w)
		}
		out = append(out, w)
	}
	return out
}

// keyPair finds a key=value pair: natural language never has one.
var keyPair = regexp.MustCompile(`(^|\s)[A-Za-z_][A-Za-z0-9_-]*=`)

// subverbs lists the second words of the table's verbs for an object
// ("deal" → new, receive, list, show, …).
func (s *Service) subverbs(object string) []string {
	var out []string
	for _, sp := range s.specs {
		vw := sp.words
		if len(vw) >= 2 && vw[0] == object && !slices.Contains(out, vw[1]) {
			out = append(out, vw[1])
		}
	}
	return out
}

// reorder turns verb-first and plural wordings into the table's
// object-first verbs: "list deals" → "deal list", "show deal 1" → "deal
// show 1", "deals" → "deal list", "new deal" → "deal new", "add solution" →
// "solution add". ok is false when the words are no such wording.
func (s *Service) reorder(words []string) ([]string, bool) {
	words = withoutArticles(words)
	if len(words) == 0 {
		return nil, false
	}
	lower := func(i int) string { return strings.ToLower(words[i]) }
	verbOf := func(object, w string) (string, bool) {
		subs := s.subverbs(object)
		if slices.Contains(subs, w) {
			return w, true
		}
		if syn, ok := verbSynonyms[w]; ok && slices.Contains(subs, syn) {
			return syn, true
		}
		if syn, ok := verbSynonyms[w]; ok && syn == "new" && slices.Contains(subs, "add") {
			return "add", true // "create solution" → solution add
		}
		return "", false
	}
	// Object first, with a plural or a synonym: "deals list", "deal create".
	if obj, ok := objects[lower(0)]; ok {
		if len(words) == 1 {
			if lower(0) != obj && slices.Contains(s.subverbs(obj), "list") {
				return []string{obj, "list"}, true // "deals" alone
			}
			return nil, false
		}
		if v, ok := verbOf(obj, lower(1)); ok && (obj != lower(0) || v != lower(1)) {
			return append([]string{obj, v}, words[2:]...), true
		}
		return nil, false
	}
	// Verb first: "list deals", "show deal 1", "new deal", "accept referral 3".
	if len(words) >= 2 {
		if obj, ok := objects[lower(1)]; ok {
			if v, ok := verbOf(obj, lower(0)); ok {
				if v == "show" && plurals[lower(1)] && (len(words) == 2 || !isNumber(strings.TrimPrefix(words[2], "#"))) && slices.Contains(s.subverbs(obj), "list") {
					v = "list" // "show deals", "montrer les affaires": not one of them
				}
				return append([]string{obj, v}, words[2:]...), true
			}
		}
	}
	// A list named between verb and object: "list closed deals", "list
	// expiring referrals", "list all deals".
	if len(words) >= 3 && slices.Contains(listTabs, lower(1)) && objects[lower(2)] == "deal" {
		if v, ok := verbOf("deal", lower(0)); ok && v == "list" {
			return append([]string{"deal", "list", words[1]}, words[3:]...), true
		}
	}
	return nil, false
}

// looksLikeCommand tells a command-shaped line from a question, for lines
// whose first word is not a verb: a key=value pair, a verb-first or plural
// wording, a table verb's second word leading a short line or followed by
// a deal number ("accept 12"), or a near miss of a verb.
func (s *Service) looksLikeCommand(words []string, line string) bool {
	if keyPair.MatchString(line) {
		return true
	}
	if _, ok := s.reorder(words); ok {
		return true
	}
	if _, ok := s.nearOrder(words); ok {
		return true
	}
	first := strings.ToLower(words[0])
	var verbs []string
	for _, sp := range s.specs {
		v, _, _ := strings.Cut(sp.verb, " ")
		verbs = append(verbs, v)
	}
	if _, near := spell.Closest(first, verbs); near && len(words) <= 3 {
		return true
	}
	if syn, ok := verbSynonyms[first]; ok {
		first = syn
	}
	if slices.Contains(s.subverbs("deal"), first) && (len(words) <= 2 || isNumber(strings.TrimPrefix(words[1], "#"))) {
		return true
	}
	if _, ok := s.verbRef(words); ok {
		return true
	}
	_, ok := refHint(words)
	return ok
}

// refFiller are the words a sentence puts around a verb and a deal's
// number ("invite microsoft to deal 3", "mark deal 3 as won").
var refFiller = map[string]bool{"to": true, "the": true, "a": true, "as": true, "on": true, "for": true, "please": true, "mark": true, "set": true}

// verbRef reads a sentence naming a deal by its number and what to do with
// it, in any order, as the command: "invite microsoft to deal 3" → deal
// invite 3 microsoft, "mark deal 3 won" → deal won 3. Only words of the
// verb's own (and filler) may follow the deal's number, so that a question
// going on ("a won deal 3 days after …") stays one. (The first was read as
// "deal show 3", the second as a question for the FAQ.)
func (s *Service) verbRef(words []string) (string, bool) {
	out, ok := s.verbRefWords(words)
	return strings.Join(out, " "), ok
}

// verbRefWords is verbRef's command as words.
func (s *Service) verbRefWords(words []string) ([]string, bool) {
	clean := func(w string) string { return strings.ToLower(strings.TrimRight(w, "?!.,:;")) }
	ref := -1 // index of the number
	for i, w := range words {
		w = clean(w)
		switch {
		case strings.HasPrefix(w, "#") && isNumber(w[1:]):
			ref = i
		case isNumber(w) && i > 0 && objects[clean(words[i-1])] == "deal":
			ref = i
		}
	}
	if ref < 0 {
		return nil, false
	}
	verb, subs := -1, s.subverbs("deal")
	for i, w := range words {
		w = clean(w)
		if i == ref || objects[w] == "deal" {
			continue
		}
		if syn, ok := verbSynonyms[w]; ok {
			w = syn
		}
		switch w {
		case "new", "receive", "list", "show":
			continue // take no deal's number, or are the show refHint says
		}
		if slices.Contains(subs, w) {
			verb = i
			break
		}
	}
	if verb < 0 {
		return nil, false
	}
	for i := ref + 1; i < len(words) && i != verb; i++ {
		if w := clean(words[i]); !refFiller[w] && !articles[w] {
			return nil, false // a question going on after the number
		}
	}
	v := clean(words[verb])
	if syn, ok := verbSynonyms[v]; ok {
		v = syn
	}
	out := []string{"deal", v, strings.TrimPrefix(clean(words[ref]), "#")}
	for i := verb + 1; i < len(words); i++ {
		if w := clean(words[i]); i != ref && !refFiller[w] && !articles[w] && objects[w] != "deal" {
			out = append(out, words[i])
		}
	}
	return out, true
}

// refHint reads a line that names a deal or a claim the way replies print
// them as the show command it asks for: "#18" or "18" alone, a noun and
// the number ending the line ("deal #18", "claim 2", "referral 14?"), or
// "#12" ending a line of three words ("what about #12", "show #18").
// Answered by the FAQ instead, a bare number matched whichever entry's
// text held it ("all 18 countries or regions"). A number inside a longer
// line is the question's ("referral 14 days", "what is the #1 reason").
func refHint(words []string) (string, bool) {
	last := len(words) - 1
	num := strings.ToLower(strings.TrimRight(words[last], "?!.,:;"))
	hash := strings.HasPrefix(num, "#")
	id := strings.TrimPrefix(num, "#")
	if !isNumber(id) {
		return "", false
	}
	noun := ""
	if last > 0 {
		noun = strings.ToLower(words[last-1])
	}
	switch {
	case last == 0, refNouns[noun], hash && last <= 2:
	default:
		return "", false
	}
	for _, w := range words {
		if lw := strings.ToLower(w); lw == "claim" || lw == "claims" || lw == "cpor" {
			return "cpor show " + id, true
		}
	}
	return "deal show " + id, true
}

// refNouns are the words a plain number after them names a deal or claim by.
var refNouns = map[string]bool{"deal": true, "deals": true, "claim": true, "cpor": true, "referral": true, "affaire": true, "dossier": true, "affär": true, "affären": true, "transaction": true, "opportunité": true, "opportunite": true}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// find looks a verb up as typed, then in natural word order; it returns
// the words in the table's order.
func (s *Service) find(words []string) (*spec, int, []string) {
	if sp, n := s.lookup(words); sp != nil {
		return sp, n, words
	}
	if re, ok := s.reorder(words); ok {
		if sp, n := s.lookup(re); sp != nil {
			return sp, n, re
		}
	}
	return nil, 0, words
}

// objectHint answers a line that starts with a verb of the table's second
// position but names no object ("accept 12"): it suggests the full verb,
// with every key=value pair typed (as the key the verb takes: "accept 3
// nom=Test" → deal accept 3 name=Test).
func (s *Service) objectHint(args Args) (error, bool) {
	words := args.Words
	if cmd, ok := s.verbRefWords(words); ok {
		return usage("%s is not a command: did you mean %s?", cite(strings.Join(words, " ")), s.suggestion(cmd, args)), true
	}
	if show, ok := refHint(words); ok {
		return usage("%s is not a command: did you mean %s?", cite(strings.Join(words, " ")), show), true
	}
	if fixed, ok := s.nearOrder(words); ok {
		return usage("unknown command %s: did you mean %s?", cite(strings.Join(words[:min(2, len(words))], " ")), s.suggestion(fixed, args)), true
	}
	first := strings.ToLower(words[0])
	for _, obj := range []string{"deal", "solution", "user", "cpor"} {
		v := first
		if syn, ok := verbSynonyms[first]; ok {
			v = syn
		}
		if slices.Contains(s.subverbs(obj), v) {
			return usage("unknown command %s: did you mean %s?", cite(first), s.suggestion(append([]string{obj, v}, words[1:]...), args)), true
		}
	}
	return nil, false
}

// suggestion writes a suggested command's words with the pairs the line
// had, each key the command lacks as the key it stands for (commandLine).
func (s *Service) suggestion(words []string, args Args) string {
	var allowed []string
	if sp, _ := s.lookup(words); sp != nil {
		allowed = append(slices.Clone(sp.required), sp.optional...)
	}
	return commandLine(words, args, allowed)
}

// nearOrder reads a verb-first wording with a typo in the verb or the
// object ("shwo deal 1", "lsit deals") as the command it nearly is.
func (s *Service) nearOrder(words []string) ([]string, bool) {
	if len(words) < 2 {
		return nil, false
	}
	nouns := make([]string, 0, len(objects))
	for n := range objects {
		nouns = append(nouns, n)
	}
	slices.Sort(nouns)
	w0, w1 := strings.ToLower(words[0]), strings.ToLower(words[1])
	if _, isObject := objects[w0]; isObject {
		return nil, false // object first: unknownVerb suggests within it
	}
	obj, ok := objects[w1]
	if !ok {
		n, near := spell.Closest(w1, nouns)
		if !near {
			return nil, false
		}
		obj = objects[n]
	}
	subs := s.subverbs(obj)
	v := w0
	if syn, ok := verbSynonyms[w0]; ok {
		v = syn
	}
	if !slices.Contains(subs, v) {
		near, ok := spell.Closest(w0, subs)
		if !ok {
			return nil, false
		}
		v = near
	}
	return append([]string{obj, v}, words[2:]...), true
}
