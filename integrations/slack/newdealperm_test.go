package slack_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/slack"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// Someone who may not create deals (an incentives-only user) is refused
// before the new deal form opens, on /cosell deal new, and gets no New
// deal button on the App Home: nobody fills 19 fields to be told no.
func TestNewDealFormOnlyForWhoMayCreate(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newEnv(t, st, withBotToken)
	vic := access.User{ID: "vic@partner.example", Roles: []access.Role{access.IncentivesUser}}
	at := ledger.Entry{At: time.Now(), Actor: "admin@localhost", Action: "user added", Detail: vic.ID}
	if err := st.PutUser(t.Context(), vic, at); err != nil {
		t.Fatal(err)
	}
	if err := st.LinkChatUser(t.Context(), slack.Platform, "U_VIC", vic.ID, at); err != nil {
		t.Fatal(err)
	}
	before := len(e.slack.Took("/api/views.open"))
	if code, _ := e.command("U_VIC", "deal new"); code != 200 {
		t.Fatalf("deal new: %d", code)
	}
	e.ad.Wait()
	if n := len(e.slack.Took("/api/views.open")) - before; n != 0 {
		t.Errorf("the form opened (%d views.open) for someone who may not create deals", n)
	}
	got := e.slack.Took("/response/" + strconv.Itoa(e.seq))
	if len(got) != 1 || !strings.Contains(mustJSON(t, got[0].JSON), "not allowed") {
		t.Errorf("refusal: %v", got)
	}
	home := `{"token":"x","team_id":"T1","api_app_id":"A1","type":"event_callback","event_id":"Ev9","event_time":1700000000,` +
		`"event":{"type":"app_home_opened","user":"U_VIC","channel":"D9","tab":"home","event_ts":"1700000000.1"}}`
	if code := e.post("/slack/events", home, secret, time.Now(), home).StatusCode; code != 200 {
		t.Fatalf("app_home_opened: %d", code)
	}
	e.ad.Wait()
	published := e.slack.Took("/api/views.publish")
	if len(published) == 0 || strings.Contains(mustJSON(t, published[len(published)-1].JSON), "cosell_newdeal") {
		t.Errorf("the App Home offers New deal to someone who may not create deals")
	}
}

// One command's mentions are looked up in Slack a few at a time at most:
// 300 of them were 300 users.info calls. Labelled ones too (<@U…|name>):
// free text is written with the member's profile name, which takes a
// lookup.
func TestMentionLookupsAreBounded(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newEnv(t, st, withBotToken)
	e.command("U_ANA", `deal new kind=p2p name="x" customer=Contoso customer_location=FR location=1234567 value=25000 close=2031-06-30 notes=n team="Ana Diaz <ana@partner.example> +33 1 23 45 67 89"`)
	e.ad.Wait()
	before := len(e.slack.Took("/api/users.info"))
	for _, label := range []string{"", "|someone"} {
		var b strings.Builder
		for i := range 300 {
			b.WriteString("<@UZ" + strconv.Itoa(10000+i) + label + "> ")
		}
		e.command("U_ANA", `deal edit 1 notes="`+b.String()+`"`)
		e.ad.Wait()
		if n := len(e.slack.Took("/api/users.info")) - before; n > 25 {
			t.Errorf("%d users.info calls for one command (label %q)", n, label)
		}
		before = len(e.slack.Took("/api/users.info"))
	}
}
