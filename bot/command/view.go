package command

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/vocab"
)

// DealView is a deal as JSON shows it, in Partner Center's vocabulary.
type DealView struct {
	ID           int64          `json:"id"`
	Version      int64          `json:"version"`
	Name         string         `json:"name,omitempty"` // a referral received has none until accepted
	Direction    deal.Direction `json:"direction"`
	Kind         deal.Kind      `json:"kind"`
	Visibility   deal.SaleType  `json:"visibility"`
	SaleType     deal.SaleType  `json:"sale_type"`
	Status       deal.Status    `json:"status"`
	Stage        deal.Stage     `json:"stage"`
	StagePercent int            `json:"stage_percent"`
	MCEMStage    string         `json:"mcem_stage,omitempty"`
	MarkedStages []deal.Stage   `json:"marked_stages,omitempty"`
	// Value and Currency are left out until a value is given (a referral
	// received without one): 0 USD would read as a deal worth nothing.
	Value              *float64         `json:"value,omitempty"`
	Currency           string           `json:"currency,omitempty"`
	CloseDate          string           `json:"close_date,omitempty"`
	Location           string           `json:"location"`
	Customer           deal.Customer    `json:"customer"`
	Team               []deal.Person    `json:"team"`
	Solutions          []deal.Solution  `json:"solutions"`
	CRMID              string           `json:"crm_id,omitempty"`
	CampaignID         string           `json:"campaign_id,omitempty"`
	Notes              string           `json:"notes"`
	PartnerRole        deal.Role        `json:"partner_role,omitempty"`
	PartnerProgram     string           `json:"partner_program,omitempty"`
	SolutionArea       string           `json:"solution_area,omitempty"`
	SolutionPlay       string           `json:"solution_play,omitempty"`
	MarketplaceIntent  deal.Intent      `json:"marketplace_intent,omitempty"`
	AssessmentLocation string           `json:"assessment_location,omitempty"`
	Help               deal.Help        `json:"help,omitempty"` // asked on outbound deals only
	Microsoft          string           `json:"microsoft,omitempty"`
	DecisionDue        *Timestamp       `json:"microsoft_decision_due,omitempty"`
	Partners           []InvitationView `json:"partners,omitempty"`
	From               string           `json:"from,omitempty"`
	Reason             string           `json:"reason,omitempty"`
	DeclineNotes       string           `json:"decline_notes,omitempty"`
	Favorite           bool             `json:"favorite"`
	ReceivedAt         *Timestamp       `json:"received_at,omitempty"`
	ExpiresAt          *Timestamp       `json:"expires_at"`
	WonAt              *Timestamp       `json:"won_at,omitempty"`
	CreatedAt          Timestamp        `json:"created_at"`
	UpdatedAt          Timestamp        `json:"updated_at"`
}

// InvitationView is an invited partner's share as JSON shows it: its value
// in currency units like the deal's, its close date as a date, and only
// what somebody set.
type InvitationView struct {
	Partner   string          `json:"partner"`
	Value     float64         `json:"value"`
	Currency  string          `json:"currency"`
	CloseDate string          `json:"close_date,omitempty"`
	Notes     string          `json:"notes,omitempty"`
	Help      deal.Help       `json:"help,omitempty"`
	Team      []deal.Person   `json:"team"`
	Solutions []deal.Solution `json:"solutions"`
	InvitedAt Timestamp       `json:"invited_at"`
}

// Timestamp is a moment as JSON shows every moment: RFC 3339 in UTC, to
// the second ("2026-11-22T09:00:00Z").
type Timestamp time.Time

// MarshalJSON writes the moment in UTC.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format(time.RFC3339) + `"`), nil
}

// UnmarshalJSON reads an RFC 3339 moment, so that a DealView round-trips
// (outgoing webhooks carry one).
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var v time.Time
	if err := v.UnmarshalJSON(b); err != nil {
		return err
	}
	*t = Timestamp(v.UTC())
	return nil
}

// Time is the moment as a time.Time.
func (t Timestamp) Time() time.Time { return time.Time(t) }

func optTime(t time.Time) *Timestamp {
	if t.IsZero() {
		return nil
	}
	s := Timestamp(t)
	return &s
}

