package spell

import "testing"

func TestClosest(t *testing.T) {
	keys := []string{"close", "currency", "customer", "notes"}
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"clse", "close", true}, {"clsoe", "close", true}, {"noets", "notes", true}, {"custmer", "customer", true}, {"zzzzzz", "", false},
	} {
		got, ok := Closest(tt.in, keys)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("Closest(%q) = %q %v, want %q %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		max  int
		want int
	}{
		{"close", "close", 2, 0}, {"clse", "close", 2, 1}, {"clsoe", "close", 2, 1}, {"kind", "kinds", 2, 1},
		{"où", "ou", 2, 1}, {"abcdef", "badcfe", 2, 3}, {"", "abc", 5, 3}, {"abc", "", 1, 2},
	} {
		if got := Distance(tt.a, tt.b, tt.max); got != tt.want {
			t.Errorf("Distance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.max, got, tt.want)
		}
	}
}
