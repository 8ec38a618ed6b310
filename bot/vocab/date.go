package vocab

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DateHint says what a date may be written as, for help and refusals.
const DateHint = "YYYY-MM-DD, today, tomorrow, +7d, +2w or +3m"

// PastDateHint names the forms of a date that has happened (when a
// customer was notified, a claim made): the future forms are refused there.
const PastDateHint = "YYYY-MM-DD, today, yesterday or -3d"

// WordsHint names the forms with the month in words, which refusals of a
// date that is not read add to DateHint.
const WordsHint = `the month in words, like "Apr 8, 2027" or "8 avril 2027"`

// MomentHint says how a moment (a date with its time of day) is written,
// for help and the refusals of keys that take one (received=).
const MomentHint = "2026-11-28 09:15 UTC (as cosellbot prints moments; UTC when no zone is given) or 2026-11-28T09:15:00Z"

// relative are the words for today and tomorrow in en, fr and sv (folded).
var relative = map[string]int{
	"today": 0, "aujourdhui": 0, "idag": 0,
	"tomorrow": 1, "demain": 1, "imorgon": 1,
	"yesterday": -1, "hier": -1, "igar": -1,
}

// errUnread is a date in none of the forms ParseDate reads; each caller
// says which forms it takes.
var errUnread = errors.New("not a date")

// ParseDate reads a calendar date as a UTC midnight: ISO 8601
// (2026-03-31), the month in words (Mar 1, 2027; 1 mars 2027; March 31st,
// 2027; Wednesday, April 14, 2027; without a year, Mar 1 is the one
// nearest today, past or coming), today and tomorrow (also in French and
// Swedish), or an offset from today in days, weeks or months (+7d, +2w,
// +3m; +7j and +2s in French). A moment (2026-11-28T09:15:00Z, or as
// cosellbot prints one, 2026-11-28 09:15 UTC) gives its UTC day. A numeric
// date with slashes or dots (3/1/2027) is refused with its ISO readings: it
// means another day in another country. today is today's date in UTC,
// which callers take from their clock, never from the wall.
func ParseDate(s string, today time.Time) (time.Time, error) {
	t, err := parseDate(s, today)
	if errors.Is(err, errUnread) {
		return time.Time{}, fmt.Errorf("%q is not a date: write %s, or %s", strings.TrimSpace(s), DateHint, WordsHint)
	}
	return t, err
}

// ParseMoment reads a moment: RFC 3339 (2026-11-28T09:15:00Z, with an
// offset or not), or as cosellbot prints moments, "2026-11-28 09:15 UTC"
// (seconds, Z, GMT or an offset like +01:00 also read; no zone is UTC,
// the zone of every moment cosellbot prints and of the dates it reads).
// Anything ParseDate reads is also taken, as that day's UTC midnight.
func ParseMoment(s string, today time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, ok, err := parseMoment(s); ok || err != nil {
		return t, err
	}
	t, err := parseDate(s, today)
	if errors.Is(err, errUnread) {
		return time.Time{}, fmt.Errorf("%q is not a date or a moment: write a moment such as %s, or a date: %s, or %s", s, MomentHint, DateHint, WordsHint)
	}
	return t, err
}

