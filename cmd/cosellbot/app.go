package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/faq"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/integrations/discord"
	"github.com/cosellbot/cosellbot/integrations/notify"
	"github.com/cosellbot/cosellbot/integrations/slack"
	"github.com/cosellbot/cosellbot/integrations/web"
	"github.com/cosellbot/cosellbot/integrations/web/pipeline"
	"github.com/cosellbot/cosellbot/store"
)

// app is what serve, ask and shell share, built once from the configuration.
type app struct {
	cfg   config
	log   *slog.Logger
	store *store.Store
	svc   *command.Service
	clock command.Clock
	// metrics is the registry /metrics serves; each capability registers its collectors.
	metrics *prometheus.Registry
	// Chat platforms (slack.go, discord.go), built by chatRoutes; nil when
	// not configured.
	slack   *slack.Adapter
	discord *discord.Adapter
	// Built in order by build: the notifiers by platform (sweep.go), the
	// webhook machinery (webhooks.go), and serve's outbox dispatcher, whose
	// counts /metrics reads (metrics.go).
	mux      *notify.Mux
	webhooks *webhooks
	outbox   *remind.Dispatcher
	// Pipeline page (web.go): built once when COSELLBOT_PUBLIC_URL is set.
	page *pipeline.Server
	// ready is serve's readiness, held not ready while the FAQ index is
	// built at start (faq.go); nil in one-shot commands.
	ready *web.Drain
}

// oneShot builds the app for a command that runs once and exits (ask,
// shell, sweep, inbox…): it logs warnings only, so that its output stays
// the command's, and reports a failure to build on stderr.
func oneShot(ctx context.Context, cfg config, stderr io.Writer) (*app, bool) {
	a, err := build(ctx, cfg, logger(cfg, stderr, slog.LevelWarn))
	if err != nil {
		fmt.Fprintln(stderr, "cosellbot:", err)
		return nil, false
	}
	return a, true
}

// build opens the database, brings its schema up to date and assembles the
// command service with every capability the configuration enables.
func build(ctx context.Context, cfg config, log *slog.Logger) (*app, error) {
	newFile := ""
	if path, ok := sqlitePath(cfg.DatabaseURL); ok {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			newFile = absPath(path)
		}
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if newFile != "" { // a command run from another folder must not quietly start an empty pipeline
		log.WarnContext(ctx, "created a new, empty SQLite database; set DATABASE_URL=sqlite:/path/to/cosellbot.db to use an existing one", "path", newFile)
	}
	n, err := st.Migrate(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	if n > 0 {
		log.InfoContext(ctx, "schema migrated", "applied", n, "database", st.Dialect())
		sayCRMIDsTakenOff(ctx, st, log, nil)
	}
	a := &app{cfg: cfg, log: log, store: st, clock: command.SystemClock{}, metrics: prometheus.NewRegistry()}
	// In order: each step uses only what the steps above it built.
	a.mux = a.buildNotifier()                                           // notifiers by platform (sweep.go)
	a.webhooks = a.buildWebhooks()                                      // sources, processor, outgoing webhooks on a.mux (webhooks.go)
	a.outbox = remind.NewDispatcher(a.store, a.mux, a.clock.Now, a.log) // serve's outbox dispatcher
	if err := a.registerMetrics(); err != nil {                         // runtime, pool, outbox, dispatcher (metrics.go)
		st.Close()
		return nil, err
	}
	kb, err := faq.Load()
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("the shipped FAQ knowledge base: %w", err)
	}
	opts := []command.Option{
		// Capabilities add their command options here, one line each.
		command.WithAlerts(st, a.mux.Platforms(), cfg.Remind.Before), // subscribe, unsubscribe, deal snooze (sweep.go)
		command.WithCPOR(st),                    // cpor claims
		command.WithChanges(a.webhooks.changes), // one change path, synced to Partner Center and CRMs (webhooks.go)
		command.WithFAQ(kb, st, faqCache(cfg)),  // faq questions and any text that is no command
		a.commandObserver(),                     // commands by verb and outcome on /metrics (metrics.go)
		a.webLinks(),                            // web: sign-in links to the pipeline page (web.go)
	}
	a.svc = command.New(st, a.clock, cfg.Rates, log, opts...)
	return a, nil
}

// faqCache keeps the FAQ's trained ranker in cacheDir, so that a one-shot
// ask or a restart loads it instead of training again (most of an index
// build).
func faqCache(cfg config) faq.Option {
	dir := cacheDir(cfg)
	if dir == "" {
		return faq.WithModelCache(nil) // nothing kept: no key to work out either
	}
	return faq.WithModelCache(faq.DirCache(dir))
}

// cacheDir is COSELLBOT_CACHE_DIR: the user's cache folder + /cosellbot
// when unset; "" (nothing kept) for "off" or when there is no cache folder.
func cacheDir(cfg config) string {
	switch cfg.CacheDir {
	case "off":
		return ""
	case "":
		if base, err := os.UserCacheDir(); err == nil {
			return filepath.Join(base, "cosellbot")
		}
		return ""
	}
	return cfg.CacheDir
}

// routes mounts the platform adapters' HTTP routes.
func (a *app) routes(r *mux.Router) {
	// Adapters mount their routes here, one line each.
	r.Handle("/metrics", promhttp.HandlerFor(a.metrics, promhttp.HandlerOpts{Registry: a.metrics})).Methods(http.MethodGet)
	a.chatRoutes(r)    // Slack and Discord (slack.go)
	a.webhookRoutes(r) // POST /webhooks/{source} (webhooks.go)
	a.webRoutes(r)     // the pipeline page: /, /deals/{id}, /charts… (web.go)
}

// background lists the loops serve runs beside the HTTP server, by name.
// Each runs until its context is cancelled.
func (a *app) background() map[string]func(context.Context) error {
	loops := map[string]func(context.Context) error{
		// Background loops (sweep, outbox dispatcher, pollers) go here, one line each.
		"sweep":    a.sweepLoop,          // reminders, expiries, decision and CPOR windows, digests (sweep.go)
		"outbox":   a.outboxLoop,         // outbox dispatcher (outbox.go)
		"chat":     a.chatLoop,           // Discord registration, old deliveries, late answers (slack.go)
		"webhooks": a.webhookLoop,        // inbox processing, outgoing webhooks, Partner Center poll (webhooks.go)
		"faq":      a.faqWarm,            // builds the FAQ index at start (faq.go)
		"faqmiss":  a.svc.WriteFAQMisses, // writes refused questions for faq misses, off the reply's path (bot/command)
		"deals":    a.store.CacheDeals,   // keeps deal reads cached while it watches the database for commits (store/dealcache.go)
	}
	return loops
}

func (a *app) close() { a.store.Close() }

// sqlitePath is the file a sqlite: URL names, without its query; ok is
// false for other databases and for in-memory ones.
func sqlitePath(dbURL string) (string, bool) {
	rest, ok := strings.CutPrefix(dbURL, "sqlite:")
	if !ok {
		return "", false
	}
	rest, _, _ = strings.Cut(strings.TrimPrefix(rest, "file:"), "?")
	if rest == "" || rest == ":memory:" || strings.HasPrefix(rest, "file::memory:") {
		return "", false
	}
	return rest, true
}

func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}
