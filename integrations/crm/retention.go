package crm

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// The inbox keeps every delivery's raw body (a few KB) after it was
// applied, for `cosellbot inbox`, for recognising redeliveries, and for an
// admin reading what a sender sent. Kept forever, a busy CRM's deliveries
// fill the disk: HubSpot sends one event per changed property, so a team's
// few thousand changes a day are gigabytes a year. Retention forgets the
// finished ones after a while; failed and waiting deliveries stay.

// DefaultKeep is how long finished deliveries are kept
// (COSELLBOT_INBOX_KEEP): long enough to read last month's, and far beyond
// the senders' retry windows (Salesforce drops an outbound message it could
// not deliver within 24 hours), so a redelivery is still recognised.
const DefaultKeep = 30 * 24 * time.Hour

// MinKeep is the shortest retention COSELLBOT_INBOX_KEEP accepts: shorter,
// a sender's late retry could arrive after its first delivery was forgotten.
const MinKeep = 7 * 24 * time.Hour

// ParseKeep reads COSELLBOT_INBOX_KEEP: a number of days ("30d"), or "off"
// to keep every delivery (0).
func ParseKeep(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if strings.EqualFold(v, "off") {
		return 0, nil
	}
	n, ok := strings.CutSuffix(v, "d")
	days, err := strconv.Atoi(n)
	if !ok || err != nil || time.Duration(days)*24*time.Hour < MinKeep || days > 3650 {
		return 0, fmt.Errorf("COSELLBOT_INBOX_KEEP %q: write a number of days from %dd to 3650d, as in 30d, or off to keep every delivery", v, int(MinKeep/(24*time.Hour)))
	}
	return time.Duration(days) * 24 * time.Hour, nil
}

// Forgetter is what retention needs of the inbox.
type Forgetter interface {
	// ForgetInbox deletes the deliveries received and finished before
	// before, and says how many.
	ForgetInbox(ctx context.Context, before time.Time) (int64, error)
}

// Retention forgets finished deliveries older than Keep.
type Retention struct {
	Inbox Forgetter
	Clock Clock
	Keep  time.Duration // 0: keep every delivery
	Log   *slog.Logger
}

// RetentionEvery is how often Run forgets: the inbox grows by at most a
// few hours of deliveries beyond Keep.
const RetentionEvery = time.Hour

// Pass forgets what is older than Keep now, and says how many deliveries
// it forgot.
func (r Retention) Pass(ctx context.Context) (int64, error) {
	if r.Keep <= 0 {
		return 0, nil
	}
	return r.Inbox.ForgetInbox(ctx, r.Clock.Now().Add(-r.Keep)) // its errors name the cut
}

// Run makes a pass at start and every RetentionEvery until ctx ends. A
// failed pass is logged and tried again at the next tick: nothing waits on
// it.
func (r Retention) Run(ctx context.Context) error {
	if r.Keep <= 0 {
		return nil
	}
	log := r.Log
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(RetentionEvery)
	defer t.Stop()
	for {
		n, err := r.Pass(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.WarnContext(ctx, "inbox retention", "err", err)
		case n > 0:
			log.InfoContext(ctx, "forgot finished deliveries", "count", n, "older_than", r.Keep.String())
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
