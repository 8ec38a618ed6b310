package deal

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Event is what an operation did, in words fit for a deal's history.
type Event struct {
	Action string // stable verb: created, received, accepted, stage, won, ...
	Detail string
	// At is when it happened, for events that happen by the clock (an
	// expiry, a lapsed window) and are recorded later; zero means "now",
	// the moment the operation ran.
	At time.Time
}

// Draft holds what a user gives to create or record a deal.
type Draft struct {
	Kind               Kind
	Name               string
	Customer           Customer
	Location           string
	Value              Money
	Currency           string
	CloseDate          time.Time
	Notes              string
	Team               []Person
	Solutions          []Solution
	Role               Role
	Program            string
	SolutionArea       string
	SolutionPlay       string
	Intent             Intent
	AssessmentLocation string
	Help               Help
	Share              bool // "Do you want Microsoft sellers to see this deal?"
	CRMID, CampaignID  string

	// For inbound referrals recorded by hand.
	From       string
	ReceivedAt time.Time
	// ExpiresAt is when the sender says an inbound referral expires
	// (Partner Center's expirationDateTime, which Microsoft may extend);
	// ReferralWindow after ReceivedAt when zero.
	ExpiresAt time.Time
}

func (dr Draft) deal(now time.Time) *Deal {
	if dr.Currency == "" {
		dr.Currency = "USD"
	}
	if dr.Help == "" {
		dr.Help = HelpNone
	}
	if dr.Customer.Account == "" {
		dr.Customer.Account = Other
	}
	if dr.Kind == IPCoSell && dr.Intent == "" {
		dr.Intent = IntentUndecided
	}
	cust := dr.Customer
	cust.Name = OneLine(cust.Name)
	return &Deal{
		Name: OneLine(dr.Name), Kind: dr.Kind, Customer: cust, Location: dr.Location,
		Value: dr.Value, Currency: strings.ToUpper(dr.Currency), CloseDate: dr.CloseDate, Notes: dr.Notes,
		Team: dr.Team, Solutions: dr.Solutions, Role: dr.Role, Program: dr.Program,
		SolutionArea: dr.SolutionArea, SolutionPlay: dr.SolutionPlay, Intent: dr.Intent,
		AssessmentLocation: dr.AssessmentLocation, Help: dr.Help, CRMID: dr.CRMID, CampaignID: dr.CampaignID,
		CreatedAt: now, UpdatedAt: now,
	}
}

// New creates an outbound deal. Its sale type follows Partner Center's two
// questions: help other than none makes it co-sell (and opens Microsoft's
// 14-day decision window); otherwise sharing makes it partner-led, and not
// sharing keeps it private.
func New(dr Draft, now time.Time) (*Deal, Event, error) { return newDeal(dr, now, nil) }

func newDeal(dr Draft, now time.Time, exempt []string) (*Deal, Event, error) {
	d := dr.deal(now)
	d.Direction, d.Status, d.Stage = Outbound, Created, StageCreated
	switch {
	case d.Help != HelpNone:
		d.SaleType = CoSell
		d.Microsoft, d.InvitedAt, d.DecisionDue = MSInvited, now, now.Add(MicrosoftDecisionWindow)
	case dr.Share:
		d.SaleType = PartnerLed
	default:
		d.SaleType = Private
	}
	if dr.From != "" || !dr.ReceivedAt.IsZero() {
		return nil, Event{}, refuse("from", "from_inbound_only", "from= and received= describe inbound referrals: use deal receive")
	}
	p := locationAtCreation(d, append(d.check(now, true), givenForNothing(d)...))
	if d.Kind == SolutionAssessment && d.Customer.Contact == nil {
		// Seed 002: a solution assessment's primary customer contact is
		// mandatory (for Microsoft's assessment specialist), not only when
		// Microsoft is invited as on other deals.
		p.add("contact", "contact_required_assessment", "a solution assessment deal needs the customer's primary contact, for Microsoft's assessment specialist: contact=\"Name <email> +phone\" consent=yes")
	}
	if p = p.without(exempt); len(p) > 0 {
		return nil, Event{}, p
	}
	return d, Event{Action: "created", Detail: fmt.Sprintf("created %s deal \"%s\" (%s) for %s", KindLabel(d.Kind), d.Name, SaleTypeLabel(d.SaleType), d.Customer.Name)}, nil
}

// assessmentNoSaleType starts every refusal of a sale type on a solution
// assessment deal.
const assessmentNoSaleType = "a solution assessment deal has no sale type to choose"

// givenForNothing refuses, when a deal is made, what was given that the
// deal does not use, which it would keep and show as if it did: consent=yes
// without a contact (consent is the customer's agreement to share one
// person's details; kept alone it would stand for whoever is added later),
// and an assessment location on a deal that is no solution assessment.
// Checked when a deal is made, not by check: deals stored so before still
// change.
func givenForNothing(d *Deal) Problems {
	var p Problems
	if d.Customer.Consent && d.Customer.Contact == nil {
		p.add("consent", "consent_without_contact", "consent=yes is the customer's agreement to share a contact, and there is none: add contact=\"Name <email> +phone\", or leave consent out")
	}
	if d.Kind != SolutionAssessment && d.AssessmentLocation != "" {
		p.add("assessment_location", "assessment_location_sa_only", "assessment_location= is the country of a solution assessment (kind=sa); a %s deal has none: leave it out", KindLabel(d.Kind))
	}
	if d.Kind == SolutionAssessment && d.Direction == Outbound {
		// Seed 004: the sale type questions (help from Microsoft, sharing
		// with its sellers) are asked for the other solution types only.
		switch d.SaleType {
		case CoSell:
			p.add("help", "help_assessment", "%s: leave help= out (asking Microsoft sellers for help makes a co-sell deal, which Partner Center offers for the other kinds only)", assessmentNoSaleType)
		case PartnerLed:
			p.add("share", "share_assessment", "%s: leave share= out (sharing with Microsoft sellers makes a partner-led deal, which Partner Center offers for the other kinds only)", assessmentNoSaleType)
		}
	}
	return p
}

// Receive records an inbound referral sent by Microsoft or another partner.
// It expires ReferralWindow after it was received unless answered.
func Receive(dr Draft, now time.Time) (*Deal, Event, error) { return receiveDeal(dr, now, nil) }

