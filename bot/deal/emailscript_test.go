package deal

import (
	"strings"
	"testing"
)

// An address whose local part or a domain label mixes scripts reads like
// another address: it is refused, naming the character that does not
// belong. One script throughout, digits and punctuation, and the mixes a
// language writes itself are accepted.
func TestEmailScript(t *testing.T) {
	tests := []struct {
		name, email string
		want        []string // in the error; none: accepted
	}{
		{"Latin", "ana.diaz-2@contoso.co.uk", nil},
		{"accents are Latin", "zoë.åsa@exempel.se", nil},
		{"combining accent goes with its letter", "zoe\u0308@contoso.com", nil},
		{"all Cyrillic", "пётр@пример.рф", nil},
		{"Cyrillic local part, Latin domain", "пётр@contoso.com", nil},
		{"all Greek", "ελένη@παράδειγμα.ελ", nil},
		{"Japanese mixes kanji, kana and Latin", "山田タロウaa@例え.jp", nil},
		{"Korean with Han and Latin", "김金kim@contoso.com", nil},
		{"Cyrillic а in a Latin local part", "аna@contoso.com",
			[]string{`"аna@contoso.com" mixes scripts in "аna"`, "U+0430 CYRILLIC SMALL LETTER A is Cyrillic among Latin letters", "type the address in one script"}},
		{"Cyrillic о in a domain label", "ana@cоntoso.com",
			[]string{`in "cоntoso"`, "U+043E CYRILLIC SMALL LETTER O is Cyrillic among Latin letters"}},
		{"Greek ο in the top-level label", "ana@contoso.cοm", []string{`in "cοm"`, "U+03BF GREEK SMALL LETTER OMICRON is Greek"}},
		{"Latin in a Cyrillic word is the odd one", "пaвел@пример.рф", []string{"U+0061 LATIN SMALL LETTER A is Latin among Cyrillic letters", "(all Cyrillic)"}},
		{"a tie goes to Latin", "аn@contoso.com", []string{"U+0430 CYRILLIC SMALL LETTER A is Cyrillic among Latin letters"}},
		{"Greek among Cyrillic", "пνвел@пример.рф", []string{"U+03BD GREEK SMALL LETTER NU is Greek among Cyrillic letters", "(all Cyrillic)"}},
		{"kana among Hangul", "김민キ@contoso.com", []string{"U+30AD KATAKANA LETTER KI is Katakana among Hangul letters"}},
		{"Han with Hangul", "漢字김민수@contoso.com", nil},
		{"Hangul among kana", "キム김@contoso.com", []string{"U+AE40 HANGUL SYLLABLE is Hangul among Katakana letters"}},
		{"Armenian among Latin", "ana\u0585@contoso.com", []string{"U+0585 ARMENIAN SMALL LETTER OH is Armenian"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := EmailScript(tt.email)
			if len(tt.want) == 0 {
				if err != nil {
					t.Errorf("EmailScript(%q) = %v, want accepted", tt.email, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("EmailScript(%q) accepted a lookalike", tt.email)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("EmailScript(%q) = %q, want it to say %q", tt.email, err, w)
				}
			}
			if ValidEmail(tt.email) {
				t.Errorf("ValidEmail(%q) = true for a mixed-script address", tt.email)
			}
		})
	}
}

// A team member's or contact's lookalike address is refused with the
// character named, as person_email on the field that holds them.
func TestCheckPersonMixedScript(t *testing.T) {
	for _, field := range []string{"team", "contact"} {
		probs := CheckPerson(field, Person{Name: "Ana Fake", Email: "аna@contoso.com", Phone: "+46 70 123 45 99"})
		expectRules(t, probs.err(), field+"/person_email")
		if len(probs) == 1 && !strings.Contains(probs[0].Message, `Ana Fake's e-mail "аna@contoso.com" mixes scripts in "аna": U+0430 CYRILLIC SMALL LETTER A`) {
			t.Errorf("%s: %s", field, probs[0].Message)
		}
	}
}
