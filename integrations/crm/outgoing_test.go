package crm_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/integrations/crm"
)

// Send tells the outbox dispatcher what to do with a failure: retry later,
// retry no sooner than Retry-After, or give up.
func TestOutgoingSendClassifiesFailures(t *testing.T) {
	body := `{"event_id":"cosellbot-1","origin":"cosellbot-1","type":"deal.won","deal":{}}`
	for _, tt := range []struct {
		name       string
		status     int
		retryAfter string
		permanent  bool
		after      time.Duration
	}{
		{"accepted", http.StatusAccepted, "", false, 0},
		{"server error is retried", http.StatusBadGateway, "", false, 0},
		{"rate limited waits", http.StatusTooManyRequests, "7", false, 7 * time.Second},
		{"refused is final", http.StatusBadRequest, "", true, 0},
		{"gone is final", http.StatusGone, "", true, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			out := crm.NewOutgoing([]crm.Target{{Source: "generic", URL: srv.URL, Secret: []byte("s3cret-s3cret-s3cret")}}, nil, crm.NewEchoes(), srv.Client(), fixedClock{}, nil)
			ref, err := out.Send(t.Context(), chat.Message{To: chat.Place{Platform: crm.Platform, Channel: "generic"}, Text: body})
			if tt.status/100 == 2 {
				if err != nil || ref != "cosellbot-1" {
					t.Fatalf("Send = %q, %v", ref, err)
				}
				return
			}
			if err == nil || chat.IsPermanent(err) != tt.permanent {
				t.Fatalf("Send error %v: permanent %v, want %v", err, chat.IsPermanent(err), tt.permanent)
			}
			if d, ok := chat.RetryAfterOf(err); tt.after > 0 && (!ok || d != tt.after) {
				t.Fatalf("retry after %v %v, want %v", d, ok, tt.after)
			}
		})
	}
	out := crm.NewOutgoing(nil, nil, crm.NewEchoes(), nil, fixedClock{}, nil)
	if _, err := out.Send(t.Context(), chat.Message{To: chat.Place{Platform: crm.Platform, Channel: "hubspot"}, Text: body}); !chat.IsPermanent(err) {
		t.Fatalf("a source without a target: %v, want a permanent failure", err)
	}
}

type fixedClock struct{}

func (fixedClock) Now() time.Time { return time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC) }
