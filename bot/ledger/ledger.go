// Package ledger is the contract between the bot's core and the durable
// record that keeps deals, users and their history: the shapes of audit
// entries and deal queries, and the errors a record refuses with. The store
// package implements it; the core only ever sees these types.
package ledger

import (
	"errors"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
)

// Entry is one line of a subject's history, written in the same transaction
// as the change it describes.
type Entry struct {
	At     time.Time
	Actor  string
	Action string
	Detail string
}

// DealFilter selects deals; zero fields select everything.
type DealFilter struct {
	Direction      deal.Direction
	Statuses       []deal.Status
	Locations      []string
	Kind           deal.Kind
	Stage          deal.Stage
	Favorite       bool
	ExpiringBefore time.Time
	Limit          int // 0: no limit
}

// Errors a record wraps, so callers can tell them apart with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("changed by someone else")
	ErrExists   = errors.New("already exists")
)
