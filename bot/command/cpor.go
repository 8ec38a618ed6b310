package command

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/cpor"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/bot/vocab"
)

// ClaimRecord is what CPOR claims need of the durable record.
type ClaimRecord interface {
	// CreateClaim refuses, with cpor.Repeats's error, a claim that repeats
	// a standing one, checked atomically with the write.
	CreateClaim(ctx context.Context, c *cpor.Claim, e ledger.Entry, notices ...ledger.Notice) error
	GetClaim(ctx context.Context, id int64) (*cpor.Claim, error)
	UpdateClaim(ctx context.Context, c *cpor.Claim, e ledger.Entry, notices ...ledger.Notice) error
	Claims(ctx context.Context) ([]*cpor.Claim, error)
	ClaimHistory(ctx context.Context, id int64) ([]ledger.Entry, error)
}

// WithCPOR adds the cpor verbs: Claiming Partner of Record claims.
func WithCPOR(rec ClaimRecord) Option { return func(s *Service) { s.claims = rec } }

func (s *Service) cporSpecs() []*spec {
	if s.claims == nil {
		return nil
	}
	return []*spec{
		{verb: "cpor claim", required: []string{"customer", "country", "engagement"}, optional: []string{"workload", "subscription", "notes", "claimed"},
			usage:   "(workload=… | subscription=…)",
			summary: "claim partner of record for a customer tenant (customer=TENANT-GUID country=CC engagement=…)", run: s.cporClaim},
		{verb: "cpor list", summary: "list CPOR claims", run: s.cporList},
		{verb: "cpor show", args: []string{"ID"}, summary: "show a claim and its history", run: s.cporShow},
		{verb: "cpor confirm", args: []string{"ID"}, optional: []string{"notified"},
			summary: "Microsoft validated the claim and notified the customer (notified=DATE, default today): the 5-business-day window starts", run: s.cporConfirm},
		{verb: "cpor info", args: []string{"ID"}, required: []string{"notes"}, summary: "Microsoft asked for more information", run: s.cporInfo},
		{verb: "cpor decline", args: []string{"ID"}, optional: []string{"reason", "declined"}, summary: "the customer, once notified (cpor confirm), declined the association (declined=DATE when it was earlier, default today)", run: s.cporDecline},
	}
}

// mayClaim is the claims permission (the runner already enforced it).
func mayClaim(who access.User) error { return who.May(access.Claims) }

// ClaimView is a claim as JSON shows it.
type ClaimView struct {
	ID              int64           `json:"id"`
	Version         int64           `json:"version"`
	Customer        string          `json:"customer"`
	Country         string          `json:"country"`
	Engagement      cpor.Engagement `json:"engagement"`
	EngagementLabel string          `json:"engagement_label"`
	Workload        string          `json:"workload,omitempty"`
	Subscription    string          `json:"subscription,omitempty"`
	Status          cpor.Status     `json:"status"`
	Notes           string          `json:"notes,omitempty"`
	Reason          string          `json:"reason,omitempty"`
	Calendar        string          `json:"calendar"`  // the country's holidays, or "weekends-only"
	TimeZone        string          `json:"time_zone"` // the customer's zone, whose days count
	LastDay         string          `json:"last_day_to_decline,omitempty"`
	NotifiedAt      *Timestamp      `json:"notified_at,omitempty"`
	OfficialAt      *Timestamp      `json:"official_at,omitempty"` // when it became (or, notified, becomes) official; never on a declined claim
	CreatedBy       string          `json:"created_by"`
	CreatedAt       Timestamp       `json:"created_at"`
	UpdatedAt       Timestamp       `json:"updated_at"`
}

