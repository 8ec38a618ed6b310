package chatkit

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
)

// defaultRetryAfter is the wait after a 429 that names none.
const defaultRetryAfter = time.Second

// Classify is the one retry verdict of every outbound call (Slack, Discord,
// CRM webhooks), as the outbox dispatcher reads it: a 2xx is no error; a
// 4xx is final (chat.Permanent: the request itself is wrong, a retry gets
// the same answer) except 408 and 429; 408, 429, 5xx and network failures
// (status 0) are retried, no sooner than a Retry-After the answer carries
// (chat.RetryAfter). err describes the failure and is wrapped.
func Classify(now time.Time, status int, retryAfter string, err error) error {
	if status >= 200 && status < 300 {
		return nil
	}
	if err == nil {
		err = fmt.Errorf("HTTP %d %s", status, http.StatusText(status))
	}
	after, ok := RetryAfter(retryAfter, now)
	switch {
	case status == http.StatusTooManyRequests:
		if !ok {
			after = defaultRetryAfter
		}
		return chat.RetryAfter(after, err)
	case status >= 400 && status < 500 && status != http.StatusRequestTimeout:
		return chat.Permanent(err)
	case ok:
		return chat.RetryAfter(after, err)
	}
	return err
}

// RetryAfter reads a Retry-After value: seconds (Discord sends fractions)
// or an HTTP date. A value in the past means now; nonsense means none.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s < 0 || math.IsNaN(s) || s > 24*3600 {
			return 0, false
		}
		return time.Duration(math.Ceil(s * float64(time.Second))), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
