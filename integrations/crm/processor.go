package crm

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cosellbot/cosellbot/bot/ledger"
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
	kicked  atomic.Int64 // deliveries kicked since the last page was taken (Linger)
	mu      sync.Mutex
	// fetching are the sources that call out while applying: their events
	// are applied one at a time, outside any page's transaction.
	fetching []string
	// AfterPage, when set, is called once a page is stored: the sync work
	// its changes asked for is visible only then (the change path's own
	// wake-up came while the page was still being applied).
	AfterPage func()
	// behind is set while the last page taken was full: more than a page
	// waits, and deliveries are held (Throttle), each until an event was
	// applied (a token). caughtUp is closed when the processor stops being
	// behind, then replaced.
	behind   atomic.Bool
	tokens   chan struct{}
	pageMu   sync.Mutex
	caughtUp chan struct{}
	// page is how many events a unit applies, PageSize unless a test set
	// it smaller (SetPage): paging behaves alike at any size, and tests of
	// it need not send thousands of deliveries.
	page int
}

// Fetcher is a source that calls out while it applies an event (Partner
// Center fetches the referral): its events are not applied in pages.
type Fetcher interface{ Fetches() bool }

// NewProcessor builds a processor over the configured sources.
func NewProcessor(inbox Inbox, sources []Source, clock Clock, log *slog.Logger, m Metrics) *Processor {
	p := &Processor{inbox: inbox, sources: map[string]Source{}, clock: clock, log: log, metrics: m, kick: make(chan struct{}, 1),
		tokens: make(chan struct{}, throttleBurst), caughtUp: make(chan struct{}), page: PageSize}
	for _, s := range sources {
		p.sources[s.Name()] = s
		if f, ok := s.(Fetcher); ok && f.Fetches() {
			p.fetching = append(p.fetching, s.Name())
		}
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	if p.metrics == nil {
		p.metrics = noMetrics{}
	}
	return p
}

// Kick tells the processor that a new delivery's events wait.
func (p *Processor) Kick() {
	p.kicked.Add(1)
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// throttleBurst is how many deliveries may pass at once when the processor
// falls behind: the tokens of the events applied just before.
const throttleBurst = 32

// MaxThrottle bounds how long Throttle holds a delivery: far below the
// senders' timeouts (HubSpot and Dynamics wait 5 s or more for an answer).
const MaxThrottle = time.Second

// Throttle holds a delivery of events events while the processor is
// behind (the last page it took was full) until as many events were
// applied, at most MaxThrottle. Without it, deliveries that arrive faster
// than they can be applied (32 senders on PostgreSQL on two cores: 2,160
// acknowledged a second, 1,950 applied) are all acknowledged and the
// backlog grows for as long as the load lasts (12,700 waiting after 60 s),
// every change reaching the other systems later and later. Held deliveries
// slow their senders to the pace of processing instead, an event let in
// for each event applied (a Salesforce message of 100 records waits for
// 100), and the backlog stays about a page. It reports whether it held the
// delivery.
func (p *Processor) Throttle(ctx context.Context, events int) bool {
	if !p.behind.Load() || events <= 0 {
		return false
	}
	p.pageMu.Lock()
	caughtUp := p.caughtUp
	p.pageMu.Unlock()
	if !p.behind.Load() {
		return false // caught up meanwhile: caughtUp may be the next one, not closed for us
	}
	t := time.NewTimer(MaxThrottle)
	defer t.Stop()
	for range events {
		select {
		case <-p.tokens:
		case <-caughtUp:
			return true
		case <-t.C:
			return true
		case <-ctx.Done():
			return true
		}
	}
	return true
}

// applied lets one held event in.
func (p *Processor) applied() {
	select {
	case p.tokens <- struct{}{}:
	default:
	}
}

// pageEnded records whether the processor is behind after a page; when it
// is not, every held delivery goes.
func (p *Processor) pageEnded(behind bool) {
	p.behind.Store(behind)
	if behind {
		return
	}
	p.pageMu.Lock()
	close(p.caughtUp)
	p.caughtUp = make(chan struct{})
	p.pageMu.Unlock()
}

// Sweep is how often Run looks for waiting events without being kicked (after
// a restart, or when another replica received them).
const Sweep = 10 * time.Second

// Linger is how long Run waits after a kick before it takes a page, unless
// LingerDeliveries arrive first, so that deliveries arriving together are
// applied together: one write per deal and one commit per page instead of
// one per delivery. Bounded both ways because on SQLite a page's write
// holds the one writer and deliveries arriving meanwhile wait to be
// acknowledged: the bigger the page, the longer they wait (make bench-e2e,
// SQLite, 8 and 32 senders: p99 31 and 54 ms lingering 20 ms, 12 and 24 ms
// lingering 2 ms), while a short linger alone made a page of two events
// per commit under light load (PostgreSQL, one sender: 1.65 commits per
// event, against the 1.2). Under a backlog pages fill up anyway.
// Waiting for 128 deliveries on PostgreSQL alone (which has no single
// writer) was tried: webhooks alone at 32 senders went 11–35 % faster, but
// the mixed load (chat and webhooks for 60 s) 8–13 % slower, in builds
// alternated on a quiet machine, so it was not kept.
const (
	Linger           = 20 * time.Millisecond
	LingerDeliveries = 16
)

// Run processes waiting events whenever kicked (after Linger) and every
// Sweep, until ctx ends.
func (p *Processor) Run(ctx context.Context) error {
	t := time.NewTicker(Sweep)
	defer t.Stop()
	defer p.pageEnded(false) // nothing holds deliveries once nothing processes
	for {
		if _, err := p.Pending(ctx); err != nil && ctx.Err() == nil {
			p.log.ErrorContext(ctx, "inbox processing", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.kick:
			if err := p.linger(ctx, Linger); err != nil {
				return err
			}
		case <-t.C:
		}
	}
}

// linger waits until LingerDeliveries were kicked since the last page or
// d (Linger) has passed.
func (p *Processor) linger(ctx context.Context, d time.Duration) error {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for p.kicked.Load() < LingerDeliveries {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return nil
		case <-p.kick:
		}
	}
	return nil
}

// Report counts what a pass did.
type Report struct {
	Processed, Ignored, Stale, Failed int
	Retrying                          int // failed for a transient reason: tried again on their own
	// Failures samples the rows that failed, with their reason and without
	// their body (which stays in the inbox): at most MaxFailures, so that a
	// pass over a failing backlog holds little memory.
	Failures []ledger.InboxEntry
	Pages    int // batches committed (one commit each)
}

// MaxFailures is how many failed rows a Report keeps as samples.
const MaxFailures = 50

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
		if len(r.Failures) < MaxFailures {
			e.Body = nil
			r.Failures = append(r.Failures, e)
		}
	case ledger.InboxReceived:
		r.Retrying++
	}
}

