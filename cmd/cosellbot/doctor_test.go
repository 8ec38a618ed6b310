package main

import (
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/integrations/partnercenter/pcfake"
)

// doctor names the configured cache folder, tells an API it cannot reach
// from a token it refused, and, when the configuration is broken, lists
// every problem and checks what could be read.
func TestDoctorSaysWhatIsWrong(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() // nothing listens there once closed
	ln.Close()
	db := "sqlite:" + filepath.Join(t.TempDir(), "doctor.db")
	tests := []struct {
		name string
		env  []string
		want []string
		not  []string
	}{
		{name: "unreachable Slack and Discord APIs", env: []string{"SLACK_BOT_TOKEN", "xoxb-1", "SLACK_API_URL", closed + "/slack/",
			"DISCORD_BOT_TOKEN", "bot", "DISCORD_APP_ID", "42", "DISCORD_API_URL", closed + "/discord"},
			want: []string{"✗ Slack bot token (SLACK_BOT_TOKEN): not checked: the Slack API at " + closed + "/slack/ could not be reached", "fix: check SLACK_API_URL (" + closed + "/slack/)",
				"✗ Discord bot token (DISCORD_BOT_TOKEN): not checked: the Discord API at " + closed + "/discord could not be reached", "fix: check DISCORD_API_URL"},
			not: []string{"refused it", "copy the Bot User OAuth Token", "reset the token"}},
		{name: "broken values", env: []string{"COSELLBOT_LOG_FORMAT", "xml", "COSELLBOT_INBOX_KEEP", "1d", "SLACK_BOT_TOKEN", "xoxb-1", "SLACK_API_URL", "ftp://x"},
			want: []string{`✗ configuration: COSELLBOT_LOG_FORMAT "xml": write text or json`, `✗ configuration: COSELLBOT_INBOX_KEEP "1d"`,
				"✓ database: sqlite at", "- Slack bot token (SLACK_BOT_TOKEN): not checked: SLACK_API_URL is broken", "3 problems to fix"}},
		{name: "broken database URL", env: []string{"DATABASE_URL", "mysql://db/x"},
			want: []string{`✗ configuration: DATABASE_URL scheme "mysql"`, "- database: not checked: DATABASE_URL is broken", "1 problem to fix"}},
	}
	if runtime.GOOS == "linux" {
		tests = append(tests, struct {
			name string
			env  []string
			want []string
			not  []string
		}{name: "cache folder in /proc", env: []string{"COSELLBOT_CACHE_DIR", "/proc/x"},
			want: []string{"! COSELLBOT_CACHE_DIR: cannot make /proc/x: /proc, where it would be made, is not writable", "set COSELLBOT_CACHE_DIR to a writable folder"}})
	}
	clearConfigEnv(t)
	t.Setenv("DATABASE_URL", db)
	runCLI(t, 0, "migrate")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("COSELLBOT_CACHE_DIR", "off")
			for i := 0; i+1 < len(tt.env); i += 2 {
				t.Setenv(tt.env[i], tt.env[i+1])
			}
			var out string
			if strings.HasPrefix(tt.name, "cache") {
				out, _ = runCLI(t, 0, "doctor")
			} else {
				out, _ = runCLI(t, 1, "doctor")
			}
			for _, want := range tt.want {
				if !strings.Contains(out, want) {
					t.Errorf("doctor lacks %q:\n%s", want, out)
				}
			}
			for _, not := range tt.not {
				if strings.Contains(out, not) {
					t.Errorf("doctor says %q:\n%s", not, out)
				}
			}
		})
	}
}

// Partner Center credentials without WEBHOOK_SECRET_PARTNERCENTER are not
// used (serve builds no client): a tester read "✓ Partner Center token"
// and got no fetch, poll or write-back. Doctor warns.
func TestDoctorPartnerCenterWithoutItsSecret(t *testing.T) {
	api := pcfake.New(t, time.Now)
	clearConfigEnv(t)
	t.Setenv("DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "doctor.db"))
	t.Setenv("COSELLBOT_CACHE_DIR", "off")
	partnerCenterEnv(t, api)
	runCLI(t, 0, "migrate")
	out, _ := runCLI(t, 0, "doctor")
	if !strings.Contains(out, "! Partner Center") || !strings.Contains(out, "WEBHOOK_SECRET_PARTNERCENTER is not set, so these credentials are not used") {
		t.Errorf("doctor:\n%s", out)
	}
}
