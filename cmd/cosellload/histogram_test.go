package main

import (
	"math"
	"strings"
	"testing"
)

// exposition is /metrics as the server writes it: one histogram per verb.
const exposition = `# HELP cosellbot_command_duration_seconds Chat command latency by verb, from parsing to the reply.
# TYPE cosellbot_command_duration_seconds histogram
cosellbot_command_duration_seconds_bucket{verb="faq",le="0.001"} 50
cosellbot_command_duration_seconds_bucket{verb="faq",le="0.002"} 90
cosellbot_command_duration_seconds_bucket{verb="faq",le="0.005"} 100
cosellbot_command_duration_seconds_bucket{verb="faq",le="+Inf"} 100
cosellbot_command_duration_seconds_sum{verb="faq"} 0.15
cosellbot_command_duration_seconds_count{verb="faq"} 100
cosellbot_command_duration_seconds_bucket{verb="deal show",le="0.001"} 10
cosellbot_command_duration_seconds_bucket{verb="deal show",le="0.002"} 10
cosellbot_command_duration_seconds_bucket{verb="deal show",le="0.005"} 10
cosellbot_command_duration_seconds_bucket{verb="deal show",le="+Inf"} 10
cosellbot_command_duration_seconds_sum{verb="deal show"} 0.005
cosellbot_command_duration_seconds_count{verb="deal show"} 10
# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 12
`

func TestHistogram(t *testing.T) {
	h, err := parseHistogram(strings.NewReader(exposition), commandMetric)
	if err != nil {
		t.Fatal(err)
	}
	if h.total != 110 || len(h.bounds) != 4 || h.counts[0] != 60 || h.counts[1] != 100 {
		t.Fatalf("summed over verbs: %+v", h)
	}
	// 20 faq commands of the 100 came before the load: 50 of the 80 since
	// took at most 1 ms (30 before), 70 at most 2 ms (20 before).
	before := histogram{bounds: []float64{0.001, 0.002, 0.005, math.Inf(1)}, counts: []uint64{30, 40, 40, 40}, total: 40}
	d := h.since(before)
	if d.total != 70 || d.counts[0] != 30 || d.counts[1] != 60 || d.counts[2] != 70 {
		t.Fatalf("since: %+v", d)
	}
	for _, tt := range []struct {
		q, want float64
	}{
		{0.25, 0.001 * 17.5 / 30},          // rank 17.5 of (0, 1 ms]'s 30
		{0.5, 0.001 + 0.001*(35.0-30)/30},  // rank 35: 5 into (1, 2 ms]'s 30
		{0.8, 0.001 + 0.001*(56.0-30)/30},  // rank 56: 26 into (1, 2 ms]'s 30
		{0.99, 0.002 + 0.003*(69.3-60)/10}, // rank 69.3: 9.3 into (2, 5 ms]'s 10
		{1, 0.005},                         // the last observation: its bucket's top
	} {
		if got := d.quantile(tt.q); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("quantile(%v) = %v, want %v", tt.q, got, tt.want)
		}
	}
	if got := d.within(0.002); math.Abs(got-60.0/70) > 1e-12 {
		t.Errorf("within(2 ms) = %v, want %v", got, 60.0/70)
	}
	if !math.IsNaN(d.within(0.003)) {
		t.Error("within a bound that is no bucket's is not NaN")
	}
	if !math.IsNaN(histogram{}.quantile(0.99)) {
		t.Error("an empty histogram has a quantile")
	}
}

func TestHistogramErrors(t *testing.T) {
	h, err := parseHistogram(strings.NewReader("go_goroutines 3\n"), commandMetric)
	if err != nil || h.total != 0 {
		t.Fatalf("a server with no command yet: %+v, %v", h, err)
	}
	if _, err := parseHistogram(strings.NewReader("# TYPE cosellbot_command_duration_seconds counter\ncosellbot_command_duration_seconds 3\n"), commandMetric); err == nil || !strings.Contains(err.Error(), "not a histogram") {
		t.Errorf("a counter under the name: %v", err)
	}
	if _, err := parseHistogram(strings.NewReader("{{{ not metrics"), commandMetric); err == nil {
		t.Error("garbage parsed")
	}
}

func FuzzParseHistogram(f *testing.F) {
	f.Add(exposition)
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		h, err := parseHistogram(strings.NewReader(text), commandMetric)
		if err != nil {
			return
		}
		if len(h.bounds) != len(h.counts) {
			t.Fatalf("bounds and counts differ: %+v", h)
		}
		_ = h.since(h).quantile(0.99)
	})
}
