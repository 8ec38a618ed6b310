package chat

import "testing"

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
