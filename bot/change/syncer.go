package change

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// Writer writes a deal's fields to one outside system's record.
type Writer interface {
	// Write sends v (the fields the system lacks, as the deal has them
	// now) to the linked record. It returns the system's time of the write
	// (zero when it does not say) and its new eTag. A *StaleError says the
	// record changed in the system since cosellbot last read it: merge
	// Current, then write again. chat.Permanent errors are not retried.
	Write(ctx context.Context, l Link, d *deal.Deal, v Values) (Written, error)
}

// Written is what a system answered to a write. RecordID is set when the
// write created the record (a link still Pending): the link takes its id.
type Written struct {
	At       time.Time
	ETag     string
	RecordID string
	// Skipped are fields the write could not express in the system (a
	// stage its mapping has no value for): it still holds what it held,
	// so they stay what the link knew, not what was sent. A failed write
	// names them too.
	Skipped []Field
	// Unwritten are fields the write left out that a further write can
	// send (Partner Center's create takes no sales stage, and makes a
	// referral New): the link goes on lacking them, and they are sent
	// next. Taken for written, the link said the record held them, and
	// sync said "in step" of values the system never got.
	Unwritten []Field
}

// PendingPrefix starts the record id of a link whose record is to be
// created in its system by the first write.
const PendingPrefix = "pending:"

// Pending reports whether a link's record is still to be created.
func (l Link) Pending() bool { return strings.HasPrefix(l.RecordID, PendingPrefix) }

// StaleError is a write refused because the record changed meanwhile
// (Partner Center's 412); Current is the record as it is now.
type StaleError struct{ Current Incoming }

func (e *StaleError) Error() string {
	return fmt.Sprintf("%s record %s changed since cosellbot last read it", Label(e.Current.System), e.Current.RecordID)
}

// Claim is sync work leased to one syncer.
type Claim struct {
	LinkRef
	Gen     int64 // bumped by every commit that asks for the link again
	Attempt int   // 1 for the first try
}

// SyncRecord is what the syncer needs of the durable record.
type SyncRecord interface {
	Record
	SaveLink(ctx context.Context, l Link) error
	ClaimSync(ctx context.Context, now time.Time, lease time.Duration, limit int, f SyncFilter) ([]Claim, error)
	// FinishSync ends the work, unless a commit asked for the link again
	// since it was claimed (Gen differs): then it is due again at once.
	FinishSync(ctx context.Context, c Claim, now time.Time) error
	// RetrySync puts the work back for at, or marks it dead.
	RetrySync(ctx context.Context, c Claim, at time.Time, reason string, dead bool) error
	// RenameLink gives a pending link the id its system gave the record it
	// created, and the deal that id as its ExternalID when it has none.
	RenameLink(ctx context.Context, l Link, recordID string) error
}

// SyncFilter narrows the work ClaimSync takes to some systems (none: all),
// leaving out others.
type SyncFilter struct {
	Systems, Except []string
}

// Syncer sends each linked system what it lacks of its deal: the current
// state, never a queued change, so a retry after a newer change sends the
// newer value and nothing older can land after it. One delivery per link is
// in flight (the work is one row per link, leased).
type Syncer struct {
	rec     SyncRecord
	engine  *Engine
	writers map[string]Writer
	systems []string // the writers' systems, sorted: one Run loop each
	clock   Clock
	log     *slog.Logger
	kicks   []chan struct{} // one per loop of Run
	// Lease is how long a claim is held; MaxAttempts how often work is
	// tried before it is dead.
	Lease       time.Duration
	MaxAttempts int
}

// NewSyncer builds a syncer over the writers, one per system.
func NewSyncer(rec SyncRecord, engine *Engine, writers map[string]Writer, clock Clock, log *slog.Logger) *Syncer {
	if log == nil {
		log = slog.Default()
	}
	s := &Syncer{rec: rec, engine: engine, writers: writers, clock: clock, log: log, Lease: time.Minute, MaxAttempts: 12}
	for sys := range writers {
		s.systems = append(s.systems, sys)
	}
	slices.Sort(s.systems)
	s.kicks = make([]chan struct{}, len(s.systems)+1)
	for i := range s.kicks {
		s.kicks[i] = make(chan struct{}, 1)
	}
	return s
}

// Kick wakes Run: new work waits.
func (s *Syncer) Kick() {
	for _, k := range s.kicks {
		select {
		case k <- struct{}{}:
		default:
		}
	}
}

// Every is how often Run looks for work without being kicked (work of
// another replica, retries that came due).
const Every = 2 * time.Second

// Run syncs until ctx ends: a loop per system it writes to, so that one
// that hangs (up to its client's timeout per write, for each of its
// records) holds up no other, and one for the work of systems it does not
// write to here (found dead, with the reason).
func (s *Syncer) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for i, sys := range s.systems {
		wg.Go(func() { s.loop(ctx, SyncFilter{Systems: []string{sys}}, s.kicks[i]) })
	}
	wg.Go(func() { s.loop(ctx, SyncFilter{Except: s.systems}, s.kicks[len(s.systems)]) })
	wg.Wait()
	return ctx.Err()
}

