// Command cosellbot is the co-sell assistant for Microsoft partners: a chat
// bot for Slack, Discord and a local shell, and a webhook receiver for CRMs
// and Partner Center. This file only wires the pieces together.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/escape"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/integrations/chatkit"
	"github.com/cosellbot/cosellbot/integrations/shell"
	"github.com/cosellbot/cosellbot/integrations/web"
	"github.com/cosellbot/cosellbot/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// config is what the environment sets.
type config struct {
	DatabaseURL string
	Addr        string
	LogFormat   string
	CacheDir    string // COSELLBOT_CACHE_DIR: "off", a folder, or "" for the user's cache folder (faqCache)
	Rates       deal.Rates
	Remind      remind.Config   // COSELLBOT_REMIND_BEFORE (sweep.go)
	Slack       slackConfig     // SLACK_* (slack.go)
	Discord     discordConfig   // DISCORD_* (discord.go)
	Webhooks    webhookConfig   // WEBHOOK_*, PARTNERCENTER_*, COSELLBOT_CRM_MAPPING, SALESFORCE_ORG_IDS (webhooks.go)
	Lifecycle   lifecycleConfig // COSELLBOT_DRAIN_DELAY, COSELLBOT_SHUTDOWN_TIMEOUT (config.go)
	Web         webConfig       // COSELLBOT_PUBLIC_URL (web.go)
}

func loadConfig(getenv func(string) string) (config, error) {
	if err := validateEnv(getenv); err != nil { // values no loader below checks (config.go)
		return config{}, err
	}
	c := config{DatabaseURL: getenv("DATABASE_URL"), Addr: getenv("COSELLBOT_ADDR"), LogFormat: getenv("COSELLBOT_LOG_FORMAT"), CacheDir: getenv("COSELLBOT_CACHE_DIR"), Rates: deal.DefaultRates()}
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite:cosellbot.db"
	}
	if c.Addr == "" {
		c.Addr = ":8080"
	}
	switch c.LogFormat {
	case "":
		c.LogFormat = "text"
	case "text", "json":
	default:
		return c, fmt.Errorf("COSELLBOT_LOG_FORMAT must be text or json, got %q", c.LogFormat)
	}
	if path := getenv("COSELLBOT_RATES_FILE"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("COSELLBOT_RATES_FILE: %w", err)
		}
		if c.Rates, err = deal.ParseRates(data); err != nil {
			return c, fmt.Errorf("COSELLBOT_RATES_FILE %s: %w", path, err)
		}
	}
	c.Slack = loadSlack(getenv)
	discordCfg, err := loadDiscord(getenv)
	if err != nil {
		return c, err
	}
	c.Discord = discordCfg
	if c.Remind, err = loadRemind(getenv); err != nil { // reminders (sweep.go)
		return c, err
	}
	if c.Webhooks, err = loadWebhooks(getenv); err != nil { // webhooks (webhooks.go)
		return c, err
	}
	if c.Lifecycle, err = loadLifecycle(getenv); err != nil { // shutdown (config.go)
		return c, err
	}
	if c.Web, err = loadWeb(getenv, &c.Remind); err != nil { // pipeline page (web.go)
		return c, err
	}
	return c, nil
}

func logger(cfg config, w io.Writer, level slog.Leveler) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: web.SafeAttr} // no URL credential, no megabyte value
	// web.LogHandler adds the request id to what is logged during a request.
	if cfg.LogFormat == "json" {
		return slog.New(web.LogHandler{Handler: slog.NewJSONHandler(w, opts)})
	}
	return slog.New(web.LogHandler{Handler: slog.NewTextHandler(w, opts)})
}

func cmdMigrate(ctx context.Context, cfg config, stdout, stderr io.Writer) int {
	log := logger(cfg, stderr, slog.LevelInfo)
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		log.Error("cannot open the database", "err", err)
		return 1
	}
	defer st.Close()
	n, err := st.Migrate(ctx)
	if err != nil {
		log.Error("migration failed", "err", err)
		return 1
	}
	fmt.Fprintf(stdout, "applied %d migration(s) to %s\n", n, st.Dialect())
	if n > 0 {
		sayCRMIDsTakenOff(ctx, st, log, stdout)
	}
	return 0
}

// sayCRMIDsTakenOff lists the open deals that lost their CRM ID to another
// deal holding it too, as migration 00014 took it off them (to stdout when
// given, else to the log): each line says which deal holds it and what to
// do. cosellbot doctor lists them until they are done with.
func sayCRMIDsTakenOff(ctx context.Context, st *store.Store, log *slog.Logger, stdout io.Writer) {
	taken, err := st.CRMIDsTakenOff(ctx)
	if err != nil {
		log.WarnContext(ctx, "cannot list the deals whose CRM ID was taken off", "err", err)
		return
	}
	for _, t := range taken {
		if stdout != nil {
			fmt.Fprintln(stdout, escape.Line(t.String()))
			continue
		}
		log.WarnContext(ctx, "a deal lost its CRM ID to another deal holding it too", "deal", t.DealID, "history", t.Detail)
	}
}

