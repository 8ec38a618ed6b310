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
	"github.com/cosellbot/cosellbot/bot/vocab"
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
			summary: "send reminders and deal news for a location or kind, or CPOR claim news (kind=cpor), to a channel (here by default); alone, list subscriptions", run: s.subscribe},
		{verb: "unsubscribe", args: []string{"#channel"}, optArgs: 1, optional: []string{"location", "kind"},
			summary: "stop a subscription (same channel and keys as when subscribing)", run: s.unsubscribe},
		{verb: "deal snooze", args: []string{"ID"}, required: []string{"until"},
			summary: "hold a deal's reminders until a date", run: s.dealSnooze},
	}
}

func init() {
	helpMore["subscribe"] = "kind=cpor subscribes to CPOR claim news instead of deal news (claims have no location): " +
		"anyone with an incentives role may subscribe their own direct messages, a referrals or incentives admin a channel. " +
		"Claim news goes nowhere else: not to subscriptions by location or deal kind."
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
		if !slices.Contains(s.platforms, c.where.Platform) {
			// Typed in a channel of a platform cosellbot cannot post to
			// (Discord without its bot token): subscribed, every notice
			// went dead in the outbox.
			return chat.Place{}, &deal.RuleError{Field: "channel", Rule: "channel_platform",
				Message: fmt.Sprintf("cosellbot cannot post to %s: its bot token is not configured (%s_BOT_TOKEN; the README says how), so news would never arrive here. It delivers to %s", c.where.Platform, strings.ToUpper(c.where.Platform), strings.Join(s.platforms, ", "))}
		}
		return c.where, nil
	}
	raw := strings.TrimSpace(c.pos[0])
	p := chat.Place{Platform: c.where.Platform, Channel: strings.TrimPrefix(raw, "#")}
	if platform, ch, ok := strings.Cut(raw, ":"); ok {
		p = chat.Place{Platform: strings.ToLower(platform), Channel: strings.TrimPrefix(ch, "#")}
	} else if c.where.Platform == "shell" {
		// The shell has no channels: "#deals" read as the shell's own
		// place was refused as "a person's direct messages".
		return chat.Place{}, &deal.RuleError{Field: "channel", Rule: "channel_known",
			Message: fmt.Sprintf("the local shell has no channels: name %s with its platform (slack:C0123ABCD, discord:123456789012345678), or type subscribe without a channel for this shell", raw)}
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
	if access.Personal(p) && p != c.where {
		// A direct message is one person's: named from elsewhere, it may be
		// someone else's (subscribed, their DMs would get your news; or
		// their own subscription ended by you).
		return chat.Place{}, &deal.RuleError{Field: "channel", Rule: "channel_own_dm",
			Message: fmt.Sprintf("%s is a person's direct messages with cosellbot: type subscribe (or unsubscribe) in your own direct messages with cosellbot, with no channel", raw)}
	}
	return p, nil
}

