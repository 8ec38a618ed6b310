package ledger

import "time"

// The webhook inbox: every verified delivery is stored raw and committed
// before the sender is answered 2xx, then processed from there.

// InboxStatus is where a delivery is in its processing.
type InboxStatus string

// Inbox statuses. Received rows wait for processing; failed rows wait for a
// replay; the others are done.
const (
	InboxReceived  InboxStatus = "received"
	InboxProcessed InboxStatus = "processed"
	InboxFailed    InboxStatus = "failed"
	InboxIgnored   InboxStatus = "ignored" // nothing to do (unknown event type, an echo of our own change…)
	InboxStale     InboxStatus = "stale"   // older than what was already applied: recorded, not applied
)

// InboxEntry is one delivery: the raw event as received, the headers that
// matter to it, and what became of it.
type InboxEntry struct {
	ID          int64
	Source      string            // partnercenter, dynamics, hubspot, salesforce, generic
	Key         string            // dedup key, unique per source
	Headers     map[string]string // the headers kept with the body
	Body        []byte
	Status      InboxStatus
	Error       string // why it failed, was ignored or is stale
	Attempts    int    // how many times processing was tried
	ReceivedAt  time.Time
	ProcessedAt time.Time // zero until processed, failed, ignored or found stale
	Duplicates  int       // how often the sender delivered it again
}

// InboxAdded tells what AddInbox did with one entry.
type InboxAdded struct {
	ID        int64 // the new row; 0 for a duplicate
	Duplicate bool  // the source already delivered this key
}

// InboxFilter selects inbox rows; zero fields select everything.
type InboxFilter struct {
	Statuses []InboxStatus
	Source   string
	Sources  []string // any of these sources (with Source: both must hold)
	// Duplicated keeps the rows that were delivered again (the duplicate
	// outcome: a redelivery is not stored, it is counted on its row).
	Duplicated bool
	AfterID    int64 // only rows with a greater id, to page through
	Limit      int   // 0: no limit
}
