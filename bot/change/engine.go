package change

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/crmid"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/escape"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// Record is what the change path needs of the durable record.
type Record interface {
	GetDeal(ctx context.Context, id int64) (*deal.Deal, error)
	// Link reads one link; ledger.ErrNotFound when the record is not linked.
	Link(ctx context.Context, system, recordID string) (Link, error)
	// LinksOfRecord reads a record's link with every other link of its
	// deal, in one read (none: the record is not linked).
	LinksOfRecord(ctx context.Context, system, recordID string) ([]Link, error)
	LinksOf(ctx context.Context, dealID int64) ([]Link, error)
	// Commit stores a change in one transaction: the deal (created when its
	// ID is 0, else updated at its Version, or ledger.ErrConflict), its audit
	// entries, the notices, the links, and sync work for the links named.
	Commit(ctx context.Context, c *Commit) error
}

// Commit is one change as stored in one transaction.
type Commit struct {
	Deal    *deal.Deal // nil: only links (a merge that changed no field)
	Entries []ledger.Entry
	Notices []ledger.Notice
	Links   []Link    // upserted; a zero DealID takes the deal's id, unless the link is Gone
	Unlinks []LinkRef // links removed (the record was deleted, or merged into another)
	Work    []LinkRef // links whose system lacks some of the deal: one sync each
	At      time.Time
	// ClaimsCRMID: the commit gives the deal a CRM ID no other deal may
	// hold. The engine checked it before (crmIDFree), outside any
	// transaction; the store checks again inside the commit's, where two
	// people giving two deals one ID at the same moment cannot both pass
	// (ledger.ErrCRMIDTaken).
	ClaimsCRMID bool
}

// LinkRef names a link.
type LinkRef struct{ System, RecordID string }

// Clock tells the time; tests pass a fixed one.
type Clock interface{ Now() time.Time }

// Engine applies changes. Systems lists the systems cosellbot writes to,
// each with the fields it takes (nil: all): only links to those get sync
// work.
type Engine struct {
	rec     Record
	clock   Clock
	systems map[string][]Field
	log     *slog.Logger
	kick    func()
}

// New builds an engine. systems are the systems with a writer; kick, when
// set, is called after a commit that left sync work (it wakes the syncer).
func New(rec Record, clock Clock, systems map[string][]Field, kick func(), log *slog.Logger) *Engine {
	if log == nil {
		log = slog.Default()
	}
	return &Engine{rec: rec, clock: clock, systems: systems, kick: kick, log: log}
}

// Now is the engine's clock.
func (e *Engine) Now() time.Time { return e.clock.Now() }

// Op is one domain operation on a deal (a bot/deal method).
type Op func(d *deal.Deal) (deal.Event, error)

// Apply carries out op on d (as read, at its Version) for actor, at the
// engine's clock, and stores it: the deal, the audit entry, the news, and
// sync work for every linked system now behind. A concurrent change makes
// it fail with ledger.ErrConflict and nothing stored. It returns the deal
// as stored.
func (e *Engine) Apply(ctx context.Context, d *deal.Deal, actor string, op Op) (*deal.Deal, deal.Event, error) {
	return e.ApplyAt(ctx, d, actor, e.clock.Now(), op)
}

// ApplyAt is Apply at a time of the caller's (the sweep's pass time).
func (e *Engine) ApplyAt(ctx context.Context, d *deal.Deal, actor string, now time.Time, op Op) (*deal.Deal, deal.Event, error) {
	next := d.Clone()
	ev, err := op(next)
	if err != nil {
		return d, ev, err
	}
	if err := e.crmIDFree(ctx, next, d.CRMID); err != nil {
		return d, ev, err
	}
	at := now
	if !ev.At.IsZero() {
		at = ev.At // an event the clock decided (an expiry) is dated when it happened
	}
	// Its fields changed then too: a sweep recording an expiry a minute
	// late stamped the status at its pass, and a CRM's edit made between
	// the expiry and the pass read as older than the close ("changed
	// before the close, told after it") and was applied to an expired
	// referral (a tester).
	stamp(d, next, at, nil)
	links, err := e.rec.LinksOf(ctx, d.ID)
	if err != nil {
		return d, ev, fmt.Errorf("reading the links of deal #%d: %w", d.ID, err)
	}
	c := &Commit{
		Deal:    next,
		Entries: []ledger.Entry{{At: at, Actor: actor, Action: ev.Action, Detail: ev.Detail}},
		Notices: News(next, ev, actor),
		At:      now,
	}
	if next.CRMID != d.CRMID {
		links = e.unlinkOthers(c, links, next.CRMID, actor, now)
		c.ClaimsCRMID = next.CRMID != ""
	}
	if with := e.madeInPartnerCenter(next, links); len(with) > len(links) && !next.Status.Terminal() {
		// Made before cosellbot wrote to Partner Center (a newcomer who
		// ran it first and connected Partner Center later): its next
		// change creates its referral, rather than it staying out of
		// Partner Center for good while new deals went there (a tester).
		c.Links, links = append(c.Links, with[len(links):]...), with
		c.Entries = append(c.Entries, ledger.Entry{At: at, Actor: actor, Action: "linked",
			Detail: "to be created in Partner Center: the deal was made before cosellbot wrote there"})
	}
	c.Work = e.behind(next, links)
	if err := e.commit(ctx, c); err != nil {
		return d, ev, e.taken(ctx, next, err)
	}
	return next, ev, nil
}