// Pending processes every event waiting in the inbox: in pages, each
// applied in one transaction with a savepoint per event (one bad event
// does not undo the page) and committed once; then, one at a time, the
// events of sources that call out while applying (Partner Center fetches
// the referral), which must not hold a transaction open over the network.
func (p *Processor) Pending(ctx context.Context) (Report, error) {
	p.kicked.Store(0) // what arrives from now on counts towards the next page
	p.mu.Lock()
	var rep Report
	err := p.pages(ctx, &rep)
	p.mu.Unlock()
	if err != nil {
		return rep, err
	}
	if len(p.fetching) == 0 {
		return rep, nil
	}
	one, err := p.pass(ctx, ledger.InboxFilter{Statuses: []ledger.InboxStatus{ledger.InboxReceived}, Sources: p.fetching})
	rep.merge(one)
	return rep, err
}

func (r *Report) merge(o Report) {
	r.Processed, r.Ignored, r.Stale, r.Failed, r.Retrying, r.Pages = r.Processed+o.Processed, r.Ignored+o.Ignored, r.Stale+o.Stale, r.Failed+o.Failed, r.Retrying+o.Retrying, r.Pages+o.Pages
	for _, f := range o.Failures {
		if len(r.Failures) < MaxFailures {
			r.Failures = append(r.Failures, f)
		}
	}
}

// PageSize is how many events one unit applies. Large, because a unit
// reads and writes each deal once however many of the page's events are
// about it: under load a page of 1,000 events over a few hundred deals costs
// little more than one of 100 (PostgreSQL, 32 senders: pages of 500
// applied 2,200 of 3,000 deliveries a second, pages of 1,000 kept up).
const PageSize = 1000

