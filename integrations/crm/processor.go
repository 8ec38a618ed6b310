package crm

import (
	"context"
	"fmt"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"log/slog"
	"sync"
	"time"
)

// Processor applies stored events, oldest first, one at a time (so that two
// events about one deal never race), and marks each row with its outcome.
type Processor struct {
	inbox   Inbox
	sources map[string]Source
	clock   Clock
	log     *slog.Logger
	metrics Metrics
	kick    chan struct{}
	mu      sync.Mutex
}

// NewProcessor builds a processor over the configured sources.
func NewProcessor(inbox Inbox, sources []Source, clock Clock, log *slog.Logger, m Metrics) *Processor {
	p := &Processor{inbox: inbox, sources: map[string]Source{}, clock: clock, log: log, metrics: m, kick: make(chan struct{}, 1)}
	for _, s := range sources {
		p.sources[s.Name()] = s
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	if p.metrics == nil {
		p.metrics = noMetrics{}
	}
	return p
}

// Kick tells the processor that new events wait.
func (p *Processor) Kick() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Sweep is how often Run looks for waiting events without being kicked (after
// a restart, or when another replica received them).
const Sweep = 10 * time.Second

// Run processes waiting events whenever kicked and every Sweep, until ctx
// ends.
func (p *Processor) Run(ctx context.Context) error {
	t := time.NewTicker(Sweep)
	defer t.Stop()
	for {
		if _, err := p.Pending(ctx); err != nil && ctx.Err() == nil {
			p.log.ErrorContext(ctx, "inbox processing", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.kick:
		case <-t.C:
		}
	}
}

// Report counts what a pass did.
type Report struct {
	Processed, Ignored, Stale, Failed int
	Retrying                          int                 // failed for a transient reason: tried again on their own
	Failures                          []ledger.InboxEntry // the rows that failed, with their reason
}

func (r *Report) add(e ledger.InboxEntry) {
	switch e.Status {
	case ledger.InboxProcessed:
		r.Processed++
	case ledger.InboxIgnored:
		r.Ignored++
	case ledger.InboxStale:
		r.Stale++
	case ledger.InboxFailed:
		r.Failed++
		r.Failures = append(r.Failures, e)
	case ledger.InboxReceived:
		r.Retrying++
	}
}

// Pending processes every event waiting in the inbox.
func (p *Processor) Pending(ctx context.Context) (Report, error) {
	return p.pass(ctx, ledger.InboxFilter{Statuses: []ledger.InboxStatus{ledger.InboxReceived}})
}

// Replay processes the failed events again, of one source or ("") all.
func (p *Processor) Replay(ctx context.Context, source string) (Report, error) {
	return p.pass(ctx, ledger.InboxFilter{Statuses: []ledger.InboxStatus{ledger.InboxFailed}, Source: source})
}

// pageSize is how many rows a pass reads at a time.
const pageSize = 100

func (p *Processor) pass(ctx context.Context, f ledger.InboxFilter) (Report, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var rep Report
	f.Limit = pageSize
	for {
		rows, err := p.inbox.ListInbox(ctx, f)
		if err != nil {
			return rep, fmt.Errorf("crm: read the inbox: %w", err)
		}
		for _, e := range rows {
			done, mine, err := p.claimed(ctx, e)
			if err != nil {
				return rep, err
			}
			if mine {
				rep.add(done)
			}
		}
		if len(rows) < pageSize {
			return rep, nil
		}
		f.AfterID = rows[len(rows)-1].ID
	}
}

// Process applies one stored event now and marks its row; the caller must
// not run it concurrently with a pass (`cosellbot replay` of one row).
func (p *Processor) Process(ctx context.Context, e ledger.InboxEntry) (ledger.InboxEntry, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	done, mine, err := p.claimed(ctx, e)
	if err == nil && !mine {
		err = fmt.Errorf("crm: inbox row %d is being processed elsewhere, or was already", e.ID)
	}
	return done, err
}

// MaxAttempts is how often an event failing for a transient reason is
// tried before it is failed for good (and waits for cosellbot replay).
const MaxAttempts = 12

// Backoff is the wait before attempt n+1 of an event: 5 s doubling, at
// most 30 minutes (12 attempts span about 2 hours).
func Backoff(n int) time.Duration {
	return min(5*time.Second<<min(n-1, 12), 30*time.Minute)
}

// claimLease is how long a replica holds an inbox row it processes; far
// longer than applying one event takes, short enough that a crashed
// replica's rows are soon picked up by another.
const claimLease = 2 * time.Minute

// claimed processes a row if this replica wins its claim; mine is false
// when another replica holds it (or has finished it).
func (p *Processor) claimed(ctx context.Context, e ledger.InboxEntry) (ledger.InboxEntry, bool, error) {
	now := p.clock.Now()
	ok, err := p.inbox.ClaimInbox(ctx, e.ID, now, now.Add(claimLease))
	if err != nil || !ok {
		return e, false, err
	}
	done, err := p.process(ctx, e)
	return done, true, err
}

// process applies one event. An error returned is the inbox's own (the row
// could not be marked); the event's failure is in the returned row.
func (p *Processor) process(ctx context.Context, e ledger.InboxEntry) (ledger.InboxEntry, error) {
	src, ok := p.sources[e.Source]
	var res Result
	var err error
	if !ok {
		err = fmt.Errorf("webhooks from %s are not configured now", e.Source)
	} else {
		res, err = src.Apply(ctx, e)
	}
	now := p.clock.Now()
	if err != nil && !Final(err) && e.Attempts+1 < MaxAttempts {
		// Transient: the row waits and is tried again on its own.
		until := now.Add(Backoff(e.Attempts + 1))
		p.log.WarnContext(ctx, "webhook event not applied yet; retrying", "source", e.Source, "inbox_id", e.ID, "attempt", e.Attempts+1, "at", until, "err", err)
		if derr := p.inbox.DeferInbox(ctx, e.ID, "will retry: "+err.Error(), until); derr != nil {
			return e, fmt.Errorf("crm: defer inbox row %d: %w", e.ID, derr)
		}
		e.Error, e.Attempts = "will retry: "+err.Error(), e.Attempts+1
		return e, nil
	}
	if err != nil {
		res = Result{Status: ledger.InboxFailed, Note: err.Error()}
		p.metrics.Count(e.Source, Failed)
		p.log.WarnContext(ctx, "webhook event failed", "source", e.Source, "key", e.Key, "inbox_id", e.ID, "err", err)
	} else if res.Status == ledger.InboxProcessed {
		p.metrics.Count(e.Source, Applied)
	} else {
		p.metrics.Count(e.Source, Dropped)
	}
	if merr := p.inbox.MarkInbox(ctx, e.ID, res.Status, res.Note, now); merr != nil {
		return e, fmt.Errorf("crm: mark inbox row %d %s: %w", e.ID, res.Status, merr)
	}
	e.Status, e.Error, e.ProcessedAt = res.Status, res.Note, now
	e.Attempts++
	return e, nil
}