// Create stores a new deal made by actor (with the event that made it) and,
// when link is set, links it to the outside record it came from.
func (e *Engine) Create(ctx context.Context, d *deal.Deal, ev deal.Event, actor string, link *Link) error {
	if link == nil {
		if err := e.crmIDFree(ctx, d, ""); err != nil {
			return err
		}
	}
	now := e.clock.Now()
	stamp(&deal.Deal{}, d, now, nil)
	c := &Commit{Deal: d, Entries: []ledger.Entry{{At: now, Actor: actor, Action: ev.Action, Detail: ev.Detail}}, At: now}
	c.Notices = News(d, ev, actor)
	if link != nil {
		c.Links = []Link{*link}
	}
	if link == nil {
		c.Links = e.madeInPartnerCenter(d, c.Links)
		c.ClaimsCRMID = d.CRMID != ""
	}
	c.Work = e.behind(d, c.Links)
	return e.taken(ctx, d, e.commit(ctx, c))
}

// unheardOf is what a system is about to be sent of a deal (Outgoing) in
// fields it has never told of: what the record held there is unknown.
func unheardOf(system string, cur Values, sh Shadow, only []Field) Values {
	out := Outgoing(system, cur, sh, only)
	for f := range out {
		if _, told := sh[f]; told {
			delete(out, f)
		}
	}
	return out
}

// madeInPartnerCenter adds to the links of a deal made here (in chat, or of
// a record created in a CRM) a pending Partner Center link: the first write
// creates the referral and links it. A deal that came from Partner Center
// has its referral already.
func (e *Engine) madeInPartnerCenter(d *deal.Deal, links []Link) []Link {
	if _, ok := e.systems[PartnerCenter]; !ok || d.Direction != deal.Outbound || d.ExternalID != "" ||
		slices.ContainsFunc(links, func(l Link) bool { return l.System == PartnerCenter }) {
		return links
	}
	return append(links, Link{System: PartnerCenter, RecordID: PendingPrefix + token()})
}

// sameOrKept is the note of a record that changed nothing: the deal says
// so already, or it keeps its own values of fields where the record
// repeats what lost to newer changes here (a whole record says every field
// again), and, when cosellbot does not write to that system, the record
// keeps them ("already says so" there was false: the two differed).
func (e *Engine) sameOrKept(d *deal.Deal, in Incoming) string {
	cur := Of(d)
	only, writes := e.systems[in.System]
	var differ []Field
	for _, f := range in.Values.Sorted() {
		if slices.Contains(Fields, f) && in.Values[f] != cur[f] && (only == nil || slices.Contains(only, f)) {
			differ = append(differ, f)
		}
	}
	if len(differ) == 0 {
		return fmt.Sprintf("deal #%d already says so", d.ID)
	}
	note := fmt.Sprintf("deal #%d keeps its own %s: %s repeats what lost to newer changes here", d.ID, strings.Join(names(differ), ", "), Label(in.System))
	if !writes {
		note += fmt.Sprintf("; cosellbot does not write to %s here, so the record keeps its values", Label(in.System))
	}
	return note
}

// unlinkOthers removes from links, and unlinks in c, the CRM records the
// deal's new CRM ID no longer names (a person corrected or cleared it):
// else the edits that follow, until the named record speaks and is linked
// in its place, were written onto the old record, someone else's
// opportunity. The records a CRM ID names link when they send a change,
// as for a deal made with a CRM ID.
func (e *Engine) unlinkOthers(c *Commit, links []Link, crmID, actor string, now time.Time) []Link {
	forms := crmid.Forms(crmID)
	return slices.DeleteFunc(links, func(l Link) bool {
		if l.System == PartnerCenter || slices.Contains(forms, l.RecordID) {
			return false
		}
		why := "the deal has no CRM ID now"
		if crmID != "" {
			why = "the deal's CRM ID is " + crmID + " now; that record links when it sends a change"
		}
		c.Unlinks = append(c.Unlinks, LinkRef{l.System, l.RecordID})
		c.Entries = append(c.Entries, ledger.Entry{At: now, Actor: actor, Action: "unlinked",
			Detail: fmt.Sprintf("unlinked from %s record %s: %s", Label(l.System), l.RecordID, why)})
		return true
	})
}

