package discord_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/store/storetest"
)

// FuzzInteractions posts correctly signed arbitrary bodies: whatever they
// hold, the endpoint answers without panicking and never with a 5xx.
func FuzzInteractions(f *testing.F) {
	e := newEnv(f, storetest.OpenSQLite(f), time.Minute)
	e.receive()
	f.Add(e.slash("111", "deal show 1"))
	f.Add(e.click("111", "ask:reason:deal decline 1"))
	f.Add(e.interaction(5, "111", map[string]any{"custom_id": "ask:reason:deal lost 1", "components": []any{}}))
	f.Add(e.interaction(3, "111", map[string]any{"custom_id": "ref:nope"}))
	f.Add([]byte(`{"type":2,"id":"x","data":null}`))
	f.Add([]byte(`{"type":1}`))
	handler := e.srv.Config.Handler
	f.Fuzz(func(t *testing.T, body []byte) {
		stamp := strconv.FormatInt(time.Now().Unix(), 10)
		req := httptest.NewRequest(http.MethodPost, "/discord/interactions", bytes.NewReader(body))
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(e.key, append([]byte(stamp), body...))))
		req.Header.Set("X-Signature-Timestamp", stamp)
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body)
		}
	})
}
