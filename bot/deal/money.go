package deal

import (
	"fmt"
	"strconv"
	"strings"
)

// Money is an amount in hundredths of its currency unit, so that sums and
// comparisons against thresholds are exact.
type Money int64

// ParseMoney reads "25000", "25000.5" or "25000.50". Thousands separators are
// refused on purpose: in the chat grammar a comma separates list items.
func ParseMoney(s string) (Money, error) {
	s = strings.TrimSpace(s)
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || (hasFrac && (frac == "" || len(frac) > 2)) {
		return 0, fmt.Errorf("%q is not an amount: write digits with at most two decimals, like 25000 or 1999.90", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 || strings.ContainsAny(whole, "+-") {
		return 0, fmt.Errorf("%q is not an amount: write digits with at most two decimals, like 25000 or 1999.90", s)
	}
	var f int64
	if hasFrac {
		if len(frac) == 1 {
			frac += "0"
		}
		f, err = strconv.ParseInt(frac, 10, 64)
		if err != nil || strings.ContainsAny(frac, "+-") {
			return 0, fmt.Errorf("%q is not an amount: write digits with at most two decimals, like 25000 or 1999.90", s)
		}
	}
	if w > (1<<62)/100 {
		return 0, fmt.Errorf("%q is too large an amount", s)
	}
	return Money(w*100 + f), nil
}

// Float is the amount in currency units, for JSON and conversions.
func (m Money) Float() float64 { return float64(m) / 100 }

// String renders the amount with a thousands separator: 25,000 or 1,999.90.
func (m Money) String() string {
	var b strings.Builder
	if m < 0 {
		b.WriteByte('-')
		m = -m
	}
	whole, cents := int64(m)/100, int64(m)%100
	digits := strconv.FormatInt(whole, 10)
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if cents != 0 {
		fmt.Fprintf(&b, ".%02d", cents)
	}
	return b.String()
}