func receiveDeal(dr Draft, now time.Time, exempt []string) (*Deal, Event, error) {
	d := dr.deal(now)
	d.Direction, d.Status, d.SaleType = Inbound, Received, CoSell
	d.From = dr.From
	d.ReceivedAt = dr.ReceivedAt
	if d.ReceivedAt.IsZero() {
		d.ReceivedAt = now
	}
	d.ExpiresAt = d.ReceivedAt.Add(ReferralWindow)
	if !dr.ExpiresAt.IsZero() {
		d.ExpiresAt = dr.ExpiresAt
	}
	if err := checkSender(d.From); err != nil {
		return nil, Event{}, err
	}
	if strings.HasPrefix(d.From, "partner:") {
		d.SaleType = PartnerLed
	} else {
		// Microsoft's sellers sent it: Microsoft is engaged from the start.
		d.Microsoft = MSAccepted
	}
	var p Problems
	if d.ReceivedAt.After(now) {
		p.add("received", "received_not_future", "the received %s is in the future (it is %s now)", dateOrMoment(d.ReceivedAt), Moment(now))
	} else if !now.Before(d.ExpiresAt) {
		p.add("received", "received_not_expired", "a referral received on %s expired on %s: Partner Center has archived it already", d.ReceivedAt.Format(time.DateOnly), d.ExpiresAt.Format(time.DateOnly))
	}
	if d.Help != HelpNone {
		return nil, Event{}, refuse("help", "help_outbound_only", "help= is asked on deals you create; an inbound referral already involves its sender")
	}
	if d.Kind == SolutionAssessment && !slices.Contains(exempt, "sa_not_received") {
		// Only vetted partners create them (DOMAIN); Partner Center lists
		// them among the partner's outbound deals (seed 002). The one
		// problem to say: the assessment's own rules would follow it.
		return nil, Event{}, refuse("kind", "sa_not_received", "solution assessment deals are created by a vetted partner (deal new kind=sa), never received from a sender")
	}
	if d.Kind == P2P && d.From == "microsoft" {
		p.add("from", "p2p_from_partner", "a partner-to-partner referral is sent by a partner: from=\"partner:NAME\"")
	}
	p = locationAtCreation(d, append(append(p, d.check(now, true)...), givenForNothing(d)...)).without(exempt)
	if len(p) > 0 {
		return nil, Event{}, p
	}
	return d, Event{Action: "received", Detail: fmt.Sprintf("received %s referral from %s for %s; expires %s", KindLabel(d.Kind), SenderLabel(d.From), d.Customer.Name, d.ExpiresAt.Format(time.DateOnly))}, nil
}

func checkSender(from string) error {
	if from == "microsoft" {
		return nil
	}
	if name, ok := strings.CutPrefix(from, "partner:"); ok && strings.TrimSpace(name) != "" {
		return nil
	}
	return refuse("from", "from_sender", "from must be microsoft or \"partner:NAME\", got %q", from)
}

// SenderLabel names who sent a referral: "Microsoft" or "partner NAME".
func SenderLabel(from string) string {
	if name, ok := strings.CutPrefix(from, "partner:"); ok {
		return "partner " + name
	}
	return "Microsoft"
}

// mutable refuses any change to a terminal deal, and to a received
// referral whose 14 days ran out at now even if nobody has recorded the
// expiry yet: the rule holds at the moment a person acts, not when a sweep
// last ran.
func (d *Deal) mutable(verb string, now time.Time) error {
	if d.Status != "" && d.Status == leadsTo[verb] {
		// A second click on the button that did it, or a command typed
		// again: say what the deal already is (same rule as any other
		// refusal in that state, so scripts see no difference).
		rule := "terminal_immutable"
		if !d.Status.Terminal() {
			rule = "status_" + strings.ReplaceAll(verb, " ", "_")
		}
		return refuse("status", rule, "deal %d is already %s: nothing to do", d.ID, d.Status.Label())
	}
	if d.ExpiredAt(now) {
		return refuse("status", "referral_expired", "referral #%d expired on %s, unanswered: it can no longer be accepted, declined or changed (tried to %s)", d.ID, d.ExpiresAt.UTC().Format(time.DateOnly), verb)
	}
	if d.Status == Expired && !d.ExpiresAt.IsZero() {
		return refuse("status", "terminal_immutable", "referral #%d expired on %s, unanswered: nothing can change once a deal is won, lost, declined, expired or closed as error (tried to %s)", d.ID, d.ExpiresAt.UTC().Format(time.DateOnly), verb)
	}
	if d.Status.Terminal() {
		return refuse("status", "terminal_immutable", "deal %d is %s: nothing can change once a deal is won, lost, declined, expired or closed as error (tried to %s)", d.ID, d.Status.Label(), verb)
	}
	return nil
}

// leadsTo is the status a verb leaves a deal in, for the verbs that end
// in one.
var leadsTo = map[string]Status{"accept": Accepted, "decline": Declined, "expire": Expired, "mark won": Won, "mark lost": Lost, "close as error": Error}

func (d *Deal) needStatus(verb string, now time.Time, allowed ...Status) error {
	if err := d.mutable(verb, now); err != nil {
		return err
	}
	if !slices.Contains(allowed, d.Status) {
		names := make([]string, len(allowed))
		for i, s := range allowed {
			names[i] = s.Label()
		}
		return refuse("status", "status_"+strings.ReplaceAll(verb, " ", "_"), "cannot %s deal %d while it is %s (only when %s)%s", verb, d.ID, d.Status.Label(), strings.Join(names, " or "), d.answerFirst(verb))
	}
	return nil
}

// answerFirst points a refusal on a received referral to what comes first:
// accepting it (with the keys it still lacks), or, where the person meant
// to end it (mark lost), declining it.
func (d *Deal) answerFirst(verb string) string {
	if d.Status != Received {
		if verb == "decline" && d.Status.Active() {
			// Answered already (a Decline pressed on an old card): an open
			// deal the partner gives up is lost (a tester got no next step).
			return fmt.Sprintf(": a deal you no longer pursue is marked lost (deal lost %d reason=…)", d.ID)
		}
		return ""
	}
	accept := fmt.Sprintf("deal accept %d", d.ID)
	for _, k := range AcceptAsks(d) {
		accept += " " + k + "=…"
	}
	if verb == "mark lost" {
		return fmt.Sprintf(": a referral you do not take is declined (deal decline %d reason=…); one you take is accepted first (%s)", d.ID, accept)
	}
	return fmt.Sprintf(": accept the referral first (%s)", accept)
}