// PartnerCenter is the system name of Partner Center's referrals.
const PartnerCenter = "partnercenter"

// token is a random id for a link whose record does not exist yet.
func token() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (e *Engine) commit(ctx context.Context, c *Commit) error {
	c.Notices = append(c.Notices, stateNotices(c)...) // chat messages about the deal follow it
	if err := e.rec.Commit(ctx, c); err != nil {
		return err
	}
	if len(c.Work) > 0 && e.kick != nil {
		e.kick()
	}
	return nil
}

// behind names the links whose system lacks some of the deal.
func (e *Engine) behind(d *deal.Deal, links []Link) []LinkRef {
	cur := Of(d)
	var out []LinkRef
	for _, l := range links {
		fields, ok := e.systems[l.System]
		if !ok || l.RecordID == "" || !l.Gone.IsZero() {
			continue // not written to, or deleted there
		}
		if len(Outgoing(l.System, cur, l.Shadow, fields)) > 0 {
			out = append(out, LinkRef{l.System, l.RecordID})
		}
	}
	return out
}

// Syncs reports whether cosellbot writes to system.
func (e *Engine) Syncs(system string) bool { _, ok := e.systems[system]; return ok }

// FieldsOf is what cosellbot writes to system (nil: every field).
func (e *Engine) FieldsOf(system string) []Field { return e.systems[system] }

// stamp records, in next.Changed, when each synced field that differs from
// before changed: at times[f] when given (the source's time), else at now.
// The stage a deal starts at (Created, or Accepted with the referral) is
// nobody's choice and gets no time: a linked CRM record's stage, however
// old, is newer news (a Salesforce opportunity at Needs Analysis since
// yesterday, linked to a deal made today, lost to "Created" for good).
func stamp(before, next *deal.Deal, now time.Time, times map[Field]time.Time) {
	was, is := Of(before), Of(next)
	for _, f := range Fields {
		if was[f] == is[f] {
			continue
		}
		if f == Stage && (is[f] == string(deal.StageCreated) || is[f] == string(deal.StageAccepted)) {
			delete(next.Changed, string(f))
			continue
		}
		at := now
		if t, ok := times[f]; ok && !t.IsZero() {
			at = t
		}
		if next.Changed == nil {
			next.Changed = map[string]time.Time{}
		}
		next.Changed[string(f)] = at
	}
}

// changedTimes is a deal's Changed as fields.
func changedTimes(d *deal.Deal) map[Field]time.Time {
	out := make(map[Field]time.Time, len(d.Changed))
	for k, t := range d.Changed {
		out[Field(k)] = t
	}
	return out
}

// Outcome is what receiving a system's record came to.
type Outcome string

// Outcomes of Receive.
const (
	Applied  Outcome = "applied"  // the deal changed
	NoChange Outcome = "nochange" // nothing to apply (echo, already so, kept newer values)
	Stale    Outcome = "stale"    // every field was older than what the system told before
	Refused  Outcome = "refused"  // the deal rules refused what the system did
)

// Result tells what Receive did, in words for `cosellbot inbox`.
type Result struct {
	Outcome Outcome
	DealID  int64
	Note    string
}

// maxAhead is how far a system's clock may run ahead of cosellbot's. A
// time later than that is no change that has happened (a misset clock, a
// generic sender's typo): kept, it would outrank every other system's edit
// of the field until that date. It counts as now.
const maxAhead = 5 * time.Minute

// notAhead is in with its times past now+maxAhead set to now.
func notAhead(in Incoming, now time.Time) Incoming {
	limit := now.Add(maxAhead)
	if in.Modified.After(limit) {
		in.Modified = now
	}
	var at map[Field]time.Time // a copy: the caller's map stays as it was
	for f, t := range in.At {
		if t.After(limit) {
			if at == nil {
				at = maps.Clone(in.At)
			}
			at[f] = now
		}
	}
	if at != nil {
		in.At = at
	}
	return in
}

// Finder locates the deal of a record not linked yet (by its referral id
// or CRM id); ledger.ErrNotFound when there is none.
type Finder func(ctx context.Context) (*deal.Deal, error)

