package faq

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// OverrideSource is what Live needs of the database: the admins' entries
// and a version that changes whenever they do.
type OverrideSource interface {
	FAQOverrides(ctx context.Context) ([]Entry, error)
	FAQVersion(ctx context.Context) (string, error)
}

// Recheck is how often Live asks the database whether another replica's
// admin changed the entries; changes made through this Live (Invalidate)
// are read at the next question.
const Recheck = 30 * time.Second

// refreshTimeout bounds a refresh's reads of the database: it runs on its
// own, detached from the question that started it, which others may wait
// for.
const refreshTimeout = time.Minute

// Live keeps an Index current with the shipped knowledge base merged with
// the admins' entries. serve warms it in the background at start (Warm), so
// that the first question finds it built; a question arriving while that
// first build runs waits for it instead of starting another.
//
// Once an index exists, a new one is built beside it: an admin's change
// (Invalidate), or another replica's seen at a recheck, starts one refresh
// in the background, and every question goes on being answered by the old
// index, at its usual speed, until the new one replaces it. A tester's
// `faq teach` on two cores held every other user's question for the
// build's 3 s, 22 s under load: the build ran under the lock each question
// took. The admin who made the change waits for the index that holds it
// (Fresh), so that their reply can say it answers.
type Live struct {
	base []Entry
	src  OverrideSource
	opts []Option // of every build
	// build is NewIndex; a test holds a build back with its own.
	build func([]Entry, ...Option) (*Index, error)

	mu      sync.Mutex // guards what follows; never held while reading the database or building
	ix      *Index
	version string
	checked time.Time
	gen     uint64   // counts Invalidate calls
	running *refresh // the refresh under way, nil when none
}

// refresh is one look at the database, and one build when the entries
// changed, shared by everyone who waits for it.
type refresh struct {
	done chan struct{}
	// gen is Live.gen when it started: it reads every change saved before
	// the Invalidate that counted it.
	gen uint64
	// err: the build failed (built), or the database did not answer.
	err   error
	built bool
}

// NewLive returns a Live over the shipped entries base and the database's
// overrides; nothing is built until Warm or Index.
func NewLive(base []Entry, src OverrideSource, opts ...Option) *Live {
	return &Live{base: base, src: src, opts: opts, build: NewIndex}
}

// Warm builds the index now (serve calls it in the background at start).
func (l *Live) Warm(ctx context.Context, now time.Time) error {
	_, err := l.Index(ctx, now)
	return err
}

// Index returns the index to answer with. When the admins' entries may have
// changed (Recheck has passed, or Invalidate was called), it starts a
// refresh in the background and returns the index it has, so that no
// question waits for a build; only the first build, before any index
// exists, is waited for. An older index also answers while the database is
// unreachable, rather than no answer.
func (l *Live) Index(ctx context.Context, now time.Time) (*Index, error) {
	l.mu.Lock()
	ix := l.ix
	if ix != nil && (l.running != nil || l.fresh(now)) {
		l.mu.Unlock()
		return ix, nil
	}
	r := l.start(ctx, now)
	l.mu.Unlock()
	if ix != nil {
		return ix, nil // the old index answers while the new one builds
	}
	return l.await(ctx, r)
}

// Fresh returns an index that holds every change saved before the last
// Invalidate, building it when needed: an admin's command waits for it
// after saving an entry, so that its reply (and its next question) is
// answered by the change. Other questions meanwhile get the old index.
func (l *Live) Fresh(ctx context.Context, now time.Time) (*Index, error) {
	l.mu.Lock()
	want := l.gen
	for {
		if l.ix != nil && l.running == nil && l.fresh(now) {
			ix := l.ix
			l.mu.Unlock()
			return ix, nil
		}
		r := l.running
		if r == nil {
			r = l.start(ctx, now)
		}
		l.mu.Unlock()
		ix, err := l.await(ctx, r)
		if err != nil || r.gen >= want {
			return ix, err
		}
		// It started before the change was saved: one more.
		l.mu.Lock()
	}
}

// fresh reports whether the index was checked against the database
// within Recheck of now and nothing was invalidated since; l.mu is held.
func (l *Live) fresh(now time.Time) bool {
	since := now.Sub(l.checked)
	return !l.checked.IsZero() && since >= 0 && since < Recheck
}

// start begins a refresh in the background, or joins the one under way;
// l.mu is held. The refresh outlives the question that started it: others
// may wait for it.
func (l *Live) start(ctx context.Context, now time.Time) *refresh {
	if l.running != nil {
		return l.running
	}
	r := &refresh{done: make(chan struct{}), gen: l.gen}
	l.running = r
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
	go func() {
		defer cancel()
		l.refresh(ctx, now, r)
	}()
	return r
}

// await waits for refresh r and returns the index it leaves: the old one
// when the database did not answer, an error when there is none or the
// build failed.
func (l *Live) await(ctx context.Context, r *refresh) (*Index, error) {
	select {
	case <-r.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	l.mu.Lock()
	ix := l.ix
	l.mu.Unlock()
	if r.err != nil && (ix == nil || r.built) {
		return nil, r.err
	}
	return ix, nil
}

// refresh reads the entries' version and, when it changed, the entries,
// and builds their index, with no lock held; then it swaps the index in.
func (l *Live) refresh(ctx context.Context, now time.Time, r *refresh) {
	var (
		ix      *Index
		version string
		err     error
	)
	defer func() {
		l.mu.Lock()
		if ix != nil {
			// The old index is not closed: questions in flight may still
			// hold it, and it holds nothing but memory, which the
			// collector takes back.
			l.ix, l.version = ix, version
		}
		if err == nil {
			l.checked = now
			if l.gen != r.gen {
				l.checked = time.Time{} // invalidated meanwhile: look again at the next question
			}
		}
		r.err = err
		l.running = nil
		close(r.done)
		l.mu.Unlock()
	}()
	version, err = l.src.FAQVersion(ctx)
	if err != nil {
		err = fmt.Errorf("faq: reading the entries' version: %w", err)
		return
	}
	l.mu.Lock()
	same := l.ix != nil && version == l.version
	l.mu.Unlock()
	if same {
		return
	}
	over, err := l.src.FAQOverrides(ctx)
	if err != nil {
		err = fmt.Errorf("faq: reading the admins' entries: %w", err)
		return
	}
	built, err := l.build(Merge(l.base, over), l.opts...)
	if err != nil {
		r.built = true
		err = fmt.Errorf("faq: building the index: %w", err)
		return
	}
	ix = built
}

// Entries is the merged knowledge base as it stands in the database.
func (l *Live) Entries(ctx context.Context) ([]Entry, error) {
	over, err := l.src.FAQOverrides(ctx)
	if err != nil {
		return nil, err
	}
	return Merge(l.base, over), nil
}

// Invalidate makes the next question look at the database again.
func (l *Live) Invalidate() {
	l.mu.Lock()
	l.gen++
	l.checked = time.Time{}
	l.mu.Unlock()
}
