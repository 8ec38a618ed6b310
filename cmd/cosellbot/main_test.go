package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testDir holds what the tests share: the binary of the end-to-end tests
// and the FAQ's cache. TestMain makes it and removes it.
var testDir string

// TestMain gives the tests a FAQ cache of their own (COSELLBOT_CACHE_DIR,
// inherited by the binaries they start): every `serve` warms the FAQ and
// every `ask` of a question builds it, and the ranker's cache key names the
// executable, so each process of the shared binary trained it again (2.5
// CPU seconds each), and the tests wrote into the user's own cache folder.
// Tests of the setting itself set it (t.Setenv), as before.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cosellbot-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "cmd/cosellbot tests: a folder for the binary and the FAQ cache:", err)
		os.Exit(1)
	}
	testDir = dir
	if err := os.Setenv("COSELLBOT_CACHE_DIR", filepath.Join(dir, "faq-cache")); err != nil {
		fmt.Fprintln(os.Stderr, "cmd/cosellbot tests:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

var built struct {
	once sync.Once
	bin  string
	err  error
}

// buildBinary compiles cosellbot once per test binary for the end-to-end
// tests, which only run it: each build linked a 50 MB binary again.
func buildBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		bin := filepath.Join(testDir, "cosellbot")
		out, err := staticBuild(bin, "").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		built.bin = bin
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

// staticBuild is the go build of cosellbot as the Dockerfile and make
// build make it (CGO off, -trimpath), with ldflags added. The end-to-end
// tests' binary and TestImageBinary's share its compiled packages (and
// make build's, and the FAQ accuracy run's), so that the module graph is
// compiled without -race once; make test's go vet compiles it with the
// race run's settings, which the race run reuses (Makefile, RACEFLAGS).
func staticBuild(bin, ldflags string) *exec.Cmd {
	build := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	return build
}

type envelope struct {
	OK    bool            `json:"ok"`
	Text  string          `json:"text"`
	Data  json.RawMessage `json:"data"`
	Error *struct {
		Code, Message, Field, Rule string
	} `json:"error"`
}

// TestAskJSON drives the real binary the way scripts do: one command per
// process, JSON out, exit status telling done (0), refused (1) or usage (2).
func TestAskJSON(t *testing.T) {
	bin := buildBinary(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "e2e.db")
	ask := func(wantCode int, args ...string) envelope {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"ask", "--json"}, args...)...)
		cmd.Env = append(os.Environ(), "DATABASE_URL="+db)
		out, err := cmd.Output()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != wantCode {
			t.Fatalf("ask %q: exit %d, want %d\n%s", args, code, wantCode, out)
		}
		var env envelope
		if err := json.Unmarshal(out, &env); err != nil {
			t.Fatalf("ask %q: not one JSON object: %v\n%s", args, err, out)
		}
		return env
	}
	ask(0, `solution add name="Contoso Insight" source=mine ip=azure`)
	// Arguments split by the shell are re-quoted: name=Big deal stays one value.
	env := ask(0, "deal", "new", "kind=ip", "name=Contoso analytics", "customer=Contoso SA", "customer_location=FR",
		"account=managed", "location=1234567", "value=48000", "close=2099-03-31", "notes=Data platform",
		"solution=Contoso Insight", "share=yes", "team=Ana Diaz <ana@contoso-partner.com> +33 1 23 45 67 89")
	var created struct {
		Deal struct {
			ID           int64   `json:"id"`
			Name         string  `json:"name"`
			Kind         string  `json:"kind"`
			Status       string  `json:"status"`
			SaleType     string  `json:"sale_type"`
			StagePercent int     `json:"stage_percent"`
			Value        float64 `json:"value"`
			CloseDate    string  `json:"close_date"`
		} `json:"deal"`
	}
	if err := json.Unmarshal(env.Data, &created); err != nil {
		t.Fatal(err)
	}
	d := created.Deal
	if !env.OK || d.ID != 1 || d.Name != "Contoso analytics" || d.Kind != "ip_cosell" || d.Status != "created" || d.SaleType != "partner_led" || d.StagePercent != 10 || d.Value != 48000 || d.CloseDate != "2099-03-31" {
		t.Fatalf("created deal: %+v", d)
	}
	ask(0, "deal stage 1 qualified")
	ask(0, "deal won 1")
	env = ask(0, "deal register 1")
	var reg struct {
		Registration struct {
			Eligible bool `json:"eligible"`
			Criteria []struct {
				Name string `json:"name"`
				OK   bool   `json:"ok"`
				Why  string `json:"why"`
			} `json:"criteria"`
			Warnings []string `json:"warnings"`
		} `json:"registration"`
	}
	if err := json.Unmarshal(env.Data, &reg); err != nil {
		t.Fatal(err)
	}
	if !reg.Registration.Eligible || len(reg.Registration.Criteria) != 7 || len(reg.Registration.Warnings) != 1 {
		t.Fatalf("registration: %+v", reg.Registration)
	}
	env = ask(0, "deal history 1")
	var hist struct {
		Events []struct{ At, Actor, Action, Detail string } `json:"events"`
	}
	if err := json.Unmarshal(env.Data, &hist); err != nil {
		t.Fatal(err)
	}
	if len(hist.Events) != 3 || hist.Events[0].Action != "created" || hist.Events[2].Action != "won" || hist.Events[0].Actor != "admin@localhost" {
		t.Fatalf("history: %+v", hist.Events)
	}
	env = ask(1, "deal edit 1 notes=late")
	if env.OK || env.Error == nil || env.Error.Code != "invalid" || env.Error.Rule != "terminal_immutable" {
		t.Fatalf("edit of a won deal: %+v", env)
	}
	env = ask(1, "--user", "stranger@contoso.com", "deal list")
	if env.Error == nil || env.Error.Code != "forbidden" {
		t.Fatalf("unknown user: %+v", env)
	}
	// Usage errors of the CLI itself exit 2.
	cmd := exec.Command(bin, "ask")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+db)
	if err := cmd.Run(); err == nil || cmd.ProcessState.ExitCode() != 2 {
		t.Fatalf("ask without TEXT: %v", err)
	}
}

