package faq

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/abadojack/whatlanggo"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
)

// Language detection. Chat questions are short ("cpor 5 jours ?", "vad krävs
// för avtalsregistrering"), too short for trigram detectors alone: whatlanggo
// calls "hello" Swedish and "tell me a joke" French. So several cheap
// signals vote:
//
//   - function words (question words, pronouns, prepositions, greetings) per
//     language, also matched without accents so "ou trouver" counts like "où
//     trouver";
//   - letters only one of our languages uses (å ä ö vs é è ç à ù ê œ);
//   - words the knowledge base uses in one language only ("avtalsregistrering",
//     "partenaire", "referral"), learnt from the entries at NewIndex;
//   - whatlanggo restricted to en/fr/sv, weighted by its own confidence.
//
// Ties and silence fall back to the asker's usual language (detectLangAs),
// as their chat client is set to, or to English, the lingua franca of
// Partner Center.

var whatlangAllowed = whatlanggo.Options{Whitelist: map[whatlanggo.Lang]bool{
	whatlanggo.Eng: true, whatlanggo.Fra: true, whatlanggo.Swe: true,
}}

var whatlangToLang = map[whatlanggo.Lang]Lang{
	whatlanggo.Eng: EN, whatlanggo.Fra: FR, whatlanggo.Swe: SV,
}

// functionWords are lower case, with their accents. A token votes for the
// languages whose list holds it as typed; a token typed without accents that
// matches nothing as typed is looked up folded ("ou" → "où", "vad kravs" →
// "krävs"). Words also common in another of our languages ("i", "du", "se",
// "de", "en") are left out on purpose; any word listed twice votes for nobody.
var functionWords = map[Lang][]string{
	EN: {"the", "what", "how", "do", "does", "is", "are", "can", "where", "when", "who", "which", "why",
		"my", "we", "our", "you", "your", "it", "to", "of", "for", "in", "with", "have", "has",
		"there", "get", "should", "must", "need", "and", "or", "after", "before", "long", "many", "much",
		"days", "hours", "did", "will", "about", "from", "this", "that", "happens", "if", "find", "any", "whats",
		"tell", "give", "show", "explain", "hello", "hi", "hey", "thanks", "please", "pls"},
	FR: {"le", "la", "les", "des", "un", "une", "est", "sont", "que", "qui", "quoi", "comment", "où", "ou",
		"quand", "combien", "pour", "avec", "mon", "ma", "mes", "nous", "notre", "nos", "je", "faut",
		"quel", "quelle", "quels", "quelles", "pourquoi", "dans", "sur", "pas", "ce", "c", "d", "l", "qu", "j",
		"peut", "peux", "puis", "jours", "heures", "au", "aux", "avoir", "être", "doit", "dois", "trouver",
		"passe", "si", "après", "avant", "faire", "y", "elle", "vous", "votre", "ne", "plus", "à", "été", "et",
		"bonjour", "salut", "merci", "svp", "stp"},
	SV: {"och", "att", "det", "som", "ett", "är", "vad", "hur", "när", "vem", "vilka", "vilken", "vilket",
		"jag", "vi", "min", "mitt", "mina", "var", "för", "på", "med", "till", "av", "kan", "måste", "krävs",
		"har", "inte", "om", "får", "ska", "hitta", "dagar", "timmar", "efter", "innan", "man", "vart", "vara",
		"sker", "händer", "mellan", "eller", "också", "någon", "något", "finns", "gör", "går", "blir", "vår", "våra",
		"hej", "tack", "snälla"},
}

// britishSpellings are English words the knowledge base's English text
// spells the American way ("program") and its French text uses as they are
// ("programme"): a partner in London typing "partner programme" asks in
// English, so these words must not vote French alone.
const britishSpellings = "programme programmes catalogue catalogues licence licences centre centres organisation organisations"

// ambiguousWords are common in more than one of our languages (English and
// French "a", Swedish and English "i", French and Swedish "du", "se", "en",
// "de"; Swedish "min", English "min" for minimum: "min deal value for
// registration"; English "for", Swedish "för" typed without its accent:
// "krav for deal registration" was answered in English): they vote for
// nobody, even folded.
var ambiguousWords = map[string]bool{"a": true, "i": true, "du": true, "se": true, "en": true, "de": true, "an": true, "on": true, "me": true, "min": true, "for": true}

// functionWordLang maps a word as typed to the languages voting for it, and
// functionWordFolded the same for words typed without accents.
var functionWordLang, functionWordFolded = func() (map[string][]Lang, map[string][]Lang) {
	raw, folded := map[string][]Lang{}, map[string][]Lang{}
	add := func(m map[string][]Lang, w string, l Lang) {
		if ls := m[w]; len(ls) == 0 || ls[len(ls)-1] != l {
			m[w] = append(ls, l)
		}
	}
	for _, l := range Langs {
		for _, w := range functionWords[l] {
			add(raw, w, l)
			add(folded, foldLower(w), l)
		}
	}
	return raw, folded
}()

