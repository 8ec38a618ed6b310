package slack_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/slack"
	"github.com/cosellbot/cosellbot/integrations/web"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// referral is an inbound referral as Microsoft sends one: named, valued
// and dated, so that Accept needs nothing more.
const referral = `deal receive kind=ip name="Fabrikam BI" value=60000 currency=EUR close=2031-03-01 customer="Fabrikam AB" customer_location=SE account=managed location=1234567 from=microsoft notes="BI for 12 plants"`

var chatPlace = chat.Place{Platform: slack.Platform, Channel: "C1"}

// receive records a referral as the admin: it is deal #1.
func (e *env) receive() {
	e.t.Helper()
	// Received ten days ago, it expires within the week.
	line := referral + " received=" + e.clk.Now().AddDate(0, 0, -10).Format(time.DateOnly)
	if r := e.svc.Run(e.t.Context(), access.User{ID: "ana@partner.example", Roles: []access.Role{access.ReferralsAdmin}, Global: true}, chatPlace, line); !r.OK() {
		e.t.Fatalf("receive: %+v", r.Err)
	}
}

func history(t testing.TB, st *store.Store) []ledger.Entry {
	t.Helper()
	h, err := st.History(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Forged, stale, tampered and replayed commands are refused with 401/409
// and change nothing; the store's history of the deal proves it.
func TestSignedCommands(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.receive()
		fav := e.commandBody("U_ANA", "deal fav 1")
		other := e.commandBody("U_ANA", "deal fav 1")
		tests := []struct {
			name             string
			body, signedBody string
			key              string
			at               time.Time
			want             int
		}{
			{"wrong secret", fav, fav, "not-the-secret", time.Now(), http.StatusUnauthorized},
			{"older than 5 minutes", fav, fav, secret, time.Now().Add(-5*time.Minute - 10*time.Second), http.StatusUnauthorized},
			{"from the future", fav, fav, secret, time.Now().Add(6 * time.Minute), http.StatusUnauthorized},
			{"tampered body", strings.Replace(fav, "fav", "won", 1), fav, secret, time.Now(), http.StatusUnauthorized},
			{"valid", fav, fav, secret, time.Now(), http.StatusOK},
		}
		ts := time.Now()
		for _, tt := range tests {
			at := tt.at
			if tt.name == "valid" {
				at = ts
			}
			if got := e.post("/slack/commands", tt.body, tt.key, at, tt.signedBody).StatusCode; got != tt.want {
				t.Errorf("%s: status %d, want %d", tt.name, got, tt.want)
			}
		}
		// The same signed request again is a replay.
		if got := e.post("/slack/commands", fav, secret, ts, fav).StatusCode; got != http.StatusConflict {
			t.Errorf("replayed: status %d, want 409", got)
		}
		// Unsigned.
		resp, err := http.Post(e.srv.URL+"/slack/commands", "application/x-www-form-urlencoded", strings.NewReader(other))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("unsigned: status %d, want 401", resp.StatusCode)
		}
		e.ad.Wait()
		h := history(t, st)
		if len(h) != 2 || h[1].Action != "favorite" {
			t.Fatalf("history %+v: want received then one favorite, from the one valid request", h)
		}
		d, err := st.GetDeal(t.Context(), 1)
		if err != nil {
			t.Fatal(err)
		}
		if !d.Favorite {
			t.Error("the valid request did not tag the deal")
		}
	})
}