// TestServeAndShell starts `serve --shell` as make run does, checks the
// probes while the shell answers piped commands, and stops it at end of input.
func TestServeAndShell(t *testing.T) {
	bin := buildBinary(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	cmd := exec.Command(bin, "serve", "--shell", "--addr", addr)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DATABASE_URL=")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitReady(t, addr)
	if resp, err := http.Get("http://" + addr + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %v", err)
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(metrics), "go_goroutines") {
		t.Fatalf("/metrics: %d\n%.300s", resp.StatusCode, metrics)
	}
	_, _ = stdin.Write([]byte("help\ndeal list\nexit\n"))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve --shell: %v\n%s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("serve --shell did not stop after exit")
	}
	if !strings.Contains(out.String(), "Commands:") || !strings.Contains(out.String(), "No open deals.") {
		t.Fatalf("shell output:\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "cosellbot.db")); err != nil {
		t.Fatalf("the default SQLite file was not created: %v", err)
	}
}

func TestJoinText(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"deal list"}, "deal list"},
		{[]string{"deal", "show", "3"}, "deal show 3"},
		{[]string{"deal", "new", "name=Big deal", `notes=say "hi"`}, `deal new name="Big deal" notes="say \"hi\""`},
		{[]string{"faq", "where is my partner ID?"}, `faq "where is my partner ID?"`},
	} {
		if got := joinText(tt.args); got != tt.want {
			t.Errorf("joinText(%q) = %s, want %s", tt.args, got, tt.want)
		}
	}
}

// ask's flags typed inside one quoted command ('deal list --user ana@…')
// were chat text: the line ran as the local admin and was refused as "deal
// list takes no flag --user". It is now a usage error saying where the flag
// goes; a --json or --user inside a quoted value is text, as before.
func TestAskFlagInsideTheQuotes(t *testing.T) {
	t.Setenv("DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "ask.db"))
	if got := quotedAskFlag("what is --jsonish"); got != "" {
		t.Errorf(`quotedAskFlag("what is --jsonish") = %q, want none`, got)
	}
	for _, tt := range []struct {
		arg      string
		flag     string // what quotedAskFlag finds; "" none
		code     int
		inStderr string
	}{
		{"deal list expiring --user ana@contoso.com", "--user", 2, "--user is inside the quoted command"},
		{"deal list --user=ana@contoso.com", "--user", 2, "put it outside the quotes, as in cosellbot ask --user ana@contoso.com"},
		{"deal show 1 --json", "--json", 2, "--json is inside the quoted command"},
		{"help\t--json", "--json", 2, "--json is inside"},
		{`solution add name="Uses --json and --user" source=mine`, "", 0, ""},
		{`solution add name=“A --json B” source=mine`, "", 0, ""},
		{`solution add name=«C --user D» source=mine`, "", 0, ""},
		{"deal list --share", "", 0, "--share"},
		// A word that only begins with a flag's name is text. Not asked
		// as a FAQ question: that trained the FAQ's ranker, 22 of the
		// test's 23 seconds under -race, for nothing it checks.
		{`solution add name="what is --jsonish" source=mine`, "", 0, ""},
	} {
		t.Run(tt.arg, func(t *testing.T) {
			if got := quotedAskFlag(tt.arg); got != tt.flag {
				t.Errorf("quotedAskFlag(%q) = %q, want %q", tt.arg, got, tt.flag)
			}
			var out, errOut strings.Builder
			code := run(t.Context(), []string{"ask", tt.arg}, strings.NewReader(""), &out, &errOut)
			if code != tt.code || !strings.Contains(errOut.String(), tt.inStderr) {
				t.Errorf("ask %q: exit %d, want %d; stderr %q, want it to say %q\nstdout %s", tt.arg, code, tt.code, errOut.String(), tt.inStderr, out.String())
			}
		})
	}
}
