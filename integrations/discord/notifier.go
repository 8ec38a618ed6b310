package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"golang.org/x/time/rate"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/integrations/chatkit"
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

// NotifierConfig is what a notifier needs.
type NotifierConfig struct {
	BotToken string
	APIURL   string // the REST API base; "" for Discord's
	Version  string // for the User-Agent
	// HTTPClient sends the calls; nil means a client with a 10-second timeout.
	HTTPClient *http.Client
	Keep       ActionKeeper // stores the command lines of long buttons
	Now        func() time.Time
}

// Notifier posts outbound messages (reminders, news about deals) to
// Discord channels and keeps them current by editing them. It implements
// chat.Notifier.
type Notifier struct {
	session *discordgo.Session
	keep    ActionKeeper
	now     func() time.Time
	limits  *chatkit.Limiter
}

var _ chat.Notifier = (*Notifier)(nil)

// NewNotifier builds a notifier posting with the bot token.
func NewNotifier(cfg NotifierConfig) (*Notifier, error) {
	if strings.TrimSpace(cfg.BotToken) == "" {
		return nil, errors.New("discord notifier: the bot token is empty")
	}
	if cfg.Keep == nil {
		return nil, errors.New("discord notifier: nowhere to keep the commands of long buttons")
	}
	s, err := session(cfg.BotToken, cfg.APIURL, cfg.Version, cfg.HTTPClient)
	if err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Notifier{session: s, keep: cfg.Keep, now: cfg.Now, limits: chatkit.NewLimiter(channelRate, channelBurst)}, nil
}

