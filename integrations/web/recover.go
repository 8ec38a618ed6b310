package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cosellbot/cosellbot/bot/escape"
)

// Recoverer turns a panic in a handler into a 500 answer, an error log
// line with the stack, and a count in /metrics
// (cosellbot_http_panics_total), instead of net/http's silent drop of the
// connection: a bug reached by one request must not look like a network
// failure to the sender, nor go unnoticed.
type Recoverer struct {
	log    *slog.Logger
	panics *prometheus.CounterVec
}

// NewRecoverer builds the middleware; Register exposes its counter.
func NewRecoverer(log *slog.Logger) *Recoverer {
	return &Recoverer{log: log, panics: prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "cosellbot", Subsystem: "http", Name: "panics_total",
		Help: "Panics recovered in HTTP handlers, by route template.",
	}, []string{"route"})}
}

// Register adds the counter to reg.
func (rc *Recoverer) Register(reg prometheus.Registerer) error { return reg.Register(rc.panics) }

// Middleware recovers what next panics with. http.ErrAbortHandler, the
// documented way to abort a response on purpose, is let through.
func (rc *Recoverer) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &writeTracker{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler { //nolint:errorlint // a sentinel panicked with as is
				panic(v)
			}
			route := "unmatched"
			if cur := mux.CurrentRoute(r); cur != nil {
				if tpl, err := cur.GetPathTemplate(); err == nil {
					route = tpl
				}
			}
			rc.panics.WithLabelValues(route).Inc()
			rc.log.ErrorContext(r.Context(), "handler panicked", "route", route,
				"panic", escape.Bound(fmt.Sprint(v), 500), "answered", !tw.wrote, "stack", string(debug.Stack()))
			if tw.wrote {
				return // the status is gone: the answer ends short, and the log says why
			}
			WriteError(tw, http.StatusInternalServerError, "internal",
				"cosellbot failed on this request and logged it (request id "+RequestID(r.Context())+"); nothing was acknowledged, so retry or tell the operator")
		}()
		next.ServeHTTP(tw, r)
	})
}

// writeTracker notes whether the answer's header was sent.
type writeTracker struct {
	http.ResponseWriter
	wrote bool
}

func (t *writeTracker) WriteHeader(code int) {
	t.wrote = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *writeTracker) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (t *writeTracker) Unwrap() http.ResponseWriter { return t.ResponseWriter }
