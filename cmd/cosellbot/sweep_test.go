package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
	// Dates from the real clock (the CLI reads it): received eight days
	// ago at midnight, it expires in six days; its 7d reminder was due
	// yesterday at midnight, and the sweep runs an hour after that.
	today := time.Now().UTC().Truncate(24 * time.Hour)
	received := today.AddDate(0, 0, -8)
	for _, line := range []string{
		"subscribe log:alerts",
		"deal receive kind=services customer=Fabrikam customer_location=SE location=1234567 from=microsoft received=" + received.Format(time.DateOnly),
	} {
		if code, out := cli(t, "ask", line); code != 0 {
			t.Fatalf("ask %s: %d\n%s", line, code, out)
		}
	}
	// A pass ahead of the clock that would change things is refused: it
	// would expire the referral six days early. Dry, it may look ahead.
	ahead := "--now=" + received.AddDate(0, 0, 15).Format(time.RFC3339)
	if code, out := cli(t, "sweep", ahead); code != 2 || !strings.Contains(out, "is in the future") || !strings.Contains(out, "--dry-run") {
		t.Errorf("sweep ahead of the clock: exit %d\n%s", code, out)
	}
	if code, out := cli(t, "sweep", ahead, "--dry-run"); code != 0 || !strings.Contains(out, "expired: deal #1") {
		t.Errorf("dry sweep ahead of the clock: exit %d\n%s", code, out)
	}
	now := "--now=" + today.AddDate(0, 0, -1).Add(time.Hour).Format(time.RFC3339)
	for i, want := range []string{"would do (dry run, nothing changed):\n  reminded: deal #1 expires in 6 days 23 hours (7d reminder)", "did:\n  reminded: deal #1", "nothing due"} {
		args := []string{"sweep", now}
		if i == 0 {
			args = append(args, "--dry-run")
		}
		code, out := cli(t, args...)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("sweep pass %d: exit %d\n%s\nwant %q", i, code, out, want)
		}
	}
	code, out := cli(t, "outbox") // the referral's arrival and its reminder
	if code != 0 || !strings.Contains(out, "2 waiting (pending or sending), 0 dead") || !strings.Contains(out, "log:alerts") {
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