// ViewClaim converts a claim for JSON.
func ViewClaim(c *cpor.Claim) ClaimView {
	cal := c.Country
	if !cpor.HasCalendar(c.Country) {
		cal = "weekends-only"
	}
	v := ClaimView{
		ID: c.ID, Version: c.Version, Customer: c.TenantID, Country: c.Country, Engagement: c.Engagement,
		EngagementLabel: c.Engagement.Label(), Workload: c.Workload, Subscription: c.Subscription, Status: c.Status,
		Notes: c.Notes, Reason: c.Reason, Calendar: cal, NotifiedAt: optTime(c.NotifiedAt), OfficialAt: optTime(c.OfficialAt),
		CreatedBy: c.CreatedBy, CreatedAt: Timestamp(c.CreatedAt), UpdatedAt: Timestamp(c.UpdatedAt),
		TimeZone: cpor.Zone(c.Country).String(),
	}
	if !c.OfficialAt.IsZero() {
		v.LastDay = c.LastDay().Format(time.DateOnly) // a date in the customer's zone: in UTC it is the day before east of UTC
	}
	if c.Status == cpor.Declined {
		// The claim will never be official: the time its window closed is
		// not when it became so (the last day to decline still says when
		// the window ran out).
		v.OfficialAt = nil
	}
	return v
}

// ClaimCard shows a claim in a few lines.
func ClaimCard(c *cpor.Claim) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CPOR claim #%d · %s\n", c.ID, c.Status.Label())
	fmt.Fprintf(&b, "Customer tenant: %s (%s)\n", c.TenantID, c.Country)
	fmt.Fprintf(&b, "Engagement: %s\n", c.Engagement.Label())
	fmt.Fprintf(&b, "Claimed: %s", c.Target())
	switch c.Status {
	case cpor.Notified:
		fmt.Fprintf(&b, "\nCustomer notified %s: their last day to decline is %s (%s time); official after that unless they decline", c.NotifiedAt.In(cpor.Zone(c.Country)).Format(time.DateOnly), c.LastDay().Format(time.DateOnly), cpor.Zone(c.Country))
	case cpor.Official:
		fmt.Fprintf(&b, "\nOfficial since %s (the customer's last day to decline was %s)", c.OfficialAt.UTC().Format(time.RFC3339), c.LastDay().Format(time.DateOnly))
	case cpor.Declined:
		if c.Reason != "" {
			fmt.Fprintf(&b, "\nDeclined: %s", c.Reason)
		}
	}
	if c.Notes != "" {
		fmt.Fprintf(&b, "\nNotes: %s", c.Notes)
	}
	return b.String()
}

func claimLine(c *cpor.Claim) string {
	return fmt.Sprintf("#%d  %-26s %s (%s) · %s · %s", c.ID, c.Status.Label(), c.TenantID, c.Country, c.Target(), c.Engagement.Label())
}

// fallbackNote says that a country's business days skip weekends only.
func fallbackNote(country string) string {
	return fmt.Sprintf("cosellbot has no holiday calendar for %s: the 5 business days skip weekends only, check for public holidays there.", country)
}

func (s *Service) claimReply(c *cpor.Claim, headline string) Reply {
	text := headline + "\n" + ClaimCard(c)
	if !cpor.HasCalendar(c.Country) {
		text += "\nNote: " + fallbackNote(c.Country)
	}
	return Reply{Text: text, Data: map[string]any{"claim": ViewClaim(c)}, Actions: claimActions(c)}
}

func claimActions(c *cpor.Claim) []Action {
	id := strconv.FormatInt(c.ID, 10)
	switch c.Status {
	case cpor.Submitted, cpor.InfoRequested:
		return []Action{
			{Label: "Customer notified", Command: "cpor confirm " + id, Style: "primary"},
			{Label: "More info requested", Command: "cpor info " + id, Ask: []string{"notes"}},
		}
	case cpor.Notified:
		return []Action{{Label: "Customer declined", Command: "cpor decline " + id, Style: "danger", Ask: []string{"reason"}}}
	}
	return nil
}

