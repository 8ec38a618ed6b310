package panics_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/integrations/panics"
)

type buggy struct{}

func (buggy) Resolve(context.Context, string) (access.User, error)          { return access.User{}, nil }
func (buggy) ReadOnly(string) bool                                          { return false }
func (buggy) Permits(context.Context, access.User, string) *command.Reply   { return nil }
func (buggy) Confirm(context.Context, access.User, string) (string, string) { return "", "" }
func (buggy) Run(_ context.Context, _ access.User, _ chat.Place, line string) command.Reply {
	if line == "boom" {
		var d map[string]int
		d["x"] = 1
	}
	return command.Reply{Text: "ok " + line}
}

func TestGuard(t *testing.T) {
	var logs bytes.Buffer
	r := panics.Guard(buggy{}, slog.New(slog.NewTextHandler(&logs, nil)))
	if got := r.Run(t.Context(), access.User{ID: "ana"}, chat.Place{}, "fine"); got.Text != "ok fine" || !got.OK() {
		t.Errorf("a working command: %+v", got)
	}
	got := r.Run(t.Context(), access.User{ID: "ana"}, chat.Place{}, "boom")
	if got.OK() || got.Err.Code != "internal" || !strings.Contains(got.Text, "logged") {
		t.Errorf("a panicking command answered %+v", got)
	}
	for _, want := range []string{`msg="command panicked"`, "line=boom", "user=ana", "assignment to entry in nil map", "stack="} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %s:\n%s", want, logs.String())
		}
	}
}

func TestRecover(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	var wg sync.WaitGroup
	wg.Go(func() {
		defer panics.Recover(context.Background(), log, "late work")
		panic("in a goroutine")
	})
	wg.Wait() // reached: the process did not die
	if !strings.Contains(logs.String(), `msg="late work panicked"`) || !strings.Contains(logs.String(), "in a goroutine") {
		t.Errorf("log: %s", logs.String())
	}
}
