package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"go.yaml.in/yaml/v3"

	urlredact "github.com/cosellbot/cosellbot/bot/redact"
	"github.com/cosellbot/cosellbot/bot/spell"
	"github.com/cosellbot/cosellbot/integrations/crm"
)

// Configuration comes from three layers: an optional YAML file (--config
// FILE or COSELLBOT_CONFIG) whose keys are the environment variables'
// names, then the environment, then command flags (serve --addr). Each
// layer overrides the one before. Everything is checked at start: errors
// refuse to start, naming the variable and what to write; warnings are
// logged by serve and printed by `cosellbot config`.

// setting is one variable the configuration knows.
type setting struct {
	Name    string
	Default string // shown by `cosellbot config` when unset
	Secret  bool   // redacted by `cosellbot config`
}

// settings lists every variable cosellbot reads, in the README's order.
func settings() []setting {
	out := []setting{
		{Name: "DATABASE_URL", Default: "sqlite:cosellbot.db"},
		{Name: "COSELLBOT_ADDR", Default: ":8080"},
		{Name: "COSELLBOT_LOG_FORMAT", Default: "text"},
		{Name: "COSELLBOT_RATES_FILE"},
		{Name: "COSELLBOT_CACHE_DIR", Default: "the user's cache folder + /cosellbot"},
		{Name: "COSELLBOT_REMIND_BEFORE", Default: "7d,3d,1d"},
		{Name: "COSELLBOT_INBOX_KEEP", Default: "30d"},
		{Name: "COSELLBOT_DRAIN_DELAY", Default: defaultDrainDelay.String()},
		{Name: "COSELLBOT_SHUTDOWN_TIMEOUT", Default: defaultShutdownTimeout.String()},
		{Name: "COSELLBOT_PUBLIC_URL"},
		{Name: "SLACK_SIGNING_SECRET", Secret: true},
		{Name: "SLACK_BOT_TOKEN", Secret: true},
		{Name: "SLACK_API_URL", Default: "https://slack.com/api/"},
		{Name: "DISCORD_PUBLIC_KEY"},
		{Name: "DISCORD_BOT_TOKEN", Secret: true},
		{Name: "DISCORD_APP_ID"},
		{Name: "DISCORD_API_URL", Default: "https://discord.com/api/v10"},
	}
	for _, s := range crm.Sources {
		out = append(out, setting{Name: "WEBHOOK_SECRET_" + strings.ToUpper(s), Secret: true})
	}
	for _, s := range crm.Sources {
		out = append(out, setting{Name: "WEBHOOK_OUT_URL_" + strings.ToUpper(s)})
	}
	return append(out,
		setting{Name: "PARTNERCENTER_API_URL", Default: "https://api.partner.microsoft.com/v1.0"},
		setting{Name: "PARTNERCENTER_TOKEN_URL"},
		setting{Name: "PARTNERCENTER_CLIENT_ID"},
		setting{Name: "PARTNERCENTER_CLIENT_SECRET", Secret: true},
		setting{Name: "PARTNERCENTER_SCOPE", Default: "https://api.partner.microsoft.com/.default offline_access"},
		setting{Name: "PARTNERCENTER_REFRESH_TOKEN", Secret: true},
		setting{Name: "PARTNERCENTER_DEFAULT_LOCATION"},
		setting{Name: "PARTNERCENTER_POLL_EVERY", Default: "5m"},
		setting{Name: "PARTNERCENTER_CERT_HOSTS", Default: defaultCertHost},
		setting{Name: "PARTNERCENTER_ROOTS"},
		setting{Name: "COSELLBOT_CRM_MAPPING", Default: "deploy/crm"},
		setting{Name: "SALESFORCE_ORG_IDS"},
	)
}

// configEnv names the configuration file when --config does not.
const configEnv = "COSELLBOT_CONFIG"

// layers is the file and the environment, merged.
type layers struct {
	path string            // the file, or ""
	file map[string]string // its values
	env  func(string) string
}

// loadLayers reads the configuration file, if any: path (from --config),
// else COSELLBOT_CONFIG.
func loadLayers(path string, env func(string) string) (layers, error) {
	l := layers{path: path, env: env}
	if l.path == "" {
		l.path = env(configEnv)
	}
	if l.path == "" {
		return l, nil
	}
	data, err := os.ReadFile(l.path)
	if err != nil {
		return l, fmt.Errorf("the configuration file: %w", err)
	}
	if l.file, err = parseConfigFile(data); err != nil {
		return l, fmt.Errorf("the configuration file %s: %w", l.path, err)
	}
	return l, nil
}