func (s *Service) cporClaim(ctx context.Context, c *call) (Reply, error) {
	if err := mayClaim(c.who); err != nil {
		return Reply{}, err
	}
	claimed, err := customerDay(c, "claimed", c.get("country"))
	if err != nil {
		return Reply{}, err
	}
	dr := cpor.Draft{
		TenantID: c.get("customer"), Country: c.get("country"), Engagement: engagementSlug(c.get("engagement")),
		Workload: c.get("workload"), Subscription: c.get("subscription"), Notes: c.get("notes"),
	}
	if c.has("claimed") {
		dr.ClaimedAt = claimed
	}
	cl, ev, err := cpor.New(dr, c.who.ID, c.now)
	if err != nil {
		return Reply{}, err
	}
	// The record refuses a claim that repeats a standing one (cpor.Repeats),
	// checked where it is written, so that replicas cannot both make it.
	if err := s.claims.CreateClaim(ctx, cl, ledger.Entry{At: c.now, Actor: c.who.ID, Action: ev.Action, Detail: ev.Detail}); err != nil {
		var re *deal.RuleError
		if errors.As(err, &re) {
			return Reply{}, err
		}
		return Reply{}, fmt.Errorf("saving the claim: %w", err)
	}
	return s.claimReply(cl, fmt.Sprintf("Submitted CPOR claim #%d. Once Microsoft has validated it and notified the customer, record it with cpor confirm %d.", cl.ID, cl.ID)), nil
}

func (s *Service) cporList(ctx context.Context, c *call) (Reply, error) {
	if err := mayClaim(c.who); err != nil {
		return Reply{}, err
	}
	all, err := s.claims.Claims(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("listing claims: %w", err)
	}
	views := []ClaimView{}
	var b strings.Builder
	if len(all) == 0 {
		b.WriteString("No CPOR claims yet: cpor claim customer=TENANT-GUID country=CC engagement=… workload=…")
	} else {
		fmt.Fprintf(&b, "%d CPOR claim%s:", len(all), plural(len(all)))
	}
	for i, cl := range all {
		views = append(views, ViewClaim(cl))
		if i < listLimit {
			b.WriteString("\n" + claimLine(cl))
		} else if i == listLimit {
			fmt.Fprintf(&b, "\n… and %d more", len(all)-listLimit)
		}
	}
	return Reply{Text: b.String(), Data: map[string]any{"claims": views}}, nil
}

func (s *Service) claim(ctx context.Context, c *call) (*cpor.Claim, error) {
	if err := mayClaim(c.who); err != nil {
		return nil, err
	}
	raw := strings.TrimPrefix(c.pos[0], "#")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return nil, usage("%s is not a claim ID: claim IDs are numbers, like 3", cite(c.pos[0]))
	}
	cl, err := s.claims.GetClaim(ctx, id)
	if err != nil {
		if isNotFound(err) {
			return nil, refused(ledger.ErrNotFound, "no CPOR claim #%d", id)
		}
		return nil, fmt.Errorf("loading claim #%d: %w", id, err)
	}
	return cl, nil
}

func (s *Service) cporShow(ctx context.Context, c *call) (Reply, error) {
	cl, err := s.claim(ctx, c)
	if err != nil {
		return Reply{}, err
	}
	events, err := s.claims.ClaimHistory(ctx, cl.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("reading the history of claim #%d: %w", cl.ID, err)
	}
	r := s.claimReply(cl, "")
	r.Text = strings.TrimPrefix(r.Text, "\n")
	views := make([]EventView, len(events))
	for i, e := range events {
		views[i] = EventView{At: Timestamp(e.At), Actor: e.Actor, Action: e.Action, Detail: e.Detail}
		r.Text += fmt.Sprintf("\n%s  %s  %s — %s", e.At.Format("2006-01-02 15:04"), e.Action, e.Detail, e.Actor)
	}
	r.Data["events"] = views
	return r, nil
}

