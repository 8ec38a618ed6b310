// Package escape makes text from outside (a deal name typed in chat, a
// record id a CRM sent, a header of an unauthenticated request) safe to
// print: on a terminal, where an escape sequence could move the cursor,
// rewrite a line or set the title; in a log, where a newline forges a line
// and a megabyte of header floods the disk; and in chat.
//
// Line and Text escape; Quote also bounds. They are the one place that
// decides what is printable, so every printer (the shell, `ask`, `cosellbot
// inbox`, logs, error messages echoing a request) agrees.
package escape

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line escapes s for a one-line context (a log value, a list row, a
// record id): every control character, newlines and tabs included, every
// invalid UTF-8 byte, and the invisible characters that reorder or hide
// text (bidirectional overrides, zero-width marks) are written as Go escapes
// (\n, \x1b, \u202e, \xff). Printable text, accents and emoji included,
// comes out unchanged, so escaping is invisible for ordinary input.
func Line(s string) string { return escape(s, false) }

// Text is Line for multi-line text printed as it is (a chat reply in a
// terminal): newlines and tabs are kept, everything else Line escapes is
// escaped.
func Text(s string) string { return escape(s, true) }

// MaxQuote is how many bytes of client input Quote keeps by default.
const MaxQuote = 64

// Quote is how an error message or a log line cites something a client
// sent: at most max bytes of it (MaxQuote when max ≤ 0), cut on a character
// boundary, in double quotes with Line's escapes, and followed by the full
// size when it was cut, as in "17000000000000…" (900000 bytes). Whatever a
// stranger sends, the echo stays short and on one line.
func Quote(s string, max int) string {
	if max <= 0 {
		max = MaxQuote
	}
	if len(s) <= max {
		return `"` + strings.ReplaceAll(Line(s), `"`, `\"`) + `"`
	}
	cut := max
	for cut > 0 && cut < len(s) && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return `"` + strings.ReplaceAll(Line(s[:cut]), `"`, `\"`) + `…" (` + strconv.Itoa(len(s)) + " bytes)"
}

// Clean reports whether s needs no escaping by Line: valid UTF-8 with no
// control or invisible formatting character.
func Clean(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return false
			}
		}
		if unsafe(r, false) {
			return false
		}
	}
	return true
}

// unsafe reports a character that is not printed as itself: C0 and C1
// controls and DEL, and Unicode format characters (Cf: bidirectional
// overrides and isolates, zero-width joiners and spaces, the BOM), which
// can make text read differently from what it holds.
func unsafe(r rune, keepLayout bool) bool {
	if keepLayout && (r == '\n' || r == '\t') {
		return false
	}
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

func escape(s string, keepLayout bool) string {
	// Fast path: most text needs nothing.
	clean := true
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf { // ASCII: only C0 controls and DEL need escaping
			if c == 0x7f || (c < 0x20 && !(keepLayout && (c == '\n' || c == '\t'))) {
				clean = false
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafe(r, keepLayout) {
			clean = false
			break
		}
		i += size
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(hex2(s[i]))
		case !unsafe(r, keepLayout):
			b.WriteString(s[i : i+size])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80:
			b.WriteString(`\x`)
			b.WriteString(hex2(byte(r)))
		default:
			q := strconv.QuoteRuneToASCII(r) // '\u202e'
			b.WriteString(q[1 : len(q)-1])
		}
		i += size
	}
	return b.String()
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}

// MaxMessage is how long Bound keeps a message by default.
const MaxMessage = 300

// Bound is Line cut to at most max bytes (MaxMessage when max ≤ 0), on a
// character boundary, followed by the original size when it was cut: for a
// whole message that may quote client input (an error a decoder returned),
// where Quote is for one value.
func Bound(s string, max int) string {
	if max <= 0 {
		max = MaxMessage
	}
	n := len(s)
	if n > 4*max {
		s = s[:4*max] // escaping grows text at most 4×: do not escape what is cut anyway
	}
	s = Line(s)
	if len(s) <= max && n <= 4*max {
		return s
	}
	cut := min(max, len(s))
	for cut > 0 && cut < len(s) && !utf8.RuneStart(s[cut]) {
		cut--
	}
	// Do not end inside an escape such as \x1b.
	if i := strings.LastIndexByte(s[:cut], '\\'); i >= 0 && cut-i < 6 {
		cut = i
	}
	return s[:cut] + "… (" + strconv.Itoa(n) + " bytes)"
}