// statusLabels are the statuses as replies write them in a sentence
// ("deal 3 is closed as error"), as vocab.Statuses labels them.
var statusLabels = map[Status]string{Error: "closed as error"}

// Label is the status as a sentence writes it: its name, and "closed as
// error" for Error.
func (s Status) Label() string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return string(s)
}

// dateOrMoment names a moment with its time ("time 2026-11-29 23:59
// UTC"), or a date alone when it is a day's midnight, a date given without
// a time ("date 2026-11-30").
func dateOrMoment(t time.Time) string {
	t = t.UTC()
	if t.Equal(day(t)) {
		return "date " + t.Format(time.DateOnly)
	}
	return "time " + Moment(t)
}

// Changes are edits to a deal; nil fields stay as they are.
type Changes struct {
	Name, Notes, CRMID, CampaignID *string
	Value                          *Money
	Currency                       *string
	CloseDate                      *time.Time
	Team                           []Person
	Solutions                      []Solution
	Intent                         *Intent
	Microsoft                      *MicrosoftState
	// Account records Microsoft's account matching: an "other" (DUNS)
	// account found to be a managed one.
	Account *AccountClass
}

func (c Changes) onlyAnswers() bool {
	return (c.Microsoft != nil || c.Account != nil) && c.Name == nil && c.Notes == nil && c.CRMID == nil && c.CampaignID == nil &&
		c.Value == nil && c.Currency == nil && c.CloseDate == nil && c.Team == nil && c.Solutions == nil && c.Intent == nil
}

// given lists the chat keys of the changes c carries, in Editable's order.
func (c Changes) given() []string {
	set := []bool{c.Name != nil, c.Notes != nil, c.CRMID != nil, c.CampaignID != nil, c.Value != nil, c.Currency != nil,
		c.CloseDate != nil, c.Team != nil, c.Solutions != nil, c.Intent != nil, c.Microsoft != nil, c.Account != nil}
	var keys []string
	for i, ok := range set {
		if ok {
			keys = append(keys, Editable[i])
		}
	}
	return keys
}

// Editable lists the chat keys that deal edit accepts.
var Editable = []string{"name", "notes", "crm_id", "campaign_id", "value", "currency", "close", "team", "solution", "intent", "microsoft", "account"}

func (d *Deal) apply(c Changes) []string {
	var what []string
	set := func(label string, dst *string, v *string) {
		if v != nil && *v != *dst {
			*dst = *v
			what = append(what, label)
		}
	}
	if c.Name != nil {
		one := OneLine(*c.Name)
		set("name", &d.Name, &one)
	}
	set("notes", &d.Notes, c.Notes)
	set("CRM ID", &d.CRMID, c.CRMID)
	set("campaign ID", &d.CampaignID, c.CampaignID)
	if c.Currency != nil {
		up := strings.ToUpper(*c.Currency)
		set("currency "+up, &d.Currency, &up)
	}
	if c.Value != nil && *c.Value != d.Value {
		d.Value = *c.Value
		what = append(what, "value "+d.Value.String()+" "+d.Currency)
	}
	if c.CloseDate != nil && !c.CloseDate.Equal(d.CloseDate) {
		d.CloseDate = *c.CloseDate
		what = append(what, "close date "+d.CloseDate.Format(time.DateOnly))
	}
	if c.Team != nil && !slices.Equal(c.Team, d.Team) {
		d.Team = c.Team
		what = append(what, "team")
	}
	if c.Solutions != nil && !slices.Equal(c.Solutions, d.Solutions) {
		d.Solutions = c.Solutions
		what = append(what, "solutions")
	}
	if c.Intent != nil && *c.Intent != d.Intent {
		d.Intent = *c.Intent
		what = append(what, "marketplace intent "+d.Intent.Label())
	}
	if c.Microsoft != nil && *c.Microsoft != d.Microsoft {
		d.Microsoft = *c.Microsoft
		what = append(what, "Microsoft "+string(d.Microsoft))
	}
	if c.Account != nil && *c.Account != d.Customer.Account {
		d.Customer.Account = *c.Account
		what = append(what, "customer account matched to a Microsoft managed account")
	}
	return what
}

// Accept answers a received referral: the partner commits to work it. The
// deal must then carry a name, value, close date and notes.
func (d *Deal) Accept(c Changes, now time.Time) (Event, error) {
	if err := d.needStatus("accept", now, Received); err != nil {
		return Event{}, err
	}
	if c.Solutions != nil || c.Intent != nil || c.Microsoft != nil || c.Account != nil {
		return Event{}, refuse("solution", "accept_fields", "accepting takes name, value, close, notes, crm_id, campaign_id and team; edit the rest afterwards")
	}
	next := d.Clone()
	next.apply(c)
	next.Status, next.Stage = Accepted, StageAccepted
	next.UpdatedAt = now
	if p := next.check(now, true); len(p) > 0 {
		return Event{}, p.acceptHint(d.ID)
	}
	*d = *next
	return Event{Action: "accepted", Detail: fmt.Sprintf("accepted \"%s\": %s %s, closing %s", d.Name, d.Value, d.Currency, d.CloseDate.Format(time.DateOnly))}, nil
}

// acceptRequired are the keys a referral may arrive without (one recorded
// by hand, a partner's) that accepting it needs, by their rule names.
var acceptRequired = []struct{ rule, key string }{
	{"name_required", "name"}, {"value_required", "value"}, {"close_required", "close"}, {"notes_required", "notes"},
}

// AcceptAsks are the keys a received referral lacks that accepting it
// needs, for a button to ask (chat forms ask every accept key anyway; the
// shell prints them).
func AcceptAsks(d *Deal) []string {
	var ask []string
	for _, k := range acceptRequired {
		var missing bool
		switch k.key {
		case "name":
			missing = strings.TrimSpace(d.Name) == ""
		case "value":
			missing = d.Value <= 0
		case "close":
			missing = d.CloseDate.IsZero()
		case "notes":
			missing = strings.TrimSpace(d.Notes) == ""
		}
		if missing {
			ask = append(ask, k.key)
		}
	}
	return ask
}