// Send posts m to its channel, as a reply to the message m.Thread names when
// set, and returns the new message's id. A state message (m.State) posts
// nothing: it edits the messages already sent about its subject (see
// update). It never waits: a busy channel or Discord's HTTP 429 comes back
// as chat.RetryAfter, and other 4xx answers (unknown channel, missing
// access, a rejected message) as chat.Permanent.
func (n *Notifier) Send(ctx context.Context, m chat.Message) (string, error) {
	if m.To.Platform != Platform || m.To.Channel == "" {
		return "", chat.Permanent(fmt.Errorf("discord notifier: cannot send to %s", m.To))
	}
	if m.State {
		return n.update(ctx, m)
	}
	if d := n.limits.Reserve(m.To.Channel, 1, n.now()); d > 0 {
		return "", chat.Paced(d, errChannelBusy)
	}
	r, err := n.render(ctx, m.Text, m.Actions)
	if err != nil {
		return "", err
	}
	send := &discordgo.MessageSend{Embeds: r.Embeds, Components: r.Components, AllowedMentions: noMentions}
	if m.Thread != "" {
		keepGoing := false // the first message may be gone: then post without the reply
		send.Reference = &discordgo.MessageReference{MessageID: m.Thread, ChannelID: channelID(m.To), FailIfNotExists: &keepGoing}
	}
	msg, err := n.session.ChannelMessageSendComplex(channelID(m.To), send, discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
	if err != nil {
		return "", n.classify(fmt.Errorf("discord: post to channel %s: %w", m.To.Channel, err), channelID(m.To))
	}
	return msg.ID, nil
}

func (n *Notifier) render(ctx context.Context, text string, actions []chat.Action) (Message, error) {
	r := Render(text, actions, false)
	for ref, line := range r.IDs {
		if err := n.keep.PutChatAction(ctx, strings.TrimPrefix(ref, refPrefix), line, n.now()); err != nil {
			return Message{}, fmt.Errorf("discord notifier: keep a button's command: %w", err)
		}
	}
	if r.Components == nil {
		r.Components = []discordgo.MessageComponent{} // an edit removes the old buttons
	}
	return r, nil
}

// update edits each message already sent about m's subject to m's channel
// (PATCH /channels/{id}/messages/{id}): its own text with m.Text as its
// state line; the first message (the thread) takes m.Actions as its
// buttons, the others lose theirs. A message deleted meanwhile is skipped.
func (n *Notifier) update(ctx context.Context, m chat.Message) (string, error) {
	if len(m.Edits) == 0 {
		return "", nil // nothing was sent about the subject here: nothing to update
	}
	if d := n.limits.Reserve(m.To.Channel, len(m.Edits), n.now()); d > 0 {
		return "", chat.Paced(d, errChannelBusy)
	}
	for i, e := range m.Edits {
		actions := m.EditActions(i)
		r, err := n.render(ctx, chat.StateText(e.Text, m.Text), actions)
		if err != nil {
			return "", err
		}
		edit := discordgo.NewMessageEdit(channelID(m.To), e.Ref)
		edit.Embeds, edit.Components, edit.AllowedMentions = &r.Embeds, &r.Components, noMentions
		_, err = n.session.ChannelMessageEditComplex(edit, discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
		var rest *discordgo.RESTError
		if errors.As(err, &rest) && rest.Response != nil && rest.Response.StatusCode == http.StatusNotFound {
			continue // deleted meanwhile
		}
		if err != nil {
			return "", n.classify(fmt.Errorf("discord: edit message %s in %s: %w", e.Ref, m.To.Channel, err), channelID(m.To))
		}
	}
	if m.Thread != "" {
		return m.Thread, nil
	}
	return m.Edits[0].Ref, nil
}

// operatorFix says what the operator does about a refusal no retry ends
// but they can (a refused token, a channel the bot cannot see or post in),
// by HTTP status and Discord's JSON error code; ok is false for others.
func operatorFix(status, code int, channel string) (fix string, ok bool) {
	if status != http.StatusUnauthorized && status != http.StatusForbidden && status != http.StatusNotFound {
		return "", false // a code in an answer that is no refusal (a 5xx) says nothing of access
	}
	switch {
	case status == http.StatusUnauthorized:
		return "Discord refuses the bot token (reset or revoked): reset the token on your application's Bot page in the Discord Developer Portal, set DISCORD_BOT_TOKEN and restart cosellbot", true
	case code == discordgo.ErrCodeMissingAccess:
		return fmt.Sprintf("the bot cannot see channel %s (Missing Access): give its role View Channel and Send Messages there, or add the bot to that channel's server", channel), true
	case code == discordgo.ErrCodeMissingPermissions:
		return fmt.Sprintf("the bot may not post in channel %s (Missing Permissions): give its role Send Messages, Embed Links and Read Message History there", channel), true
	case code == discordgo.ErrCodeUnknownChannel:
		return fmt.Sprintf("channel %s is unknown to the bot (deleted, or in a server the bot is not in): add the bot to its server, or route the news elsewhere (unsubscribe, subscribe)", channel), true
	}
	return "", false
}

// classify tells a failure to retry from one to give up on, by the verdict
// every outbound call shares (chatkit.Classify), and says how to fix those
// only the operator can end (operatorFix): they are final, so that Discord
// is not asked again what it refuses, and the outbox says the fix
// (chat.Blocked). channel is the message's.
func (n *Notifier) classify(err error, channel string) error {
	var limited *discordgo.RateLimitError
	if errors.As(err, &limited) && limited.RateLimit != nil && limited.TooManyRequests != nil {
		return chat.RetryAfter(limited.RetryAfter, err)
	}
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil {
		code := 0
		if rest.Message != nil {
			code = rest.Message.Code
		}
		if fix, ok := operatorFix(rest.Response.StatusCode, code, channel); ok {
			return chat.Blocked(err, fix)
		}
		return chatkit.Classify(n.now(), rest.Response.StatusCode, rest.Response.Header.Get("Retry-After"), err)
	}
	return chatkit.Classify(n.now(), 0, "", err)
}

// channelID is the Discord channel a place names: a direct message's
// channel without its access.DiscordDM mark.
func channelID(p chat.Place) string { return strings.TrimPrefix(p.Channel, access.DiscordDM) }
