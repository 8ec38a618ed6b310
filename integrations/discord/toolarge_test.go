package discord_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/cosellbot/cosellbot/store/storetest"
)

// A correctly signed interaction over 1 MiB is refused as too large, not
// as badly signed (the signature was checked over the part read).
func TestSignedButTooLargeIs413(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t), 0)
	body := append([]byte(`{"type":1,"pad":"`), bytes.Repeat([]byte("x"), 1<<20+10)...)
	body = append(body, `"}`...)
	if resp := e.post(e.key, e.clk.Now(), body, body); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("answered %d, want 413", resp.StatusCode)
	}
}
