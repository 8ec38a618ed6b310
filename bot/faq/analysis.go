package faq

import (
	"fmt"
	"sort"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/sv"
	"github.com/blevesearch/bleve/v2/analysis/token/compound"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// Our analyzers are bleve's en/fr/sv analyzers with three additions:
//
//   - Accent folding in front: users type "ou trouver mon id partenaire" or
//     "vad kravs" on keyboards without accents, and the folded text must meet
//     the folded index. Folding happens before stop-word removal, so each stop
//     list is folded too ("där" → "dar"); otherwise folded stop words would
//     survive and add noise. Index and query share the analyzer, so stemming
//     folded words is consistent on both sides.
//   - One-letter tokens are dropped ("passe t il", "l ID" without apostrophe):
//     they match nothing and would only count as unknown words. Single
//     digits stay: "5 business days" and "3 customer references" need them.
//     Tokens over maxWordRunes are dropped too.
//   - Swedish decompounding: Swedish glues words together
//     ("avtalsregistrering", "företagsprofiler", "72-timmarsregeln"), so a
//     user writing "registrering av avtal" or "profiler" would miss them. The
//     dictionary compound filter adds the known words found inside a compound
//     (at the same position, which coverage uses to group them). Its
//     dictionary is built from the knowledge base's own Swedish words at
//     NewIndex time plus a few common domain words, which is why the analyzer
//     is built per index rather than once globally.
//
// Tried in session 15 and not kept: a question in another language than an
// index's, matched against it, losing its own stop and filler words there
// when every other word is known to that index ("c'est quoi les sales
// stages", "vad är close as error": English names in French and Swedish
// sentences, which partners write and the measured sets hardly hold).
// Coverage of such questions rose to 1.0, but refitted (threshold 0.729)
// "les sales stages" stayed refused (0.62 against 0.03; cross-language
// winners weigh less), while tuning leave-one-out fell to 2,670 right
// (against 2,676), the hold-out stayed at 995 right, 10 wrong, 39 of 45
// refused, and the fresh set fell to 169 (against 170). Dropping them
// whatever the other words: tuning 2,655, hold-out 995 with 38 refused,
// fresh 168.
//
// Tried in faq9 and not kept: mapping the stems of Swedish inflected forms
// to their base form's where Snowball tells them apart ("avtalet" and
// "avtal", "kontot" and "konto", "affärer" → "affar" against "affär" →
// "aff"), the pairs taken from the knowledge base's words with a list of
// definite and plural endings. Refitted, tuning leave-one-out fell from
// 1761 to 1741 right (Swedish 599 to 589), the hold-out from 993 to 990
// (Swedish 325 to 323), the fresh set stayed at 167 with 3 wrong against 2.

// compoundWordsKey is the analyzer config key holding the decompounding
// dictionary (folded words).
const compoundWordsKey = "compound_words"

// Decompounding bounds: parts shorter than 4 letters ("av", "för") are too
// often accidental substrings; words shorter than 7 are rarely compounds.
const (
	compoundMinWord = 7
	compoundMinPart = 4
	compoundMaxPart = 20
)

// extraCompoundParts are Swedish domain words users combine into compounds
// that the knowledge base does not necessarily use standalone.
var extraCompoundParts = []string{
	"avtal", "affär", "affärer", "regel", "regler", "värde", "belopp", "profil", "profiler",
	"kund", "kunder", "konto", "roll", "steg", "faser", "program", "avgift", "partner",
	"lösning", "lösningar", "registrering", "försäljning", "hänvisning", "möjlighet", "plats",
	"timmar", "dagar", "datum", "provision", "favorit", "team", "kontakt", "dubblett",
}

// swedishCompoundWords builds the decompounding dictionary from the Swedish
// texts: every folded word of at least compoundMinPart letters that is not a
// stop word.
func swedishCompoundWords(texts []string) []string {
	stops := foldedStopWords(SV)
	set := map[string]bool{}
	for _, w := range extraCompoundParts {
		set[foldLower(w)] = true
	}
	for _, t := range texts {
		for _, w := range words(foldLower(t)) {
			if len([]rune(w)) >= compoundMinPart && !stops[w] && !isDigits(w) {
				set[w] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for w := range set {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

var stopMapName = map[Lang]string{EN: en.StopName, FR: fr.StopName, SV: sv.StopName}

// chatStopWords extend bleve's stop lists with what chat questions add
// around the topic: greetings, contractions typed without apostrophes, and
// verbs that only frame the question ("c'est quoi", "vad menas"). Left in,
// they are unknown to the knowledge base and would lower every confidence.
var chatStopWords = map[Lang][]string{
	// Tried in session 55 and not kept: "us" as English filler, with "US"
	// as typed written "USA" before folding (the country, as the Swedish
	// texts spell it), since "is CSP worth it for us?" met the CSP
	// regions' "US CSP can sell to which customers" and was answered with
	// them (dev24). Refitted (threshold 0.397), dev24's English answered 2
	// more right, but the tuning set left one out 11 fewer (4 fewer
	// wrong), and three measured sets moved by one each (two down).
	// Tried in faq9b and not kept: "much", "many", "per" (English),
	// "combien" (French), "många", "per" (Swedish) as filler, the intents
	// and figure patterns reading them on the raw text. Tuning 1750 → 1747
	// right, 228 → 226 refused; hold-out 992 → 993 at 11 wrong; fresh
	// 167 → 166 at 4 wrong (2.2 %).
	EN: {"can", "could", "would", "may", "might", "cant", "cannot", "dont", "doesnt", "isnt", "arent", "didnt",
		"werent", "wasnt", "havent", "hasnt", "wouldnt", "shouldnt", "couldnt", "im", "ive", "whats", "wheres", "hows",
		"hi", "hello", "hey", "please", "pls", "plz", "thanks", "thank", "thx", "question", "quick", "ok", "okay", "tell", "know",
		"thing", "things", "stuff", "exactly", "btw", "actually", "basically", "really", "just", "guys", "anyone", "someone",
		"kinda", "wondering", "wonder", "idea", "ur", "pc", "stand", "stands", "mean", "means", "meaning", "definition",
		"define", "explain", "explained", "overview", "exist", "exists", "there", "etc", "yet", "also", "still",
		"way", "anything", "something", "do", "does", "did", "done", "now",
		"want",
		// Register and hedging: words that frame a chat question in any
		// topic and never name the thing asked about.
		"um", "uh", "hmm", "ah", "oh", "lol", "yeah", "yep", "hiya", "folks", "team", "everyone", "anybody",
		"somebody", "quickly", "sorry", "sure", "wondered", "curious", "asking", "ask", "wanted",
		"fyi", "tbh", "imo", "afaik", "iirc", "ya", "gonna", "wanna", "gotta", "u", "r", "ppl", "pls", "plz",
		"honestly", "literally", "like", "right", "well", "anyway", "anyways", "though", "again",
		"remind", "reminder", "confirm", "clarify", "wait", "hm", "mate", "bit", "lot", "whole",
		// How the answer should be put, and who is asking: the form of the
		// question, never its topic ("cpor in a nutshell", "noob question").
		"noob", "newbie", "beginner", "dumb", "silly", "stupid", "nutshell", "tldr", "eli5", "brief", "briefly",
		"summary", "summarize", "summarise", "sentence", "sentences", "plain", "simple", "simply", "concretely",
		"oops", "whoops", "ugh", "argh", "cheers", "tia", "guess", "suppose", "maybe", "perhaps", "probably",
		"totally", "pretty", "super", "understand", "confused",
		// The definition question's own words (qqdef reads them).
		"abbreviation", "abbreviations", "abbreviated", "acronym", "acronyms", "abbr",
		// A question passed on, and the belief it asks about ("my boss
		// thinks…, is that true?"): who asks and how they frame it.
		"boss", "manager", "colleague", "colleagues", "coworker", "coworkers", "says", "said", "thinks",
		"thought", "believes", "told", "true", "correct",
		// Urgency, politeness and sign-offs of a message written like an
		// email: they frame any question and name no topic, and one
		// learned example holding "urgent" drew an HR message to its entry.
		"urgent", "urgently", "asap", "rush", "hurry", "kindly", "regards", "dear", "appreciate",
		"appreciated", "advance", "greetings", "morning", "afternoon", "hope", "grateful"},
	FR: {"quoi", "koi", "comment", "bonjour", "salut", "coucou", "hello", "merci", "svp", "stp", "question", "faut", "peut", "peux", "puis",
		"dois", "doit", "est-ce", "exactement", "chose", "deja", "coup", "fait", "genre", "bon", "alors", "bref", "vraiment",
		"qqn", "qqch", "quelqu", "quelque", "jsp", "sais", "savoir", "pk", "pq", "qd", "pr", "tt", "bcp", "ds", "ya", "abreviation",
		"signifie", "signification", "veut", "dire", "definition", "explique", "expliquer", "expliques", "existe", "existent",
		"ca", "cela", "ceci", "faire", "fais", "font", "avoir", "ai", "as", "ont",
		"maintenant", "aide", "aider", "sert", "servent",
		"euh", "bah", "ben", "hein", "enfin", "fin", "franchement", "juste", "svp", "stp", "mdr", "lol",
		"oui", "ouais", "voila", "voilà", "dites", "dis", "rappel", "rappelle", "rappeler", "confirmer",
		"confirme", "preciser", "précise", "petite", "petit", "demande", "demander", "fait", "sinon",
		"bien", "trop", "genre", "style", "tous", "gens", "equipe", "équipe", "monde", "vite", "rapide",
		// La forme de la réponse et qui demande ("le cpor en bref",
		// "question de débutant").
		"débutant", "debutant", "débutante", "novice", "bête", "bete", "résumé", "resume", "résumer", "phrase",
		"phrases", "mots", "simplement", "simple", "concrètement", "concretement", "oups", "zut", "mince",
		"truc", "trucs", "machin", "carrément", "tiens", "écoute", "ecoute", "peut-être", "comprends",
		"comprendre", "explication", "explications", "perso", "apparemment", "svp",
		"btw", "acronyme", "acronymes", "abreviations",
		// Une question transmise et la croyance qu'elle vérifie (« un
		// collègue dit que…, c'est vrai ? »).
		"collègue", "collegue", "collègues", "collegues", "boss", "chef", "manager", "patron", "dit", "pense",
		"croit", "affirme", "vrai", "correct",
		// English chat openers typed in French ("quick q, pour créer…").
		"quick", "q",
		// L'urgence, la politesse et la signature d'un message écrit comme
		// un courriel.
		"urgent", "urgente", "urgence", "pressé", "pressée", "presse", "cordialement", "journée", "journee",
		"bonne", "madame", "monsieur", "pourriez", "pourrais", "souhaiterais", "aimerais", "voudrais",
		"remercie", "remerciant", "avance", "renseigner", "éclairer", "eclairer"},
	SV: {"hej", "hallå", "tjena", "tja", "tack", "snälla", "fråga", "menas", "betyder", "betydelse", "innebär", "exakt", "gäller",
		"egentligen", "liksom", "typ", "asså", "alltså", "ju", "nån", "någon", "något", "några", "undrar", "vet", "bara", "nu",
		"står", "förklara", "förklaring", "finns", "grej", "grejen",
		"ska", "skulle", "vill", "kan", "kunna", "måste", "man", "vi", "oss", "det", "den", "används",
		"asså", "assa", "ba", "va", "eh", "öh", "hmm", "aa", "ja", "jo", "nej", "okej", "ok", "förresten",
		"iaf", "btw", "lol", "snabb", "snabbt", "kort", "påminn", "påminna", "bekräfta", "förtydliga",
		"någon", "nån", "nåt", "nånting", "alla", "folk", "ni", "du", "dig", "hjälp", "hjälpa", "tacksam",
		"undra", "undrade", "fundera", "funderar", "grejer", "sak", "saker",
		// Hur svaret ska ges och vem som frågar ("cpor i korthet",
		// "nybörjarfråga", "på ren svenska").
		"nybörjare", "nybörjarfråga", "dum", "dumt", "korthet", "kortfattat", "sammanfattning", "sammanfatta",
		"mening", "meningar", "svenska", "enkelt", "enkla", "konkret", "konkreta", "rent", "hoppsan", "oj", "oops",
		"precis", "nuförtiden", "numera", "kanske", "tydligen", "visst", "fattar", "förstår", "guida",
		"guide", "ärligt", "grejen",
		"förkortning", "förkortningen", "förkortningar", "förkortat", "förkortad", "akronym", "akronymen",
		// En fråga som förs vidare och tron den prövar ("kollegan tror
		// att…, stämmer det?").
		"kollega", "kollegan", "kollegor", "chef", "chefen", "säger", "tror", "påstår", "stämmer", "sant",
		// Engelska inledningar i svensk chatt ("quick q, hur…").
		"quick", "q",
		// Brådska, artighet och hälsningsfraser i ett meddelande skrivet
		// som ett mejl.
		"brådska", "bradska", "brådskar", "brådskande", "bradskande", "bråttom", "brattom", "hälsningar",
		"halsningar", "mvh", "vänligen", "vanligen", "förhand", "forhand", "hoppas", "upplysa", "morgon",
		"eftermiddag"},
}

// Tried in faq9 and not kept: dropping as stop words what English's stop
// list drops and French's or Swedish's keeps ("pourquoi", "quand", "si",
// "encore", "après", "avant", "lorsque", "plus"; "fortfarande", "igen",
// "innan", "ändå"), which only some entries' phrasings share. Refitted,
// tuning leave-one-out 1755 right (against 1761), the hold-out 991 with 11
// wrong (against 993 with 9), the fresh set 168 with 3 wrong (against 167
// with 2). Nor "quelqu'un", "quelques-uns", "n'importe" (the tokenizer
// keeps the apostrophe, so "quelqu" never meets them): beside the "mettre
// à jour" rewrite, tuning 1760 right (against 1761), the hold-out the same
// (994), the fresh set 166 (against 167).
// Nor, in session 13, "pc" (Partner Center) as French and Swedish filler as
// it is in English (it was among the unknown words of refused French and
// Swedish tuning questions): refitted, tuning leave-one-out 2,662 right and
// 63 wrong against 2,676 and 64 (Swedish 897 against 905); not measured
// further.

// foldedStopWords returns the language's stop words, original and folded.
func foldedStopWords(l Lang) analysis.TokenMap {
	stops, err := registry.NewCache().TokenMapNamed(stopMapName[l])
	if err != nil {
		panic(err) // the lang packages are linked in; this cannot fail
	}
	folded := analysis.NewTokenMap()
	for w := range stops {
		folded.AddToken(w)
		folded.AddToken(foldLower(w))
	}
	for _, w := range chatStopWords[l] {
		folded.AddToken(foldLower(w))
	}
	return folded
}

func newAnalyzer(l Lang, config map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
	tok, err := cache.TokenizerNamed(unicodetok.Name)
	if err != nil {
		return nil, err
	}
	fold := folder
	var pre []string // filters between lowercasing and stop words
	var stemName string
	switch l {
	case EN:
		pre, stemName = []string{en.PossessiveName}, porter.Name
	case FR:
		// Elision strips l', d', qu'… so "l'ID" matches "ID".
		pre, stemName = []string{fr.ElisionName}, fr.LightStemmerName
	case SV:
		stemName = sv.SnowballStemmerName
	default:
		return nil, fmt.Errorf("faq: no analyzer for language %q", l)
	}
	var filters []analysis.TokenFilter
	for _, name := range append([]string{lowercase.Name}, pre...) {
		f, err := cache.TokenFilterNamed(name)
		if err != nil {
			return nil, err
		}
		filters = append(filters, f)
	}
	filters = append(filters, wordLength{}, stop.NewStopTokensFilter(foldedStopWords(l)))
	if raw, ok := config[compoundWordsKey]; ok && l == SV {
		dict := analysis.NewTokenMap()
		switch ws := raw.(type) {
		case []interface{}:
			for _, w := range ws {
				if s, ok := w.(string); ok {
					dict.AddToken(s)
				}
			}
		case []string:
			for _, s := range ws {
				dict.AddToken(s)
			}
		}
		if len(dict) > 0 {
			filters = append(filters, compound.NewDictionaryCompoundFilter(dict, compoundMinWord, compoundMinPart, compoundMaxPart, false))
		}
	}
	// Tried in faq9b and not kept: a Swedish filter after the stemmer
	// stripping the definite neuter ending Snowball leaves on ("värdet",
	// "fältet", "steget", "kontot", "programmet" as "värde", "fält"…).
	// Tuning 1735 right (threshold refitted to 0.77), 1936 ranked first;
	// hold-out 992 at 9 wrong; fresh 167 at 4 wrong (2.2 %); the tuning
	// curve (-curve, all cv, sum w15..w40) 8449 against 8459.
	stem, err := cache.TokenFilterNamed(stemName)
	if err != nil {
		return nil, err
	}
	filters = append(filters, stem)
	return &analysis.DefaultAnalyzer{
		CharFilters:  []analysis.CharFilter{fold},
		Tokenizer:    tok,
		TokenFilters: filters,
	}, nil
}

// maxWordRunes bounds token length: nothing longer is a word (the longest
// Swedish compounds of the knowledge base have about 25 letters), and pasted
// garbage would otherwise cost the decompounder and the stemmers time.
const maxWordRunes = 40

// wordLength removes one-letter tokens except digits, and tokens longer than
// maxWordRunes.
type wordLength struct{}

func (wordLength) Filter(input analysis.TokenStream) analysis.TokenStream {
	out := input[:0]
	for _, tok := range input {
		n := utf8.RuneCount(tok.Term)
		if n > maxWordRunes {
			continue
		}
		if r, _ := utf8.DecodeRune(tok.Term); n == 1 && !unicode.IsDigit(r) {
			continue
		}
		out = append(out, tok)
	}
	return out
}
