package crm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/cosellbot/cosellbot/bot/escape"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/web"
)

// Receiver answers POST /webhooks/{source}: verify, store raw in the inbox,
// commit, answer 2xx, then let the processor apply.
type Receiver struct {
	sources map[string]Source
	off     map[string]string // known sources that are not configured: why
	commit  *Committer
	proc    *Processor
	clock   Clock
	log     *slog.Logger
	metrics Metrics
}

// ReceiverConfig assembles a Receiver.
type ReceiverConfig struct {
	Sources []Source          // the configured sources
	Off     map[string]string // sources that answer 503, with the reason (e.g. "WEBHOOK_SECRET_HUBSPOT is not set")
	Commit  *Committer
	Proc    *Processor // told of new events; nil: events wait for the processor's next sweep
	Clock   Clock
	Log     *slog.Logger
	Metrics Metrics
}

// NewReceiver builds a receiver.
func NewReceiver(cfg ReceiverConfig) *Receiver {
	rv := &Receiver{sources: map[string]Source{}, off: cfg.Off, commit: cfg.Commit, proc: cfg.Proc, clock: cfg.Clock, log: cfg.Log, metrics: cfg.Metrics}
	for _, s := range cfg.Sources {
		rv.sources[s.Name()] = s
	}
	if rv.log == nil {
		rv.log = slog.Default()
	}
	if rv.metrics == nil {
		rv.metrics = noMetrics{}
	}
	return rv
}

// Mount adds the route to r.
func (rv *Receiver) Mount(r *mux.Router) {
	r.Handle("/webhooks/{source}", rv).Methods(http.MethodPost)
}

func (rv *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["source"]
	src, ok := rv.sources[name]
	if !ok {
		if why, known := rv.off[name]; known {
			web.WriteError(w, http.StatusServiceUnavailable, "source_off", fmt.Sprintf("webhooks from %s are off: %s", name, why))
			return
		}
		web.WriteError(w, http.StatusNotFound, "unknown_source", fmt.Sprintf("no webhook source %s: use one of %s", escape.Quote(name, 0), strings.Join(Sources, ", ")))
		return
	}
	limit := int64(MaxBody)
	if l, ok := src.(BodyLimiter); ok {
		limit = l.MaxBody()
	}
	if f, ok := src.(Faulter); ok {
		w = f.Faults(w) // refusals in the sender's own form (Salesforce: SOAP faults)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			web.WriteError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the body is over %d bytes", limit))
			return
		}
		if web.TimedOut(err) {
			web.WriteError(w, http.StatusRequestTimeout, "timeout", "the body did not arrive in time; send it whole")
			return
		}
		web.WriteError(w, http.StatusBadRequest, "unreadable", "the body could not be read: "+bounded(err.Error()))
		return
	}
	if fe := checkHeaders(r.Header); fe != nil {
		writeFieldError(w, fe)
		return
	}
	now := rv.clock.Now()
	if err := src.Verify(r, body, now); err != nil {
		// Whatever the sources quote of the request, the echo is bounded:
		// an unauthenticated stranger must not be able to write megabytes
		// of log or of answer.
		msg := bounded(err.Error())
		rv.log.WarnContext(r.Context(), "webhook refused", "source", name, "err", msg)
		web.WriteError(w, http.StatusUnauthorized, "bad_signature", msg)
		return
	}
	if fe := checkBody(body); fe != nil {
		writeFieldError(w, fe)
		return
	}
	events, err := src.Decode(r, body)
	if err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			writeFieldError(w, fe)
			return
		}
		web.WriteError(w, http.StatusBadRequest, "invalid", bounded(err.Error()))
		return
	}
	for _, ev := range events {
		if fe := checkKey(r.Header, ev.Key); fe != nil {
			writeFieldError(w, fe)
			return
		}
	}
	headers := storedHeaders(r.Header)
	entries := make([]ledger.InboxEntry, len(events))
	toApply := 0 // the events that will wait to be applied
	for i, ev := range events {
		entries[i] = ledger.InboxEntry{Source: name, Key: ev.Key, Headers: headers, Body: ev.Body, ReceivedAt: now}
		if ev.Ignore != "" {
			entries[i].Status, entries[i].Error, entries[i].ProcessedAt = ledger.InboxIgnored, ev.Ignore, now
		} else {
			toApply++
		}
	}
	if rv.proc != nil && rv.proc.Throttle(r.Context(), toApply) { // while more than a page waits to be applied
		rv.metrics.Count(name, Held)
	}
	added, err := rv.commit.Add(r.Context(), entries)
	if err != nil {
		// Nothing is acknowledged: the sender retries, and the retry is new
		// or a duplicate of what may have been committed after all.
		rv.log.ErrorContext(r.Context(), "webhook not stored", "source", name, "err", err)
		web.WriteError(w, http.StatusServiceUnavailable, "unavailable", "the delivery could not be stored; retry later")
		return
	}
	fresh := false
	for i, a := range added {
		switch {
		case a.Duplicate:
			rv.metrics.Count(name, Duplicate)
		case events[i].Ignore != "":
			rv.metrics.Count(name, Received)
			rv.metrics.Count(name, Dropped)
		default:
			rv.metrics.Count(name, Received)
			fresh = true
		}
	}
	src.Ack(w)
	if fresh && rv.proc != nil {
		rv.proc.Kick()
	}
}

