package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"golang.org/x/time/rate"

	"github.com/cosellbot/cosellbot/bot/chat"
)

// Discord allows about 5 messages per 5 seconds per channel.
const (
	channelRate  = rate.Limit(1)
	channelBurst = 5
)

var errChannelBusy = errors.New("discord: this channel's message rate is used up")

// ActionKeeper keeps the command lines of buttons too long for a custom_id.
type ActionKeeper interface {
	PutChatAction(ctx context.Context, id, command string, at time.Time) error
}

// Notifier posts outbound messages (reminders, news about deals) to
// Discord channels. It implements chat.Notifier.
type Notifier struct {
	session *discordgo.Session
	keep    ActionKeeper
	clock   func() time.Time

	mu     sync.Mutex
	limits map[string]*rate.Limiter // per channel
}

var _ chat.Notifier = (*Notifier)(nil)

// NewNotifier posts with the bot token through hc (nil for a client with a
// 10-second timeout); keep stores the command lines of long buttons.
func NewNotifier(botToken string, hc *http.Client, keep ActionKeeper) (*Notifier, error) {
	if strings.TrimSpace(botToken) == "" {
		return nil, errors.New("discord notifier: the bot token is empty")
	}
	return &Notifier{session: session(botToken, hc), keep: keep, clock: time.Now, limits: map[string]*rate.Limiter{}}, nil
}

// Send posts m to its channel, as a reply to the message m.Thread names when
// set, and returns the new message's id. It never waits: a busy channel or
// Discord's HTTP 429 comes back as chat.RetryAfter, and other 4xx answers
// (unknown channel, missing access, a rejected message) as chat.Permanent.
func (n *Notifier) Send(ctx context.Context, m chat.Message) (string, error) {
	if m.To.Platform != Platform || m.To.Channel == "" {
		return "", chat.Permanent(fmt.Errorf("discord notifier: cannot send to %s", m.To))
	}
	if d := n.reserve(m.To.Channel); d > 0 {
		return "", chat.RetryAfter(d, errChannelBusy)
	}
	r := Render(m.Text, m.Actions, false)
	for ref, line := range r.IDs {
		if err := n.keep.PutChatAction(ctx, strings.TrimPrefix(ref, refPrefix), line, n.clock()); err != nil {
			return "", fmt.Errorf("discord notifier: keep a button's command: %w", err)
		}
	}
	send := &discordgo.MessageSend{Embeds: r.Embeds, Components: r.Components, AllowedMentions: noMentions}
	if m.Thread != "" {
		keepGoing := false // the first message may be gone: then post without the reply
		send.Reference = &discordgo.MessageReference{MessageID: m.Thread, ChannelID: m.To.Channel, FailIfNotExists: &keepGoing}
	}
	msg, err := n.session.ChannelMessageSendComplex(m.To.Channel, send, discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
	if err != nil {
		return "", classify(fmt.Errorf("discord: post to channel %s: %w", m.To.Channel, err))
	}
	return msg.ID, nil
}

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

// classify tells a failure to retry from one to give up on.
func classify(err error) error {
	var limited *discordgo.RateLimitError
	if errors.As(err, &limited) && limited.RateLimit != nil && limited.TooManyRequests != nil {
		return chat.RetryAfter(limited.RetryAfter, err)
	}
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil {
		// 429 comes back as a RateLimitError, handled above.
		if code := rest.Response.StatusCode; code >= 400 && code < 500 && code != http.StatusRequestTimeout {
			return chat.Permanent(err)
		}
	}
	return err
}
