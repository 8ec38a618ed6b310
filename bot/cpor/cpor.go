// Package cpor holds Claiming Partner of Record (CPOR) claims: a partner in
// one of Microsoft's incentive engagements claims its association with a
// customer tenant for a workload or a subscription. Microsoft validates the
// claim (and may ask for more information), notifies the customer, and the
// customer has five business days of their country to decline; otherwise the
// association becomes official.
//
// Like bot/deal it is plain Go with no I/O: callers pass the time in, and
// refusals are *deal.RuleError values naming the field and the rule.
package cpor

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// Engagement is an incentive engagement whose partners may claim customers.
type Engagement string

// The four engagements CPOR serves.
const (
	BizAppsPresales Engagement = "bizapps-presales"
	ModernWork      Engagement = "modern-work"
	BizAppsUsage    Engagement = "bizapps-usage"
	BizAppsRevenue  Engagement = "bizapps-revenue"
)

// Engagements lists them in the order help texts show them.
var Engagements = []Engagement{BizAppsPresales, ModernWork, BizAppsUsage, BizAppsRevenue}

// Label is the engagement's full name.
func (e Engagement) Label() string {
	switch e {
	case BizAppsPresales:
		return "MCI BizApps Presales Advisor"
	case ModernWork:
		return "Modern Work and Security usage"
	case BizAppsUsage:
		return "Usage recognition – Biz Apps"
	case BizAppsRevenue:
		return "Microsoft Business Applications revenue"
	}
	return string(e)
}

// EngagementHelp lists the short keys with their labels, for messages.
func EngagementHelp() string {
	parts := make([]string, len(Engagements))
	for i, e := range Engagements {
		parts[i] = fmt.Sprintf("%s (%s)", e, e.Label())
	}
	return strings.Join(parts, ", ")
}

// ParseEngagement reads a short key or a full label, in any case.
func ParseEngagement(s string) (Engagement, bool) {
	s = strings.TrimSpace(s)
	for _, e := range Engagements {
		if strings.EqualFold(s, string(e)) || strings.EqualFold(s, e.Label()) {
			return e, true
		}
	}
	return "", false
}

// Status is where a claim stands.
type Status string

// Claim statuses: submitted → customer notified → official (after the
// decline window), or declined by the customer (only once notified), or
// more information requested by Microsoft (answered by a new validation,
// still before the customer is notified).
const (
	Submitted     Status = "submitted"
	Notified      Status = "customer_notified"
	Official      Status = "official"
	Declined      Status = "declined"
	InfoRequested Status = "info_requested"
)

// Label is the status in words.
func (s Status) Label() string {
	switch s {
	case Notified:
		return "customer notified"
	case InfoRequested:
		return "more information requested"
	}
	return string(s)
}

// Claim is one CPOR claim.
type Claim struct {
	ID, Version  int64
	TenantID     string // the customer's Microsoft Entra tenant id, a lower-case GUID
	Country      string // the customer's ISO 3166 country, whose business days count
	Engagement   Engagement
	Workload     string // the claimed workload, or
	Subscription string // the claimed subscription id (a GUID)
	Status       Status
	Notes        string // what Microsoft asked for, or what the partner answered
	Reason       string // why the customer declined
	CreatedBy    string
	NotifiedAt   time.Time // when Microsoft notified the customer
	OfficialAt   time.Time // when the decline window closes
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Subject is how notices and reminders name the claim.
func (c *Claim) Subject() string { return "claim:" + strconv.FormatInt(c.ID, 10) }

// Target is what the claim associates the partner with, in words.
func (c *Claim) Target() string {
	if c.Subscription != "" {
		return "subscription " + c.Subscription
	}
	return "workload " + c.Workload
}

// Draft is what a partner gives to claim a customer.
type Draft struct {
	TenantID, Country, Engagement, Workload, Subscription, Notes string
	// ClaimedAt is when the claim was submitted in Partner Center, when
	// that was before it is recorded here (zero: now).
	ClaimedAt time.Time
}

var guid = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ValidGUID reports whether s is a GUID written 8-4-4-4-12 (braces allowed).
func ValidGUID(s string) bool {
	return guid.MatchString(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "{"), "}"))
}

func normGUID(s string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "{"), "}"))
}

func rule(field, name, format string, args ...any) *deal.RuleError {
	return &deal.RuleError{Field: field, Rule: name, Message: fmt.Sprintf(format, args...)}
}

