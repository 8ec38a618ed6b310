package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/integrations/partnercenter/pcfake"
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
	if got := fieldState(change.Notes, m, true, "n400", deal.Accepted, true, true); !strings.HasPrefix(got, "sent, refused") {
		t.Errorf("dead write: %q", got)
	}
	// A write that failed and is retried was not "sent" (a 503).
	if got := fieldState(change.Notes, m, true, "n400", deal.Accepted, true, false); got != "being sent, not confirmed (see Sync work)" {
		t.Errorf("write retried: %q", got)
	}
	if got := fieldState(change.Notes, m, true, "n400", deal.Accepted, false, false); got != "sent, not confirmed" {
		t.Errorf("write answered, its echo not in: %q", got)
	}
}

// A record's stage its mapping does not list, kept rather than written
// over, reads so, not "in step" with the deal's; once the deal moved on,
// it is to send.
func TestSyncSaysAStageNotInTheMapping(t *testing.T) {
	m := change.Mark{Value: "qualified", Unread: "Closed Won - Partner"}
	if got := fieldState(change.Stage, m, true, "qualified", deal.Accepted, false, false); got != "theirs, not in the mapping: kept (see the history)" {
		t.Errorf("kept: %q", got)
	}
	if got := fieldState(change.Stage, m, true, "developed", deal.Accepted, true, false); got != "to send" {
		t.Errorf("the deal moved on: %q", got)
	}
}

