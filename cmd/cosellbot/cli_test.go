package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/store"
)

// runCLI runs cosellbot in-process with the test's environment.
func runCLI(t *testing.T, want int, args ...string) (stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), args, strings.NewReader(""), &out, &errOut); code != want {
		t.Fatalf("cosellbot %q: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, want, out.String(), errOut.String())
	}
	return out.String(), errOut.String()
}

// TestCLIContract: exit 2 for usage, 1 for refusals, 0 otherwise; flags
// anywhere on the line; suggestions for mistyped commands.
func TestCLIContract(t *testing.T) {
	t.Setenv("DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "cli.db"))
	if _, e := runCLI(t, 2, "serv"); !strings.Contains(e, "did you mean cosellbot serve?") {
		t.Errorf("typo: %s", e)
	}
	if _, e := runCLI(t, 2, "bogus"); !strings.Contains(e, "the commands are serve, migrate, ask") {
		t.Errorf("unknown: %s", e)
	}
	// A chat command typed as a command of the CLI is pointed at ask.
	if _, e := runCLI(t, 2, "deal", "register", "1"); !strings.Contains(e, "chat commands run through ask: cosellbot ask deal register 1") {
		t.Errorf("deal register as a CLI command: %s", e)
	}
	runCLI(t, 0, "ask", "user add ana@contoso.com role=\"Referrals user\" locations=1000001")
	runCLI(t, 0, "ask", "--json", "solution", "add", "name=Insight", "source=mine")
	// Usage errors exit 2, refusals 1.
	if o, _ := runCLI(t, 2, "ask", "deal", "acept", "1"); !strings.Contains(o, "did you mean deal accept?") {
		t.Errorf("verb typo: %s", o)
	}
	runCLI(t, 2, "ask", "deal", "lost", "3")
	runCLI(t, 1, "ask", "deal", "show", "2")
	// Flags after the text, and --share as typed in Slack.
	if o, _ := runCLI(t, 0, "ask", "deal", "list", "--user", "ana@contoso.com", "--json"); !strings.Contains(o, `"ok": true`) {
		t.Errorf("flags after the text: %s", o)
	}
	if o, e := runCLI(t, 1, "ask", "deal", "show", "2", "--share"); !strings.Contains(o, "no deal #2") || !strings.Contains(e, "--share") {
		t.Errorf("--share: %s %s", o, e)
	}
	if o, e := runCLI(t, 1, "ask", "deal show 2 --share"); !strings.Contains(o, "no deal #2") || !strings.Contains(e, "--share") {
		t.Errorf("--share inside one argument: %s %s", o, e)
	}
	if o, _ := runCLI(t, 0, "ask", "--", "help", "deal", "accept"); !strings.Contains(o, "A received referral needs name=") {
		t.Errorf("help deal accept: %s", o)
	}
	if o, _ := runCLI(t, 0, "help"); !strings.Contains(o, "cosellbot doctor") || !strings.Contains(o, "cosellbot export deals|claims") {
		t.Errorf("usage lacks the new commands:\n%s", o)
	}
}

// A solution assessment deal takes no sale type (seed 004): inviting
// Microsoft on one from the CLI is refused, exit 1, saying why, as in chat.
func TestAssessmentInviteRefusedByTheCLI(t *testing.T) {
	t.Setenv("DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "sa.db"))
	runCLI(t, 0, "ask", `solution add name="Readiness Assessment" source=assessment`)
	runCLI(t, 0, "ask", `deal new kind=sa name=R customer=N customer_location=US location=1000001 value=15000 close=+30d notes=n assessment="Readiness Assessment" assessment_location=US contact="Eva Kund <eva@kund.example> +46 70 111 22 33" consent=yes team="Ana Diaz <ana@contoso.com> +33 1 23 45 67 89"`)
	if o, _ := runCLI(t, 1, "ask", "deal", "invite", "1", "microsoft", "help=technical"); !strings.Contains(o, "a solution assessment deal has no sale type to choose") {
		t.Errorf("invite Microsoft on an SA deal: %s", o)
	}
	if o, _ := runCLI(t, 0, "ask", "--json", "deal", "show", "1"); !strings.Contains(o, `"sale_type": "private"`) {
		t.Errorf("the SA deal after the refusal: %s", o)
	}
}

func TestExport(t *testing.T) {
	t.Setenv("DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "export.db"))
	runCLI(t, 0, "ask", `solution add name=Insight source=mine ip=azure`)
	runCLI(t, 0, "ask", `deal new kind=ip name="Contoso, phase 1" customer=Contoso customer_location=FR location=1000001 value="60,000 EUR" close=+30d notes=n solution=Insight team="Ana Diaz <ana@contoso.com> +33 1 23 45 67 89"`)
	o, e := runCLI(t, 0, "export", "deals")
	rows, err := csv.NewReader(strings.NewReader(o)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][2] != "Contoso, phase 1" || !strings.Contains(e, "exported 1 deal\n") {
		t.Fatalf("csv: %v %q\n%s", err, rows, e)
	}
	if o, _ := runCLI(t, 0, "export", "--format", "json", "deals"); !strings.Contains(o, `"currency": "EUR"`) {
		t.Errorf("json: %s", o)
	}
	runCLI(t, 2, "export", "leads")
	runCLI(t, 2, "export", "deals", "--format", "xlsx")
	runCLI(t, 1, "export", "claims", "--user", "nobody@contoso.com")
}

func TestConfigMarksBrokenValues(t *testing.T) {
	t.Setenv("COSELLBOT_ADDR", ":80800")
	t.Setenv("DATABASE_URL", "mysql://db/x")
	o, _ := runCLI(t, 2, "config")
	for _, want := range []string{"COSELLBOT_ADDR", ":80800", "✗ broken", `✗ COSELLBOT_ADDR ":80800": port "80800"`, "DATABASE_URL scheme \"mysql\""} {
		if !strings.Contains(o, want) {
			t.Errorf("config output lacks %q:\n%s", want, o)
		}
	}
	for _, line := range strings.Split(o, "\n") {
		if strings.HasPrefix(line, "COSELLBOT_LOG_FORMAT") && strings.Contains(line, "broken") {
			t.Errorf("a good value marked broken: %s", line)
		}
	}
	if _, e := runCLI(t, 2, "migrate"); !strings.Contains(e, "cosellbot config shows") {
		t.Errorf("other commands point at config: %s", e)
	}
}

func TestDoctor(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("DATABASE_URL", "sqlite:"+filepath.Join(dir, "missing.db"))
	t.Setenv("WEBHOOK_SECRET_GENERIC", "short")
	o, _ := runCLI(t, 1, "doctor")
	for _, want := range []string{"✗ database: no SQLite file at " + dir, "run cosellbot migrate", "✗ WEBHOOK_SECRET_GENERIC: 5 characters", "2 problems to fix"} {
		if !strings.Contains(o, want) {
			t.Errorf("doctor lacks %q:\n%s", want, o)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("doctor created the database file")
	}
	t.Setenv("WEBHOOK_SECRET_GENERIC", "0123456789abcdef0123")
	runCLI(t, 0, "migrate")
	if o, _ := runCLI(t, 0, "doctor"); !strings.Contains(o, "✓ migrations: schema current") {
		t.Errorf("healthy:\n%s", o)
	}
	// A file it cannot write (a read-only volume, another owner) reads
	// fine: doctor says so. Root writes any ordinary file, so the file is
	// one nobody writes: procfs's, as a read-only mount would be.
	if _, err := os.Stat("/proc/version"); err != nil {
		t.Skip("no /proc here: a file no user writes is needed")
	}
	t.Setenv("DATABASE_URL", "sqlite:/proc/version")
	if o, _ := runCLI(t, 1, "doctor"); !strings.Contains(o, "SQLite cannot write") || !strings.Contains(o, "/proc/version") {
		t.Errorf("a database file that cannot be written:\n%s", o)
	}
}

func TestNewDatabaseIsAnnounced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fresh.db")
	t.Setenv("DATABASE_URL", "sqlite:"+path)
	if _, e := runCLI(t, 0, "ask", "deal", "list"); !strings.Contains(e, "created a new, empty SQLite database") || !strings.Contains(e, path) {
		t.Errorf("first run: %s", e)
	}
	if _, e := runCLI(t, 0, "ask", "deal", "list"); strings.Contains(e, "created") {
		t.Errorf("second run announced again: %s", e)
	}
}

func TestPortInUseNamesTheSetting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = net.Listen("tcp", ln.Addr().String())
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Skipf("this system reports a busy port as %v", err)
	}
	for setBy, want := range map[string]string{"COSELLBOT_ADDR": "set COSELLBOT_ADDR to a free address", "serve --addr": "set serve --addr"} {
		if got := listenFix(ln.Addr().String(), setBy, err); !strings.Contains(got, want) {
			t.Errorf("%s: %q", setBy, got)
		}
	}
	db := filepath.Join(t.TempDir(), "port.db")
	t.Setenv("DATABASE_URL", "sqlite:"+db)
	t.Setenv("COSELLBOT_ADDR", ln.Addr().String())
	if _, e := runCLI(t, 1, "serve"); !strings.Contains(e, "set COSELLBOT_ADDR to a free address") {
		t.Errorf("serve on a busy port: %s", e)
	}
	// Nothing else was done: no database made and migrated for a server
	// that never started (a tester found a new SQLite file left behind).
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("serve on a busy port left %s (%v)", db, err)
	}
}

