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
// too: the entries that answer it state their days in digits.
var figureQuestion = regexp.MustCompile(`\bhow many\b|\bat most\b|\bmaximum\b|\bper (year|month|week|quarter)\b|\bon average\b|\bpercentage\b|` +
	`\bcombien d(e|es|')\s*(\S+)|\bau (plus|maximum)\b|\bpar (an|mois|semaine|trimestre)\b|\ben moyenne\b|\bpourcentage\b|` +
	`\bhur manga\b|\bsom mest\b|\bmax(imalt|imum)\b|\bper (ar|manad|vecka|kvartal)\b|\bi (snitt|genomsnitt)\b|\bhur stor andel\b`)

// figureHints are substrings without which figureQuestion cannot match:
// most questions skip the regexp.
var figureHints = []string{"many", "most", "max", "per ", "average", "percentage", "combien", "au plus", "par ", "moyenne", "pourcentage", "manga", "mest", "snitt", "andel"}

func mayAskFigure(n string) bool {
	for _, h := range figureHints {
		if strings.Contains(n, h) {
			return true
		}
	}
	return false
}

// figureAnswer matches answers, folded, that state a number: digits or a
// small number in words ("four stages", "sex fält"); not the digit of a
// name such as "P2P".
var figureAnswer = regexp.MustCompile(`\b\d+\b|\b(two|three|four|five|six|seven|eight|nine|ten|twelve|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|tva|tre|fyra|fem|sex|sju|atta|nio|tio|tolv)\b`)
