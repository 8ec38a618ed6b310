package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
	"golang.org/x/time/rate"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/integrations/chatkit"
)

// Slack posts about one message per second per channel, with short bursts.
const (
	channelRate  = rate.Limit(1)
	channelBurst = 3
)

var errChannelBusy = errors.New("slack: this channel's message rate is used up")

// Notifier posts outbound messages (reminders, news about deals) to Slack
// channels with chat.postMessage, and keeps them current with chat.update.
// It implements chat.Notifier.
type Notifier struct {
	api    *slackapi.Client
	limits *chatkit.Limiter
	now    func() time.Time
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
	return &Notifier{api: slackapi.New(botToken, apiOptions(apiURL, hc)...), limits: chatkit.NewLimiter(channelRate, channelBurst), now: time.Now}, nil
}

// WithClock sets the clock the channel rate is counted by (tests).
func (n *Notifier) WithClock(now func() time.Time) *Notifier {
	n.now = now
	return n
}

// Send posts m to its channel, under the thread of m.Thread when set, and
// returns the reference "CHANNEL:TS" that later messages thread under. A
// state message (m.State) posts nothing: it rewrites the messages already
// sent about its subject (see update). It never waits: a busy channel or
// Slack's HTTP 429 comes back as chat.RetryAfter, and what retrying cannot
// fix (unknown channel, revoked token, a rejected message) as
// chat.Permanent.
func (n *Notifier) Send(ctx context.Context, m chat.Message) (string, error) {
	if m.To.Platform != Platform || m.To.Channel == "" {
		return "", chat.Permanent(fmt.Errorf("slack notifier: cannot send to %s", m.To))
	}
	if m.State {
		return n.update(ctx, m)
	}
	if d := n.limits.Reserve(m.To.Channel, 1, n.now()); d > 0 {
		return "", chat.Paced(d, errChannelBusy)
	}
	opts := []slackapi.MsgOption{
		slackapi.MsgOptionText(Fallback(m.Text), false),
		slackapi.MsgOptionBlocks(Blocks(m.Text, m.Actions, messageBlocks)...),
	}
	if ch, ts, ok := strings.Cut(m.Thread, ":"); ok && ch == m.To.Channel && ts != "" {
		opts = append(opts, slackapi.MsgOptionTS(ts))
		if len(m.Actions) > 0 {
			// Something to act on (a reminder's Accept) is not hidden in
			// the thread of the referral's first message: the channel
			// sees it too.
			opts = append(opts, slackapi.MsgOptionBroadcast())
		}
	}
	channel, ts, err := n.api.PostMessageContext(ctx, m.To.Channel, opts...)
	if err != nil {
		return "", n.classify(fmt.Errorf("slack chat.postMessage to %s: %w", m.To.Channel, err), m.To.Channel)
	}
	return channel + ":" + ts, nil
}

// update edits each message already sent about m's subject to m's channel
// (chat.update): its own text with m.Text as its state line; the first
// message (the thread) takes m.Actions as its buttons, the others lose
// theirs. A message deleted meanwhile is skipped. Every edit is redone on
// a retry, which is harmless: each writes the same thing.
func (n *Notifier) update(ctx context.Context, m chat.Message) (string, error) {
	if len(m.Edits) == 0 {
		return "", nil // nothing was sent about the subject here: nothing to update
	}
	if d := n.limits.Reserve(m.To.Channel, len(m.Edits), n.now()); d > 0 {
		return "", chat.Paced(d, errChannelBusy)
	}
	for i, e := range m.Edits {
		ch, ts, ok := strings.Cut(e.Ref, ":")
		if !ok || ch != m.To.Channel {
			continue
		}
		actions := m.EditActions(i)
		text := chat.StateText(e.Text, m.Text)
		_, _, _, err := n.api.UpdateMessageContext(ctx, ch, ts,
			slackapi.MsgOptionText(Fallback(text), false), slackapi.MsgOptionBlocks(Blocks(text, actions, messageBlocks)...))
		var api slackapi.SlackErrorResponse
		if errors.As(err, &api) && (api.Err == "message_not_found" || api.Err == "cant_update_message") {
			continue
		}
		if err != nil {
			return "", n.classify(fmt.Errorf("slack chat.update of %s: %w", e.Ref, err), m.To.Channel)
		}
	}
	if m.Thread != "" {
		return m.Thread, nil
	}
	return m.Edits[0].Ref, nil
}

// transient are the Web API errors that a later attempt may not meet.
var transient = map[string]bool{
	"ratelimited": true, "rate_limited": true, "internal_error": true, "fatal_error": true,
	"service_unavailable": true, "request_timeout": true, "team_added_to_org": true,
}

// tokenFix is what to do about a bot token Slack refuses.
const tokenFix = "Slack refuses the bot token (revoked, rotated or of a deactivated account): " +
	"copy the Bot User OAuth Token (xoxb-…) from your Slack app's Install App page into SLACK_BOT_TOKEN " +
	"(reinstall the app if it was removed) and restart cosellbot"

// operatorFixes are the Web API errors that no retry ends but the operator
// can, with what to do (%s is the channel): they are final, so that Slack
// is not asked again and again what it refuses, and the outbox says the
// fix (chat.Blocked).
var operatorFixes = map[string]string{
	"invalid_auth":      tokenFix,
	"not_authed":        tokenFix,
	"token_revoked":     tokenFix,
	"token_expired":     tokenFix,
	"account_inactive":  tokenFix,
	"not_in_channel":    "the bot is not a member of channel %s: invite it there (/invite @cosellbot)",
	"channel_not_found": "channel %s is unknown to the bot (deleted, or private without the bot): invite the bot there (/invite @cosellbot), or route the news elsewhere (unsubscribe, subscribe)",
	"is_archived":       "channel %s is archived: unarchive it, or route the news elsewhere (unsubscribe, subscribe)",
	"missing_scope":     "the Slack app lacks a scope it needs (chat:write): add it under OAuth & Permissions, reinstall the app and put its new token in SLACK_BOT_TOKEN",
}

// classify tells a failure to retry from one to give up on: HTTP answers by
// the verdict every outbound call shares (chatkit.Classify), Slack's own
// ok:false errors by whether a later attempt may not meet them, and those
// the operator must fix (operatorFixes) saying how. channel is the
// message's.
func (n *Notifier) classify(err error, channel string) error {
	var limited *slackapi.RateLimitedError
	if errors.As(err, &limited) {
		return chat.RetryAfter(limited.RetryAfter, err)
	}
	var status slackapi.StatusCodeError
	if errors.As(err, &status) {
		return chatkit.Classify(n.now(), status.Code, "", err)
	}
	var api slackapi.SlackErrorResponse
	if errors.As(err, &api) {
		if transient[api.Err] {
			return err
		}
		if fix, ok := operatorFixes[api.Err]; ok {
			if strings.Contains(fix, "%s") {
				fix = fmt.Sprintf(fix, channel)
			}
			return chat.Blocked(err, fix)
		}
		return chat.Permanent(err)
	}
	return chatkit.Classify(n.now(), 0, "", err) // the network: retried
}