// Committer stores inbox entries for many concurrent requests in few
// transactions (group commit): while one transaction commits, the requests
// that arrive queue up, and the next transaction takes them all. Each
// request is answered once the transaction holding its entries committed.
type Committer struct {
	inbox    Inbox
	maxBatch int
	reqs     chan *commitReq
	done     chan struct{}
	once     sync.Once
}

type commitReq struct {
	entries []ledger.InboxEntry
	reply   chan commitReply
}

type commitReply struct {
	added []ledger.InboxAdded
	err   error
}

// commitTimeout bounds one group commit, whatever its requests' contexts.
const commitTimeout = 10 * time.Second

// CommitWorkers is the number of concurrent group commits that suits a
// database dialect: several for PostgreSQL, one for SQLite's single writer.
func CommitWorkers(dialect string) int {
	if dialect == "postgres" {
		return 4
	}
	return 1
}

// NewCommitter starts a committer; Close stops it. maxBatch bounds the
// entries of one transaction (≤ 0: 256). workers is how many group commits
// may be in flight at once (≤ 0: 1): on PostgreSQL, while one waits for the
// disk the next batch gathers and goes; SQLite has one writer, so 1.
func NewCommitter(inbox Inbox, maxBatch, workers int) *Committer {
	if maxBatch <= 0 {
		maxBatch = 256
	}
	workers = max(workers, 1)
	c := &Committer{inbox: inbox, maxBatch: maxBatch, reqs: make(chan *commitReq, 4*maxBatch), done: make(chan struct{})}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(c.loop)
	}
	go func() { wg.Wait(); close(c.done) }()
	return c
}

// Close stops the committer once the queued requests are committed.
func (c *Committer) Close() { c.once.Do(func() { close(c.reqs) }); <-c.done }

// Add stores entries and returns once they are committed (or the commit
// failed, or ctx ended: then they may or may not be stored).
func (c *Committer) Add(ctx context.Context, entries []ledger.InboxEntry) ([]ledger.InboxAdded, error) {
	req := &commitReq{entries: entries, reply: make(chan commitReply, 1)}
	select {
	case c.reqs <- req:
	case <-ctx.Done():
		return nil, fmt.Errorf("crm: store the delivery: %w", ctx.Err())
	}
	select {
	case r := <-req.reply:
		return r.added, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("crm: store the delivery: %w", ctx.Err())
	}
}

func (c *Committer) loop() {
	for first := range c.reqs {
		batch := []*commitReq{first}
		n := len(first.entries)
	gather:
		for n < c.maxBatch {
			select {
			case r, ok := <-c.reqs:
				if !ok {
					break gather
				}
				batch = append(batch, r)
				n += len(r.entries)
			default:
				break gather
			}
		}
		c.commit(batch, n)
	}
}

func (c *Committer) commit(batch []*commitReq, n int) {
	all := make([]ledger.InboxEntry, 0, n)
	for _, r := range batch {
		all = append(all, r.entries...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	added, err := c.inbox.AddInbox(ctx, all)
	if err != nil && len(batch) > 1 && ctx.Err() == nil {
		// One bad delivery must never fail its neighbours: the batch is
		// split and each request stored on its own, within what is left of
		// the commit's time. Only the request that cannot be stored (or
		// every one, when the database is down) is answered with an error.
		for _, r := range batch {
			a, err := c.inbox.AddInbox(ctx, r.entries)
			r.reply <- commitReply{added: a, err: err}
		}
		return
	}
	off := 0
	for _, r := range batch {
		if err != nil {
			r.reply <- commitReply{err: err}
			continue
		}
		r.reply <- commitReply{added: added[off : off+len(r.entries)]}
		off += len(r.entries)
	}
}