func TestCommandAnswers(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.receive()

		code, m := e.command("U_ANA", "deal show 1")
		if code != 200 || m.ResponseType != slackapi.ResponseTypeEphemeral {
			t.Fatalf("deal show: %d %q", code, m.ResponseType)
		}
		blocks := blocksOf(t, m)
		if !strings.Contains(text(blocks), "Deal #1 Fabrikam BI") {
			t.Errorf("deal show text:\n%s", text(blocks))
		}
		if got := controls(blocks); len(got) != 4 || got[0].Value != "deal accept 1" || got[1].Value != "deal decline 1" || got[2].Value != "deal error 1" ||
			!strings.HasPrefix(got[0].ActionID, "cosell_form_") || !strings.HasPrefix(got[1].ActionID, "cosell_form_") || !strings.HasPrefix(got[2].ActionID, "cosell_form_") ||
			got[3].Value != "deal fav 1 on" || !strings.HasPrefix(got[3].ActionID, "cosell_run_") {
			t.Errorf("deal show controls: %+v, want Accept, Decline and Close as error, each opening its form, and Favorite", got)
		}

		if _, m := e.command("U_ANA", "deal list expiring --share"); m.ResponseType != slackapi.ResponseTypeInChannel || !strings.Contains(m.Text, "1 expiring deal") {
			t.Errorf("--share: %q %q, want in_channel with the list", m.ResponseType, m.Text)
		}
		if _, m := e.command("U_ANA", "deal show 99 --share"); m.ResponseType != slackapi.ResponseTypeEphemeral {
			t.Errorf("a refusal is never shared: %q", m.ResponseType)
		}

		// An unknown Slack account is told what to ask for, and nothing runs.
		_, m = e.command("U_NOBODY", "deal won 1")
		if !strings.Contains(m.Text, "user add") || !strings.Contains(m.Text, "U_NOBODY") || m.ResponseType != slackapi.ResponseTypeEphemeral {
			t.Errorf("unknown account: %q", m.Text)
		}
		if h := history(t, st); len(h) != 1 {
			t.Errorf("an unknown account changed the deal: %+v", h)
		}
	})
}

// With a bot token, an unknown account is matched by the e-mail Slack has
// for it, and the link is kept; an e-mail no user has is still refused.
func TestEmailLookup(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, withBotToken)
		e.slack.Profiles["U_BO"] = [3]string{"Bo", "Bo@Partner.Example", ""}
		e.slack.Profiles["U_EVE"] = [3]string{"Eve", "eve@elsewhere.example", ""}
		bo := access.User{ID: "bo@partner.example", Roles: []access.Role{access.ReferralsUser}, Global: true}
		if err := st.PutUser(t.Context(), bo, ledger.Entry{At: e.clk.Now(), Actor: "admin@localhost", Action: "user added"}); err != nil {
			t.Fatal(err)
		}
		if _, m := e.command("U_BO", "deal list"); m.Text != "No open deals." {
			t.Errorf("bo: %q", m.Text)
		}
		if id, err := st.ChatUser(t.Context(), slack.Platform, "U_BO"); err != nil || id != "bo@partner.example" {
			t.Errorf("link of U_BO: %q, %v", id, err)
		}
		e.command("U_BO", "deal list")
		if n := len(e.slack.Took("/api/users.info")); n != 1 {
			t.Errorf("users.info called %d times, want once (then the link is used)", n)
		}
		if _, m := e.command("U_EVE", "deal list"); !strings.Contains(m.Text, "not a cosellbot user") {
			t.Errorf("eve: %q", m.Text)
		}
		// The admin adds Eve as the refusal asks: her next command works,
		// and Slack was asked her e-mail once.
		eve := access.User{ID: "eve@elsewhere.example", Roles: []access.Role{access.ReferralsUser}, Global: true}
		if err := st.PutUser(t.Context(), eve, ledger.Entry{At: e.clk.Now(), Actor: "admin@localhost", Action: "user added"}); err != nil {
			t.Fatal(err)
		}
		e.clk.Add(2 * time.Second)
		if _, m := e.command("U_EVE", "deal list"); m.Text != "No open deals." {
			t.Errorf("eve, once added: %q", m.Text)
		}
		if n := len(e.slack.Took("/api/users.info")); n != 2 {
			t.Errorf("users.info called %d times for two members, want twice", n)
		}
	})
}

