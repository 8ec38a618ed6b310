// Command cosellbot is the co-sell assistant for Microsoft partners: a chat
// bot for Slack, Discord and a local shell, and a webhook receiver for CRMs
// and Partner Center. This file only wires the pieces together.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/integrations/shell"
	"github.com/cosellbot/cosellbot/integrations/web"
	"github.com/cosellbot/cosellbot/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usageText = `cosellbot — co-sell assistant for Microsoft partners

usage: cosellbot [--config FILE] COMMAND …

  cosellbot serve [--shell] [--user U] [--addr A]  HTTP server (and, with --shell, the local shell)
  cosellbot migrate                      apply schema migrations and exit
  cosellbot ask [--user U] [--json] TEXT run one chat command, print the reply
  cosellbot shell [--user U]             type chat commands interactively
  cosellbot link slack|discord ACCOUNT EMAIL   link a chat account to a cosellbot user
  cosellbot sweep [--now T] [--dry-run]  one reminder/expiry pass; print what it did (or would do)
  cosellbot outbox [--limit N]           list dead and waiting notifications
  cosellbot inbox [--source S] [--status S,…] [--all]   list webhook deliveries (failed by default) with their outcome
  cosellbot replay [--source S]          process the failed webhook deliveries again
  cosellbot sync [DEAL] [--retry-dead [--system S]] [--now]   a deal's links, what each system lacks, sync work
  cosellbot poll                         poll Partner Center once for referrals changed since the last poll
  cosellbot config                       print the effective configuration (secrets redacted) and its warnings
  cosellbot probe [--path P] [--addr A]  ask a running server's /readyz; exit 0 when ready (container health checks)
  cosellbot web-link --user EMAIL        print a one-time sign-in link to the pipeline page (needs COSELLBOT_PUBLIC_URL)
  cosellbot version                      print the version (also --version)

TEXT is what you would type after /cosell in Slack or Discord.
Environment: DATABASE_URL (default sqlite:cosellbot.db), COSELLBOT_ADDR (default :8080),
COSELLBOT_LOG_FORMAT (text|json), COSELLBOT_RATES_FILE (registration currency rates).
COSELLBOT_REMIND_BEFORE (reminder offsets before a referral expires, default 7d,3d,1d).
Slack: SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN. Discord: DISCORD_PUBLIC_KEY, DISCORD_BOT_TOKEN, DISCORD_APP_ID.
Webhooks: WEBHOOK_SECRET_<PARTNERCENTER|DYNAMICS|HUBSPOT|SALESFORCE|GENERIC> (unset: that source answers 503),
WEBHOOK_OUT_URL_<SOURCE>, PARTNERCENTER_API_URL, PARTNERCENTER_TOKEN_URL, PARTNERCENTER_CLIENT_ID,
PARTNERCENTER_REFRESH_TOKEN, PARTNERCENTER_DEFAULT_LOCATION, PARTNERCENTER_POLL_EVERY, PARTNERCENTER_CERT_HOSTS, PARTNERCENTER_ROOTS, COSELLBOT_CRM_MAPPING (default deploy/crm),
SALESFORCE_ORG_IDS. Pipeline page: COSELLBOT_PUBLIC_URL (where people reach cosellbot). Shutdown: COSELLBOT_DRAIN_DELAY (default 0s), COSELLBOT_SHUTDOWN_TIMEOUT (default 25s).
--config FILE (or COSELLBOT_CONFIG): a YAML file of the same variables; the environment overrides it,
and flags override the environment.
Exit status: 0 done, 1 refused, 2 usage error.
`

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	configPath, args, ok := globalFlags(args)
	if !ok || len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return 2
	}
	switch args[0] {
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "cosellbot", version, runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usageText)
		return 0
	}
	l, err := loadLayers(configPath, os.Getenv)
	if err != nil {
		fmt.Fprintln(stderr, "cosellbot: configuration:", err)
		return 2
	}
	cfg, err := loadConfig(l.get)
	if err != nil {
		fmt.Fprintln(stderr, "cosellbot: configuration:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch args[0] {
	case "serve":
		return cmdServe(ctx, stop, cfg, configWarnings(cfg, l.get), args[1:], stdin, stdout, stderr)
	case "config":
		return cmdConfig(cfg, l, args[1:], stdout, stderr)
	case "probe":
		return cmdProbe(ctx, cfg, args[1:], stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, cfg, stdout, stderr)
	case "ask":
		return cmdAsk(ctx, cfg, args[1:], stdout, stderr)
	case "shell":
		return cmdShell(ctx, cfg, args[1:], stdin, stdout, stderr)
	case "link":
		return cmdLink(ctx, cfg, args[1:], stdout, stderr)
	case "sweep":
		return cmdSweep(ctx, cfg, args[1:], stdout, stderr)
	case "outbox":
		return cmdOutbox(ctx, cfg, args[1:], stdout, stderr)
	case "inbox":
		return cmdInbox(ctx, cfg, args[1:], stdout, stderr)
	case "replay":
		return cmdReplay(ctx, cfg, args[1:], stdout, stderr)
	case "sync":
		return cmdSync(ctx, cfg, args[1:], stdout, stderr)
	case "poll":
		return cmdPoll(ctx, cfg, args[1:], stdout, stderr)
	case "web-link":
		return cmdWebLink(ctx, cfg, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "cosellbot: unknown command %q\n\n%s", args[0], usageText)
	return 2
}

// config is what the environment sets.
type config struct {
	DatabaseURL string
	Addr        string
	LogFormat   string
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
	c := config{DatabaseURL: getenv("DATABASE_URL"), Addr: getenv("COSELLBOT_ADDR"), LogFormat: getenv("COSELLBOT_LOG_FORMAT"), Rates: deal.DefaultRates()}
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
	return 0
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
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.String("user", "", "act as this user (an e-mail); default the local admin")
	asJSON := fs.Bool("json", false, "print the reply as one JSON object")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: cosellbot ask [--user U] [--json] TEXT")
		return 2
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
		reply = a.svc.Run(ctx, who, shell.Place, joinText(fs.Args()))
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		_ = enc.Encode(reply.Envelope())
	} else {
		fmt.Fprintln(stdout, shell.Render(reply))
	}
	if !reply.OK() {
		return 1
	}
	return 0
}

func historyFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "cosellbot", "history")
}

func cmdShell(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("shell", flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.String("user", "", "act as this user (an e-mail); default the local admin")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	a, ok := oneShot(ctx, cfg, stderr)
	if !ok {
		return 1
	}
	defer a.close()
	return runShell(ctx, a, *user, stdin, stdout, stderr)
}

func runShell(ctx context.Context, a *app, user string, stdin io.Reader, stdout, stderr io.Writer) int {
	who, err := a.svc.Resolve(ctx, user)
	if err != nil {
		fmt.Fprintln(stderr, "cosellbot:", err)
		return 1
	}
	sh := &shell.Shell{Runner: a.svc, User: who, In: stdin, Out: stdout, History: historyFile()}
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
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	withShell := fs.Bool("shell", false, "also run the local shell on this terminal; leaving it stops the server")
	user := fs.String("user", "", "with --shell: act as this user")
	addr := fs.String("addr", cfg.Addr, "HTTP listen address (overrides COSELLBOT_ADDR)")
	if err := fs.Parse(args); err != nil {
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
	a, err := build(ctx, cfg, log)
	if err != nil {
		log.Error("cannot start", "err", err)
		return 1
	}
	defer a.close()

	drain := web.NewDrain(a.store)
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
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Error("cannot listen", "addr", *addr, "err", err)
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
		code = runShell(ctx, a, *user, stdin, stdout, stderr)
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
