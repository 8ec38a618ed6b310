package main

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cosellbot/cosellbot/bot/deal"
	urlredact "github.com/cosellbot/cosellbot/bot/redact"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/bot/spell"
	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/web/pipeline"
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
		{Name: "COSELLBOT_CACHE_DIR", Default: defaultCacheDir()},
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

// defaultCacheDir is the FAQ cache folder when COSELLBOT_CACHE_DIR is
// unset, as `cosellbot config` shows it: the effective path.
func defaultCacheDir() string {
	if dir := cacheDir(config{}); dir != "" {
		return dir
	}
	return "off (this user has no cache folder)"
}

// layers is the file and the environment, merged.
type layers struct {
	path     string            // the file, or ""
	file     map[string]string // its values
	problems problems          // what is wrong with the file, reported by loadConfig
	env      func(string) string
}

// loadLayers reads the configuration file, if any: path (from --config),
// else COSELLBOT_CONFIG. What is wrong with the file (unreadable, not YAML,
// unknown names) is not returned here but kept in the layers (problems),
// to be reported with every other problem (withFileProblems), so the error
// is always nil.
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
		l.problems = problems{{Msg: fmt.Sprintf("the configuration file %s: %s: write the path of a readable YAML file with --config or %s, or leave both unset",
			l.path, pathProblem(err), configEnv)}}
		return l, nil
	}
	var ps problems
	l.file, ps = parseConfigFile(data)
	for _, p := range ps {
		p.Msg = fmt.Sprintf("the configuration file %s: %s", l.path, p.Msg)
		l.problems = append(l.problems, p)
	}
	return l, nil
}

// parseConfigFile reads a YAML mapping of variable names to values:
// scalars, or lists of scalars (joined with commas, as in
// SALESFORCE_ORG_IDS: [a, b]). It returns the values it could read and
// every problem: an unknown name (with the closest known one), a name set
// twice, a value that is neither.
func parseConfigFile(data []byte) (map[string]string, problems) {
	out := map[string]string{}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return out, problems{{Msg: err.Error() + ": write YAML, one NAME: value a line, as in DATABASE_URL: postgres://…"}}
	}
	if len(doc.Content) == 0 {
		return out, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return out, problems{{Msg: fmt.Sprintf("line %d: write a mapping of variable names to values, as in DATABASE_URL: postgres://…", root.Line)}}
	}
	known := map[string]bool{}
	for _, s := range settings() {
		known[s.Name] = true
	}
	var ps problems
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if !known[k.Value] {
			ps = append(ps, problem{Msg: fmt.Sprintf("line %d: unknown variable %s%s", k.Line, k.Value, closestSetting(k.Value))})
			continue
		}
		if seen[k.Value] {
			ps = append(ps, problem{Vars: []string{k.Value}, Msg: fmt.Sprintf("line %d: %s is set twice: keep one", k.Line, k.Value)})
			continue
		}
		seen[k.Value] = true
		switch v.Kind {
		case yaml.ScalarNode:
			out[k.Value] = v.Value
		case yaml.SequenceNode:
			var items []string
			for _, it := range v.Content {
				if it.Kind != yaml.ScalarNode {
					ps = append(ps, problem{Vars: []string{k.Value}, Msg: fmt.Sprintf("line %d: %s: a list holds plain values only, as in %s: [a, b]", it.Line, k.Value, k.Value)})
					items = nil
					break
				}
				items = append(items, it.Value)
			}
			if items != nil {
				out[k.Value] = strings.Join(items, ",")
			}
		default:
			ps = append(ps, problem{Vars: []string{k.Value}, Msg: fmt.Sprintf("line %d: %s takes a value or a list of values, as in %s: value", v.Line, k.Value, k.Value)})
		}
	}
	return out, ps
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