// dateOf writes a calendar date as JSON shows dates: YYYY-MM-DD ("" when unset).
func dateOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func viewInvitations(invs []deal.Invitation) []InvitationView {
	var out []InvitationView
	for _, inv := range invs {
		v := InvitationView{
			Partner: inv.Partner, Value: inv.Value.Float(), Currency: inv.Currency, CloseDate: dateOf(inv.CloseDate),
			Notes: inv.Notes, Help: inv.Help, Team: inv.Team, Solutions: inv.Solutions, InvitedAt: Timestamp(inv.InvitedAt),
		}
		if v.Team == nil {
			v.Team = []deal.Person{}
		}
		if v.Solutions == nil {
			v.Solutions = []deal.Solution{}
		}
		out = append(out, v)
	}
	return out
}

// View converts a deal for JSON.
func View(d *deal.Deal) DealView {
	v := DealView{
		ID: d.ID, Version: d.Version, Name: d.Name, Direction: d.Direction, Kind: d.Kind,
		Visibility: d.SaleType, SaleType: d.SaleType, Status: d.Status, Stage: d.Stage,
		StagePercent: d.Percent(), MarkedStages: d.Marked,
		Location: d.Location, Customer: d.Customer, Team: d.Team, Solutions: d.Solutions,
		CRMID: d.CRMID, CampaignID: d.CampaignID, Notes: d.Notes, PartnerRole: d.Role,
		PartnerProgram: d.Program, SolutionArea: d.SolutionArea, SolutionPlay: d.SolutionPlay,
		MarketplaceIntent: d.Intent, AssessmentLocation: d.AssessmentLocation,
		Microsoft: string(d.Microsoft), DecisionDue: optTime(d.DecisionDue), Partners: viewInvitations(d.Partners),
		From: d.From, Reason: d.Reason, DeclineNotes: d.DeclineNotes, Favorite: d.Favorite, ReceivedAt: optTime(d.ReceivedAt),
		ExpiresAt: optTime(d.ExpiresAt), WonAt: optTime(d.WonAt), CreatedAt: Timestamp(d.CreatedAt), UpdatedAt: Timestamp(d.UpdatedAt),
		CloseDate: dateOf(d.CloseDate),
	}
	if d.Value > 0 {
		value := d.Value.Float()
		v.Value, v.Currency = &value, d.Currency
	}
	if d.Direction == deal.Outbound {
		v.Help = d.Help
	}
	if info, ok := deal.StageOf(d.Kind, d.Stage); ok {
		v.MCEMStage = info.MCEM
	}
	if v.Team == nil {
		v.Team = []deal.Person{}
	}
	if v.Solutions == nil {
		v.Solutions = []deal.Solution{}
	}
	return v
}

