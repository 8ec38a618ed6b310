package remind

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/cpor"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// Record is what a sweep needs of the durable record; deals change only
// through the change path (bot/change), which it also serves.
type Record interface {
	change.Record
	ReceivedExpiring(ctx context.Context, after time.Time, afterID int64, upTo time.Time, limit int) ([]*deal.Deal, error)
	ReceivedSince(ctx context.Context, since time.Time, afterID int64, limit int) ([]*deal.Deal, error)
	Deals(ctx context.Context, ids []int64) ([]*deal.Deal, error)
	Stale(ctx context.Context, before time.Time, limit int) ([]*deal.Deal, int64, error)
	Snoozed(ctx context.Context, subjects []string, now time.Time) (map[string]time.Time, error)
	Fire(ctx context.Context, now time.Time, fs []ledger.Firing) ([]ledger.Reminder, error)
	Fired(ctx context.Context, r ledger.Reminder) (bool, error)
	PlannedDue(ctx context.Context, now time.Time, limit int) ([]ledger.Reminder, error)
	GetClaim(ctx context.Context, id int64) (*cpor.Claim, error)
	UpdateClaim(ctx context.Context, c *cpor.Claim, e ledger.Entry, notices ...ledger.Notice) error
	Subscriptions(ctx context.Context) ([]ledger.Subscription, error)
	User(ctx context.Context, id string) (access.User, error)
}

// Actor is who the history says expired a referral or made a claim official.
const Actor = "sweep"

// Sweeper runs passes: reminders, expiries, planned checks and digests.
type Sweeper struct {
	rec     Record
	cfg     Config
	log     *slog.Logger
	changes *change.Engine

	mu   sync.Mutex
	last time.Time // when this sweeper's previous pass ran; zero before the first
}

// NewSweeper builds a sweeper over a record.
func NewSweeper(rec Record, cfg Config, log *slog.Logger) *Sweeper {
	if log == nil {
		log = slog.Default()
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultConfig().Batch
	}
	return &Sweeper{rec: rec, cfg: cfg, log: log, changes: change.New(rec, nil, nil, nil, log)}
}

// WithChanges makes the sweeper change deals through e, the change path
// that knows which outside systems to keep in step (an expiry is written
// back to Partner Center like any other change).
func (s *Sweeper) WithChanges(e *change.Engine) *Sweeper {
	s.changes = e
	return s
}

// Report is what one pass did, a line per reminder fired, deal expired,
// claim moved or digest sent.
type Report struct {
	Lines []string
}

func (r *Report) add(format string, args ...any) {
	r.Lines = append(r.Lines, fmt.Sprintf(format, args...))
}

// Run does one pass at now. Every step is idempotent, so concurrent passes on
// several replicas do each thing once between them; an error stops the pass
// and the next one picks up where it failed.
func (s *Sweeper) Run(ctx context.Context, now time.Time) (Report, error) {
	var rep Report
	for _, step := range []func(context.Context, time.Time, *Report) error{s.remind, s.expire, s.planned, s.digest} {
		if err := step(ctx, now, &rep); err != nil {
			return rep, err
		}
	}
	s.mu.Lock()
	s.last = now
	s.mu.Unlock()
	return rep, nil
}

// catchingUp reports whether reminders may have been missed before now: on
// a sweeper's first pass (a restart, a one-shot sweep) or after a gap longer
// than CatchUp between passes (a stalled loop).
func (s *Sweeper) catchingUp(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last.IsZero() || now.Sub(s.last) > s.cfg.CatchUp
}