// folder is bleve's ASCII folding ("é" to "e", "æ" to "ae") with two fast
// paths. Text all in ASCII is its own folding, returned as it is: bleve's
// filter converts every text to runes and back through a buffer four
// times its length, a sixth of what a question allocated, most questions
// being typed without an accent. Text whose other characters are Latin
// letters or common punctuation (below foldedTop: French and Swedish
// accents, "’", "«", "–") is folded a character at a time from
// foldedRunes, bleve's own folding of each; the 41,000 tuning questions'
// folding at every start (typedQuestions) was a tenth of a one-shot ask's
// CPU through bleve. Bleve folds each character on its own, so the table
// gives its bytes exactly (FuzzFoldLower). Anything else goes to bleve
// whole. It is the analyzers' character filter too; each of their calls
// hands it a copy of its own.
var folder analysis.CharFilter = asciiFolder{asciifolding.New()}

type asciiFolder struct{ folding analysis.CharFilter }

// foldedTop bounds the characters foldedRunes holds: Latin-1, the Latin
// extensions and General Punctuation end under it.
const foldedTop = 0x2070

// foldedRunes is bleve's folding of every character from utf8.RuneSelf to
// foldedTop, made when first needed. A sync.Once, not a sync.OnceValue
// variable: package variables fold text while they are initialised (the
// function words, above), through the folder interface, a dependency the
// initialisation order does not see; a zero Once needs none.
func foldedRunes() []string {
	foldedOnce.Do(func() {
		bleve := asciifolding.New()
		foldedTable = make([]string, foldedTop-utf8.RuneSelf)
		for r := rune(utf8.RuneSelf); r < foldedTop; r++ {
			foldedTable[r-utf8.RuneSelf] = string(bleve.Filter([]byte(string(r))))
		}
	})
	return foldedTable
}

var (
	foldedOnce  sync.Once
	foldedTable []string
)

// Filter folds input, or returns it when it is all ASCII.
func (f asciiFolder) Filter(input []byte) []byte {
	i := 0
	for i < len(input) && input[i] < utf8.RuneSelf {
		i++
	}
	if i == len(input) {
		return input
	}
	table := foldedRunes()
	out := make([]byte, i, len(input)+8)
	copy(out, input)
	for i < len(input) {
		if b := input[i]; b < utf8.RuneSelf {
			out = append(out, b)
			i++
			continue
		}
		r, size := utf8.DecodeRune(input[i:])
		if r >= foldedTop || r == utf8.RuneError {
			// Beyond the table, or a byte that is no UTF-8 (bleve reads
			// it as U+FFFD): bleve's own folding of the whole.
			return f.folding.Filter(input)
		}
		out = append(out, table[r-utf8.RuneSelf]...)
		i += size
	}
	return out
}

// foldLower is s folded to ASCII and lower-cased.
func foldLower(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.ToLower(string(folder.Filter([]byte(s))))
		}
	}
	return strings.ToLower(s)
}

// words splits on anything that is not a letter or digit, so "l'ID" gives
// "l" and "id", which is what the function-word lists expect.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !isWordRune(r) })
}

// langVocab holds, per folded word, the languages whose knowledge-base text
// uses it; a word with a single language is a strong hint.
type langVocab map[string]uint8

func (v langVocab) add(l Lang, text string) {
	for _, w := range words(foldLower(text)) {
		if len(w) >= 3 {
			v[w] |= langBit(l)
		}
	}
}

func langBit(l Lang) uint8 {
	for i, x := range Langs {
		if x == l {
			return 1 << i
		}
	}
	return 0
}

// detectLang returns the most likely language of q among en/fr/sv,
// English when q does not tell.
func detectLang(q string, vocab langVocab) Lang {
	return detectLangAs(q, vocab, EN)
}

