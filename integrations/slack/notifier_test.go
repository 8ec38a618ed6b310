package slack_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/integrations/slack"
	"github.com/cosellbot/cosellbot/integrations/slack/slacktest"
	"github.com/cosellbot/cosellbot/integrations/web"
)

func TestNotifier(t *testing.T) {
	f := slacktest.New(t)
	n, err := slack.NewNotifier("xoxb-test", f.APIURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	msg := chat.Message{To: chat.Place{Platform: "slack", Channel: "C9"}, Subject: "deal:1", Text: "Deal #1 expires in 3 days",
		Actions: []chat.Action{{Label: "Accept", Command: "deal accept 1", Style: "primary"}}}
	ref, err := n.Send(t.Context(), msg)
	if err != nil || ref != "C9:1700000000.000001" {
		t.Fatalf("first message: %q, %v", ref, err)
	}
	msg.Thread = ref
	if _, err := n.Send(t.Context(), msg); err != nil {
		t.Fatal(err)
	}
	posts := f.Took("/api/chat.postMessage")
	if len(posts) != 2 {
		t.Fatalf("%d posts", len(posts))
	}
	if posts[0].Form.Get("thread_ts") != "" || posts[1].Form.Get("thread_ts") != "1700000000.000001" {
		t.Errorf("thread_ts: %q then %q", posts[0].Form.Get("thread_ts"), posts[1].Form.Get("thread_ts"))
	}
	if posts[0].Form.Get("channel") != "C9" || posts[0].Form.Get("text") != "Deal #1 expires in 3 days" || posts[0].Form.Get("blocks") == "" {
		t.Errorf("post: %v", posts[0].Form)
	}
	// The channel's burst is used up: the next send is deferred without a call.
	if _, err := n.Send(t.Context(), msg); err != nil {
		t.Fatal(err)
	}
	_, err = n.Send(t.Context(), msg)
	if d, ok := chat.RetryAfterOf(err); !ok || d <= 0 {
		t.Errorf("over the channel rate: %v, want RetryAfter", err)
	}
	if len(f.Took("/api/chat.postMessage")) != 3 {
		t.Error("a deferred message reached Slack")
	}
	if _, err := n.Send(t.Context(), chat.Message{To: chat.Place{Platform: "discord", Channel: "1"}}); !chat.IsPermanent(err) {
		t.Errorf("another platform: %v, want permanent", err)
	}
}

// Each failure Slack can answer is classified: retry, retry after, or give up.
// refuse answers as Slack does a call it refuses: 200, ok false, a code.
func refuse(code string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		web.WriteJSON(w, 200, map[string]any{"ok": false, "error": code})
	}
}

func TestNotifierFailures(t *testing.T) {
	tests := []struct {
		name      string
		serve     http.HandlerFunc
		permanent bool
		after     time.Duration
		fix       string // what the operator is told to do, when they can end it
	}{
		{"429 with Retry-After", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
		}, false, 30 * time.Second, ""},
		{"unknown channel", refuse("channel_not_found"), true, 0, "invite the bot there (/invite @cosellbot)"},
		{"not in channel", refuse("not_in_channel"), true, 0, "the bot is not a member of channel C1: invite it"},
		{"revoked token", refuse("token_revoked"), true, 0, "into SLACK_BOT_TOKEN"},
		{"rotated token", refuse("invalid_auth"), true, 0, "into SLACK_BOT_TOKEN"},
		{"inactive account", refuse("account_inactive"), true, 0, "into SLACK_BOT_TOKEN"},
		{"a rejected message", refuse("msg_too_long"), true, 0, ""},
		{"slack's own error", refuse("internal_error"), false, 0, ""},
		{"503", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }, false, 0, ""},
		{"403", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) }, true, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.serve)
			defer srv.Close()
			n, err := slack.NewNotifier("xoxb-test", srv.URL+"/api/", nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = n.Send(t.Context(), chat.Message{To: chat.Place{Platform: "slack", Channel: "C1"}, Text: "hi"})
			if err == nil {
				t.Fatal("no error")
			}
			if chat.IsPermanent(err) != tt.permanent {
				t.Errorf("permanent = %v, want %v (%v)", chat.IsPermanent(err), tt.permanent, err)
			}
			if d, _ := chat.RetryAfterOf(err); d != tt.after {
				t.Errorf("retry after %s, want %s", d, tt.after)
			}
			if errors.Unwrap(err) == nil && tt.permanent {
				t.Errorf("the cause is lost: %v", err)
			}
			fix, ok := chat.FixOf(err)
			if ok != (tt.fix != "") || !strings.Contains(fix, tt.fix) || (ok && !strings.HasSuffix(err.Error(), fix)) {
				t.Errorf("fix %q (%v) in %q, want one saying %q", fix, ok, err, tt.fix)
			}
		})
	}
}

// A state notice rewrites the messages sent about its subject: each keeps
// its text with the new state line, the first takes the new buttons, the
// others lose theirs; nothing new is posted.
func TestNotifierState(t *testing.T) {
	f := slacktest.New(t)
	n, err := slack.NewNotifier("xoxb-test", f.APIURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	n.WithClock(func() time.Time { at = at.Add(time.Minute); return at }) // never over the channel's rate
	to := chat.Place{Platform: "slack", Channel: "C9"}
	accept := []chat.Action{{Label: "Accept", Command: "deal accept 1"}}
	first, _ := n.Send(t.Context(), chat.Message{To: to, Subject: "deal:1", Text: "Referral #1 expires in 7 days", Actions: accept})
	second, _ := n.Send(t.Context(), chat.Message{To: to, Subject: "deal:1", Thread: first, Text: "Referral #1 expires in 3 days", Actions: accept})
	ref, err := n.Send(t.Context(), chat.Message{To: to, Subject: "deal:1", Thread: first, State: true, Text: "➜ Accepted — by ana@x",
		Actions: []chat.Action{{Label: "Show", Command: "deal show 1"}},
		Edits:   []chat.Sent{{Ref: first, Text: "Referral #1 expires in 7 days"}, {Ref: second, Text: "Referral #1 expires in 3 days"}}})
	if err != nil || ref != first {
		t.Fatalf("state: %q, %v", ref, err)
	}
	msgs := f.Messages("C9")
	if len(msgs) != 2 || len(f.Took("/api/chat.postMessage")) != 2 {
		t.Fatalf("%d messages, %d posts: a state notice posted", len(msgs), len(f.Took("/api/chat.postMessage")))
	}
	for i, m := range msgs {
		if m.Updates != 1 || !strings.Contains(m.Text, "expires in") || !strings.Contains(m.Text, "➜ Accepted — by ana@x") {
			t.Errorf("message %d: %+v", i, m)
		}
		raw, _ := json.Marshal(m.Blocks)
		hasAccept, hasShow := strings.Contains(string(raw), "deal accept 1"), strings.Contains(string(raw), "deal show 1")
		if hasAccept || hasShow != (i == 0) {
			t.Errorf("message %d buttons: %s", i, raw)
		}
	}
	if p := f.Problems(); len(p) > 0 {
		t.Errorf("Slack refused: %v", p)
	}
	// Nothing sent about a subject: nothing to update, and no call.
	if ref, err := n.Send(t.Context(), chat.Message{To: to, Subject: "deal:2", State: true, Text: "x"}); ref != "" || err != nil {
		t.Errorf("state without messages: %q %v", ref, err)
	}
}
