package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cosellbot/cosellbot/bot/deal"
)

// The deal cache. "deal show" and every button read one deal by id; on
// PostgreSQL that read was the one round trip of the request (30 % of the
// server's CPU in a profile of `cosellload bench`, plus the backend's on the
// same cores), on SQLite a quarter of the request's CPU. GetDeal keeps the
// deals it read and serves them again until they change.
//
// A cached deal must never outlive a write it has not seen, whoever wrote:
// this process, another replica, or the CLI on the same SQLite file. So the
// cache is live only while a watcher that sees every commit runs
// (CacheDeals): on PostgreSQL a LISTEN on the notifications that a trigger
// on deals sends when a writing transaction commits (migration 00009),
// proven heard by probes; on SQLite a poll of PRAGMA data_version on the
// writer's connection, which changes whenever another process commits.
// When the watcher loses its connection the cache is emptied and bypassed
// until it is back. This process's own writes forget their deals at once,
// so that a user reads what they just wrote without waiting for the
// watcher.
//
// Fills race with writes: a read that began before a write committed may
// return the old deal after the write forgot it. Every forget bumps an
// epoch, and a fill is kept only if no forget happened since its read
// began, so an old deal is never put back.

// dealCacheMax bounds the cached deals: people look at the deals they work
// on, a few hundred at a time, and each takes one to a few kilobytes, so
// the cache stays within a few megabytes of the 100 MB the server keeps to.
const dealCacheMax = 2000

// sqlitePollEvery is how often the SQLite watcher reads data_version: the
// longest a deal written by another process can be shown as it was.
const sqlitePollEvery = 20 * time.Millisecond

// heartbeat is how long the PostgreSQL watcher stays quiet before it
// checks that its connection is still heard; probeWithin how long a probe
// may take to come back.
const (
	heartbeat   = 30 * time.Second
	probeWithin = 5 * time.Second
)

// dealsChannel is the PostgreSQL notification channel of migration 00009,
// followed by the deals table's schema.
const dealsChannel = "cosellbot_deals:"

// dealCache holds deals by id while a watcher runs. Cached deals are never
// handed out: get returns a copy.
type dealCache struct {
	hits  atomic.Int64 // deals served from the cache (tests read it)
	mu    sync.RWMutex
	live  bool
	epoch uint64
	deals map[int64]*deal.Deal
}

// get returns a copy of the cached deal id; ok is false on a miss. epoch is
// what a fill after a miss must give put, live whether to fill at all.
func (c *dealCache) get(id int64) (d *deal.Deal, epoch uint64, live, ok bool) {
	c.mu.RLock()
	cached, ok := c.deals[id]
	epoch, live = c.epoch, c.live
	c.mu.RUnlock()
	if ok {
		c.hits.Add(1)
		return cached.Clone(), epoch, live, true
	}
	return nil, epoch, live, false
}

// put keeps d (which the caller no longer changes) if nothing was forgotten
// since epoch.
func (c *dealCache) put(d *deal.Deal, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live || c.epoch != epoch {
		return
	}
	if c.deals == nil {
		c.deals = make(map[int64]*deal.Deal)
	}
	if len(c.deals) >= dealCacheMax {
		for id := range c.deals { // an arbitrary one: maps iterate at random
			delete(c.deals, id)
			break
		}
	}
	c.deals[d.ID] = d
}

// forget drops the deals ids.
func (c *dealCache) forget(ids ...int64) {
	c.mu.Lock()
	c.epoch++
	for _, id := range ids {
		delete(c.deals, id)
	}
	c.mu.Unlock()
}

// isLive reports whether the cache is on.
func (c *dealCache) isLive() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.live
}

// reset empties the cache and turns it on or off.
func (c *dealCache) reset(live bool) {
	c.mu.Lock()
	c.epoch++
	clear(c.deals)
	c.live = live
	c.mu.Unlock()
}

// cachedDeal is GetDeal outside a unit or batch: from the cache when it
// holds the deal, else read and kept.
func (s *Store) cachedDeal(ctx context.Context, id int64) (*deal.Deal, error) {
	d, epoch, live, ok := s.cache.get(id)
	if ok {
		return d, nil
	}
	var row dealRow
	d, err := dealOf(id, &row, s.readDeal(ctx, id, &row))
	if err == nil && live {
		s.cache.put(d.Clone(), epoch)
	}
	return d, err
}