// Maker makes the deal of a record that has none (Partner Center's new
// referral, a CRM's created record), with the event to record. in holds
// everything the system has told of the record so far (a per-property
// sender tells it one field at a time); in.Known says the record was seen
// before without making a deal yet. A Maker that cannot make one from what
// it has refuses with the deal rules' errors: the record then waits for
// more; one that will not make any returns ErrNoDeal.
type Maker func(ctx context.Context, in Incoming) (*deal.Deal, deal.Event, error)

// ErrNoDeal is returned by Receive when the record has no deal and none can
// be made from it.
var ErrNoDeal = errors.New("no deal is linked to the record")

// maxRetries bounds how often Receive retries after a concurrent change.
const maxRetries = 5

// Receive merges what a system says of its record into the linked deal and
// stores the outcome; a record linked to no deal is linked to the one find
// returns, or made by make (nil: ErrNoDeal).
func (e *Engine) Receive(ctx context.Context, in Incoming, find Finder, make Maker) (Result, error) {
	exists := false
	for attempt := 0; ; attempt++ {
		res, err := e.receive(ctx, in, find, make)
		if errors.Is(err, ledger.ErrConflict) && attempt < maxRetries {
			continue // someone changed the deal meanwhile: merge again with theirs
		}
		if errors.Is(err, ledger.ErrExists) && !exists {
			// Someone made the record's deal meanwhile (another replica
			// polling Partner Center at the same moment, or told of the
			// same new referral): once, merge into theirs, which is then
			// found, rather than fail what they applied already.
			exists = true
			continue
		}
		return res, err
	}
}

// made creates the deal of a record and links it, its shadow being the
// record as received (so nothing goes back to where it came from). A record
// not complete enough for the deal rules is linked to no deal yet: what it
// said is kept in its shadow until a later event completes it.
func (e *Engine) made(ctx context.Context, in Incoming, link Link, make Maker, known bool) (Result, error) {
	dec := Merge(Values{}, nil, link.Shadow, in)
	all := in
	all.Values = dec.Shadow.Values()
	all.Known = known
	link.Shadow = dec.Shadow
	link.ETag = in.ETag
	if in.Modified.After(link.Seen) {
		link.Seen = in.Modified
	}
	now := e.clock.Now()
	d, ev, err := make(ctx, all)
	var rule *deal.RuleError
	var rules deal.Problems
	if errors.As(err, &rule) || errors.As(err, &rules) {
		if in.System == PartnerCenter {
			// A Partner Center referral is whole when it is told: no later
			// event completes it, and one received has days to be
			// answered. Failed, it is listed by `cosellbot inbox` and
			// replayed once the rules or the referral change; ignored, it
			// would expire unseen.
			return Result{}, fmt.Errorf("%s referral %s makes no deal: %w", Label(in.System), in.RecordID, err)
		}
		c := &Commit{Links: []Link{link}, At: now}
		if err := e.commit(ctx, c); err != nil {
			return Result{}, err
		}
		return Result{Outcome: NoChange, Note: fmt.Sprintf("%s record %s is not complete enough for a deal yet (%v): kept until it is", Label(in.System), in.RecordID, err)}, nil
	}
	if err != nil {
		return Result{}, err
	}
	own := d.CRMID == in.RecordID || slices.Contains(crmid.Forms(in.RecordID), d.CRMID) // a CRM record's deal, named by it
	var dropped string
	if !own {
		// A referral naming a CRM ID another deal holds (Partner Center's
		// externalReferenceId): the referral is its own deal all the same,
		// without the ID, which links the other deal's record.
		if err := e.crmIDFree(ctx, d, ""); err != nil {
			var rule *deal.RuleError
			if !errors.As(err, &rule) {
				return Result{}, err
			}
			dropped = fmt.Sprintf("CRM ID %s left out: %s", d.CRMID, rule.Message)
			d.CRMID = ""
		}
	}
	stamp(&deal.Deal{}, d, now, times(in))
	if dropped != "" {
		ev.Detail += "; " + dropped
	}
	c := &Commit{Deal: d, Entries: []ledger.Entry{{At: now, Actor: in.System, Action: ev.Action, Detail: ev.Detail}}, At: now}
	if unread := e.keepUnread(&link, d, in); unread != "" {
		c.Entries = append(c.Entries, ledger.Entry{At: now, Actor: in.System, Action: "kept", Detail: unread})
	}
	c.Links = []Link{link}
	// The deal claims its CRM ID in the commit's transaction: the record's
	// events told to two replicas at once (a creation and an update, each
	// whole; a sender's retry with a new event id) both found no deal, and
	// both made one (a tester: 3 records of 50 became two deals, each with
	// a Partner Center referral).
	c.ClaimsCRMID = d.CRMID != ""
	c.Links = e.madeInPartnerCenter(d, c.Links)
	c.Notices = News(d, ev, in.System)
	c.Work = e.behind(d, c.Links)
	if err := e.commit(ctx, c); err != nil {
		if errors.Is(err, ledger.ErrCRMIDTaken) && !errors.Is(err, ledger.ErrConflict) {
			// Another replica made the record's deal meanwhile (or a person
			// gave its CRM ID to a deal): Receive tries again, and merges
			// this event into that deal, as an update.
			err = fmt.Errorf("%s record %s: its deal was made elsewhere meanwhile: %w: %w", Label(in.System), in.RecordID, ledger.ErrConflict, err)
		}
		return Result{}, err
	}
	return Result{Outcome: Applied, DealID: d.ID, Note: fmt.Sprintf("deal #%d: %s", d.ID, ev.Detail)}, nil
}