// quotedAskFlag is ask's own flag (--user, --json) when one quoted
// argument holds it as a word of its own outside the chat line's quotes
// ("…", “…”, «…»), else "".
func quotedAskFlag(arg string) string {
	var closing rune // the quote being read, 0 outside quotes
	word := func(w string) string {
		switch {
		case w == "--json" || strings.HasPrefix(w, "--json="):
			return "--json"
		case w == "--user" || strings.HasPrefix(w, "--user="):
			return "--user"
		}
		return ""
	}
	start := -1
	for i, r := range arg + " " {
		switch {
		case closing != 0:
			if r == closing {
				closing = 0
			}
			continue
		case r == '"':
			closing = '"'
		case r == '“':
			closing = '”'
		case r == '«':
			closing = '»'
		}
		if r == ' ' || r == '\t' {
			if start >= 0 {
				if f := word(arg[start:i]); f != "" {
					return f
				}
			}
			start = -1
		} else if start < 0 {
			start = i
		}
	}
	return ""
}

// joinText rebuilds the chat line from argv. One argument is taken as typed;
// several are re-quoted where the shell removed quotes around spaces, so that
// `ask deal new name="Big deal"` means what it says.
func joinText(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	parts := make([]string, len(args))
	for i, a := range args {
		if !strings.ContainsAny(a, " \t\"") {
			parts[i] = a
			continue
		}
		if k, v, ok := strings.Cut(a, "="); ok && !strings.ContainsAny(k, " \t\"") {
			parts[i] = k + "=" + command.Quote(v)
		} else {
			parts[i] = command.Quote(a)
		}
	}
	return strings.Join(parts, " ")
}

func cmdAsk(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("ask", stderr)
	user := fs.String("user", "", "act as this user (an e-mail); default the local admin")
	asJSON := fs.Bool("json", false, "print the reply as one JSON object")
	share := fs.Bool("share", false, "accepted as in Slack and Discord; the CLI has no channel to post in")
	text, err := parseFlags(fs, args) // flags anywhere: ask deal list --user ana@…
	if err != nil {
		return 2
	}
	if len(text) == 0 {
		return usageOf(stderr, "ask")
	}
	if len(text) == 1 {
		if f := quotedAskFlag(text[0]); f != "" {
			// ask 'deal list --user ana@…' ran as the admin and answered
			// "deal list takes no flag --user".
			fmt.Fprintf(stderr, "cosellbot ask: %s is inside the quoted command, so it reads as chat text, not as ask's flag: put it outside the quotes, as in cosellbot ask %s 'deal list expiring'\n",
				f, map[string]string{"--user": "--user ana@contoso.com", "--json": "--json"}[f])
			return 2
		}
	}
	line, shared := chatkit.CutShare(joinText(text)) // also inside one quoted argument
	if *share || shared {
		fmt.Fprintln(stderr, "cosellbot: "+shell.ShareNote)
	}
	a, ok := oneShot(ctx, cfg, stderr)
	if !ok {
		return 1
	}
	defer a.close()
	var reply command.Reply
	if who, err := a.svc.Resolve(ctx, *user); err != nil {
		reply = command.Refusal(err)
	} else {
		reply = a.svc.Run(ctx, who, shell.Place, line)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		_ = enc.Encode(reply.Envelope())
	} else {
		fmt.Fprintln(stdout, shell.Render(reply))
	}
	return exitCode(reply)
}

// exitCode is the CLI contract: 0 done, 1 refused, 2 usage error (a line
// the grammar or the command table could not take).
func exitCode(r command.Reply) int {
	switch {
	case r.OK():
		return 0
	case r.Err.Code == "usage":
		return 2
	}
	return 1
}

func historyFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "cosellbot", "history")
}

func cmdShell(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("shell", stderr)
	user := fs.String("user", "", "act as this user (an e-mail); default the local admin")
	if !onlyFlags(fs, args) {
		return 2
	}
	a, ok := oneShot(ctx, cfg, stderr)
	if !ok {
		return 1
	}
	defer a.close()
	return runShell(ctx, a, *user, nil, stdin, stdout, stderr)
}

// runShell runs the local shell; notices, under serve --shell, prints the
// news for the shell's subscriptions (a one-shot shell sends none: its
// outbox rows wait for a serve).
func runShell(ctx context.Context, a *app, user string, notices *shell.Notices, stdin io.Reader, stdout, stderr io.Writer) int {
	who, err := a.svc.Resolve(ctx, user)
	if err != nil {
		fmt.Fprintln(stderr, "cosellbot:", err)
		return 1
	}
	sh := &shell.Shell{Runner: a.svc, User: who, In: stdin, Out: stdout, History: historyFile(), Notices: notices}
	if err := sh.Run(ctx); err != nil {
		fmt.Fprintln(stderr, "cosellbot:", err)
		return 1
	}
	return 0
}

