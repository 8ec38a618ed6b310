package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestPublicURLSetting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value, err, page string
	}{
		{value: "https://cosellbot.example.com", page: "https://cosellbot.example.com/"},
		{value: "https://cosellbot.example.com/", page: "https://cosellbot.example.com/"},
		{value: "http://127.0.0.1:8080", page: "http://127.0.0.1:8080/"},
		{value: "cosellbot.example.com", err: "write where people reach cosellbot, as in https://"},
		{value: "ftp://cosellbot.example.com", err: "is not an http(s) address"},
		{value: "https://cosellbot.example.com/bot", err: "has a path"},
		{value: "https://cosellbot.example.com/?x=1", err: "has a path, query or user"},
	} {
		cfg, err := loadConfig(envOf("COSELLBOT_PUBLIC_URL", tc.value))
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "COSELLBOT_PUBLIC_URL")):
			t.Errorf("%q: error %v, want one naming COSELLBOT_PUBLIC_URL with %q", tc.value, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.value, err)
		case tc.err == "" && cfg.Remind.PageURL != tc.page:
			t.Errorf("%q: the digest links to %q, want %q", tc.value, cfg.Remind.PageURL, tc.page)
		}
	}
	if cfg, err := loadConfig(envOf()); err != nil || cfg.Web.PublicURL != "" || cfg.Remind.PageURL != "" {
		t.Errorf("unset: %+v %v", cfg.Web, err)
	}
}

// TestWebLinkCommand runs cosellbot web-link as an operator would.
func TestWebLinkCommand(t *testing.T) {
	bin := buildBinary(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "web.db")
	run := func(env []string, args ...string) (int, string, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), append([]string{"DATABASE_URL=" + db}, env...)...)
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), out.String(), errOut.String()
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, out.String(), errOut.String()
	}
	url := []string{"COSELLBOT_PUBLIC_URL=https://cosellbot.example.com"}
	if code, _, stderr := run(nil, "web-link", "--user", "admin@localhost"); code != 2 || !strings.Contains(stderr, "COSELLBOT_PUBLIC_URL is not set") {
		t.Errorf("without the setting: %d %q", code, stderr)
	}
	if code, _, stderr := run(url, "web-link"); code != 2 || !strings.Contains(stderr, "--user EMAIL") {
		t.Errorf("without --user: %d %q", code, stderr)
	}
	if code, _, stderr := run(url, "web-link", "--user", "nobody@example.com"); code != 1 || !strings.Contains(stderr, "not a cosellbot user") {
		t.Errorf("an unknown user: %d %q", code, stderr)
	}
	code, stdout, stderr := run(url, "web-link", "--user", "admin@localhost")
	if code != 0 || !strings.HasPrefix(stdout, "https://cosellbot.example.com/signin?t=") || strings.Count(stdout, "\n") != 1 {
		t.Errorf("web-link: %d %q %q", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "Signs in admin@localhost once, until") {
		t.Errorf("web-link says: %q", stderr)
	}
	// The chat verb answers the same kind of link.
	code, stdout, _ = run(url, "ask", "web")
	if code != 0 || !strings.Contains(stdout, "https://cosellbot.example.com/signin?t=") {
		t.Errorf("ask web: %d %q", code, stdout)
	}
}
