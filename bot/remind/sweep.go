package remind

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

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
	Deals(ctx context.Context, ids []int64) ([]*deal.Deal, error)
	Stale(ctx context.Context, before time.Time, limit int) ([]*deal.Deal, int64, error)
	Snoozed(ctx context.Context, subjects []string, now time.Time) (map[string]time.Time, error)
	Fire(ctx context.Context, now time.Time, fs []ledger.Firing) ([]ledger.Reminder, error)
	Fired(ctx context.Context, r ledger.Reminder) (bool, error)
	PlannedDue(ctx context.Context, now time.Time, limit int) ([]ledger.Reminder, error)
	GetClaim(ctx context.Context, id int64) (*cpor.Claim, error)
	UpdateClaim(ctx context.Context, c *cpor.Claim, e ledger.Entry, notices ...ledger.Notice) error
	Subscriptions(ctx context.Context) ([]ledger.Subscription, error)
}

// Actor is who the history says expired a referral or made a claim official.
const Actor = "sweep"

// Sweeper runs passes: reminders, expiries, planned checks and digests.
type Sweeper struct {
	rec     Record
	cfg     Config
	log     *slog.Logger
	changes *change.Engine
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
	return rep, nil
}

// remind fires the referral reminders due within the catch-up window: for
// each offset, the received deals expiring in (now+offset-CatchUp,
// now+offset], read page by page along the (status, expires_at) index.
func (s *Sweeper) remind(ctx context.Context, now time.Time, rep *Report) error {
	for _, off := range s.cfg.Before {
		after, afterID := now.Add(off-s.cfg.CatchUp), int64(0)
		for {
			ds, err := s.rec.ReceivedExpiring(ctx, after, afterID, now.Add(off), s.cfg.Batch)
			if err != nil {
				return fmt.Errorf("remind %s before expiry: %w", OffsetLabel(off), err)
			}
			if len(ds) == 0 {
				break
			}
			if err := s.fireReminders(ctx, now, off, ds, rep); err != nil {
				return err
			}
			if len(ds) < s.cfg.Batch {
				break
			}
			last := ds[len(ds)-1]
			after, afterID = last.ExpiresAt, last.ID
		}
	}
	return nil
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
			rep.add("skipped the %s reminder of deal #%d: snoozed until %s", OffsetLabel(off), d.ID, until.Format(time.DateOnly))
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
			if id, ok := idOf(r.Subject, "deal:"); ok {
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
			id, _ := idOf(r.Subject, "deal:")
			if d, ok := deals[id]; ok && d.Microsoft == deal.MSInvited && !d.Status.Terminal() && d.DecisionDue.Equal(r.DueAt) {
				f.Skip, f.Notices = false, []ledger.Notice{DecisionDueNotice(d)}
				lines[key(r)] = fmt.Sprintf("flagged: Microsoft did not join deal #%d within 14 days", d.ID)
			}
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
	id, ok := idOf(r.Subject, "claim:")
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
		return fmt.Sprintf("warned: the window of claim #%d closes on %s", c.ID, c.OfficialAt.Format(time.DateOnly)), []ledger.Notice{ClaimClosingNotice(c, now)}, nil
	default:
		ev, err := c.MakeOfficial(now)
		if err != nil {
			return "", nil, nil
		}
		err = s.rec.UpdateClaim(ctx, c, ledger.Entry{At: now, Actor: Actor, Action: ev.Action, Detail: ev.Detail}, ClaimNotice(c, ev))
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
		n, ok := DigestNotice(p, now, covered(byPlace[p], expiring), covered(byPlace[p], stale), s.cfg.StaleAfter)
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

// covered keeps the deals one of the subscriptions covers.
func covered(subs []ledger.Subscription, ds []*deal.Deal) []*deal.Deal {
	var out []*deal.Deal
	for _, d := range ds {
		if slices.ContainsFunc(subs, func(s ledger.Subscription) bool { return s.Matches(d.Location, d.Kind) }) {
			out = append(out, d)
		}
	}
	return out
}

func subject(id int64) string { return "deal:" + strconv.FormatInt(id, 10) }

func key(r ledger.Reminder) string {
	return r.Subject + "\x00" + r.Kind + "\x00" + strconv.FormatInt(r.DueAt.UTC().UnixMicro(), 10)
}

func idOf(subject, prefix string) (int64, bool) {
	raw, ok := strings.CutPrefix(subject, prefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	return id, err == nil
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