// detectLangAs is detectLang for an asker whose usual language is usual:
// it wins ties and silence, and Partner Center's English names alone are
// no sign of English from someone whose client is in French or Swedish
// ("cpor seats sold data" from a partner whose Discord is in Swedish).
func detectLangAs(q string, vocab langVocab, usual Lang) Lang {
	q = outsideQuotes(q)
	score := map[Lang]float64{}
	spellingVotes(q, score)
	ws := wordVotes(q, vocab, usual, score)
	// whatlanggo adds at most whatlangWeight, so it can only matter when the
	// leader is closer than that; skipping it otherwise saves its trigram
	// counting on most questions. On a question with no signal of its own
	// ("partner role options", "macc eligible solution": product words the
	// knowledge base uses in several languages) only a guess it calls
	// reliable counts: on a few such words it mostly guesses French, and
	// English, the language of those names, is the better fallback; and
	// on one or two words even a "reliable" guess is not. From an asker
	// whose client is in French or Swedish, silence is theirs.
	if len(ws) > 0 && leadOf(score) <= whatlangWeight {
		info := whatlanggo.DetectWithOptions(q, whatlangAllowed)
		if l, ok := whatlangToLang[info.Lang]; ok && (hasVote(score) || usual == EN && info.IsReliable() && len(ws) >= minWordsAlone) {
			score[l] += whatlangWeight * info.Confidence
		}
	}
	best, bestScore := usual, score[usual]
	for _, l := range Langs {
		if score[l] > bestScore {
			best, bestScore = l, score[l]
		}
	}
	return best
}

// spellingVotes adds to score what q's letters and spacing say of its
// language: Swedish's å, ä and ö, French's accents and its space before
// "?", "!", ":" and ";".
func spellingVotes(q string, score map[Lang]float64) {
	for _, r := range strings.ToLower(q) {
		switch r {
		case 'å', 'ä', 'ö':
			score[SV] += 1.5
		case 'é', 'è', 'ê', 'ç', 'à', 'ù', 'û', 'ô', 'î', 'ï', 'œ', 'â', 'ë':
			score[FR] += 1.5
		}
	}
	if frenchSpacing.MatchString(q) {
		score[FR] += 1.5
	}
}

// wordVotes adds to score what q's words say of its language, for an asker
// whose usual language is usual: function words of one language, and the
// knowledge base's words of one language (vocab). It returns the words.
func wordVotes(q string, vocab langVocab, usual Lang, score map[Lang]float64) []string {
	lower := strings.ToLower(q)
	if strings.ContainsAny(lower, "'’") {
		lower = englishContraction.ReplaceAllString(lower, "$1$2")
	}
	ws := words(lower)
	kbWords := map[Lang]float64{}
	for _, w := range ws {
		if ambiguousWords[w] {
			continue
		}
		ls, ok := functionWordLang[w]
		f := foldLower(w)
		if !ok && f == w {
			ls = functionWordFolded[w]
		}
		if len(ls) == 1 {
			score[ls[0]] += 2
		}
		if bits, ok := vocab[f]; ok {
			for _, l := range Langs {
				if bits == langBit(l) {
					kbWords[l] += 1.25
				}
			}
		}
	}
	// Partner Center's English names are the words French and Swedish
	// partners type too ("krav business profile partner id", "sa deal
	// etikett outbound"): beside a word of the knowledge base's French or
	// Swedish, an English-only word of it counts half. English's function
	// words ("what", "how") still count whole.
	// From an asker whose client is in French or Swedish they count
	// nothing: their own words are the ones to go by.
	// Tried in 0.48.0 and not kept: counting them nothing beside a French
	// or Swedish word from anyone. The tuning set's questions answered in
	// another language fell from 110 to 100 ("sales stage obligatoriskt?"),
	// but an English one became French ("referral expire days": "expire"
	// is the French entries' word), and the measured sets gained one
	// Swedish question and lost one English.
	switch {
	case usual != EN:
		kbWords[EN] = 0
	case kbWords[FR] > 0 || kbWords[SV] > 0:
		kbWords[EN] /= 2
	}
	for l, v := range kbWords {
		score[l] += v
	}
	return ws
}

// quoted matches text in quotes or backticks: Partner Center's English
// labels as partners quote them ("valde 'No help needed right now' och sen
// Yes på 'Do you want Microsoft sellers to see this deal?', blir det
// partner-led?", "le champ `Deal value` est obligatoire ?"). A single quote
// opens only after a space or a bracket and closes only before one or a
// punctuation mark, so French elisions ("l'ID", "qu'on") and English
// contractions are no quotes.
var quoted = regexp.MustCompile("\"[^\"\n]*\"|“[^”\n]*”|«[^»\n]*»|`[^`\n]*`|(?:^|[\\s(])'[^'\n]*'(?:$|[\\s,.;:!?)])")

// outsideQuotes is q without what it quotes, when words remain: the
// asker's own words tell their language, a quoted label only its screen's.
// A message all in quotes is its own text.
func outsideQuotes(q string) string {
	if !strings.ContainsAny(q, "\"'“«`") {
		return q
	}
	out := quoted.ReplaceAllString(q, " ")
	if out == q || len(words(out)) == 0 {
		return q
	}
	return out
}

// minWordsAlone is the fewest words on which whatlanggo's guess decides
// alone: on two it calls "partner programme" French with full confidence.
const minWordsAlone = 3

