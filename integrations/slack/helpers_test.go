package slack_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/clocktest"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/integrations/slack"
	"github.com/cosellbot/cosellbot/integrations/slack/slacktest"
	"github.com/cosellbot/cosellbot/integrations/web"
	"github.com/cosellbot/cosellbot/store"
)

const secret = "8f742231b10e8888abcd99yyyzzz85a5"

// env is a real router, a real store and a Slack adapter, served over HTTP.
type env struct {
	t     testing.TB
	st    *store.Store
	svc   *command.Service
	slack *slacktest.Fake
	ad    *slack.Adapter
	srv   *httptest.Server
	clk   *clocktest.Clock // stands still unless a test moves it; signatures use the wall clock, as Slack does
	seq   int
}

type option func(*slack.Config, *runner)

func withBotToken(c *slack.Config, _ *runner) { c.BotToken = "xoxb-test" }

// runner wraps the service so a test can hold a command back. An option
// may replace the service (withFAQ): svc makes one with more capabilities.
type runner struct {
	*command.Service
	hold chan struct{}
	svc  func(opts ...command.Option) *command.Service
}

func (r *runner) Run(ctx context.Context, who access.User, where chat.Place, line string) command.Reply {
	if r.hold != nil {
		<-r.hold
	}
	return r.Service.Run(ctx, who, where, line)
}

func newEnv(t testing.TB, st *store.Store, opts ...option) *env {
	t.Helper()
	clk := clocktest.New(time.Now().UTC().Truncate(time.Second))
	newSvc := func(opts ...command.Option) *command.Service {
		opts = append([]command.Option{command.WithAlerts(st, []string{slack.Platform}, remind.DefaultConfig().Before)}, opts...)
		return command.New(st, clk, deal.DefaultRates(), nil, opts...)
	}
	e := &env{t: t, st: st, slack: slacktest.New(t), clk: clk}
	cfg := slack.Config{SigningSecret: secret, APIURL: e.slack.APIURL(), Clock: clk, Log: slog.New(slog.DiscardHandler)}
	run := &runner{Service: newSvc(), svc: newSvc}
	for _, o := range opts {
		o(&cfg, run)
	}
	e.svc = run.Service
	ad, err := slack.New(cfg, run, st)
	if err != nil {
		t.Fatal(err)
	}
	e.ad = ad
	router := web.Router(st, slog.New(slog.DiscardHandler))
	ad.Routes(router)
	e.srv = httptest.NewServer(router)
	t.Cleanup(func() { e.srv.Close(); ad.Wait() })
	ctx := t.Context()
	admin := access.User{ID: "ana@partner.example", Roles: []access.Role{access.ReferralsAdmin}, Global: true}
	if err := st.PutUser(ctx, admin, ledger.Entry{At: clk.Now(), Actor: "admin@localhost", Action: "user added", Detail: admin.ID}); err != nil {
		t.Fatal(err)
	}
	e.slack.Profiles["U_ANA"] = [3]string{"Ana Diaz", admin.ID, "+46 70 123 45 67"}
	if err := st.LinkChatUser(ctx, slack.Platform, "U_ANA", admin.ID, ledger.Entry{At: clk.Now(), Actor: "admin@localhost", Action: "linked", Detail: "slack U_ANA"}); err != nil {
		t.Fatal(err)
	}
	return e
}

// sign sets the headers Slack sets: v0=HMAC-SHA256("v0:ts:body").
func sign(r *http.Request, key string, ts time.Time, body string) {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte("v0:" + stamp + ":" + body))
	r.Header.Set("X-Slack-Request-Timestamp", stamp)
	r.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}

// post sends a body signed over signedBody (the same unless tampering).
func (e *env) post(path, body, key string, ts time.Time, signedBody string) *http.Response {
	e.t.Helper()
	return e.postWith(path, body, key, ts, signedBody, nil)
}

// postWith is post with more headers (Slack's X-Slack-Retry-Num on a retry).
func (e *env) postWith(path, body, key string, ts time.Time, signedBody string, headers map[string]string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if strings.HasPrefix(body, "{") {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	sign(req, key, ts, signedBody)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// commandBody is a slash command form as Slack posts it.
func (e *env) commandBody(user, text string) string {
	e.seq++
	return url.Values{
		"token": {"legacy"}, "team_id": {"T1"}, "channel_id": {"C1"}, "user_id": {user}, "command": {"/cosell"},
		"text": {text}, "response_url": {e.slack.ResponseURL(strconv.Itoa(e.seq))},
		"trigger_id": {"trig." + strconv.Itoa(e.seq)},
	}.Encode()
}

// command posts a correctly signed slash command and decodes the answer.
func (e *env) command(user, text string) (int, slackapi.Msg) {
	e.t.Helper()
	body := e.commandBody(user, text)
	resp := e.post("/slack/commands", body, secret, time.Now(), body)
	var m slackapi.Msg
	if resp.StatusCode == http.StatusOK {
		raw, _ := io.ReadAll(resp.Body)
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &m); err != nil {
				e.t.Fatalf("answer %s: %v", raw, err)
			}
		}
	}
	return resp.StatusCode, m
}