// remind fires the referral reminders due within the catch-up window: for
// each offset, the received deals expiring in (now+offset-CatchUp,
// now+offset], read page by page along the (status, expires_at) index.
//
// After downtime (see catchingUp) it looks further back: for each deal, the
// latest reminder that fell due is still sent, late and saying so, rather
// than dropped; older ones are superseded by it. For the offset off followed
// by the shorter next, those are the deals expiring in (now+next, now+off].
func (s *Sweeper) remind(ctx context.Context, now time.Time, rep *Report) error {
	wide := s.catchingUp(now)
	if !wide {
		if err := s.remindRecorded(ctx, now, rep); err != nil {
			return err
		}
	}
	for i, off := range s.cfg.Before {
		next := time.Duration(0)
		if i+1 < len(s.cfg.Before) {
			next = s.cfg.Before[i+1]
		}
		after, afterID := now.Add(off-s.cfg.CatchUp), int64(0)
		if wide && now.Add(next).Before(after) {
			after = now.Add(next)
		}
		for {
			page, err := s.rec.ReceivedExpiring(ctx, after, afterID, now.Add(off), s.cfg.Batch)
			if err != nil {
				return fmt.Errorf("remind %s before expiry: %w", OffsetLabel(off), err)
			}
			if len(page) == 0 {
				break
			}
			// A referral expiring at this very moment is the expiry step's:
			// reminded first, its channel got "expires in no time" with
			// Accept buttons a moment before the expiry (a tester).
			ds := slices.DeleteFunc(slices.Clone(page), func(d *deal.Deal) bool { return !d.ExpiresAt.After(now) })
			if wide {
				// A deal whose next reminder is due too gets that one instead.
				ds = slices.DeleteFunc(ds, func(d *deal.Deal) bool {
					return next > 0 && !d.ExpiresAt.Add(-next).After(now) && d.ExpiresAt.Add(-off).Before(now.Add(-s.cfg.CatchUp))
				})
			}
			if len(ds) > 0 {
				if err := s.fireReminders(ctx, now, off, ds, rep); err != nil {
					return err
				}
			}
			ds = page
			if len(ds) < s.cfg.Batch {
				break
			}
			last := ds[len(ds)-1]
			after, afterID = last.ExpiresAt, last.ID
		}
	}
	return nil
}

// remindRecorded sends, for each referral recorded since the previous pass
// already past a reminder's point (received= a week ago, a referral Partner
// Center had held), the latest reminder that fell due, late and saying why,
// as a pass after downtime would: the window of remind looks only at
// reminders falling due now.
func (s *Sweeper) remindRecorded(ctx context.Context, now time.Time, rep *Report) error {
	s.mu.Lock()
	since := s.last.Add(-s.cfg.CatchUp)
	s.mu.Unlock()
	for afterID := int64(0); ; {
		page, err := s.rec.ReceivedSince(ctx, since, afterID, s.cfg.Batch)
		if err != nil {
			return fmt.Errorf("remind newly recorded referrals: %w", err)
		}
		byOffset := map[time.Duration][]*deal.Deal{}
		for _, d := range page {
			afterID = d.ID
			if !d.ExpiresAt.After(now) {
				continue // the expiry step has it
			}
			// The latest reminder that fell due before the narrow window.
			for _, off := range slices.Backward(s.cfg.Before) {
				if due := d.ExpiresAt.Add(-off); !due.After(now) {
					if due.Before(now.Add(-s.cfg.CatchUp)) {
						byOffset[off] = append(byOffset[off], d)
					}
					break
				}
			}
		}
		for off, ds := range byOffset {
			if err := s.fireReminders(ctx, now, off, ds, rep); err != nil {
				return err
			}
		}
		if len(page) < s.cfg.Batch {
			return nil
		}
	}
}