// withFileProblems is err (loadConfig's) with the configuration file's
// problems before its own: every command reports them all at once, and
// `cosellbot config` marks them in its table.
func withFileProblems(file problems, err error) error {
	if len(file) == 0 {
		return err
	}
	return append(slices.Clone(file), configProblemsOf(err)...)
}

// envPrefixes begin cosellbot's variables: a variable with one of them that
// cosellbot does not read is likely misspelt.
var envPrefixes = []string{"COSELLBOT_", "WEBHOOK_SECRET_", "WEBHOOK_OUT_URL_", "SLACK_", "DISCORD_", "PARTNERCENTER_", "SALESFORCE_"}

// otherVariables have those prefixes and are read outside the
// configuration: the file's name, the profiling build, and tests.
var otherVariables = []string{configEnv, "COSELLBOT_PPROF_ADDR", "COSELLBOT_SCREENSHOTS", "COSELLBOT_SOAK_N", "COSELLBOT_SOAK_EVENTS", "COSELLBOT_BENCH_LARGE"}

// unknownVariables warns of the variables in environ (NAME=value, as
// os.Environ gives them) that look like cosellbot's but are none of them:
// other tools share the prefixes, so this is a warning, not an error.
func unknownVariables(environ []string) []string {
	known := map[string]bool{}
	for _, s := range settings() {
		known[s.Name] = true
	}
	for _, name := range otherVariables {
		known[name] = true
	}
	var names []string
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if value == "" || known[name] || !slices.ContainsFunc(envPrefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
			continue
		}
		names = append(names, name)
	}
	slices.Sort(names)
	var w []string
	for _, name := range slices.Compact(names) {
		hint := closestSetting(name)
		if !strings.HasPrefix(hint, ":") && (strings.HasPrefix(name, "WEBHOOK_SECRET_") || strings.HasPrefix(name, "WEBHOOK_OUT_URL_")) {
			hint = ": the sources are " + strings.ToUpper(strings.Join(crm.Sources, ", "))
		}
		w = append(w, fmt.Sprintf("%s is set but cosellbot reads no such variable, so it is ignored%s", name, hint))
	}
	return w
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

// lifecycleDurations are the lifecycle variables and their least values.
var lifecycleDurations = []struct {
	name string
	min  time.Duration
}{{"COSELLBOT_DRAIN_DELAY", 0}, {"COSELLBOT_SHUTDOWN_TIMEOUT", time.Second}}

func loadLifecycle(getenv func(string) string) (lifecycleConfig, error) {
	c := lifecycleConfig{DrainDelay: defaultDrainDelay, ShutdownTimeout: defaultShutdownTimeout}
	dst := map[string]*time.Duration{"COSELLBOT_DRAIN_DELAY": &c.DrainDelay, "COSELLBOT_SHUTDOWN_TIMEOUT": &c.ShutdownTimeout}
	var errs []error
	for _, f := range lifecycleDurations {
		v := getenv(f.name)
		if v == "" {
			continue
		}
		d, err := parseLifecycleDuration(f.name, v, f.min)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		*dst[f.name] = d
	}
	return c, errors.Join(errs...)
}

func parseLifecycleDuration(name, v string, min time.Duration) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d < min || d > 10*time.Minute {
		return 0, fmt.Errorf("%s %q: write a duration from %s to 10m, as in 5s", name, v, min)
	}
	return d, nil
}

// problem is one thing wrong with the configuration.
type problem struct {
	// Vars are the variables `cosellbot config` marks broken; none for a
	// problem of the configuration file as a whole (an unknown name).
	Vars []string
	// Msg names the variable, says what is wrong and what to write.
	Msg string
	// needs are variables that are right but need the broken ones (a
	// webhook secret that needs its mapping file): doctor leaves them out
	// too, with the broken ones, to check what could be read.
	needs []string
}

// problems is every problem of a configuration, as loadConfig returns it.
type problems []problem