// An unknown account is told what gets it in. Where cosellbot cannot read
// the account's e-mail (no bot token, or Slack shares none), adding the user
// is not enough: the refusal asks for the link too, every time, not only
// "if your Slack e-mail differs", or the member asks for a user add, gets
// it, and is refused again with the same words.
func TestUnknownAccountSaysWhatLetsItIn(t *testing.T) {
	tests := []struct {
		name     string
		opts     []option
		email    string // what users.info gives for U_EVE; "" shares none
		want     string
		dontWant string
	}{
		{name: "no bot token", want: "and then cosellbot link slack U_EVE YOUR-EMAIL", dontWant: "if your Slack e-mail differs"},
		{name: "no e-mail shared", opts: []option{withBotToken}, want: "and then cosellbot link slack U_EVE YOUR-EMAIL", dontWant: "if your Slack e-mail differs"},
		{name: "e-mail no user has", opts: []option{withBotToken}, email: "eve@elsewhere.example", want: "if your Slack e-mail differs, they also run cosellbot link slack U_EVE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, storetest.OpenSQLite(t), tt.opts...)
			e.slack.Profiles["U_EVE"] = [3]string{"Eve", tt.email, ""}
			_, m := e.command("U_EVE", "deal list")
			if !strings.Contains(m.Text, "user add YOUR-EMAIL") || !strings.Contains(m.Text, tt.want) {
				t.Errorf("refusal %q, want it to say %q", m.Text, tt.want)
			}
			if tt.dontWant != "" && strings.Contains(m.Text, tt.dontWant) {
				t.Errorf("refusal %q says %q", m.Text, tt.dontWant)
			}
		})
	}
}

// A command slower than the deadline is acknowledged at once and its answer
// goes to the response_url, replacing the acknowledgement.
func TestLateAnswer(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		var hold chan struct{}
		e := newEnv(t, st, func(c *slack.Config, r *runner) {
			c.Deadline = 10 * time.Millisecond
			hold = make(chan struct{})
			r.hold = hold
		})
		_, m := e.command("U_ANA", "deal list")
		if !strings.Contains(m.Text, "Working on it") {
			t.Fatalf("ack: %q", m.Text)
		}
		close(hold)
		e.ad.Wait()
		got := e.slack.Took("/response/1")
		if len(got) != 1 {
			t.Fatalf("response_url posts: %+v", got)
		}
		if got[0].JSON["text"] != "No open deals." || got[0].JSON["replace_original"] != true {
			t.Errorf("late answer: %+v", got[0].JSON)
		}
	})
}

// blockAction is the block_actions payload Slack posts when a button or a
// select option is chosen.
func (e *env) blockAction(user string, c control) map[string]any {
	e.seq++
	act := map[string]any{"action_id": c.ActionID, "block_id": "cosell_actions_0", "type": "button", "value": c.Value, "action_ts": "1700000000.1"}
	if c.Select {
		act["type"] = "static_select"
		act["selected_option"] = map[string]any{"value": c.Value, "text": map[string]any{"type": "plain_text", "text": c.Label}}
		delete(act, "value")
	}
	return map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user}, "channel": map[string]any{"id": "C1"},
		"trigger_id": "trig.b" + strconv.Itoa(e.seq) + "." + url.QueryEscape(c.Value), "response_url": e.slack.Server.URL + "/response/b" + strconv.Itoa(e.seq),
		"actions": []any{act},
	}
}

// press chooses a control, waits for the answer and returns the new card.
func (e *env) press(user string, c control) []any {
	e.t.Helper()
	p := e.blockAction(user, c)
	if resp := e.interact(p); resp.StatusCode != 200 {
		e.t.Fatalf("press %q: status %d", c.Label, resp.StatusCode)
	}
	e.ad.Wait()
	u, _ := url.Parse(p["response_url"].(string))
	got := e.slack.Took(u.Path)
	if len(got) != 1 {
		e.t.Fatalf("press %q: %d answers on the response_url", c.Label, len(got))
	}
	// A click on a message in a channel answers the clicker alone, and never
	// replaces the message everyone sees.
	if got[0].JSON["response_type"] != "ephemeral" || got[0].JSON["replace_original"] == true {
		e.t.Fatalf("press %q: answered %v, replace_original %v; want ephemeral, not replacing", c.Label, got[0].JSON["response_type"], got[0].JSON["replace_original"])
	}
	blocks, _ := got[0].JSON["blocks"].([]any)
	return blocks
}

func find(t *testing.T, cs []control, label string) control {
	t.Helper()
	for _, c := range cs {
		if strings.HasPrefix(c.Label, label) {
			return c
		}
	}
	t.Fatalf("no control %q among %+v", label, cs)
	return control{}
}

