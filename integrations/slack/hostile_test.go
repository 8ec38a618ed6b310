package slack_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/clocktest"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/logcapture"
	"github.com/cosellbot/cosellbot/integrations/slack"
	"github.com/cosellbot/cosellbot/integrations/slack/slacktest"
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

// A correctly signed request over 1 MiB is refused as too large, not as
// badly signed (the signature was checked over the part read).
func TestSignedButTooLargeIs413(t *testing.T) {
	st := storetest.OpenSQLite(t)
	clk := clocktest.New(time.Now().UTC().Truncate(time.Second))
	ad, err := slack.New(slack.Config{SigningSecret: secret, Clock: clk}, command.New(st, clk, deal.DefaultRates(), nil), st)
	if err != nil {
		t.Fatal(err)
	}
	router := web.Router(st, slog.New(slog.DiscardHandler))
	ad.Routes(router)
	srv := httptest.NewServer(router)
	defer srv.Close()
	defer ad.Wait()
	body := "text=" + strings.Repeat("x", 1<<20+10)
	for _, path := range []string{"/slack/commands", "/slack/interactions"} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
		sign(req, secret, clk.Now(), body)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("%s answered %d, want 413", path, resp.StatusCode)
		}
	}
}

// The fallback text, which push and desktop notifications show, is escaped
// exactly as the blocks are: a bidi override or a terminal escape in a
// customer's name is shown as \u202e or \x1b, never obeyed, and Slack's
// own markup (<!channel>, <@U1>) stays text.
func TestFallbackEscapedAsBlocks(t *testing.T) {
	for _, tt := range []struct{ name, text, want string }{
		{"bidi override", "⏰ Referral #13 for Evil\u202eRLO Co", `⏰ Referral #13 for Evil\u202eRLO Co`},
		{"terminal escape", "Notes: \x1b[2J\x1b[31mred", `Notes: \x1b[2J\x1b[31mred`},
		{"isolate and zero-width", "a\u2066b\u200bc", `a\u2066b\u200bc`},
		{"invalid UTF-8", "bad \xff byte", `bad \xff byte`},
		{"NUL and DEL", "a\x00b\x7fc", `a\x00b\x7fc`},
		{"newlines and tabs kept", "line 1\n\tline 2", "line 1\n\tline 2"},
		{"Slack markup is text", "ask <@U123> & <!channel>", "ask &lt;@U123&gt; &amp; &lt;!channel&gt;"},
		{"ordinary text unchanged", "Deal #1 Fabrikam · Åsa 😀", "Deal #1 Fabrikam · Åsa 😀"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := slack.Fallback(tt.text); got != tt.want {
				t.Errorf("Fallback(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

// rawHostile reports what a message's text must never carry raw.
func rawHostile(s string) bool { return strings.ContainsAny(s, "\u202e\x1b") }

// A notification posted to a channel and a command's answer carry their
// fallback text escaped, as their blocks are.
func TestFallbackEscapedAtTheWire(t *testing.T) {
	hostile := "Evil\u202eRLO \x1b[2J Co"
	t.Run("chat.postMessage", func(t *testing.T) {
		f := slacktest.New(t)
		n, err := slack.NewNotifier("xoxb-test", f.APIURL(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.Send(t.Context(), chat.Message{To: chat.Place{Platform: "slack", Channel: "C9"}, Text: "⏰ Referral #13 for " + hostile}); err != nil {
			t.Fatal(err)
		}
		posts := f.Took("/api/chat.postMessage")
		if len(posts) != 1 {
			t.Fatalf("%d posts", len(posts))
		}
		text, blocks := posts[0].Form.Get("text"), posts[0].Form.Get("blocks")
		if rawHostile(text) || !strings.Contains(text, `Evil\u202eRLO \x1b[2J Co`) {
			t.Errorf("text: %q", text)
		}
		if !strings.Contains(blocks, `Evil\\u202eRLO \\x1b[2J Co`) {
			t.Errorf("blocks: %s", blocks)
		}
	})
	t.Run("slash command answer", func(t *testing.T) {
		e := newEnv(t, storetest.OpenSQLite(t))
		if _, m := e.command("U_ANA", `deal receive kind=ip customer="`+hostile+`" customer_location=SE account=managed location=1234567 from=microsoft notes=n`); strings.HasPrefix(m.Text, "✗") {
			t.Fatalf("receive: %s", m.Text)
		}
		// A name is stored on one line (the ESC is a space now); the bidi
		// override stays, shown escaped.
		_, m := e.command("U_ANA", "deal show 1 --share")
		if rawHostile(m.Text) || !strings.Contains(m.Text, `Evil\u202eRLO [2J Co`) {
			t.Errorf("text: %q", m.Text)
		}
		raw, _ := json.Marshal(m.Blocks)
		if rawHostile(string(raw)) || !strings.Contains(string(raw), `Evil\\u202eRLO [2J Co`) {
			t.Errorf("blocks: %s", raw)
		}
	})
}