// TestDoctorChecksTokensAtTheConfiguredEndpoints: doctor calls the API
// bases serve would (SLACK_API_URL, DISCORD_API_URL), and a refused token
// fails the run with what to fix.
func TestDoctorChecksTokensAtTheConfiguredEndpoints(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slack/auth.test":
			w.Write([]byte(`{"ok": false, "error": "token_revoked"}`))
		case "/discord/applications/@me":
			w.Write([]byte(`{"id": "42", "name": "cosellbot"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	t.Setenv("DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "doc.db"))
	t.Setenv("SLACK_BOT_TOKEN", "xoxb-old")
	t.Setenv("SLACK_SIGNING_SECRET", "0123456789abcdef0123")
	t.Setenv("SLACK_API_URL", srv.URL+"/slack/")
	t.Setenv("DISCORD_BOT_TOKEN", "bot")
	t.Setenv("DISCORD_APP_ID", "42")
	t.Setenv("DISCORD_API_URL", srv.URL+"/discord")
	runCLI(t, 0, "migrate")
	o, _ := runCLI(t, 1, "doctor")
	for _, want := range []string{"✗ Slack bot token (SLACK_BOT_TOKEN): auth.test refused it: token_revoked", "fix: copy the Bot User OAuth Token", "✓ Discord bot token (DISCORD_BOT_TOKEN): accepted: application cosellbot (42)", "1 problem to fix."} {
		if !strings.Contains(o, want) {
			t.Errorf("doctor lacks %q:\n%s", want, o)
		}
	}
}

// TestInboxPages: a list that does not fit says so and gives the command
// of the next page, which lists the rest.
func TestInboxPages(t *testing.T) {
	url := "sqlite:" + filepath.Join(t.TempDir(), "inbox.db")
	t.Setenv("DATABASE_URL", url)
	runCLI(t, 0, "migrate")
	st, err := store.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	var es []store.InboxEntry
	for i := range 5 {
		es = append(es, store.InboxEntry{Source: "generic", Key: fmt.Sprintf("e-%d", i), Body: []byte("{}"), Status: store.InboxFailed, ReceivedAt: time.Now().UTC()})
	}
	if _, err := st.AddInbox(t.Context(), es); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, _ := runCLI(t, 0, "inbox", "--limit", "3")
	_, next, ok := strings.Cut(out, "… more deliveries: cosellbot ")
	if !ok || strings.Count(out, "e-") != 3 {
		t.Fatalf("first page:\n%s", out)
	}
	rest, _ := runCLI(t, 0, strings.Fields(next)...)
	if strings.Count(rest, "e-") != 2 || !strings.Contains(rest, "e-3") || strings.Contains(rest, "more deliveries") {
		t.Errorf("next page (%s):\n%s", next, rest)
	}
}

// TestSyncShowsValuesAsDealShow: amounts in units and stages by label, as
// every other view prints them (values travel in cents).
func TestSyncShowsValuesAsDealShow(t *testing.T) {
	for _, tc := range []struct {
		f       change.Field
		v, want string
	}{
		{change.Value, "7500000", "75,000"},
		{change.Stage, "developed", "Developed"},
		{change.Stage, "loe", "Securing the customer's letter of engagement (LOE)"},
		{change.Name, "Fabrikam", "Fabrikam"},
	} {
		if got := shown(tc.f, tc.v); got != tc.want {
			t.Errorf("shown(%s, %q) = %q, want %q", tc.f, tc.v, got, tc.want)
		}
	}
}

// Every command answers --help with its usage line, and exit 0: the help
// asked for is no failure (a tester's scripts read 2 as an error), and
// sync, web-link and poll printed Go's bare "Usage of sync:" or an error.
func TestEveryCommandsHelp(t *testing.T) {
	t.Setenv("DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "help.db"))
	t.Setenv("COSELLBOT_CACHE_DIR", "off")
	for _, sc := range subcommands() {
		switch sc.name {
		case "help", "version", "shell":
			continue // run, not parsed: their own tests cover them
		}
		t.Run(sc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), []string{sc.name, "--help"}, strings.NewReader(""), &out, &errOut)
			if text := out.String() + errOut.String(); code != 0 || !strings.Contains(text, "usage: cosellbot ") || !strings.Contains(text, " "+sc.name) {
				t.Errorf("cosellbot %s --help: exit %d\n%s%s", sc.name, code, out.String(), errOut.String())
			}
		})
	}
}
