package partnercenter

import (
	"fmt"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	pc "github.com/cosellbot/cosellbot/integrations/partnercenter"
)

// A write Partner Center throttled is retried no sooner than it asked.
func TestWriteHonoursRetryAfter(t *testing.T) {
	err := honour(fmt.Errorf("writing referral r1: %w", &pc.APIError{Status: 429, RetryAfter: 2 * time.Second}))
	if d, ok := chat.RetryAfterOf(err); !ok || d != 2*time.Second {
		t.Errorf("RetryAfterOf = %s, %v; want 2s", d, ok)
	}
	if _, ok := chat.RetryAfterOf(honour(fmt.Errorf("x: %w", &pc.APIError{Status: 503}))); ok {
		t.Error("a 503 without Retry-After asks a wait")
	}
}