// ValidCountry reports whether cc is an ISO 3166 alpha-2 country code.
func ValidCountry(cc string) bool {
	if len(cc) != 2 {
		return false
	}
	r, err := language.ParseRegion(cc)
	return err == nil && r.IsCountry()
}

// New records a submitted claim, or says everything wrong with the draft.
func New(dr Draft, by string, now time.Time) (*Claim, deal.Event, error) {
	var p deal.Problems
	c := &Claim{
		TenantID: normGUID(dr.TenantID), Country: strings.ToUpper(strings.TrimSpace(dr.Country)),
		Workload: strings.TrimSpace(dr.Workload), Subscription: normGUID(dr.Subscription),
		Notes: strings.TrimSpace(dr.Notes), Status: Submitted, CreatedBy: by, CreatedAt: now, UpdatedAt: now,
	}
	if !ValidGUID(dr.TenantID) {
		p = append(p, rule("customer", "tenant_guid", "customer must be the customer's Microsoft Entra tenant id, a GUID like 8f3c2a1e-5b7d-4e9f-a0c1-2d3e4f5a6b7c; got %q", dr.TenantID))
	}
	if !ValidCountry(c.Country) {
		p = append(p, rule("country", "country_code", "country must be the customer's two-letter ISO country code, like FR or SE; got %q", dr.Country))
	}
	e, ok := ParseEngagement(dr.Engagement)
	if !ok {
		p = append(p, rule("engagement", "engagement_known", "unknown engagement %q: use one of %s", dr.Engagement, EngagementHelp()))
	}
	c.Engagement = e
	switch {
	case c.Workload == "" && strings.TrimSpace(dr.Subscription) == "":
		p = append(p, rule("workload", "claim_target", "say what you claim: workload=NAME or subscription=ID"))
	case c.Workload != "" && strings.TrimSpace(dr.Subscription) != "":
		p = append(p, rule("subscription", "claim_target", "claim a workload or a subscription, not both: make two claims"))
	case strings.TrimSpace(dr.Subscription) != "" && !ValidGUID(dr.Subscription):
		p = append(p, rule("subscription", "subscription_guid", "subscription must be a subscription id, a GUID; got %q", dr.Subscription))
	}
	if !dr.ClaimedAt.IsZero() {
		if dr.ClaimedAt.After(now) {
			p = append(p, rule("claimed", "claimed_not_future", "the claim's date %s is in the future: give the day it was submitted in Partner Center", dr.ClaimedAt.Format(time.DateOnly)))
		}
		c.CreatedAt = dr.ClaimedAt // the customer's window is counted from the claim, not from its record here
	}
	if len(p) > 0 {
		return nil, deal.Event{}, p
	}
	return c, deal.Event{Action: "claimed", Detail: fmt.Sprintf("claimed tenant %s (%s) for %s under %s", c.TenantID, c.Country, c.Target(), c.Engagement.Label())}, nil
}

// Repeats finds, among the claims already made, one that claims what c
// claims (the same tenant, engagement and workload or subscription) and
// still stands: a second claim of the same thing is a double click or two
// colleagues at once, and Microsoft would validate it twice. A declined
// claim does not stand: claiming again after it is how a partner tries
// anew.
func Repeats(existing []*Claim, c *Claim) error {
	for _, o := range existing {
		if o.Status == Declined || o.TenantID != c.TenantID || o.Engagement != c.Engagement ||
			o.Subscription != c.Subscription || !strings.EqualFold(o.Workload, c.Workload) {
			continue
		}
		return rule("customer", "claim_once", "claim #%d already claims tenant %s for %s under %s (%s): see cpor show %d",
			o.ID, o.TenantID, o.Target(), o.Engagement.Label(), o.Status.Label(), o.ID)
	}
	return nil
}

// claimLeadsTo is the status a verb leaves a claim in, for the verbs that
// end in one.
var claimLeadsTo = map[string]Status{"confirm": Notified, "decline": Declined, "make official": Official}

func (c *Claim) need(verb string, allowed ...Status) error {
	if slices.Contains(allowed, c.Status) {
		return nil
	}
	if c.Status == claimLeadsTo[verb] {
		// A second click, or the command typed again: say so.
		return rule("status", "claim_status", "claim %d: already %s, nothing to do", c.ID, c.Status.Label())
	}
	names := make([]string, len(allowed))
	for i, s := range allowed {
		names[i] = s.Label()
	}
	return rule("status", "claim_status", "cannot %s claim %d while it is %s (only when %s)", verb, c.ID, c.Status.Label(), strings.Join(names, " or "))
}

