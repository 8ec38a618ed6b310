package discord_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/integrations/discord"
	"github.com/cosellbot/cosellbot/integrations/discord/discordtest"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// newNotifier is a notifier on a fake Discord and an SQLite store.
func newNotifier(t *testing.T) (*discord.Notifier, *discordtest.Fake) {
	t.Helper()
	f := discordtest.New(t)
	n, err := discord.NewNotifier(discord.NotifierConfig{BotToken: "bot-token", APIURL: f.APIURL(), Version: "test", Keep: storetest.OpenSQLite(t)})
	if err != nil {
		t.Fatal(err)
	}
	return n, f
}

func TestNotifier(t *testing.T) {
	n, f := newNotifier(t)
	msg := chat.Message{To: chat.Place{Platform: "discord", Channel: "C9"}, Subject: "deal:1", Text: "Deal #1 expires in 3 days",
		Actions: []chat.Action{{Label: "Accept", Command: "deal accept 1", Style: "primary"}}}
	ref, err := n.Send(t.Context(), msg)
	if err != nil || ref == "" {
		t.Fatalf("first: %q, %v", ref, err)
	}
	msg.Thread = ref
	if _, err := n.Send(t.Context(), msg); err != nil {
		t.Fatal(err)
	}
	posts := f.Took(http.MethodPost, "/channels/C9/messages")
	if len(posts) != 2 {
		t.Fatalf("%d posts", len(posts))
	}
	if posts[0].Body["message_reference"] != nil {
		t.Errorf("the first message replies to something: %+v", posts[0].Body)
	}
	reference, _ := posts[1].Body["message_reference"].(map[string]any)
	if reference["message_id"] != ref {
		t.Errorf("the second message does not reply to the first: %+v", posts[1].Body)
	}
	if mentions, _ := posts[0].Body["allowed_mentions"].(map[string]any); mentions == nil {
		t.Errorf("mentions are not disabled: %+v", posts[0].Body)
	}
	for range 3 {
		if _, err := n.Send(t.Context(), msg); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := n.Send(t.Context(), msg); err == nil {
		t.Error("a sixth message in a row was not deferred")
	} else if d, ok := chat.RetryAfterOf(err); !ok || d <= 0 {
		t.Errorf("over the channel rate: %v", err)
	}
	if len(f.Took(http.MethodPost, "/channels/C9/messages")) != 5 {
		t.Error("a deferred message reached Discord")
	}
}

func TestNotifierFailures(t *testing.T) {
	// fix is what the operator is told to do, when they can end the
	// refusal (a token, the bot's access to the channel).
	tests := []struct {
		status, code int
		permanent    bool
		after        time.Duration
		fix          string
	}{
		{http.StatusTooManyRequests, 0, false, 2500 * time.Millisecond, ""},
		{http.StatusNotFound, discordgo.ErrCodeUnknownChannel, true, 0, "channel C1 is unknown to the bot"},
		{http.StatusForbidden, discordgo.ErrCodeMissingAccess, true, 0, "give its role View Channel and Send Messages"},
		{http.StatusForbidden, discordgo.ErrCodeMissingPermissions, true, 0, "give its role Send Messages"},
		{http.StatusUnauthorized, 0, true, 0, "set DISCORD_BOT_TOKEN"},
		{http.StatusForbidden, discordgo.ErrCodeCannotSendMessagesToThisUser, true, 0, ""},
		{http.StatusInternalServerError, 0, false, 0, ""},
	}
	for _, tt := range tests {
		f := discordtest.New(t)
		f.Status, f.Code = tt.status, tt.code
		n, err := discord.NewNotifier(discord.NotifierConfig{BotToken: "bot-token", APIURL: f.APIURL(), Version: "test", Keep: storetest.OpenSQLite(t)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = n.Send(t.Context(), chat.Message{To: chat.Place{Platform: "discord", Channel: "C1"}, Text: "hi"})
		if err == nil {
			t.Fatalf("%d: no error", tt.status)
		}
		if chat.IsPermanent(err) != tt.permanent {
			t.Errorf("%d: permanent = %v, want %v (%v)", tt.status, chat.IsPermanent(err), tt.permanent, err)
		}
		if d, _ := chat.RetryAfterOf(err); d != tt.after {
			t.Errorf("%d: retry after %s, want %s", tt.status, d, tt.after)
		}
		fix, ok := chat.FixOf(err)
		if ok != (tt.fix != "") || !strings.Contains(fix, tt.fix) || (ok && !strings.HasSuffix(err.Error(), fix)) {
			t.Errorf("%d/%d: fix %q (%v) in %q, want one saying %q", tt.status, tt.code, fix, ok, err, tt.fix)
		}
	}
}

// A state notice edits the messages sent about its subject in place
// (PATCH): each keeps its text with the new state line, the first takes
// the new buttons, the others lose theirs; nothing new is posted, the
// User-Agent is Discord's documented one, and a deleted message is skipped.
func TestNotifierState(t *testing.T) {
	f := discordtest.New(t)
	at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	n, err := discord.NewNotifier(discord.NotifierConfig{BotToken: "bot-token", APIURL: f.APIURL(), Version: "1.2.3", Keep: storetest.OpenSQLite(t),
		Now: func() time.Time { at = at.Add(time.Minute); return at }})
	if err != nil {
		t.Fatal(err)
	}
	to := chat.Place{Platform: "discord", Channel: "C9"}
	accept := []chat.Action{{Label: "Accept", Command: "deal accept 1"}}
	first, _ := n.Send(t.Context(), chat.Message{To: to, Subject: "deal:1", Text: "Referral #1 expires in 7 days", Actions: accept})
	second, _ := n.Send(t.Context(), chat.Message{To: to, Subject: "deal:1", Thread: first, Text: "Referral #1 expires in 3 days", Actions: accept})
	ref, err := n.Send(t.Context(), chat.Message{To: to, Subject: "deal:1", Thread: first, State: true, Text: "➜ Accepted — by ana@x",
		Actions: []chat.Action{{Label: "Show", Command: "deal show 1"}},
		Edits:   []chat.Sent{{Ref: first, Text: "Referral #1 expires in 7 days"}, {Ref: second, Text: "Referral #1 expires in 3 days"}, {Ref: "M404", Text: "gone"}}})
	if err != nil || ref != first {
		t.Fatalf("state: %q, %v", ref, err)
	}
	msgs := f.Messages("C9")
	if len(msgs) != 2 {
		t.Fatalf("%d messages: a state notice posted", len(msgs))
	}
	for i, m := range msgs {
		raw, _ := json.Marshal(m.Body)
		if m.Edits != 1 || !strings.Contains(string(raw), "expires in") || !strings.Contains(string(raw), "Accepted — by ana@x") {
			t.Errorf("message %d: %s", i, raw)
		}
		if strings.Contains(string(raw), "deal accept 1") || strings.Contains(string(raw), "deal show 1") != (i == 0) {
			t.Errorf("message %d buttons: %s", i, raw)
		}
	}
	for _, c := range f.Calls() {
		if c.UserAgent != "DiscordBot (https://github.com/cosellbot/cosellbot, 1.2.3)" {
			t.Errorf("User-Agent %q", c.UserAgent)
		}
	}
	if p := f.Problems(); len(p) > 0 {
		t.Errorf("Discord refused: %v", p)
	}
}

// TestNotifierDirectMessage: a DM place (access.DiscordDM) is posted to
// the channel id after the mark.
func TestNotifierDirectMessage(t *testing.T) {
	n, f := newNotifier(t)
	to := chat.Place{Platform: "discord", Channel: access.DiscordDM + "D77"}
	if _, err := n.Send(t.Context(), chat.Message{To: to, Subject: "deal:1", Text: "Deal #1 expires in 3 days"}); err != nil {
		t.Fatal(err)
	}
	if posts := f.Took(http.MethodPost, "/channels/D77/messages"); len(posts) != 1 {
		t.Fatalf("%d posts to D77; calls: %+v", len(posts), f.Calls())
	}
}
