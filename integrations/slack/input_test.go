package slack_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// Text arrives as Slack sends it with should_escape: true: &, < and > as
// entities, e-mails as mailto links, channels and people as ids. A person
// typed in Slack, an ampersand, a mentioned colleague and a #channel are
// all understood, and stored as typed.
func TestSlackTextAsSent(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, withBotToken)
		e.receive()
		e.slack.Profiles["U0BO"] = [3]string{"Bo Ek", "bo@partner.example", "+46 70 765 43 21"}
		for _, line := range []string{
			`deal accept 1 name="Fabrikam BI" value=60000 close=2031-03-01 notes="BI" team="<@U0BO>"`,
			`deal edit 1 notes="R&amp;D &lt;budget&gt; approved"`,
			`deal team add 1 "Cy Dahl &lt;<mailto:cy@partner.example|cy@partner.example>&gt; +46 70 111 22 33"`,
			`deal team add 1 <@U0CY>`, // unknown to Slack: left as @U0CY, refused below
		} {
			_, m := e.command("U_ANA", line)
			if refused := strings.HasPrefix(m.Text, "✗"); refused != strings.Contains(line, "U0CY") {
				t.Fatalf("%s: %s", line, m.Text)
			}
		}
		d, err := st.GetDeal(t.Context(), 1)
		if err != nil {
			t.Fatal(err)
		}
		if d.Notes != "R&D <budget> approved" {
			t.Errorf("notes stored as %q", d.Notes)
		}
		var team []string
		for _, p := range d.Team {
			team = append(team, p.Name+" <"+p.Email+"> "+p.Phone)
		}
		if got := strings.Join(team, "; "); !strings.Contains(got, "Cy Dahl <cy@partner.example> +46 70 111 22 33") || !strings.Contains(got, "Bo Ek <bo@partner.example> +46 70 765 43 21") {
			t.Errorf("team: %s", got)
		}
		// A channel arrives as <#C…|name>, and subscribe takes it.
		if _, m := e.command("U_ANA", "subscribe <#C0SALES01|sales> location=1234567"); !strings.Contains(m.Text, "Subscribed slack:C0SALES01") {
			t.Errorf("subscribe: %s", m.Text)
		}
	})
}

// Slack checks a slash command's URL with ssl_check=1 when it is saved:
// answered 200, nothing done.
func TestSSLCheck(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	resp, err := http.Post(e.srv.URL+"/slack/commands", "application/x-www-form-urlencoded", strings.NewReader("ssl_check=1&token=legacy"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("ssl_check: %d", resp.StatusCode)
	}
}

// A mention in free text is stored as the member's name only (README:
// "@Ana Diaz"; their profile's name, not the label Slack's escape carries):
// never their e-mail and phone from users.info, which the bot may read
// even where the workspace hides them, and which would then sit in the
// deal for every viewer, export and Partner Center. Where a person is
// expected (team=, deal team add) the mention is the member's profile, as
// README says. <!channel> is stored as text, <#C9|sales> as #sales.
func TestMentionInFreeTextIsAName(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, withBotToken)
		e.receive()
		e.slack.Profiles["U0OUT"] = [3]string{"Out Sider", "outsider@evil.example", "+46 70 000 00 05"}
		e.slack.Profiles["U0BO"] = [3]string{"Bo & <Ek>", "bo@partner.example", "+46 70 765 43 21"}
		for _, line := range []string{
			`deal accept 1 name="<!channel> hi <@U0BO|bo>" value=60000 close=2031-03-01 notes="who is <@U0OUT> and <@U0BO|bo>" team=<@U0BO>`,
			`deal team add 1 <@U0OUT>`,
		} {
			if _, m := e.command("U_ANA", line); strings.HasPrefix(m.Text, "✗") {
				t.Fatalf("%s: %s", line, m.Text)
			}
		}
		d, err := st.GetDeal(t.Context(), 1)
		if err != nil {
			t.Fatal(err)
		}
		if d.Notes != "who is @Out Sider and @Bo & <Ek>" || d.Name != "@channel hi @Bo & <Ek>" {
			t.Errorf("free text stored as name %q, notes %q", d.Name, d.Notes)
		}
		var team []string
		for _, p := range d.Team {
			team = append(team, p.Name+" <"+p.Email+"> "+p.Phone)
		}
		if got := strings.Join(team, "; "); got != "Bo & Ek <bo@partner.example> +46 70 765 43 21; Out Sider <outsider@evil.example> +46 70 000 00 05" {
			t.Errorf("team: %s", got)
		}
		// As the tester sent it: a labelled mention, @channel, an entity
		// and a channel, in notes.
		if _, m := e.command("U_ANA", `deal edit 1 notes="ping <@U0BO|bo> and <!channel> &amp; <#C9ABCDEF|sales>"`); strings.HasPrefix(m.Text, "✗") {
			t.Fatal(m.Text)
		}
		if d, err := st.GetDeal(t.Context(), 1); err != nil || d.Notes != "ping @Bo & <Ek> and @channel & #sales" {
			t.Errorf("notes stored as %q (%v)", d.Notes, err)
		}
	})
}
