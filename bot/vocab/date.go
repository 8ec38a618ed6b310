package vocab

import (
	"fmt"
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
// (2026-03-31), today and tomorrow (also in French and Swedish), or an
// offset from today in days, weeks or months (+7d, +2w, +3m; +7j and +2s
// in French). today is today's date in UTC, which callers take from their
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
	return time.Time{}, fmt.Errorf("%q is not a date: write %s", s, DateHint)
}
