package slack_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/clocktest"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/logcapture"
	"github.com/cosellbot/cosellbot/integrations/slack"
	"github.com/cosellbot/cosellbot/integrations/web"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// An unsigned request with a 900 KB timestamp is refused with a short
// answer and a short log line: strconv quotes a bad number whole, and that
// quote must not reach the log.
func TestRefusalEchoIsBounded(t *testing.T) {
	st := storetest.OpenSQLite(t)
	clk := clocktest.New(time.Now().UTC().Truncate(time.Second))
	logs := &logcapture.Buffer{}
	ad, err := slack.New(slack.Config{SigningSecret: secret, Clock: clk, Log: slog.New(slog.NewTextHandler(logs, nil))},
		command.New(st, clk, deal.DefaultRates(), nil), st)
	if err != nil {
		t.Fatal(err)
	}
	router := web.Router(st, slog.New(slog.DiscardHandler))
	ad.Routes(router)
	srv := httptest.NewServer(router)
	defer srv.Close()
	defer ad.Wait()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/slack/commands", strings.NewReader("text=deal+list"))
	req.Header.Set("X-Slack-Request-Timestamp", strings.Repeat("7", 900_000))
	req.Header.Set("X-Slack-Signature", "v0="+strings.Repeat("0", 64)) // well formed, so the timestamp is parsed
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || len(body) > 1024 {
		t.Errorf("answered %d with %d bytes", resp.StatusCode, len(body))
	}
	if n := logs.Len(); n == 0 || n > 2048 {
		t.Errorf("logged %d bytes for one refused request", n)
	}
}
