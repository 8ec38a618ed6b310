package chatkit

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
)

// TestClassify is the one table of retry verdicts every outbound call
// shares (Slack, Discord, CRM webhooks).
func TestClassify(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	network := errors.New("dial tcp: connection refused")
	for _, tt := range []struct {
		name       string
		status     int
		retryAfter string
		err        error
		wantNil    bool
		permanent  bool
		after      time.Duration // 0: no Retry-After
	}{
		{name: "200 is no error", status: 200, wantNil: true},
		{name: "204 is no error", status: 204, wantNil: true},
		{name: "network failure retries", status: 0, err: network},
		{name: "400 is final", status: 400, permanent: true},
		{name: "401 is final", status: 401, permanent: true},
		{name: "403 is final", status: 403, permanent: true},
		{name: "404 is final", status: 404, permanent: true},
		{name: "413 is final", status: 413, permanent: true},
		{name: "408 retries", status: 408},
		{name: "429 retries after its Retry-After", status: 429, retryAfter: "7", after: 7 * time.Second},
		{name: "429 with fractional seconds (Discord)", status: 429, retryAfter: "0.25", after: 250 * time.Millisecond},
		{name: "429 with an HTTP date", status: 429, retryAfter: now.Add(90 * time.Second).Format(http.TimeFormat), after: 90 * time.Second},
		{name: "429 without Retry-After waits a second", status: 429, after: time.Second},
		{name: "429 with nonsense waits a second", status: 429, retryAfter: "soon", after: time.Second},
		{name: "500 retries", status: 500},
		{name: "502 retries", status: 502},
		{name: "503 retries after its Retry-After", status: 503, retryAfter: "120", after: 2 * time.Minute},
		{name: "a 4xx Retry-After does not make it retryable", status: 404, retryAfter: "5", permanent: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(now, tt.status, tt.retryAfter, tt.err)
			if tt.wantNil {
				if got != nil {
					t.Fatalf("Classify = %v, want nil", got)
				}
				return
			}
			if got == nil {
				t.Fatal("Classify = nil, want an error")
			}
			if chat.IsPermanent(got) != tt.permanent {
				t.Errorf("permanent = %v, want %v (%v)", chat.IsPermanent(got), tt.permanent, got)
			}
			after, ok := chat.RetryAfterOf(got)
			if (tt.after > 0) != ok || after != tt.after {
				t.Errorf("retry after %v (%v), want %v", after, ok, tt.after)
			}
			if tt.err != nil && !errors.Is(got, tt.err) {
				t.Errorf("%v does not wrap %v", got, tt.err)
			}
		})
	}
}
