package slack_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/integrations/slack"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// states are the ways to bring a fresh deal into each state, by commands
// ("%d" is the deal's id).
var states = map[string][]string{
	"received":   {},
	"accepted":   {`deal accept %d name="Fabrikam BI" value=60000 close=2031-03-01 notes="BI for 12 plants"`},
	"qualified":  {`deal accept %d name="Fabrikam BI" value=60000 close=2031-03-01 notes="BI"`, "deal stage %d qualified"},
	"negotiated": {`deal accept %d name="Fabrikam BI" value=60000 close=2031-03-01 notes="BI"`, "deal stage %d negotiated"},
	"won":        {`deal accept %d name="Fabrikam BI" value=60000 close=2031-03-01 notes="BI"`, "deal won %d"},
	"lost":       {`deal accept %d name="Fabrikam BI" value=60000 close=2031-03-01 notes="BI"`, `deal lost %d reason="budget cut"`},
	"declined":   {`deal decline %d reason="not a fit"`},
	"error":      {`deal error %d reason="duplicate"`},
	"created":    nil, // an outbound deal, created rather than received
}

// created is an outbound deal Microsoft is not on yet.
const created = `deal new kind=p2p name="Contoso rollout" customer="Contoso" customer_location=FR location=1234567 value=25000 close=2031-06-30 notes="Rollout" team="Ana Diaz <ana@partner.example> +33 1 23 45 67 89" contact="Jo Lee <jo@contoso.example> +33 1 98 76 54 32" consent=yes`

// good are values that pass the rules, for the form fields left empty.
var good = map[string]string{
	"name": "Fabrikam BI", "value": "60000 EUR", "close": "2031-03-01", "notes": "BI for 12 plants",
	"team": "Ana Diaz <ana@partner.example> +46 70 123 45 67", "reason": "not a fit", "until": "2031-01-01",
	"partner": "Litware", "help": "technical", "solution": "Litware Analytics",
}

// bad are values every form refuses, each with the grammar's message.
var bad = map[string]string{
	"name": "", "value": "lots", "close": "someday", "notes": "", "team": "Ana <not-an-email> 12", "reason": " ",
	"until": "2001-01-01", "partner": "", "help": "gold", "solution": "Nope",
}

// Every button rendered for a deal, in every state, either does its job or
// opens the form it needs, which refuses bad values field by field without
// changing anything and succeeds with good ones; none is refused for lack
// of input. The buttons are those of the deal's card, of
// a reminder and of the channel's state line.
func TestEveryButtonInEveryState(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, withBotToken)
		admin := access.User{ID: "ana@partner.example", Roles: []access.Role{access.ReferralsAdmin}, Global: true}
		if r := e.svc.Run(t.Context(), admin, chatPlace, `solution add name="Litware Analytics" source=third_party`); !r.OK() {
			t.Fatal(r.Text)
		}
		next := int64(0)
		freshIn := func(state string) int64 {
			t.Helper()
			next++
			first := referral
			if state == "created" {
				first = created
			}
			if r := e.svc.Run(t.Context(), admin, chatPlace, first); !r.OK() {
				t.Fatalf("%s: %s", first, r.Text)
			}
			for _, line := range states[state] {
				if r := e.svc.Run(t.Context(), admin, chatPlace, fmt.Sprintf(line, next)); !r.OK() {
					t.Fatalf("%s: %s", line, r.Text)
				}
			}
			return next
		}
		for state := range states {
			// The buttons a deal in this state shows, in every place it shows them.
			id := freshIn(state)
			d, err := st.GetDeal(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			_, m := e.command("U_ANA", fmt.Sprintf("deal show %d", id))
			labels := controls(blocksOf(t, m))
			if state == "received" { // reminders are about received referrals
				rem := remind.ReminderNotice(d, 72*time.Hour, e.clk.Now())
				labels = append(labels, controls(blocksOf(t, slackapi.Msg{Blocks: slackapi.Blocks{BlockSet: slack.Blocks("x", rem.Actions, 50)}}))...)
			}
			sn := remind.StateNotice(d, ledger.Entry{At: e.clk.Now(), Actor: "hubspot", Action: "changed", Detail: "changed"})
			labels = append(labels, controls(blocksOf(t, slackapi.Msg{Blocks: slackapi.Blocks{BlockSet: slack.Blocks("x", sn.Actions, 50)}}))...)
			for _, c := range labels {
				target := freshIn(state)
				c.Value = strings.Replace(c.Value, fmt.Sprint(id), fmt.Sprint(target), 1)
				name := state + " › " + c.Label
				if strings.HasPrefix(c.ActionID, "cosell_form_") {
					view := e.openForm("U_ANA", c)
					before, _ := st.History(t.Context(), target)
					if got := e.submitForm("U_ANA", view, bad); got.ResponseAction != slackapi.RAErrors || len(got.Errors) == 0 {
						t.Errorf("%s: bad values were not shown under their fields: %s", name, mustJSON(t, got))
					}
					if after, _ := st.History(t.Context(), target); len(after) != len(before) {
						t.Errorf("%s: bad values changed the deal", name)
					}
					values := inputValues(view)
					for k, v := range good {
						if values[k] == "" {
							values[k] = v
						}
					}
					got := e.submitForm("U_ANA", view, values)
					if got.ResponseAction != slackapi.RAUpdate || strings.Contains(mustJSON(t, got.View), "✗") {
						t.Errorf("%s: the form with good values was refused: %v", name, got.Errors)
					}
					continue
				}
				blocks := e.press("U_ANA", c)
				if txt := text(blocks); strings.HasPrefix(txt, "✗") || txt == "" {
					t.Errorf("%s (%s): refused: %s", name, c.Value, txt)
				}
			}
		}
		if p := e.slack.Problems(); len(p) > 0 {
			t.Errorf("Slack refused: %v", p)
		}
	})
}
