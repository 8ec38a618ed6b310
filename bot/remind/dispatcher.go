package remind

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// Outbox is what a dispatcher needs of the durable record.
type Outbox interface {
	ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]ledger.Delivery, error)
	MarkSent(ctx context.Context, it ledger.Delivery, now time.Time, ref string) (bool, error)
	MarkFailed(ctx context.Context, it ledger.Delivery, sendErr error, retryAt time.Time, dead bool) (bool, error)
	// DeferOutbox puts a message back unsent, due at at, its attempt not
	// counted (held back by cosellbot's own pacing).
	DeferOutbox(ctx context.Context, it ledger.Delivery, at time.Time) (bool, error)
}

// Releaser is an Outbox that can give claimed messages back unsent (the
// store's ReleaseOutbox). A dispatcher stopping releases what it has not
// sent, so that another replica sends it at once; without a Releaser those
// messages wait for their lease to run out.
type Releaser interface {
	ReleaseOutbox(ctx context.Context, items []ledger.Delivery, now time.Time) (int64, error)
}

// releaseTimeout bounds the release at shutdown, whose context is already
// cancelled.
const releaseTimeout = 5 * time.Second

// Delivery settings.
const (
	// Lease is how long a claimed message is its dispatcher's: longer than
	// any send takes, so only a dead dispatcher's messages are taken over.
	Lease = 2 * time.Minute
	// MaxAttempts is how many sends a message gets before it is dead.
	MaxAttempts = 8
	// BaseBackoff is the wait after the first failure; it doubles with each
	// failure up to MaxBackoff.
	BaseBackoff = 30 * time.Second
	MaxBackoff  = time.Hour
	batchSize   = 50
)

// RetryDeadCommand makes dead messages due again (store.RetryDeadOutbox):
// dead ones are never sent again by themselves.
const RetryDeadCommand = "cosellbot outbox --retry-dead"

// Backoff is the wait after the attempt-th failed send.
func Backoff(attempt int) time.Duration {
	d := BaseBackoff
	for i := 1; i < attempt && d < MaxBackoff; i++ {
		d *= 2
	}
	return min(d, MaxBackoff)
}

// Dispatcher delivers the outbox through a notifier: at least once, with a
// lease, exponential backoff, and dead rows after MaxAttempts or a permanent
// failure.
type Dispatcher struct {
	box      Outbox
	notifier chat.Notifier
	now      func() time.Time
	log      *slog.Logger
	// Sent and Dead count this dispatcher's outcomes, for metrics; Dropped
	// counts the messages no longer true at delivery (atDelivery).
	Sent, Dead, Retried, Dropped atomic.Int64
}

// NewDispatcher builds a dispatcher; now is its clock.
func NewDispatcher(box Outbox, n chat.Notifier, now func() time.Time, log *slog.Logger) *Dispatcher {
	if log == nil {
		log = slog.Default()
	}
	return &Dispatcher{box: box, notifier: n, now: now, log: log}
}

// Once claims one batch of due messages and sends them, and reports how many
// it claimed.
func (d *Dispatcher) Once(ctx context.Context) (int, error) {
	items, err := d.box.ClaimOutbox(ctx, d.now(), Lease, batchSize)
	if err != nil {
		return 0, err
	}
	for i, it := range items {
		if ctx.Err() != nil {
			d.release(ctx, items[i:])
			return len(items), ctx.Err()
		}
		d.deliver(ctx, it)
	}
	return len(items), nil
}

// release gives unsent messages back when the dispatcher stops, past the
// cancellation of ctx.
func (d *Dispatcher) release(ctx context.Context, items []ledger.Delivery) {
	r, ok := d.box.(Releaser)
	if !ok || len(items) == 0 {
		return
	}
	relCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	n, err := r.ReleaseOutbox(relCtx, items, d.now())
	if err != nil {
		d.log.WarnContext(ctx, "outbox: unsent messages not released; they return when their lease runs out", "count", len(items), "err", err)
		return
	}
	d.log.InfoContext(ctx, "outbox: released unsent messages for another dispatcher", "count", n)
}