// CacheDeals keeps GetDeal's cache live until ctx ends, watching the
// database for commits by anyone; serve runs it beside the HTTP server.
// Without it (the CLI, tests) every GetDeal reads the database. It returns
// nil when ctx ends; while the watcher cannot connect it retries, the cache
// bypassed, and logs why.
func (s *Store) CacheDeals(ctx context.Context) error {
	defer s.cache.reset(false)
	watch := s.watchPostgres
	if s.dialect == SQLite {
		if s.rd == s.db {
			return nil // in memory: no other process can write, but nothing to watch with either
		}
		watch = s.watchSQLite
	}
	wait := time.Second
	for ctx.Err() == nil {
		err := watch(ctx)
		s.cache.reset(false)
		if ctx.Err() != nil {
			break
		}
		slog.WarnContext(ctx, "store: the deal cache is off until the database can be watched again", "err", err, "retry in", wait)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
	return nil
}

// watchPostgres listens for the deals' notifications on a connection of its
// own and forgets each deal named; it returns when the connection fails or
// ctx ends.
//
// A LISTEN that succeeds does not prove notifications arrive: behind a
// pooler in transaction mode they never do, and a connection cut without a
// word goes quiet too, while every cached deal would stay as it was. So the
// cache goes live only once a probe, notified through the pool the writes
// take, came back on the listening connection, and after each quiet
// heartbeat a probe must come back again within probeWithin.
func (s *Store) watchPostgres(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return fmt.Errorf("store: watch deals: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var schema string
	if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("store: watch deals: %w", err)
	}
	channel := dealsChannel + schema
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return fmt.Errorf("store: watch deals: %w", err)
	}
	probes := 0
	probe := func() (string, error) {
		probes++
		payload := fmt.Sprintf("probe:%p:%d", s, probes)
		if err := s.db.WithContext(ctx).Exec("SELECT pg_notify(?, ?)", channel, payload).Error; err != nil {
			return "", fmt.Errorf("store: watch deals: notify a probe: %w", err)
		}
		return payload, nil
	}
	waiting, err := probe()
	if err != nil {
		return err
	}
	sent := time.Now()
	quietFor := heartbeat
	if s.heartbeat > 0 {
		quietFor = s.heartbeat
	}
	for {
		wait := quietFor
		if waiting != "" {
			wait = max(probeWithin-time.Since(sent), time.Millisecond)
		}
		wctx, cancel := context.WithTimeout(ctx, wait)
		n, err := conn.WaitForNotification(wctx)
		quiet := errors.Is(wctx.Err(), context.DeadlineExceeded) // before cancel sets it
		cancel()
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil && !quiet:
			return fmt.Errorf("store: watch deals: %w", err)
		case err != nil && waiting != "":
			return fmt.Errorf("store: watch deals: a probe did not come back within %s; is a pooler in transaction mode between cosellbot and PostgreSQL?", probeWithin)
		case err != nil: // a quiet heartbeat: is the connection still heard?
			if waiting, err = probe(); err != nil {
				return err
			}
			sent = time.Now()
			continue
		}
		if n.Payload == waiting {
			if !s.cache.isLive() {
				// Only now are commits seen: what was cached before is not trusted.
				s.cache.reset(true)
			}
			waiting = ""
			continue
		}
		if id, err := strconv.ParseInt(n.Payload, 10, 64); err == nil {
			s.cache.forget(id)
		} else if !strings.HasPrefix(n.Payload, "probe:") {
			s.cache.reset(s.cache.isLive()) // not a deal id: forget them all
		}
	}
}

// watchSQLite polls PRAGMA data_version on the writer's connection and
// empties the cache when another process committed. data_version changes
// when a connection other than the one asking commits; asked on the
// writer, the process's one writing connection, it ignores the process's
// own writes (they forget their deals themselves) and sees only other
// processes' (the CLI on the same file). Asked on a reader, it changed with
// every one of the process's own commits, and each Slack command commits
// its replay record: the cache emptied every 20 ms under load. When the
// pool replaced the writer's connection the values are not comparable, and
// the cache is emptied too.
func (s *Store) watchSQLite(ctx context.Context) error {
	writer, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("store: watch deals: %w", err)
	}
	version := func() (conn any, v int64, err error) {
		c, err := writer.Conn(ctx) // waits for the write in flight, if any
		if err != nil {
			return nil, 0, fmt.Errorf("store: watch deals: %w", err)
		}
		defer c.Close()
		if err := c.Raw(func(dc any) error { conn = dc; return nil }); err != nil {
			return nil, 0, fmt.Errorf("store: watch deals: %w", err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
			return nil, 0, fmt.Errorf("store: watch deals: %w", err)
		}
		return conn, v, nil
	}
	lastConn, last, err := version()
	if err != nil {
		return err
	}
	s.cache.reset(true)
	tick := time.NewTicker(sqlitePollEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		conn, v, err := version()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if conn != lastConn || v != last {
			lastConn, last = conn, v
			s.cache.reset(true)
		}
	}
}
