// Package remind keeps time for the pipeline: it reminds subscribed channels
// before inbound referrals expire, expires the ones nobody answered, flags
// co-sell invitations Microsoft did not join within its 14 days, moves CPOR
// claims to official when the customer's window closes, sends a daily digest,
// and delivers every notification through the outbox.
//
// Nothing here keeps state between passes or needs a leader: reminders are
// unique per (subject, kind, due time) in the record, and outbox rows are
// leased, so every replica may sweep and dispatch at once.
package remind

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config says when reminders go out.
type Config struct {
	// Before lists how long before a referral expires a reminder goes out,
	// longest first (COSELLBOT_REMIND_BEFORE, default 7d,3d,1d).
	Before []time.Duration
	// CatchUp is how late a reminder may still go out, for a sweep that
	// did not run at its time (a restart); older ones are dropped, since a
	// later, more urgent reminder is due by then.
	CatchUp time.Duration
	// DigestHour is the UTC hour of the daily digest.
	DigestHour int
	// StaleAfter is how long without a change makes an open deal stale in
	// the digest.
	StaleAfter time.Duration
	// Batch bounds how many rows one query of a pass reads.
	Batch int
	// PageURL is the pipeline page's address, which the daily digest
	// links to; empty when the page is not set up (COSELLBOT_PUBLIC_URL).
	PageURL string
}

// DefaultBefore is the default of COSELLBOT_REMIND_BEFORE.
const DefaultBefore = "7d,3d,1d"

// DefaultConfig is the configuration when nothing is set.
func DefaultConfig() Config {
	before, _ := ParseOffsets(DefaultBefore)
	return Config{Before: before, CatchUp: 6 * time.Hour, DigestHour: 8, StaleAfter: 30 * 24 * time.Hour, Batch: 1000}
}

// ParseOffsets reads a comma-separated list of durations before expiry:
// days ("7d"), hours ("12h") or minutes ("90m"), each positive and shorter
// than the 14 days a referral lives. The result is longest first.
func ParseOffsets(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		d, err := parseOffset(item)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no reminder offset in %q: write something like %s", s, DefaultBefore)
	}
	slices.SortFunc(out, func(a, b time.Duration) int { return int(b - a) })
	return out, nil
}

func parseOffset(item string) (time.Duration, error) {
	var d time.Duration
	if n, ok := strings.CutSuffix(item, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number of days: write 7d, 12h or 90m", item)
		}
		d = time.Duration(days) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(item); err != nil {
			return 0, fmt.Errorf("%q is not a duration: write 7d, 12h or 90m", item)
		}
	}
	if d <= 0 || d >= 14*24*time.Hour {
		return 0, fmt.Errorf("reminder offset %s must be more than 0 and less than the 14 days a referral lives", item)
	}
	return d, nil
}

// NextReminder is when the first reminder of a referral expiring at
// expires falls due at or after from, with reminders before the expiry;
// ok is false when none is left before it expires (a snooze until from
// swallows the last one: nothing resumes).
func NextReminder(expires, from time.Time, before []time.Duration) (next time.Time, ok bool) {
	for _, off := range before {
		due := expires.Add(-off)
		if due.Before(from) || !due.Before(expires) {
			continue
		}
		if !ok || due.Before(next) {
			next, ok = due, true
		}
	}
	return next, ok
}

// OffsetLabel names an offset the way people say it: "7d", "12h", "90m".
func OffsetLabel(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return strconv.Itoa(int(d/time.Minute)) + "m"
}
