package partnercenter

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

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

func timeOr(t *time.Time, or time.Time) time.Time {
	if t == nil || t.IsZero() {
		return or
	}
	return t.UTC()
}

// ApplyReferral creates or advances the deal of a referral, unless a newer
// version of it was applied already (stale). It remembers the referral's
// updatedDateTime and eTag.
func (s *Source) ApplyReferral(ctx context.Context, r *pc.Referral) (crm.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	updated := timeOr(r.UpdatedDateTime, now)
	st, err := s.rec.SyncState(ctx, Name, r.ID)
	switch {
	case isNotFound(err):
		st = ledger.SyncState{Source: Name, ExternalID: r.ID}
	case err != nil:
		return crm.Result{}, err
	}
	if updated.Before(st.ModifiedAt) {
		return crm.Stale("referral %s updated %s, before the version applied last (%s)", r.ID, updated.Format(time.RFC3339Nano), st.ModifiedAt.Format(time.RFC3339Nano)), nil
	}
	target, err := Status(r)
	if err != nil {
		return crm.Result{}, err
	}
	d, err := s.rec.DealByExternalID(ctx, r.ID)
	var res crm.Result
	switch {
	case isNotFound(err):
		d, res, err = s.create(ctx, r, target, now)
	case err == nil:
		d, res, err = s.update(ctx, d, r, target, updated)
	}
	if err != nil {
		return crm.Result{}, err
	}
	st.ModifiedAt, st.ETag, st.DealID = updated, r.ETag, d.ID
	if err := s.rec.SaveSyncState(ctx, st); err != nil {
		return crm.Result{}, err
	}
	return res, nil
}

// create records a referral cosellbot had not seen, replaying its life
// through the deal rules at the times it happened: received (or created),
// then accepted, staged, won, lost, declined or expired.
func (s *Source) create(ctx context.Context, r *pc.Referral, target deal.Status, now time.Time) (*deal.Deal, crm.Result, error) {
	catalog, err := s.rec.Solutions(ctx)
	if err != nil {
		return nil, crm.Result{}, err
	}
	dr := Draft(r, catalog)
	created := timeOr(r.CreatedDateTime, now)
	var d *deal.Deal
	var ev deal.Event
	if strings.EqualFold(r.Direction, "Outgoing") {
		dr.From = ""
		dr.Share = saleType(r) != deal.Private
		d, ev, err = deal.New(dr, created)
	} else {
		dr.ReceivedAt = created
		d, ev, err = deal.Receive(dr, created)
		if err == nil && r.ExpirationDateTime != nil {
			d.ExpiresAt = r.ExpirationDateTime.UTC()
		}
	}
	if err != nil {
		return nil, crm.Result{}, fmt.Errorf("referral %s: %w", r.ID, err)
	}
	d.SaleType = saleType(r)
	details := []string{ev.Detail}
	step := func(op func() (deal.Event, error)) error {
		e, err := op()
		if err != nil {
			return fmt.Errorf("referral %s: %w", r.ID, err)
		}
		details = append(details, e.Detail)
		return nil
	}
	accepted := timeOr(r.AcceptedDateTime, timeOr(r.UpdatedDateTime, created))
	closed := timeOr(r.ClosedDateTime, timeOr(r.UpdatedDateTime, created))
	if d.Status == deal.Received && target != deal.Received && target != deal.Declined && target != deal.Expired {
		if err := step(func() (deal.Event, error) { return d.Accept(deal.Changes{}, accepted) }); err != nil {
			return nil, crm.Result{}, err
		}
	}
	if s, ok := stages[strings.ToLower(r.SalesStage)]; ok && d.Status.Active() {
		if err := step(func() (deal.Event, error) { return d.MarkStage(s, timeOr(r.UpdatedDateTime, accepted)) }); err != nil {
			return nil, crm.Result{}, err
		}
	}
	reason := r.StatusReason
	if reason == "" {
		reason = string(target) + " in Partner Center"
	}
	var final func() (deal.Event, error)
	switch target {
	case deal.Won:
		final = func() (deal.Event, error) { return d.Win(closed) }
	case deal.Lost:
		final = func() (deal.Event, error) { return d.Lose(reason, closed) }
	case deal.Declined:
		final = func() (deal.Event, error) { return d.Decline(reason, "", closed) }
	case deal.Expired:
		final = func() (deal.Event, error) {
			if closed.Before(d.ExpiresAt) {
				d.ExpiresAt = closed // Partner Center's word on when it expired wins
			}
			return d.Expire(closed)
		}
	}
	if final != nil {
		if err := step(final); err != nil {
			return nil, crm.Result{}, err
		}
	}
	d.ExternalID = r.ID
	entry := ledger.Entry{At: now, Actor: Name, Action: ev.Action, Detail: strings.Join(details, "; ")}
	if err := s.rec.CreateDeal(ctx, d, entry); err != nil {
		return nil, crm.Result{}, fmt.Errorf("saving the deal of referral %s: %w", r.ID, err)
	}
	return d, crm.Processed("deal #%d: %s", d.ID, entry.Detail), nil
}

// update advances a known deal to what the referral says: fields, status
// and sales stage, each step through the deal rules.
func (s *Source) update(ctx context.Context, d *deal.Deal, r *pc.Referral, target deal.Status, at time.Time) (*deal.Deal, crm.Result, error) {
	var done []string
	if target == deal.Expired && d.Status == deal.Received {
		next, ev, err := crm.Step(ctx, s.rec, d, Name, at, func(x *deal.Deal) (deal.Event, error) {
			if at.Before(x.ExpiresAt) {
				x.ExpiresAt = at
			}
			return x.Expire(at)
		})
		if err != nil {
			return d, crm.Result{}, err
		}
		return next, crm.Processed("deal #%d: %s", d.ID, ev.Detail), nil
	}
	plan := crm.Plan{Reason: r.StatusReason}
	switch target {
	case deal.Accepted, deal.Won, deal.Lost, deal.Declined:
		plan.Target = string(target)
		v, cur := money(r.Details.DealValue), strings.ToUpper(r.Details.Currency)
		if v > 0 {
			plan.Changes.Value = &v
		}
		if cur != "" {
			plan.Changes.Currency = &cur
		}
		if r.Details.ClosingDateTime != nil {
			c := day(r.Details.ClosingDateTime)
			plan.Changes.CloseDate = &c
		}
		if r.Name != "" {
			plan.Changes.Name = &r.Name
		}
	}
	d, steps, err := crm.Advance(ctx, s.rec, d, Name, at, plan)
	done = append(done, steps...)
	if err != nil {
		return d, crm.Result{}, err
	}
	if st, ok := stages[strings.ToLower(r.SalesStage)]; ok && d.Status.Active() {
		d, steps, err = crm.Advance(ctx, s.rec, d, Name, at, crm.Plan{Target: string(st)})
		done = append(done, steps...)
		if err != nil {
			return d, crm.Result{}, err
		}
	}
	if len(done) == 0 {
		return d, crm.Ignored("deal #%d already matches referral %s", d.ID, r.ID), nil
	}
	return d, crm.Processed("deal #%d: %s", d.ID, strings.Join(done, "; ")), nil
}
