package escape_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cosellbot/cosellbot/bot/escape"
)

func TestLineAndText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, line, text string
	}{
		{"plain", "Fabrikam BI", "Fabrikam BI", "Fabrikam BI"},
		{"accents and emoji", "Åre fiskeläge — café 🎉", "Åre fiskeläge — café 🎉", "Åre fiskeläge — café 🎉"},
		{"terminal escape", "deal\x1b[2J\x1b]0;pwned\x07", `deal\x1b[2J\x1b]0;pwned\x07`, `deal\x1b[2J\x1b]0;pwned\x07`},
		{"forged log line", "x\nlevel=ERROR msg=forged", `x\nlevel=ERROR msg=forged`, "x\nlevel=ERROR msg=forged"},
		{"carriage return", "ok\rEVIL", `ok\rEVIL`, `ok\rEVIL`},
		{"tab", "a\tb", `a\tb`, "a\tb"},
		{"NUL and DEL", "a\x00b\x7f", `a\x00b\x7f`, `a\x00b\x7f`},
		{"invalid UTF-8", "a\xffb\xc3", `a\xffb\xc3`, `a\xffb\xc3`},
		{"C1 control", "a\u009bb", `a\u009bb`, `a\u009bb`},
		{"bidi override", "invoice\u202egnp.exe", `invoice\u202egnp.exe`, `invoice\u202egnp.exe`},
		{"zero width", "ad\u200bmin", `ad\u200bmin`, `ad\u200bmin`},
		{"line separator", "a\u2028b", `a\u2028b`, `a\u2028b`},
	}
	for _, tt := range tests {
		if got := escape.Line(tt.in); got != tt.line {
			t.Errorf("%s: Line(%q) = %q, want %q", tt.name, tt.in, got, tt.line)
		}
		if got := escape.Text(tt.in); got != tt.text {
			t.Errorf("%s: Text(%q) = %q, want %q", tt.name, tt.in, got, tt.text)
		}
		if got, want := escape.Clean(tt.in), tt.line == tt.in; got != want {
			t.Errorf("%s: Clean(%q) = %v, want %v", tt.name, tt.in, got, want)
		}
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"short", "1795600000", 0, `"1795600000"`},
		{"quotes inside", `a"b`, 0, `"a\"b"`},
		{"control", "a\nb", 0, `"a\nb"`},
		{"cut", strings.Repeat("7", 900_000), 8, `"77777777…" (900000 bytes)`},
		{"cut on a character boundary", "ééééé", 3, `"é…" (10 bytes)`},
		{"default bound", strings.Repeat("x", 100), 0, `"` + strings.Repeat("x", escape.MaxQuote) + `…" (100 bytes)`},
	}
	for _, tt := range tests {
		if got := escape.Quote(tt.in, tt.max); got != tt.want {
			t.Errorf("%s: Quote(…, %d) = %q, want %q", tt.name, tt.max, got, tt.want)
		}
	}
}

// FuzzLine checks that Line's output is always valid UTF-8 with no control
// or format character, and that clean input is unchanged.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "plain", "a\x1b[31mred", "a\xffb", "\u202e", "x\ny", "é\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := escape.Line(s)
		if !utf8.ValidString(got) || !escape.Clean(got) {
			t.Fatalf("Line(%q) = %q still needs escaping", s, got)
		}
		if escape.Clean(s) && got != s {
			t.Fatalf("Line(%q) = %q changed clean text", s, got)
		}
		text := escape.Text(s)
		if layout := strings.NewReplacer("\n", "", "\t", "").Replace(text); !utf8.ValidString(text) || !escape.Clean(layout) {
			t.Fatalf("Text(%q) = %q still needs escaping", s, text)
		}
		// Clean once its layout is set aside: valid UTF-8 first, since
		// taking a tab out of "\xc6\t\xb5" joins two stray bytes into "Ƶ".
		if utf8.ValidString(s) && escape.Clean(strings.NewReplacer("\n", "", "\t", "").Replace(s)) && text != s {
			t.Fatalf("Text(%q) = %q changed clean text", s, text)
		}
		q := escape.Quote(s, 16)
		if len(q) > 16*6+40 || strings.ContainsAny(q, "\n\r\x1b") {
			t.Fatalf("Quote(%q) = %q is not short and on one line", s, q)
		}
	})
}

func TestBound(t *testing.T) {
	t.Parallel()
	long := "X-Cosellbot-Timestamp \"" + strings.Repeat("7", 900_000) + "\" is not Unix seconds"
	got := escape.Bound(long, 0)
	if len(got) > escape.MaxMessage+30 || !strings.HasSuffix(got, "(900044 bytes)") || !strings.HasPrefix(got, "X-Cosellbot-Timestamp \"777") {
		t.Errorf("Bound(900 KB) = %q", got)
	}
	if got := escape.Bound("short\nmessage", 0); got != `short\nmessage` {
		t.Errorf("Bound(short) = %q", got)
	}
	if got := escape.Bound("ab\x1bcd", 4); got != `ab… (5 bytes)` {
		t.Errorf("Bound cut inside an escape: %q", got)
	}
}