func (ps problems) Error() string {
	if len(ps) == 1 {
		return ps[0].Msg
	}
	lines := []string{fmt.Sprintf("%d problems:", len(ps))}
	for _, p := range ps {
		lines = append(lines, "  "+p.Msg)
	}
	return strings.Join(lines, "\n")
}

// add records a problem of the variables vars, the first of which it is
// about.
func (ps *problems) add(vars []string, format string, args ...any) {
	*ps = append(*ps, problem{Vars: vars, Msg: fmt.Sprintf(format, args...)})
}

// configProblemsOf is the problems err tells: loadConfig's own, or one
// per line of an error a loader returned, about the variables it names (not
// those it suggests).
func configProblemsOf(err error) problems {
	if err == nil {
		return nil
	}
	var ps problems
	if errors.As(err, &ps) {
		return ps
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		about, _, _ := strings.Cut(line, "did you mean")
		p := problem{Msg: line}
		for _, s := range settings() {
			if containsWord(about, s.Name) {
				p.Vars = append(p.Vars, s.Name)
			}
		}
		ps = append(ps, p)
	}
	return ps
}

// validateEnv checks every variable on its own, with the parsers the
// loaders use, and reports every problem at once, each naming the variable
// and what to write; the loaders stop at their first.
func validateEnv(getenv func(string) string) error {
	var ps problems
	if v := getenv("DATABASE_URL"); v != "" {
		if err := checkDatabaseURL(v); err != nil {
			ps.add([]string{"DATABASE_URL"}, "%v", err)
		}
	}
	if v := getenv("COSELLBOT_ADDR"); v != "" {
		if err := checkAddr(v); err != nil {
			ps.add([]string{"COSELLBOT_ADDR"}, "COSELLBOT_ADDR %q: %v", v, err)
		}
	}
	switch v := getenv("COSELLBOT_LOG_FORMAT"); v {
	case "", "text", "json":
	default:
		ps.add([]string{"COSELLBOT_LOG_FORMAT"}, "COSELLBOT_LOG_FORMAT %q: write text or json", v)
	}
	if path := getenv("COSELLBOT_RATES_FILE"); path != "" {
		if msg := checkRatesFile(path); msg != "" {
			ps.add([]string{"COSELLBOT_RATES_FILE"}, "%s", msg)
		}
	}
	if v := getenv("COSELLBOT_REMIND_BEFORE"); v != "" {
		if _, err := remind.ParseOffsets(v); err != nil {
			ps.add([]string{"COSELLBOT_REMIND_BEFORE"}, "COSELLBOT_REMIND_BEFORE %q: %s", v, withWhatToWrite(err, "write offsets before expiry such as "+remind.DefaultBefore))
		}
	}
	if v := getenv("COSELLBOT_INBOX_KEEP"); v != "" {
		if _, err := crm.ParseKeep(v); err != nil {
			ps.add([]string{"COSELLBOT_INBOX_KEEP"}, "%v", err) // names the variable and what to write
		}
	}
	for _, f := range lifecycleDurations {
		if v := getenv(f.name); v != "" {
			if _, err := parseLifecycleDuration(f.name, v, f.min); err != nil {
				ps.add([]string{f.name}, "%v", err)
			}
		}
	}
	if v := getenv("COSELLBOT_PUBLIC_URL"); v != "" {
		if _, err := pipeline.ParsePublicURL(v); err != nil {
			ps.add([]string{"COSELLBOT_PUBLIC_URL"}, "COSELLBOT_PUBLIC_URL %v", err) // says what to write
		}
	}
	for _, name := range []string{"SLACK_API_URL", "DISCORD_API_URL", "PARTNERCENTER_API_URL", "PARTNERCENTER_TOKEN_URL"} {
		if v := getenv(name); v != "" {
			if u, err := url.Parse(v); err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
				ps.add([]string{name}, "%s %q: write an https:// URL", name, urlredact.URL(v))
			}
		}
	}
	if v := getenv("DISCORD_PUBLIC_KEY"); v != "" {
		if msg := checkDiscordKey(v); msg != "" {
			ps.add([]string{"DISCORD_PUBLIC_KEY"}, "%s", msg)
		}
	}
	for _, s := range crm.Sources {
		secret, out := "WEBHOOK_SECRET_"+strings.ToUpper(s), "WEBHOOK_OUT_URL_"+strings.ToUpper(s)
		v := getenv(out)
		switch {
		case v == "":
		case s == "partnercenter":
			// Partner Center is written through its Referrals API, never a
			// webhook: the URL would be ignored, and asking for the secret
			// to sign with would send the reader the wrong way.
			ps.add([]string{out}, "%s: cosellbot writes to Partner Center through its Referrals API (PARTNERCENTER_API_URL and the PARTNERCENTER_* credentials), not a webhook: unset %s", out, out)
		case !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://"):
			ps.add([]string{out}, "%s %q: write the https:// URL where cosellbot sends this CRM's changes", out, urlredact.URL(v))
		case getenv(secret) == "":
			ps.add([]string{out}, "%s needs %s to sign with: set %s to at least 16 random characters, shared with the receiver, or unset %s", out, secret, secret, out)
		}
	}
	ps = append(ps, partnerCenterProblems(getenv)...)
	if v := strings.TrimSpace(getenv("PARTNERCENTER_DEFAULT_LOCATION")); v != "" && !deal.PartnerLocationID(v) {
		// The location of referrals that name none: Partner Center takes
		// a partner location ID only, as a deal made in chat does.
		ps.add([]string{"PARTNERCENTER_DEFAULT_LOCATION"}, "PARTNERCENTER_DEFAULT_LOCATION %q is not a partner location ID: write %s", v, deal.LocationIDHint)
	}
	if v := getenv("PARTNERCENTER_POLL_EVERY"); v != "" {
		if d, err := time.ParseDuration(v); err != nil || d < 10*time.Second {
			ps.add([]string{"PARTNERCENTER_POLL_EVERY"}, "PARTNERCENTER_POLL_EVERY %q: write a duration of at least 10s, as in 5m", v)
		}
	}
	if path := getenv("PARTNERCENTER_ROOTS"); path != "" {
		if msg := checkRoots(path); msg != "" {
			ps.add([]string{"PARTNERCENTER_ROOTS"}, "%s", msg)
		}
	}
	ps = append(ps, mappingProblems(getenv)...)
	if getenv("WEBHOOK_SECRET_SALESFORCE") != "" && len(splitList(getenv("SALESFORCE_ORG_IDS"))) == 0 {
		ps = append(ps, problem{Vars: []string{"SALESFORCE_ORG_IDS"}, needs: []string{"WEBHOOK_SECRET_SALESFORCE"},
			Msg: "WEBHOOK_SECRET_SALESFORCE is set, so SALESFORCE_ORG_IDS must list the organization ids allowed to send: write them separated by commas, as in 00D5g000001AbcD,00D5g000002EfgH"})
	}
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// withWhatToWrite is err's text, followed by how when it does not say.
func withWhatToWrite(err error, how string) string {
	if strings.Contains(err.Error(), "write") {
		return err.Error()
	}
	return err.Error() + ": " + how
}