// changeClaim applies one operation and stores it with its history line and
// the notices it sends.
//
// A window that closed since the sweep last looked is recorded first (dated
// when it closed, with its news, once), so that the operation meets the
// claim as it really stands: a decline after the window is refused.
func (s *Service) changeClaim(ctx context.Context, c *call, op func(cl *cpor.Claim) (deal.Event, bool, error)) (Reply, error) {
	cl, err := s.claim(ctx, c)
	if err != nil {
		return Reply{}, err
	}
	official := *cl
	if ev, ok := official.MakeOfficialIfDue(c.now); ok {
		err := s.claims.UpdateClaim(ctx, &official, ledger.Entry{At: ev.At, Actor: ClockActor, Action: ev.Action, Detail: ev.Detail}, remind.ClaimNotice(&official, ev))
		if err != nil && !errors.Is(err, ledger.ErrConflict) {
			return Reply{}, fmt.Errorf("saving claim #%d: %w", cl.ID, err)
		}
		if cl, err = s.claim(ctx, c); err != nil {
			return Reply{}, err
		}
	}
	next := *cl
	ev, notify, err := op(&next)
	if err != nil {
		return Reply{}, err
	}
	var notices []ledger.Notice
	if notify {
		notices = append(notices, remind.ClaimNotice(&next, ev))
	}
	if err := s.claims.UpdateClaim(ctx, &next, ledger.Entry{At: c.now, Actor: c.who.ID, Action: ev.Action, Detail: ev.Detail}, notices...); err != nil {
		if errors.Is(err, ledger.ErrConflict) {
			return Reply{}, refused(ledger.ErrConflict, "claim #%d changed while you were working on it, so nothing of yours was saved: look at cpor show %d and try again", cl.ID, cl.ID)
		}
		return Reply{}, fmt.Errorf("saving claim #%d: %w", cl.ID, err)
	}
	return s.claimReply(&next, fmt.Sprintf("CPOR claim #%d: %s.", next.ID, ev.Detail)), nil
}

func (s *Service) cporConfirm(ctx context.Context, c *call) (Reply, error) {
	if _, err := customerDay(c, "notified", ""); err != nil { // a bad date is refused before the claim is read
		return Reply{}, err
	}
	return s.changeClaim(ctx, c, func(cl *cpor.Claim) (deal.Event, bool, error) {
		notified, err := customerDay(c, "notified", cl.Country)
		if err != nil {
			return deal.Event{}, false, err
		}
		ev, _, err := cl.Confirm(notified, c.now)
		return ev, false, err
	})
}

// customerDay reads key= as a date of the customer's country: the start of
// that day in their zone, not in UTC (which is the day before in the US),
// today and +1d counting from their today. Not given: now.
func customerDay(c *call, key, country string) (time.Time, error) {
	if !c.has(key) {
		return c.now, nil
	}
	zone := cpor.Zone(country)
	y, m, d := c.now.In(zone).Date()
	day, err := vocab.ParseDate(c.get(key), time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return time.Time{}, &deal.RuleError{Field: key, Rule: "format", Message: err.Error()}
	}
	y, m, d = day.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, zone), nil
}

func (s *Service) cporInfo(ctx context.Context, c *call) (Reply, error) {
	return s.changeClaim(ctx, c, func(cl *cpor.Claim) (deal.Event, bool, error) {
		ev, err := cl.RequestInfo(c.get("notes"), c.now)
		return ev, true, err
	})
}

func (s *Service) cporDecline(ctx context.Context, c *call) (Reply, error) {
	if _, err := customerDay(c, "declined", ""); err != nil {
		return Reply{}, err
	}
	return s.changeClaim(ctx, c, func(cl *cpor.Claim) (deal.Event, bool, error) {
		on, err := customerDay(c, "declined", cl.Country)
		if err != nil {
			return deal.Event{}, false, err
		}
		ev, err := cl.DeclineOn(c.get("reason"), on, c.now)
		return ev, true, err
	})
}