// The whole flow by buttons: Accept on a received referral opens its form,
// prefilled from the referral and with the clicker on the team; submitted,
// the deal is accepted; then every stage and Won by buttons, each answer
// for the clicker alone.
func TestButtonFlow(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, withBotToken)
		e.receive()
		_, m := e.command("U_ANA", "deal show 1")
		view := e.openForm("U_ANA", find(t, controls(blocksOf(t, m)), "Accept"))
		values := inputValues(view)
		if values["name"] != "Fabrikam BI" || values["value"] != "60000 EUR" || values["close"] != "2031-03-01" ||
			values["notes"] != "BI for 12 plants" || values["team"] != "Ana Diaz <ana@partner.example> +46 70 123 45 67" {
			t.Fatalf("the Accept form opened with %v", values)
		}
		got := e.submitForm("U_ANA", view, values)
		if got.ResponseAction != slackapi.RAUpdate || !strings.Contains(mustJSON(t, got.View), "accepted") {
			t.Fatalf("Accept submitted: %s", mustJSON(t, got))
		}
		_, m = e.command("U_ANA", "deal show 1")
		card := blocksOf(t, m)
		for _, stage := range []string{"Qualified", "Developed", "Proposed", "Negotiated"} {
			next := find(t, controls(card), "Next stage: "+stage)
			card = e.press("U_ANA", next)
			if !strings.Contains(text(card), "moved to "+stage) {
				t.Fatalf("after Next stage %s:\n%s", stage, text(card))
			}
		}
		card = e.press("U_ANA", find(t, controls(card), "Won"))
		if !strings.Contains(text(card), "won at 60,000 EUR") {
			t.Fatalf("after Won:\n%s", text(card))
		}
		d, err := st.GetDeal(t.Context(), 1)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != "won" {
			t.Errorf("status %s, want won", d.Status)
		}
		var actions []string
		for _, h := range history(t, st) {
			actions = append(actions, h.Action)
		}
		if got := strings.Join(actions, " "); got != "received accepted stage stage stage stage won" {
			t.Errorf("history: %s", got)
		}
		// Pressing Won again is refused: nothing changes.
		if resp := e.interact(e.blockAction("U_ANA", control{ActionID: "cosell_run_1", Value: "deal won 1"})); resp.StatusCode != 200 {
			t.Fatalf("second Won: %d", resp.StatusCode)
		}
		e.ad.Wait()
		if h := history(t, st); len(h) != 7 {
			t.Errorf("a second Won changed the history: %d entries", len(h))
		}
		if p := e.slack.Problems(); len(p) > 0 {
			t.Errorf("Slack refused: %v", p)
		}
	})
}

// Decline opens a form asking why; without a reason the form shows the
// rule's message under the field and nothing changes; with one, the
// referral is declined.
func TestDeclineForm(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, withBotToken)
		e.receive()
		_, m := e.command("U_ANA", "deal show 1")
		view := e.openForm("U_ANA", find(t, controls(blocksOf(t, m)), "Decline"))
		got := e.submitForm("U_ANA", view, map[string]string{"reason": "", "notes": "later"})
		if got.ResponseAction != slackapi.RAErrors || got.Errors["reason"] == "" {
			t.Fatalf("decline without a reason: %s", mustJSON(t, got))
		}
		if h := history(t, st); len(h) != 1 {
			t.Fatalf("a refused form changed the deal: %+v", h)
		}
		got = e.submitForm("U_ANA", view, map[string]string{"reason": "no capacity", "notes": "R&D team busy"})
		if got.ResponseAction != slackapi.RAUpdate || !strings.Contains(mustJSON(t, got.View), "declined: no capacity") {
			t.Fatalf("decline: %s", mustJSON(t, got))
		}
		// An interaction replayed byte for byte is acknowledged and ignored.
		p := e.blockAction("U_ANA", control{ActionID: "cosell_run_0", Value: "deal fav 1"})
		raw, _ := json.Marshal(p)
		body := url.Values{"payload": {string(raw)}}.Encode()
		ts := time.Now()
		first := e.post("/slack/interactions", body, secret, ts, body)
		again := e.post("/slack/interactions", body, secret, ts, body)
		e.ad.Wait()
		if first.StatusCode != 200 || again.StatusCode != 200 {
			t.Errorf("replayed interaction: %d then %d, want 200 twice", first.StatusCode, again.StatusCode)
		}
		favs := 0
		for _, h := range history(t, st) {
			if h.Action == "favorite" {
				favs++
			}
		}
		if favs != 1 {
			t.Errorf("a replayed click ran %d times", favs)
		}
	})
}

