package slack_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/store/storetest"
)

// FuzzRequests posts correctly signed arbitrary bodies to each Slack
// route: whatever they hold, the adapter answers without panicking and
// never with a 5xx.
func FuzzRequests(f *testing.F) {
	e := newEnv(f, storetest.OpenSQLite(f), withBotToken)
	e.receive()
	f.Add(0, e.commandBody("U_ANA", "deal show 1 --share"))
	f.Add(0, e.commandBody("U_ANA", "deal new"))
	f.Add(1, url.Values{"payload": {`{"type":"block_actions","user":{"id":"U_ANA"},"actions":[{"action_id":"cosell_ask_1","selected_option":{"value":"deal fav 1"}}]}`}}.Encode())
	f.Add(1, url.Values{"payload": {`{"type":"view_submission","user":{"id":"U_ANA"},"view":{"callback_id":"cosell_deal_new","state":null}}`}}.Encode())
	f.Add(2, `{"type":"event_callback","event_id":"Ev1","event":{"type":"app_home_opened","user":"U_X","tab":"home"}}`)
	f.Add(2, `{"type":"url_verification","challenge":"c"}`)
	handler := e.srv.Config.Handler
	paths := []string{"/slack/commands", "/slack/interactions", "/slack/events"}
	f.Fuzz(func(t *testing.T, route int, body string) {
		if route < 0 {
			route = -route
		}
		req := httptest.NewRequest(http.MethodPost, paths[route%len(paths)], strings.NewReader(body))
		sign(req, secret, time.Now(), body)
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body)
		}
	})
}
