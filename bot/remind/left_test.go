package remind

import (
	"testing"
	"time"
)

// TestLeft is how reminders word the time left, from days to the last
// minutes (a reminder a minute before expiry said "less than 2 hours").
func TestLeft(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   time.Duration
		want string
	}{
		{7*24*time.Hour - time.Minute, "7 days"},
		{36 * time.Hour, "1 day 12 hours"},
		{6*24*time.Hour + 23*time.Hour, "6 days 23 hours"},
		{24*time.Hour + 24*time.Minute, "1 day"}, // a tester read "in 2 days" here
		{24 * time.Hour, "1 day"},
		{20 * time.Hour, "20 hours"},
		{3 * time.Hour, "3 hours"},
		{2*time.Hour - 20*time.Minute, "2 hours"},
		{80 * time.Minute, "1 hour"},
		{time.Hour, "1 hour"},
		{59 * time.Minute, "less than an hour"},
		{time.Minute, "less than an hour"},
		{0, "no time"},
		{-time.Hour, "no time"},
	}
	for _, tt := range tests {
		if got := left(now.Add(tt.in), now); got != tt.want {
			t.Errorf("left(now+%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
