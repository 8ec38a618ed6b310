package deal

import (
	"strings"
	"testing"
)

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in      string
		want    Money
		wantErr bool
	}{
		{in: "25000", want: 2_500_000},
		{in: "25000.5", want: 2_500_050},
		{in: "25000.50", want: 2_500_050},
		{in: "1999.90", want: 199_990},
		{in: "0.05", want: 5},
		{in: "0", want: 0},
		{in: "007", want: 700},
		{in: "  42  ", want: 4_200},
		{in: "46116860184273879", want: 4_611_686_018_427_387_900}, // the largest whole amount
		{in: "25,000", wantErr: true},                              // commas separate list items in the chat grammar
		{in: "-5", wantErr: true},
		{in: "+5", wantErr: true},
		{in: "1.234", wantErr: true},
		{in: "", wantErr: true},
		{in: "   ", wantErr: true},
		{in: "abc", wantErr: true},
		{in: "12abc", wantErr: true},
		{in: ".5", wantErr: true},
		{in: "5.", wantErr: true},
		{in: "5.-1", wantErr: true},
		{in: "5.+1", wantErr: true},
		{in: "5.a", wantErr: true},
		{in: "1.2.3", wantErr: true},
		{in: "1e3", wantErr: true},
		{in: "0x10", wantErr: true},
		{in: "1_000", wantErr: true},
		{in: "25 000", wantErr: true},
		{in: "€25000", wantErr: true},
		{in: "46116860184273880", wantErr: true},    // one above the largest
		{in: "99999999999999999999", wantErr: true}, // overflows int64
	}
	for _, tc := range tests {
		t.Run("ParseMoney "+tc.in, func(t *testing.T) {
			got, err := ParseMoney(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseMoney(%q) = %v, %v; want error %v", tc.in, got, err, tc.wantErr)
			}
			if err == nil && got != tc.want {
				t.Errorf("ParseMoney(%q) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}

func TestMoneyString(t *testing.T) {
	tests := []struct {
		m    Money
		want string
	}{
		{0, "0"},
		{5, "0.05"},
		{50, "0.50"},
		{100, "1"},
		{99_900, "999"},
		{100_000, "1,000"},
		{2_500_000, "25,000"},
		{199_990, "1,999.90"},
		{12_345_678_901, "123,456,789.01"},
		{100_000_000, "1,000,000"},
	}
	for _, tc := range tests {
		t.Run("Money String "+tc.want, func(t *testing.T) {
			if got := tc.m.String(); got != tc.want {
				t.Errorf("Money(%d).String() = %q, want %q", int64(tc.m), got, tc.want)
			}
		})
	}
	if got := Money(2_500_050).Float(); got != 25000.5 {
		t.Errorf("Float() = %v, want 25000.5", got)
	}
}

// FuzzParseMoney: ParseMoney never panics, never yields a negative amount,
// and a parsed amount round-trips through String once commas are removed.
func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"25000", "25000.5", "1999.90", "0", "25,000", "-5", "1.234", "", "abc", "46116860184273879", "99999999999999999999", "5.", ".5", "007"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMoney(s)
		if err != nil {
			return
		}
		if m < 0 {
			t.Fatalf("ParseMoney(%q) = %d, negative", s, m)
		}
		out := m.String()
		back, err := ParseMoney(strings.ReplaceAll(out, ",", ""))
		if err != nil || back != m {
			t.Fatalf("ParseMoney(%q) = %d, String %q, parsed back as %d, %v", s, m, out, back, err)
		}
	})
}

func TestCheckPerson(t *testing.T) {
	ok := alice()
	tests := []struct {
		name string
		p    Person
		want []string
	}{
		{name: "CheckPerson: complete person", p: ok},
		{name: "CheckPerson: phone with parentheses and dashes", p: Person{Name: "Bob", Email: "bob@contoso.com", Phone: "+1 (555) 010-9999"}},
		{name: "CheckPerson: phone without plus", p: Person{Name: "Bob", Email: "bob@contoso.com", Phone: "08 123 456 78"}},
		{name: "CheckPerson: area code in parentheses first", p: Person{Name: "Bob", Email: "bob@contoso.com", Phone: "(425) 555-0100"}},
		{name: "CheckPerson: sub-domain e-mail", p: Person{Name: "Bob", Email: "bob.smith@sales.contoso.co.uk", Phone: "+44 20 7946 0000"}},
		{name: "CheckPerson: missing name", p: Person{Email: ok.Email, Phone: ok.Phone}, want: []string{"team/person_name"}},
		{name: "CheckPerson: blank name", p: Person{Name: "  ", Email: ok.Email, Phone: ok.Phone}, want: []string{"team/person_name"}},
		{name: "CheckPerson: missing e-mail", p: Person{Name: ok.Name, Phone: ok.Phone}, want: []string{"team/person_email"}},
		{name: "CheckPerson: e-mail without @", p: Person{Name: ok.Name, Email: "alice.contoso.com", Phone: ok.Phone}, want: []string{"team/person_email"}},
		{name: "CheckPerson: e-mail without a dotted domain", p: Person{Name: ok.Name, Email: "alice@contoso", Phone: ok.Phone}, want: []string{"team/person_email"}},
		{name: "CheckPerson: e-mail with a display name", p: Person{Name: ok.Name, Email: "Alice <alice@contoso.com>", Phone: ok.Phone}, want: []string{"team/person_email"}},
		{name: "CheckPerson: e-mail with spaces", p: Person{Name: ok.Name, Email: "alice @contoso.com", Phone: ok.Phone}, want: []string{"team/person_email"}},
		{name: "CheckPerson: missing phone", p: Person{Name: ok.Name, Email: ok.Email}, want: []string{"team/person_phone"}},
		{name: "CheckPerson: phone too short", p: Person{Name: ok.Name, Email: ok.Email, Phone: "12345"}, want: []string{"team/person_phone"}},
		{name: "CheckPerson: phone too long (16 digits)", p: Person{Name: ok.Name, Email: ok.Email, Phone: "+1234567890123456"}, want: []string{"team/person_phone"}},
		{name: "CheckPerson: phone with letters", p: Person{Name: ok.Name, Email: ok.Email, Phone: "+33 CALL ME"}, want: []string{"team/person_phone"}},
		{name: "CheckPerson: phone with two plus signs", p: Person{Name: ok.Name, Email: ok.Email, Phone: "++33 1 23 45 67 89"}, want: []string{"team/person_phone"}},
		{name: "CheckPerson: empty person breaks all three", p: Person{}, want: []string{"team/person_name", "team/person_email", "team/person_phone"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expectRules(t, CheckPerson("team", tc.p).err(), tc.want...)
		})
	}
	// A missing address or number is said as missing, with the form to
	// write, not quoted as an invalid "".
	t.Run("CheckPerson: missing phone and e-mail are named", func(t *testing.T) {
		err := CheckPerson("team", Person{Name: "Bo Ek"}).err()
		for _, want := range []string{"Bo Ek has no e-mail address", "Bo Ek has no phone number", `"Name <email> +phone"`} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v, want it to say %s", err, want)
			}
		}
		if err != nil && strings.Contains(err.Error(), `""`) {
			t.Errorf("error %v quotes an empty value", err)
		}
	})
	t.Run("CheckPerson: field names the chat key", func(t *testing.T) {
		expectRules(t, CheckPerson("contact", Person{Name: "x", Email: "x@y.z", Phone: "1"}).err(), "contact/person_phone")
	})
}

