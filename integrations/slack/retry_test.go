package slack_test

import (
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// Slack delivers an interaction again when it did not hear back in time: the
// same payload (the same trigger_id), a new timestamp and signature, and
// X-Slack-Retry-Num. A tester's retried Decline button opened its form twice
// (the second views.open failing on the trigger already exchanged, with an
// error for the clicker), and a retried submission or click acted twice.
// Every delivery after the first of one interaction is acknowledged and does
// nothing: no form, no command, no second answer.
func TestSlackRetriesAreNoOps(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, withBotToken)
		e.receive()
		_, m := e.command("U_ANA", "deal show 1")
		cs := controls(blocksOf(t, m))
		// twice delivers a body as Slack does, then as its retry.
		twice := func(path, body string) (retried string) {
			t.Helper()
			first := e.post(path, body, secret, time.Now().Add(-2*time.Second), body)
			again := e.postWith(path, body, secret, time.Now(), body, map[string]string{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
			e.ad.Wait()
			if first.StatusCode != 200 || again.StatusCode != 200 {
				t.Errorf("%s delivered and retried: %d then %d, want 200 twice", path, first.StatusCode, again.StatusCode)
			}
			raw, _ := io.ReadAll(again.Body)
			return string(raw)
		}
		interaction := func(p map[string]any) string {
			raw, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			return url.Values{"payload": {string(raw)}}.Encode()
		}
		// answered counts what was posted on a response_url: the clicker's answers.
		answered := func(responseURL string) int {
			u, err := url.Parse(responseURL)
			if err != nil {
				t.Fatal(err)
			}
			return len(e.slack.Took(u.Path))
		}

		tests := []struct {
			name    string
			path    string
			body    func() (body, responseURL string)
			forms   int // views.open calls it makes
			answers int // messages on its response_url
		}{
			{"a button that opens a form (Decline)", "/slack/interactions", func() (string, string) {
				p := e.blockAction("U_ANA", find(t, cs, "Decline"))
				return interaction(p), p["response_url"].(string)
			}, 1, 0},
			{"the form submitted", "/slack/interactions", func() (string, string) {
				opened := e.slack.Took("/api/views.open")
				view, _ := opened[len(opened)-1].JSON["view"].(map[string]any)
				return interaction(map[string]any{
					"type": "view_submission", "user": map[string]any{"id": "U_ANA"}, "trigger_id": "1700000001.42.decline",
					"view": map[string]any{"id": "V1", "callback_id": view["callback_id"], "private_metadata": view["private_metadata"],
						"state": map[string]any{"values": formState(view, map[string]string{"reason": "no capacity", "notes": "busy"})}},
				}), ""
			}, 0, 0},
			{"a button that runs a command (Favorite)", "/slack/interactions", func() (string, string) {
				p := e.blockAction("U_ANA", control{ActionID: "cosell_run_0", Value: "deal fav 1"})
				return interaction(p), p["response_url"].(string)
			}, 0, 1},
			{"the New deal button", "/slack/interactions", func() (string, string) {
				return interaction(map[string]any{
					"type": "block_actions", "user": map[string]any{"id": "U_ANA"}, "channel": map[string]any{"id": "C1"},
					"trigger_id": "1700000001.42.newdeal", "response_url": e.slack.ResponseURL("newdeal"),
					"actions": []any{map[string]any{"action_id": "cosell_newdeal", "block_id": "home", "type": "button", "value": "new"}},
				}), e.slack.ResponseURL("newdeal")
			}, 1, 0},
			{"/cosell deal new", "/slack/commands", func() (string, string) {
				body := e.commandBody("U_ANA", "deal new")
				form, _ := url.ParseQuery(body)
				return body, form.Get("response_url")
			}, 1, 0},
		}
		for _, tc := range tests {
			before := len(e.slack.Took("/api/views.open"))
			body, responseURL := tc.body()
			if retried := twice(tc.path, body); tc.path == "/slack/interactions" && retried != "" {
				// An empty 200 is Slack's "nothing to add": no second
				// message, and a submission's form closes as the first left it.
				t.Errorf("%s: the retry was answered %s, want an empty 200", tc.name, retried)
			}
			if n := len(e.slack.Took("/api/views.open")) - before; n != tc.forms {
				t.Errorf("%s, delivered and retried: %d forms opened, want %d", tc.name, n, tc.forms)
			}
			if responseURL != "" {
				if n := answered(responseURL); n != tc.answers {
					t.Errorf("%s, delivered and retried: %d answers to the clicker, want %d", tc.name, n, tc.answers)
				}
			}
		}
		var actions []string
		for _, h := range history(t, st) {
			actions = append(actions, h.Action)
		}
		if got := strings.Join(actions, " "); got != "received declined favorite" {
			t.Errorf("history after retried deliveries: %s, want received declined favorite", got)
		}
		if p := e.slack.Problems(); len(p) > 0 {
			t.Errorf("Slack refused: %v", p)
		}
	})
}
