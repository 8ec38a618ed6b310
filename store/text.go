package store

import (
	"strings"
	"unicode/utf8"

	"github.com/cosellbot/cosellbot/bot/escape"
)

// maxReason bounds the reason stored with an inbox row.
const maxReason = 2000

// storableText makes a message built from outside input storable in a text
// column of either database: PostgreSQL refuses a NUL and invalid UTF-8
// (SQLSTATE 22021), which would fail the whole statement. Such characters
// are escaped (escape.Line), and the result is cut to max bytes on a
// character boundary.
func storableText(s string, max int) string {
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		s = escape.Line(s)
	}
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