// ruleFields are the deal fields a rule refusal names, as the fields of a
// change; "stage" and "status" refusals are about both.
var ruleFields = map[string][]Field{
	"name": {Name}, "notes": {Notes}, "value": {Value}, "currency": {Currency}, "close": {Close},
	"team": {Team}, "reason": {Reason}, "stage": {Stage, Status}, "status": {Stage, Status},
}

// refusedFields are the fields of apply that the rule refusal err is
// about; nil when err is no refusal or names something else (then the
// change cannot be taken apart).
func refusedFields(err error, apply Values) Values {
	var one *deal.RuleError
	var many deal.Problems
	switch {
	case errors.As(err, &many):
	case errors.As(err, &one):
		many = deal.Problems{one}
	default:
		return nil
	}
	out := Values{}
	for _, p := range many {
		fs, ok := ruleFields[p.Field]
		if !ok {
			return nil
		}
		for _, f := range fs {
			if v, ok := apply[f]; ok {
				out[f] = v
			}
		}
	}
	return out
}

func times(in Incoming) map[Field]time.Time {
	out := map[Field]time.Time{}
	for f := range in.Values {
		out[f] = in.time(f)
	}
	return out
}

func replaceLink(links []Link, l Link) []Link {
	out := slices.Clone(links)
	for i := range out {
		if out[i].System == l.System && out[i].RecordID == l.RecordID {
			out[i] = l
			return out
		}
	}
	return append(out, l)
}

func latest(ts map[Field]time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

func names(fs []Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = string(f)
	}
	return out
}

func conflictNames(cs []Conflict) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c.Field)
	}
	return out
}

// Link reads the link of a system's record (ledger.ErrNotFound: none).
func (e *Engine) Link(ctx context.Context, system, recordID string) (Link, error) {
	return e.rec.Link(ctx, system, recordID)
}