// acceptHint ends the refusal of an accept that lacks required keys with
// the command that gives them all, so that the person can type it at once.
func (p Problems) acceptHint(id int64) Problems {
	var keys []string
	last := -1
	for _, k := range acceptRequired {
		if i := slices.IndexFunc(p, func(e *RuleError) bool { return e.Rule == k.rule }); i >= 0 {
			keys = append(keys, k.key+"=…")
			last = max(last, i)
		}
	}
	if last < 0 {
		return p
	}
	out := slices.Clone(p)
	e := *out[last]
	e.Message += fmt.Sprintf(" (accept with them: deal accept %d %s)", id, strings.Join(keys, " "))
	out[last] = &e
	return out
}

// Decline turns a received referral down. The event says truthfully how
// the sender learns of it (see whoIsTold).
func (d *Deal) Decline(reason, notes string, now time.Time) (Event, error) {
	if err := d.needStatus("decline", now, Received); err != nil {
		return Event{}, err
	}
	if strings.TrimSpace(reason) == "" {
		return Event{}, refuse("reason", "decline_reason", "declining needs a reason, like reason=\"no capacity\"")
	}
	d.Status, d.Reason, d.UpdatedAt = Declined, reason, now
	d.DeclineNotes = strings.TrimSpace(notes) // the referral's own notes stay: they are the sender's
	why := reason
	if d.DeclineNotes != "" {
		why += " (" + d.DeclineNotes + ")"
	}
	return Event{Action: "declined", Detail: fmt.Sprintf("declined: %s; %s", why, d.whoIsTold("decline"))}, nil
}

// ClosedUnanswered records that the sender's system (Partner Center)
// expired or declined a referral before the partner's acceptance reached
// it: Partner Center takes no answer to a closed referral, so the
// acceptance, made here a moment too late, is void. The deal is closed as
// the sender's system says, at its time.
func (d *Deal) ClosedUnanswered(status Status, reason string, at time.Time) (Event, error) {
	if d.Status != Accepted || d.Direction != Inbound {
		return Event{}, refuse("status", "status_"+string(status), "deal #%d is %s: only a received referral can be %s", d.ID, d.Status.Label(), status)
	}
	accepted := "the acceptance"
	switch status {
	case Expired:
		d.Status, d.ExpiresAt = Expired, at
	case Declined:
		if strings.TrimSpace(reason) == "" {
			return Event{}, refuse("reason", "decline_reason", "declining needs a reason")
		}
		d.Status, d.Reason = Declined, reason
	default:
		return Event{}, refuse("status", "status_known", "a referral is closed unanswered as expired or declined, not %s", status)
	}
	d.Stage, d.UpdatedAt = "", at
	detail := fmt.Sprintf("%s in Partner Center at %s UTC, before %s reached it: Partner Center takes no answer to a closed referral, so %s is void", status, at.UTC().Format("2006-01-02 15:04"), accepted, accepted)
	if status == Declined {
		detail += ": " + reason
	}
	return Event{Action: string(status), Detail: detail, At: at}, nil
}

// ClosedThereFirst records that Partner Center closed the referral as
// status, at at, while the deal was being closed here otherwise (a CRM
// user's won against a Partner Center user's lost): Partner Center takes
// no change to a closed referral, so its close stands and the one made
// here is void. stage is the referral's last sales stage, when it says.
// A close as error is the partner's own, which Partner Center cannot say:
// never replaced.
func (d *Deal) ClosedThereFirst(status Status, reason string, stage Stage, at time.Time) (Event, error) {
	if !d.Status.Terminal() || !status.Terminal() || status == d.Status || d.Status == Error || status == Error {
		return Event{}, refuse("status", "terminal_immutable", "deal %d is %s: nothing can change once a deal is won, lost, declined, expired or closed as error", d.ID, d.Status.Label())
	}
	was := d.Status
	switch status {
	case Won:
		d.Stage, d.WonAt, d.Reason = StageWon, at, ""
	case Expired:
		d.Stage, d.ExpiresAt, d.WonAt = "", at, time.Time{}
	default: // lost, declined
		if strings.TrimSpace(reason) == "" {
			return Event{}, refuse("reason", "reason_required", "a %s deal needs a reason", status.Label())
		}
		d.Reason, d.WonAt = reason, time.Time{}
		if stage != "" && stage != StageWon {
			d.Stage = stage
		} else if d.Stage == StageWon {
			d.Stage = ""
		}
	}
	d.Status, d.UpdatedAt = status, at
	detail := fmt.Sprintf("%s in Partner Center at %s UTC, where the referral was closed before it was marked %s here: Partner Center takes no change to a closed referral, so its close stands and %s here is void", status, at.UTC().Format("2006-01-02 15:04"), was.Label(), was.Label())
	if d.Reason != "" && status != Won {
		detail += ": " + d.Reason
	}
	return Event{Action: string(status), Detail: detail, At: at}, nil
}

// AmendClose takes what a system changed in the same save as it closed the
// deal (before: or earlier, told after the close): HubSpot tells "amount
// 70,000, close date, Closed won" as three events of one time, in any
// order, and the close must not be judged on the values it replaced. Only the figures and texts of the deal (name,
// value, currency, close date, notes) may come along; the caller checks
// that the change is of the close's own time.
func (d *Deal) AmendClose(c Changes, now time.Time, before bool) (Event, error) {
	if !d.Status.Terminal() {
		return Event{}, d.needStatus("amend the close of", now, Won, Lost, Declined, Expired, Error)
	}
	if c.CRMID != nil || c.CampaignID != nil || c.Team != nil || c.Solutions != nil || c.Intent != nil || c.Microsoft != nil || c.Account != nil {
		return Event{}, refuse("status", "terminal_immutable", "deal #%d is %s: nothing can change once a deal is terminal", d.ID, d.Status.Label())
	}
	what := d.apply(c)
	if p := d.check(now, false); len(p) > 0 {
		return Event{}, p
	}
	when := "the same save"
	if before {
		when = "changed before the close, told after it"
	}
	return Event{Action: "edited", Detail: fmt.Sprintf("%s with %s (%s)", d.Status, strings.Join(what, ", "), when)}, nil
}

