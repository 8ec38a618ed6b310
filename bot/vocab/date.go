package vocab

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DateHint says what a date may be written as, for help and refusals.
const DateHint = "YYYY-MM-DD, today, tomorrow, +7d, +2w or +3m"

// relative are the words for today and tomorrow in en, fr and sv (folded).
var relative = map[string]int{
	"today": 0, "aujourdhui": 0, "idag": 0,
	"tomorrow": 1, "demain": 1, "imorgon": 1,
}

// ParseDate reads a calendar date as a UTC midnight: ISO 8601
// (2026-03-31), the month in words (Mar 1, 2027; 1 mars 2027; without a
// year, Mar 1 is the one nearest today, past or coming), today and
// tomorrow (also in French and Swedish), or an offset from today in days,
// weeks or months (+7d, +2w, +3m; +7j and +2s in French). A numeric date
// with slashes or dots (3/1/2027) is refused with its ISO readings: it
// means another day in another country. today is today's date in UTC, which callers take from their
// clock, never from the wall.
func ParseDate(s string, today time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	y, m, d := today.UTC().Date()
	base := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		y, m, d := t.UTC().Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
	}
	if n, ok := relative[Fold(s)]; ok {
		return base.AddDate(0, 0, n), nil
	}
	if rest, ok := strings.CutPrefix(s, "+"); ok && len(rest) >= 2 {
		unit := strings.ToLower(rest[len(rest)-1:])
		n, err := strconv.Atoi(rest[:len(rest)-1])
		if err == nil && n >= 0 && n <= 3660 {
			switch unit {
			case "d", "j":
				return base.AddDate(0, 0, n), nil
			case "w", "s", "v":
				return base.AddDate(0, 0, 7*n), nil
			case "m":
				return base.AddDate(0, n, 0), nil
			}
		}
	}
	if t, ok := namedMonthDate(s, base); ok {
		return t, nil
	}
	if a, b, y, ok := slashDate(s); ok {
		return time.Time{}, slashRefusal(s, a, b, y)
	}
	if day, month, year, ok := slashDate(reversed(s)); ok && month >= 1 && month <= 12 && day >= 1 {
		// Year first (2027/11/28, 2027.11.28) reads one way only.
		if t, ok := calendarDay(year, time.Month(month), day); ok {
			return time.Time{}, fmt.Errorf("%q is not a date cosellbot reads: write %s", s, t.Format(time.DateOnly))
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date: write %s", s, DateHint)
}

// reversed is a numeric date's parts in the other order: 2027/11/28 as
// 28/11/2027, which slashDate splits into day, month and year.
func reversed(s string) string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '.' })
	slices.Reverse(parts)
	return strings.Join(parts, "/")
}

// months are the month names and abbreviations of en, fr and sv, folded.
var months = func() map[string]time.Month {
	m := map[string]time.Month{}
	for i, names := range [12]string{
		"january jan janvier janv januari",
		"february feb fevrier fevr fev februari",
		"march mar mars",
		"april apr avril avr",
		"may mai maj",
		"june jun juin juni",
		"july jul juillet juil juli",
		"august aug aout augusti",
		"september sep sept septembre",
		"october oct octobre oktober okt",
		"november nov novembre",
		"december dec decembre",
	} {
		for _, n := range strings.Fields(names) {
			m[n] = time.Month(i + 1)
		}
	}
	return m
}()

// namedMonthDate reads a date with the month in words, as people and
// Partner Center's English pages write it: "Mar 1, 2027", "1 March 2027",
// "1er mars 2027", "1 mars 2027". Without a year ("Nov 27", "27 nov") it
// is the date nearest today: people leave the year out of a date a few
// weeks away, whether it is a close date ahead or a notice just behind.
func namedMonthDate(s string, today time.Time) (time.Time, bool) {
	words := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '.' })
	if len(words) != 2 && len(words) != 3 {
		return time.Time{}, false
	}
	for i, w := range words {
		words[i] = Fold(w)
	}
	var month time.Month
	day, year := 0, 0
	for _, w := range words {
		if m, ok := months[w]; ok && month == 0 {
			month = m
			continue
		}
		n, err := strconv.Atoi(withoutOrdinal(w))
		switch {
		case err != nil:
			return time.Time{}, false
		case len(w) == 4 && year == 0:
			year = n
		case n >= 1 && n <= 31 && day == 0:
			day = n
		default:
			return time.Time{}, false
		}
	}
	if month == 0 || day == 0 || (year == 0) != (len(words) == 2) {
		return time.Time{}, false
	}
	if year != 0 {
		return calendarDay(year, month, day)
	}
	var best time.Time
	for y := today.Year() - 1; y <= today.Year()+1; y++ {
		t, ok := calendarDay(y, month, day)
		if ok && (best.IsZero() || t.Sub(today).Abs() < best.Sub(today).Abs()) {
			best = t
		}
	}
	return best, !best.IsZero()
}

// calendarDay is the date, unless the day is not in the month (31 April,
// 29 February of a common year).
func calendarDay(year int, month time.Month, day int) (time.Time, bool) {
	t := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	return t, t.Day() == day
}

// withoutOrdinal is a day number without its ordinal suffix: 1st, 2nd,
// 3rd, 4th, 1er, 2e (folded words).
func withoutOrdinal(w string) string {
	for _, suffix := range []string{"st", "nd", "rd", "th", "er", "e"} {
		if n, ok := strings.CutSuffix(w, suffix); ok {
			return n
		}
	}
	return w
}

// slashDate splits a numeric date like 3/1/2027 or 01.03.2027.
func slashDate(s string) (a, b, year int, ok bool) {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '.' })
	if len(parts) != 3 || len(parts[2]) != 4 {
		return 0, 0, 0, false
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return 0, 0, 0, false
		}
		n[i] = v
	}
	return n[0], n[1], n[2], true
}

// slashRefusal explains why 3/1/2027 is refused: Partner Center and CRMs
// show dates in the reader's locale, so it may be 1 March (en-US) or 3
// January (fr-FR); the readings that are dates are offered in ISO form.
func slashRefusal(s string, a, b, year int) error {
	valid := func(m, d int) (time.Time, bool) {
		if m < 1 || m > 12 || d < 1 {
			return time.Time{}, false
		}
		return calendarDay(year, time.Month(m), d)
	}
	mdy, okMDY := valid(a, b)
	dmy, okDMY := valid(b, a)
	switch {
	case okMDY && okDMY && !mdy.Equal(dmy):
		return fmt.Errorf("%q could be %s or %s depending on the country: write it as YYYY-MM-DD", s, mdy.Format(time.DateOnly), dmy.Format(time.DateOnly))
	case okMDY:
		return fmt.Errorf("%q is not a date cosellbot reads: write %s", s, mdy.Format(time.DateOnly))
	case okDMY:
		return fmt.Errorf("%q is not a date cosellbot reads: write %s", s, dmy.Format(time.DateOnly))
	}
	return fmt.Errorf("%q is not a date: write %s", s, DateHint)
}
