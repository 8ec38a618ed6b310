// Package ledger is the contract between the bot's core and the durable
// record that keeps deals, users and their history: the shapes of audit
// entries and deal queries, and the errors a record refuses with. The store
// package implements it; the core only ever sees these types.
package ledger

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
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
	// ErrCRMIDTaken: a commit gave a deal a CRM ID that another deal
	// holds (change.Commit.ClaimsCRMID), found inside the commit's
	// transaction.
	ErrCRMIDTaken = errors.New("CRM ID held by another deal")
)

// Notice is news to deliver to chat, written to the outbox in the same
// transaction as the change it tells about (reminders and outbox, issue 5).
// The record sends it to every subscribed place whose filters match Location
// and DealKind or, when Places is set, to those places only.
type Notice struct {
	// Key names this piece of news once and for all: the record delivers a
	// key to a place at most once, so a change retried or a sweep run by
	// several replicas never repeats it. Empty: the record derives one from
	// the subject, Kind and the subject's new version.
	Key string
	// Subject is what the news is about ("deal:12", "claim:3"); messages
	// about one subject thread together. CreateDeal fills an empty one with
	// the new deal, and replaces "{id}" in Text and action commands with its id.
	Subject string
	// Kind is what happened: declined, expired, reminder, digest…; KindState
	// makes the notice the current state of Subject (see KindState).
	Kind     string
	Text     string
	Actions  []chat.Action
	Location string    // the deal's location, matched against subscriptions; "" matches all
	DealKind deal.Kind // matched against subscriptions' kind; "" matches all
	// Team is the e-mails of everyone on the deal's teams: with Location it
	// decides which subscribers may see the news (bot/access).
	Team   []string
	Places []chat.Place
}

// Audience is the deal a notice is about, as far as visibility needs it
// (its location and team), or nil for news about no deal.
func (n Notice) Audience() *deal.Deal {
	if !strings.HasPrefix(n.Subject, "deal:") {
		return nil
	}
	id, _ := DealOfSubject(n.Subject)
	d := &deal.Deal{ID: id, Location: n.Location, Kind: n.DealKind}
	for _, e := range n.Team {
		d.Team = append(d.Team, deal.Person{Email: e})
	}
	return d
}

// DealSubject is the subject of the news about deal id ("deal:12"): what
// the outbox, the reminders and the state messages key a deal's news by.
func DealSubject(id int64) string { return "deal:" + strconv.FormatInt(id, 10) }

// DealOfSubject is the deal a news subject names, if it names one.
func DealOfSubject(subject string) (int64, bool) {
	return idOfSubject(subject, "deal:")
}

// ClaimOfSubject is the CPOR claim a news subject names ("claim:3", as
// cpor.Claim.Subject writes it), if it names one.
func ClaimOfSubject(subject string) (int64, bool) {
	return idOfSubject(subject, "claim:")
}

func idOfSubject(subject, prefix string) (int64, bool) {
	rest, ok := strings.CutPrefix(subject, prefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil
}

// TeamOf lists the e-mails of a deal's team and its invited partners' teams.
func TeamOf(d *deal.Deal) []string {
	var out []string
	for _, p := range d.Team {
		out = append(out, p.Email)
	}
	for _, inv := range d.Partners {
		for _, p := range inv.Team {
			out = append(out, p.Email)
		}
	}
	return out
}

// KindState is the Kind of a notice that is the current state of its
// Subject rather than news: it is delivered by editing in place the
// messages already sent about Subject to each place (chat.Message.State),
// never as a new message. Its Text is the state line (the new state, who
// changed it and when) and its Actions replace the buttons of the first
// message; none removes them. Emit one with every change of a deal, from
// any origin; with an empty Key each version of the subject gets one.
const KindState = "state"

// Reminder is a check planned for a moment: the subject, what to check, and
// when. (Subject, Kind, DueAt) is unique, so planning it twice is harmless.
type Reminder struct {
	Subject string
	Kind    string
	DueAt   time.Time
}

// PlanDecisionDue is the reminder kind of Microsoft's 14-day decision on a
// co-sell invitation; the record plans it whenever it stores a deal waiting
// for that decision.
const PlanDecisionDue = "microsoft-decision"

// Subscription routes notices to a chat place: those about deals in Location
// (every location when empty) and of DealKind (every kind when empty).
type Subscription struct {
	Place     chat.Place
	Location  string
	DealKind  deal.Kind
	CreatedBy string
	CreatedAt time.Time
}

// Matches reports whether a notice about a deal in location loc, of kind k,
// goes to this subscription; a notice without a location or kind (a CPOR
// claim, say) goes to every subscription.
func (s Subscription) Matches(loc string, k deal.Kind) bool {
	if k == ClaimNews || s.DealKind == ClaimNews {
		// Claim news only through a subscription made for it: an unfiltered
		// channel subscription is for deal news, and its readers may not
		// open claims.
		return s.DealKind == k
	}
	return (s.Location == "" || loc == "" || s.Location == loc) && (s.DealKind == "" || k == "" || s.DealKind == k)
}

// ClaimNews is the kind claim notices and the subscriptions made for them
// (subscribe kind=cpor) carry.
const ClaimNews deal.Kind = "cpor"

// Firing is a reminder whose time has come, with the notices it sends; Skip
// records it as skipped (snoozed, or no longer relevant) and sends nothing.
type Firing struct {
	Reminder
	Skip    bool
	Notices []Notice
}

// Delivery is an outbox message leased to one dispatcher: it sends Message,
// then reports the outcome naming ID and Attempt (which fences a dispatcher
// whose lease ran out from marking a row another one took over).
type Delivery struct {
	ID      int64
	Attempt int // 1 for the first try
	Kind    string
	Key     string
	Message chat.Message
	// Queued is when the message was written to the outbox (the change or
	// the sweep's pass that made it).
	Queued time.Time
	// Redone says that the dispatcher wrote Message's text and actions
	// again at delivery (news that counts down to a moment): marked sent,
	// the record keeps them as what the place was sent, which later state
	// updates rewrite.
	Redone bool
}

// FAQMiss is a question the FAQ could not answer, or answered with an
// entry (Wrong) its asker said was not what they asked; listed, Count says
// how often it was asked, Wrongs how many of those were such reports, and
// At when last.
type FAQMiss struct {
	Question string
	Lang     string
	Actor    string
	At       time.Time
	Count    int
	Wrong    string
	Wrongs   int
}