// Expire archives a referral nobody answered within ReferralWindow.
// The event is dated at the real expiry (ExpiresAt), whatever now is, so
// that history tells when it happened rather than when it was noticed.
func (d *Deal) Expire(now time.Time) (Event, error) {
	if d.Status != Received {
		return Event{}, d.needStatus("expire", now, Received)
	}
	if now.Before(d.ExpiresAt) {
		return Event{}, refuse("expires_at", "expire_not_due", "deal %d expires only at %s", d.ID, d.ExpiresAt.UTC().Format(time.RFC3339))
	}
	d.Status, d.UpdatedAt = Expired, d.ExpiresAt
	return Event{Action: "expired", Detail: "expired unanswered; " + d.whoIsTold("expiry"), At: d.ExpiresAt}, nil
}

// Edit changes the fields Partner Center lets a partner change on a created or
// accepted deal. Location, kind and customer are fixed; an assessment's
// solution is too.
//
// Microsoft's answer is the exception: it is Microsoft's to give, and a won
// deal waits for it (registration needs Microsoft to accept or mark won), so
// it can still be recorded once the partner has marked the deal won.
func (d *Deal) Edit(c Changes, now time.Time) (Event, error) {
	if !(d.Status == Won && c.onlyAnswers()) {
		if err := d.needStatus("edit", now, Created, Accepted); err != nil {
			return Event{}, err
		}
	}
	if c.Team != nil && len(c.Team) == 0 && len(d.Team) > 0 {
		// One team rule on every path (RemoveMember's): an edit, or a
		// system saving an empty team, does not remove the last member.
		return Event{}, refuse("team", "team_required", "a deal keeps at least one team member: name who works on deal %d (deal team add %d \"Name <email> +phone\")", d.ID, d.ID)
	}
	if c.Solutions != nil && d.Kind == SolutionAssessment {
		return Event{}, refuse("solution", "assessment_solution_fixed", "the assessment type of a solution assessment deal cannot change after creation")
	}
	if c.Intent != nil && d.Kind != IPCoSell {
		return Event{}, refuse("intent", "intent_ip_only", "marketplace intent applies to IP co-sell deals only")
	}
	if c.Microsoft != nil {
		switch *c.Microsoft {
		case MSAccepted, MSDeclined, MSWon:
			if d.Microsoft == MSNone {
				return Event{}, refuse("microsoft", "microsoft_not_invited", "Microsoft was not invited to deal %d: deal invite %d microsoft help=...", d.ID, d.ID)
			}
			if *c.Microsoft == MSDeclined && d.From == "microsoft" {
				// Its sellers sent the referral: there was no invitation
				// to decline, and registration would then be refused.
				return Event{}, refuse("microsoft", "microsoft_sent_it", "Microsoft sent deal %d: it is on the deal from the start, and there is no invitation to decline (microsoft= records the answer to one, or that Microsoft marked the deal won)", d.ID)
			}
		default:
			return Event{}, refuse("microsoft", "microsoft_answer", "microsoft must be accepted, declined or won, got %q", *c.Microsoft)
		}
		if d.Status == Won && *c.Microsoft != d.Microsoft && !microsoftForward(d.Microsoft, *c.Microsoft) {
			// A won deal's registration rests on the answer: a tester turned
			// one's "won" to "declined" and back, registration flipping each
			// time. While the deal is open a mistyped answer may still be
			// corrected; once won it only moves on.
			return Event{}, refuse("microsoft", "microsoft_answer_final", "deal %d is won and Microsoft's answer is %s: on a won deal it only moves on (an invitation to an answer, accepted to won), not to %s", d.ID, msLabel(d.Microsoft), *c.Microsoft)
		}
		if d.MicrosoftWindowClosed(now) {
			return Event{}, refuse("microsoft", "microsoft_window_closed", "Microsoft's 14 days to decide on deal %d ended on %s without an answer: its answer can no longer be recorded; invite Microsoft again on a new deal or carry on partner-led", d.ID, d.DecisionDue.UTC().Format(time.DateOnly))
		}
	}
	if c.Account != nil {
		if *c.Account != Managed {
			return Event{}, refuse("account", "account_match_managed", "account= records Microsoft's account matching: only account=managed is accepted, got %q", *c.Account)
		}
		if d.Customer.Account != Other {
			return Event{}, refuse("account", "account_match_other", "only an \"other\" (DUNS) account is matched to a managed one; deal %d's account is %s", d.ID, d.Customer.Account)
		}
	}
	next := d.Clone()
	what := next.apply(c)
	if len(what) == 0 {
		if given := c.given(); len(given) > 0 {
			// Typed back as the card shows it: say so rather than ask for
			// what was given.
			return Event{}, refuse(given[0], "edit_nothing", "nothing to change: deal %d already has the %s given", d.ID, strings.Join(given, ", "))
		}
		return Event{}, refuse("field", "edit_nothing", "nothing to change: give at least one of %s", strings.Join(Editable, ", "))
	}
	next.UpdatedAt = now
	if p := next.check(now, c.CloseDate != nil).newSince(d.check(now, false)); len(p) > 0 {
		return Event{}, p
	}
	*d = *next
	return Event{Action: "edited", Detail: "changed " + strings.Join(what, ", ")}, nil
}

// HasMember reports whether a member of d's own team has the e-mail
// address (any case, spaces around it ignored): members are told apart by
// it. (OnTeam also counts the invited partners' teams.)
func (d *Deal) HasMember(email string) bool {
	email = strings.TrimSpace(email)
	return slices.ContainsFunc(d.Team, func(m Person) bool { return strings.EqualFold(strings.TrimSpace(m.Email), email) })
}

// AddMember puts a person on the deal team.
func (d *Deal) AddMember(p Person, now time.Time) (Event, error) {
	if err := d.mutable("change the team", now); err != nil {
		return Event{}, err
	}
	if probs := CheckPerson("team", p); len(probs) > 0 {
		return Event{}, probs
	}
	if d.HasMember(p.Email) {
		return Event{}, refuse("team", "team_unique", "%s is already on the team of deal %d", p.Email, d.ID)
	}
	d.Team = append(d.Team, p)
	d.UpdatedAt = now
	return Event{Action: "team", Detail: fmt.Sprintf("added %s <%s> to the team", p.Name, p.Email)}, nil
}

