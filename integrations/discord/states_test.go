package discord_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/integrations/discord"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

const referralLine = `deal receive kind=ip name="Fabrikam BI" value=60000 currency=EUR close=2031-03-01 customer="Fabrikam AB" customer_location=SE account=managed location=1234567 from=microsoft notes="BI for 12 plants"`

const createdLine = `deal new kind=p2p name="Contoso rollout" customer="Contoso" customer_location=FR location=1234567 value=25000 close=2031-06-30 notes="Rollout" team="Ana Diaz <ana@partner.example> +33 1 23 45 67 89" contact="Jo Lee <jo@contoso.example> +33 1 98 76 54 32" consent=yes`

var dealStates = map[string][]string{
	"received":   {},
	"created":    nil,
	"accepted":   {`deal accept %d name="Fabrikam BI" value=60000 close=2031-03-01 notes="BI"`},
	"negotiated": {`deal accept %d name="Fabrikam BI" value=60000 close=2031-03-01 notes="BI"`, "deal stage %d negotiated"},
	"won":        {`deal accept %d name="Fabrikam BI" value=60000 close=2031-03-01 notes="BI"`, "deal won %d"},
	"lost":       {`deal accept %d name="Fabrikam BI" value=60000 close=2031-03-01 notes="BI"`, `deal lost %d reason="budget cut"`},
	"declined":   {`deal decline %d reason="not a fit"`},
}

var goodValues = map[string]string{
	"name": "Fabrikam BI", "value": "60000 EUR", "close": "2031-03-01", "notes": "BI for 12 plants",
	"team": "Ana Diaz <ana@partner.example> +46 70 123 45 67", "reason": "not a fit", "until": "2031-01-01",
	"partner": "Litware", "help": "technical", "solution": "Litware Analytics",
}

var badValues = map[string]string{
	"name": "", "value": "lots", "close": "someday", "notes": "", "team": "Ana <not-an-email> 12", "reason": " ",
	"until": "2001-01-01", "partner": "", "help": "gold", "solution": "Nope",
}

// Every button rendered for a deal, in every state (its card, a reminder,
// the channel's state line), either does its job or opens the form it
// needs (a modal), which refuses bad values by field, for the clicker
// alone and changing nothing, and succeeds with good ones.
func TestEveryButtonInEveryState(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, time.Minute)
		here := chat.Place{Platform: discord.Platform, Channel: "C1"}
		if r := e.run.Service.Run(t.Context(), e.admin, here, `solution add name="Litware Analytics" source=third_party`); !r.OK() {
			t.Fatal(r.Text)
		}
		next := int64(0)
		freshIn := func(state string) int64 {
			t.Helper()
			next++
			first := referralLine
			if state == "created" {
				first = createdLine
			}
			for _, line := range append([]string{first}, dealStates[state]...) {
				if strings.Contains(line, "%d") {
					line = fmt.Sprintf(line, next)
				}
				if r := e.run.Service.Run(t.Context(), e.admin, here, line); !r.OK() {
					t.Fatalf("%s: %s", line, r.Text)
				}
			}
			return next
		}
		for state := range dealStates {
			id := freshIn(state)
			d, err := st.GetDeal(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			ids := buttons(e.answer(e.slash("111", fmt.Sprintf("deal show %d", id))))
			var actions []chat.Action
			if state == "received" {
				actions = append(actions, remind.ReminderNotice(d, 72*time.Hour, e.clk.Now()).Actions...)
			}
			actions = append(actions, remind.StateNotice(d, ledger.Entry{At: e.clk.Now(), Actor: "hubspot", Detail: "changed"}).Actions...)
			r := discord.Render("x", actions, false)
			raw, _ := json.Marshal(map[string]any{"data": map[string]any{"components": r.Components}})
			var notice map[string]any
			_ = json.Unmarshal(raw, &notice)
			for label, cid := range buttons(notice) {
				ids["notice: "+label] = cid
			}
			for label, cid := range ids {
				target := freshIn(state)
				cid = strings.Replace(cid, fmt.Sprint(id), fmt.Sprint(target), 1)
				name := state + " › " + label
				got := e.answer(e.click("111", cid))
				if got["type"] != float64(9) {
					if strings.HasPrefix(description(got), "✗") {
						t.Errorf("%s (%s): refused: %s", name, cid, description(got))
					}
					continue
				}
				before, _ := st.History(t.Context(), target)
				fields := formValues(got)
				bad := map[string]string{}
				for k := range fields {
					bad[k] = badValues[k]
				}
				if ans := e.answer(e.submit("111", got, bad)); ans["type"] != float64(4) || !strings.Contains(description(ans), "Nothing was changed") {
					t.Errorf("%s: bad values: %s", name, description(ans))
				}
				if after, _ := st.History(t.Context(), target); len(after) != len(before) {
					t.Errorf("%s: bad values changed the deal", name)
				}
				for k, v := range fields {
					// Discord shares no phone number: the clicker adds theirs.
					if v == "" || k == "team" {
						fields[k] = goodValues[k]
					}
				}
				if ans := e.answer(e.submit("111", got, fields)); strings.HasPrefix(description(ans), "✗") {
					t.Errorf("%s: good values refused: %s", name, description(ans))
				}
			}
		}
		if p := e.api.Problems(); len(p) > 0 {
			t.Errorf("Discord refused: %v", p)
		}
	})
}
