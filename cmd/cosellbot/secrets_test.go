package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// An outgoing webhook URL holding its key (Azure Functions' ?code=) is
// shown by `cosellbot config` without it.
func TestConfigRedactsURLKeys(t *testing.T) {
	t.Setenv("WEBHOOK_SECRET_GENERIC", "generic-secret-0123456789")
	t.Setenv("WEBHOOK_OUT_URL_GENERIC", "https://fn.azurewebsites.net/api/cosell?code=AzFnK3y0123==&clientId=default")
	t.Setenv("PARTNERCENTER_API_URL", "https://api.example.com/v1.0?sig=S1gnatur3")
	code, out := cli(t, "config")
	if code != 0 {
		t.Fatalf("config: exit %d\n%s", code, out)
	}
	for _, secret := range []string{"AzFnK3y0123", "S1gnatur3"} {
		if strings.Contains(out, secret) {
			t.Errorf("config shows %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"https://fn.azurewebsites.net/api/cosell?clientId=default&code=REDACTED", "sig=REDACTED"} {
		if !strings.Contains(out, want) {
			t.Errorf("config lacks %q:\n%s", want, out)
		}
	}
}

// A name holding terminal escapes and a forged line is printed by `ask`
// (and so by the shell and `deal list`) with its escapes shown, not
// obeyed: nothing reaches the terminal raw.
func TestAskPrintsNoTerminalEscapes(t *testing.T) {
	t.Setenv("DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "escape.db"))
	hostile := "Evil\x1b[2J\x1b[31mred\x07\u202eroot"
	if code, out := cli(t, "ask", "solution", "add", "name="+hostile, "source=mine", "ip=azure"); code != 0 {
		t.Fatalf("solution add: exit %d\n%s", code, out)
	}
	code, out := cli(t, "ask", "solution list")
	if code != 0 {
		t.Fatalf("solution list: exit %d\n%s", code, out)
	}
	if strings.ContainsAny(out, "\x1b\x07\u202e") {
		t.Errorf("ask printed raw control characters: %q", out)
	}
	if !strings.Contains(out, `Evil\x1b[2J\x1b[31mred\x07\u202eroot`) {
		t.Errorf("ask did not show the escaped name: %q", out)
	}
}
