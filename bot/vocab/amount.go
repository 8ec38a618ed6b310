package vocab

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/cosellbot/cosellbot/bot/deal"
)

// Amount is a value as typed: the money, and the currency it named, if any.
type Amount struct {
	Value    deal.Money
	Currency string // ISO 4217, "" when the text named none
}

// symbols are the currency signs that name one currency without doubt.
// "kr" and a bare "$" outside the US are ambiguous in principle; "$" is
// read as USD because Partner Center's thresholds are in USD and people
// who mean another dollar write its code.
var symbols = []struct{ sign, code string }{{"us$", "USD"}, {"€", "EUR"}, {"$", "USD"}, {"£", "GBP"}, {"¥", "JPY"}}

// ambiguous are signs that name several currencies.
var ambiguous = map[string]string{"kr": "SEK, NOK, DKK or ISK", "kr.": "SEK, NOK, DKK or ISK"}

const amountHint = "write it like 45000, 45,000, \"45 000\", 45k, €45k or \"45000 EUR\""

// ParseAmount reads an amount as people write it and as cosellbot prints
// it: thousands separated by commas, spaces or apostrophes (45,000 · 45 000
// · 45'000), a decimal point or a decimal comma (1,999.90 · 1 999,90), a k
// or m suffix (45k, 1.2m), and a currency code or sign before or after
// (€45k, 45000 EUR, USD 60,000). A dot or comma followed by exactly three
// digits and nothing else (45.000) reads as thousands only for a comma;
// 45.000 is refused as ambiguous.
func ParseAmount(s string) (Amount, error) {
	raw := s
	s = strings.TrimSpace(s)
	var a Amount
	// Currency: a sign or code at either end.
	lower := strings.ToLower(s)
	for _, sym := range symbols {
		if rest, ok := strings.CutPrefix(lower, sym.sign); ok {
			a.Currency, lower = sym.code, rest
			break
		}
		if rest, ok := strings.CutSuffix(lower, sym.sign); ok {
			a.Currency, lower = sym.code, rest
			break
		}
	}
	lower = strings.TrimSpace(lower)
	for sign, which := range ambiguous {
		if strings.HasPrefix(lower, sign+" ") || strings.HasSuffix(lower, " "+sign) || strings.HasSuffix(lower, sign) && len(lower) > len(sign) && isDigitByte(lower[len(lower)-len(sign)-1]) {
			return Amount{}, fmt.Errorf("%q: %q can mean %s: write the code, like \"45000 SEK\"", raw, sign, which)
		}
	}
	if a.Currency == "" {
		if code, rest, ok := currencyCode(lower); ok {
			a.Currency, lower = code, rest
		}
	}
	lower = strings.TrimSpace(lower)
	mult := int64(1)
	switch {
	case strings.HasSuffix(lower, "k"):
		mult, lower = 1_000, strings.TrimSuffix(lower, "k")
	case strings.HasSuffix(lower, "mn"):
		mult, lower = 1_000_000, strings.TrimSuffix(lower, "mn")
	case strings.HasSuffix(lower, "m"):
		mult, lower = 1_000_000, strings.TrimSuffix(lower, "m")
	}
	lower = strings.TrimSpace(lower)
	num, err := normalizeNumber(lower)
	if err != nil {
		return Amount{}, fmt.Errorf("%q is not an amount (%v): %s", raw, err, amountHint)
	}
	m, err := deal.ParseMoney(num)
	if err != nil {
		return Amount{}, fmt.Errorf("%q is not an amount: %s", raw, amountHint)
	}
	if mult > 1 {
		if int64(m) > (1<<62)/mult {
			return Amount{}, fmt.Errorf("%q is too large an amount", raw)
		}
		m *= deal.Money(mult)
	}
	a.Value = m
	return a, nil
}

func isDigitByte(b byte) bool { return b >= '0' && b <= '9' }

// currencyCode takes a three-letter ISO 4217 code from either end of s.
func currencyCode(s string) (code, rest string, ok bool) {
	fields := strings.Fields(s)
	try := func(c string) bool { return len(c) == 3 && deal.ValidCurrency(strings.ToUpper(c)) }
	switch {
	case len(fields) >= 2 && try(fields[0]):
		return strings.ToUpper(fields[0]), strings.Join(fields[1:], " "), true
	case len(fields) >= 2 && try(fields[len(fields)-1]):
		return strings.ToUpper(fields[len(fields)-1]), strings.Join(fields[:len(fields)-1], " "), true
	case len(s) > 3 && try(s[len(s)-3:]) && isDigitByte(s[len(s)-4]):
		return strings.ToUpper(s[len(s)-3:]), s[:len(s)-3], true
	case len(s) > 3 && try(s[:3]) && isDigitByte(s[3]):
		return strings.ToUpper(s[:3]), s[3:], true
	}
	return "", s, false
}

// normalizeNumber turns a number with grouping and a decimal mark into
// digits with at most one '.'.
func normalizeNumber(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("no digits")
	}
	// Group separators people type: spaces (also no-break and narrow
	// no-break spaces, as French and Swedish software prints them) and '.
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\'' || r == '’' || r == '_':
			continue
		case r == ',' || r == '.' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '-' || r == '+':
			return "", fmt.Errorf("an amount has no sign")
		case unicode.IsLetter(r):
			return "", fmt.Errorf("%q is not a currency code cosellbot knows", s)
		default:
			return "", fmt.Errorf("%q is not a digit or separator", r)
		}
	}
	t := b.String()
	lastComma, lastDot := strings.LastIndexByte(t, ','), strings.LastIndexByte(t, '.')
	switch {
	case lastComma >= 0 && lastDot >= 0:
		// Both: the last one is the decimal mark, the other groups thousands.
		dec, group := ".", ","
		if lastComma > lastDot {
			dec, group = ",", "."
		}
		whole, frac, _ := strings.Cut(t, string(t[max(lastComma, lastDot)]))
		if strings.Contains(frac, group) || strings.Contains(frac, dec) || !grouped(whole, group) {
			return "", fmt.Errorf("the separators do not group thousands")
		}
		return strings.ReplaceAll(whole, group, "") + "." + frac, nil
	case lastComma >= 0:
		if grouped(t, ",") && len(t)-lastComma == 4 {
			return strings.ReplaceAll(t, ",", ""), nil // 45,000
		}
		if strings.Count(t, ",") == 1 && len(t)-lastComma <= 3 {
			return strings.Replace(t, ",", ".", 1), nil // 1999,90
		}
		return "", fmt.Errorf("commas must group thousands (45,000) or mark the decimals (1999,90)")
	case lastDot >= 0:
		if strings.Count(t, ".") == 1 && len(t)-lastDot == 4 {
			return "", fmt.Errorf("%q could mean %s or %s", t, strings.Replace(t, ".", "", 1), t[:lastDot])
		}
		if strings.Count(t, ".") > 1 {
			if grouped(t, ".") && len(t)-lastDot == 4 {
				return strings.ReplaceAll(t, ".", ""), nil // 1.250.000
			}
			return "", fmt.Errorf("dots must group thousands (1.250.000) or mark the decimals (1999.90)")
		}
	}
	return t, nil
}

// grouped reports whether sep splits s into a 1–3 digit head and groups of
// exactly three digits.
func grouped(s, sep string) bool {
	parts := strings.Split(s, sep)
	if len(parts[0]) == 0 || len(parts[0]) > 3 {
		return len(parts) == 1 && len(parts[0]) > 0
	}
	for _, p := range parts[1:] {
		if len(p) != 3 {
			return false
		}
	}
	return true
}
