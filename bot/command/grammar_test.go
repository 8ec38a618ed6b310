package command

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		words []string
		pairs map[string]string
		err   string
	}{
		{"words only", "deal show 12", []string{"deal", "show", "12"}, map[string]string{}, ""},
		{"pairs after words", "deal new kind=ip value=100", []string{"deal", "new"}, map[string]string{"kind": "ip", "value": "100"}, ""},
		{"quoted value with spaces", `deal new name="Contoso cloud move"`, []string{"deal", "new"}, map[string]string{"name": "Contoso cloud move"}, ""},
		{"escaped quote inside", `x notes="say \"hi\" \\o/"`, []string{"x"}, map[string]string{"notes": `say "hi" \o/`}, ""},
		{"typographic quotes from Slack", "x name=\u201cBig deal\u201d", []string{"x"}, map[string]string{"name": "Big deal"}, ""},
		{"value keeps equals signs", `x notes="a=b"`, []string{"x"}, map[string]string{"notes": "a=b"}, ""},
		{"key is lower-cased", "x Close=2027-01-01", []string{"x"}, map[string]string{"close": "2027-01-01"}, ""},
		{"quoted word is a word", `deal team add 3 "Ana <ana@x.io> +46 70 123 45 67"`, []string{"deal", "team", "add", "3", "Ana <ana@x.io> +46 70 123 45 67"}, map[string]string{}, ""},
		{"empty value", "x notes=", []string{"x"}, map[string]string{"notes": ""}, ""},
		{"unclosed quote", `x name="oops`, nil, nil, "never closed"},
		{"duplicate key", "x a=1 a=2", nil, nil, "given twice"},
		{"unquoted spaces in a value", "x name=Big deal", nil, nil, "need double quotes"},
		{"blank line", "   ", nil, map[string]string{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.line)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Parse(%q) error = %v, want one containing %q", tt.line, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.line, err)
			}
			if !reflect.DeepEqual(got.Words, tt.words) || !reflect.DeepEqual(got.Pairs, tt.pairs) {
				t.Fatalf("Parse(%q) = %q %q, want %q %q", tt.line, got.Words, got.Pairs, tt.words, tt.pairs)
			}
		})
	}
}

func TestParsePeople(t *testing.T) {
	ps, err := ParsePeople("Ana Diaz <Ana@Contoso.com> +33 1 23 45 67 89; Bo Ek <bo@fabrikam.se> +46701234567")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Name != "Ana Diaz" || ps[0].Email != "ana@contoso.com" || ps[0].Phone != "+33 1 23 45 67 89" || ps[1].Email != "bo@fabrikam.se" {
		t.Fatalf("got %+v", ps)
	}
	for _, bad := range []string{"", ";", "Ana ana@x.io +1", "Ana >x< +1"} {
		if _, err := ParsePeople(bad); err == nil {
			t.Errorf("ParsePeople(%q) accepted", bad)
		}
	}
}

// quoteArgs writes Args back as a line the parser reads the same way.
func quoteArgs(a Args) string {
	var parts []string
	for _, w := range a.Words {
		parts = append(parts, Quote(w))
	}
	for _, k := range a.Keys {
		parts = append(parts, k+"="+Quote(a.Pairs[k]))
	}
	return strings.Join(parts, " ")
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`deal new kind=ip name="A b" value=1`, `x "unterminated`, `a=b=c`, "x \u201cq\u201d", `"" ""=1`, `x \"`, "deal list\texpiring",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		a, err := Parse(line)
		if err != nil {
			return
		}
		// Whatever parses must survive being written back and parsed again.
		b, err := Parse(quoteArgs(a))
		if err != nil {
			t.Fatalf("re-parse of %q (from %q): %v", quoteArgs(a), line, err)
		}
		if !reflect.DeepEqual(a.Words, b.Words) || !reflect.DeepEqual(a.Pairs, b.Pairs) {
			t.Fatalf("round trip changed %q: %q %q vs %q %q", line, a.Words, a.Pairs, b.Words, b.Pairs)
		}
	})
}

// Quote writes what Parse reads back as the same single value, its
// typographic quotes kept as text.
func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"no capacity":      `"no capacity"`,
		`say "hi"`:         `"say \"hi\""`,
		`back\slash`:       `"back\\slash"`,
		"“curly” word":     `"“curly” word"`,
		"le « ciel » bleu": `"le « ciel » bleu"`,
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
		args, err := Parse("x " + Quote(in))
		if err != nil || len(args.Words) != 2 || args.Words[1] != in {
			t.Errorf("Parse(Quote(%q)) = %q, %v", in, args.Words, err)
		}
	}
}

// Quotes of another kind inside a quoted value are text: an answer holds
// “blue” or « bleu »; a value may also be quoted with Slack's curly quotes
// or with guillemets.
func TestQuotesInsideValues(t *testing.T) {
	for line, want := range map[string]string{
		`faq edit x sv_answer="Himlen är ”blå” här, säger “Åsa”."`: "Himlen är ”blå” här, säger “Åsa”.",
		`faq edit x fr_answer="Le ciel est « bleu » ici."`:         "Le ciel est « bleu » ici.",
		`faq edit x fr_answer=«Le ciel est "bleu" ici.»`:           `Le ciel est "bleu" ici.`,
		"faq edit x en_answer=“The sky is blue”":                   "The sky is blue",
		`faq edit x en_answer="It is \"blue\" here."`:              `It is "blue" here.`,
	} {
		args, err := Parse(line)
		if err != nil {
			t.Errorf("Parse(%s): %v", line, err)
			continue
		}
		for _, v := range args.Pairs {
			if v != want {
				t.Errorf("Parse(%s) = %q, want %q", line, v, want)
			}
		}
	}
}

// FuzzVerbRef: whatever sentence verbRef reads as a command names a deal
// verb of the table and the deal's number.
func FuzzVerbRef(f *testing.F) {
	for _, seed := range []string{
		"invite microsoft to deal 3", "mark deal 3 won", "mark deal 3 as lost", "what happens to a won deal 3 days after",
		"how do I accept referral 14?", "deal #3", "#4 won #5", "won deal", "deal deal 1 1",
	} {
		f.Add(seed)
	}
	s := &Service{}
	s.specs = s.table()
	f.Fuzz(func(t *testing.T, line string) {
		words := strings.Fields(line)
		cmd, ok := s.verbRef(words)
		if !ok {
			return
		}
		parts := strings.Fields(cmd)
		if len(parts) < 3 || parts[0] != "deal" || !slices.Contains(s.subverbs("deal"), parts[1]) || !isNumber(parts[2]) {
			t.Fatalf("verbRef(%q) = %q: want deal VERB NUMBER …", line, cmd)
		}
	})
}
