package command

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
)

// AlertRecord is what subscriptions and snoozes need of the durable record.
type AlertRecord interface {
	Subscribe(ctx context.Context, sub ledger.Subscription, e ledger.Entry) error
	Unsubscribe(ctx context.Context, sub ledger.Subscription, e ledger.Entry) error
	Subscriptions(ctx context.Context) ([]ledger.Subscription, error)
	Snooze(ctx context.Context, dealID int64, until time.Time, e ledger.Entry) error
}

// WithAlerts adds subscribe, unsubscribe and deal snooze: where reminders
// and deal news go. platforms are those a notifier delivers to (a channel on
// another platform is refused); before are the reminder offsets, for replies.
func WithAlerts(rec AlertRecord, platforms []string, before []time.Duration) Option {
	return func(s *Service) { s.alerts, s.platforms, s.remindBefore = rec, platforms, before }
}

func (s *Service) alertSpecs() []*spec {
	if s.alerts == nil {
		return nil
	}
	return []*spec{
		{verb: "subscribe", args: []string{"#channel"}, optArgs: 1, optional: []string{"location", "kind"},
			summary: "send reminders and deal news for a location or kind to a channel (here by default); alone, list subscriptions", run: s.subscribe},
		{verb: "unsubscribe", args: []string{"#channel"}, optArgs: 1, optional: []string{"location", "kind"},
			summary: "stop a subscription (same channel and keys as when subscribing)", run: s.unsubscribe},
		{verb: "deal snooze", args: []string{"ID"}, required: []string{"until"},
			summary: "hold a deal's reminders until a date", run: s.dealSnooze},
	}
}

// channelSyntax is what a channel id looks like on each platform cosellbot
// knows; a name that does not fit is refused before anything is stored.
var channelSyntax = map[string]*regexp.Regexp{
	"slack":   regexp.MustCompile(`^[CGD][A-Z0-9]{8,}$`),
	"discord": regexp.MustCompile(`^[0-9]{17,20}$`),
	"shell":   regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,79}$`),
	"log":     regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,79}$`),
}

var channelHint = map[string]string{
	"slack":   "a Slack channel id like C0123ABCD (channel details › the id at the bottom), or type subscribe in the channel itself",
	"discord": "a Discord channel id, a long number (right-click the channel › Copy Channel ID), or type subscribe in the channel itself",
}

// place reads the channel argument: "#C0123ABCD" or "slack:C0123ABCD", or
// where the command was typed when there is none.
func (s *Service) place(c *call) (chat.Place, error) {
	if len(c.pos) == 0 {
		return c.where, nil
	}
	raw := strings.TrimSpace(c.pos[0])
	p := chat.Place{Platform: c.where.Platform, Channel: strings.TrimPrefix(raw, "#")}
	if platform, ch, ok := strings.Cut(raw, ":"); ok {
		p = chat.Place{Platform: strings.ToLower(platform), Channel: strings.TrimPrefix(ch, "#")}
	}
	if p.Platform == "slack" && !strings.HasPrefix(p.Channel, "<") {
		p.Channel = strings.ToUpper(p.Channel)
	}
	// Slack writes a mentioned channel as <#C0123ABCD|name>.
	if inner, ok := strings.CutPrefix(p.Channel, "<#"); ok {
		inner = strings.TrimSuffix(inner, ">")
		p.Channel, _, _ = strings.Cut(inner, "|")
	}
	if !slices.Contains(s.platforms, p.Platform) {
		return chat.Place{}, &deal.RuleError{Field: "channel", Rule: "channel_platform",
			Message: fmt.Sprintf("unknown channel %s: cosellbot delivers to %s, not to %q", raw, strings.Join(s.platforms, ", "), p.Platform)}
	}
	if re, ok := channelSyntax[p.Platform]; ok && !re.MatchString(p.Channel) {
		hint := channelHint[p.Platform]
		if hint == "" {
			hint = "a channel name in lower case, like sales-emea"
		}
		return chat.Place{}, &deal.RuleError{Field: "channel", Rule: "channel_known",
			Message: fmt.Sprintf("unknown channel %s on %s: give %s", raw, p.Platform, hint)}
	}
	return p, nil
}

// subscription reads the channel and filters of subscribe and unsubscribe,
// and checks that the caller may route news there: a channel needs a
// referrals admin, a person's own direct messages only a role
// (access.MayRoute). What a subscriber then receives is only what they may
// see (access.Receives, applied when news is fanned out and in digests).
func (s *Service) subscription(c *call) (ledger.Subscription, error) {
	p, err := s.place(c)
	if err != nil {
		return ledger.Subscription{}, err
	}
	f := &form{c: c}
	sub := ledger.Subscription{Place: p, Location: f.str("location"), DealKind: f.kind(), CreatedBy: c.who.ID, CreatedAt: c.now}
	if c.has("location") && sub.Location == "" {
		f.bad("location", "give a location id, or leave location= out for every location")
	}
	if err := f.err(); err != nil {
		return ledger.Subscription{}, err
	}
	if err := c.who.MayRoute(p); err != nil {
		return ledger.Subscription{}, err
	}
	return sub, nil
}