func (s *Syncer) loop(ctx context.Context, f SyncFilter, kick <-chan struct{}) {
	t := time.NewTicker(Every)
	defer t.Stop()
	for {
		if _, err := s.pass(ctx, f); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "sync pass", "systems", f.Systems, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-kick:
		case <-t.C:
		}
	}
}

// PassReport counts what a pass did.
type PassReport struct{ Sent, Done, Retried, Dead int }

// Pass does the work that is due now, in batches, and reports it. Each
// system's work runs on its own, in order: a system that hangs (up to its
// client's timeout per write) holds up its own records, not Partner
// Center's or another CRM's.
func (s *Syncer) Pass(ctx context.Context) (PassReport, error) { return s.pass(ctx, SyncFilter{}) }

func (s *Syncer) pass(ctx context.Context, f SyncFilter) (PassReport, error) {
	var rep PassReport
	for {
		claims, err := s.rec.ClaimSync(ctx, s.clock.Now(), s.Lease, 50, f)
		if err != nil {
			return rep, fmt.Errorf("claim sync work: %w", err)
		}
		bySystem := map[string][]Claim{}
		for _, c := range claims {
			bySystem[c.System] = append(bySystem[c.System], c)
		}
		var (
			mu   sync.Mutex
			errs []error
			wg   sync.WaitGroup
		)
		for _, cs := range bySystem {
			wg.Go(func() {
				var r PassReport
				var err error
				for _, c := range cs {
					if err = s.one(ctx, c, &r); err != nil {
						break
					}
				}
				mu.Lock()
				defer mu.Unlock()
				rep.Sent, rep.Done, rep.Retried, rep.Dead = rep.Sent+r.Sent, rep.Done+r.Done, rep.Retried+r.Retried, rep.Dead+r.Dead
				if err != nil {
					errs = append(errs, err)
				}
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return rep, err
		}
		if len(claims) < 50 {
			return rep, nil
		}
	}
}

// one syncs one link. Errors returned are the record's; a system's errors
// go back into the work row.
func (s *Syncer) one(ctx context.Context, c Claim, rep *PassReport) error {
	for try, sent := 0, false; try < 3; try++ {
		wrote, renamed, more, err := s.write(ctx, c)
		if renamed != "" {
			c.RecordID = renamed
		}
		sent = sent || wrote
		var stale *StaleError
		switch {
		case errors.As(err, &stale):
			if _, err := s.engine.Receive(ctx, stale.Current, nil, nil); err != nil {
				return s.fail(ctx, c, fmt.Errorf("merging the newer %s record: %w", Label(c.System), err), rep)
			}
			continue // write again what the system still lacks
		case err != nil:
			return s.fail(ctx, c, err, rep)
		case more:
			continue // the write left out what the next one sends
		}
		if sent {
			rep.Sent++
		}
		rep.Done++
		return s.rec.FinishSync(ctx, c, s.clock.Now())
	}
	return s.fail(ctx, c, fmt.Errorf("%s record %s kept changing while cosellbot wrote to it", Label(c.System), c.RecordID), rep)
}

// errNotConfigured is work for a system this server has no writer for
// (configured on another replica, or no longer): given up without news,
// since nobody's change was refused.
var errNotConfigured = errors.New("not configured")

// write sends the link what it lacks; sent is false when it lacked nothing.
// renamed is the record's id when the write created it; more says the
// write left out fields a further write sends (Written.Unwritten).
func (s *Syncer) write(ctx context.Context, c Claim) (sent bool, renamed string, more bool, err error) {
	w, ok := s.writers[c.System]
	if !ok {
		return false, "", false, chat.Permanent(fmt.Errorf("cosellbot does not write to %s here (%w)", Label(c.System), errNotConfigured))
	}
	l, err := s.rec.Link(ctx, c.System, c.RecordID)
	if errors.Is(err, ledger.ErrNotFound) && strings.HasPrefix(c.RecordID, PendingPrefix) {
		// The record being created was told of (its create timed out) and
		// linked in the pending link's place: nothing is left to create.
		return false, "", false, nil
	}
	if err != nil {
		return false, "", false, fmt.Errorf("reading the link: %w", err)
	}
	if l.DealID == 0 {
		return false, "", false, nil // unlinked since (deleted there): nothing to write
	}
	d, err := s.rec.GetDeal(ctx, l.DealID)
	if err != nil {
		return false, "", false, fmt.Errorf("reading deal #%d: %w", l.DealID, err)
	}
	out := Outgoing(c.System, Of(d), l.Shadow, s.engine.FieldsOf(c.System))
	if len(out) == 0 {
		if lost := closedBeforeSent(c.System, Of(d), l.Shadow, s.engine.FieldsOf(c.System)); len(lost) > 0 {
			return false, "", false, s.engine.ClosedBeforeSent(ctx, c.System, c.RecordID, lost)
		}
		return false, "", false, nil
	}
	// What is about to be sent is recorded first, so that the system's
	// echo of it, arriving before the answer, is known for an echo.
	before := l.Shadow
	l.Shadow = l.Shadow.Sending(out)
	if err := s.rec.SaveLink(ctx, l); err != nil {
		return false, "", false, err
	}
	got, err := w.Write(ctx, l, d, out)
	if err != nil {
		if len(got.Skipped) > 0 {
			// What the write could not express was never sent, whatever
			// became of the rest: kept "sending", it stayed so for good
			// (the retry does not send it again) and sync said "sent".
			cur, rerr := s.rec.Link(ctx, c.System, c.RecordID)
			if rerr == nil {
				unsend(cur.Shadow, before, out, got.Skipped)
				rerr = s.rec.SaveLink(ctx, cur)
			}
			if rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		return false, "", false, err
	}
	if got.RecordID != "" && got.RecordID != c.RecordID {
		if err := s.rec.RenameLink(ctx, l, got.RecordID); err != nil && !s.linkedMeanwhile(ctx, c.System, got.RecordID, l.DealID) {
			return false, "", false, fmt.Errorf("%s created record %s, but linking it failed: %w", Label(c.System), got.RecordID, err)
		}
		c.RecordID, renamed = got.RecordID, got.RecordID
	}
	// Re-read: an echo or another change may have touched the link meanwhile.
	cur, err := s.rec.Link(ctx, c.System, c.RecordID)
	if err != nil {
		return false, renamed, false, err
	}
	unsend(cur.Shadow, before, out, append(got.Skipped, got.Unwritten...))
	cur.Shadow = cur.Shadow.Sent(out, got.At, s.clock.Now())
	if got.ETag != "" {
		cur.ETag = got.ETag
	}
	if got.At.After(cur.Seen) {
		cur.Seen = got.At
	}
	return true, renamed, len(got.Unwritten) > 0, s.rec.SaveLink(ctx, cur)
}

// closedBeforeSent is what of the deal's figures and texts a Partner
// Center referral closed there lacks: work is made only while something is
// to be sent, so this is the work of a change made here before the close
// was known, said once.
func closedBeforeSent(system string, cur Values, sh Shadow, only []Field) Values {
	if system != PartnerCenter || !ClosedThere(sh) {
		return nil
	}
	lost := Diff(cur, sh.Values(), only)
	for f := range lost {
		if f == Status || f == Stage || f == Reason {
			delete(lost, f) // the close is Partner Center's, and stands
		}
	}
	return lost
}

// unsend takes back, in sh, the marks "sending" of the fields a write
// skipped (it could not express them) or left for the next one, unless an
// echo came meanwhile: sh holds again what it held before, and out no
// longer holds them.
func unsend(sh, before Shadow, out Values, skipped []Field) {
	for _, f := range skipped {
		if m := sh[f]; m.Pending && m.Sent == out[f] { // no echo came meanwhile
			if was, ok := before[f]; ok {
				sh[f] = was
			} else {
				delete(sh, f)
			}
		}
		delete(out, f)
	}
}

// backoff is the wait before attempt n+1.
func backoff(n int) time.Duration {
	d := 2 * time.Second << min(n, 10)
	return min(d, 30*time.Minute)
}

func (s *Syncer) fail(ctx context.Context, c Claim, err error, rep *PassReport) error {
	dead := chat.IsPermanent(err) || errors.Is(err, ledger.ErrNotFound) || c.Attempt >= s.MaxAttempts
	wait := backoff(c.Attempt)
	if after, ok := chat.RetryAfterOf(err); ok && after > wait {
		wait = after
	}
	if dead {
		rep.Dead++
		s.log.ErrorContext(ctx, "sync gave up", "system", c.System, "record", c.RecordID, "attempt", c.Attempt, "err", err)
		if !errors.Is(err, ledger.ErrNotFound) && !errors.Is(err, errNotConfigured) && s.engine != nil {
			if terr := s.engine.GaveUp(ctx, c.System, c.RecordID, err.Error()); terr != nil {
				s.log.ErrorContext(ctx, "telling the deal a sync gave up", "system", c.System, "record", c.RecordID, "err", terr)
			}
		}
	} else {
		rep.Retried++
		s.log.WarnContext(ctx, "sync failed; retrying", "system", c.System, "record", c.RecordID, "attempt", c.Attempt, "in", wait, "err", err)
	}
	return s.rec.RetrySync(ctx, c, s.clock.Now().Add(wait), err.Error(), dead)
}

// linkedMeanwhile reports whether the record a create answered with is
// linked to the deal already: the system told of it (a notification, a
// poll) while the create's answer was on its way, and it was linked in the
// pending link's place.
func (s *Syncer) linkedMeanwhile(ctx context.Context, system, recordID string, dealID int64) bool {
	l, err := s.rec.Link(ctx, system, recordID)
	return err == nil && l.DealID == dealID
}