// Unlink ends the link of a record its system deleted or merged away: the
// deal stays, with a history line saying so, and nothing more is written
// to that record. into, when set, is the record it was merged into: that
// one is linked instead (unless it is linked already). The record gone
// keeps a tombstone dated at, the deletion's or merge's time in the system
// (zero: now): its events older than that are stale.
func (e *Engine) Unlink(ctx context.Context, system, recordID, why, into string, at time.Time) (Result, error) {
	now := e.clock.Now()
	if at.IsZero() {
		at = now
	}
	tomb := []Link{{System: system, RecordID: recordID, Gone: at}}
	l, err := e.rec.Link(ctx, system, recordID)
	if errors.Is(err, ledger.ErrNotFound) {
		// Not linked yet, but a deal may hold its CRM ID: the tombstone
		// keeps a late event of the record from linking it.
		res := Result{Outcome: NoChange, Note: fmt.Sprintf("%s record %s is linked to no deal", Label(system), recordID)}
		return res, e.commit(ctx, &Commit{At: now, Links: tomb})
	}
	if err != nil {
		return Result{}, err
	}
	if into == "" && l.DealID != 0 && l.Seen.After(at) {
		// The record told something newer than its deletion: it was
		// restored since, and the restore came first (HubSpot does not
		// keep order). Unlinked, the deal's edits would skip a live record.
		return Result{Outcome: Stale, DealID: l.DealID, Note: fmt.Sprintf("deal #%d: %s record %s was deleted at %s, before its change of %s (restored since): still linked",
			l.DealID, Label(system), recordID, at.UTC().Format(time.RFC3339), l.Seen.UTC().Format(time.RFC3339))}, nil
	}
	c := &Commit{At: now, Unlinks: []LinkRef{{system, recordID}}, Links: tomb}
	if into != "" {
		why += " " + into
	}
	detail := fmt.Sprintf("%s record %s %s: unlinked", Label(system), recordID, why)
	relinked := false
	if into != "" {
		other, err := e.rec.Link(ctx, system, into)
		switch {
		case errors.Is(err, ledger.ErrNotFound) || err == nil && other.DealID == 0:
			// With no shadow: the record merged into keeps its own values
			// (HubSpot keeps the primary's), which cosellbot has not seen,
			// so the deal is written to it whole, as to a new link.
			c.Links, relinked = append(c.Links, Link{System: system, RecordID: into, DealID: l.DealID}), true
			detail = fmt.Sprintf("%s record %s %s: linked to it instead", Label(system), recordID, why)
		case err != nil:
			return Result{}, err
		case other.DealID != l.DealID:
			detail = fmt.Sprintf("%s record %s %s, which is linked to deal #%d: unlinked", Label(system), recordID, why, other.DealID)
		}
	}
	if l.DealID == 0 {
		return Result{Outcome: NoChange, Note: detail}, e.commit(ctx, c)
	}
	d, err := e.rec.GetDeal(ctx, l.DealID)
	if err != nil && !errors.Is(err, ledger.ErrNotFound) {
		return Result{}, err
	}
	if d != nil {
		c.Deal = d.Clone()
		if relinked && slices.Contains(crmid.Forms(recordID), d.CRMID) {
			// The deal's CRM ID named the record merged away: it names the
			// record merged into now, so that the card and a search by it
			// find the deal. (A deleted record's stays: HubSpot restores a
			// deleted deal, and the restore links it again by it.) Unless
			// another deal holds that one: a CRM ID belongs to one deal.
			next := c.Deal.Clone()
			next.CRMID = into
			switch err := e.crmIDFree(ctx, next, d.CRMID); {
			case err == nil:
				c.Deal, c.ClaimsCRMID = next, true
				detail += "; CRM ID now " + into
			case errors.As(err, new(*deal.RuleError)):
				detail += "; CRM ID kept: another deal has " + into
			default:
				return Result{}, err
			}
		}
		c.Entries = []ledger.Entry{{At: now, Actor: system, Action: "unlinked", Detail: detail}}
		c.Work = e.behind(c.Deal, c.Links)
	}
	if err := e.commit(ctx, c); err != nil {
		return Result{}, err
	}
	return Result{Outcome: Applied, DealID: l.DealID, Note: fmt.Sprintf("deal #%d: %s", l.DealID, detail)}, nil
}

// KindSyncFailed is the notice kind, and ActionNotSynced the history
// action, of a change cosellbot gave up writing to a linked system.
const (
	KindSyncFailed  = "sync-failed"
	ActionNotSynced = "not synced"
)

// GaveUp records, on the deal of a link, that cosellbot stopped trying to
// write the deal to that system: a history line and news to the deal's
// channels with the system's reason and how to send it again. Else a change
// accepted in chat that the system refused for good (a referral Partner
// Center closed meanwhile, a CRM's validation rule) reached nobody: chat
// said done, the system never had it, and only the server's log and
// `cosellbot sync` knew.
func (e *Engine) GaveUp(ctx context.Context, system, recordID, reason string) error {
	why := escape.Bound(reason, 0)
	return e.sayNotSynced(ctx, system, recordID, func(d *deal.Deal) (string, string) {
		return fmt.Sprintf("not written to %s record %s, given up: %s; the deal keeps its values here", Label(system), recordID, why),
			fmt.Sprintf("⚠ Deal %s: %s did not take its latest changes and cosellbot stopped trying: %s. The deal keeps them here; an admin can send them again with `cosellbot sync %d --retry-dead`.",
				About(d), Label(system), why, d.ID)
	})
}

// ClosedBeforeSent records, on the deal of a link, the changes made here
// that the system closed its record before it took (a value edited in chat
// a second after a Partner Center user closed the referral, told after):
// Partner Center takes no change to a closed referral, so nothing is sent,
// and without this line chat's "done" was the last word while Partner
// Center kept the old value. Nothing can be sent again either.
func (e *Engine) ClosedBeforeSent(ctx context.Context, system, recordID string, lost Values) error {
	what := strings.Join(fieldNames(lost), ", ")
	return e.sayNotSynced(ctx, system, recordID, func(d *deal.Deal) (string, string) {
		return fmt.Sprintf("not written to %s record %s: it was closed there before it took %s; the deal keeps its values here, %s its own", Label(system), recordID, what, Label(system)),
			fmt.Sprintf("⚠ Deal %s: %s closed the referral before it took %s, and takes no change to a closed referral. The deal keeps the values here; %s keeps its own.",
				About(d), Label(system), what, Label(system))
	})
}

