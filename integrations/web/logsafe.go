package web

import (
	"log/slog"
	"strconv"
	"unicode/utf8"

	"github.com/cosellbot/cosellbot/bot/redact"
)

// MaxLogValue bounds one logged value (a stack trace excepted): an error
// that quotes a request can never make a log line of megabytes.
const MaxLogValue = 2048

// SafeAttr is the slog.HandlerOptions.ReplaceAttr of every logger: it
// hides credentials in URLs (an outgoing webhook's ?code=, a password in
// a database URL) in string and error values, and cuts long values.
// Control characters need nothing here: the text handler quotes them and
// the JSON handler escapes them.
func SafeAttr(_ []string, a slog.Attr) slog.Attr {
	var s string
	switch a.Value.Kind() {
	case slog.KindString:
		s = a.Value.String()
	case slog.KindAny:
		err, ok := a.Value.Any().(error)
		if !ok {
			return a
		}
		s = err.Error()
	default:
		return a
	}
	s = redact.Text(s)
	if a.Key != "stack" && len(s) > MaxLogValue {
		cut := MaxLogValue
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "… (" + strconv.Itoa(len(s)) + " bytes)"
	}
	a.Value = slog.StringValue(s)
	return a
}
