package notify_test

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/integrations/notify"
)

func TestMuxRoutesByPlatform(t *testing.T) {
	var buf bytes.Buffer
	logN := notify.NewLog(slog.New(slog.NewTextHandler(&buf, nil)))
	m := notify.NewMux()
	m.Handle("shell", logN)
	m.Handle("log", logN)
	if got := m.Platforms(); !slices.Equal(got, []string{"log", "shell"}) {
		t.Errorf("Platforms() = %v", got)
	}
	msg := chat.Message{To: chat.Place{Platform: "shell", Channel: "local"}, Subject: "deal:1", Text: "hello",
		Actions: []chat.Action{{Label: "Accept", Command: "deal accept 1"}}}
	ref1, err := m.Send(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	ref2, _ := m.Send(context.Background(), msg)
	if ref1 == "" || ref1 == ref2 {
		t.Errorf("refs %q and %q: want distinct references", ref1, ref2)
	}
	for _, w := range []string{"to=shell:local", "subject=deal:1", "text=hello", "Accept: deal accept 1"} {
		if !strings.Contains(buf.String(), w) {
			t.Errorf("log %q lacks %q", buf.String(), w)
		}
	}
	_, err = m.Send(context.Background(), chat.Message{To: chat.Place{Platform: "teams", Channel: "x"}})
	if err == nil || !chat.IsPermanent(err) || !strings.Contains(err.Error(), `"teams"`) {
		t.Errorf("send to an unknown platform: %v, want a permanent error naming it", err)
	}
}