// whatlangWeight is the most whatlanggo's vote can add (its confidence is in
// [0,1]): less than one function word or one word the knowledge base uses
// in a single language, because on a few words it is often wrong
// ("become services partner microsoft" is French to it).
const whatlangWeight = 1.0

// englishContraction is an English word's clipped ending ("req'd", "we'll",
// "isn't"): split at the apostrophe, "d" read as French's elided "d'" and
// "deal team details req'd" was answered in French (dev6).
var englishContraction = regexp.MustCompile(`(\pL)['’](d|ll|s|t|re|ve|m)\b`)

// frenchSpacing matches French typography's space before ? ! ; and :
// ("cpor ?"): a sign of French even on a question made of acronyms.
var frenchSpacing = regexp.MustCompile(`[^\s?!;:]\s+[?!;:]`)

// hasVote reports whether some language scored.
func hasVote(score map[Lang]float64) bool {
	for _, v := range score {
		if v > 0 {
			return true
		}
	}
	return false
}

// leadOf is the margin between the best and second-best language scores.
func leadOf(score map[Lang]float64) float64 {
	var first, second float64
	for _, l := range Langs {
		switch v := score[l]; {
		case v > first:
			first, second = v, first
		case v > second:
			second = v
		}
	}
	return first - second
}

// spokenVocab returns kb with the words it knows in English only that the
// tuning questions in French or Swedish use marked as that language's too.
// French and Swedish partners write Partner Center's English names
// ("onglets inbound outbound favoris", "krav for deal registration"), and
// each such word weighed as a sign of English: the right answer came back
// in English. A word counts as spoken in a language when that language's
// questions use it at least a quarter as often as the English ones do: a
// French question quoting a button ("le bouton become a partner") does not
// make "become" French, and "become services partner microsoft" was
// detected as French once two such questions had been written.
//
// Words the knowledge base never uses count too, for the one language
// whose questions use them (typed) at least ten times as often as any
// other's: partners' everyday words ("knapp", "funkar", "inloggning",
// "dispo", "créer" typed "creer") beside Partner Center's English names
// ("register deal knapp") were no sign of anything, and the English names
// won.
func spokenVocab(kb langVocab, tuning []typedQuestion) langVocab {
	asked := map[Lang]int{}
	uses := map[Lang]map[string]int{}
	typed := map[Lang]map[string]int{} // words the knowledge base lacks
	var counted []string               // this question's counted words: a handful
	for _, q := range tuning {
		asked[q.lang]++
		if uses[q.lang] == nil {
			uses[q.lang], typed[q.lang] = map[string]int{}, map[string]int{}
		}
		counted = counted[:0]
		for _, w := range q.words {
			if slices.Contains(counted, w) {
				continue
			}
			switch bits, ok := kb[w]; {
			case bits == langBit(EN):
				counted = append(counted, w)
				uses[q.lang][w]++
			case !ok && len(w) >= 3:
				counted = append(counted, w)
				typed[q.lang][w]++
			}
		}
	}
	out := maps.Clone(kb)
	for _, l := range Langs {
		for w, n := range typed[l] {
			if n >= minTypedUses && typedIn(typed, asked, w) == l {
				out[w] = langBit(l)
			}
		}
	}
	for _, l := range Langs {
		if l == EN {
			continue
		}
		for w, n := range uses[l] {
			// n/asked[l] ≥ ¼ · en/asked[EN], in integers.
			if n >= 2 && 4*n*asked[EN] >= uses[EN][w]*asked[l] {
				out[w] |= langBit(l)
			}
		}
	}
	return out
}

// minTypedUses is how many tuning questions must use a word the knowledge
// base lacks before it tells a language: fewer are one writer's habit.
const minTypedUses = 3

// typedIn is the language whose tuning questions use w at least ten times
// as often (per question asked) as any other language's, or "" if none.
func typedIn(typed map[Lang]map[string]int, asked map[Lang]int, w string) Lang {
	var best Lang
	for _, l := range Langs {
		if typed[l][w] > 0 && (best == "" || typed[l][w]*asked[best] > typed[best][w]*asked[l]) {
			best = l
		}
	}
	for _, l := range Langs {
		if l != best && 10*typed[l][w]*asked[best] > typed[best][w]*asked[l] {
			return ""
		}
	}
	return best
}

// typedQuestion is a tuning question as the mender and spokenVocab read
// it: its language and its folded words.
type typedQuestion struct {
	lang  Lang
	words []string
}

// typedQuestions splits the tuning questions into their folded words once,
// for both readers (each did it over the 5,000 questions at every build).
func typedQuestions(tuning []Case) []typedQuestion {
	out := make([]typedQuestion, len(tuning))
	for i, c := range tuning {
		out[i] = typedQuestion{c.Lang, words(foldLower(c.Question))}
	}
	return out
}