// A reason the system holds and the deal does not is explained as the deal
// stands: a won deal has none (won in chat while the CRM said lost), not
// "an open deal has no reason".
func TestSyncExplainsAMissingReasonByTheDealsState(t *testing.T) {
	held := change.Mark{Value: "went elsewhere"}
	for _, tc := range []struct {
		status deal.Status
		want   string
	}{
		{deal.Created, "theirs (an open deal has no reason)"},
		{deal.Accepted, "theirs (an open deal has no reason)"},
		{deal.Received, "theirs (an open deal has no reason)"},
		{deal.Won, "theirs (a won deal has no reason)"},
		{deal.Expired, "theirs (the deal is expired, with no reason)"},
	} {
		if got := fieldState(change.Reason, held, true, "", tc.status, false, false); got != tc.want {
			t.Errorf("reason of a %s deal: %q, want %q", tc.status, got, tc.want)
		}
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

// A delivery of a linked record that failed (a move to a stage the mapping
// does not list) reached no link's shadow: sync says it waits for replay,
// with its error, under the record's table that would otherwise read "in
// step" of a record that moved on.
func TestSyncSaysAFailedDeliveryOfTheRecord(t *testing.T) {
	url := "sqlite:" + filepath.Join(t.TempDir(), "sync.db")
	t.Setenv("DATABASE_URL", url)
	t.Setenv("WEBHOOK_SECRET_SALESFORCE", "sf-secret")
	t.Setenv("SALESFORCE_ORG_IDS", "00D5g000004ABCDEAA")
	t.Setenv("COSELLBOT_CRM_MAPPING", "../../deploy/crm")
	runCLI(t, 0, "ask", `deal new kind=services name="Fabrikam rollout" customer="Fabrikam AB" customer_location=SE location=1234567 value=40000 currency=EUR close=+30d notes=n team="Ana Diaz <ana@contoso.example> +46701234567" role=transaction area=Security play="Cloud security" crm_id=0065g00000QRS01`)
	st, err := store.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC()
	if err := st.Commit(t.Context(), &change.Commit{Links: []change.Link{{System: "salesforce", RecordID: "0065g00000QRS01", DealID: 1,
		Shadow: change.Shadow{change.Stage: {Value: "qualified", At: at}}}}, At: at}); err != nil {
		t.Fatal(err)
	}
	why := `StageName: "Closed Won - Partner" maps to no stage or outcome of deal #1: add it to the salesforce mapping's stages, restart serve (it reads the mappings at start; every replica), then run cosellbot replay --source salesforce`
	notification := func(id, record string) []byte {
		return []byte(`<Notification xmlns="http://soap.sforce.com/2005/09/outbound" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><Id>` + id +
			`</Id><sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>` + record +
			`</sf:Id><sf:StageName>Closed Won - Partner</sf:StageName></sObject></Notification>`)
	}
	added, err := st.AddInbox(t.Context(), []store.InboxEntry{
		{Source: "salesforce", Key: "04l1", Body: notification("04l1", "0065g00000QRS01AAA"), ReceivedAt: at},
		{Source: "salesforce", Key: "04l2", Body: notification("04l2", "0065g00000QRS99AAA"), ReceivedAt: at}, // another record's
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range added {
		if err := st.MarkInbox(t.Context(), a.ID, store.InboxFailed, why, at); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	out, _ := runCLI(t, 0, "sync", "1")
	words := strings.Join(strings.Fields(out), " ")
	if !strings.Contains(words, "Not in this table: 1 failed delivery of this record, for cosellbot replay --source salesforce") {
		t.Errorf("sync does not say the record's failed delivery:\n%s", out)
	}
	if !strings.Contains(words, why) {
		t.Errorf("sync does not say why it failed:\n%s", out)
	}
}

// A Partner Center notification of a linked referral that failed (the
// deal rules refused the referral, Partner Center refused the fetch) is
// listed under the referral's table as a CRM record's failed delivery is:
// it waits for cosellbot replay --source partnercenter, and the table
// alone reads "in step" of a referral that moved on.
func TestSyncSaysAFailedPartnerCenterDelivery(t *testing.T) {
	api := pcfake.New(t, time.Now)
	url := "sqlite:" + filepath.Join(t.TempDir(), "syncpc.db")
	t.Setenv("DATABASE_URL", url)
	t.Setenv("WEBHOOK_SECRET_PARTNERCENTER", "pc-secret-0123456789abcdef")
	partnerCenterEnv(t, api)
	t.Setenv("PARTNERCENTER_DEFAULT_LOCATION", "1234567")
	fixture, err := os.ReadFile("../../integrations/partnercenter/testdata/referral_new.json")
	if err != nil {
		t.Fatal(err)
	}
	const id, other = "7b1c2d3e-4f50-4a61-8b72-93a4b5c6d7e8", "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9" // the fixture's, and another
	api.Put(string(fixture))
	api.Put(strings.Replace(string(fixture), id, other, 1))
	runCLI(t, 0, "poll") // both referrals make deals, linked to them
	st, err := store.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	d, err := st.DealByExternalID(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC()
	notification := func(referral string) []byte {
		return fmt.Appendf(nil, `{"EventName":"referral-updated","ResourceUri":"https://api.partnercenter.microsoft.com/engagements/v1/referrals/%s","ResourceName":"Referral","AuditUri":null,"ResourceChangeUtcDate":%q}`,
			referral, at.Format(time.RFC3339Nano))
	}
	why := `fetching referral ` + id + `: partner center: GET referral: 403 Forbidden: {"code":"Forbidden"}`
	added, err := st.AddInbox(t.Context(), []store.InboxEntry{
		{Source: "partnercenter", Key: "referral-updated|" + id + "|1", Body: notification(id), ReceivedAt: at},
		{Source: "partnercenter", Key: "referral-updated|" + other + "|1", Body: notification(other), ReceivedAt: at}, // another referral's
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range added {
		if err := st.MarkInbox(t.Context(), a.ID, store.InboxFailed, why, at); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	out, _ := runCLI(t, 0, "sync", strconv.FormatInt(d.ID, 10))
	words := strings.Join(strings.Fields(out), " ")
	if !strings.Contains(words, "Not in this table: 1 failed delivery of this record, for cosellbot replay --source partnercenter") {
		t.Errorf("sync does not say the referral's failed delivery:\n%s", out)
	}
	if !strings.Contains(words, why) {
		t.Errorf("sync does not say why it failed:\n%s", out)
	}
}
