package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// commandMetric is the server's histogram of chat command latency, from
// parsing a command to its reply (cmd/cosellbot/metrics.go): the part of a
// request that is the bot's own work, without the HTTP exchange, the
// signature check or the load generator sharing the machine.
const commandMetric = "cosellbot_command_duration_seconds"

// histogram is a cumulative Prometheus histogram summed over its label
// sets: counts[i] observations at most bounds[i] seconds, total in all.
type histogram struct {
	bounds []float64
	counts []uint64
	total  uint64
}

// commandHistogram reads commandMetric from the server's /metrics at base.
// A server that has run no command yet has none: an empty histogram.
func commandHistogram(ctx context.Context, base string) (histogram, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return histogram{}, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return histogram{}, fmt.Errorf("read the server's metrics: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return histogram{}, fmt.Errorf("read the server's metrics: %s", res.Status)
	}
	return parseHistogram(res.Body, commandMetric)
}

// parseHistogram reads histogram name from a Prometheus text exposition.
func parseHistogram(r io.Reader, name string) (histogram, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(r)
	if err != nil {
		return histogram{}, fmt.Errorf("parse the server's metrics: %w", err)
	}
	var h histogram
	mf, ok := families[name]
	if !ok {
		return h, nil
	}
	for _, m := range mf.GetMetric() {
		hm := m.GetHistogram()
		if hm == nil {
			return histogram{}, fmt.Errorf("parse the server's metrics: %s is not a histogram", name)
		}
		h.total += hm.GetSampleCount()
		for _, b := range hm.GetBucket() {
			i, found := slices.BinarySearch(h.bounds, b.GetUpperBound())
			if !found {
				h.bounds = slices.Insert(h.bounds, i, b.GetUpperBound())
				h.counts = slices.Insert(h.counts, i, 0)
			}
			h.counts[i] += b.GetCumulativeCount()
		}
	}
	return h, nil
}

// since is the observations of h made after before, an earlier reading of
// the same histogram.
func (h histogram) since(before histogram) histogram {
	out := histogram{bounds: h.bounds, counts: slices.Clone(h.counts), total: h.total - before.total}
	for i, b := range h.bounds {
		if j, ok := slices.BinarySearch(before.bounds, b); ok {
			out.counts[i] -= before.counts[j]
		}
	}
	return out
}

// quantile estimates the q-quantile in seconds as Prometheus's
// histogram_quantile does: linearly within the bucket that holds it, the
// first bucket starting at 0. NaN when h is empty; the highest bound when
// the quantile lies beyond it.
func (h histogram) quantile(q float64) float64 {
	if h.total == 0 {
		return math.NaN()
	}
	rank := q * float64(h.total)
	lower, below := 0.0, uint64(0)
	for i, b := range h.bounds {
		if float64(h.counts[i]) >= rank {
			in := h.counts[i] - below
			if in == 0 {
				return b
			}
			return lower + (b-lower)*(rank-float64(below))/float64(in)
		}
		lower, below = b, h.counts[i]
	}
	if len(h.bounds) == 0 {
		return math.NaN()
	}
	return h.bounds[len(h.bounds)-1]
}

// within is the share of h's observations at most bound seconds, bound
// being one of its bucket bounds (NaN otherwise, or when h is empty).
func (h histogram) within(bound float64) float64 {
	i, ok := slices.BinarySearch(h.bounds, bound)
	if !ok || h.total == 0 {
		return math.NaN()
	}
	return float64(h.counts[i]) / float64(h.total)
}