// momentRE is a date and a time of day, with an optional zone: what
// cosellbot prints (2026-11-28 09:15 UTC) and ISO 8601's forms of it.
var momentRE = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$`)

// parseMoment reads a moment; ok is false when s is not shaped like one.
func parseMoment(s string) (t time.Time, ok bool, err error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true, nil
	}
	m := momentRE.FindStringSubmatch(strings.ToUpper(s))
	if m == nil {
		return time.Time{}, false, nil
	}
	day, err := isoDay(m[1], s)
	if err != nil {
		return time.Time{}, true, err
	}
	hour, _ := strconv.Atoi(m[2])
	minute, _ := strconv.Atoi(m[3])
	sec := 0
	if m[4] != "" {
		sec, _ = strconv.Atoi(m[4])
	}
	if hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, true, fmt.Errorf("%q is not a moment: %s:%s is not a time of day (00:00 to 23:59)", s, m[2], m[3])
	}
	offset := 0
	if z := m[5]; z != "" && z != "Z" && z != "UTC" && z != "GMT" {
		digits := strings.ReplaceAll(z[1:], ":", "")
		h, _ := strconv.Atoi(digits[:2])
		mm, _ := strconv.Atoi(digits[2:])
		if h > 14 || mm > 59 {
			return time.Time{}, true, fmt.Errorf("%q is not a moment: %s is not a time zone offset (-12:00 to +14:00)", s, z)
		}
		offset = (h*60 + mm) * 60
		if z[0] == '-' {
			offset = -offset
		}
	}
	at := day.Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute + time.Duration(sec)*time.Second)
	return at.Add(-time.Duration(offset) * time.Second).UTC(), true, nil
}

// isoRE is a date shaped YYYY-MM-DD, valid or not.
var isoRE = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)

// isoDay reads YYYY-MM-DD, saying what is wrong with a day that is not in
// its month (2026-02-30) rather than that the form is. typed is what the
// person wrote, for the message.
func isoDay(s, typed string) (time.Time, error) {
	m := isoRE.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, errUnread
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	if mo < 1 || mo > 12 {
		return time.Time{}, fmt.Errorf("%q is not a date: there is no month %d (YYYY-MM-DD: the month comes second, 01 to 12)", typed, mo)
	}
	if t, ok := calendarDay(y, time.Month(mo), d); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date: %s", typed, noSuchDay(y, time.Month(mo), d))
}

// noSuchDay says that a month lacks a day: "February 2026 has no 30th
// day (its last is the 28th)".
func noSuchDay(year int, month time.Month, day int) string {
	if day < 1 {
		return fmt.Sprintf("days start at 1, not %d", day)
	}
	return fmt.Sprintf("%s %d has no %s day (its last is the %s)", month, year, ordinal(day), ordinal(daysIn(year, month)))
}

// daysIn is the number of days of a month.
func daysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// ordinal writes 1st, 2nd, 3rd, 4th, 11th, 21st…
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}

// addMonths is the same day n months on, or the last day of that month
// when it is shorter (Nov 30 + 3 months is Feb 28), as calendars count.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	return first.AddDate(0, 0, min(d, daysIn(first.Year(), first.Month()))-1)
}

func parseDate(s string, today time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	y, m, d := today.UTC().Date()
	base := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if t, err := isoDay(s, s); !errors.Is(err, errUnread) {
		return t, err
	}
	if t, ok, err := parseMoment(s); ok || err != nil {
		if err != nil {
			return time.Time{}, err
		}
		y, m, d := t.UTC().Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
	}
	if n, ok := relative[Fold(s)]; ok {
		return base.AddDate(0, 0, n), nil
	}
	if len(s) >= 3 && (s[0] == '+' || s[0] == '-') {
		rest := s[1:]
		unit := strings.ToLower(rest[len(rest)-1:])
		n, err := strconv.Atoi(rest[:len(rest)-1])
		if s[0] == '-' {
			n = -n // days ago
		}
		if err == nil && n >= -3660 && n <= 3660 {
			switch unit {
			case "d", "j":
				return base.AddDate(0, 0, n), nil
			case "w", "s", "v":
				return base.AddDate(0, 0, 7*n), nil
			case "m":
				return addMonths(base, n), nil
			}
		}
	}
	if t, ok, err := namedMonthDate(s, base); ok || err != nil {
		return t, err
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
	return time.Time{}, errUnread
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

// weekdays are the names of the days of the week in en, fr and sv
// (folded), with the English abbreviations: Outlook and Partner Center
// write "Wednesday, April 14, 2027". French "mar." (mardi) is left out:
// it is March too.
var weekdays = func() map[string]time.Weekday {
	m := map[string]time.Weekday{}
	for i, names := range [7]string{
		"sunday sun dimanche sondag",
		"monday mon lundi mandag",
		"tuesday tue tues mardi tisdag",
		"wednesday wed mercredi onsdag",
		"thursday thu thur thurs jeudi torsdag",
		"friday fri vendredi fredag",
		"saturday sat samedi lordag",
	} {
		for _, n := range strings.Fields(names) {
			m[n] = time.Weekday(i)
		}
	}
	return m
}()

// namedMonthDate reads a date with the month in words, as people and
// Partner Center's English pages write it: "Mar 1, 2027", "1 March 2027",
// "March 31st, 2027", "11th April 2027", "1er mars 2027", "1 mars 2027",
// after a day of the week or not ("Wednesday, April 14, 2027": the day
// must be that date's, or the date is in doubt and refused). Without a
// year ("Nov 27", "27 nov") it is the date nearest today: people leave the
// year out of a date a few weeks away, whether it is a close date ahead or
// a notice just behind. ok is false when s is not shaped like such a
// date; err says what is wrong with one that is (a day its month lacks).
func namedMonthDate(s string, today time.Time) (t time.Time, ok bool, err error) {
	words := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '.' })
	for i, w := range words {
		words[i] = Fold(w)
	}
	weekday, named := time.Weekday(0), false
	if len(words) > 0 {
		if wd, is := weekdays[words[0]]; is {
			weekday, named, words = wd, true, words[1:]
		}
	}
	if len(words) != 2 && len(words) != 3 {
		return time.Time{}, false, nil
	}
	var month time.Month
	day, year := 0, 0
	for _, w := range words {
		if m, ok := months[w]; ok && month == 0 {
			month = m
			continue
		}
		bare := withoutOrdinal(w)
		n, err := strconv.Atoi(bare)
		switch {
		case err != nil:
			return time.Time{}, false, nil
		case len(w) == 4 && bare == w && year == 0:
			year = n
		case n >= 1 && n <= 31 && day == 0:
			day = n
		default:
			return time.Time{}, false, nil
		}
	}
	if month == 0 || day == 0 || (year == 0) != (len(words) == 2) {
		return time.Time{}, false, nil
	}
	if year != 0 {
		t, ok := calendarDay(year, month, day)
		if !ok {
			return time.Time{}, true, fmt.Errorf("%q is not a date: %s", s, noSuchDay(year, month, day))
		}
		if named && t.Weekday() != weekday {
			return time.Time{}, true, fmt.Errorf("%q is in doubt: %s is a %s, not a %s; write the date as YYYY-MM-DD", s, t.Format(time.DateOnly), t.Weekday(), weekday)
		}
		return t, true, nil
	}
	var best time.Time
	for y := today.Year() - 1; y <= today.Year()+1; y++ {
		t, ok := calendarDay(y, month, day)
		if ok && (!named || t.Weekday() == weekday) && (best.IsZero() || t.Sub(today).Abs() < best.Sub(today).Abs()) {
			best = t
		}
	}
	return best, !best.IsZero(), nil
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
	return errUnread
}
