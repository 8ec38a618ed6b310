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
// rebuild at the next question.
const Recheck = 30 * time.Second

// Live keeps an Index current with the shipped knowledge base merged with
// the admins' entries. serve warms it in the background at start (Warm), so
// that the first question finds it built; a question arriving while a build
// runs waits for that build instead of starting another.
type Live struct {
	base []Entry
	src  OverrideSource
	opts []Option // of every build

	mu      sync.Mutex // held while building: one build at a time
	ix      *Index
	version string
	checked time.Time
}

// NewLive returns a Live over the shipped entries base and the database's
// overrides; nothing is built until Warm or Index.
func NewLive(base []Entry, src OverrideSource, opts ...Option) *Live {
	return &Live{base: base, src: src, opts: opts}
}

// Warm builds the index now (serve calls it in the background at start).
func (l *Live) Warm(ctx context.Context, now time.Time) error {
	_, err := l.Index(ctx, now)
	return err
}

// Index returns the current index, rebuilding it when the admins' entries
// changed since it was built. An older index is returned while the
// database is unreachable, rather than no answer.
func (l *Live) Index(ctx context.Context, now time.Time) (*Index, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ix != nil && now.Sub(l.checked) < Recheck && now.Sub(l.checked) >= 0 {
		return l.ix, nil
	}
	v, err := l.src.FAQVersion(ctx)
	if err != nil {
		if l.ix != nil {
			return l.ix, nil
		}
		return nil, fmt.Errorf("faq: reading the entries' version: %w", err)
	}
	l.checked = now
	if l.ix != nil && v == l.version {
		return l.ix, nil
	}
	over, err := l.src.FAQOverrides(ctx)
	if err != nil {
		if l.ix != nil {
			return l.ix, nil
		}
		return nil, fmt.Errorf("faq: reading the admins' entries: %w", err)
	}
	ix, err := NewIndex(Merge(l.base, over), l.opts...)
	if err != nil {
		return nil, fmt.Errorf("faq: building the index: %w", err)
	}
	// The old index is not closed: questions in flight may still hold it,
	// and it holds nothing but memory, which the collector takes back.
	l.ix, l.version = ix, v
	return ix, nil
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
	l.checked = time.Time{}
	l.mu.Unlock()
}