// interact posts a signed interaction payload.
func (e *env) interact(payload any) *http.Response {
	e.t.Helper()
	raw, err := json.Marshal(payload)
	if err != nil {
		e.t.Fatal(err)
	}
	body := url.Values{"payload": {string(raw)}}.Encode()
	return e.post("/slack/interactions", body, secret, time.Now(), body)
}

// text joins the text of a message's sections, plain_text or mrkdwn.
func text(blocks []any) string {
	var b strings.Builder
	for _, bl := range blocks {
		m, _ := bl.(map[string]any)
		if m["type"] == "section" {
			t, _ := m["text"].(map[string]any)
			s, _ := t["text"].(string)
			b.WriteString(s + "\n")
		}
	}
	return b.String()
}

// control is a button or select option found in a message's blocks.
type control struct {
	ActionID, Label, Value string
	Select                 bool
}

// controls lists the buttons and select options of a message's blocks.
func controls(blocks []any) []control {
	var out []control
	for _, bl := range blocks {
		m, _ := bl.(map[string]any)
		if m["type"] != "actions" {
			continue
		}
		els, _ := m["elements"].([]any)
		for _, el := range els {
			em, _ := el.(map[string]any)
			id, _ := em["action_id"].(string)
			switch em["type"] {
			case "button":
				label, _ := em["text"].(map[string]any)["text"].(string)
				value, _ := em["value"].(string)
				out = append(out, control{ActionID: id, Label: label, Value: value})
			case "static_select":
				opts, _ := em["options"].([]any)
				for _, o := range opts {
					om, _ := o.(map[string]any)
					label, _ := om["text"].(map[string]any)["text"].(string)
					value, _ := om["value"].(string)
					out = append(out, control{ActionID: id, Label: label, Value: value, Select: true})
				}
			}
		}
	}
	return out
}

// blocksOf returns a message's blocks as generic JSON.
func blocksOf(t *testing.T, v any) []any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Blocks []any `json:"blocks"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m.Blocks
}

// openForm clicks a button that opens a form and returns the view Slack
// was asked to open.
func (e *env) openForm(user string, c control) map[string]any {
	e.t.Helper()
	before := len(e.slack.Took("/api/views.open"))
	if resp := e.interact(e.blockAction(user, c)); resp.StatusCode != 200 {
		e.t.Fatalf("click %q: status %d", c.Label, resp.StatusCode)
	}
	e.ad.Wait()
	opened := e.slack.Took("/api/views.open")
	if len(opened) != before+1 {
		e.t.Fatalf("click %q opened %d views", c.Label, len(opened)-before)
	}
	view, _ := opened[len(opened)-1].JSON["view"].(map[string]any)
	return view
}

// inputValues reads what a form opens with, by block id.
func inputValues(view map[string]any) map[string]string {
	out := map[string]string{}
	blocks, _ := view["blocks"].([]any)
	for _, b := range blocks {
		bm, _ := b.(map[string]any)
		el, _ := bm["element"].(map[string]any)
		id, _ := bm["block_id"].(string)
		if v, ok := el["initial_value"].(string); ok {
			out[id] = v
		}
		if v, ok := el["initial_date"].(string); ok {
			out[id] = v
		}
	}
	return out
}

// submitForm posts a view_submission of view with values, as Slack would
// (date pickers give selected_date), and decodes the answer.
func (e *env) submitForm(user string, view map[string]any, values map[string]string) slackapi.ViewSubmissionResponse {
	e.t.Helper()
	e.seq++
	resp := e.interact(map[string]any{
		"type": "view_submission", "user": map[string]any{"id": user}, "trigger_id": "trig.s" + strconv.Itoa(e.seq),
		"view": map[string]any{"id": "V1", "callback_id": view["callback_id"], "private_metadata": view["private_metadata"],
			"state": map[string]any{"values": formState(view, values)}},
	})
	var got slackapi.ViewSubmissionResponse
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		e.t.Fatalf("submit: status %d: %s", resp.StatusCode, raw)
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &got); err != nil {
			e.t.Fatalf("submit answer %s: %v", raw, err)
		}
	}
	return got
}

// formState is the state.values Slack sends with a submission of view
// filled with values (date pickers give selected_date).
func formState(view map[string]any, values map[string]string) map[string]any {
	state := map[string]any{}
	blocks, _ := view["blocks"].([]any)
	for _, b := range blocks {
		bm, _ := b.(map[string]any)
		el, _ := bm["element"].(map[string]any)
		id, _ := bm["block_id"].(string)
		v := values[id]
		switch el["type"] {
		case "datepicker":
			state[id] = map[string]any{id: map[string]any{"type": "datepicker", "selected_date": v}}
		default:
			state[id] = map[string]any{id: map[string]any{"type": "plain_text_input", "value": v}}
		}
	}
	return state
}
