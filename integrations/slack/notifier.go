package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"
	"golang.org/x/time/rate"

	"github.com/cosellbot/cosellbot/bot/chat"
)

// Slack posts about one message per second per channel, with short bursts.
const (
	channelRate  = rate.Limit(1)
	channelBurst = 3
)

var errChannelBusy = errors.New("slack: this channel's message rate is used up")

// Notifier posts outbound messages (reminders, news about deals) to Slack
// channels with chat.postMessage. It implements chat.Notifier.
type Notifier struct {
	api *slackapi.Client

	mu     sync.Mutex
	limits map[string]*rate.Limiter // per channel
}

var _ chat.Notifier = (*Notifier)(nil)

// NewNotifier posts with the bot token; apiURL is the Web API base ("" for
// Slack's) and hc the HTTP client (nil for one with a 10-second timeout).
func NewNotifier(botToken, apiURL string, hc *http.Client) (*Notifier, error) {
	if strings.TrimSpace(botToken) == "" {
		return nil, errors.New("slack notifier: the bot token is empty")
	}
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	return &Notifier{api: slackapi.New(botToken, apiOptions(apiURL, hc)...), limits: map[string]*rate.Limiter{}}, nil
}

// Send posts m to its channel, under the thread of m.Thread when set, and
// returns the reference "CHANNEL:TS" that later messages thread under. It
// never waits: a busy channel or Slack's HTTP 429 comes back as
// chat.RetryAfter, and what retrying cannot fix (unknown channel, revoked
// token, a rejected message) as chat.Permanent.
func (n *Notifier) Send(ctx context.Context, m chat.Message) (string, error) {
	if m.To.Platform != Platform || m.To.Channel == "" {
		return "", chat.Permanent(fmt.Errorf("slack notifier: cannot send to %s", m.To))
	}
	if d := n.reserve(m.To.Channel); d > 0 {
		return "", chat.RetryAfter(d, errChannelBusy)
	}
	opts := []slackapi.MsgOption{
		slackapi.MsgOptionText(Fallback(m.Text), false),
		slackapi.MsgOptionBlocks(Blocks(m.Text, m.Actions, messageBlocks)...),
	}
	if ch, ts, ok := strings.Cut(m.Thread, ":"); ok && ch == m.To.Channel && ts != "" {
		opts = append(opts, slackapi.MsgOptionTS(ts))
	}
	channel, ts, err := n.api.PostMessageContext(ctx, m.To.Channel, opts...)
	if err != nil {
		return "", classify(fmt.Errorf("slack chat.postMessage to %s: %w", m.To.Channel, err))
	}
	return channel + ":" + ts, nil
}

// reserve takes a slot of the channel's rate, or says how long until one
// frees up (taking nothing).
func (n *Notifier) reserve(channel string) time.Duration {
	n.mu.Lock()
	l, ok := n.limits[channel]
	if !ok {
		l = rate.NewLimiter(channelRate, channelBurst)
		n.limits[channel] = l
	}
	n.mu.Unlock()
	r := l.Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		return d
	}
	return 0
}

// transient are the Web API errors that a later attempt may not meet.
var transient = map[string]bool{
	"ratelimited": true, "rate_limited": true, "internal_error": true, "fatal_error": true,
	"service_unavailable": true, "request_timeout": true, "team_added_to_org": true,
}

// classify tells a failure to retry from one to give up on.
func classify(err error) error {
	var limited *slackapi.RateLimitedError
	if errors.As(err, &limited) {
		return chat.RetryAfter(limited.RetryAfter, err)
	}
	var status slackapi.StatusCodeError
	if errors.As(err, &status) {
		if status.Code >= 400 && status.Code < 500 && status.Code != http.StatusTooManyRequests && status.Code != http.StatusRequestTimeout {
			return chat.Permanent(err)
		}
		return err
	}
	var api slackapi.SlackErrorResponse
	if errors.As(err, &api) && !transient[api.Err] {
		return chat.Permanent(err)
	}
	return err
}
