package faq

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// memSource is the admins' entries in memory; fail makes the database
// unreachable.
type memSource struct {
	mu      sync.Mutex
	over    []Entry
	version int
	fail    error
}

func (m *memSource) FAQOverrides(context.Context) ([]Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Entry(nil), m.over...), m.fail
}

func (m *memSource) FAQVersion(context.Context) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return string(rune('a' + m.version)), m.fail
}

func (m *memSource) put(e Entry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.over = append(m.over, e)
	m.version++
}

func (m *memSource) down(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fail = err
}

func liveEntry(id, q string) Entry {
	e := Entry{ID: id, Seed: "test", Text: map[Lang]Text{}}
	for _, l := range Langs {
		e.Text[l] = Text{Question: q, Answer: "An answer to " + q + "."}
	}
	return e
}

// heldLive is a Live whose builds, once held is set, stop until the test
// sends on release, saying so on started.
func heldLive(src OverrideSource) (l *Live, hold func(bool), started chan int, release chan struct{}) {
	l = NewLive([]Entry{liveEntry("partner-id-where", "Where do I find my partner ID?")}, src)
	var mu sync.Mutex
	held := false
	started, release = make(chan int, 8), make(chan struct{})
	l.build = func(es []Entry, opts ...Option) (*Index, error) {
		mu.Lock()
		h := held
		mu.Unlock()
		if h {
			started <- len(es)
			<-release
		}
		return NewIndex(es, opts...)
	}
	return l, func(b bool) { mu.Lock(); held = b; mu.Unlock() }, started, release
}

// waitFor fails the test when get has not returned while a build is held
// for good: only a call that waits for that build lands there.
func waitFor[T any](t *testing.T, what string, get func() T) T {
	t.Helper()
	got := make(chan T, 1)
	go func() { got <- get() }()
	select {
	case v := <-got:
		return v
	case <-time.After(20 * time.Second):
		t.Fatalf("%s waits for the build under way", what)
		panic("unreachable")
	}
}

// TestLiveAnswersWhileItRebuilds: once an index exists, no question waits
// for a build; the first build is waited for by everyone; an admin's Fresh
// after Invalidate gets an index holding the change even when a build that
// started before the change is under way; a database that does not answer
// leaves the old index answering.
func TestLiveAnswersWhileItRebuilds(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	src := &memSource{}
	l, hold, started, release := heldLive(src)
	defer close(release)

	// The first build: questions wait for it, and share it.
	hold(true)
	firsts := make(chan *Index, 2)
	for range 2 {
		go func() { ix, _ := l.Index(ctx, t0); firsts <- ix }()
	}
	<-started
	select {
	case <-firsts:
		t.Fatal("a question was answered before any index existed")
	default:
	}
	release <- struct{}{}
	old := <-firsts
	if again := <-firsts; again != old || old == nil || old.Len() != 1 {
		t.Fatalf("first build: %v and %v, want one index of 1 entry shared", old, again)
	}
	select {
	case n := <-started:
		t.Fatalf("a second build of %d entries started for the same questions", n)
	default:
	}

	// An admin's change: the admin waits, other questions do not.
	src.put(liveEntry("office-hours", "When is the partner desk open?"))
	l.Invalidate()
	fresh := make(chan *Index, 1)
	go func() { ix, _ := l.Fresh(ctx, t0); fresh <- ix }()
	<-started
	if ix := waitFor(t, "a question", func() *Index { ix, _ := l.Index(ctx, t0); return ix }); ix != old {
		t.Errorf("during the build a question got %v, want the old index", ix)
	}
	// A second change lands while the first build runs: its admin's Fresh
	// gets an index with both, not the one under way.
	src.put(liveEntry("referral-expire", "When does a referral expire?"))
	l.Invalidate()
	second := make(chan *Index, 1)
	go func() { ix, _ := l.Fresh(ctx, t0); second <- ix }()
	release <- struct{}{}
	if ix := <-fresh; ix == nil || ix.Len() < 2 {
		t.Fatalf("Fresh after the change: %v", ix)
	}
	if n := <-started; n != 3 {
		t.Fatalf("the build after the second change has %d entries, want 3", n)
	}
	if ix := waitFor(t, "a question", func() *Index { ix, _ := l.Index(ctx, t0); return ix }); ix == nil || ix.Len() < 2 {
		t.Errorf("during the second build a question got %v", ix)
	}
	release <- struct{}{}
	newest := <-second
	if newest == nil || newest.Len() != 3 {
		t.Fatalf("Fresh after the second change: %v, want 3 entries", newest)
	}
	hold(false)

	// The database down at a recheck: the index it has answers, and Fresh
	// says nothing is wrong with the index either.
	src.down(errors.New("connection refused"))
	later := t0.Add(Recheck + time.Second)
	for _, get := range []func() (*Index, error){
		func() (*Index, error) { return l.Index(ctx, later) },
		func() (*Index, error) { return l.Fresh(ctx, later) },
	} {
		if ix, err := get(); ix != newest || err != nil {
			t.Errorf("database down: %v, %v; want the index it has", ix, err)
		}
	}
}

// TestLiveFirstBuildFails: with no index to fall back on, the database's
// failure is the question's.
func TestLiveFirstBuildFails(t *testing.T) {
	src := &memSource{fail: errors.New("connection refused")}
	l := NewLive(nil, src)
	if ix, err := l.Index(context.Background(), time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)); ix != nil || err == nil {
		t.Errorf("Index = %v, %v; want the database's error", ix, err)
	}
}