// RemoveMember takes a person off the team; an outbound deal keeps at least one.
func (d *Deal) RemoveMember(email string, now time.Time) (Event, error) {
	if err := d.mutable("change the team", now); err != nil {
		return Event{}, err
	}
	i, err := d.member(email)
	if err != nil {
		return Event{}, err
	}
	if len(d.Team) == 1 { // the team rule of check, for inbound and outbound deals alike
		return Event{}, refuse("team", "team_required", "a deal keeps at least one team member: add someone before removing %s", d.Team[i].Email)
	}
	removed := d.Team[i]
	d.Team = slices.Delete(slices.Clone(d.Team), i, i+1)
	d.UpdatedAt = now
	return Event{Action: "team", Detail: fmt.Sprintf("removed %s <%s> from the team", removed.Name, removed.Email)}, nil
}

// stageLabel names a stage as Partner Center shows it ("Proposed (60%)"),
// the way cards print it, rather than by its command slug.
func stageLabel(k Kind, s Stage) string {
	if info, ok := StageOf(k, s); ok {
		return fmt.Sprintf("%s (%d%%)", info.Label, info.Percent)
	}
	return string(s)
}

// member finds a team member as people name one: the e-mail, the card's
// "Name <email> +phone" line pasted back, or the name when only one member
// has it (any case).
func (d *Deal) member(who string) (int, error) {
	who = strings.TrimSpace(who)
	email := who
	if open, end := strings.IndexByte(who, '<'), strings.IndexByte(who, '>'); open >= 0 && end > open {
		email = strings.TrimSpace(who[open+1 : end])
	}
	if i := slices.IndexFunc(d.Team, func(m Person) bool { return strings.EqualFold(m.Email, email) }); i >= 0 {
		return i, nil
	}
	var named []int
	for i, m := range d.Team {
		if strings.EqualFold(strings.Join(strings.Fields(m.Name), " "), strings.Join(strings.Fields(who), " ")) {
			named = append(named, i)
		}
	}
	if len(named) == 1 {
		return named[0], nil
	}
	var emails []string // those called so, or else everyone
	for i, m := range d.Team {
		if len(named) == 0 || slices.Contains(named, i) {
			emails = append(emails, m.Email)
		}
	}
	if len(named) > 1 {
		return -1, refuse("team", "team_member_unique", "%d members of deal %d are called %s: name one by e-mail (%s)", len(named), d.ID, who, strings.Join(emails, ", "))
	}
	return -1, refuse("team", "team_member_known", "%s is not on the team of deal %d; its members: %s", who, d.ID, strings.Join(emails, ", "))
}

// StageStatus refuses marking a stage on a deal in a status that takes
// none (received, or terminal), as MarkStage would: the refusal of a stage
// nobody can read names that rule too.
func (d *Deal) StageStatus(now time.Time) error {
	return d.needStatus("mark a stage on", now, Created, Accepted)
}

// MarkStage moves an active deal to a sales stage. Stages only move forward.
// For solution assessments every stage is mandatory, so they are marked in
// order; co-sell deals may skip stages.
func (d *Deal) MarkStage(s Stage, now time.Time) (Event, error) {
	if err := d.StageStatus(now); err != nil {
		return Event{}, err
	}
	if s == StageWon {
		return Event{}, refuse("stage", "stage_won_verb", "mark a deal won with: deal won %d", d.ID)
	}
	markable := Markable(d.Kind)
	target := slices.Index(markable, s)
	if target < 0 {
		if s == StageCreated || s == StageAccepted {
			// Where a deal starts (the card shows "Accepted (10%, …)"):
			// a stage of the kind, behind every stage that can be marked.
			return Event{}, refuse("stage", "stage_forward", "%s is where a deal starts, not a stage to mark: deal %d is at %s, and stages move forward only; mark one of %s", stageLabel(d.Kind, s), d.ID, stageLabel(d.Kind, d.Stage), stageNames(d.Kind))
		}
		return Event{}, refuse("stage", "stage_known", "%q is not a stage of %s deals: use one of %s", s, KindLabel(d.Kind), stageNames(d.Kind))
	}
	current := slices.Index(markable, d.Stage)
	if target <= current {
		return Event{}, refuse("stage", "stage_forward", "deal %d is already at %s: stages move forward only", d.ID, stageLabel(d.Kind, d.Stage))
	}
	if d.Kind == SolutionAssessment && target != current+1 {
		next := markable[current+1]
		return Event{}, refuse("stage", "assessment_stage_order", "solution assessment stages are all mandatory and marked in order: next is %s (deal stage %d %s)", stageLabel(d.Kind, next), d.ID, next)
	}
	d.Stage = s
	d.Marked = append(slices.Clone(d.Marked), s)
	d.UpdatedAt = now
	info, _ := StageOf(d.Kind, s)
	return Event{Action: "stage", Detail: fmt.Sprintf("moved to %s (%d%%)", info.Label, info.Percent)}, nil
}

// NextStage is the stage a "next stage" button moves to, if any.
func (d *Deal) NextStage() (Stage, bool) {
	if !d.Status.Active() {
		return "", false
	}
	markable := Markable(d.Kind)
	i := slices.Index(markable, d.Stage) + 1
	if i >= len(markable) {
		return "", false
	}
	return markable[i], true
}

// Win marks the deal won. A solution assessment needs every stage marked first.
func (d *Deal) Win(now time.Time) (Event, error) {
	if err := d.needStatus("mark won", now, Created, Accepted); err != nil {
		return Event{}, err
	}
	if d.Kind == SolutionAssessment {
		for _, s := range Markable(d.Kind) {
			if !slices.Contains(d.Marked, s) {
				return Event{}, refuse("stage", "assessment_stages_before_won", "a solution assessment is won only once every stage is marked: %s is not (deal stage %d %s)", stageLabel(d.Kind, s), d.ID, s)
			}
		}
	}
	d.Status, d.Stage, d.WonAt, d.UpdatedAt = Won, StageWon, now, now
	detail := fmt.Sprintf("won at %s %s", d.Value, d.Currency)
	// Registration may be rejected for a deal won within 72 hours of its
	// creation: say so the moment it is won, on every path (chat, button,
	// CRM webhook), not only when someone later asks deal register.
	if d.Kind == IPCoSell || d.Kind == P2P {
		if d.SaleType == Private {
			detail += " (private: it can no longer be registered)"
		} else if gap, early := d.wonEarly(); early {
			detail += fmt.Sprintf(" (%s after creation: registration may be rejected before 72 hours)", hoursMinutes(gap))
		}
	}
	return Event{Action: "won", Detail: detail}, nil
}

