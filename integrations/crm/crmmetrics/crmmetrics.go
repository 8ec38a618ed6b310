// Package crmmetrics counts webhook events with Prometheus: received,
// duplicate, failed, applied, ignored and held, by source.
package crmmetrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cosellbot/cosellbot/integrations/crm"
)

// Metrics implements crm.Metrics with one counter vector per outcome.
type Metrics struct {
	events *prometheus.CounterVec
}

// New builds the collectors; Register exposes them.
func New() *Metrics {
	return &Metrics{events: prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "cosellbot", Subsystem: "webhook", Name: "events_total",
		Help: "Webhook events by source and outcome: received (stored in the inbox), duplicate (delivered before), applied, ignored (nothing to do, or stale), failed (left for cosellbot replay), and held (a delivery held before it was stored while processing was behind).",
	}, []string{"source", "outcome"})}
}

// Register adds the collectors to r.
func (m *Metrics) Register(r prometheus.Registerer) error { return r.Register(m.events) }

// Count counts one event of source with outcome o.
func (m *Metrics) Count(source string, o crm.Outcome) {
	m.events.WithLabelValues(source, string(o)).Inc()
}