func (s *Sweeper) fireReminders(ctx context.Context, now time.Time, off time.Duration, ds []*deal.Deal, rep *Report) error {
	subjects := make([]string, len(ds))
	for i, d := range ds {
		subjects[i] = subject(d.ID)
	}
	snoozed, err := s.rec.Snoozed(ctx, subjects, now)
	if err != nil {
		return fmt.Errorf("remind: %w", err)
	}
	fs := make([]ledger.Firing, len(ds))
	byKey := map[string]*deal.Deal{}
	for i, d := range ds {
		r := ledger.Reminder{Subject: subjects[i], Kind: beforeKind(off), DueAt: d.ExpiresAt.Add(-off)}
		_, skip := snoozed[r.Subject]
		fs[i] = ledger.Firing{Reminder: r, Skip: skip, Notices: []ledger.Notice{ReminderNotice(d, off, now)}}
		byKey[r.Subject] = d
	}
	fired, err := s.rec.Fire(ctx, now, fs)
	if err != nil {
		return fmt.Errorf("remind %s before expiry: %w", OffsetLabel(off), err)
	}
	for _, r := range fired {
		d := byKey[r.Subject]
		if until, ok := snoozed[r.Subject]; ok {
			rep.add("skipped the %s reminder of deal #%d: snoozed until %s", OffsetLabel(off), d.ID, deal.Moment(until))
			continue
		}
		if due := d.ExpiresAt.Add(-off); now.Sub(due) > LateAfter {
			rep.add("reminded: deal #%d expires in %s (%s reminder) — late, it was due %s", d.ID, left(d.ExpiresAt, now), OffsetLabel(off), when(due))
			continue
		}
		rep.add("reminded: deal #%d expires in %s (%s reminder)", d.ID, left(d.ExpiresAt, now), OffsetLabel(off))
	}
	return nil
}

// expire archives the received referrals whose time ran out, each in its
// own transaction with its history line and notices. A replica that loses
// the race for a deal (version conflict) leaves it to the winner.
func (s *Sweeper) expire(ctx context.Context, now time.Time, rep *Report) error {
	for {
		ds, err := s.rec.ReceivedExpiring(ctx, time.Time{}, 0, now, s.cfg.Batch)
		if err != nil {
			return fmt.Errorf("expire referrals: %w", err)
		}
		done := 0
		for _, d := range ds {
			_, _, err := s.changes.ApplyAt(ctx, d, Actor, now, func(x *deal.Deal) (deal.Event, error) { return x.Expire(now) })
			var rule *deal.RuleError
			if errors.As(err, &rule) {
				continue // not due after all: the rule has the last word
			}
			// The expiry event is dated at the real expiry (ev.At), and the
			// change path dates the history with it: after an outage the
			// history says when the referral expired, not when the sweep
			// noticed.
			if errors.Is(err, ledger.ErrConflict) || errors.Is(err, ledger.ErrNotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("expire deal #%d: %w", d.ID, err)
			}
			done++
			rep.add("expired: deal #%d, received %s, unanswered", d.ID, d.ReceivedAt.Format(time.DateOnly))
		}
		if len(ds) < s.cfg.Batch || done == 0 {
			return nil
		}
	}
}

// planned fires the checks planned ahead (Microsoft's decision windows, CPOR
// windows) that are due.
func (s *Sweeper) planned(ctx context.Context, now time.Time, rep *Report) error {
	due, err := s.rec.PlannedDue(ctx, now, s.cfg.Batch)
	if err != nil {
		return fmt.Errorf("planned checks: %w", err)
	}
	var (
		fs    []ledger.Firing
		lines = map[string]string{}
	)
	var dealIDs []int64
	for _, r := range due {
		if r.Kind == ledger.PlanDecisionDue {
			if id, ok := ledger.DealOfSubject(r.Subject); ok {
				dealIDs = append(dealIDs, id)
			}
		}
	}
	deals := map[int64]*deal.Deal{}
	if len(dealIDs) > 0 {
		ds, err := s.rec.Deals(ctx, dealIDs)
		if err != nil {
			return fmt.Errorf("planned checks: %w", err)
		}
		for _, d := range ds {
			deals[d.ID] = d
		}
	}
	for _, r := range due {
		f := ledger.Firing{Reminder: r, Skip: true}
		switch r.Kind {
		case ledger.PlanDecisionDue:
			id, _ := ledger.DealOfSubject(r.Subject)
			d, ok := deals[id]
			if !ok || !d.DecisionDue.Equal(r.DueAt) {
				break
			}
			// The lapse is recorded on the deal through the change path,
			// dated at the window's end, with its news; a person's action
			// may have recorded it first.
			_, _, err := s.changes.ApplyAt(ctx, d, Actor, now, lapse(now))
			var rule *deal.RuleError
			if errors.As(err, &rule) || errors.Is(err, ledger.ErrConflict) || errors.Is(err, ledger.ErrNotFound) {
				break
			}
			if err != nil {
				return fmt.Errorf("planned checks: deal #%d: %w", d.ID, err)
			}
			f.Skip = false
			lines[key(r)] = fmt.Sprintf("flagged: Microsoft did not join deal #%d within 14 days", d.ID)
		case cpor.PlanClosing, cpor.PlanOfficial:
			line, n, err := s.claimCheck(ctx, now, r)
			if err != nil {
				return err
			}
			if line != "" {
				f.Skip, f.Notices = false, n
				lines[key(r)] = line
			}
		}
		fs = append(fs, f)
	}
	if len(fs) == 0 {
		return nil
	}
	fired, err := s.rec.Fire(ctx, now, fs)
	if err != nil {
		return fmt.Errorf("planned checks: %w", err)
	}
	for _, r := range fired {
		if l := lines[key(r)]; l != "" {
			rep.add("%s", l)
		}
	}
	return nil
}

