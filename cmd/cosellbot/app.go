package main

import (
	"context"
	"log/slog"

	"github.com/gorilla/mux"

	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/store"
)

// app is what serve, ask and shell share, built once from the configuration.
type app struct {
	cfg   config
	log   *slog.Logger
	store *store.Store
	svc   *command.Service
	clock command.Clock
}

// build opens the database, brings its schema up to date and assembles the
// command service with every capability the configuration enables.
func build(ctx context.Context, cfg config, log *slog.Logger) (*app, error) {
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	n, err := st.Migrate(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	if n > 0 {
		log.InfoContext(ctx, "schema migrated", "applied", n, "database", st.Dialect())
	}
	a := &app{cfg: cfg, log: log, store: st, clock: command.SystemClock{}}
	opts := []command.Option{
		// Capabilities add their command options here, one line each.
	}
	a.svc = command.New(st, a.clock, cfg.Rates, log, opts...)
	return a, nil
}

// routes mounts the platform adapters' HTTP routes.
func (a *app) routes(r *mux.Router) {
	// Adapters mount their routes here, one line each.
	_ = r
}

// background lists the loops serve runs beside the HTTP server, by name.
// Each runs until its context is cancelled.
func (a *app) background() map[string]func(context.Context) error {
	loops := map[string]func(context.Context) error{
		// Background loops (sweep, outbox dispatcher, pollers) go here, one line each.
	}
	return loops
}

func (a *app) close() { a.store.Close() }