// deliver sends one message and records the outcome, also when ctx ends
// meanwhile (see below).
func (d *Dispatcher) deliver(ctx context.Context, it ledger.Delivery) {
	if cur, ok := d.box.(Current); ok {
		var (
			why string
			err error
		)
		if it, why, err = atDelivery(ctx, cur, it, d.now()); err != nil {
			// The record did not answer: the message waits its turn again,
			// no attempt counted, rather than go out saying what may be
			// untrue (at once for another replica when this one stops).
			d.log.WarnContext(ctx, "outbox: message held back, what it says could not be checked", "id", it.ID, "err", err)
			at := d.now().Add(BaseBackoff)
			if ctx.Err() != nil {
				at = d.now()
			}
			putCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
			defer cancel()
			if _, err := d.box.DeferOutbox(putCtx, it, at); err != nil {
				d.log.ErrorContext(ctx, "outbox: held-back message not put back; it returns when its lease runs out", "id", it.ID, "err", err)
			}
			return
		}
		if why != "" {
			d.drop(ctx, cur, it, why)
			return
		}
	}
	// A send under way is not cut off when the dispatcher stops: the
	// request may have reached the platform, and given back unrecorded the
	// message would be posted again by another replica. It finishes (the
	// notifiers' clients time out in seconds, inside the shutdown budget)
	// and is recorded; the rest of the batch is given back.
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), Lease/2)
	ref, sendErr := d.notifier.Send(sendCtx, it.Message)
	cancel()
	now := d.now()
	ctx, cancelMark := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancelMark()
	if sendErr == nil {
		owned, err := d.box.MarkSent(ctx, it, now, ref)
		if err != nil {
			d.log.ErrorContext(ctx, "outbox: sent but not marked; it may be sent again", "id", it.ID, "err", err)
			return
		}
		if !owned {
			d.log.WarnContext(ctx, "outbox: lease ran out before the send finished; another dispatcher may send it too", "id", it.ID)
		}
		d.Sent.Add(1)
		return
	}
	if chat.IsPaced(sendErr) {
		// Held back to keep to the channel's pace: its turn comes, however
		// many wait (a sweep after downtime reminds of dozens at once).
		after, _ := chat.RetryAfterOf(sendErr)
		if _, err := d.box.DeferOutbox(ctx, it, now.Add(after)); err != nil {
			d.log.ErrorContext(ctx, "outbox: held-back message not put back; it returns when its lease runs out", "id", it.ID, "err", err)
		}
		return
	}
	dead := chat.IsPermanent(sendErr) || it.Attempt >= MaxAttempts
	wait := Backoff(it.Attempt)
	if after, ok := chat.RetryAfterOf(sendErr); ok && after > wait {
		wait = after
	}
	_, fixable := chat.FixOf(sendErr)
	if dead && fixable {
		// The fix (a new token, the bot invited) does not send what died
		// of the cause: the row's last error says how to.
		sendErr = fmt.Errorf("%w, then %s", sendErr, RetryDeadCommand)
	}
	if _, err := d.box.MarkFailed(ctx, it, sendErr, now.Add(wait), dead); err != nil {
		d.log.ErrorContext(ctx, "outbox: failure not recorded; the row returns when its lease runs out", "id", it.ID, "err", err)
		return
	}
	if dead {
		d.Dead.Add(1)
		msg := "outbox: message is dead; once its cause is gone, " + RetryDeadCommand + " sends it again"
		if fixable {
			msg = "outbox: message is dead until the operator fixes the cause the error names, then runs " + RetryDeadCommand
		}
		d.log.ErrorContext(ctx, msg, "id", it.ID, "to", it.Message.To.String(), "subject", it.Message.Subject,
			"attempts", it.Attempt, "err", sendErr)
		return
	}
	d.Retried.Add(1)
	d.log.WarnContext(ctx, "outbox: send failed, will retry", "id", it.ID, "to", it.Message.To.String(), "attempt", it.Attempt,
		"retry_in", wait, "err", sendErr)
}

// drop deletes a message no longer true at delivery, and logs why.
func (d *Dispatcher) drop(ctx context.Context, cur Current, it ledger.Delivery, why string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	owned, err := cur.DropOutbox(ctx, it)
	if err != nil {
		d.log.ErrorContext(ctx, "outbox: message no longer true not dropped; it returns when its lease runs out", "id", it.ID, "why", why, "err", err)
		return
	}
	if owned {
		d.Dropped.Add(1)
		d.log.InfoContext(ctx, "outbox: message dropped unsent, no longer true", "id", it.ID, "to", it.Message.To.String(),
			"subject", it.Message.Subject, "kind", it.Kind, "why", why)
	}
}

// Loop dispatches until ctx ends: at once again while batches come full,
// otherwise every interval.
func (d *Dispatcher) Loop(ctx context.Context, every time.Duration) error {
	for {
		n, err := d.Once(ctx)
		if err != nil && ctx.Err() == nil {
			d.log.ErrorContext(ctx, "outbox: dispatch failed", "err", err)
		}
		if n == batchSize && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(every):
		}
	}
}
