// Package crm receives webhooks from Partner Center and CRMs (Dynamics 365,
// Salesforce, HubSpot, and anything that can send signed JSON) on
// POST /webhooks/{source}, and sends signed webhooks out for changes made in
// chat.
//
// A delivery is verified, stored raw in the inbox and committed before the
// sender is answered 2xx; processing follows from the inbox. So a delivery
// that was acknowledged is never lost (a failure leaves it failed, for
// `cosellbot replay`), a redelivery (same source and dedup key) is
// acknowledged and ignored, and an update older than the one last applied is
// recorded as stale and not applied. Inbox commits of concurrent deliveries
// are batched (group commit) so that ingestion keeps up with the database.
//
// Each source lives in a subpackage (partnercenter, dynamics, hubspot,
// salesforce, generic) and implements Source: how its deliveries are signed,
// how a body splits into events with their dedup keys, and how a stored
// event is applied to deals.
package crm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// Sources are the names of /webhooks/{source}, in the order help lists them.
var Sources = []string{"partnercenter", "dynamics", "hubspot", "salesforce", "generic"}

// MaxBody is the largest delivery accepted; a larger one gets 413.
const MaxBody = 1 << 20

// Window is how far a signed timestamp may be from now (HubSpot, generic).
const Window = 5 * time.Minute

// Source is one sender of webhooks.
type Source interface {
	// Name is the {source} of the route.
	Name() string
	// Verify authenticates a delivery from its headers and raw body; any
	// error answers 401 and stores nothing.
	Verify(r *http.Request, body []byte, now time.Time) error
	// Decode splits a verified body into events with their dedup keys. A
	// *FieldError answers 400 naming the field and stores nothing.
	Decode(r *http.Request, body []byte) ([]Event, error)
	// Ack answers a delivery that was stored (most senders only need 200;
	// Salesforce wants a SOAP acknowledgement).
	Ack(w http.ResponseWriter)
	// Apply processes one stored event. An error marks the inbox row failed
	// with the error as the reason, to be replayed.
	Apply(ctx context.Context, e ledger.InboxEntry) (Result, error)
}

// BodyLimiter is a source whose deliveries may be larger than MaxBody.
type BodyLimiter interface{ MaxBody() int64 }

// Faulter is a source whose sender wants refusals in its own form: Faults
// wraps the answer so that an error written to it is turned into that form.
type Faulter interface {
	Faults(w http.ResponseWriter) http.ResponseWriter
}

// Event is one event of a delivery as the inbox keeps it.
type Event struct {
	Key  string // dedup key, unique per source
	Body []byte // the raw bytes of this event
	// Ignore, when set, says why nothing will be done with the event (an
	// event type cosellbot does not handle); it is stored as ignored.
	Ignore string
}

// Result is what applying an event did.
type Result struct {
	Status ledger.InboxStatus // processed, ignored or stale
	Note   string             // what was done or why not, for `cosellbot inbox`
}

// Processed, Ignored and Stale build results.
func Processed(format string, args ...any) Result {
	return Result{ledger.InboxProcessed, fmt.Sprintf(format, args...)}
}

// Ignored is a result for an event that needs nothing done.
func Ignored(format string, args ...any) Result {
	return Result{ledger.InboxIgnored, fmt.Sprintf(format, args...)}
}

// Stale is a result for an event older than what was applied.
func Stale(format string, args ...any) Result {
	return Result{ledger.InboxStale, fmt.Sprintf(format, args...)}
}

// FieldError is a malformed or missing field of a delivery.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Malformed builds a *FieldError.
func Malformed(field, format string, args ...any) error {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrSignature is wrapped by every verification failure.
var ErrSignature = errors.New("signature check failed")

// Unverified wraps ErrSignature with why.
func Unverified(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrSignature, fmt.Sprintf(format, args...))
}

// Clock tells the time; tests pass a fixed one.
type Clock interface{ Now() time.Time }