// Confirm records that Microsoft validated the claim and notified the
// customer at notified: the customer's decline window of DeclineWindow
// business days starts (a window that closed already makes the claim
// official at the next sweep). fallback reports that the customer's country
// has no holiday calendar.
//
// The notification is judged by the customer's calendar days (Zone), the
// days the window counts: it may not fall on a day after the customer's
// today, nor on a day before the customer's day on which the claim was made.
// A notification on the claim's own day is taken in every zone, whether the
// date is given as midnight of that day in the customer's zone (which is the
// day before in UTC east of UTC) or as any moment of it.
func (c *Claim) Confirm(notified, now time.Time) (ev deal.Event, fallback bool, err error) {
	if err := c.need("confirm", Submitted, InfoRequested); err != nil {
		return deal.Event{}, false, err
	}
	zone := Zone(c.Country)
	on, today, claimed := c.customerDay(notified), c.customerDay(now), c.customerDay(c.CreatedAt)
	if on.After(today) {
		return deal.Event{}, false, rule("notified", "notified_not_future", "the notification date %s is in the future", on.Format(time.DateOnly))
	}
	if on.Before(claimed) {
		return deal.Event{}, false, rule("notified", "notified_after_claim", "the customer cannot have been notified on %s, before the claim was made on %s (%s time)", on.Format(time.DateOnly), claimed.Format(time.DateOnly), zone)
	}
	end, fallback := WindowEnd(c.Country, notified)
	c.Status, c.NotifiedAt, c.OfficialAt, c.UpdatedAt = Notified, notified, end, now
	return deal.Event{Action: "customer_notified", Detail: fmt.Sprintf("Microsoft validated the claim and notified the customer on %s; the customer may decline until the end of %s, their last business day (%s time); official after that", on.Format(time.DateOnly), c.LastDay().Format(time.DateOnly), zone)}, fallback, nil
}

// RequestInfo records that Microsoft asked for more information while
// validating the claim.
func (c *Claim) RequestInfo(notes string, now time.Time) (deal.Event, error) {
	if err := c.need("record a request for information on", Submitted, InfoRequested); err != nil {
		return deal.Event{}, err
	}
	if strings.TrimSpace(notes) == "" {
		return deal.Event{}, rule("notes", "info_notes", "say what Microsoft asked for: notes=…")
	}
	c.Status, c.Notes, c.UpdatedAt = InfoRequested, strings.TrimSpace(notes), now
	return deal.Event{Action: "info_requested", Detail: "Microsoft asked for more information: " + c.Notes}, nil
}

// Decline records that the customer declined the association within the
// window. Only a notified customer can decline: Microsoft validates the
// claim first (and may ask for more information), then tells the customer,
// whose five business days to decline start then. A submitted claim, or one
// Microsoft asked more information about, has not reached the customer, so
// a decline is refused, saying to record the notification first (cpor
// confirm), which starts the window the decline is then checked against.
func (c *Claim) Decline(reason string, now time.Time) (deal.Event, error) {
	return c.DeclineOn(reason, now, now)
}

