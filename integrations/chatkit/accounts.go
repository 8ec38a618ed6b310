package chatkit

import (
	"container/list"
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
)

// Lookup finds the cosellbot user behind a platform account; an
// access.Denied error means there is none (the account is not linked).
type Lookup func(ctx context.Context, account string) (access.User, error)

// Accounts remembers who platform accounts are (see Cache).
type Accounts = Cache[access.User]

// NewAccounts builds the account-to-user cache in front of lookup.
func NewAccounts(lookup Lookup, cfg AccountsConfig) *Accounts { return NewCache(lookup, cfg) }

// AccountsConfig bounds a cache.
type AccountsConfig struct {
	// Hit is how long a found user is remembered: a removed user, a
	// changed role or a relink made by another process counts within it.
	Hit time.Duration
	// Miss is how long an unknown account is remembered, so that an
	// unlinked member clicking away does not repeat a slow lookup each time.
	Miss time.Duration
	// Fail is how long a failed lookup (the database or the platform's API
	// did not answer) is remembered.
	Fail time.Duration
	// Timeout bounds one lookup; it runs on, detached, for the next caller
	// even when the caller that started it gave up.
	Timeout time.Duration
	// Max bounds how many accounts are remembered; the least recently used
	// go first.
	Max int
	Now func() time.Time
}

// Cache remembers what a slow lookup (the database, a platform's API)
// answered about an account, both the accounts found and those not found
// (an access.Denied answer) and, briefly, failures, in a bounded
// least-recently-used cache. Concurrent lookups of one account share one
// call, which runs on for the next caller even when this one gives up.
type Cache[V any] struct {
	lookup func(ctx context.Context, account string) (V, error)
	cfg    AccountsConfig

	mu     sync.Mutex
	lru    *list.List // of *cached, most recent first
	by     map[string]*list.Element
	flight map[string]*flight[V]
}

type cached[V any] struct {
	account string
	user    V
	err     error
	until   time.Time
}

type flight[V any] struct {
	done chan struct{}
	user V
	err  error
}

// NewCache builds a cache in front of lookup; zero settings get defaults
// (10 s, 30 s, 5 s, 5 s timeout, 10,000 accounts, the wall clock).
func NewCache[V any](lookup func(ctx context.Context, account string) (V, error), cfg AccountsConfig) *Cache[V] {
	if cfg.Hit <= 0 {
		cfg.Hit = 10 * time.Second
	}
	if cfg.Miss <= 0 {
		cfg.Miss = 30 * time.Second
	}
	if cfg.Fail <= 0 {
		cfg.Fail = 5 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Max <= 0 {
		cfg.Max = 10000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Cache[V]{lookup: lookup, cfg: cfg, lru: list.New(), by: map[string]*list.Element{}, flight: map[string]*flight[V]{}}
}

// Get finds what is behind account, from the cache when it is fresh. It
// returns when ctx ends even if the lookup does not.
func (a *Cache[V]) Get(ctx context.Context, account string) (V, error) {
	now := a.cfg.Now()
	a.mu.Lock()
	if el, ok := a.by[account]; ok {
		c := el.Value.(*cached[V])
		if now.Before(c.until) {
			a.lru.MoveToFront(el)
			a.mu.Unlock()
			return c.user, c.err
		}
	}
	f, ok := a.flight[account]
	if !ok {
		f = &flight[V]{done: make(chan struct{})}
		a.flight[account] = f
		go a.fly(context.WithoutCancel(ctx), account, f)
	}
	a.mu.Unlock()
	select {
	case <-f.done:
		return f.user, f.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

func (a *Cache[V]) fly(ctx context.Context, account string, f *flight[V]) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	f.user, f.err = a.lookup(ctx, account)
	ttl := a.cfg.Hit
	var denied *access.Denied
	switch {
	case errors.As(f.err, &denied):
		ttl = a.cfg.Miss
	case f.err != nil:
		ttl = a.cfg.Fail
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.flight, account)
	close(f.done)
	a.put(&cached[V]{account: account, user: f.user, err: f.err, until: a.cfg.Now().Add(ttl)})
}

func (a *Cache[V]) put(c *cached[V]) {
	if el, ok := a.by[c.account]; ok {
		el.Value = c
		a.lru.MoveToFront(el)
		return
	}
	a.by[c.account] = a.lru.PushFront(c)
	for a.lru.Len() > a.cfg.Max {
		old := a.lru.Back()
		a.lru.Remove(old)
		delete(a.by, old.Value.(*cached[V]).account)
	}
}

// Forget drops what is remembered of an account (after linking it).
func (a *Cache[V]) Forget(account string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if el, ok := a.by[account]; ok {
		a.lru.Remove(el)
		delete(a.by, account)
	}
}

// Len is how many accounts are remembered.
func (a *Cache[V]) Len() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.lru.Len()
}

// Resolver reads a cosellbot user by ID (the command service).
type Resolver interface {
	Resolve(ctx context.Context, id string) (access.User, error)
}

// LinkedUser is the cosellbot user whose ID a chat account is linked to (or
// whose e-mail it has), or unlinked: when id is empty, when no user has it
// (access denies it), and when it names the local admin the shell acts as,
// who has no chat account, so that nobody in a channel acts with the
// shell's rights whatever the link says. Other errors (the database did not
// answer) come back as they are.
func LinkedUser(ctx context.Context, r Resolver, id string, unlinked error) (access.User, error) {
	id = strings.TrimSpace(id)
	if id == "" || strings.EqualFold(id, access.LocalAdmin.ID) {
		return access.User{}, unlinked
	}
	u, err := r.Resolve(ctx, id)
	var denied *access.Denied
	if errors.As(err, &denied) {
		return access.User{}, unlinked
	}
	return u, err
}
