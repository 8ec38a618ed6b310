// Package web is cosellbot's HTTP front: the router every platform adapter
// mounts its routes on, health and readiness probes, and the JSON error shape
// of the HTTP contract.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"
)

// Pinger checks that a dependency (the database) answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// ErrDraining is what a Drain's Ping answers once the server shuts down.
var ErrDraining = errors.New("draining")

// Drain is the readiness of a server that is about to stop: it answers as
// its database does until Start, then ErrDraining, so that /readyz turns
// 503 and load balancers send new requests to other replicas while the
// requests in flight finish.
type Drain struct {
	db       Pinger
	draining atomic.Bool
	starting atomic.Bool
}

// ErrStarting is what a Drain's Ping answers while the server warms up.
var ErrStarting = errors.New("starting")

// Starting holds the server not ready until Started: what its first
// requests need is being built (the FAQ index), so that they are answered
// as fast as the rest.
func (d *Drain) Starting() { d.starting.Store(true) }

// Started ends Starting.
func (d *Drain) Started() { d.starting.Store(false) }

// NewDrain wraps the readiness check of db.
func NewDrain(db Pinger) *Drain { return &Drain{db: db} }

// Start marks the server as draining.
func (d *Drain) Start() { d.draining.Store(true) }

// Ping answers ErrDraining once draining, and else pings the database.
func (d *Drain) Ping(ctx context.Context) error {
	if d.draining.Load() {
		return ErrDraining
	}
	if d.starting.Load() {
		return ErrStarting
	}
	return d.db.Ping(ctx)
}

// Router builds the HTTP routes. Adapters add theirs to the returned router.
func Router(db Pinger, log *slog.Logger) *mux.Router {
	r := mux.NewRouter()
	r.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/readyz", func(w http.ResponseWriter, req *http.Request) {
		ctx, cancel := context.WithTimeout(req.Context(), 2*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			if errors.Is(err, ErrDraining) {
				WriteError(w, http.StatusServiceUnavailable, "draining", "shutting down: send new requests to another replica")
				return
			}
			if errors.Is(err, ErrStarting) {
				WriteError(w, http.StatusServiceUnavailable, "starting", "building the FAQ index: ready in a few seconds")
				return
			}
			log.WarnContext(ctx, "not ready", "err", err)
			WriteError(w, http.StatusServiceUnavailable, "database_unavailable", "the database cannot be used: "+err.Error())
			return
		}
		WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	}).Methods(http.MethodGet, http.MethodHead)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		WriteError(w, http.StatusNotFound, "not_found", "no route "+req.Method+" "+req.URL.Path)
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		WriteError(w, http.StatusMethodNotAllowed, "method_not_allowed", req.Method+" is not allowed on "+req.URL.Path)
	})
	return r
}

// WriteJSON answers with a JSON body.
func WriteJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteError answers {"error": {"code", "message"}}.
func WriteError(w http.ResponseWriter, code int, errCode, msg string) {
	WriteJSON(w, code, map[string]any{"error": map[string]string{"code": errCode, "message": msg}})
}
