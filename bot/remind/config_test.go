package remind_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/remind"
)

func TestParseOffsets(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		in      string
		want    []time.Duration
		wantErr string
	}{
		{"7d,3d,1d", []time.Duration{7 * day, 3 * day, day}, ""},
		{" 1d , 7d,3d,3d ", []time.Duration{7 * day, 3 * day, day}, ""},
		{"12h,90m", []time.Duration{12 * time.Hour, 90 * time.Minute}, ""},
		{"", nil, "no reminder offset"},
		{"7", nil, "not a duration"},
		{"xd", nil, "not a number of days"},
		{"14d", nil, "less than the 14 days"},
		{"0d", nil, "more than 0"},
		{"-1h", nil, "more than 0"},
	}
	for _, tt := range tests {
		got, err := remind.ParseOffsets(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseOffsets(%q) = %v, %v; want an error with %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("ParseOffsets(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, d := range []time.Duration{7 * day, 12 * time.Hour, 90 * time.Minute} {
		if back, err := remind.ParseOffsets(remind.OffsetLabel(d)); err != nil || back[0] != d {
			t.Errorf("OffsetLabel(%s) = %q does not parse back: %v %v", d, remind.OffsetLabel(d), back, err)
		}
	}
}

func FuzzParseOffsets(f *testing.F) {
	for _, s := range []string{"7d,3d,1d", "12h", "1d,,", "99999999999999d", "1.5h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ds, err := remind.ParseOffsets(s)
		if err != nil {
			return
		}
		for i, d := range ds {
			if d <= 0 || d >= 14*24*time.Hour || (i > 0 && d >= ds[i-1]) {
				t.Fatalf("ParseOffsets(%q) = %v: out of range or not longest first", s, ds)
			}
		}
	})
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute}
	for i, w := range want {
		if got := remind.Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %s, want %s", i+1, got, w)
		}
	}
	if got := remind.Backoff(40); got != remind.MaxBackoff {
		t.Errorf("Backoff(40) = %s, want the cap %s", got, remind.MaxBackoff)
	}
}

// NextReminder is the first reminder left at or after a date: a snooze
// until the day a referral expires at 02:34 swallows the 1-day reminder
// (due the day before), and none is left.
func TestNextReminder(t *testing.T) {
	before := remind.DefaultConfig().Before
	expires := time.Date(2026, 12, 14, 2, 34, 0, 0, time.UTC)
	day := func(d int) time.Time { return time.Date(2026, 12, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		from time.Time
		want time.Time // zero: none left
	}{
		{day(1), expires.Add(-7 * 24 * time.Hour)},
		{day(7), expires.Add(-7 * 24 * time.Hour)},
		{day(8), expires.Add(-3 * 24 * time.Hour)},
		{day(13), expires.Add(-24 * time.Hour)},
		{expires.Add(-24 * time.Hour), expires.Add(-24 * time.Hour)},
		{day(14), time.Time{}},
		{expires.Add(time.Hour), time.Time{}},
	} {
		got, ok := remind.NextReminder(expires, tc.from, before)
		if ok != !tc.want.IsZero() || !got.Equal(tc.want) {
			t.Errorf("from %s: %v %v, want %v", tc.from.Format(time.RFC3339), got, ok, tc.want)
		}
	}
	if _, ok := remind.NextReminder(expires, day(1), nil); ok {
		t.Error("a reminder with no offsets")
	}
}