// Lose marks the deal lost, with a reason.
func (d *Deal) Lose(reason string, now time.Time) (Event, error) {
	if err := d.needStatus("mark lost", now, Created, Accepted); err != nil {
		return Event{}, err
	}
	if strings.TrimSpace(reason) == "" {
		return Event{}, refuse("reason", "lost_reason", "a lost deal needs a reason, like reason=\"budget cut\"")
	}
	d.Status, d.Reason, d.UpdatedAt = Lost, reason, now
	return Event{Action: "lost", Detail: "lost: " + reason}, nil
}

// CloseAsError takes a deal out of the pipeline at any time before it is
// terminal, e.g. a duplicate or the wrong customer.
func (d *Deal) CloseAsError(reason string, now time.Time) (Event, error) {
	if err := d.mutable("close as error", now); err != nil {
		return Event{}, err
	}
	if strings.TrimSpace(reason) == "" {
		return Event{}, refuse("reason", "error_reason", "closing as error needs a reason, like reason=duplicate or reason=\"wrong customer\"")
	}
	d.Status, d.Reason, d.UpdatedAt = Error, reason, now
	return Event{Action: "error", Detail: "closed as error: " + reason}, nil
}

// MicrosoftInvite is what inviting Microsoft takes: the help asked for and,
// unless the deal holds one already, the customer contact Microsoft's
// sellers will reach, with the customer's consent to share it. A deal made
// without a contact gets it here: it has no other place to be added, and
// Partner Center asks for it in the same step.
type MicrosoftInvite struct {
	Help    Help
	Contact *Person // nil: keep the deal's
	Consent bool    // the customer agreed to share Contact
}

// InviteMicrosoft asks Microsoft sellers for help; the deal becomes co-sell
// and Microsoft has 14 days to decide whether to join.
func (d *Deal) InviteMicrosoft(inv MicrosoftInvite, now time.Time) (Event, error) {
	if err := d.mutable("invite Microsoft to", now); err != nil {
		return Event{}, err
	}
	if d.Status == Received {
		return Event{}, refuse("status", "invite_after_accept", "accept deal %d before inviting anyone", d.ID)
	}
	if d.Kind == SolutionAssessment {
		// Seed 004: asking Microsoft sellers for help (co-sell) is one of
		// the sale types offered for the other solution types, not for
		// solution assessments, whose Microsoft side is the assessment
		// specialist working from the customer contact (seed 002).
		return Event{}, refuse("sale_type", "invite_microsoft_assessment", "%s: Partner Center asks for Microsoft sellers' help (co-sell) on the other kinds only; Microsoft's assessment specialist works from the customer contact deal %d carries", assessmentNoSaleType, d.ID)
	}
	if d.Microsoft != MSNone {
		if d.Microsoft == MSLapsed {
			// Not "already on": its window passed unanswered (a tester).
			return Event{}, refuse("microsoft", "microsoft_once", "Microsoft was invited to deal %d and its 14 days to decide passed without an answer: it cannot be invited again on this deal; invite Microsoft on a new deal or carry on partner-led", d.ID)
		}
		return Event{}, refuse("microsoft", "microsoft_once", "Microsoft is already on deal %d (%s)", d.ID, d.Microsoft)
	}
	// Every problem at once: a missing help and what an invitation with
	// help needs (the customer's contact, their consent) in one refusal,
	// rather than one per try.
	var probs Problems
	help := inv.Help
	if help == HelpNone || help == "" {
		probs.add("help", "help_needed", "say what help you need from Microsoft: help=%s", strings.Join(strings.Split(joinHelps(), ", ")[1:], "|"))
		help = HelpOther // stands in, so that the rules say what any help needs
	}
	next := d.Clone()
	next.Help, next.SaleType = help, CoSell
	if inv.Contact != nil {
		c := *inv.Contact
		next.Customer.Contact, next.Customer.Consent = &c, inv.Consent
	}
	next.Microsoft, next.InvitedAt, next.DecisionDue = MSInvited, now, now.Add(MicrosoftDecisionWindow)
	next.UpdatedAt = now
	if probs = append(probs, next.check(now, false)...); len(probs) > 0 {
		return Event{}, probs
	}
	*d = *next
	detail := fmt.Sprintf("invited Microsoft (help: %s); Microsoft decides by %s", inv.Help.Label(), d.DecisionDue.Format(time.DateOnly))
	if inv.Contact != nil {
		detail += "; customer contact " + inv.Contact.Name
	}
	return Event{Action: "invited", Detail: detail}, nil
}

// microsoftForward reports whether Microsoft's answer may move from one to
// the other: an invitation is answered, and an acceptance becomes a win.
func microsoftForward(from, to MicrosoftState) bool {
	switch from {
	case MSInvited:
		return to == MSAccepted || to == MSDeclined || to == MSWon
	case MSAccepted:
		return to == MSWon
	}
	return false
}