// cmdServe runs the HTTP server and the background loops until SIGTERM (or
// Ctrl-C, or the end of --shell). Stopping is graceful, so that a rolling
// restart loses no request and sends no notification twice: /readyz turns
// 503 (draining) for COSELLBOT_DRAIN_DELAY while the server still accepts,
// then the listener closes and the requests in flight finish; only then do
// the background loops stop, since requests use them (webhook commits, late
// chat answers), and the outbox dispatcher gives back what it has not sent.
func cmdServe(ctx context.Context, stopSignals context.CancelFunc, cfg config, warnings []string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("serve", stderr)
	withShell := fs.Bool("shell", false, "also run the local shell on this terminal; leaving it stops the server")
	user := fs.String("user", "", "with --shell: act as this user")
	addr := fs.String("addr", cfg.Addr, "HTTP listen address (overrides COSELLBOT_ADDR)")
	if !onlyFlags(fs, args) {
		return 2
	}
	if err := checkAddr(*addr); err != nil {
		fmt.Fprintf(stderr, "cosellbot serve: --addr %q: %v\n", *addr, err)
		return 2
	}
	// With the shell on the same terminal, only warnings are logged once the
	// server is up, so that request logs do not break into the prompt.
	level := new(slog.LevelVar)
	log := logger(cfg, stderr, level)
	slog.SetDefault(log)
	for _, w := range warnings {
		log.Warn("configuration: " + w)
	}
	// The port first: taken, nothing else is done (a tester's serve on a
	// busy port made and migrated a new SQLite file before saying so).
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Error("cannot listen", "addr", *addr, "err", err, "fix", listenFix(*addr, addrSetBy(fs), err))
		return 1
	}
	defer ln.Close() // Serve's own close, or this one when start fails
	a, err := build(ctx, cfg, log)
	if err != nil {
		log.Error("cannot start", "err", err)
		return 1
	}
	defer a.close()
	var notices *shell.Notices
	if *withShell {
		// The shell's news goes to this terminal, not to the log, which is
		// quieted to warnings while the shell runs; registered before the
		// dispatcher starts, so that nothing goes to the log meanwhile.
		notices = &shell.Notices{}
		a.mux.Handle(shell.Place.Platform, notices)
	}

	drain := web.NewDrain(a.store)
	drain.Starting() // until the FAQ index is built (faqWarm)
	a.ready = drain
	router := web.Router(drain, log)
	a.routes(router)
	obs := web.NewObserver(log)
	if err := obs.Register(a.metrics); err != nil {
		log.Error("cannot start", "err", fmt.Errorf("HTTP metrics: %w", err))
		return 1
	}
	srv, err := newServer(router, obs, a.metrics, log, cfg.Lifecycle.ShutdownTimeout) // limits and panic recovery (server.go)
	if err != nil {
		log.Error("cannot start", "err", err)
		return 1
	}
	log.Info("cosellbot serving", "addr", ln.Addr().String(), "database", a.store.Dialect(), "version", version)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	// The loops outlive the signal: they stop after the requests in flight.
	workers, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWorkers()
	var running sync.WaitGroup
	for name, loop := range a.background() {
		running.Go(func() {
			if err := loop(workers); err != nil && workers.Err() == nil {
				log.Error("background loop stopped", "loop", name, "err", err)
			}
		})
	}

	code := 0
	if *withShell {
		level.Set(slog.LevelWarn)
		code = runShell(ctx, a, *user, notices, stdin, stdout, stderr)
	} else {
		select {
		case <-ctx.Done():
		case err := <-served:
			log.Error("server stopped", "err", err)
			return 1
		}
	}
	stopSignals() // a second SIGTERM or Ctrl-C now stops the process at once
	log.Info("draining: /readyz answers 503", "for", cfg.Lifecycle.DrainDelay)
	drain.Start()
	if cfg.Lifecycle.DrainDelay > 0 {
		time.Sleep(cfg.Lifecycle.DrainDelay)
	}
	deadline, cancel := context.WithTimeout(context.Background(), cfg.Lifecycle.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(deadline); err != nil {
		log.Error("requests still in flight at the shutdown timeout were cut", "timeout", cfg.Lifecycle.ShutdownTimeout, "err", err)
		code = 1
	}
	stopWorkers()
	loopsDone := make(chan struct{})
	go func() { running.Wait(); close(loopsDone) }()
	select {
	case <-loopsDone:
	case <-deadline.Done():
		log.Error("background loops did not stop before the shutdown timeout", "timeout", cfg.Lifecycle.ShutdownTimeout)
		return 1
	}
	log.Info("cosellbot stopped")
	return code
}

// addrSetBy names where serve's address came from, for messages.
func addrSetBy(fs *flag.FlagSet) string {
	by := "COSELLBOT_ADDR"
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "addr" {
			by = "serve --addr"
		}
	})
	return by
}

// listenFix says what to do when the address cannot be listened on, naming
// the setting to change.
func listenFix(addr, setBy string, err error) string {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return fmt.Sprintf("another program listens on %s: stop it (ss -ltnp shows which), or set %s to a free address such as :8081", addr, setBy)
	case errors.Is(err, syscall.EACCES):
		return fmt.Sprintf("%s needs privileges this user lacks: set %s to a port above 1023, such as :8080", addr, setBy)
	}
	return "check " + setBy + ": HOST:PORT or :PORT, as in :8080"
}
