package deal

import (
	"strings"
	"unicode"
)

// OneLine is a one-line field (a deal's or customer's name) as stored:
// line breaks, tabs and other control characters become spaces, runs of
// spaces one. A name is printed at the head of cards, lists, reminders and
// history lines: with a line break in it, anyone who may name a deal could
// print lines that look like the card's own ("Status: Won"). Notes keep
// their lines.
func OneLine(s string) string {
	if strings.IndexFunc(s, breaksLine) < 0 {
		return strings.TrimSpace(s)
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return breaksLine(r) || unicode.IsSpace(r) }), " ")
}

func breaksLine(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\u0085'
}