// InvitePartner invites another co-sell partner with its own share of the
// deal: value, close date, notes, team (defaulting to the deal's) and at
// least one solution.
func (d *Deal) InvitePartner(inv Invitation, now time.Time) (Event, error) {
	if err := d.mutable("invite a partner to", now); err != nil {
		return Event{}, err
	}
	if d.Status == Received {
		return Event{}, refuse("status", "invite_after_accept", "accept deal %d before inviting anyone", d.ID)
	}
	var p Problems
	if strings.TrimSpace(inv.Partner) == "" {
		p.add("partner", "partner_required", "name the partner to invite: partner=NAME")
	}
	if slices.ContainsFunc(d.Partners, func(o Invitation) bool { return strings.EqualFold(o.Partner, inv.Partner) }) {
		p.add("partner", "partner_once", "%s is already invited to deal %d", inv.Partner, d.ID)
	}
	if inv.Value <= 0 {
		p.add("value", "invite_value", "the invited partner's share of the value is required")
	}
	left := d.Value - invited(d) // what the partners already invited leave of the deal
	if inv.Currency == "" {
		inv.Currency = d.Currency
	} else if !ValidCurrency(inv.Currency) {
		p.add("currency", "currency_code", "currency must be a three-letter ISO code like USD or EUR, got %q", inv.Currency)
	} else if !strings.EqualFold(inv.Currency, d.Currency) {
		// Its part of the deal's value (seed 004): in another currency
		// there is no rate to hold it to the whole by.
		// The amount is theirs to work out: relabelled, 60,000 EUR became
		// a suggested "60,000 USD" that the next check refused.
		p.add("currency", "invite_currency", "the invited partner's share is part of deal %d's value: give it in %s, the deal's currency (value=\"… %s\", at most %s %s)", d.ID, d.Currency, d.Currency, left, d.Currency)
	}
	if strings.EqualFold(inv.Currency, d.Currency) && d.Value > 0 && inv.Value > left {
		// Its part of the overall deal (seed 004): with the parts already
		// invited, no more than the whole.
		if left < d.Value {
			p.add("value", "invite_value_share", "the invited partner's share (%s %s) is more than what the partners already invited leave of the deal (%s of %s %s): give their part of it", inv.Value, inv.Currency, left, d.Value, d.Currency)
		} else {
			p.add("value", "invite_value_share", "the invited partner's share (%s %s) is more than the whole deal (%s %s): give their part of it", inv.Value, inv.Currency, d.Value, d.Currency)
		}
	}
	if inv.CloseDate.IsZero() {
		p.add("close", "invite_close", "the date the invited partner should finish their part is required")
	} else if inv.CloseDate.Before(day(now)) {
		p.add("close", "close_in_future", "the close date %s is in the past: give a later one, close=YYYY-MM-DD", inv.CloseDate.Format(time.DateOnly))
	}
	if strings.TrimSpace(inv.Notes) == "" {
		p.add("notes", "invite_notes", "say why you invite this partner: notes=...")
	}
	switch {
	case d.Kind == SolutionAssessment && len(inv.Solutions) > 0:
		// Seeds 002 and 004: an SA deal carries exactly one assessment
		// type and no other solution, whoever brings it.
		p.add("solution", "assessment_no_other_solution", "a solution assessment deal carries exactly one assessment type and no other solution: invite the partner without solution=")
	case d.Kind != SolutionAssessment && len(inv.Solutions) == 0:
		p.add("solution", "invite_solution", "name at least one solution the invited partner brings: solution=NAME")
	}
	if inv.Help != "" && !slices.Contains(Helps, inv.Help) {
		p.add("help", "help_type", "help must be one of %s", joinHelps())
	}
	if len(inv.Team) == 0 {
		inv.Team = slices.Clone(d.Team)
	}
	for _, m := range inv.Team {
		p = append(p, CheckPerson("team", m)...)
	}
	if len(p) > 0 {
		return Event{}, p
	}
	inv.InvitedAt = now
	// Sharing with Microsoft is the partner's answer to its own question
	// ("Do you want Microsoft sellers to see this deal?"): inviting another
	// partner leaves the sale type as it was.
	d.Partners = append(slices.Clone(d.Partners), inv)
	d.UpdatedAt = now
	return Event{Action: "invited", Detail: fmt.Sprintf("invited partner %s for %s %s, closing %s", inv.Partner, inv.Value, inv.Currency, inv.CloseDate.Format(time.DateOnly))}, nil
}

// Upgrade widens a private deal to partner-led or co-sell (or a partner-led
// one to co-sell, inv saying what inviting Microsoft takes) at any time
// before it is terminal.
func (d *Deal) Upgrade(to SaleType, inv MicrosoftInvite, now time.Time) (Event, error) {
	if err := d.mutable("upgrade", now); err != nil {
		return Event{}, err
	}
	if d.Kind == SolutionAssessment {
		// Seed 004: the sale types are offered for the other solution
		// types, not for solution assessments.
		return Event{}, refuse("sale_type", "upgrade_assessment", "%s: Partner Center offers private, partner-led and co-sell for the other kinds only", assessmentNoSaleType)
	}
	rank := map[SaleType]int{Private: 0, PartnerLed: 1, CoSell: 2}
	target, ok := rank[to]
	if !ok || to == Private {
		return Event{}, refuse("sale_type", "upgrade_target", "upgrade to partner-led or cosell, got %q", to)
	}
	if target <= rank[d.SaleType] {
		return Event{}, refuse("sale_type", "upgrade_forward", "deal %d is already %s: upgrades only widen what Microsoft sees", d.ID, SaleTypeLabel(d.SaleType))
	}
	if to == CoSell {
		return d.InviteMicrosoft(inv, now)
	}
	d.SaleType, d.UpdatedAt = PartnerLed, now
	return Event{Action: "upgraded", Detail: "upgraded to partner-led: Microsoft sellers can now see the deal"}, nil
}

// ToggleFavorite tags or untags the deal with the heart. It is a personal
// bookmark, not an edit, so terminal deals may be tagged too.
func (d *Deal) ToggleFavorite(now time.Time) Event {
	d.Favorite = !d.Favorite
	d.UpdatedAt = now
	if d.Favorite {
		return Event{Action: "favorite", Detail: "added to favorites"}
	}
	return Event{Action: "favorite", Detail: "removed from favorites"}
}

// KindLabel is the name people use for a kind.
func KindLabel(k Kind) string {
	switch k {
	case IPCoSell:
		return "IP co-sell"
	case ServicesCoSell:
		return "services co-sell"
	case P2P:
		return "partner-to-partner"
	case SolutionAssessment:
		return "solution assessment"
	}
	return string(k)
}

// SaleTypeLabel is the name people use for a sale type.
func SaleTypeLabel(s SaleType) string {
	switch s {
	case PartnerLed:
		return "partner-led"
	case CoSell:
		return "co-sell"
	}
	return string(s)
}
