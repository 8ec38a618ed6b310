package partnercenter

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/crm"
	pc "github.com/cosellbot/cosellbot/integrations/partnercenter"
)

func isNotFound(err error) bool { return errors.Is(err, ledger.ErrNotFound) }

// Status maps a referral's status and substatus to a deal status.
func Status(r *pc.Referral) (deal.Status, error) {
	st, sub := strings.ToLower(r.Status), strings.ToLower(r.Substatus)
	outgoing := strings.EqualFold(r.Direction, "Outgoing")
	switch st {
	case "new":
		if outgoing {
			return deal.Created, nil
		}
		return deal.Received, nil
	case "active":
		if outgoing {
			return deal.Created, nil
		}
		return deal.Accepted, nil
	case "closed":
		switch sub {
		case "won":
			return deal.Won, nil
		case "lost":
			return deal.Lost, nil
		case "declined":
			return deal.Declined, nil
		case "expired":
			return deal.Expired, nil
		}
	}
	return "", crm.Malformed("status", "%s/%s is not a status/substatus Partner Center documents", r.Status, r.Substatus)
}

// stages maps Partner Center's sales stages to the deal's.
var stages = map[string]deal.Stage{
	"qualify": deal.StageQualified, "develop": deal.StageDeveloped, "propose": deal.StageProposed, "close": deal.StageNegotiated,
}

// salesStages is the reverse, for write-back.
var salesStages = map[deal.Stage]string{
	deal.StageQualified: "Qualify", deal.StageDeveloped: "Develop", deal.StageProposed: "Propose", deal.StageNegotiated: "Close",
}

func money(a pc.Amount) deal.Money { return deal.Money(math.Round(float64(a) * 100)) }