// EventView is a history line as JSON shows it.
type EventView struct {
	At     Timestamp `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Detail string    `json:"detail"`
}

// until says how far a deadline is, as reminders and digests say it
// (deal.TimeLeft).
func until(now, t time.Time) string {
	if s := deal.TimeLeft(now, t); s != "" {
		return "in " + s
	}
	return "overdue"
}

func calendarDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func stageText(d *deal.Deal) string {
	if info, ok := deal.StageOf(d.Kind, d.Stage); ok {
		s := fmt.Sprintf("%s (%d%%", info.Label, info.Percent)
		if info.MCEM != "" {
			s += ", MCEM " + info.MCEM
		}
		return s + ")"
	}
	return "—"
}

func personText(p deal.Person) string {
	return fmt.Sprintf("%s <%s> %s", p.Name, p.Email, p.Phone)
}

// Card renders one deal in full.
func Card(d *deal.Deal, now time.Time) string {
	var b strings.Builder
	fav := ""
	if d.Favorite {
		fav = " ♥"
	}
	fmt.Fprintf(&b, "Deal #%d %s%s\n", d.ID, nameOrCustomer(d), fav)
	fmt.Fprintf(&b, "%s · %s · %s\n", deal.KindLabel(d.Kind), d.Direction, deal.SaleTypeLabel(d.SaleType))
	fmt.Fprintf(&b, "Status: %s · Stage: %s\n", vocab.Statuses.Label(string(d.Status)), stageText(d))
	if d.Kind == deal.SolutionAssessment && d.Status.Active() {
		var left []string
		for _, s := range deal.Markable(d.Kind) {
			if !slices.Contains(d.Marked, s) {
				left = append(left, vocab.StageLabel(d.Kind, s))
			}
		}
		if len(left) > 0 {
			fmt.Fprintf(&b, "Stages still to mark before won: %s\n", strings.Join(left, ", "))
		}
	}
	account := vocab.Accounts.Label(string(d.Customer.Account))
	if d.Customer.MACC {
		account += ", MACC"
	}
	fmt.Fprintf(&b, "Customer: %s (%s, %s) · Location: %s\n", d.Customer.Name, d.Customer.Location, account, d.Location)
	if d.Value > 0 || !d.CloseDate.IsZero() {
		close := "—"
		if !d.CloseDate.IsZero() {
			close = d.CloseDate.Format(time.DateOnly)
		}
		fmt.Fprintf(&b, "Value: %s %s · Close: %s\n", d.Value, d.Currency, close)
	}
	if c := d.Customer.Contact; c != nil {
		fmt.Fprintf(&b, "Customer contact: %s\n", personText(*c))
	}
	if len(d.Team) > 0 {
		names := make([]string, len(d.Team))
		for i, p := range d.Team {
			names[i] = personText(p)
		}
		fmt.Fprintf(&b, "Team: %s\n", strings.Join(names, "; "))
	}
	if len(d.Solutions) > 0 {
		fmt.Fprintf(&b, "Solutions: %s\n", solutionList(d.Solutions, solutionText))
	}
	if d.Role != "" || d.SolutionArea != "" {
		fmt.Fprintf(&b, "Partner role: %s · Solution area: %s · Play: %s\n", orDash(vocab.PartnerRoles.Label(string(d.Role))), orDash(vocab.Areas.Label(d.SolutionArea)), orDash(vocab.Plays.Label(d.SolutionPlay)))
	}
	if d.Kind == deal.IPCoSell {
		fmt.Fprintf(&b, "Marketplace intent: %s\n", orDash(vocab.Intents.Label(string(d.Intent))))
	}
	if d.AssessmentLocation != "" {
		fmt.Fprintf(&b, "Assessment location: %s\n", d.AssessmentLocation)
	}
	switch d.Microsoft {
	case deal.MSInvited:
		fmt.Fprintf(&b, "Microsoft: invited (help: %s), decides by %s (%s)\n", vocab.Helps.Label(string(d.Help)), d.DecisionDue.Format(time.DateOnly), until(now, d.DecisionDue))
	case deal.MSNone:
	default:
		fmt.Fprintf(&b, "Microsoft: %s\n", d.Microsoft)
	}
	for _, inv := range d.Partners {
		fmt.Fprintf(&b, "Partner invited: %s for %s %s, closing %s", inv.Partner, inv.Value, inv.Currency, inv.CloseDate.Format(time.DateOnly))
		if len(inv.Solutions) > 0 {
			fmt.Fprintf(&b, " · their solutions: %s", solutionList(inv.Solutions, func(s deal.Solution) string { return s.Name }))
		}
		if inv.Notes != "" { // what was asked of them: the invitation's own words
			fmt.Fprintf(&b, " · notes: %s", inv.Notes)
		}
		b.WriteString("\n")
	}
	if d.Program != "" { // inbound services referrals since 2023-04-03
		fmt.Fprintf(&b, "Partner program: %s\n", d.Program)
	}
	if d.Direction == deal.Inbound {
		fmt.Fprintf(&b, "From: %s · Received %s\n", senderText(d.From), d.ReceivedAt.Format(time.DateOnly))
	}
	if d.Status == deal.Received {
		fmt.Fprintf(&b, "Answer by %s (%s) or it expires\n", d.ExpiresAt.Format("2006-01-02 15:04 MST"), until(now, d.ExpiresAt))
	}
	if d.Reason != "" {
		fmt.Fprintf(&b, "Reason: %s\n", d.Reason)
	}
	if d.DeclineNotes != "" {
		fmt.Fprintf(&b, "Decline notes: %s\n", d.DeclineNotes)
	}
	if d.CRMID != "" || d.CampaignID != "" {
		fmt.Fprintf(&b, "CRM ID: %s · Campaign: %s\n", orDash(d.CRMID), orDash(d.CampaignID))
	}
	if d.Notes != "" {
		fmt.Fprintf(&b, "Notes: %s\n", d.Notes)
	}
	return strings.TrimRight(b.String(), "\n")
}

// History renders a deal's audit trail.
func History(id int64, events []ledger.Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "History of deal #%d\n", id)
	for _, e := range events {
		fmt.Fprintf(&b, "%s  %-9s %s — %s\n", e.At.UTC().Format("2006-01-02 15:04"), strings.ReplaceAll(e.Action, "_", " "), e.Detail, e.Actor) // microsoft_lapsed reads as words
	}
	return strings.TrimRight(b.String(), "\n")
}

// Registration renders a registration check.
func Registration(d *deal.Deal, e deal.Eligibility) string {
	var b strings.Builder
	if e.Eligible {
		fmt.Fprintf(&b, "Deal #%d can be registered.\n", d.ID)
	} else if d.Registrable() && (d.Status != deal.Won || answersMissingOnly(d, e)) {
		fmt.Fprintf(&b, "Deal #%d cannot be registered yet.\n", d.ID)
	} else if d.Registrable() {
		// Won: its fields no longer change, so what is missing stays so
		// (a tester read "yet" as a promise).
		fmt.Fprintf(&b, "Deal #%d cannot be registered: it is won, and a won deal's fields no longer change.\n", d.ID)
	} else if d.Kind != deal.IPCoSell && d.Kind != deal.P2P {
		// Not "yet": only IP co-sell deals are ever registered.
		fmt.Fprintf(&b, "Deal #%d cannot be registered: only IP co-sell deals are.\n", d.ID)
	} else {
		fmt.Fprintf(&b, "Deal #%d cannot be registered: it is %s.\n", d.ID, d.Status.Label())
	}
	for _, c := range e.Criteria {
		mark := "✓"
		if !c.OK {
			mark = "✗"
		}
		fmt.Fprintf(&b, "%s %s: %s\n", mark, c.Name, c.Why)
		if !c.OK && c.Name == "value" && strings.HasPrefix(c.Why, "no rate for") {
			b.WriteString("  (an admin adds the currency's rate to the rates table: COSELLBOT_RATES_FILE, in the README's Configuration)\n")
		}
	}
	for _, w := range e.Warnings {
		fmt.Fprintf(&b, "⚠ %s\n", w)
	}
	return strings.TrimRight(b.String(), "\n")
}

// solutionList writes solutions, each as text writes it, comma-separated.
func solutionList(ss []deal.Solution, text func(deal.Solution) string) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = text(s)
	}
	return strings.Join(names, ", ")
}

// solutionText is a solution as the card lists it: its name, and its IP
// eligibility, MACC and incentive tags.
func solutionText(s deal.Solution) string {
	var tags []string
	if s.Source != deal.Mine {
		tags = append(tags, vocab.SolutionSources.Label(string(s.Source)))
	}
	if s.IP != deal.IPNone {
		tags = append(tags, vocab.IPKinds.Label(string(s.IP)))
	}
	if s.MACC {
		tags = append(tags, "MACC")
	}
	if s.Incentivized {
		tags = append(tags, "incentivized")
	}
	if len(tags) == 0 {
		return s.Name
	}
	return s.Name + " (" + strings.Join(tags, ", ") + ")"
}

func senderText(from string) string {
	if name, ok := strings.CutPrefix(from, "partner:"); ok {
		return "partner " + name
	}
	return "Microsoft"
}

func nameOrCustomer(d *deal.Deal) string {
	if d.Name != "" {
		return d.Name
	}
	return "(unnamed, " + d.Customer.Name + ")"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// answersMissingOnly reports whether what a won deal lacks for
// registration can still come: Microsoft's answer to an invitation still
// open (a decline on a won deal is final) and the managed-account match are
// recorded on a won deal too, and a missing rate is the rates table's.
func answersMissingOnly(d *deal.Deal, e deal.Eligibility) bool {
	for _, c := range e.Criteria {
		toCome := c.Name == "microsoft_accepted" && d.Microsoft == deal.MSInvited || c.Name == "managed_account" ||
			c.Name == "value" && strings.HasPrefix(c.Why, "no rate for")
		if !c.OK && !toCome {
			return false
		}
	}
	return true
}