// parseConfigFile reads a YAML mapping of variable names to values:
// scalars, or lists of scalars (joined with commas, as in
// SALESFORCE_ORG_IDS: [a, b]). An unknown name is an error, with the
// closest known one.
func parseConfigFile(data []byte) (map[string]string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	out := map[string]string{}
	if len(doc.Content) == 0 {
		return out, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: write a mapping of variable names to values, as in DATABASE_URL: postgres://…", root.Line)
	}
	known := map[string]bool{}
	for _, s := range settings() {
		known[s.Name] = true
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if !known[k.Value] {
			return nil, fmt.Errorf("line %d: unknown variable %s%s", k.Line, k.Value, closestSetting(k.Value))
		}
		if _, dup := out[k.Value]; dup {
			return nil, fmt.Errorf("line %d: %s is set twice", k.Line, k.Value)
		}
		switch v.Kind {
		case yaml.ScalarNode:
			out[k.Value] = v.Value
		case yaml.SequenceNode:
			var items []string
			for _, it := range v.Content {
				if it.Kind != yaml.ScalarNode {
					return nil, fmt.Errorf("line %d: %s: a list holds plain values only", it.Line, k.Value)
				}
				items = append(items, it.Value)
			}
			out[k.Value] = strings.Join(items, ",")
		default:
			return nil, fmt.Errorf("line %d: %s takes a value or a list of values", v.Line, k.Value)
		}
	}
	return out, nil
}

// closestSetting suggests a known name for a misspelt one.
func closestSetting(name string) string {
	up := strings.ToUpper(name)
	for _, s := range settings() {
		if s.Name == up {
			return ": write it in capitals, " + s.Name
		}
	}
	best, bestD := "", 4
	for _, s := range settings() {
		if d := spell.Distance(up, s.Name, 3); d < bestD {
			best, bestD = s.Name, d
		}
	}
	if best == "" {
		return " (see the Configuration section of the README)"
	}
	return ": did you mean " + best + "?"
}

// get is the effective value of name: the environment's, else the file's.
func (l layers) get(name string) string {
	if v := l.env(name); v != "" {
		return v
	}
	return l.file[name]
}

// origin tells where name's effective value comes from.
func (l layers) origin(name string) string {
	if l.env(name) != "" {
		return "env"
	}
	if _, ok := l.file[name]; ok {
		return "file"
	}
	return "default"
}

// Lifecycle settings.
const (
	defaultDrainDelay      = 0 * time.Second
	defaultShutdownTimeout = 25 * time.Second
)

// lifecycleConfig is how serve stops (SIGTERM).
type lifecycleConfig struct {
	// DrainDelay is how long /readyz answers 503 before the server stops
	// accepting, so that load balancers stop sending first
	// (COSELLBOT_DRAIN_DELAY; 5s behind Kubernetes).
	DrainDelay time.Duration
	// ShutdownTimeout bounds the wait for requests in flight and
	// background loops (COSELLBOT_SHUTDOWN_TIMEOUT); keep it below the
	// orchestrator's grace period minus the drain delay.
	ShutdownTimeout time.Duration
}