// pages applies the waiting events of sources that apply without calling
// out, a page per unit of the store (one transaction, a savepoint per
// event, the page's deal changes written together at its end), until none
// is left.
func (p *Processor) pages(ctx context.Context, rep *Report) error {
	for {
		var done []ledger.InboxEntry
		more := false
		err := p.inbox.Unit(ctx, func(ctx context.Context) error {
			done = done[:0] // a unit that falls back runs again
			rows, full, err := p.inbox.TakeInbox(ctx, p.clock.Now(), p.page, p.fetching)
			more = full
			if err != nil {
				return err
			}
			if err := p.prefetch(ctx, rows); err != nil {
				return err
			}
			for _, e := range rows {
				var res Result
				var aerr error
				serr := p.inbox.Savepoint(ctx, func(ctx context.Context) error {
					res, aerr = p.apply(ctx, e)
					return aerr
				})
				if serr != nil && aerr == nil {
					return serr // the transaction itself failed: the page is retried whole
				}
				e, err := p.outcome(ctx, e, res, aerr)
				if err != nil {
					return err
				}
				done = append(done, e)
				p.applied()
			}
			return nil
		})
		p.pageEnded(more && err == nil)
		if err != nil {
			// Nothing of the page was marked: it waits for the next pass.
			return fmt.Errorf("crm: apply a page of the inbox: %w", err)
		}
		if len(done) > 0 {
			page := Report{Pages: 1}
			for _, e := range done {
				page.add(e)
				p.count(ctx, e)
			}
			rep.merge(page)
			if p.AfterPage != nil {
				p.AfterPage()
			}
		}
		if !more {
			return nil
		}
	}
}

// prefetch reads the records of a page's events together, per source.
func (p *Processor) prefetch(ctx context.Context, rows []ledger.InboxEntry) error {
	records := map[string][]string{}
	for _, e := range rows {
		if r, ok := p.sources[e.Source].(Recorder); ok {
			if id := r.Record(e); id != "" {
				records[e.Source] = append(records[e.Source], id)
			}
		}
	}
	for src, ids := range records {
		if err := p.inbox.Prefetch(ctx, src, ids); err != nil {
			return fmt.Errorf("crm: read the records of a page: %w", err)
		}
	}
	return nil
}

// Replay processes the failed events again, of one source or ("") all.
func (p *Processor) Replay(ctx context.Context, source string) (Report, error) {
	return p.pass(ctx, ledger.InboxFilter{Statuses: []ledger.InboxStatus{ledger.InboxFailed}, Source: source})
}

func (p *Processor) pass(ctx context.Context, f ledger.InboxFilter) (Report, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var rep Report
	f.Limit = p.page
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
		if len(rows) < p.page {
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

// claimLease is how long a replica holds an inbox row it processes one at
// a time (a Partner Center notification: a fetch of at most 30 s, then the
// merge), so that a crashed replica's rows are taken over within a minute.
// Rows applied in pages hold no lease: the page's transaction locks them,
// and a crashed replica's locks go with its connection at once.
const claimLease = 45 * time.Second

// claimed processes a row if this replica wins its claim; mine is false
// when another replica holds it (or has finished it).
func (p *Processor) claimed(ctx context.Context, e ledger.InboxEntry) (ledger.InboxEntry, bool, error) {
	now := p.clock.Now()
	ok, err := p.inbox.ClaimInbox(ctx, e.ID, now, now.Add(claimLease))
	if err != nil || !ok {
		return e, false, err
	}
	done, err := p.process(ctx, e)
	if err == nil {
		p.count(ctx, done)
	}
	return done, true, err
}

// process applies one event and marks its row. An error returned is the
// inbox's own (the row could not be marked); the event's failure is in the
// returned row.
func (p *Processor) process(ctx context.Context, e ledger.InboxEntry) (ledger.InboxEntry, error) {
	res, err := p.apply(ctx, e)
	return p.outcome(ctx, e, res, err)
}

// apply applies one event through its source.
func (p *Processor) apply(ctx context.Context, e ledger.InboxEntry) (Result, error) {
	src, ok := p.sources[e.Source]
	if !ok {
		return Result{}, fmt.Errorf("webhooks from %s are not configured now", e.Source)
	}
	return src.Apply(ctx, e)
}

// count counts an event's outcome, once its row is stored, and logs a
// failure.
func (p *Processor) count(ctx context.Context, e ledger.InboxEntry) {
	switch e.Status {
	case ledger.InboxFailed:
		p.metrics.Count(e.Source, Failed)
		p.log.WarnContext(ctx, "webhook event failed", "source", e.Source, "key", e.Key, "inbox_id", e.ID, "err", e.Error)
	case ledger.InboxProcessed:
		p.metrics.Count(e.Source, Applied)
	case ledger.InboxReceived: // deferred: counted when it ends
	default:
		p.metrics.Count(e.Source, Dropped)
	}
}

// outcome marks an event's row with what applying it came to: done,
// deferred for a transient failure, or failed.
func (p *Processor) outcome(ctx context.Context, e ledger.InboxEntry, res Result, err error) (ledger.InboxEntry, error) {
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
	}
	if merr := p.inbox.MarkInbox(ctx, e.ID, res.Status, res.Note, now); merr != nil {
		return e, fmt.Errorf("crm: mark inbox row %d %s: %w", e.ID, res.Status, merr)
	}
	e.Status, e.Error, e.ProcessedAt = res.Status, res.Note, now
	e.Attempts++
	return e, nil
}
