package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"

	"github.com/cosellbot/cosellbot/bot/spell"
)

// subcommand is one of cosellbot's commands. The table below is the only
// list of them: usage, did-you-mean and dispatch all read it.
type subcommand struct {
	name    string
	args    string // synopsis after the name
	summary string
	// help, when set, is what `cosellbot help NAME` prints after the
	// synopsis: what the flags do, beyond the one-line summary.
	help string
	// bare commands run before the configuration is loaded (help,
	// version); lenient ones get it even when it is broken (config,
	// doctor), to show what is wrong.
	bare, lenient bool
	run           func(ctx context.Context, in *invocation, args []string) int
}

// invocation is what a subcommand runs with.
type invocation struct {
	cfg    config
	cfgErr error // for lenient commands: what is wrong with the configuration
	layers layers
	stop   context.CancelFunc // stops listening for signals (serve)
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func subcommands() []subcommand {
	return []subcommand{
		{name: "serve", args: "[--shell] [--user U] [--addr A]", summary: "HTTP server, reminder sweep, outbox dispatcher, webhook processing and retention (with --shell, the local shell too)",
			run: func(ctx context.Context, in *invocation, args []string) int {
				return cmdServe(ctx, in.stop, in.cfg, configWarnings(in.cfg, in.layers.get), args, in.stdin, in.stdout, in.stderr)
			}},
		{name: "migrate", summary: "apply schema migrations and exit (the others migrate too)",
			run: func(ctx context.Context, in *invocation, args []string) int {
				if len(args) > 0 {
					return usageOf(in.stderr, "migrate")
				}
				return cmdMigrate(ctx, in.cfg, in.stdout, in.stderr)
			}},
		{name: "ask", args: "[--user U] [--json] TEXT", summary: "run one chat command and print the reply; flags may come anywhere on the line",
			run: func(ctx context.Context, in *invocation, args []string) int {
				return cmdAsk(ctx, in.cfg, args, in.stdout, in.stderr)
			}},
		{name: "shell", args: "[--user U]", summary: "type chat commands interactively; history in ~/.config/cosellbot/history",
			run: func(ctx context.Context, in *invocation, args []string) int {
				return cmdShell(ctx, in.cfg, args, in.stdin, in.stdout, in.stderr)
			}},
		{name: "export", args: "deals|claims [--format csv|json] [--user U]", summary: "every deal or CPOR claim you may see, with every field, for a spreadsheet or a script",
			run: func(ctx context.Context, in *invocation, args []string) int {
				return cmdExport(ctx, in.cfg, args, in.stdout, in.stderr)
			}},
		{name: "link", args: "slack|discord ACCOUNT EMAIL", summary: "link a chat account to a cosellbot user",
			run: func(ctx context.Context, in *invocation, args []string) int {
				return cmdLink(ctx, in.cfg, args, in.stdout, in.stderr)
			}},
		{name: "sweep", args: "[--now T] [--dry-run]", summary: "one reminder/expiry pass; print what it did (or would do)",
			run: func(ctx context.Context, in *invocation, args []string) int {
				return cmdSweep(ctx, in.cfg, args, in.stdout, in.stderr)
			}},
		{name: "outbox", args: "[--limit N] [--retry-dead [--id N] [--target P]]", summary: "notifications waiting or dead; --retry-dead sends the dead ones again once their cause is fixed", help: outboxHelp,
			run: func(ctx context.Context, in *invocation, args []string) int {
				return cmdOutbox(ctx, in.cfg, args, in.stdout, in.stderr)
			}},
		{name: "inbox", args: "[--source S] [--status S,…] [--all] [--limit N] [--after ID]", summary: "webhook deliveries (failed by default) with their outcome", help: inboxHelp,
			run: func(ctx context.Context, in *invocation, args []string) int {
				return cmdInbox(ctx, in.cfg, args, in.stdout, in.stderr)
			}},
		{name: "replay", args: "[--source S]", summary: "process failed webhook deliveries again",
			run: func(ctx context.Context, in *invocation, args []string) int {
				return cmdReplay(ctx, in.cfg, args, in.stdout, in.stderr)
			}},
		{name: "sync", args: "[DEAL] [--retry-dead [--system S]] [--now]", summary: "a deal's links, what each system lacks, sync work", help: syncHelp,
			run: func(ctx context.Context, in *invocation, args []string) int {
				return cmdSync(ctx, in.cfg, args, in.stdout, in.stderr)
			}},
		{name: "poll", summary: "poll Partner Center once for referrals changed since the last poll",
			run: func(ctx context.Context, in *invocation, args []string) int {
				return cmdPoll(ctx, in.cfg, args, in.stdout, in.stderr)
			}},
		{name: "web-link", args: "--user EMAIL", summary: "print a one-time sign-in link to the pipeline page (needs COSELLBOT_PUBLIC_URL)",
			run: func(ctx context.Context, in *invocation, args []string) int {
				return cmdWebLink(ctx, in.cfg, args, in.stdout, in.stderr)
			}},
		{name: "config", summary: "the effective configuration, secrets redacted, broken values marked, and its warnings", lenient: true,
			run: func(_ context.Context, in *invocation, args []string) int {
				return cmdConfig(in.cfg, in.cfgErr, in.layers, args, in.stdout, in.stderr)
			}},
		{name: "doctor", summary: "check the database, migrations, each configured token and webhook secret, and say what to fix", lenient: true,
			run: func(ctx context.Context, in *invocation, args []string) int {
				return cmdDoctor(ctx, in, args)
			}},
		{name: "probe", args: "[--path P] [--addr A]", summary: "ask a running server's /readyz; exit 0 when ready (container health checks)",
			run: func(ctx context.Context, in *invocation, args []string) int {
				return cmdProbe(ctx, in.cfg, args, in.stdout, in.stderr)
			}},
		{name: "version", summary: "the build's version (also --version)", bare: true,
			run: func(_ context.Context, in *invocation, _ []string) int {
				fmt.Fprintln(in.stdout, "cosellbot", version, runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH)
				return 0
			}},
		{name: "help", args: "[COMMAND]", summary: "this list, or one command's flags", bare: true,
			run: func(_ context.Context, in *invocation, args []string) int {
				if len(args) == 1 {
					if sc, ok := findSubcommand(args[0]); ok {
						fmt.Fprintf(in.stdout, "usage: cosellbot %s %s\n  %s\n%s", sc.name, sc.args, sc.summary, sc.help)
						return 0
					}
				}
				fmt.Fprint(in.stdout, usageText())
				return 0
			}},
	}
}

// chatNouns start chat commands (what follows /cosell), which cosellbot
// runs with ask, not as commands of its own.
var chatNouns = map[string]bool{"deal": true, "deals": true, "solution": true, "user": true, "cpor": true, "faq": true, "subscribe": true, "unsubscribe": true}

// aliases are other spellings people type for a command.
var aliases = map[string]string{"--version": "version", "-version": "version", "-h": "help", "--help": "help", "-help": "help"}

func findSubcommand(name string) (subcommand, bool) {
	if a, ok := aliases[name]; ok {
		name = a
	}
	for _, sc := range subcommands() {
		if sc.name == name {
			return sc, true
		}
	}
	return subcommand{}, false
}

// usageText is the command list, generated from the table.
func usageText() string {
	var b strings.Builder
	b.WriteString("cosellbot — co-sell assistant for Microsoft partners\n\nusage: cosellbot [--config FILE] COMMAND …\n\n")
	for _, sc := range subcommands() {
		syn := strings.TrimSpace(sc.name + " " + sc.args)
		fmt.Fprintf(&b, "  cosellbot %-46s %s\n", syn, sc.summary)
	}
	b.WriteString(usageFooter)
	return b.String()
}

const usageFooter = `
TEXT is what you would type after /cosell in Slack or Discord; help VERB (cosellbot ask help deal new)
lists a verb's keys and the values they take.
Environment: cosellbot config lists every variable (DATABASE_URL, COSELLBOT_*, SLACK_*, DISCORD_*,
WEBHOOK_*, PARTNERCENTER_*, SALESFORCE_ORG_IDS) with its value and where it comes from; the README's
Configuration table says what each means.
--config FILE (or COSELLBOT_CONFIG): a YAML file of the same variables; the environment overrides it,
and flags override the environment.
Exit status: 0 done, 1 refused, 2 usage error.
`

// usageOf prints one command's synopsis and returns the usage exit status.
func usageOf(w io.Writer, name string) int {
	sc, _ := findSubcommand(name)
	fmt.Fprintln(w, strings.TrimSpace("usage: cosellbot "+sc.name+" "+sc.args))
	return 2
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	configPath, args, ok := globalFlags(args)
	if !ok || len(args) == 0 {
		fmt.Fprint(stderr, usageText())
		return 2
	}
	sc, found := findSubcommand(args[0])
	if !found {
		var names []string
		for _, s := range subcommands() {
			names = append(names, s.name)
		}
		if guess, near := spell.Closest(args[0], names); near {
			fmt.Fprintf(stderr, "cosellbot: unknown command %q: did you mean cosellbot %s?\n", args[0], guess)
		} else if chatNouns[strings.ToLower(args[0])] {
			// A chat command typed as a CLI command ("cosellbot deal
			// register 12"): ask runs it.
			fmt.Fprintf(stderr, "cosellbot: unknown command %q: chat commands run through ask: cosellbot ask %s\n", args[0], joinText(args))
		} else {
			fmt.Fprintf(stderr, "cosellbot: unknown command %q: the commands are %s (cosellbot help explains them)\n", args[0], strings.Join(names, ", "))
		}
		return 2
	}
	in := &invocation{stdin: stdin, stdout: stdout, stderr: stderr, stop: func() {}}
	if !sc.bare {
		l, err := loadLayers(configPath, os.Getenv)
		if err != nil {
			fmt.Fprintln(stderr, "cosellbot: configuration:", err)
			return 2
		}
		in.layers = l
		in.cfg, err = loadConfig(l.get)
		err = withFileProblems(l.problems, err)
		if err != nil && !sc.lenient {
			fmt.Fprintln(stderr, "cosellbot: configuration:", err)
			fmt.Fprintln(stderr, "cosellbot config shows every setting with the broken ones marked.")
			return 2
		}
		in.cfgErr = err
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		in.stop = stop
	}
	code := sc.run(ctx, in, args[1:])
	if code == 2 && len(args) == 2 && slices.Contains([]string{"-h", "-help", "--help"}, args[1]) {
		return 0 // the help asked for is no failure
	}
	return code
}

// parseFlags reads a command's flags wherever they are on the line, as
// people type them (ask deal list --user ana@…): every word that is not a
// flag is kept in order. "--" ends the flags.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		left := fs.Args()
		consumed := len(args) - len(left)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(rest, left...), nil
		}
		if len(left) == 0 {
			return rest, nil
		}
		rest = append(rest, left[0])
		args = left[1:]
	}
}

// newFlags is a command's flag set: errors go to stderr with the
// command's synopsis.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		usageOf(stderr, name)
		fs.PrintDefaults()
	}
	return fs
}

// onlyFlags parses the flags of a command that takes no other words; false
// means the usage was printed and the command exits 2.
func onlyFlags(fs *flag.FlagSet, args []string) bool {
	rest, err := parseFlags(fs, args)
	if err != nil {
		return false // the flag package printed the problem and the usage
	}
	if len(rest) > 0 {
		fmt.Fprintf(fs.Output(), "cosellbot %s: unexpected %q\n", fs.Name(), rest[0])
		fs.Usage()
		return false
	}
	return true
}