func loadLifecycle(getenv func(string) string) (lifecycleConfig, error) {
	c := lifecycleConfig{DrainDelay: defaultDrainDelay, ShutdownTimeout: defaultShutdownTimeout}
	for _, f := range []struct {
		name string
		dst  *time.Duration
		min  time.Duration
	}{{"COSELLBOT_DRAIN_DELAY", &c.DrainDelay, 0}, {"COSELLBOT_SHUTDOWN_TIMEOUT", &c.ShutdownTimeout, time.Second}} {
		v := getenv(f.name)
		if v == "" {
			continue
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < f.min || d > 10*time.Minute {
			return c, fmt.Errorf("%s %q: write a duration from %s to 10m, as in 5s", f.name, v, f.min)
		}
		*f.dst = d
	}
	return c, nil
}

// validateEnv checks the values no capability's loader checks, and reports
// every problem at once.
func validateEnv(getenv func(string) string) error {
	var errs []error
	if v := getenv("DATABASE_URL"); v != "" {
		if err := checkDatabaseURL(v); err != nil {
			errs = append(errs, err)
		}
	}
	if v := getenv("COSELLBOT_ADDR"); v != "" {
		if err := checkAddr(v); err != nil {
			errs = append(errs, fmt.Errorf("COSELLBOT_ADDR %q: %w", v, err))
		}
	}
	pc := []string{"PARTNERCENTER_TOKEN_URL", "PARTNERCENTER_CLIENT_ID", "PARTNERCENTER_REFRESH_TOKEN"}
	var set, missing []string
	for _, name := range pc {
		if getenv(name) != "" {
			set = append(set, name)
		} else {
			missing = append(missing, name)
		}
	}
	if len(set) > 0 && len(missing) > 0 {
		errs = append(errs, fmt.Errorf("%s set without %s: Partner Center needs all three, or none", strings.Join(set, ", "), strings.Join(missing, ", ")))
	}
	for _, name := range []string{"PARTNERCENTER_API_URL", "PARTNERCENTER_TOKEN_URL", "SLACK_API_URL", "DISCORD_API_URL"} {
		if v := getenv(name); v != "" {
			if u, err := url.Parse(v); err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
				errs = append(errs, fmt.Errorf("%s %q: write an https:// URL", name, urlredact.URL(v)))
			}
		}
	}
	return errors.Join(errs...)
}

func checkDatabaseURL(v string) error {
	switch {
	case strings.HasPrefix(v, "postgres://"), strings.HasPrefix(v, "postgresql://"):
		u, err := url.Parse(v)
		if err != nil {
			return fmt.Errorf("DATABASE_URL is not a valid URL (%v): write postgres://USER:PASSWORD@HOST:5432/DB?sslmode=require, percent-encoding special characters in the password", redactErr(err, v))
		}
		if u.Host == "" {
			return errors.New("DATABASE_URL names no host: write postgres://USER:PASSWORD@HOST:5432/DB")
		}
		return nil
	case strings.HasPrefix(v, "sqlite:"):
		if strings.TrimPrefix(v, "sqlite:") == "" {
			return errors.New("DATABASE_URL sqlite: names no file: write sqlite:cosellbot.db or sqlite::memory:")
		}
		return nil
	}
	scheme, _, _ := strings.Cut(v, ":")
	return fmt.Errorf("DATABASE_URL scheme %q is not supported: write postgres://… (or postgresql://…) or sqlite:PATH", scheme)
}

// redactErr keeps a URL's password out of a parse error.
func redactErr(err error, raw string) string {
	return strings.ReplaceAll(err.Error(), raw, redactURL(raw))
}

func checkAddr(v string) error {
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return errors.New("write HOST:PORT or :PORT, as in :8080")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q must be a number from 0 to 65535", port)
	}
	return nil
}

// configWarnings lists what works but is likely a mistake.
func configWarnings(cfg config, getenv func(string) string) []string {
	var w []string
	if strings.HasPrefix(cfg.DatabaseURL, "sqlite:") {
		w = append(w, "DATABASE_URL is SQLite: run a single replica only; several replicas need PostgreSQL")
	}
	if cfg.Slack.BotToken != "" && cfg.Slack.SigningSecret == "" {
		w = append(w, "SLACK_BOT_TOKEN without SLACK_SIGNING_SECRET: notifications go out, but the Slack routes answer 503")
	}
	if cfg.Slack.SigningSecret != "" && cfg.Slack.BotToken == "" {
		w = append(w, "SLACK_SIGNING_SECRET without SLACK_BOT_TOKEN: no modal, App Home, e-mail lookup or notifications in Slack")
	}
	if cfg.Slack.BotToken != "" && !strings.HasPrefix(cfg.Slack.BotToken, "xoxb-") {
		w = append(w, "SLACK_BOT_TOKEN does not start with xoxb-: use the app's Bot User OAuth Token")
	}
	if cfg.Discord.BotToken != "" && cfg.Discord.AppID == "" {
		w = append(w, "DISCORD_BOT_TOKEN without DISCORD_APP_ID: /cosell is not registered with Discord")
	}
	if cfg.Discord.PublicKey != nil && cfg.Discord.BotToken == "" {
		w = append(w, "DISCORD_PUBLIC_KEY without DISCORD_BOT_TOKEN: no notifications in Discord")
	}
	for _, s := range crm.Sources {
		if secret := cfg.Webhooks.Secrets[s]; secret != "" && len(secret) < 16 {
			w = append(w, fmt.Sprintf("WEBHOOK_SECRET_%s is %d characters long: use at least 16 random ones", strings.ToUpper(s), len(secret)))
		}
	}
	if getenv("PARTNERCENTER_CLIENT_ID") != "" && cfg.Webhooks.Secrets["partnercenter"] == "" {
		w = append(w, "Partner Center credentials without WEBHOOK_SECRET_PARTNERCENTER: they are not used")
	}
	return w
}