// claimCheck handles a CPOR reminder: the warning a day before the window
// closes, or making the claim official when it has closed. An official claim
// carries its notice in its own update, so its firing sends nothing more.
func (s *Sweeper) claimCheck(ctx context.Context, now time.Time, r ledger.Reminder) (string, []ledger.Notice, error) {
	id, ok := ledger.ClaimOfSubject(r.Subject)
	if !ok {
		return "", nil, nil
	}
	c, err := s.rec.GetClaim(ctx, id)
	if errors.Is(err, ledger.ErrNotFound) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("check claim %d: %w", id, err)
	}
	if c.Status != cpor.Notified {
		return "", nil, nil
	}
	switch r.Kind {
	case cpor.PlanClosing:
		if !c.OfficialAt.Add(-cpor.ClosingNotice).Equal(r.DueAt) || !now.Before(c.OfficialAt) {
			return "", nil, nil
		}
		return fmt.Sprintf("warned: the customer of claim #%d may decline until the end of %s (%s time)", c.ID, c.LastDay().Format(time.DateOnly), cpor.Zone(c.Country)), []ledger.Notice{ClaimClosingNotice(c, now)}, nil
	default:
		ev, err := c.MakeOfficial(now)
		if err != nil {
			return "", nil, nil
		}
		err = s.rec.UpdateClaim(ctx, c, ledger.Entry{At: ev.At, Actor: Actor, Action: ev.Action, Detail: ev.Detail}, ClaimNotice(c, ev))
		if errors.Is(err, ledger.ErrConflict) {
			return "", nil, nil
		}
		if err != nil {
			return "", nil, fmt.Errorf("make claim %d official: %w", c.ID, err)
		}
		return fmt.Sprintf("official: claim #%d", c.ID), nil, nil
	}
}

