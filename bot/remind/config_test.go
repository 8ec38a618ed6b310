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