// sayNotSynced commits, on the deal linked to a record, a "not synced"
// history line and news to its channels, as say words them for the deal.
func (e *Engine) sayNotSynced(ctx context.Context, system, recordID string, say func(*deal.Deal) (detail, news string)) error {
	for range 3 {
		l, err := e.rec.Link(ctx, system, recordID)
		if errors.Is(err, ledger.ErrNotFound) || err == nil && l.DealID == 0 {
			return nil // unlinked meanwhile: nothing waits to be written there
		}
		if err != nil {
			return err
		}
		d, err := e.rec.GetDeal(ctx, l.DealID)
		if errors.Is(err, ledger.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		now := e.clock.Now()
		detail, text := say(d)
		n := notice(d, KindSyncFailed, text)
		n.Actions = []chat.Action{{Label: "Show", Command: fmt.Sprintf("deal show %d", d.ID)}}
		c := &Commit{Deal: d.Clone(), At: now, Entries: []ledger.Entry{{At: now, Actor: system, Action: ActionNotSynced, Detail: detail}}, Notices: []ledger.Notice{n}}
		err = e.commit(ctx, c)
		if !errors.Is(err, ledger.ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("recording what %s record %s did not take: %w", Label(system), recordID, ledger.ErrConflict)
}

// ClockActor is who the history names for what the clock decided (an
// expiry, a lapsed window), as the sweep does.
const ClockActor = "sweep"

// RecordDue stores what the clock decided on d by now and nobody recorded
// yet (a referral's expiry, Microsoft's lapsed window), each dated when it
// happened with its news, and returns the deal as stored: every path that
// acts on a deal (a command, a button, a webhook) calls it first, so a rule
// of time holds at the moment of action and not only when the sweep runs.
// Someone else recording it first (a sweep on another replica) is no error.
func (e *Engine) RecordDue(ctx context.Context, d *deal.Deal, now time.Time) (*deal.Deal, error) {
	for range 3 {
		if len(d.Clone().DueEvents(now)) == 0 {
			return d, nil
		}
		next, _, err := e.ApplyAt(ctx, d, ClockActor, now, dueOp(now))
		switch {
		case err == nil:
			d = next
			continue
		case errors.Is(err, ledger.ErrConflict):
		default:
			return nil, fmt.Errorf("recording what fell due on deal #%d: %w", d.ID, err)
		}
		if d, err = e.rec.GetDeal(ctx, d.ID); err != nil {
			return nil, fmt.Errorf("loading deal #%d: %w", d.ID, err)
		}
	}
	return d, nil
}

// dueOp records the first transition the clock decided by now.
func dueOp(now time.Time) Op {
	return func(x *deal.Deal) (deal.Event, error) {
		if ev, ok := x.ExpireIfDue(now); ok {
			return ev, nil
		}
		if ev, ok := x.LapseIfDue(now); ok {
			return ev, nil
		}
		return deal.Event{}, &deal.RuleError{Field: "status", Rule: "nothing_due", Message: fmt.Sprintf("nothing fell due on deal %d", x.ID)}
	}
}

// validNewcomers splits a team a system tells (TeamText) into what the
// deal may take: kept is the team without the members new to the deal
// that the person rules refuse, bad says why each was refused.
func validNewcomers(d *deal.Deal, s string) (kept string, bad deal.Problems) {
	team, err := ParseTeam(s)
	if err != nil {
		return s, nil // unreadable: the rules say so, whole
	}
	var ok []deal.Person
	for _, p := range team {
		if !d.HasMember(p.Email) {
			if probs := deal.CheckPerson("team", p); len(probs) > 0 {
				bad = append(bad, probs...)
				continue
			}
		}
		ok = append(ok, p)
	}
	return TeamText(ok), bad
}

// stageOfClosed reports whether a system's record tells a closed deal an
// ordinary stage and no outcome: a stage from before the close, or a
// reopening (toldBeforeClose and reopened tell which).
func stageOfClosed(d *deal.Deal, in Incoming) bool {
	_, stage := in.Values[Stage]
	_, outcome := in.Values[Status]
	return d.Status.Terminal() && stage && !outcome
}

// toldBeforeClose reports whether a system's record tells a closed deal an
// ordinary stage as of no later than the deal was closed, wherever it was
// closed (in that system, in chat, in Partner Center): a stage the record
// had before the close.
func toldBeforeClose(d *deal.Deal, in Incoming) bool {
	if !stageOfClosed(d, in) {
		return false
	}
	closed, ok := d.Changed[string(Status)]
	if d.Status == deal.Expired {
		// Recorded when the sweep or an action met it, it happened at
		// the referral's expiry: a stage told since is no older news.
		closed, ok = d.ExpiresAt, !d.ExpiresAt.IsZero()
	}
	return ok && !in.time(Stage).After(closed)
}

// reopened reports whether a system's record, known to hold the deal's
// outcome (a closed stage), now says an ordinary stage and no outcome: it
// was reopened there, at the time returned. Only for a closed deal, and not
// for a stage value older than what the system told before.
func reopened(d *deal.Deal, held Shadow, in Incoming, dec Decision) (time.Time, bool) {
	if !stageOfClosed(d, in) {
		return time.Time{}, false
	}
	m, ok := held[Status]
	if !ok || !deal.Status(m.Value).Terminal() || slices.Contains(dec.Stale, Stage) {
		return time.Time{}, false
	}
	return in.time(Stage), true
}

// firstSight reports whether a record tells field f without its own time
// (a whole record's) and the link knew nothing of it before it could read
// it (a stage the mapping did not list, Mark.Unread, is no stage known).
func firstSight(held Shadow, in Incoming, f Field) bool {
	if _, own := in.At[f]; own {
		return false
	}
	m, known := held[f]
	return !known || m.Unread != ""
}

// keepUnread keeps a stage the system's mapping cannot read from being
// written over with the deal's (Shadow.KeepUnread) when the link knows no
// stage of the record it reads, and returns the history line that says
// so, or "" when that is no news. Linked at such a stage, the record had
// the deal's stage written over its own, with no word in the history.
func (e *Engine) keepUnread(link *Link, d *deal.Deal, in Incoming) string {
	raw, ok := in.Unread[Stage]
	if !ok || raw == "" {
		return ""
	}
	sh, news := link.Shadow.KeepUnread(Of(d), raw, in.time(Stage))
	if !news {
		return ""
	}
	link.Shadow = sh
	kept := Describe(Stage, string(d.Stage))
	if d.Status.Terminal() || d.Status == deal.Received || d.Stage == "" {
		kept = "status " + string(d.Status)
	}
	what := fmt.Sprintf("%s record %s is at stage %q, which the %s mapping does not list: the deal keeps %s", Label(in.System), in.RecordID, raw, in.System, kept)
	if e.Syncs(in.System) {
		what += " and the record its stage, neither written over the other until one of them changes"
	}
	return what + "; add the stage to the mapping's stages for it to apply"
}

// CRMIDFinder finds the deal holding a CRM ID (the store does); an engine
// whose store cannot does not check that a CRM ID is free.
type CRMIDFinder interface {
	DealByCRMID(ctx context.Context, id string) (*deal.Deal, error)
}

// taken turns the store's finding that d's CRM ID went to another deal
// between crmIDFree and the commit into crmIDFree's refusal (read again,
// it now sees that deal); other errors pass through.
func (e *Engine) taken(ctx context.Context, d *deal.Deal, err error) error {
	if !errors.Is(err, ledger.ErrCRMIDTaken) {
		return err
	}
	if rerr := e.crmIDFree(ctx, d, ""); rerr != nil {
		return rerr
	}
	return &deal.RuleError{Field: "crm_id", Rule: "crm_id_unique",
		Message: fmt.Sprintf("another deal already has CRM ID %s, and a CRM record links to one deal: check the ID (or clear it on the other deal first)", d.CRMID)}
}

// crmIDFree refuses a CRM ID that another deal holds: a CRM record links
// to one deal, and a second deal naming it would never sync (the record's
// events go to the first) or, once linked, take the other's record over.
// was is the deal's CRM ID before: unchanged, nothing is checked.
func (e *Engine) crmIDFree(ctx context.Context, d *deal.Deal, was string) error {
	f, ok := e.rec.(CRMIDFinder)
	if !ok || d.CRMID == "" || d.CRMID == was {
		return nil
	}
	for _, id := range crmid.Forms(d.CRMID) {
		other, err := f.DealByCRMID(ctx, id)
		switch {
		case errors.Is(err, ledger.ErrNotFound):
			continue
		case err != nil:
			return fmt.Errorf("checking CRM ID %s: %w", d.CRMID, err)
		case other.ID == d.ID:
			continue
		}
		fix := "check the ID (or clear it on the other deal first)"
		if other.Status.Terminal() {
			// A closed deal's fields cannot change: the advice above could
			// not be followed.
			fix = "a closed deal keeps it, so leave crm_id empty here and link this deal to a new record"
		}
		return &deal.RuleError{Field: "crm_id", Rule: "crm_id_unique",
			Message: fmt.Sprintf("another deal already has CRM ID %s, and a CRM record links to one deal: %s", d.CRMID, fix)}
	}
	return nil
}