func TestValidCountry(t *testing.T) {
	tests := []struct {
		code string
		want bool
		note string
	}{
		{"FR", true, ""}, {"SE", true, ""}, {"US", true, ""}, {"GB", true, ""}, {"DE", true, ""}, {"JP", true, ""},
		{"fr", false, ""}, {"Fr", false, ""}, {"FRA", false, ""}, {"F", false, ""}, {"", false, ""},
		{"ZZ", false, ""}, // unknown region
		{"EU", false, ""}, // a union, not a country
		{"001", false, ""},
		{"AA", false, ""}, // private use
		// Exceptionally reserved ISO 3166-1 codes that x/text accepts as regions.
		{"UN", false, "UN is not a country"}, {"UK", false, "UK is reserved: the country is GB"},
	}
	for _, tc := range tests {
		t.Run("ValidCountry "+tc.code+" "+tc.note, func(t *testing.T) {
			if got := ValidCountry(tc.code); got != tc.want {
				t.Errorf("ValidCountry(%q) = %v, want %v", tc.code, got, tc.want)
			}
		})
	}
}

func TestValidCurrency(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"USD", true}, {"EUR", true}, {"SEK", true}, {"JPY", true}, {"KRW", true},
		{"usd", false}, {"Eur", false}, {"US", false}, {"USDD", false}, {"", false},
		{"ABC", false}, {"ZZZ", false}, {"EU1", false},
	}
	for _, tc := range tests {
		t.Run("ValidCurrency "+tc.code, func(t *testing.T) {
			if got := ValidCurrency(tc.code); got != tc.want {
				t.Errorf("ValidCurrency(%q) = %v, want %v", tc.code, got, tc.want)
			}
		})
	}
}

func TestValidLocation(t *testing.T) {
	tests := []struct {
		loc  string
		want bool
	}{
		{"contoso-fr-01", true}, {"1234567", true}, {"LOC_SE", true},
		{"", false}, {"-leading-dash", false}, {"Paris office", false}, {"loc/1", false},
		{strings.Repeat("a", 64), true}, {strings.Repeat("a", 65), false},
	}
	for _, tc := range tests {
		t.Run("ValidLocation "+tc.loc, func(t *testing.T) {
			if got := ValidLocation(tc.loc); got != tc.want {
				t.Errorf("ValidLocation(%q) = %v, want %v", tc.loc, got, tc.want)
			}
		})
	}
}
