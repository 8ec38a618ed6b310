package command

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/cosellbot/cosellbot/bot/faq"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// missQueueSize is how many misses wait for serve's writer before a
// refused question writes its own (never dropped): at the 100 questions a
// second cosellload asks, a twentieth of them refused, the writer takes
// them a few at a time.
const missQueueSize = 1024

// missBatch is the most misses one write keeps (one INSERT, six values
// each: far under SQLite's and PostgreSQL's limits).
const missBatch = 128

// missWriteTimeout bounds one write of the writer's. Its writes outlive
// the writer's context: the one under way when serve stops, and those of
// the misses still queued then, are finished, not cancelled.
const missWriteTimeout = 10 * time.Second

// missQueue hands the misses of refused questions (faq misses) to one
// writer goroutine, so that a refused question is answered as fast as an
// answered one. In serve, a refused question's database write (an SQLite
// commit: 2 ms at the median, 8 ms at its p99, on two cores) was the whole
// of the FAQ command's p99: the questions answered took 1.4 ms at their
// p99, the 4 % refused 2.1 ms at their median (cosellload bench -cases
// faq, timed inside the server).
//
// Nothing is lost for it: a miss queued while the writer runs is written
// before it stops (serve stops it after the last request), a full queue
// or no writer (a one-shot ask, the shell's tests) writes the miss before
// the reply, as before, and `faq misses` waits for the ones queued before
// it.
type missQueue struct {
	// mu is held to start and stop the writer, and read-held to queue a
	// miss or ask for a flush: once stop holds it, nothing more is queued
	// for the writer to leave behind.
	mu      sync.RWMutex
	running bool
	stopped chan struct{} // closed when the writer stopped, after its last write
	misses  chan ledger.FAQMiss
	flushes chan chan struct{}
}

func newMissQueue() *missQueue {
	return &missQueue{misses: make(chan ledger.FAQMiss, missQueueSize), flushes: make(chan chan struct{})}
}

// add queues m for the writer; false when no writer runs or the queue is
// full, and the caller writes m itself.
func (q *missQueue) add(m ledger.FAQMiss) bool {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if !q.running {
		return false
	}
	select {
	case q.misses <- m:
		return true
	default:
		return false
	}
}

// flush returns once every miss queued before it is written (or the writer
// gave up on it and logged why), or ctx is done.
func (q *missQueue) flush(ctx context.Context) {
	q.mu.RLock()
	running, stopped := q.running, q.stopped
	q.mu.RUnlock()
	if !running {
		return
	}
	done := make(chan struct{})
	select {
	case q.flushes <- done:
	case <-stopped: // it wrote what was queued before stopping
		return
	case <-ctx.Done():
		return
	}
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// take is first (if any) and the misses queued behind it, at most
// missBatch in all.
func (q *missQueue) take(first ...ledger.FAQMiss) []ledger.FAQMiss {
	out := first
	for len(out) < missBatch {
		select {
		case m := <-q.misses:
			out = append(out, m)
		default:
			return out
		}
	}
	return out
}

// errMissWriterRunning: WriteFAQMisses was called twice at once.
var errMissWriterRunning = errors.New("the FAQ miss writer is already running")

// WriteFAQMisses writes the misses of refused questions as they are queued,
// until ctx is done, then the ones still queued; serve runs it beside the
// HTTP server and stops it after the last request. While it does not run,
// each miss is written before its question's reply. Without the FAQ
// capability it waits for ctx.
func (s *Service) WriteFAQMisses(ctx context.Context) error {
	if s.faq == nil {
		<-ctx.Done()
		return nil
	}
	q := s.faq.misses
	q.mu.Lock()
	if q.running {
		q.mu.Unlock()
		return errMissWriterRunning
	}
	q.running, q.stopped = true, make(chan struct{})
	stopped := q.stopped
	q.mu.Unlock()
	write := func(ms []ledger.FAQMiss) {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), missWriteTimeout)
		defer cancel()
		s.writeMisses(wctx, ms)
	}
	writeQueued := func() {
		for batch := q.take(); len(batch) > 0; batch = q.take() {
			write(batch)
		}
	}
	for {
		select {
		case m := <-q.misses:
			write(q.take(m))
		case done := <-q.flushes:
			writeQueued()
			close(done)
		case <-ctx.Done():
			q.mu.Lock()
			q.running = false
			q.mu.Unlock()
			writeQueued() // nothing is queued from now on
			close(stopped)
			return nil
		}
	}
}

// writeMisses keeps ms; a failure is logged, as a miss written before its
// reply is: the asker had their answer, and the list is a nicety.
func (s *Service) writeMisses(ctx context.Context, ms []ledger.FAQMiss) {
	if err := s.faq.rec.RecordFAQMisses(ctx, ms...); err != nil {
		s.log.WarnContext(ctx, "faq misses not recorded", "misses", len(ms), "err", err)
	}
}

// recordMiss keeps a question nobody could answer for faq misses: queued
// for serve's writer, or written now when none runs or its queue is full.
func (s *Service) recordMiss(ctx context.Context, c *call, question string, lang faq.Lang) {
	question = clipMiss(strings.TrimSpace(question))
	if question == "" {
		return
	}
	miss := ledger.FAQMiss{Question: question, Lang: string(lang), Actor: c.who.ID, At: c.now}
	if !s.faq.misses.add(miss) {
		s.writeMisses(ctx, []ledger.FAQMiss{miss})
	}
}
