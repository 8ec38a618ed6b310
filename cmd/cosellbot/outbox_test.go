package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/integrations/slack/slacktest"
)

// dispatchOnce runs one pass of serve's outbox dispatcher, as configured
// by the environment.
func dispatchOnce(t *testing.T) {
	t.Helper()
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := oneShot(t.Context(), cfg, io.Discard)
	if !ok {
		t.Fatal("the app did not build")
	}
	defer a.close()
	if _, err := a.outbox.Once(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// A Slack token revoked or rotated kills a notification on its first try
// (retrying meets the same refusal); outbox says what to do, and once the
// token is fixed outbox --retry-dead makes it due again, and the
// dispatcher sends it.
func TestOutboxRetryDeadAfterTheTokenIsFixed(t *testing.T) {
	fake := slacktest.New(t)
	t.Setenv("DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "outbox.db"))
	t.Setenv("SLACK_BOT_TOKEN", "xoxb-test")
	t.Setenv("SLACK_SIGNING_SECRET", "0123456789abcdef0123")
	t.Setenv("SLACK_API_URL", fake.APIURL())
	for _, line := range []string{
		"subscribe slack:C0SALES01",
		"deal receive kind=services customer=Fabrikam customer_location=SE location=1234567 from=microsoft",
	} {
		runCLI(t, 0, "ask", line)
	}
	if _, e := runCLI(t, 2, "outbox", "--id", "1"); !strings.Contains(e, "add --retry-dead") {
		t.Errorf("--id without --retry-dead: %s", e)
	}

	fake.Refuse("invalid_auth")
	dispatchOnce(t)
	out, _ := runCLI(t, 0, "outbox")
	for _, want := range []string{"0 waiting (pending or sending), 1 dead", "invalid_auth", "into SLACK_BOT_TOKEN", "then cosellbot outbox --retry-dead"} {
		if !strings.Contains(out, want) {
			t.Errorf("outbox with the token refused lacks %q:\n%s", want, out)
		}
	}

	fake.Refuse("") // the operator put the new token in place
	dispatchOnce(t)
	if got := fake.Messages("C0SALES01"); len(got) != 0 {
		t.Fatalf("a dead message was sent without --retry-dead: %+v", got)
	}
	out, _ = runCLI(t, 0, "outbox", "--retry-dead", "--target", "slack:c0sales01")
	for _, want := range []string{"1 dead message is due again", "#1 to slack:C0SALES01, deal:1 received", "1 waiting (pending or sending), 0 dead"} {
		if !strings.Contains(out, want) {
			t.Errorf("outbox --retry-dead lacks %q:\n%s", want, out)
		}
	}
	dispatchOnce(t)
	if got := fake.Messages("C0SALES01"); len(got) != 1 || !strings.Contains(got[0].Text, "Fabrikam") {
		t.Errorf("after the retry Slack has %+v, want the referral's arrival", got)
	}
	if out, _ := runCLI(t, 0, "outbox"); !strings.Contains(out, "0 waiting (pending or sending), 0 dead") {
		t.Errorf("outbox after the send:\n%s", out)
	}
	if p := fake.Problems(); len(p) > 0 {
		t.Errorf("Slack refused what was sent: %v", p)
	}
}