// submissions numbers viewSubmission's trigger ids: Slack gives every
// interaction its own.
var submissions atomic.Int64

// viewSubmission is what Slack posts when the new deal modal is submitted.
func viewSubmission(user string, values map[string]string) map[string]any {
	state := map[string]any{}
	for k, v := range values {
		switch k {
		case "kind":
			state[k] = map[string]any{k: map[string]any{"type": "static_select", "selected_option": map[string]any{"value": v}}}
		case "close":
			state[k] = map[string]any{k: map[string]any{"type": "datepicker", "selected_date": v}}
		case "consent": // a checkbox: v is the ticked option's value
			state[k] = map[string]any{k: map[string]any{"type": "checkboxes", "selected_options": []any{map[string]any{"value": v}}}}
		default:
			state[k] = map[string]any{k: map[string]any{"type": "plain_text_input", "value": v}}
		}
	}
	return map[string]any{
		"type": "view_submission", "user": map[string]any{"id": user}, "trigger_id": "trig.v" + strconv.Itoa(int(submissions.Add(1))) + "." + values["name"],
		"view": map[string]any{"id": "V1", "callback_id": "cosell_deal_new", "private_metadata": "C1", "state": map[string]any{"values": state}},
	}
}

// The new deal modal: /cosell deal new opens it; a submission with bad
// fields gets errors under those fields and creates nothing; a good one
// creates the deal and shows it.
func TestNewDealModal(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, withBotToken)
		if code, _ := e.command("U_ANA", "deal new"); code != 200 {
			t.Fatalf("deal new: %d", code)
		}
		e.ad.Wait()
		opened := e.slack.Took("/api/views.open")
		if len(opened) != 1 {
			t.Fatalf("views.open calls: %d", len(opened))
		}
		if !strings.Contains(mustJSON(t, opened[0].JSON), `"block_id":"customer_location"`) {
			t.Errorf("the modal has no customer_location input: %s", mustJSON(t, opened[0].JSON))
		}

		good := map[string]string{
			"kind": "p2p", "name": "Contoso rollout", "customer": "Contoso", "customer_location": "FR", "location": "1234567",
			"value": "25000", "close": "2031-06-30", "notes": "Rollout with a partner",
			"team": "Ana Diaz <ana@partner.example> +33 1 23 45 67 89",
		}
		bad := map[string]string{}
		for k, v := range good {
			bad[k] = v
		}
		bad["value"], bad["close"], bad["team"] = "lots", "someday", "Ana <not-an-email> 12"
		var got slackapi.ViewSubmissionResponse
		decode(t, e.interact(viewSubmission("U_ANA", bad)), &got)
		if got.ResponseAction != slackapi.RAErrors {
			t.Fatalf("bad submission: %+v", got)
		}
		for _, k := range []string{"value", "close", "team"} {
			if got.Errors[k] == "" {
				t.Errorf("no error under %s: %+v", k, got.Errors)
			}
		}
		if deals, _ := st.ListDeals(t.Context(), ledger.DealFilter{}); len(deals) != 0 {
			t.Fatalf("a refused submission created %d deals", len(deals))
		}

		got = slackapi.ViewSubmissionResponse{}
		decode(t, e.interact(viewSubmission("U_ANA", good)), &got)
		if got.ResponseAction != slackapi.RAUpdate || !strings.Contains(mustJSON(t, got.View), "Created deal #1") {
			t.Fatalf("good submission: %s", mustJSON(t, got))
		}
		d, err := st.GetDeal(t.Context(), 1)
		if err != nil || d.Name != "Contoso rollout" || d.CloseDate.Format(time.DateOnly) != "2031-06-30" {
			t.Errorf("created deal: %+v, %v", d, err)
		}
	})
}