// subscription reads the channel and filters of subscribe and unsubscribe,
// and checks that the caller may route news there: a channel needs a
// referrals admin, a person's own direct messages only a role
// (access.MayRoute); CPOR claim news (kind=cpor) an incentives role for
// one's own direct messages, a referrals or incentives admin for a channel
// (access.MayRouteClaims). What a subscriber then receives is only what
// they may see (access.Receives, applied when news is fanned out and in
// digests).
func (s *Service) subscription(c *call) (ledger.Subscription, error) {
	p, err := s.place(c)
	if err != nil {
		return ledger.Subscription{}, err
	}
	f := &form{c: c}
	sub := ledger.Subscription{Place: p, Location: f.str("location"), CreatedBy: c.who.ID, CreatedAt: c.now}
	claims := strings.EqualFold(f.str("kind"), string(access.ClaimNews))
	switch {
	case claims:
		sub.DealKind = access.ClaimNews
		if c.has("location") {
			f.bad("location", "CPOR claims have no deal location: leave location= out of subscribe kind=cpor")
		}
	case f.str("kind") != "":
		if _, err := vocab.Kinds.Match(f.str("kind")); err != nil {
			f.bad("kind", "%v; or kind=cpor for CPOR claim news", err)
		} else {
			sub.DealKind = f.kind()
		}
	}
	if !claims && strings.EqualFold(sub.Location, access.ClaimLocation) {
		f.bad("location", "%s is not a location: for CPOR claim news, subscribe kind=cpor without location=", cite(sub.Location))
	}
	if c.has("location") && sub.Location == "" {
		f.bad("location", "give a location id, or leave location= out for every location")
	}
	if err := f.err(); err != nil {
		return ledger.Subscription{}, err
	}
	route := c.who.MayRoute
	if claims {
		route = c.who.MayRouteClaims
	}
	if err := route(p); err != nil {
		return ledger.Subscription{}, err
	}
	if !claims && sub.Location != "" && !c.who.InLocation(sub.Location) {
		// News is sent as its maker may see it (access.Receives): of a
		// location outside their scope, nothing would ever arrive, while
		// the reply promised reminders.
		return ledger.Subscription{}, &deal.RuleError{Field: "location", Rule: "subscribe_location_scope",
			Message: fmt.Sprintf("location %s is outside what you may see (%s), so its news would never reach you here: subscribe one of yours, or ask a referrals admin to subscribe a channel to it", sub.Location, strings.Join(c.who.Locations, ", "))}
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
	// MakerGone marks a subscription whose maker is no longer a user (see
	// orphanNote).
	MakerGone bool `json:"maker_gone,omitempty"`
}

func subscriptionLine(sub ledger.Subscription) string {
	if sub.DealKind == access.ClaimNews {
		return fmt.Sprintf("%s: CPOR claim news", sub.Place)
	}
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
	what := fmt.Sprintf("Reminders go there %s before inbound referrals expire, with a daily digest.", s.offsetsText())
	if sub.DealKind == access.ClaimNews {
		what = "CPOR claim news goes there: a warning before a customer's window to decline closes, and when a claim is declined, asked for more information or made official."
	}
	err = s.alerts.Subscribe(ctx, sub, ledger.Entry{At: c.now, Actor: c.who.ID, Action: "subscribed", Detail: line})
	if errors.Is(err, ledger.ErrExists) {
		return s.takeOver(ctx, c, sub, what)
	}
	if err != nil {
		return Reply{}, fmt.Errorf("subscribing %s: %w", sub.Place, err)
	}
	return Reply{
		Text: fmt.Sprintf("Subscribed %s. %s", line, what),
		Data: map[string]any{"subscription": viewSubscription(sub)},
	}, nil
}

// takeOver answers subscribing what is subscribed already. A subscription
// whose maker is no longer a user is taken over: from then on it gets what
// the new maker may see (access.Receives), and claim news again. One whose
// maker is still a user is refused.
func (s *Service) takeOver(ctx context.Context, c *call, sub ledger.Subscription, what string) (Reply, error) {
	line := subscriptionLine(sub)
	all, err := s.alerts.Subscriptions(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("listing subscriptions: %w", err)
	}
	i := slices.IndexFunc(all, func(o ledger.Subscription) bool {
		return o.Place == sub.Place && o.Location == sub.Location && o.DealKind == sub.DealKind
	})
	if i < 0 { // unsubscribed meanwhile
		return Reply{}, refused(ledger.ErrExists, "%s is subscribed already", line)
	}
	old := all[i]
	gone, err := s.makersGone(ctx)
	if err != nil {
		return Reply{}, err
	}
	if !gone(old.CreatedBy) {
		return Reply{}, refused(ledger.ErrExists, "%s is subscribed already", line)
	}
	detail := fmt.Sprintf("%s, taken over from %s, no longer a user", line, old.CreatedBy)
	if err := s.alerts.Unsubscribe(ctx, old, ledger.Entry{At: c.now, Actor: c.who.ID, Action: "unsubscribed", Detail: detail}); err != nil && !isNotFound(err) {
		return Reply{}, fmt.Errorf("taking over %s: %w", sub.Place, err)
	}
	if err := s.alerts.Subscribe(ctx, sub, ledger.Entry{At: c.now, Actor: c.who.ID, Action: "subscribed", Detail: detail}); err != nil {
		return Reply{}, fmt.Errorf("taking over %s: %w", sub.Place, err)
	}
	return Reply{
		Text: fmt.Sprintf("Took over %s from %s, who is no longer a cosellbot user: it now gets what you may see. %s", line, old.CreatedBy, what),
		Data: map[string]any{"subscription": viewSubscription(sub)},
	}, nil
}

// makersGone reads the users once and answers whether a subscription's
// maker is no longer one of them (the shell's local admin is no user row
// and never gone).
func (s *Service) makersGone(ctx context.Context) (func(id string) bool, error) {
	users, err := s.rec.Users(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading users: %w", err)
	}
	known := map[string]bool{strings.ToLower(access.LocalAdmin.ID): true}
	for _, u := range users {
		known[strings.ToLower(u.ID)] = true
	}
	return func(id string) bool { return !known[strings.ToLower(strings.TrimSpace(id))] }, nil
}

// orphanNote marks, in the list, a subscription whose maker is no longer a
// user. Such a channel keeps getting the deal news it matched (a route does
// not die silently when an admin leaves, access.Receives), but no claim
// news; the note says how to end it or take it over.
func orphanNote(sub ledger.Subscription) string {
	if sub.DealKind == access.ClaimNews {
		return fmt.Sprintf(" (made by %s, no longer a user, so it gets no claim news: unsubscribe or subscribe again to take it over)", sub.CreatedBy)
	}
	return fmt.Sprintf(" (made by %s, no longer a user: unsubscribe or subscribe again to take it over)", sub.CreatedBy)
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
	// A referrals admin routes channels and sees every route, an
	// incentives admin every claim route; anyone else sees their own.
	var subs []ledger.Subscription
	for _, sub := range all {
		if c.who.Has(access.ReferralsAdmin) || strings.EqualFold(sub.CreatedBy, c.who.ID) ||
			(c.who.Has(access.IncentivesAdmin) && sub.DealKind == access.ClaimNews) {
			subs = append(subs, sub)
		}
	}
	gone, err := s.makersGone(ctx)
	if err != nil {
		return Reply{}, err
	}
	views := []SubscriptionView{}
	var b strings.Builder
	switch {
	case len(subs) > 0:
		fmt.Fprintf(&b, "%d subscription%s:", len(subs), plural(len(subs)))
	case !c.who.Referrals():
		b.WriteString("No subscriptions: type subscribe kind=cpor in your direct messages with cosellbot for CPOR claim news.")
	case c.who.Has(access.ReferralsAdmin):
		b.WriteString("No subscriptions: type subscribe location=LOC in the channel that should hear about that location's referrals.")
	default:
		// Not a channel (only an admin subscribes one): the tester was sent
		// to the channel that had just refused them.
		b.WriteString("No subscriptions: type subscribe location=LOC here, in your direct messages with cosellbot, to hear about that location's referrals.")
	}
	for _, sub := range subs {
		v := viewSubscription(sub)
		line := subscriptionLine(sub)
		if v.MakerGone = gone(sub.CreatedBy); v.MakerGone {
			line += orphanNote(sub)
		}
		views = append(views, v)
		b.WriteString("\n" + line)
	}
	return Reply{Text: b.String(), Data: map[string]any{"subscriptions": views}}, nil
}
