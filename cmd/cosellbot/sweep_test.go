package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// cli runs cosellbot in-process and returns its exit status and output.
func cli(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String() + errOut.String()
}

// sweep --dry-run says what a pass would do and changes nothing; the real
// pass does it once; outbox lists what waits for delivery.
func TestSweepAndOutboxCommands(t *testing.T) {
	t.Setenv("DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "sweep.db"))
	t.Setenv("COSELLBOT_REMIND_BEFORE", "7d,1d")
	for _, line := range []string{
		"subscribe log:alerts",
		"deal receive kind=services customer=Fabrikam customer_location=SE location=1234567 from=microsoft received=2026-11-20",
	} {
		if code, out := cli(t, "ask", line); code != 0 {
			t.Fatalf("ask %s: %d\n%s", line, code, out)
		}
	}
	now := "--now=2026-11-27T01:00:00Z" // received 2026-11-20 00:00: the 7d reminder is an hour old
	for i, want := range []string{"would do (dry run, nothing changed):\n  reminded: deal #1 expires in 7 days (7d reminder)", "did:\n  reminded: deal #1", "nothing due"} {
		args := []string{"sweep", now}
		if i == 0 {
			args = append(args, "--dry-run")
		}
		code, out := cli(t, args...)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("sweep pass %d: exit %d\n%s\nwant %q", i, code, out, want)
		}
	}
	code, out := cli(t, "outbox")
	if code != 0 || !strings.Contains(out, "1 waiting (pending or sending), 0 dead") || !strings.Contains(out, "log:alerts") {
		t.Errorf("outbox: exit %d\n%s", code, out)
	}
	if code, out := cli(t, "sweep", "--now=yesterday"); code != 2 || !strings.Contains(out, "2026-12-01T09:00:00Z") {
		t.Errorf("a bad --now: exit %d\n%s", code, out)
	}
	t.Setenv("COSELLBOT_REMIND_BEFORE", "15d")
	if code, out := cli(t, "sweep"); code != 2 || !strings.Contains(out, "COSELLBOT_REMIND_BEFORE") {
		t.Errorf("a bad COSELLBOT_REMIND_BEFORE: exit %d\n%s", code, out)
	}
}
