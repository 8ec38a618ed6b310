package faq

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Story words. A partner who writes a paragraph tells their own case
// around the question: the customer's and colleagues' names, the deal's
// amount, the date of the meeting ("Our deal with Brixton Legal is 25 CRM
// licences and my manager Dave wants to know how much commission we'd get
// as a CSA… Thanks, Linnea"). No entry knows those words, so each counted
// as a part of the question the entry does not explain, and the right
// entry, ranked first, was refused with a confidence near 0: a third of
// such messages in session 32's sets. withoutStory takes them out before
// the question is read, when the knowledge base does not use them:
//   - a capitalised word inside a sentence, or signing the message (not
//     an acronym, nor a word the knowledge base uses in any language, nor
//     such a word with a genitive s): a name;
//   - an amount (a number with a currency) whose number the knowledge base
//     does not give;
//   - a month or a weekday the knowledge base does not name, with the day
//     of the month beside it, and a year it does not give.

// withoutStory is q without its story words (see above).
func (ix *Index) withoutStory(q string) string {
	if len(q) < storyMinBytes {
		return q // a short question tells no story, and is most of them
	}
	q = amountPattern.ReplaceAllStringFunc(q, func(m string) string {
		if ix.numbers[numberPattern.FindString(m)] {
			return m
		}
		return " "
	})
	q = datePattern.ReplaceAllStringFunc(q, func(m string) string {
		if ix.knowsAny(m) {
			return m
		}
		return " "
	})
	var b strings.Builder
	last := 0
	locs := storyWordPattern.FindAllStringIndex(q, -1)
	for i, loc := range locs {
		w := q[loc[0]:loc[1]]
		// A sentence's first word is capitalised whatever it is; the last
		// one of the message, after a full stop, is a signature.
		if i == 0 || (sentenceStart(q[:loc[0]]) && i < len(locs)-1) || !ix.isStoryWord(w) {
			continue
		}
		b.WriteString(q[last:loc[0]])
		b.WriteByte(' ')
		last = loc[1]
	}
	if last == 0 {
		return q
	}
	b.WriteString(q[last:])
	return b.String()
}

// withoutMentioned is q without the people it mentions. Slack's adapter
// writes a member's mention as "@" and their name, quoted when the name
// has a space (`"@Ana Diaz" what is cpor`; the quotes go when a verb's
// words are joined: "@Ana Diaz what is cpor"), and chatTokens drops only
// "@Ana": the surname stayed, a word no entry knows, and a question that
// mentioned a colleague was refused (0.23 where it was answered at 0.97
// without). A quoted mention goes whole; an unquoted one with the
// capitalised words after it that are names (isStoryWord), at most
// three.
func (ix *Index) withoutMentioned(q string) string {
	if !strings.Contains(q, "@") || len(q) > 2*maxQuestionBytes {
		return q
	}
	var b strings.Builder
	last := 0
	for _, loc := range mentionPattern.FindAllStringIndex(q, -1) {
		start, end := loc[0], loc[1]
		if start > 0 {
			if r, _ := utf8.DecodeLastRuneInString(q[:start]); !unicode.IsSpace(r) && !strings.ContainsRune(`("'«`, r) {
				continue // an address's @ (ana@contoso.com), no mention
			}
		}
		if q[start] == '@' {
			for range 3 {
				m := nameAfterPattern.FindStringSubmatchIndex(q[end:])
				if m == nil || !ix.isStoryWord(q[end+m[2]:end+m[3]]) {
					break
				}
				end += m[1]
			}
		}
		b.WriteString(q[last:start])
		b.WriteByte(' ')
		last = end
	}
	if last == 0 {
		return q
	}
	b.WriteString(q[last:])
	return b.String()
}

var (
	// mentionPattern finds a mention: a quoted "@Name Surname" or @name.
	mentionPattern = regexp.MustCompile(`"@[^"\n]{1,80}"|@[\pL\pN._-]+`)
	// nameAfterPattern finds the word right after a mention.
	nameAfterPattern = regexp.MustCompile(`^[ \t]+([\pL][\pL'-]*)`)
)

// storyMinBytes is the shortest message withoutStory reads: a story takes
// a sentence or two around the question.
const storyMinBytes = 60

// isStoryWord reports whether w, a word of a question, is a name, a month
// or a weekday the knowledge base does not use.
func (ix *Index) isStoryWord(w string) bool {
	f := foldLower(w)
	if ix.vocab[f] != 0 || (strings.HasSuffix(f, "s") && ix.vocab[f[:len(f)-1]] != 0) {
		return false
	}
	if calendarWords[f] {
		return true
	}
	r0, n := utf8.DecodeRuneInString(w)
	r1, _ := utf8.DecodeRuneInString(w[n:])
	return unicode.IsUpper(r0) && unicode.IsLower(r1) && utf8.RuneCountInString(w) >= 3
}

// sentenceStart reports whether the text before a word ends a sentence.
func sentenceStart(before string) bool {
	before = strings.TrimRight(before, " \t\n\"'«(")
	return before == "" || strings.HasSuffix(before, ".") || strings.HasSuffix(before, "!") || strings.HasSuffix(before, "?") || strings.HasSuffix(before, ":")
}

// knowsAny reports whether the knowledge base uses a word of s.
func (ix *Index) knowsAny(s string) bool {
	for _, w := range words(foldLower(s)) {
		if ix.vocab[w] != 0 {
			return true
		}
	}
	return false
}

// calendarWords are the months and weekdays in English, French and
// Swedish, folded ("mai", "maj"; "may" is an English verb too, and a stop
// word already).
var calendarWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`january february march april june july august september october november december
		janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre
		januari februari april maj juni juli augusti oktober
		monday tuesday wednesday thursday friday saturday sunday
		lundi mardi mercredi jeudi vendredi samedi dimanche
		mandag tisdag onsdag torsdag fredag lordag sondag mandags tisdags onsdags torsdags fredags lordags sondags`) {
		m[w] = true
	}
	return m
}()

var (
	// numberPattern finds a number's digits.
	numberPattern = regexp.MustCompile(`\d+`)
	// storyWordPattern finds words: letters, digits and inner hyphens.
	storyWordPattern = regexp.MustCompile(`[\pL\pN]+(?:-[\pL\pN]+)*`)
	// amountPattern finds an amount, after normalize has joined its digit
	// groups ("300 000 kr" → "300000 kr", "80k" → "80000").
	amountPattern = regexp.MustCompile(`(?i)[$€£]\s?\d+(?:[.,]\d+)?|\b\d+(?:[.,]\d+)?\s?(?:[$€£]|(?:kr|kronor|sek|eur|euros?|usd|dollars?|gbp)\b)`)
	// datePattern finds a day of a month ("30 juin", "June 30th", "den 3
	// juni", "le 8 mars") and a year, after normalize ("30 th").
	datePattern = regexp.MustCompile(`(?i)\b\d{1,2}(?:\s?(?:st|nd|rd|th|er|e))?\s+(?:january|february|march|april|may|june|july|august|september|october|november|december|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre|januari|februari|maj|juni|juli|augusti|oktober)\b|\b(?:january|february|march|april|may|june|july|august|september|october|november|december)\s+\d{1,2}(?:\s?(?:st|nd|rd|th)\b)?|\bthe\s+\d{1,2}\s?(?:st|nd|rd|th)\b|\b(?:19|20)\d\d\b`)
)