// pathProblem says briefly why a file could not be read.
func pathProblem(err error) string {
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "this user may not read it"
	case errors.As(err, &pe):
		return pe.Err.Error()
	}
	return err.Error()
}

const ratesExample = `{"months": [{"month": "2026-11", "usd_per_unit": {"USD": 1, "EUR": 1.08}}]}`

// checkRatesFile says what is wrong with COSELLBOT_RATES_FILE's file, if
// anything.
func checkRatesFile(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("COSELLBOT_RATES_FILE %s: %s: write the path of a JSON rates table, as in %s, or unset it to use the shipped table",
			path, pathProblem(err), ratesExample)
	}
	if _, err := deal.ParseRates(data); err != nil {
		return fmt.Sprintf("COSELLBOT_RATES_FILE %s: %v: write one entry per month, as in %s", path, err, ratesExample)
	}
	return ""
}

// checkDiscordKey says what is wrong with DISCORD_PUBLIC_KEY, if anything.
// The value is not repeated: it may be a token pasted in the wrong place.
func checkDiscordKey(v string) string {
	const how = "copy the Public Key from your application's General Information page in the Discord Developer Portal: 64 hexadecimal characters"
	b, err := hex.DecodeString(strings.TrimSpace(v))
	switch {
	case err != nil:
		return "DISCORD_PUBLIC_KEY is not hexadecimal (0-9, a-f): " + how
	case len(b) != ed25519.PublicKeySize:
		return fmt.Sprintf("DISCORD_PUBLIC_KEY has %d hexadecimal characters: %s", 2*len(b), how)
	}
	return ""
}