// The Events API: the URL check, the App Home, and Slack's retries of an
// event handled once.
func TestEvents(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, withBotToken)
		e.receive()
		check := `{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`
		var ch map[string]string
		decode(t, e.post("/slack/events", check, secret, time.Now(), check), &ch)
		if ch["challenge"] != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
			t.Errorf("challenge: %+v", ch)
		}
		home := `{"token":"x","team_id":"T1","api_app_id":"A1","type":"event_callback","event_id":"Ev123","event_time":1700000000,` +
			`"event":{"type":"app_home_opened","user":"U_ANA","channel":"D1","tab":"home","event_ts":"1700000000.1"}}`
		if code := e.post("/slack/events", home, secret, time.Now(), home).StatusCode; code != 200 {
			t.Fatalf("app_home_opened: %d", code)
		}
		// Slack's retry: same event, new timestamp and signature.
		retry := e.post("/slack/events", home, secret, time.Now().Add(time.Second), home)
		if retry.StatusCode != 200 {
			t.Errorf("retry: %d, want 200", retry.StatusCode)
		}
		e.ad.Wait()
		published := e.slack.Took("/api/views.publish")
		if len(published) != 1 {
			t.Fatalf("views.publish calls: %d, want 1", len(published))
		}
		view := mustJSON(t, published[0].JSON)
		for _, want := range []string{`"user_id":"U_ANA"`, "Your open deals", "Expiring within 7 days", "1 expiring deal", "Fabrikam BI", `"action_id":"cosell_newdeal"`} {
			if !strings.Contains(view, want) {
				t.Errorf("home view lacks %s: %s", want, view)
			}
		}
	})
}

// Without a signing secret the routes answer 503 and accept nothing.
func TestUnconfigured(t *testing.T) {
	if _, err := slack.New(slack.Config{}, nil, nil); err == nil {
		t.Error("an empty signing secret was accepted")
	}
	router := web.Router(nil, slog.New(slog.DiscardHandler))
	slack.Unavailable(router)
	for _, p := range []string{"/slack/commands", "/slack/interactions", "/slack/events"} {
		w := httptest.NewRecorder()
		router.ServeHTTP(w, httptest.NewRequest(http.MethodPost, p, strings.NewReader("text=deal+won+1")))
		if w.Code != http.StatusServiceUnavailable {
			t.Errorf("%s: %d, want 503", p, w.Code)
		}
	}
}

func decode(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// A click on the person's own ephemeral card replaces that card.
func TestClickOnOwnCardReplacesIt(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.receive()
		p := e.blockAction("U_ANA", control{ActionID: "cosell_run_0", Value: "deal fav 1"})
		p["container"] = map[string]any{"type": "message", "is_ephemeral": true}
		if resp := e.interact(p); resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		e.ad.Wait()
		u, _ := url.Parse(p["response_url"].(string))
		got := e.slack.Took(u.Path)
		if len(got) != 1 || got[0].JSON["replace_original"] != true || got[0].JSON["response_type"] != "ephemeral" {
			t.Fatalf("answers: %+v", got)
		}
	})
}

// A button opens no form its clicker cannot submit: an incentives-only
// user's Decline is refused at the click (on the response_url, naming the
// role), and no view is opened.
func TestFormRefusedAtTheClick(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newEnv(t, st, withBotToken)
	e.receive()
	_, m := e.command("U_ANA", "deal show 1")
	decline := find(t, controls(blocksOf(t, m)), "Decline")
	e.slack.Profiles["U_INC"] = [3]string{"Inc", "inc@partner.example", ""}
	inc := access.User{ID: "inc@partner.example", Roles: []access.Role{access.IncentivesUser}, Global: true}
	if err := st.PutUser(t.Context(), inc, ledger.Entry{At: e.clk.Now(), Actor: "admin@localhost", Action: "user added"}); err != nil {
		t.Fatal(err)
	}
	before := len(e.slack.Took("/api/views.open"))
	p := e.blockAction("U_INC", decline)
	if resp := e.interact(p); resp.StatusCode != 200 {
		t.Fatalf("click: status %d", resp.StatusCode)
	}
	e.ad.Wait()
	if n := len(e.slack.Took("/api/views.open")) - before; n != 0 {
		t.Errorf("the click opened %d forms, want none", n)
	}
	u, _ := url.Parse(p["response_url"].(string))
	got := e.slack.Took(u.Path)
	if len(got) != 1 || !strings.Contains(mustJSON(t, got[0].JSON), "has no referrals role") {
		t.Errorf("answer on the response_url: %v, want the refusal", got)
	}
}
