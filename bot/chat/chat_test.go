package chat

import (
	"errors"
	"fmt"
	"testing"
)

func TestEditActionsGoToTheThreadOnly(t *testing.T) {
	buttons := []Action{{Label: "Accept", Command: "deal accept 1"}}
	m := Message{Thread: "C1:2", Actions: buttons, Edits: []Sent{{Ref: "C1:1"}, {Ref: "C1:2"}, {Ref: "C1:3"}}}
	for i, want := range []int{0, 1, 0} {
		if got := len(m.EditActions(i)); got != want {
			t.Errorf("edit %d (%s): %d buttons, want %d", i, m.Edits[i].Ref, got, want)
		}
	}
	m.Thread = "" // not known: the first message sent is the thread
	for i, want := range []int{1, 0, 0} {
		if got := len(m.EditActions(i)); got != want {
			t.Errorf("no thread, edit %d: %d buttons, want %d", i, got, want)
		}
	}
}

// A blocked failure is permanent, keeps its cause, and says its fix after
// it; a plain permanent one has none.
func TestBlockedSaysTheFix(t *testing.T) {
	cause := errors.New("invalid_auth")
	err := fmt.Errorf("slack chat.postMessage to C1: %w", Blocked(cause, "rotate the token"))
	if !IsPermanent(err) || !errors.Is(err, cause) {
		t.Errorf("%v: permanent %v, cause kept %v", err, IsPermanent(err), errors.Is(err, cause))
	}
	if fix, ok := FixOf(err); !ok || fix != "rotate the token" || err.Error() != "slack chat.postMessage to C1: invalid_auth: rotate the token" {
		t.Errorf("FixOf(%q) = %q, %v", err, fix, ok)
	}
	if fix, ok := FixOf(Permanent(cause)); ok || fix != "" || Permanent(cause).Error() != "invalid_auth" {
		t.Errorf("a permanent failure has a fix: %q", fix)
	}
}