// SubscriptionView is a subscription as JSON shows it.
type SubscriptionView struct {
	Platform  string    `json:"platform"`
	Channel   string    `json:"channel"`
	Location  string    `json:"location,omitempty"`
	Kind      deal.Kind `json:"kind,omitempty"`
	CreatedBy string    `json:"created_by"`
	CreatedAt Timestamp `json:"created_at"`
}

func subscriptionLine(sub ledger.Subscription) string {
	loc, kind := "every location", "every kind"
	if sub.Location != "" {
		loc = "location " + sub.Location
	}
	if sub.DealKind != "" {
		kind = deal.KindLabel(sub.DealKind)
	}
	return fmt.Sprintf("%s: %s, %s", sub.Place, loc, kind)
}

func (s *Service) subscribe(ctx context.Context, c *call) (Reply, error) {
	if len(c.pos) == 0 && len(c.args.Keys) == 0 {
		return s.subscriptionList(ctx, c)
	}
	sub, err := s.subscription(c)
	if err != nil {
		return Reply{}, err
	}
	line := subscriptionLine(sub)
	if err := s.alerts.Subscribe(ctx, sub, ledger.Entry{At: c.now, Actor: c.who.ID, Action: "subscribed", Detail: line}); err != nil {
		if errors.Is(err, ledger.ErrExists) {
			return Reply{}, refused(ledger.ErrExists, "%s is subscribed already", line)
		}
		return Reply{}, fmt.Errorf("subscribing %s: %w", sub.Place, err)
	}
	return Reply{
		Text: fmt.Sprintf("Subscribed %s. Reminders go there %s before inbound referrals expire, with a daily digest.", line, s.offsetsText()),
		Data: map[string]any{"subscription": viewSubscription(sub)},
	}, nil
}

// offsetsText says when reminders go: "7d, 3d and 1d".
func (s *Service) offsetsText() string {
	labels := make([]string, len(s.remindBefore))
	for i, d := range s.remindBefore {
		labels[i] = remind.OffsetLabel(d)
	}
	if len(labels) < 2 {
		return strings.Join(labels, "")
	}
	return strings.Join(labels[:len(labels)-1], ", ") + " and " + labels[len(labels)-1]
}

func (s *Service) unsubscribe(ctx context.Context, c *call) (Reply, error) {
	sub, err := s.subscription(c)
	if err != nil {
		return Reply{}, err
	}
	line := subscriptionLine(sub)
	if err := s.alerts.Unsubscribe(ctx, sub, ledger.Entry{At: c.now, Actor: c.who.ID, Action: "unsubscribed", Detail: line}); err != nil {
		if isNotFound(err) {
			return Reply{}, refused(ledger.ErrNotFound, "no subscription %s: subscribe alone lists them", line)
		}
		return Reply{}, fmt.Errorf("unsubscribing %s: %w", sub.Place, err)
	}
	return Reply{Text: "Unsubscribed " + line + ".", Data: map[string]any{"subscription": viewSubscription(sub)}}, nil
}

func viewSubscription(sub ledger.Subscription) SubscriptionView {
	return SubscriptionView{Platform: sub.Place.Platform, Channel: sub.Place.Channel, Location: sub.Location, Kind: sub.DealKind, CreatedBy: sub.CreatedBy, CreatedAt: Timestamp(sub.CreatedAt)}
}

func (s *Service) subscriptionList(ctx context.Context, c *call) (Reply, error) {
	all, err := s.alerts.Subscriptions(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("listing subscriptions: %w", err)
	}
	// A referrals admin routes channels and sees every route; anyone else
	// sees their own.
	var subs []ledger.Subscription
	for _, sub := range all {
		if c.who.Has(access.ReferralsAdmin) || strings.EqualFold(sub.CreatedBy, c.who.ID) {
			subs = append(subs, sub)
		}
	}
	views := []SubscriptionView{}
	var b strings.Builder
	if len(subs) == 0 {
		b.WriteString("No subscriptions: type subscribe location=LOC in the channel that should hear about that location's referrals.")
	} else {
		fmt.Fprintf(&b, "%d subscription%s:", len(subs), plural(len(subs)))
	}
	for _, sub := range subs {
		views = append(views, viewSubscription(sub))
		b.WriteString("\n" + subscriptionLine(sub))
	}
	return Reply{Text: b.String(), Data: map[string]any{"subscriptions": views}}, nil
}
