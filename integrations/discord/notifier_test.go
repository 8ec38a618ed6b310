package discord_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/integrations/discord"
	"github.com/cosellbot/cosellbot/store/storetest"
)

func TestNotifier(t *testing.T) {
	st := storetest.OpenSQLite(t)
	f := newFakeDiscord(t)
	n, err := discord.NewNotifier("bot-token", f.client(), st)
	if err != nil {
		t.Fatal(err)
	}
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
	posts := f.took(http.MethodPost, "/channels/C9/messages")
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
	if len(f.took(http.MethodPost, "/channels/C9/messages")) != 5 {
		t.Error("a deferred message reached Discord")
	}
}

func TestNotifierFailures(t *testing.T) {
	tests := []struct {
		status    int
		permanent bool
		after     time.Duration
	}{
		{http.StatusTooManyRequests, false, 2500 * time.Millisecond},
		{http.StatusNotFound, true, 0},
		{http.StatusForbidden, true, 0},
		{http.StatusInternalServerError, false, 0},
	}
	for _, tt := range tests {
		f := newFakeDiscord(t)
		f.status = tt.status
		n, err := discord.NewNotifier("bot-token", f.client(), storetest.OpenSQLite(t))
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
	}
}
