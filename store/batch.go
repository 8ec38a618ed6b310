package store

import (
	"context"
	"fmt"
	"sync"

	"gorm.io/gorm"
)

// A batch is one transaction that several operations share: the inbox
// processor applies a page of events in one (a savepoint each), so that a
// page costs one commit instead of several per event. The transaction
// travels in the context: every store method called with that context
// works in it, and a store transaction begun inside it is a savepoint.

// txKey is the context key of a batch's transaction.
type txKey struct{}

// writtenKey is the context key of the deals a batch or unit wrote.
type writtenKey struct{}

// writtenDeals are the deals written in a batch or unit, forgotten from the
// deal cache when its transaction ends: before, the old deal is still what
// is committed, and a read between the write and the end would otherwise
// put it back.
type writtenDeals struct {
	mu  sync.Mutex
	ids []int64
}

// forgetDeals drops deals ids, just written under ctx, from the deal cache
// once their write is committed: at once outside a batch or unit, else
// when the outermost one ends (forgetAtEnd).
func (s *Store) forgetDeals(ctx context.Context, ids ...int64) {
	if w, ok := ctx.Value(writtenKey{}).(*writtenDeals); ok {
		w.mu.Lock()
		w.ids = append(w.ids, ids...)
		w.mu.Unlock()
		return
	}
	s.cache.forget(ids...)
}

// forgetAtEnd collects, under the ctx it returns, the deals a batch or unit
// writes, and end forgets them; inside another one, the outermost does.
func (s *Store) forgetAtEnd(ctx context.Context) (_ context.Context, end func()) {
	if _, nested := ctx.Value(writtenKey{}).(*writtenDeals); nested {
		return ctx, func() {}
	}
	w := &writtenDeals{}
	return context.WithValue(ctx, writtenKey{}, w), func() { s.cache.forget(w.ids...) }
}

// conn is the handle for writes (and transactions) under ctx: the batch's
// transaction when ctx carries one, else the writer pool.
func (s *Store) conn(ctx context.Context) *gorm.DB {
	if u := unitOf(ctx); u != nil {
		return u.db(ctx, true)
	}
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx.WithContext(ctx)
	}
	return s.db.WithContext(ctx)
}

// reader is the handle for reads under ctx: the batch's transaction when
// ctx carries one (a batch reads what it wrote), else the read pool.
func (s *Store) reader(ctx context.Context) *gorm.DB {
	if u := unitOf(ctx); u != nil {
		return u.db(ctx, false)
	}
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx.WithContext(ctx)
	}
	return s.rd.WithContext(ctx)
}

// Batch runs fn in one transaction, committed when fn returns nil and
// rolled back otherwise; the ctx fn gets carries it. Inside, Savepoint
// isolates one operation.
func (s *Store) Batch(ctx context.Context, fn func(ctx context.Context) error) error {
	ctx, end := s.forgetAtEnd(ctx)
	defer end() // once committed (or rolled back)
	var fnErr error
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		fnErr = fn(context.WithValue(ctx, txKey{}, tx))
		return fnErr
	})
	if err != nil && fnErr == nil {
		return fmt.Errorf("store: batch: %w", err)
	}
	return err
}

// Savepoint runs fn so that, when it fails, what it wrote is undone and the
// batch around it goes on (outside a batch, it is a transaction of its own).
func (s *Store) Savepoint(ctx context.Context, fn func(ctx context.Context) error) error {
	if u := unitOf(ctx); u != nil {
		return u.savepoint(ctx, fn)
	}
	return s.Batch(ctx, fn)
}
