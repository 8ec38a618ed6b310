package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cosellbot/cosellbot/integrations/web"
)

// The HTTP server's limits: no request, however slow or large, holds the
// server. Headers must arrive within readHeaderTimeout and weigh at most
// maxHeaderBytes; each route's body must arrive within its BodyLimit (the
// body guard), and a whole request within readTimeout; an idle keep-alive
// connection is closed after idleTimeout.
const (
	maxHeaderBytes    = 64 << 10
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 2 * time.Minute // an outer bound: the body guard cuts sooner
	writeTimeout      = 2 * time.Minute
	idleTimeout       = 60 * time.Second
)

// chatBody is the limit of the Slack and Discord routes (and any other):
// their payloads are a few kilobytes, and Slack gives up after 3 seconds.
var chatBody = web.BodyLimit{Read: 10 * time.Second, Max: 1 << 20}

// webhookBody is the limit of POST /webhooks/{source}: only a deadline, since
// the receiver limits the size per source itself (crm.MaxBody, Salesforce's
// 16 MiB of batched notifications) and answers 413 in the sender's form.
var webhookBody = web.BodyLimit{Read: 30 * time.Second}

// newServer wraps the router with panic recovery and the body guard, under
// the observer (so a recovered panic is counted as a 500), and sets the
// server's limits. At shutdown the bodies still arriving, and connections
// that sent nothing yet, get at most a fifth of the shutdown timeout, so
// that the requests in flight finish within it.
func newServer(router *mux.Router, obs *web.Observer, reg prometheus.Registerer, log *slog.Logger, shutdownTimeout time.Duration) (*http.Server, error) {
	rec := web.NewRecoverer(log)
	if err := rec.Register(reg); err != nil {
		return nil, fmt.Errorf("HTTP panic counter: %w", err)
	}
	guard := web.NewBodyGuard(chatBody, map[string]web.BodyLimit{"/webhooks/{source}": webhookBody})
	router.Use(rec.Middleware, guard.Middleware)
	srv := &http.Server{
		Handler:           obs.Wrap(router),
		MaxHeaderBytes:    maxHeaderBytes,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ConnState:         guard.ConnState,
	}
	srv.RegisterOnShutdown(func() { guard.Cut(shutdownTimeout / 5) })
	return srv, nil
}