// DeclineOn records a decline the customer made at on, told at now: a
// decline within the window, reported after it (the customer declined on
// their last day, the partner heard two days later), still stands, though
// the claim was made official meanwhile; one after the window is refused.
func (c *Claim) DeclineOn(reason string, on, now time.Time) (deal.Event, error) {
	if on.After(now) {
		return deal.Event{}, rule("declined", "declined_not_future", "the decline's date %s is in the future", c.customerDay(on).Format(time.DateOnly))
	}
	if (c.Status == Notified || c.Status == Official) && !c.NotifiedAt.IsZero() && on.Before(c.NotifiedAt) {
		return deal.Event{}, rule("declined", "declined_after_notification", "the customer cannot have declined on %s, before they were notified on %s (%s time)", c.customerDay(on).Format(time.DateOnly), c.customerDay(c.NotifiedAt).Format(time.DateOnly), Zone(c.Country))
	}
	toldLate := c.Status == Official && !c.OfficialAt.IsZero() && on.Before(c.OfficialAt)
	if !toldLate && (c.WindowClosed(on) || (c.Status == Official && !c.OfficialAt.IsZero())) {
		return deal.Event{}, rule("status", "window_closed", "the customer's window to decline claim %d closed: their last day to decline was %s (%s time), so the association is official; if they declined before, give the day: cpor decline %d declined=DATE", c.ID, c.LastDay().Format(time.DateOnly), Zone(c.Country), c.ID)
	}
	if toldLate {
		c.Status = Notified // the official close did not happen: the decline came first
	}
	if c.Status == Submitted || c.Status == InfoRequested {
		return deal.Event{}, rule("status", "decline_needs_notification", "cannot record a decline on claim %d while it is %s: the customer can decline only once Microsoft has validated the claim and notified them. If Microsoft notified the customer, record that first with cpor confirm %d notified=DATE (the day they were notified), then cpor decline %d", c.ID, c.Status.Label(), c.ID, c.ID)
	}
	if err := c.need("decline", Notified); err != nil {
		return deal.Event{}, err
	}
	c.Status, c.Reason, c.UpdatedAt = Declined, strings.TrimSpace(reason), now
	detail := "the customer declined: the partner is not recognised as partner of record"
	if c.Reason != "" {
		detail += " (" + c.Reason + ")"
	}
	if toldLate {
		detail += fmt.Sprintf("; they declined on %s, within their window, and it was told after the claim was recorded official", c.customerDay(on).Format(time.DateOnly))
	}
	return deal.Event{Action: "declined", Detail: detail}, nil
}

// MakeOfficial closes the decline window of a notified claim nobody declined.
func (c *Claim) MakeOfficial(now time.Time) (deal.Event, error) {
	if err := c.need("make official", Notified); err != nil {
		return deal.Event{}, err
	}
	if now.Before(c.OfficialAt) {
		return deal.Event{}, rule("official_at", "window_open", "claim %d becomes official only after %s, the customer's last day to decline (%s time)", c.ID, c.LastDay().Format(time.DateOnly), Zone(c.Country))
	}
	c.Status, c.UpdatedAt = Official, c.OfficialAt
	return deal.Event{Action: "official", Detail: fmt.Sprintf("official: the customer did not decline within %d business days (last day %s)", DeclineWindow, c.LastDay().Format(time.DateOnly)), At: c.OfficialAt}, nil
}

// WindowClosed reports whether the customer's window to decline ran out at
// now, recorded or not: the rule holds at the moment of action.
func (c *Claim) WindowClosed(now time.Time) bool {
	return c.Status == Notified && !c.OfficialAt.IsZero() && !now.Before(c.OfficialAt)
}

// MakeOfficialIfDue makes a notified claim official once its window has
// closed at now, and returns the event dated when it closed (OfficialAt),
// for the caller to record once. ok is false when nothing was due.
func (c *Claim) MakeOfficialIfDue(now time.Time) (ev deal.Event, ok bool) {
	if !c.WindowClosed(now) {
		return deal.Event{}, false
	}
	ev, err := c.MakeOfficial(now)
	return ev, err == nil
}

// LastDay is the customer's last day to decline, a date in their zone.
func (c *Claim) LastDay() time.Time { return LastDay(c.Country, c.OfficialAt) }

// Reminder kinds the record plans for a notified claim.
const (
	PlanClosing  = "cpor-window-closing"
	PlanOfficial = "cpor-official"
)

// ClosingNotice is how long before the window closes the channels are told.
const ClosingNotice = 24 * time.Hour

// Plans are the checks a claim needs from the sweep: a day before its decline
// window closes, and when it closes.
func (c *Claim) Plans() []ledger.Reminder {
	if c.Status != Notified || c.OfficialAt.IsZero() || c.ID == 0 {
		return nil
	}
	return []ledger.Reminder{
		{Subject: c.Subject(), Kind: PlanClosing, DueAt: c.OfficialAt.Add(-ClosingNotice)},
		{Subject: c.Subject(), Kind: PlanOfficial, DueAt: c.OfficialAt},
	}
}

// customerDay is the calendar day of t in the customer's zone (Zone), as a
// date at midnight UTC, so that days compare and print the same whatever the
// zone.
func (c *Claim) customerDay(t time.Time) time.Time {
	y, m, d := t.In(Zone(c.Country)).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
