package discord_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/store/storetest"
)

// A signed /cosell whose text option has no value, a number or a boolean
// gets a clear refusal, never a panic.
func TestMalformedCommandOptionsAreRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.OpenSQLite(t), time.Minute)
	e.receive()
	data := func(opts ...any) map[string]any {
		return map[string]any{"id": "CMD", "name": "cosell", "type": 1, "options": opts}
	}
	tests := []struct {
		name string
		data map[string]any
		want string
	}{
		{"text without a value", data(map[string]any{"name": "text", "type": 3}), "must be text"},
		{"text as a number", data(map[string]any{"name": "text", "type": 3, "value": 42}), "not a number"},
		{"text typed integer", data(map[string]any{"name": "text", "type": 4, "value": 42}), "must be text"},
		{"text as a boolean", data(map[string]any{"name": "text", "type": 3, "value": true}), "must be text"},
	}
	for _, tt := range tests {
		m := e.answer(e.interaction(2, "111", tt.data))
		raw, _ := json.Marshal(m)
		if !strings.Contains(string(raw), tt.want) {
			t.Errorf("%s: answered %s, want %q", tt.name, raw, tt.want)
		}
	}
	// No text option at all is the empty line, as a bare /cosell in Slack;
	// a subcommand carrying the text still works.
	for name, d := range map[string]map[string]any{"no options": data(), "null data": nil, "another option": data(map[string]any{"name": "share", "type": 5, "value": true})} {
		if raw, _ := json.Marshal(e.answer(e.interaction(2, "111", d))); strings.Contains(string(raw), "text option") {
			t.Errorf("%s: refused: %s", name, raw)
		}
	}
	sub := data(map[string]any{"name": "run", "type": 1, "options": []any{map[string]any{"name": "text", "type": 3, "value": "help"}}})
	if raw, _ := json.Marshal(e.answer(e.interaction(2, "111", sub))); strings.Contains(string(raw), "text option") {
		t.Errorf("a subcommand's text was not found: %s", raw)
	}
}
