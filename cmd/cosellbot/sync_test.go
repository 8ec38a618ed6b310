package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/store"
)

// The sync work's last error is shown whole: a short one in its cell, a
// long one (a CRM's answer, a timeout after a URL) under the table, wrapped
// between words, never cut (it once ended at `Post "http://1…`, the cause
// out of sight).
func TestSyncShowsTheWholeLastError(t *testing.T) {
	timeout := `crm: webhook to hubspot: Post "http://127.0.0.1:18401/hubspot": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`
	refused := `crm: webhook to dynamics: 400 Bad Request: {"error":{"code":"InvalidTemplate","message":"Unable to process template language expressions in action 'Update_a_row' inputs at line '0' and column '0'"}}`
	var out bytes.Buffer
	writeSyncWork(&out, []store.SyncWork{
		{System: "salesforce", RecordID: "0065g00000QRS01", State: "waiting", Attempts: 1, DueAt: time.Now(), LastError: "crm: webhook to salesforce: 503 busy"},
		{System: "hubspot", RecordID: "18400003", State: "waiting", Attempts: 2, DueAt: time.Now(), LastError: timeout},
		{System: "dynamics", RecordID: "5f3c9a10", State: "dead", Attempts: 1, DueAt: time.Now(), LastError: refused},
	})
	got := out.String()
	if !strings.Contains(got, "crm: webhook to salesforce: 503 busy") {
		t.Errorf("a short error is not in its cell:\n%s", got)
	}
	for _, e := range []string{timeout, refused} {
		var lines []string
		for _, l := range strings.Split(got, "\n") {
			if strings.HasPrefix(l, "  ") {
				lines = append(lines, strings.TrimSpace(l))
			}
		}
		if !strings.Contains(strings.Join(lines, " "), e) {
			t.Errorf("the error %q is not shown whole:\n%s", e, got)
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if strings.Contains(l, "…") || len([]rune(l)) > errorWidth+2 && !strings.HasPrefix(l, "SYSTEM") && !strings.Contains(l, "(below)") {
			t.Errorf("line cut or too long: %q", l)
		}
	}
	if !strings.Contains(got, "Last error of HubSpot record 18400003:") || !strings.Contains(got, "Last error of Dynamics 365 record 5f3c9a10:") {
		t.Errorf("the long errors are not named:\n%s", got)
	}
}

// A value whose write the system refused for good reads so, not "sent,
// not confirmed" as if an answer were awaited.
func TestSyncSaysARefusedWrite(t *testing.T) {
	m := change.Mark{Value: "HS notes", Sent: "n400", Pending: true}
	if got := fieldState(change.Notes, m, true, "n400", true, true); !strings.HasPrefix(got, "sent, refused") {
		t.Errorf("dead write: %q", got)
	}
	// A write that failed and is retried was not "sent" (a 503).
	if got := fieldState(change.Notes, m, true, "n400", true, false); got != "being sent, not confirmed (see Sync work)" {
		t.Errorf("write retried: %q", got)
	}
	if got := fieldState(change.Notes, m, true, "n400", false, false); got != "sent, not confirmed" {
		t.Errorf("write answered, its echo not in: %q", got)
	}
}

// help sync says what --now and --retry-dead do.
func TestHelpSyncExplainsNow(t *testing.T) {
	out, _ := runCLI(t, 0, "help", "sync")
	for _, want := range []string{"--now", "due now", "serve", "--retry-dead"} {
		if !strings.Contains(out, want) {
			t.Errorf("help sync lacks %q:\n%s", want, out)
		}
	}
}

// --system takes a source's name in any case, or as the sync table prints
// it; another name is refused naming them (it matched no work and said
// "0 dead sync writes are due again").
func TestSyncSystemFlag(t *testing.T) {
	for in, want := range map[string]string{"hubspot": "hubspot", "HubSpot": "hubspot", "Partner Center": "partnercenter", "Dynamics 365": "dynamics", "SALESFORCE": "salesforce"} {
		if got, err := systemFlag(in); err != nil || got != want {
			t.Errorf("systemFlag(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := systemFlag("hubspott"); err == nil || !strings.Contains(err.Error(), "use one of partnercenter, dynamics, hubspot") {
		t.Errorf("systemFlag(hubspott) = %v, want a refusal naming the systems", err)
	}
}
