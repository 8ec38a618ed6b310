package partnercenter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	pc "github.com/cosellbot/cosellbot/integrations/partnercenter"
)

// Writer writes changes made in chat back to Partner Center: accepting,
// declining, staging, winning or losing a deal that came from a referral
// PATCHes the referral with If-Match. When the referral changed in Partner
// Center meanwhile (412), the new version is fetched and applied, and the
// chat change is refused with what changed.
type Writer struct{ src *Source }

// Writer returns the source's write-back (a command.Upstream).
func (s *Source) Writer() *Writer { return &Writer{src: s} }

// ChangedError refuses a chat change because the referral changed in
// Partner Center since cosellbot last read it. It is a ledger.ErrConflict.
type ChangedError struct {
	DealID  int64
	Changes []string // what changed, in words: "status received → accepted"
}

func (e *ChangedError) Error() string {
	what := "its eTag"
	if len(e.Changes) > 0 {
		what = strings.Join(e.Changes, ", ")
	}
	return fmt.Sprintf("the referral of deal #%d changed in Partner Center since cosellbot last read it (%s), so your change was not made; cosellbot has taken the new version: look at deal show %d and try again", e.DealID, what, e.DealID)
}

// Unwrap makes it a conflict.
func (e *ChangedError) Unwrap() error { return ledger.ErrConflict }

// Ops is the JSON Patch that tells Partner Center about a chat change, or
// nil when the change is not one Partner Center keeps.
func Ops(after *deal.Deal, ev deal.Event) []pc.Op {
	switch ev.Action {
	case "accepted":
		ops := []pc.Op{pc.Replace("/status", "Active"), pc.Replace("/substatus", "Accepted"),
			pc.Replace("/details/dealValue", float64(after.Value)/100), pc.Replace("/details/currency", after.Currency),
			pc.Replace("/details/notes", after.Notes)}
		if !after.CloseDate.IsZero() {
			ops = append(ops, pc.Replace("/details/closingDateTime", after.CloseDate.UTC().Format(time.RFC3339)))
		}
		return ops
	case "declined":
		return []pc.Op{pc.Replace("/status", "Closed"), pc.Replace("/substatus", "Declined"), pc.Replace("/statusReason", after.Reason)}
	case "stage":
		if s, ok := salesStages[after.Stage]; ok {
			return []pc.Op{pc.Replace("/salesStage", s)}
		}
	case "won":
		return []pc.Op{pc.Replace("/status", "Closed"), pc.Replace("/substatus", "Won")}
	case "lost":
		return []pc.Op{pc.Replace("/status", "Closed"), pc.Replace("/substatus", "Lost"), pc.Replace("/statusReason", after.Reason)}
	}
	return nil
}

// Push PATCHes the referral of a deal before the chat change is stored.
func (w *Writer) Push(ctx context.Context, before, after *deal.Deal, ev deal.Event) ([]ledger.Notice, error) {
	if after.ExternalID == "" {
		return nil, nil
	}
	ops := Ops(after, ev)
	if ops == nil {
		return nil, nil
	}
	s := w.src
	st, err := s.rec.SyncState(ctx, Name, after.ExternalID)
	if isNotFound(err) {
		return nil, nil // not a referral cosellbot got from Partner Center
	}
	if err != nil {
		return nil, fmt.Errorf("reading the Partner Center state of deal #%d: %w", after.ID, err)
	}
	ref, err := s.api.Patch(ctx, after.ExternalID, st.ETag, ops)
	var stale *pc.StaleError
	if errors.As(err, &stale) {
		changes := Differences(before, stale.Current)
		if _, aerr := s.ApplyReferral(ctx, stale.Current); aerr != nil {
			s.log.WarnContext(ctx, "partner center: the newer referral could not be applied", "deal", after.ID, "err", aerr)
		}
		return nil, &ChangedError{DealID: after.ID, Changes: changes}
	}
	if err != nil {
		return nil, &deal.RuleError{Field: "partnercenter", Rule: "partnercenter_writeback",
			Message: fmt.Sprintf("Partner Center did not take the change, so nothing was changed; try again in a moment (%v)", err)}
	}
	st.ETag, st.DealID = ref.ETag, after.ID
	if ref.UpdatedDateTime != nil {
		st.ModifiedAt = ref.UpdatedDateTime.UTC()
	}
	if err := s.rec.SaveSyncState(ctx, st); err != nil {
		s.log.WarnContext(ctx, "partner center: the new eTag was not saved", "deal", after.ID, "err", err)
	}
	return nil, nil
}

// Differences lists, in words, how a referral differs from the deal as
// cosellbot had it.
func Differences(d *deal.Deal, r *pc.Referral) []string {
	var out []string
	if st, err := Status(r); err == nil && st != d.Status {
		out = append(out, fmt.Sprintf("status %s → %s", d.Status, st))
	}
	if s, ok := stages[strings.ToLower(r.SalesStage)]; ok && s != d.Stage {
		out = append(out, fmt.Sprintf("stage %s → %s", d.Stage, s))
	}
	if v := money(r.Details.DealValue); v > 0 && v != d.Value {
		out = append(out, fmt.Sprintf("value %s → %s %s", d.Value, v, strings.ToUpper(r.Details.Currency)))
	}
	if c := strings.ToUpper(r.Details.Currency); c != "" && c != d.Currency {
		out = append(out, fmt.Sprintf("currency %s → %s", d.Currency, c))
	}
	if r.Details.ClosingDateTime != nil && !day(r.Details.ClosingDateTime).Equal(d.CloseDate) {
		out = append(out, fmt.Sprintf("close date %s → %s", d.CloseDate.Format(time.DateOnly), day(r.Details.ClosingDateTime).Format(time.DateOnly)))
	}
	return out
}
