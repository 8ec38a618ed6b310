package partnercenter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	pc "github.com/cosellbot/cosellbot/integrations/partnercenter"
)

// Writer writes deals back to their Partner Center referrals: whatever the
// change's origin (chat, a CRM, the sweep), every synced field the referral
// lacks is PATCHed with If-Match. When the referral changed meanwhile
// (412), the current version comes back as a *change.StaleError, which the
// syncer merges three ways before it writes again.
type Writer struct{ src *Source }

// Writer returns the source's write-back (a change.Writer).
func (s *Source) Writer() *Writer { return &Writer{src: s} }

// Synced is every field: Partner Center holds them all.
func (w *Writer) Synced() []change.Field { return nil }

// Ops is the JSON Patch that gives a referral the fields v of deal d.
// Fields Partner Center does not let a partner set (an expiry, which it
// decides itself; a close as error) send nothing.
func Ops(d *deal.Deal, v change.Values) []pc.Op {
	var ops []pc.Op
	for _, f := range v.Sorted() {
		switch f {
		case change.Name:
			ops = append(ops, pc.Replace("/name", d.Name))
		case change.Value:
			ops = append(ops, pc.Replace("/details/dealValue", d.Value.Float()))
		case change.Currency:
			ops = append(ops, pc.Replace("/details/currency", d.Currency))
		case change.Close:
			if !d.CloseDate.IsZero() {
				ops = append(ops, pc.Replace("/details/closingDateTime", d.CloseDate.UTC().Format(time.RFC3339)))
			}
		case change.Notes:
			ops = append(ops, pc.Replace("/details/notes", d.Notes))
		case change.Team:
			ops = append(ops, pc.Replace("/team", members(d.Team)))
		case change.Stage:
			if s, ok := salesStages[d.Stage]; ok {
				ops = append(ops, pc.Replace("/salesStage", s))
			}
		case change.Status:
			if st, sub, ok := statusOf(d.Status); ok {
				ops = append(ops, pc.Replace("/status", st), pc.Replace("/substatus", sub))
			}
		case change.Reason:
			if r := v[change.Reason]; r != "" { // with a decline's notes, the answer the sender reads
				ops = append(ops, pc.Replace("/statusReason", r))
			}
		}
	}
	return ops
}

// statusOf is the status and substatus a partner may set for a deal
// status; expiry and errors are not theirs to set.
func statusOf(s deal.Status) (string, string, bool) {
	switch s {
	case deal.Accepted:
		return "Active", "Accepted", true
	case deal.Won:
		return "Closed", "Won", true
	case deal.Lost:
		return "Closed", "Lost", true
	case deal.Declined:
		return "Closed", "Declined", true
	}
	return "", "", false
}

func members(team []deal.Person) []pc.Member {
	out := make([]pc.Member, len(team))
	for i, p := range team {
		first, last, _ := strings.Cut(p.Name, " ")
		out[i] = pc.Member{FirstName: first, LastName: last, Email: p.Email, PhoneNumber: p.Phone}
	}
	return out
}

// Write PATCHes the referral of a link with what it lacks, or creates the
// referral of a deal made in cosellbot (a pending link).
func (w *Writer) Write(ctx context.Context, l change.Link, d *deal.Deal, v change.Values) (change.Written, error) {
	if l.Pending() {
		ref, err := w.src.created(ctx, d)
		if err != nil {
			return change.Written{}, honour(fmt.Errorf("looking for the referral of deal #%d before creating it: %w", d.ID, err))
		}
		if ref != nil {
			return w.made(ref, v), nil
		}
		ref, err = w.src.api.Create(ctx, NewReferral(d))
		var apiErr *pc.APIError
		if errors.As(err, &apiErr) && apiErr.Status/100 == 4 && apiErr.Status != 408 && apiErr.Status != 429 {
			return change.Written{}, chat.Permanent(fmt.Errorf("Partner Center refused to create the referral of deal #%d: %w", d.ID, err))
		}
		if err != nil {
			return change.Written{}, honour(fmt.Errorf("creating the referral of deal #%d: %w", d.ID, err))
		}
		return w.made(ref, v), nil
	}
	ops, skipped := Ops(d, v), unsayable(d, v)
	if len(ops) == 0 {
		return change.Written{Skipped: skipped}, nil
	}
	ref, err := w.src.api.Patch(ctx, l.RecordID, l.ETag, ops)
	var stale *pc.StaleError
	if errors.As(err, &stale) {
		in, ierr := Incoming(stale.Current, w.src.clock.Now())
		if ierr != nil {
			return change.Written{Skipped: skipped}, chat.Permanent(fmt.Errorf("the newer referral %s cannot be read: %w", l.RecordID, ierr))
		}
		return change.Written{Skipped: skipped}, &change.StaleError{Current: in}
	}
	var apiErr *pc.APIError
	if errors.As(err, &apiErr) && apiErr.Status/100 == 4 && apiErr.Status != 408 && apiErr.Status != 429 {
		return change.Written{Skipped: skipped}, chat.Permanent(fmt.Errorf("Partner Center refused the change of referral %s: %w", l.RecordID, err))
	}
	if err != nil {
		return change.Written{Skipped: skipped}, honour(fmt.Errorf("writing referral %s: %w", l.RecordID, err))
	}
	return change.Written{At: timeOr(ref.UpdatedDateTime, time.Time{}), ETag: ref.ETag, Skipped: skipped}, nil
}