// digest sends each subscribed place its daily digest once, from DigestHour
// UTC on: the referrals expiring this week and the stale open deals its
// subscriptions cover.
func (s *Sweeper) digest(ctx context.Context, now time.Time, rep *Report) error {
	y, m, d := now.UTC().Date()
	due := time.Date(y, m, d, s.cfg.DigestHour, 0, 0, 0, time.UTC)
	if now.Before(due) {
		return nil
	}
	subs, err := s.rec.Subscriptions(ctx)
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	byPlace := map[chat.Place][]ledger.Subscription{}
	var places []chat.Place
	for _, sub := range subs {
		if _, ok := byPlace[sub.Place]; !ok {
			places = append(places, sub.Place)
		}
		byPlace[sub.Place] = append(byPlace[sub.Place], sub)
	}
	var expiring, stale []*deal.Deal
	loaded := false
	for _, p := range places {
		r := ledger.Reminder{Subject: "channel:" + p.String(), Kind: KindDigest, DueAt: due}
		done, err := s.rec.Fired(ctx, r)
		if err != nil {
			return fmt.Errorf("digest for %s: %w", p, err)
		}
		if done {
			continue
		}
		if !loaded {
			if expiring, err = s.rec.ReceivedExpiring(ctx, now, 0, now.Add(7*24*time.Hour), s.cfg.Batch); err != nil {
				return fmt.Errorf("digest: %w", err)
			}
			if stale, _, err = s.rec.Stale(ctx, now.Add(-s.cfg.StaleAfter), s.cfg.Batch); err != nil {
				return fmt.Errorf("digest: %w", err)
			}
			loaded = true
		}
		makers, err := s.subscribers(ctx, byPlace[p])
		if err != nil {
			return fmt.Errorf("digest for %s: %w", p, err)
		}
		n, ok := DigestNotice(p, now, covered(byPlace[p], makers, expiring), covered(byPlace[p], makers, stale), s.cfg.StaleAfter)
		if ok && s.cfg.PageURL != "" {
			n.Text += "\nSee it all on the pipeline page: " + s.cfg.PageURL + " (sign in with /cosell web)"
		}
		f := ledger.Firing{Reminder: r, Skip: !ok}
		if ok {
			f.Notices = []ledger.Notice{n}
		}
		fired, err := s.rec.Fire(ctx, now, []ledger.Firing{f})
		if err != nil {
			return fmt.Errorf("digest for %s: %w", p, err)
		}
		if len(fired) > 0 && ok {
			rep.add("digest: sent to %s", p)
		}
	}
	return nil
}

// covered keeps the deals one of the subscriptions covers and its maker
// may see (access.Receives: the same rule as every other notice).
func covered(subs []ledger.Subscription, makers map[string]*access.User, ds []*deal.Deal) []*deal.Deal {
	var out []*deal.Deal
	for _, d := range ds {
		if slices.ContainsFunc(subs, func(s ledger.Subscription) bool {
			return s.Matches(d.Location, d.Kind) && access.Receives(makers[strings.ToLower(s.CreatedBy)], s.Place, false, d)
		}) {
			out = append(out, d)
		}
	}
	return out
}

// subscribers reads the makers of subscriptions: nil for one no longer a
// user, the local admin for the shell's.
func (s *Sweeper) subscribers(ctx context.Context, subs []ledger.Subscription) (map[string]*access.User, error) {
	out := map[string]*access.User{}
	for _, sub := range subs {
		id := strings.ToLower(sub.CreatedBy)
		if _, ok := out[id]; ok {
			continue
		}
		if strings.EqualFold(id, access.LocalAdmin.ID) {
			admin := access.LocalAdmin
			out[id] = &admin
			continue
		}
		u, err := s.rec.User(ctx, id)
		switch {
		case err == nil:
			out[id] = &u
		case errors.Is(err, ledger.ErrNotFound):
			out[id] = nil
		default:
			return nil, err
		}
	}
	return out, nil
}

func subject(id int64) string { return ledger.DealSubject(id) }

func key(r ledger.Reminder) string {
	return r.Subject + "\x00" + r.Kind + "\x00" + strconv.FormatInt(r.DueAt.UTC().UnixMicro(), 10)
}

// Loop runs a pass every interval until ctx ends, logging what each did and
// any failure (the next pass retries).
func (s *Sweeper) Loop(ctx context.Context, now func() time.Time, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		rep, err := s.Run(ctx, now())
		if err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "sweep failed", "err", err)
		}
		for _, l := range rep.Lines {
			s.log.InfoContext(ctx, "sweep", "did", l)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// lapse is the operation that records Microsoft's lapsed decision window,
// refused when nothing is due.
func lapse(now time.Time) change.Op {
	return func(x *deal.Deal) (deal.Event, error) {
		if ev, ok := x.LapseIfDue(now); ok {
			return ev, nil
		}
		return deal.Event{}, &deal.RuleError{Field: "microsoft", Rule: "lapse_not_due", Message: fmt.Sprintf("Microsoft's window on deal %d has not closed unanswered", x.ID)}
	}
}