func day(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func person(m pc.Member) (deal.Person, bool) {
	p := deal.Person{Name: m.Name(), Email: m.Email, Phone: m.PhoneNumber}
	return p, len(deal.CheckPerson("team", p)) == 0
}

// Draft maps a referral to what creating its deal needs. Team members and
// contacts the deal rules would refuse (no phone, say) are left out rather
// than refusing the referral; solutions are matched to the catalog by name.
func Draft(r *pc.Referral, catalog []deal.Solution) deal.Draft {
	dr := deal.Draft{
		Kind: deal.ServicesCoSell, Name: r.Name, Value: money(r.Details.DealValue), Currency: strings.ToUpper(r.Details.Currency),
		CloseDate: day(r.Details.ClosingDateTime), Notes: r.Details.Notes, Program: r.ReferralProgram,
		CRMID: r.ExternalReferenceID, CampaignID: r.CampaignID, Location: r.MPNID,
		Customer: deal.Customer{
			Name: r.CustomerProfile.Name, Location: strings.ToUpper(r.CustomerProfile.Address.Country),
			Account: deal.Other, Consent: r.Consent.Contact,
		},
	}
	if dr.Location == "" {
		dr.Location = r.InviteContext.InvitedMPNID
	}
	if dr.Notes == "" {
		dr.Notes = r.InviteContext.Notes
	}
	if dr.Notes == "" {
		dr.Notes = "Partner Center referral " + r.ID
	}
	if dr.Name == "" {
		dr.Name = strings.TrimSpace(r.CustomerProfile.Name + " (Partner Center)")
	}
	if dr.Customer.Consent {
		for _, m := range r.CustomerProfile.Team {
			if p, ok := person(m); ok {
				dr.Customer.Contact = &p
				break
			}
		}
		// Consent is the customer's agreement to share the contact given;
		// with none the rules can take (none at all, or no phone), there is
		// nothing it covers, and kept alone it would refuse the referral:
		// a tester's inbound referral never became a deal and expired
		// unseen.
		dr.Customer.Consent = dr.Customer.Contact != nil
	}
	for _, m := range r.Team {
		if p, ok := person(m); ok {
			dr.Team = append(dr.Team, p)
		}
	}
	for _, sr := range r.Details.Requirements.Solutions {
		name := sr.Name
		if name == "" {
			name = sr.ID
		}
		sol := deal.Solution{Name: name, Source: deal.Microsoft}
		for _, c := range catalog {
			if strings.EqualFold(c.Name, name) && c.Source != deal.Assessment {
				sol = c
			}
		}
		if sol.IP != deal.IPNone {
			dr.Kind = deal.IPCoSell
		}
		dr.Solutions = append(dr.Solutions, sol)
	}
	if org := r.InviteContext.InvitedBy; org.OrganizationID != "" && !strings.EqualFold(org.OrganizationID, "msft") {
		name := org.OrganizationName
		if name == "" {
			name = org.OrganizationID
		}
		dr.From = "partner:" + name
	} else {
		dr.From = "microsoft"
	}
	return dr
}

// saleType follows the referral's type: Shared is co-sell; Independent is
// partner-led when Microsoft sellers may see it, private otherwise.
func saleType(r *pc.Referral) deal.SaleType {
	switch {
	case strings.EqualFold(r.Type, "Shared"):
		return deal.CoSell
	case r.Consent.ShareReferralWithMicrosoftSel:
		return deal.PartnerLed
	}
	return deal.Private
}

// expiry is when an incoming referral expires, as Partner Center says,
// to the microsecond the databases keep (so that the date read back is
// the date told, and telling it again moves nothing); zero for an outgoing
// referral, whose expiry is not the partner's to watch, or none told.
func expiry(r *pc.Referral) time.Time {
	if r.ExpirationDateTime == nil || strings.EqualFold(r.Direction, "Outgoing") {
		return time.Time{}
	}
	return r.ExpirationDateTime.UTC().Truncate(time.Microsecond)
}

func timeOr(t *time.Time, or time.Time) time.Time {
	if t == nil || t.IsZero() {
		return or
	}
	return t.UTC()
}

// Incoming is what a referral says of its deal, in the change path's
// terms, stamped with its updatedDateTime.
func Incoming(r *pc.Referral, now time.Time) (change.Incoming, error) {
	in := change.Incoming{System: Name, RecordID: r.ID, Values: change.Values{}, Modified: timeOr(r.UpdatedDateTime, now), ETag: r.ETag}
	st, err := Status(r)
	if err != nil {
		return in, err
	}
	in.Values[change.Status] = string(st)
	if r.Name != "" {
		in.Values[change.Name] = strings.TrimSpace(r.Name)
	}
	if v := money(r.Details.DealValue); v > 0 {
		in.Values[change.Value] = change.MoneyText(v)
	}
	if c := strings.ToUpper(r.Details.Currency); c != "" {
		in.Values[change.Currency] = c
	}
	if r.Details.ClosingDateTime != nil {
		in.Values[change.Close] = change.DateText(day(r.Details.ClosingDateTime))
	}
	if r.Details.Notes != "" {
		in.Values[change.Notes] = r.Details.Notes
	}
	if s, ok := stages[strings.ToLower(r.SalesStage)]; ok {
		in.Values[change.Stage] = string(s)
	}
	if r.StatusReason != "" {
		in.Values[change.Reason] = r.StatusReason
	}
	if t := expiry(r); !t.IsZero() {
		// Told with every update: Microsoft extends or shortens the window
		// of a referral not answered yet, and the deal follows.
		in.Values[change.Expires] = t.Format(time.RFC3339Nano)
	}
	if r.Team != nil {
		// Every member as Partner Center holds them, an empty team too:
		// the deal rules judge them (a member without a phone, the last
		// member removed) and what they refuse is said and sent back,
		// rather than dropped while the two teams differ.
		team := make([]deal.Person, len(r.Team))
		for i, m := range r.Team {
			team[i] = deal.Person{Name: m.Name(), Email: m.Email, Phone: m.PhoneNumber}
		}
		in.Values[change.Team] = change.TeamText(team)
	}
	return in, nil
}

// ApplyReferral merges a referral into its deal through the change path,
// or records the deal of a referral cosellbot had not seen. A version older
// than the one applied last changes nothing (stale); cosellbot's own PATCH
// coming back is an echo.
func (s *Source) ApplyReferral(ctx context.Context, r *pc.Referral) (crm.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	in, err := Incoming(r, now)
	if err != nil {
		return crm.Result{}, err
	}
	find := func(ctx context.Context) (*deal.Deal, error) {
		d, err := s.rec.DealByExternalID(ctx, r.ID)
		if errors.Is(err, ledger.ErrNotFound) {
			return s.beingCreated(ctx, r)
		}
		return d, err
	}
	make := func(ctx context.Context, _ change.Incoming) (*deal.Deal, deal.Event, error) {
		return s.build(ctx, r, now)
	}
	res, err := s.engine.Receive(ctx, in, find, make)
	if err != nil {
		return crm.Result{}, err
	}
	return crm.ResultOf(res), nil
}

// build makes the deal of a referral cosellbot had not seen, replaying its
// life through the deal rules at the times it happened: received (or
// created), then accepted, staged, won, lost, declined or expired. Fields
// Partner Center does not carry are not required (deal.Import).
func (s *Source) build(ctx context.Context, r *pc.Referral, now time.Time) (*deal.Deal, deal.Event, error) {
	target, err := Status(r)
	if err != nil {
		return nil, deal.Event{}, err
	}
	catalog, err := s.rec.Solutions(ctx)
	if err != nil {
		return nil, deal.Event{}, err
	}
	dr := Draft(r, catalog)
	if dr.Location == "" {
		dr.Location = s.location
	}
	created := timeOr(r.CreatedDateTime, now)
	outgoing := strings.EqualFold(r.Direction, "Outgoing")
	if outgoing {
		dr.From = ""
		dr.Share = saleType(r) != deal.Private
	} else {
		// Partner Center's window, not always 14 days from its creation
		// (Microsoft extends it): the import's check and its history line
		// read it, not a window of cosellbot's reckoning.
		dr.ReceivedAt, dr.ExpiresAt = created, expiry(r)
	}
	d, ev, err := deal.Import(dr, outgoing, created)
	if err != nil {
		return nil, deal.Event{}, fmt.Errorf("referral %s: %w", r.ID, err)
	}
	d.SaleType = saleType(r)
	d.ExternalID = r.ID
	details := []string{ev.Detail}
	in, _ := Incoming(r, now) // Status(r) succeeded above
	life := change.Values{change.Status: in.Values[change.Status]}
	if st, ok := in.Values[change.Stage]; ok {
		life[change.Stage] = st
	}
	if rs, ok := in.Values[change.Reason]; ok {
		life[change.Reason] = rs
	}
	if target != d.Status && !outgoing {
		// Partner Center answered the referral (or closed it) itself,
		// within its window: the window is no longer this referral's. Kept,
		// an acceptance dated at the referral's last update (no
		// acceptedDateTime), weeks after it was received, was refused as
		// too late, and a partner's existing pipeline did not import (a
		// tester's first poll).
		d.ExpiresAt = time.Time{}
	}
	if target != d.Status {
		at := timeOr(r.ClosedDateTime, timeOr(r.AcceptedDateTime, timeOr(r.UpdatedDateTime, created)))
		evs, err := change.Advance(d, life, Name, at)
		if err != nil {
			return nil, deal.Event{}, fmt.Errorf("referral %s: %w", r.ID, err)
		}
		for _, e := range evs {
			details = append(details, e.Detail)
		}
	} else if st, ok := life[change.Stage]; ok && d.Status.Active() && st != string(d.Stage) {
		evs, err := change.Advance(d, change.Values{change.Stage: st}, Name, timeOr(r.UpdatedDateTime, created))
		if err != nil {
			return nil, deal.Event{}, fmt.Errorf("referral %s: %w", r.ID, err)
		}
		for _, e := range evs {
			details = append(details, e.Detail)
		}
	}
	return d, deal.Event{Action: ev.Action, Detail: strings.Join(details, "; ")}, nil
}

// beingCreated finds the deal whose referral r is when cosellbot asked
// Partner Center to create it and never heard back: the create timed out
// after Partner Center stored it, or cosellbot stopped while it waited.
// Told of it (a notification, the poll) before the create is tried again,
// it is that deal's referral, not a deal of its own, which the retry would
// then have made twice in Partner Center too. Two deals that both match
// leave it unknown: linking either could be wrong.
func (s *Source) beingCreated(ctx context.Context, r *pc.Referral) (*deal.Deal, error) {
	notFound := fmt.Errorf("referral %s: %w", r.ID, ledger.ErrNotFound)
	if !strings.EqualFold(r.Direction, "Outgoing") {
		return nil, notFound
	}
	ds, err := s.rec.DealsBeingCreated(ctx, Name)
	if err != nil {
		return nil, err
	}
	var found *deal.Deal
	for _, d := range ds {
		if Asked(r, d) {
			if found != nil {
				return nil, notFound
			}
			found = d
		}
	}
	if found == nil {
		return nil, notFound
	}
	return found, nil
}

// Asked reports whether r is the referral NewReferral(d) asks for: the
// name, customer, location, currency and value cosellbot sent, which
// Partner Center keeps as sent.
func Asked(r *pc.Referral, d *deal.Deal) bool {
	return strings.TrimSpace(r.Name) == strings.TrimSpace(d.Name) && strings.EqualFold(strings.TrimSpace(r.CustomerProfile.Name), strings.TrimSpace(d.Customer.Name)) &&
		r.MPNID == d.Location && strings.EqualFold(r.Details.Currency, d.Currency) && money(r.Details.DealValue) == d.Value
}
