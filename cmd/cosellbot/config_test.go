package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// envOf is a getenv over pairs.
func envOf(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// A misconfiguration refuses to start with a message naming the variable
// and what to write; what merely looks wrong is a warning.
func TestConfigValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     []string
		err     []string // every fragment must be in the error; none: it loads
		warning string   // a fragment of one warning, when loaded
	}{
		{name: "defaults", warning: "single replica only"},
		{name: "postgres", env: []string{"DATABASE_URL", "postgres://bot:pw@db:5432/cosell?sslmode=disable"}},
		{name: "mysql", env: []string{"DATABASE_URL", "mysql://db/cosell"}, err: []string{"DATABASE_URL", `scheme "mysql"`, "postgres://"}},
		{name: "no scheme", env: []string{"DATABASE_URL", "cosellbot.db"}, err: []string{"DATABASE_URL", "sqlite:PATH"}},
		{name: "postgres without host", env: []string{"DATABASE_URL", "postgres:///cosell"}, err: []string{"DATABASE_URL names no host"}},
		{name: "bad postgres URL keeps the password out", env: []string{"DATABASE_URL", "postgres://bot:pa%zz@db/x"}, err: []string{"DATABASE_URL is not a valid URL"}},
		{name: "sqlite without file", env: []string{"DATABASE_URL", "sqlite:"}, err: []string{"sqlite:cosellbot.db"}},
		{name: "addr without colon", env: []string{"COSELLBOT_ADDR", "8080"}, err: []string{"COSELLBOT_ADDR", ":8080"}},
		{name: "addr port too big", env: []string{"COSELLBOT_ADDR", ":80800"}, err: []string{"COSELLBOT_ADDR", "0 to 65535"}},
		{name: "addr with host", env: []string{"COSELLBOT_ADDR", "127.0.0.1:9000", "DATABASE_URL", "postgres://db/x"}},
		{name: "two problems at once", env: []string{"COSELLBOT_ADDR", "x", "DATABASE_URL", "mongodb://x"}, err: []string{"COSELLBOT_ADDR", "DATABASE_URL"}},
		{name: "remind offsets", env: []string{"COSELLBOT_REMIND_BEFORE", "15d"}, err: []string{"COSELLBOT_REMIND_BEFORE"}},
		{name: "log format", env: []string{"COSELLBOT_LOG_FORMAT", "xml"}, err: []string{"COSELLBOT_LOG_FORMAT", "text or json"}},
		{name: "inbox keep", env: []string{"COSELLBOT_INBOX_KEEP", "3d"}, err: []string{"COSELLBOT_INBOX_KEEP", "30d", "off"}},
		{name: "inbox keep off", env: []string{"COSELLBOT_INBOX_KEEP", "off"}},
		{name: "drain delay", env: []string{"COSELLBOT_DRAIN_DELAY", "5"}, err: []string{"COSELLBOT_DRAIN_DELAY", "5s"}},
		{name: "shutdown timeout too short", env: []string{"COSELLBOT_SHUTDOWN_TIMEOUT", "10ms"}, err: []string{"COSELLBOT_SHUTDOWN_TIMEOUT"}},
		{name: "partial partner center", env: []string{"PARTNERCENTER_CLIENT_ID", "c"},
			err: []string{"PARTNERCENTER_CLIENT_ID set without PARTNERCENTER_TOKEN_URL, PARTNERCENTER_REFRESH_TOKEN"}},
		{name: "partner center token URL", env: []string{"PARTNERCENTER_TOKEN_URL", "login", "PARTNERCENTER_CLIENT_ID", "c", "PARTNERCENTER_REFRESH_TOKEN", "r"},
			err: []string{"PARTNERCENTER_TOKEN_URL", "https://"}},
		{name: "partner center unused", env: []string{"PARTNERCENTER_TOKEN_URL", "https://login.example/t", "PARTNERCENTER_CLIENT_ID", "c", "PARTNERCENTER_REFRESH_TOKEN", "r"},
			warning: "without WEBHOOK_SECRET_PARTNERCENTER"},
		{name: "discord key", env: []string{"DISCORD_PUBLIC_KEY", "zz"}, err: []string{"DISCORD_PUBLIC_KEY"}},
		{name: "slack token without secret", env: []string{"SLACK_BOT_TOKEN", "xoxb-1"}, warning: "SLACK_BOT_TOKEN without SLACK_SIGNING_SECRET"},
		{name: "slack secret without token", env: []string{"SLACK_SIGNING_SECRET", "s"}, warning: "SLACK_SIGNING_SECRET without SLACK_BOT_TOKEN"},
		{name: "slack user token", env: []string{"SLACK_SIGNING_SECRET", "s", "SLACK_BOT_TOKEN", "xoxp-1"}, warning: "xoxb-"},
		{name: "discord without app id", env: []string{"DISCORD_BOT_TOKEN", "t"}, warning: "DISCORD_APP_ID"},
		{name: "short webhook secret", env: []string{"WEBHOOK_SECRET_GENERIC", "abc"}, warning: "WEBHOOK_SECRET_GENERIC is 3 characters"},
		// Partner Center is written through its API: a webhook URL for it
		// would be ignored, and asking for its secret sends the reader the
		// wrong way.
		{name: "partner center out URL alone", env: []string{"WEBHOOK_OUT_URL_PARTNERCENTER", "https://crm.example/pc"},
			err: []string{"WEBHOOK_OUT_URL_PARTNERCENTER", "Referrals API", "unset WEBHOOK_OUT_URL_PARTNERCENTER"}},
		{name: "partner center out URL with its API", env: []string{"WEBHOOK_OUT_URL_PARTNERCENTER", "https://crm.example/pc",
			"WEBHOOK_SECRET_PARTNERCENTER", "0123456789abcdef-pc", "PARTNERCENTER_TOKEN_URL", "https://login.example/t",
			"PARTNERCENTER_CLIENT_ID", "c", "PARTNERCENTER_REFRESH_TOKEN", "r"},
			err: []string{"WEBHOOK_OUT_URL_PARTNERCENTER", "Referrals API", "unset WEBHOOK_OUT_URL_PARTNERCENTER"}},
		{name: "generic out URL", env: []string{"WEBHOOK_OUT_URL_GENERIC", "https://crm.example/in", "WEBHOOK_SECRET_GENERIC", "0123456789abcdef-gen"}},
	}
	for _, tt := range tests {
		get := envOf(tt.env...)
		cfg, err := loadConfig(get)
		if len(tt.err) > 0 {
			if err == nil {
				t.Errorf("%s: loaded, want an error naming %q", tt.name, tt.err)
				continue
			}
			for _, frag := range tt.err {
				if !strings.Contains(err.Error(), frag) {
					t.Errorf("%s: %v\nwant it to say %q", tt.name, err, frag)
				}
			}
			if strings.Contains(err.Error(), "pa%zz") {
				t.Errorf("%s: the error shows the password: %v", tt.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		warnings := configWarnings(cfg, get)
		if tt.warning != "" && !slices.ContainsFunc(warnings, func(w string) bool { return strings.Contains(w, tt.warning) }) {
			t.Errorf("%s: warnings %q, want one saying %q", tt.name, warnings, tt.warning)
		}
	}
}

// The file sets what the environment does not; a flag overrides both; a
// misspelt variable in the file is an error with a suggestion.
func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.yaml", `# cosellbot settings
DATABASE_URL: postgres://bot:hunter2hunter2@db:5432/cosell
COSELLBOT_ADDR: ":9090"
COSELLBOT_DRAIN_DELAY: 5s
SALESFORCE_ORG_IDS: [00D1, 00D2]
SLACK_SIGNING_SECRET: 0123456789abcdef-signing
`)
	l, err := loadLayers("", envOf("COSELLBOT_CONFIG", good, "COSELLBOT_ADDR", ":7070"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(l.get)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":7070" || l.origin("COSELLBOT_ADDR") != "env" || cfg.DatabaseURL != "postgres://bot:hunter2hunter2@db:5432/cosell" ||
		l.origin("DATABASE_URL") != "file" || cfg.Lifecycle.DrainDelay != 5*time.Second || l.get("SALESFORCE_ORG_IDS") != "00D1,00D2" {
		t.Errorf("layers: addr %s (%s), db %s (%s), drain %v, orgs %q", cfg.Addr, l.origin("COSELLBOT_ADDR"), cfg.DatabaseURL,
			l.origin("DATABASE_URL"), cfg.Lifecycle.DrainDelay, l.get("SALESFORCE_ORG_IDS"))
	}
	// The file's problems are reported by loadConfig, with the values',
	// every one of them, marking the variables they are about.
	for _, tt := range []struct {
		name, text string
		want       []string
		marked     []string
	}{
		{"typo", "DATABSE_URL: sqlite:x.db\n", []string{"line 1: unknown variable DATABSE_URL: did you mean DATABASE_URL?"}, nil},
		{"lower case", "database_url: sqlite:x.db\n", []string{"write it in capitals, DATABASE_URL"}, nil},
		{"twice", "COSELLBOT_ADDR: :1\nCOSELLBOT_ADDR: :2\n", []string{"line 2: COSELLBOT_ADDR is set twice"}, []string{"COSELLBOT_ADDR"}},
		{"nested", "SLACK_BOT_TOKEN:\n  a: b\n", []string{"SLACK_BOT_TOKEN takes a value"}, []string{"SLACK_BOT_TOKEN"}},
		{"not a mapping", "- DATABASE_URL\n", []string{"mapping of variable names"}, nil},
		{"not YAML", "DATABASE_URL: [\n", []string{"configuration file", "write YAML"}, nil},
		{"every problem", "DATABSE_URL: x\nCOSELLBOT_ADR: :1\nCOSELLBOT_LOG_FORMAT: xml\n",
			[]string{"3 problems", "DATABSE_URL: did you mean DATABASE_URL?", "COSELLBOT_ADR: did you mean COSELLBOT_ADDR?", `COSELLBOT_LOG_FORMAT "xml"`},
			[]string{"COSELLBOT_LOG_FORMAT"}},
		{"missing", "", []string{"missing.yaml: no such file", "--config or COSELLBOT_CONFIG"}, nil},
	} {
		path := filepath.Join(dir, "missing.yaml")
		if tt.name != "missing" {
			path = write(tt.name+".yaml", tt.text)
		}
		l, err := loadLayers(path, envOf())
		if err != nil {
			t.Errorf("%s: loadLayers: %v, want the problems kept for loadConfig", tt.name, err)
			continue
		}
		_, err = loadConfig(l.get)
		err = withFileProblems(l.problems, err)
		for _, want := range tt.want {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %v, want %q", tt.name, err, want)
			}
		}
		if got := markedVars(err); !slices.Equal(got, tt.marked) {
			t.Errorf("%s: marks %q, want %q", tt.name, got, tt.marked)
		}
	}

	// cosellbot --config FILE config prints every variable, secrets redacted.
	t.Setenv("COSELLBOT_ADDR", "")
	t.Setenv("SLACK_BOT_TOKEN", "xoxb-0000-1111-2222-abcd")
	code, out := cli(t, "--config", good, "config")
	if code != 0 {
		t.Fatalf("config: exit %d\n%s", code, out)
	}
	for _, want := range []string{"configuration file " + good, "postgres://bot:****@db:5432/cosell", "SLACK_SIGNING_SECRET", "****ning",
		"****abcd", "COSELLBOT_ADDR", ":9090", "COSELLBOT_REMIND_BEFORE", "7d,3d,1d", "default", "DISCORD_BOT_TOKEN", "unset"} {
		if !strings.Contains(out, want) {
			t.Errorf("config output lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"hunter2", "0123456789", "xoxb-0000"} {
		if strings.Contains(out, secret) {
			t.Errorf("config output shows the secret %q:\n%s", secret, out)
		}
	}
	if code, out := cli(t, "--config"); code != 2 || !strings.Contains(out, "usage") {
		t.Errorf("--config without a file: exit %d\n%s", code, out)
	}
	if code, out := cli(t, "--config", filepath.Join(dir, "typo.yaml"), "version"); code != 0 || !strings.Contains(out, "cosellbot") {
		t.Errorf("version with a broken file: exit %d\n%s (version must not need a valid configuration)", code, out)
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"short":                  "****",
		"0123456789abcdef":       "****cdef",
		"postgres://u:p@h/db":    "postgres://u:****@h/db",
		"postgres://h/db":        "postgres://h/db",
		"sqlite:cosellbot.db":    "sqlite:cosellbot.db",
		"postgres://u:p%zz@h/db": "postgres://****@h/db",
		// libpq and pgx take the password in the query too.
		"postgres://postgres@h:5432/db?sslmode=disable&password=pw2secret": "postgres://postgres@h:5432/db?password=****&sslmode=disable",
		"postgres://u:p@h/db?sslpassword=k&sslmode=require":                "postgres://u:****@h/db?sslmode=require&sslpassword=****",
	} {
		got := redact(in)
		if strings.Contains(in, "://") || strings.HasPrefix(in, "sqlite:") {
			got = redactURL(in)
		}
		if got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// markedVars are the variables `cosellbot config` marks broken for err,
// sorted.
func markedVars(err error) []string {
	var out []string
	for _, p := range configProblemsOf(err) {
		out = append(out, p.Vars...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Every broken variable is found in one run and marked, however many there
// are and whichever loader reads them; the loaders stop at their first.
func TestEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	notPEM := filepath.Join(t.TempDir(), "roots.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		env    []string
		marked []string
	}{
		{"the newcomer's three", []string{"COSELLBOT_LOG_FORMAT", "xml", "COSELLBOT_INBOX_KEEP", "1d", "COSELLBOT_PUBLIC_URL", "x"},
			[]string{"COSELLBOT_INBOX_KEEP", "COSELLBOT_LOG_FORMAT", "COSELLBOT_PUBLIC_URL"}},
		{"a checked value and a loaded one", []string{"DATABASE_URL", "mysql://x", "COSELLBOT_LOG_FORMAT", "xml"},
			[]string{"COSELLBOT_LOG_FORMAT", "DATABASE_URL"}},
		{"both lifecycle durations", []string{"COSELLBOT_DRAIN_DELAY", "5", "COSELLBOT_SHUTDOWN_TIMEOUT", "1ms"},
			[]string{"COSELLBOT_DRAIN_DELAY", "COSELLBOT_SHUTDOWN_TIMEOUT"}},
		{"several in the webhooks' loader", []string{"WEBHOOK_OUT_URL_GENERIC", "https://x", "WEBHOOK_OUT_URL_DYNAMICS", "ftp://y",
			"PARTNERCENTER_POLL_EVERY", "1s", "PARTNERCENTER_ROOTS", notPEM, "WEBHOOK_SECRET_SALESFORCE", "0123456789abcdef0", "COSELLBOT_CRM_MAPPING", "../../deploy/crm"},
			[]string{"PARTNERCENTER_POLL_EVERY", "PARTNERCENTER_ROOTS", "SALESFORCE_ORG_IDS", "WEBHOOK_OUT_URL_DYNAMICS", "WEBHOOK_OUT_URL_GENERIC"}},
		{"fifteen", []string{"DATABASE_URL", "mysql://x", "COSELLBOT_ADDR", ":80800", "COSELLBOT_LOG_FORMAT", "xml", "COSELLBOT_RATES_FILE", "/nope.json",
			"COSELLBOT_REMIND_BEFORE", "15d", "COSELLBOT_INBOX_KEEP", "1d", "COSELLBOT_DRAIN_DELAY", "5", "COSELLBOT_SHUTDOWN_TIMEOUT", "1ms",
			"COSELLBOT_PUBLIC_URL", "x", "SLACK_API_URL", "ftp://x", "DISCORD_API_URL", "discord.com", "DISCORD_PUBLIC_KEY", "zz",
			"WEBHOOK_OUT_URL_HUBSPOT", "mailto:x", "PARTNERCENTER_POLL_EVERY", "1s", "PARTNERCENTER_ROOTS", "/nope.pem"},
			[]string{"COSELLBOT_ADDR", "COSELLBOT_DRAIN_DELAY", "COSELLBOT_INBOX_KEEP", "COSELLBOT_LOG_FORMAT", "COSELLBOT_PUBLIC_URL", "COSELLBOT_RATES_FILE",
				"COSELLBOT_REMIND_BEFORE", "COSELLBOT_SHUTDOWN_TIMEOUT", "DATABASE_URL", "DISCORD_API_URL", "DISCORD_PUBLIC_KEY", "PARTNERCENTER_POLL_EVERY",
				"PARTNERCENTER_ROOTS", "SLACK_API_URL", "WEBHOOK_OUT_URL_HUBSPOT"}},
	}
	for _, tt := range tests {
		_, err := loadConfig(envOf(tt.env...))
		if got := markedVars(err); !slices.Equal(got, tt.marked) {
			t.Errorf("%s: marks %q, want %q\n%v", tt.name, got, tt.marked, err)
		}
		if n := len(configProblemsOf(err)); n != len(tt.marked) {
			t.Errorf("%s: %d problems, want one per variable:\n%v", tt.name, n, err)
		}
	}
}

// Each problem names the variable, what is wrong, and what to write: not
// a bare "no such file" or a decoder's message.
func TestProblemsSayWhatToWrite(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	emptyRates := write("rates.json", `{"months": []}`)
	badMapping := filepath.Dir(write("bad/hubspot.yaml", "source: hubspot\n"))
	empty := filepath.Dir(write("empty/README", "no mappings here"))
	const secret = "0123456789abcdef0123"
	tests := []struct {
		name string
		env  []string
		want []string // "" in want: it loads
		not  string
	}{
		{"rates file missing", []string{"COSELLBOT_RATES_FILE", "/nope.json"},
			[]string{"COSELLBOT_RATES_FILE /nope.json: no such file", "write the path of a JSON rates table", `"usd_per_unit"`, "unset it"}, "open /nope.json"},
		{"rates file wrong", []string{"COSELLBOT_RATES_FILE", emptyRates}, []string{"COSELLBOT_RATES_FILE " + emptyRates, "at least one month", "write one entry per month"}, ""},
		{"discord key not hex", []string{"DISCORD_PUBLIC_KEY", "zz"}, []string{"DISCORD_PUBLIC_KEY is not hexadecimal", "copy the Public Key", "64 hexadecimal"}, "encoding/hex"},
		{"discord key short", []string{"DISCORD_PUBLIC_KEY", "abcd"}, []string{"DISCORD_PUBLIC_KEY has 4 hexadecimal characters", "Developer Portal"}, ""},
		{"mapping folder missing", []string{"COSELLBOT_CRM_MAPPING", filepath.Join(dir, "none"), "WEBHOOK_SECRET_HUBSPOT", secret},
			[]string{"COSELLBOT_CRM_MAPPING: " + filepath.Join(dir, "none") + ": no such folder", "WEBHOOK_SECRET_HUBSPOT is set, so cosellbot needs hubspot.yaml",
				"set COSELLBOT_CRM_MAPPING to the folder holding the mapping files dynamics.yaml, hubspot.yaml, salesforce.yaml", "/app/deploy/crm"}, "open "},
		{"mapping files missing", []string{"COSELLBOT_CRM_MAPPING", empty, "WEBHOOK_SECRET_HUBSPOT", secret, "WEBHOOK_SECRET_SALESFORCE", secret, "SALESFORCE_ORG_IDS", "00D1"},
			[]string{empty + " has no hubspot.yaml or salesforce.yaml", "WEBHOOK_SECRET_HUBSPOT and WEBHOOK_SECRET_SALESFORCE are set", "set COSELLBOT_CRM_MAPPING to the folder"}, ""},
		{"mapping file wrong", []string{"COSELLBOT_CRM_MAPPING", badMapping, "WEBHOOK_SECRET_HUBSPOT", secret},
			[]string{"COSELLBOT_CRM_MAPPING: " + badMapping + "/hubspot.yaml", "record: required", "correct the file"}, ""},
		{"shipped mappings", []string{"COSELLBOT_CRM_MAPPING", "../../deploy/crm", "WEBHOOK_SECRET_HUBSPOT", secret}, nil, ""},
		{"roots missing", []string{"PARTNERCENTER_ROOTS", "/nope.pem"}, []string{"PARTNERCENTER_ROOTS /nope.pem: no such file", "write the path of a PEM file"}, ""},
		{"partner center webhook without credentials", []string{"WEBHOOK_SECRET_PARTNERCENTER", secret},
			[]string{"WEBHOOK_SECRET_PARTNERCENTER is set, so Partner Center needs PARTNERCENTER_TOKEN_URL", "or unset WEBHOOK_SECRET_PARTNERCENTER"}, ""},
		{"salesforce without orgs", []string{"WEBHOOK_SECRET_SALESFORCE", secret, "COSELLBOT_CRM_MAPPING", "../../deploy/crm"},
			[]string{"SALESFORCE_ORG_IDS must list", "write them separated by commas"}, ""},
		{"out URL without secret", []string{"WEBHOOK_OUT_URL_GENERIC", "https://x.example"}, []string{"WEBHOOK_OUT_URL_GENERIC needs WEBHOOK_SECRET_GENERIC", "set WEBHOOK_SECRET_GENERIC"}, ""},
		{"poll interval", []string{"PARTNERCENTER_POLL_EVERY", "3s"}, []string{`PARTNERCENTER_POLL_EVERY "3s": write a duration of at least 10s`}, ""},
		{"remind offsets", []string{"COSELLBOT_REMIND_BEFORE", "15d"}, []string{`COSELLBOT_REMIND_BEFORE "15d"`, "write offsets before expiry such as 7d,3d,1d"}, ""},
		{"default location", []string{"PARTNERCENTER_DEFAULT_LOCATION", "Paris office"}, []string{`PARTNERCENTER_DEFAULT_LOCATION "Paris office" is not a partner location ID`, "write the number Partner Center shows", "like 1234567"}, ""},
	}
	tellsWhat := regexp.MustCompile(`\b(write|set|copy|correct|keep one)\b`)
	for _, tt := range tests {
		_, err := loadConfig(envOf(tt.env...))
		if len(tt.want) == 0 {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: loaded, want %q", tt.name, tt.want)
			continue
		}
		for _, want := range tt.want {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %v\nwant it to say %q", tt.name, err, want)
			}
		}
		if tt.not != "" && strings.Contains(err.Error(), tt.not) {
			t.Errorf("%s: %v\nsays %q", tt.name, err, tt.not)
		}
		for _, p := range configProblemsOf(err) {
			if len(p.Vars) == 0 || !strings.Contains(p.Msg, p.Vars[0]) || !tellsWhat.MatchString(p.Msg) {
				t.Errorf("%s: %q (about %q) does not name the variable and what to write", tt.name, p.Msg, p.Vars)
			}
		}
	}
}

// With the default COSELLBOT_CRM_MAPPING outside the repository, a CRM
// webhook secret stops every command with a message saying where to point
// COSELLBOT_CRM_MAPPING, and config marks it.
func TestDefaultMappingFolderMissing(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, k := range []string{"COSELLBOT_CRM_MAPPING", "COSELLBOT_CONFIG"} {
		t.Setenv(k, "")
	}
	t.Setenv("WEBHOOK_SECRET_HUBSPOT", "0123456789abcdef0123")
	_, e := runCLI(t, 2, "migrate")
	for _, want := range []string{"COSELLBOT_CRM_MAPPING (unset, so deploy/crm in the working folder)", "no such folder",
		"WEBHOOK_SECRET_HUBSPOT is set, so cosellbot needs hubspot.yaml", "set COSELLBOT_CRM_MAPPING to the folder holding the mapping files"} {
		if !strings.Contains(e, want) {
			t.Errorf("migrate lacks %q:\n%s", want, e)
		}
	}
	o, _ := runCLI(t, 2, "config")
	if row := tableRow(o, "COSELLBOT_CRM_MAPPING"); !slices.Equal(row, []string{"COSELLBOT_CRM_MAPPING", "deploy/crm", "default", "✗", "broken"}) {
		t.Errorf("config row %q:\n%s", row, o)
	}
	if row := tableRow(o, "WEBHOOK_SECRET_HUBSPOT"); slices.Contains(row, "broken") {
		t.Errorf("the secret, which is right, is marked: %q", row)
	}
}

// tableRow is the fields of config's row for name.
func tableRow(out, name string) []string {
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == name {
			return f
		}
	}
	return nil
}

// clearConfigEnv unsets every variable cosellbot reads, for the rest of the
// test, so that the developer's environment does not leak in.
func clearConfigEnv(t *testing.T) {
	t.Helper()
	for _, s := range settings() {
		t.Setenv(s.Name, "")
	}
	t.Setenv(configEnv, "")
}

// config marks every broken variable, and every other command lists every
// problem when it refuses to start.
func TestRefusalListsEveryProblem(t *testing.T) {
	clearConfigEnv(t)
	env := map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "x.db"), "COSELLBOT_LOG_FORMAT": "xml",
		"COSELLBOT_INBOX_KEEP": "1d", "COSELLBOT_PUBLIC_URL": "x", "DISCORD_PUBLIC_KEY": "zz", "COSELLBOT_RATES_FILE": "/nope.json"}
	for k, v := range env {
		t.Setenv(k, v)
	}
	o, _ := runCLI(t, 2, "config")
	_, e := runCLI(t, 2, "ask", "deal", "list")
	for name := range env {
		marked := slices.Contains(tableRow(o, name), "broken")
		if marked == (name == "DATABASE_URL") {
			t.Errorf("%s: marked %v\n%s", name, marked, o)
		}
		if !strings.Contains(e, name) && name != "DATABASE_URL" {
			t.Errorf("the refusal does not list %s:\n%s", name, e)
		}
	}
	if !strings.Contains(e, "5 problems") || !strings.Contains(e, "cosellbot config shows") {
		t.Errorf("refusal:\n%s", e)
	}
}

// A variable with cosellbot's prefixes that cosellbot does not read is
// warned of, with the closest known name; other tools' share the prefixes,
// so it is no error.
func TestUnknownVariables(t *testing.T) {
	for _, tt := range []struct {
		environ []string
		want    []string // fragments of the warnings, in order; none: no warning
	}{
		{[]string{"COSELLBOT_ADR=:9"}, []string{"COSELLBOT_ADR is set but cosellbot reads no such variable, so it is ignored: did you mean COSELLBOT_ADDR?"}},
		{[]string{"SLACK_SIGNING_SECRT=abc"}, []string{"SLACK_SIGNING_SECRT", "did you mean SLACK_SIGNING_SECRET?"}},
		{[]string{"PARTNERCENTER_CLIENTID=c"}, []string{"did you mean PARTNERCENTER_CLIENT_ID?"}},
		{[]string{"WEBHOOK_SECRET_ZOHO=s"}, []string{"WEBHOOK_SECRET_ZOHO", "the sources are PARTNERCENTER, DYNAMICS, HUBSPOT, SALESFORCE, GENERIC"}},
		{[]string{"COSELLBOT_addr=:9"}, []string{"write it in capitals, COSELLBOT_ADDR"}},
		{[]string{"DISCORD_WEBHOOK_FOR_ALERTS=https://x"}, []string{"DISCORD_WEBHOOK_FOR_ALERTS", "Configuration section of the README"}},
		{[]string{"SALESFORCE_ORG_ID=1", "COSELLBOT_DRAIN_DELAI=5s"}, []string{"COSELLBOT_DRAIN_DELAI", "SALESFORCE_ORG_ID"}},
		{[]string{"COSELLBOT_ADDR=:1", "COSELLBOT_CONFIG=x.yaml", "COSELLBOT_PPROF_ADDR=:6060", "WEBHOOK_SECRET_GENERIC=s", "PATH=/bin",
			"TEST_DATABASE_URL=postgres://x", "SLACK_UNRELATED=", "SLACKWARE=1"}, nil},
	} {
		got := unknownVariables(tt.environ)
		if len(got) == 0 != (len(tt.want) == 0) {
			t.Errorf("%q: warnings %q, want %q", tt.environ, got, tt.want)
			continue
		}
		joined := strings.Join(got, "\n")
		last := 0
		for _, want := range tt.want {
			i := strings.Index(joined[last:], want)
			if i < 0 {
				t.Errorf("%q: warnings %q, want %q", tt.environ, got, want)
				break
			}
			last += i
		}
	}

	// config prints them, and serve logs them (configWarnings), even
	// beside broken values.
	clearConfigEnv(t)
	t.Setenv("COSELLBOT_ADR", ":9")
	t.Setenv("DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "x.db"))
	const want = "COSELLBOT_ADR is set but cosellbot reads no such variable, so it is ignored: did you mean COSELLBOT_ADDR?"
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	if w := configWarnings(cfg, os.Getenv); !slices.Contains(w, want) {
		t.Errorf("serve's warnings %q lack %q", w, want)
	}
	if o, _ := runCLI(t, 0, "config"); !strings.Contains(o, "warning: "+want) {
		t.Errorf("config:\n%s", o)
	}
	t.Setenv("COSELLBOT_LOG_FORMAT", "xml")
	if o, _ := runCLI(t, 2, "config"); !strings.Contains(o, "warning: "+want) {
		t.Errorf("config with a broken value:\n%s", o)
	}
}

// A problem in the configuration file does not keep config from printing
// the whole table; other commands still refuse, naming it.
func TestConfigFileProblemsStillPrintTheTable(t *testing.T) {
	clearConfigEnv(t)
	dir := t.TempDir()
	for _, tt := range []struct {
		name, text string
		want       []string
		marked     []string
	}{
		{"unknown name", "DATABSE_URL: sqlite:x.db\nCOSELLBOT_ADDR: \":9090\"\n",
			[]string{"✗ the configuration file", "line 1: unknown variable DATABSE_URL: did you mean DATABASE_URL?"}, nil},
		{"set twice and a broken value", "COSELLBOT_ADDR: \":1\"\nCOSELLBOT_ADDR: \":2\"\nCOSELLBOT_INBOX_KEEP: 1d\n",
			[]string{"line 2: COSELLBOT_ADDR is set twice", `✗ COSELLBOT_INBOX_KEEP "1d"`}, []string{"COSELLBOT_ADDR", "COSELLBOT_INBOX_KEEP"}},
		{"not YAML", "DATABASE_URL: [\n", []string{"✗ the configuration file", "write YAML"}, nil},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".yaml")
		if err := os.WriteFile(path, []byte(tt.text), 0o600); err != nil {
			t.Fatal(err)
		}
		o, _ := runCLI(t, 2, "--config", path, "config")
		for _, want := range append([]string{"VARIABLE", "COSELLBOT_REMIND_BEFORE", "7d,3d,1d", "SALESFORCE_ORG_IDS", "Fix the values marked ✗"}, tt.want...) {
			if !strings.Contains(o, want) {
				t.Errorf("%s: config lacks %q:\n%s", tt.name, want, o)
			}
		}
		for _, s := range settings() {
			if marked := slices.Contains(tableRow(o, s.Name), "broken"); marked != slices.Contains(tt.marked, s.Name) {
				t.Errorf("%s: %s marked %v:\n%s", tt.name, s.Name, marked, o)
			}
		}
		_, e := runCLI(t, 2, "--config", path, "migrate")
		for _, want := range append([]string{"cosellbot config shows"}, tt.want...) {
			if want = strings.TrimPrefix(want, "✗ "); !strings.Contains(e, want) {
				t.Errorf("%s: migrate lacks %q:\n%s", tt.name, want, e)
			}
		}
	}
}

// config shows the cache folder in use, not a description of it.
func TestConfigShowsTheEffectiveCacheDir(t *testing.T) {
	clearConfigEnv(t)
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", t.TempDir())
	for _, tt := range []struct {
		value string
		want  []string
	}{
		{"", []string{"COSELLBOT_CACHE_DIR", filepath.Join(cache, "cosellbot"), "default"}},
		{"off", []string{"COSELLBOT_CACHE_DIR", "off", "env"}},
		{"/srv/cosellbot-cache", []string{"COSELLBOT_CACHE_DIR", "/srv/cosellbot-cache", "env"}},
	} {
		t.Setenv("COSELLBOT_CACHE_DIR", tt.value)
		o, _ := runCLI(t, 0, "config")
		if row := tableRow(o, "COSELLBOT_CACHE_DIR"); !slices.Equal(row, tt.want) {
			t.Errorf("COSELLBOT_CACHE_DIR=%q: row %q, want %q", tt.value, row, tt.want)
		}
	}
}