// made is what creating ref wrote of v: the fields ref holds as v has
// them. The rest are PATCHed next (Written.Unwritten): Partner Center's
// create takes no sales stage and makes a referral New, so a deal staged
// or closed before its first sync lacks those; and a referral an earlier
// create made (its answer lost) holds the deal as it was then.
func (w *Writer) made(ref *pc.Referral, v change.Values) change.Written {
	out := change.Written{At: timeOr(ref.UpdatedDateTime, time.Time{}), ETag: ref.ETag, RecordID: ref.ID}
	held := change.Values{}
	if in, err := Incoming(ref, w.src.clock.Now()); err == nil { // unreadable: every field is written again
		held = in.Values
	}
	for _, f := range v.Sorted() {
		if h, ok := held[f]; !ok || h != v[f] {
			out.Unwritten = append(out.Unwritten, f)
		}
	}
	return out
}

// unsayable are the fields of v that Ops sends nothing for: a status a
// partner may not set (an expiry, which Partner Center decides itself; a
// close as error). Taken for sent, sync said "in step" of a referral
// Partner Center still held open.
func unsayable(d *deal.Deal, v change.Values) []change.Field {
	var out []change.Field
	if _, ok := v[change.Status]; ok {
		if _, _, ok := statusOf(d.Status); !ok {
			out = append(out, change.Status)
		}
	}
	return out
}

// assistance is Partner Center's code for the help asked of Microsoft.
var assistance = map[deal.Help]string{
	deal.HelpTechnical: "CustomerTechnicalArchitecture", deal.HelpArchitecture: "CustomerTechnicalArchitecture",
	deal.HelpPricing: "QuotesOrLicensing", deal.HelpFunding: "QuotesOrLicensing", deal.HelpExecutive: "GeneralOrOther",
	deal.HelpCustomer: "PostSalesCustomerSuccess", deal.HelpOther: "GeneralOrOther",
}

// NewReferral is the referral Partner Center is asked to create for a deal
// made in cosellbot, by its create-a-referral contract: a co-sell is Shared
// with Microsoft (target msft, the help asked as assistanceRequestCode); a
// partner-led deal is Independent and shared with Microsoft sellers; a
// private one is Independent and not shared.
func NewReferral(d *deal.Deal) *pc.Referral {
	r := &pc.Referral{
		Name: d.Name, Status: "New", Substatus: "Pending", Type: "Independent",
		ExternalReferenceID: d.CRMID, CampaignID: d.CampaignID, MPNID: d.Location,
		CustomerProfile: pc.CustomerProfile{Name: d.Customer.Name, Address: pc.Address{Country: d.Customer.Location}},
		Consent:         pc.Consent{ShareReferralWithMicrosoftSel: d.SaleType != deal.Private, Contact: d.Customer.Consent},
		Details:         pc.Details{Notes: d.Notes, DealValue: pc.Amount(d.Value.Float()), Currency: d.Currency},
		Team:            members(d.Team),
	}
	if !d.CloseDate.IsZero() {
		c := d.CloseDate.UTC()
		r.Details.ClosingDateTime = &c
	}
	if d.Customer.Contact != nil && d.Customer.Consent {
		first, last, _ := strings.Cut(d.Customer.Contact.Name, " ")
		r.CustomerProfile.Team = []pc.Member{{FirstName: first, LastName: last, Email: d.Customer.Contact.Email, PhoneNumber: d.Customer.Contact.Phone}}
	}
	for _, s := range d.Solutions {
		r.Details.Requirements.Solutions = append(r.Details.Requirements.Solutions, pc.SolutionRef{Name: s.Name})
	}
	if d.SaleType == deal.CoSell {
		r.Type = "Shared"
		r.Target = []pc.Target{{Type: "BusinessProfileLocation", ID: "msft"}}
		code := assistance[d.Help]
		if code == "" {
			code = "GeneralOrOther"
		}
		r.InviteContext.AssistanceRequestCode = code
	}
	return r
}

// honour makes the wait Partner Center asked for (a 429's Retry-After) the
// retry's, so that the sync does not call again sooner.
func honour(err error) error {
	var apiErr *pc.APIError
	if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
		return chat.RetryAfter(apiErr.RetryAfter, err)
	}
	return err
}

// created finds the referral Partner Center already holds for d, made by
// an earlier create whose answer never came back (a timeout after Partner
// Center stored it, cosellbot stopped while it waited): among the
// referrals changed since the deal was made, an outgoing one as
// NewReferral(d) asked for it and linked to no other deal. Creating again
// would give Microsoft's sellers the deal twice. nil when there is none.
// It walks the listing as the poll does (by time, not by next links, which
// referrals changed during the walk shift past the one sought).
func (s *Source) created(ctx context.Context, d *deal.Deal) (*pc.Referral, error) {
	var found *pc.Referral
	pos := position{at: d.CreatedAt.Add(-time.Minute), ties: map[string]bool{}}
	_, err := s.walk(ctx, &pos, maxPollPages, func(r *pc.Referral) (bool, error) {
		if !strings.EqualFold(r.Direction, "Outgoing") || !Asked(r, d) {
			return true, nil
		}
		other, err := s.rec.DealByExternalID(ctx, r.ID)
		switch {
		case errors.Is(err, ledger.ErrNotFound), err == nil && other.ID == d.ID:
			found = r
			return false, nil
		case err != nil:
			return false, err
		}
		return true, nil // another deal's
	})
	if err != nil {
		return nil, err
	}
	return found, nil
}