// Inbox is what the receiver and the processor need of the inbox.
type Inbox interface {
	AddInbox(ctx context.Context, entries []ledger.InboxEntry) ([]ledger.InboxAdded, error)
	InboxEntry(ctx context.Context, id int64) (ledger.InboxEntry, error)
	ListInbox(ctx context.Context, f ledger.InboxFilter) ([]ledger.InboxEntry, error)
	ClaimInbox(ctx context.Context, id int64, now, until time.Time) (bool, error)
	MarkInbox(ctx context.Context, id int64, status ledger.InboxStatus, reason string, at time.Time) error
	DeferInbox(ctx context.Context, id int64, reason string, until time.Time) error
	// TakeInbox takes a page of waiting rows; more says more may wait.
	TakeInbox(ctx context.Context, now time.Time, limit int, except []string) (rows []ledger.InboxEntry, more bool, err error)
	// Batch runs fn in one transaction carried by its context; Savepoint
	// undoes what fn wrote when it fails, and the batch goes on.
	Batch(ctx context.Context, fn func(ctx context.Context) error) error
	// Unit is Batch keeping the deal changes in memory until fn returns;
	// fn may run twice (a unit that cannot hold them runs as a Batch).
	Unit(ctx context.Context, fn func(ctx context.Context) error) error
	// Prefetch reads, in a unit, the links and deals of a system's records
	// together.
	Prefetch(ctx context.Context, system string, recordIDs []string) error
	Savepoint(ctx context.Context, fn func(ctx context.Context) error) error
}

// Recorder is a source that tells which of its records an event is about
// without applying it (the id links use, "" when it cannot tell): a page's
// records are then read together before its events are applied.
type Recorder interface {
	Record(e ledger.InboxEntry) string
}

// Final reports whether an event's failure will not pass by trying again:
// the event's own content is malformed, the deal rules refuse it, the
// sender refused a request for good (chat.Permanent), or the record is
// linked to no deal yet (a person must link it, then replay). Anything else
// (the database, the network, a sender's 5xx) is transient.
func Final(err error) bool {
	var fe *FieldError
	var rule *deal.RuleError
	var rules deal.Problems
	return errors.As(err, &fe) || errors.As(err, &rule) || errors.As(err, &rules) ||
		chat.IsPermanent(err) || errors.Is(err, change.ErrNoDeal)
}

// Outcome is what a delivery or an event came to, as metrics count it.
type Outcome string

// Outcomes counted per source.
const (
	Received  Outcome = "received"  // an event stored in the inbox
	Duplicate Outcome = "duplicate" // an event the source had delivered already
	Failed    Outcome = "failed"    // an event whose processing failed
	Applied   Outcome = "applied"   // an event applied to deals
	Dropped   Outcome = "ignored"   // an event that needed nothing, or was stale
	Held      Outcome = "held"      // a delivery held while the processor was behind (Processor.Throttle)
)

// Metrics counts events by source and outcome (the crmmetrics package
// implements it with Prometheus).
type Metrics interface {
	Count(source string, o Outcome)
}

type noMetrics struct{}

func (noMetrics) Count(string, Outcome) {}

// A is word preceded by its indefinite article, for the inbox's sentences
// about CRM object types that come from outside ("an Account record, not
// an Opportunity"): "an" before a vowel sound, judged by the spelling,
// with the common words whose initial vowel is said as a consonant ("a
// User", "a Unit", "a one-off").
func A(word string) string {
	w := strings.ToLower(strings.TrimSpace(word))
	if w == "" || !strings.ContainsRune("aeiou", rune(w[0])) {
		return "a " + word
	}
	for _, p := range []string{"uni", "use", "usa", "usu", "uti", "ura", "eu", "one", "once"} {
		if strings.HasPrefix(w, p) {
			return "a " + word
		}
	}
	return "an " + word
}

// isNotFound reports a missing record.
func isNotFound(err error) bool { return errors.Is(err, ledger.ErrNotFound) }