// checkRoots says what is wrong with PARTNERCENTER_ROOTS's file, if
// anything.
func checkRoots(path string) string {
	const how = "write the path of a PEM file of the roots that sign Partner Center's webhook certificates, or unset it to use the system roots"
	pem, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("PARTNERCENTER_ROOTS %s: %s: %s", path, pathProblem(err), how)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pem) {
		return fmt.Sprintf("PARTNERCENTER_ROOTS %s holds no PEM certificate: %s", path, how)
	}
	return ""
}

// partnerCenterProblems checks that the Partner Center credentials are all
// set or none, and all set when the Partner Center webhook is on.
func partnerCenterProblems(getenv func(string) string) problems {
	var ps problems
	creds := []string{"PARTNERCENTER_TOKEN_URL", "PARTNERCENTER_CLIENT_ID", "PARTNERCENTER_REFRESH_TOKEN"}
	var set, missing []string
	for _, name := range creds {
		if getenv(name) != "" {
			set = append(set, name)
		} else {
			missing = append(missing, name)
		}
	}
	switch {
	case len(set) > 0 && len(missing) > 0:
		ps.add(creds, "%s set without %s: Partner Center needs all three, or none: set %s (see Connecting Partner Center in the README)",
			strings.Join(set, ", "), strings.Join(missing, ", "), strings.Join(missing, ", "))
	case len(set) == 0 && getenv("WEBHOOK_SECRET_PARTNERCENTER") != "":
		ps = append(ps, problem{Vars: append([]string{"WEBHOOK_SECRET_PARTNERCENTER"}, creds...),
			Msg: fmt.Sprintf("WEBHOOK_SECRET_PARTNERCENTER is set, so Partner Center needs %s: set them (see Connecting Partner Center in the README), or unset WEBHOOK_SECRET_PARTNERCENTER",
				strings.Join(creds, ", "))})
	}
	return ps
}

