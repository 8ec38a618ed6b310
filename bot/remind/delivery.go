package remind

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cosellbot/cosellbot/bot/cpor"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// Current is what a dispatcher reads so that news counting down to a
// moment is true when it is delivered, not only when the sweep wrote it: a
// message retried with backoff, or sent again by `cosellbot outbox
// --retry-dead` days after it died, goes out hours or days late. The store
// is one; over an Outbox that is not, a dispatcher sends messages as they
// were written.
type Current interface {
	Deals(ctx context.Context, ids []int64) ([]*deal.Deal, error)
	GetClaim(ctx context.Context, id int64) (*cpor.Claim, error)
	// DropOutbox deletes a claimed message unsent (its dispatcher logs
	// why); false when the message was no longer the caller's.
	DropOutbox(ctx context.Context, it ledger.Delivery) (bool, error)
}

// atDelivery is a claimed message as it is true at now. A referral
// reminder is written again from the referral as it stands: the time left
// now, and, past LateAfter, that it is late and why. A claim's warning
// that its window closes soon is written again likewise. why, when set,
// says that the message is no longer true at all, and is dropped instead
// of sent: the referral answered, expired or gone, the claim's window
// closed or moved. Any other message is sent as written.
func atDelivery(ctx context.Context, cur Current, it ledger.Delivery, now time.Time) (_ ledger.Delivery, why string, _ error) {
	switch {
	case it.Kind == KindReminder:
		id, ok := ledger.DealOfSubject(it.Message.Subject)
		off, known := reminderOffset(it.Key)
		if !ok || !known {
			return it, "", nil
		}
		ds, err := cur.Deals(ctx, []int64{id})
		if err != nil {
			return it, "", fmt.Errorf("read deal #%d of reminder %d: %w", id, it.ID, err)
		}
		var d *deal.Deal
		if len(ds) == 1 {
			d = ds[0]
		}
		if why := NoAnswerTaken(id, d, now); why != "" {
			return it, why, nil
		}
		fired := it.Queued
		if fired.IsZero() {
			fired = now
		}
		n := reminderNotice(d, off, fired, now)
		return redone(it, n), "", nil
	case IsClosingWarning(it.Kind, it.Key):
		id, ok := ledger.ClaimOfSubject(it.Message.Subject)
		if !ok {
			return it, "", nil
		}
		c, err := cur.GetClaim(ctx, id)
		if errors.Is(err, ledger.ErrNotFound) {
			c, err = nil, nil
		}
		if err != nil {
			return it, "", fmt.Errorf("read claim #%d of warning %d: %w", id, it.ID, err)
		}
		if why := ClosingWarningOver(it.Key, id, c, now); why != "" {
			return it, why, nil
		}
		n := ClaimClosingNotice(c, now)
		return redone(it, n), "", nil
	}
	return it, "", nil
}

// redone is it saying what n says, marked Redone when that changes its
// text.
func redone(it ledger.Delivery, n ledger.Notice) ledger.Delivery {
	if n.Text == it.Message.Text {
		return it
	}
	it.Message.Text, it.Message.Actions, it.Redone = n.Text, n.Actions, true
	return it
}