// redact shows at most the last 4 characters of a secret, and only of a
// long one.
func redact(s string) string {
	if len(s) >= 16 {
		return "****" + s[len(s)-4:]
	}
	return "****"
}

// redactURL hides a URL's password.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if i := strings.Index(s, "@"); i >= 0 && strings.Contains(s, "://") {
			return s[:strings.Index(s, "://")+3] + "****" + s[i:]
		}
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "****")
	}
	return strings.Replace(u.String(), ":%2A%2A%2A%2A@", ":****@", 1)
}

// cmdConfig prints the effective configuration, secrets redacted, with the
// broken values marked ✗ and what is wrong with them, then the warnings. It
// runs even when the configuration is broken: that is when it is needed.
// Exit status 2 when something is broken.
func cmdConfig(cfg config, cfgErr error, l layers, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: cosellbot [--config FILE] config")
		return 2
	}
	from := "no configuration file"
	if l.path != "" {
		from = "configuration file " + l.path
	}
	problems := configProblems(cfgErr)
	fmt.Fprintf(stdout, "# cosellbot %s: %s, then the environment\n", version, from)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VARIABLE\tVALUE\tFROM\t")
	for _, s := range settings() {
		v, origin := l.get(s.Name), l.origin(s.Name)
		switch {
		case v == "" && s.Default == "":
			v, origin = "-", "unset"
		case v == "":
			v = s.Default
		case s.Secret:
			v = redact(v)
		case s.Name == "DATABASE_URL":
			v = redactURL(v)
		case strings.HasSuffix(s.Name, "_URL") || strings.Contains(s.Name, "_URL_"):
			v = urlredact.URL(v) // a ?code= or ?sig= key in an outgoing URL is a secret too
		}
		mark := ""
		if _, broken := problems[s.Name]; broken {
			mark = "✗ broken"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, v, origin, mark)
	}
	_ = tw.Flush()
	if cfgErr != nil {
		for _, line := range strings.Split(cfgErr.Error(), "\n") {
			fmt.Fprintln(stdout, "✗", line)
		}
		fmt.Fprintln(stdout, "Fix the values marked ✗: every other command refuses to start until then.")
		return 2
	}
	warnings := configWarnings(cfg, l.get)
	for _, w := range warnings {
		fmt.Fprintln(stdout, "warning:", w)
	}
	if len(warnings) == 0 {
		fmt.Fprintln(stdout, "no warnings")
	}
	return 0
}

// configProblems maps each variable an error names to that error's line:
// the loaders name the variable in every message they return.
func configProblems(err error) map[string]string {
	out := map[string]string{}
	if err == nil {
		return out
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		for _, s := range settings() {
			if containsWord(line, s.Name) {
				out[s.Name] = line
			}
		}
	}
	return out
}

// containsWord reports whether name occurs in line as a whole word, so that
// WEBHOOK_SECRET_GENERIC does not mark WEBHOOK_SECRET_GENERIC_X.
func containsWord(line, name string) bool {
	for i := 0; ; {
		j := strings.Index(line[i:], name)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(name)
		before := j == 0 || !isNameByte(line[j-1])
		after := end == len(line) || !isNameByte(line[end])
		if before && after {
			return true
		}
		i = end
	}
}

func isNameByte(b byte) bool { return b == '_' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' }

// globalFlags takes --config FILE (or --config=FILE) from before the
// command; ok is false when --config lacks its file.
func globalFlags(args []string) (path string, rest []string, ok bool) {
	for len(args) > 0 {
		switch a := args[0]; {
		case a == "--config" || a == "-config":
			if len(args) < 2 {
				return "", nil, false
			}
			path, args = args[1], args[2:]
		case strings.HasPrefix(a, "--config=") || strings.HasPrefix(a, "-config="):
			_, path, _ = strings.Cut(a, "=")
			args = args[1:]
		default:
			return path, args, true
		}
	}
	return path, args, true
}