// mappingProblems checks that COSELLBOT_CRM_MAPPING holds the mapping file
// of each CRM whose webhook secret is set.
func mappingProblems(getenv func(string) string) problems {
	var secrets, files []string
	for _, s := range mappedSources {
		if getenv("WEBHOOK_SECRET_"+strings.ToUpper(s)) != "" {
			secrets = append(secrets, "WEBHOOK_SECRET_"+strings.ToUpper(s))
			files = append(files, s+".yaml")
		}
	}
	if len(secrets) == 0 {
		return nil
	}
	dir, by := getenv("COSELLBOT_CRM_MAPPING"), "COSELLBOT_CRM_MAPPING"
	if dir == "" {
		dir, by = "deploy/crm", "COSELLBOT_CRM_MAPPING (unset, so deploy/crm in the working folder)"
	}
	var shipped []string
	for _, s := range mappedSources {
		shipped = append(shipped, s+".yaml")
	}
	how := fmt.Sprintf("set COSELLBOT_CRM_MAPPING to the folder holding the mapping files %s (deploy/crm in the repository, /app/deploy/crm in the image)", strings.Join(shipped, ", "))
	why := fmt.Sprintf("%s %s set, so cosellbot needs %s", strings.Join(secrets, " and "), map[bool]string{true: "is", false: "are"}[len(secrets) == 1], strings.Join(files, " and "))
	broken := func(format string, args ...any) problem {
		return problem{Vars: []string{"COSELLBOT_CRM_MAPPING"}, needs: secrets, Msg: fmt.Sprintf(format, args...)}
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		what := "not a folder"
		switch {
		case errors.Is(err, fs.ErrNotExist):
			what = "no such folder"
		case err != nil:
			what = pathProblem(err)
		}
		return problems{broken("%s: %s: %s: %s; %s", by, absPath(dir), what, why, how)}
	}
	var ps problems
	var absent []string
	for _, s := range mappedSources {
		if !slices.Contains(files, s+".yaml") {
			continue
		}
		if _, err := crm.LoadMappings(dir, s); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				absent = append(absent, s+".yaml")
				continue
			}
			ps = append(ps, broken("%s: %v: correct the file, or %s", by, strings.TrimPrefix(err.Error(), "COSELLBOT_CRM_MAPPING: "), how))
		}
	}
	if len(absent) > 0 {
		ps = append(problems{broken("%s: %s has no %s: %s; %s", by, absPath(dir), strings.Join(absent, " or "), why, how)}, ps...)
	}
	return ps
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

// configWarnings lists what works but is likely a mistake, the
// environment's variables that look like cosellbot's but are none of them
// first.
func configWarnings(cfg config, getenv func(string) string) []string {
	w := unknownVariables(os.Environ())
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

// redactURL hides a database URL's passwords: the userinfo's, and the
// query's (libpq and pgx take ?password= and ?sslpassword= too); the user
// name and the rest stay, for an operator to read.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		if i := strings.Index(s, "@"); i >= 0 && strings.Contains(s, "://") {
			return s[:strings.Index(s, "://")+3] + "****" + s[i:]
		}
		return s
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "****")
		}
	}
	if q := u.Query(); len(q) > 0 {
		masked := false
		for k := range q {
			if strings.Contains(strings.ToLower(k), "password") {
				q.Set(k, "****")
				masked = true
			}
		}
		if masked {
			u.RawQuery = strings.ReplaceAll(q.Encode(), "%2A%2A%2A%2A", "****")
		}
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
	ps := configProblemsOf(cfgErr)
	broken := map[string]bool{}
	for _, p := range ps {
		for _, name := range p.Vars {
			broken[name] = true
		}
	}
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
		if broken[s.Name] {
			mark = "✗ broken"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, v, origin, mark)
	}
	_ = tw.Flush()
	if len(ps) > 0 {
		for _, p := range ps {
			fmt.Fprintln(stdout, "✗", p.Msg)
		}
		// What a broken value hides cannot be judged; a misspelt name
		// may be why a value is missing.
		for _, w := range unknownVariables(os.Environ()) {
			fmt.Fprintln(stdout, "warning:", w)
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

// readableConfig is the configuration with its broken variables left
// unset, and those that need them, for doctor to check what could be read;
// off lists the variables left out. When the problems cannot be told apart
// it is the zero config.
func readableConfig(getenv func(string) string) (config, map[string]bool) {
	off := map[string]bool{}
	get := func(name string) string {
		if off[name] {
			return ""
		}
		return getenv(name)
	}
	for {
		cfg, err := loadConfig(get)
		if err == nil {
			return cfg, off
		}
		n := len(off)
		for _, p := range configProblemsOf(err) {
			for _, name := range append(p.Vars, p.needs...) {
				off[name] = true
			}
		}
		if len(off) == n { // nothing more to leave out
			return config{}, off
		}
	}
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
