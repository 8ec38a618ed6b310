package main

import (
	"os"
	"path/filepath"
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
	for _, tt := range []struct{ name, text, want string }{
		{"typo", "DATABSE_URL: sqlite:x.db\n", "line 1: unknown variable DATABSE_URL: did you mean DATABASE_URL?"},
		{"lower case", "database_url: sqlite:x.db\n", "write it in capitals, DATABASE_URL"},
		{"twice", "COSELLBOT_ADDR: :1\nCOSELLBOT_ADDR: :2\n", "line 2: COSELLBOT_ADDR is set twice"},
		{"nested", "SLACK_BOT_TOKEN:\n  a: b\n", "SLACK_BOT_TOKEN takes a value"},
		{"not a mapping", "- DATABASE_URL\n", "mapping of variable names"},
		{"not YAML", "DATABASE_URL: [\n", "configuration file"},
	} {
		_, err := loadLayers(write(tt.name+".yaml", tt.text), envOf())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := loadLayers(filepath.Join(dir, "missing.yaml"), envOf()); err == nil {
		t.Error("a missing --config file was accepted")
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
