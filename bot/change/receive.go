package change

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// receive merges what a system says of its record into the linked deal,
// once (Receive tries again after a concurrent change). It reads as its
// steps: find the record's link and deal (or make the deal), merge, adjust
// the merge's decision where the deal rules and the systems' habits know
// better than a field-by-field merge, apply what is left, say what it came
// to, and store it all in one commit.
func (e *Engine) receive(ctx context.Context, in Incoming, find Finder, make Maker) (Result, error) {
	now := e.clock.Now()
	if in.Modified.IsZero() {
		in.Modified = now
	}
	in = notAhead(in, now)
	r := &receipt{e: e, now: now, in: in}

	// The record's link and its deal.
	if err := r.readLink(ctx); err != nil {
		return Result{}, err
	}
	if res, stale := r.deletedLater(); stale {
		return res, nil
	}
	if err := r.readDeal(ctx, find); err != nil {
		return Result{}, err
	}
	if r.d == nil {
		if make == nil {
			return Result{}, ErrNoDeal
		}
		return e.made(ctx, r.in, r.link, make, r.known)
	}

	// The merge, and the history of what it kept.
	if err := r.merge(ctx); err != nil {
		return Result{}, err
	}
	r.closedInPartnerCenter()
	// c.Links[0] shares its shadow map with r.link: the marks the steps
	// below set on the link are the commit's too.
	r.c = &Commit{At: now, Links: []Link{r.link}}
	if !r.known {
		if err := r.linkedNow(ctx); err != nil {
			return Result{}, err
		}
	}
	r.noteKept()

	// The decision adjusted, then applied.
	r.res, r.next = Result{DealID: r.d.ID}, r.d
	r.dropStageNoMove()
	r.refuseStageMove()
	r.acceptWithFigures()
	r.closeReason()
	r.splitNewcomers()
	if err := r.apply(); err != nil {
		return Result{}, err
	}
	r.refuseNewcomers()

	// What it came to, stored.
	r.decide()
	if err := r.store(ctx); err != nil {
		return Result{}, err
	}
	return r.res, nil
}

// receipt is one receive's working state, shared by its steps: each step
// reads what the ones before it left and leaves its own for the next, so
// the steps run in the order receive calls them.
type receipt struct {
	e   *Engine
	now time.Time
	in  Incoming

	links []Link     // the record's link with its deal's other links, as read
	link  Link       // the record's link, as it is to be stored
	found bool       // the record had a link, a deletion's tombstone included
	known bool       // the record was linked (found, and not restored after a deletion)
	d     *deal.Deal // the deal, as read (after what fell due)

	held   Shadow   // what the system was known to hold before this
	dec    Decision // the merge's decision, adjusted by the steps after it
	unread string   // the history line of a stage the mapping cannot read

	c        *Commit
	entries  []ledger.Entry
	was      []Link // the deal's links, read once when the record is linked just now
	adopted  string // the history line of a record linked in place of its pending create
	res      Result
	next     *deal.Deal // the deal as changed; d itself while nothing changed it
	back     string     // the history line of a stage moved back, kept
	invented bool       // the reason of a close the system gave none for

	newcomers deal.Problems // team members the system added that the rules refuse
}

// readLink reads the record's link and its deal's other links, and picks
// the record's own out of them (found, known). A step of its own: it is
// the one read that tells a record seen before from a new one.
func (r *receipt) readLink(ctx context.Context) error {
	// The record's link and its deal's other links, in one read: the
	// outgoing side needs them all.
	links, err := r.e.rec.LinksOfRecord(ctx, r.in.System, r.in.RecordID)
	if err != nil {
		return err
	}
	r.links = links
	for _, l := range links {
		if l.System == r.in.System && l.RecordID == r.in.RecordID {
			r.link, r.found = l, true
		}
	}
	r.known = r.found
	return nil
}

// deletedLater handles a record whose link is a deletion's tombstone: a
// change older than the deletion is stale (res, stale), a later one links
// the record like a new one. A step of its own: it is the one outcome
// decided before the deal is read.
func (r *receipt) deletedLater() (res Result, stale bool) {
	in := r.in
	if r.known && !r.link.Gone.IsZero() {
		if in.Modified.Before(r.link.Gone) {
			return Result{Outcome: Stale, Note: fmt.Sprintf("%s record %s was deleted or merged away at %s, after this change (%s): not applied",
				Label(in.System), in.RecordID, r.link.Gone.UTC().Format(time.RFC3339), in.Modified.UTC().Format(time.RFC3339))}, true
		}
		// Restored, or changed after its deletion: a record like a new one.
		r.link, r.known = Link{System: in.System, RecordID: in.RecordID}, false
	}
	return Result{}, false
}

// readDeal reads the deal the link names, else the one find locates (a
// record not linked yet, or whose deal is gone); r.d stays nil when there
// is none, and the caller makes one. A record restored after its deletion
// is found though not known: its deal is read like any linked record's.
func (r *receipt) readDeal(ctx context.Context, find Finder) error {
	var err error
	if r.found {
		r.d, err = r.e.rec.GetDeal(ctx, r.link.DealID)
		if errors.Is(err, ledger.ErrNotFound) {
			r.link.DealID = 0 // its deal is gone: link anew
			r.d, err = nil, nil
		}
		if err != nil {
			return err
		}
	} else {
		r.link = Link{System: r.in.System, RecordID: r.in.RecordID}
	}
	if r.d == nil && find != nil {
		r.d, err = find(ctx)
		if err != nil && !errors.Is(err, ledger.ErrNotFound) {
			return err
		}
		if err != nil {
			r.d = nil
		}
	}
	return nil
}

// merge records what fell due on the deal, then merges the record into it
// field by field (Merge): the decision (dec), the link's new shadow, its
// unread stage, ETag and newest time. held keeps the shadow from before,
// which later steps ask what the system held.
func (r *receipt) merge(ctx context.Context) error {
	// What fell due is recorded first, at its own time: a system changing a
	// referral past its 14 days meets the expiry, as a person would.
	d, err := r.e.RecordDue(ctx, r.d, r.now)
	if err != nil {
		return err
	}
	r.d = d
	in := r.in
	r.link.DealID = d.ID
	r.held = r.link.Shadow // what the system was known to hold before this
	r.dec = Merge(Of(d), changedTimes(d), r.link.Shadow, in)
	r.link.Shadow = r.dec.Shadow
	r.unread = r.e.keepUnread(&r.link, d, in)
	if in.ETag != "" {
		r.link.ETag = in.ETag
	}
	if in.Modified.After(r.link.Seen) {
		r.link.Seen = in.Modified
	}
	return nil
}

// closedInPartnerCenter takes Partner Center's close of a referral out of
// the conflicts and applies it. A step of its own, before the history
// lines of the conflicts (noteKept): it decides which conflicts there are.
func (r *receipt) closedInPartnerCenter() {
	d := r.d
	if r.in.System == PartnerCenter && (d.Status == deal.Accepted || d.Status.Terminal() && d.Status != deal.Error) {
		// Partner Center closed the referral (expired, declined; or lost
		// or won otherwise than it was closed here) before the acceptance
		// or the close made here reached it: it refuses changes to closed
		// referrals, so its close stands though older, rather than the
		// systems disagreeing for good (a tester's deal stayed won here
		// and in HubSpot while Partner Center held it lost). A close as
		// error, which Partner Center cannot say, is the partner's own.
		r.dec.Conflicts = slices.DeleteFunc(r.dec.Conflicts, func(cf Conflict) bool {
			closed := cf.Field == Status && cf.Kept == string(d.Status) && deal.Status(cf.Lost).Terminal() &&
				(d.Status != deal.Accepted || cf.Lost == string(deal.Expired) || cf.Lost == string(deal.Declined))
			if closed {
				r.dec.Apply[Status], r.dec.Times[Status] = cf.Lost, cf.At
			}
			return closed
		})
	}
}

// linkedNow reads the deal's links (was) for a record linked just now,
// unlinks the record of the same system linked before (or adopts the one
// cosellbot asked the system to create), and says which fields the record
// has never told. A step of its own: only a record not known before takes
// it, and its history lines come first.
func (r *receipt) linkedNow(ctx context.Context) error {
	d, in, now := r.d, r.in, r.now
	// Linked just now, by the deal's CRM ID: a record of the same
	// system the deal was linked to before (its CRM ID changed) is
	// unlinked, so that one CRM links one record to the deal and the
	// old record's edits stop landing on it and in the new one.
	was, err := r.e.rec.LinksOf(ctx, d.ID)
	if err != nil {
		return err
	}
	r.was = was
	for _, l := range was {
		if l.System == in.System && l.RecordID != in.RecordID {
			r.c.Unlinks = append(r.c.Unlinks, LinkRef{l.System, l.RecordID})
			action, detail := "unlinked", fmt.Sprintf("unlinked from %s record %s: record %s holds its CRM ID now", Label(l.System), l.RecordID, in.RecordID)
			if l.Pending() {
				// The record cosellbot asked the system to create, told
				// of before the create's answer came back (found by the
				// caller's Finder): it is linked, and not created again.
				action, detail = "linked", fmt.Sprintf("linked to %s record %s, the one cosellbot asked %s to create (its answer never came back): not created again", Label(l.System), in.RecordID, Label(l.System))
				r.adopted = detail
			}
			r.entries = append(r.entries, ledger.Entry{At: now, Actor: in.System, Action: action, Detail: detail})
		}
	}
	if unheard := unheardOf(in.System, Of(d), r.link.Shadow, r.e.FieldsOf(in.System)); len(unheard) > 0 && r.adopted == "" && r.e.Syncs(in.System) {
		// A system that tells one field per event (HubSpot) has said
		// nothing of the record's other fields: the deal's are written
		// over them, which a tester found silently replacing a long
		// HubSpot description with the deal's notes. Said, the partner
		// knows where to look (cosellbot cannot read the record); not
		// said of a system cosellbot does not write to (a tester read
		// it of a CRM only received from).
		r.entries = append(r.entries, ledger.Entry{At: now, Actor: in.System, Action: "linked",
			Detail: fmt.Sprintf("linked to %s record %s by the deal's CRM ID: %s, which the record has not told cosellbot, set there to the deal's (what it held is in the record's own history in %s)", Label(in.System), in.RecordID, strings.Join(fieldNames(unheard), ", "), Label(in.System))})
	}
	return nil
}

// noteKept writes the history lines of what the merge kept of the deal's
// against the record: a stage the mapping cannot read, and each conflict
// the deal's newer value won.
func (r *receipt) noteKept() {
	in, now := r.in, r.now
	if r.unread != "" {
		r.entries = append(r.entries, ledger.Entry{At: now, Actor: in.System, Action: "kept", Detail: r.unread})
	}
	for _, cf := range r.dec.Conflicts {
		r.entries = append(r.entries, ledger.Entry{At: now, Actor: in.System, Action: "conflict",
			Detail: fmt.Sprintf("kept %s (changed later); %s had %s at %s", Describe(cf.Field, cf.Kept), Label(in.System), Describe(cf.Field, cf.Lost), cf.At.UTC().Format(time.RFC3339))})
	}
}

// dropStageNoMove takes out of the decision a stage the record tells that
// is no move made there: the stage of a record closed as the deal is, a
// whole record's stage seen for the first time, a stage from before the
// close told after it. Nothing is said of them in the history.
func (r *receipt) dropStageNoMove() {
	d, in := r.d, r.in
	if _, ok := r.dec.Apply[Stage]; ok && d.Status.Terminal() && in.Values[Status] == string(d.Status) {
		// The record is closed as the deal is; the sales stage it keeps
		// (Partner Center keeps the last one) says nothing more.
		delete(r.dec.Apply, Stage)
	}
	if _, ok := r.dec.Apply[Stage]; ok && d.Status == deal.Received && firstSight(r.held, in, Stage) {
		if _, answered := r.dec.Apply[Status]; !answered {
			// A whole record (Salesforce, Dynamics) seen for the first time
			// since the referral was linked holds some stage, the first of
			// a new opportunity as a rule: its state, not a move. Only a
			// stage that changed there answers the referral (accepts it);
			// else every edit of a linked record accepted Microsoft's
			// referral in the partner's name.
			delete(r.dec.Apply, Stage)
		}
	}
	if toldBeforeClose(d, in) {
		// A stage the record had before the system closed it, delivered
		// after the close (HubSpot and Dataverse do not keep order): stale,
		// not a reopening to refuse and write the outcome back over.
		delete(r.dec.Apply, Stage)
		if !slices.Contains(r.dec.Stale, Stage) {
			r.dec.Stale = append(r.dec.Stale, Stage)
		}
	}
}

// refuseStageMove takes out of the decision a stage move the deal does not
// make, a closed deal reopened or a stage moved back, and says so in the
// history: unlike dropStageNoMove's, these are moves made there.
func (r *receipt) refuseStageMove() {
	d, in, now := r.d, r.in, r.now
	if at, ok := reopened(d, r.held, in, r.dec); ok {
		// The system held the deal closed and now puts it at an ordinary
		// stage: someone reopened it there. A closed deal stays closed;
		// the history says what the system did, and the link records that
		// the record no longer holds the outcome, so that it is sent back
		// (else its stage, equal to the deal's last one, read as "already
		// says so" and the record stayed open).
		delete(r.dec.Apply, Stage)
		why := fmt.Sprintf("deal #%d is %s: nothing can change once a deal is won, lost, declined, expired or closed as error", d.ID, d.Status)
		r.entries = append(r.entries, ledger.Entry{At: now, Actor: in.System, Action: "refused",
			Detail: fmt.Sprintf("%s reopened it at %s; not applied: %s", Label(in.System), Describe(Stage, in.Values[Stage]), why)})
		r.link.Shadow[Status] = Mark{Value: "", At: at, Refused: true}
		r.res.Outcome, r.res.Note = Refused, fmt.Sprintf("deal #%d: not applied: %s reopened it; %s", d.ID, Label(in.System), why)
	}
	if st, ok := r.dec.Apply[Stage]; ok && d.Status.Active() && behind(d, deal.Stage(st)) {
		// Stages only move forward: the deal keeps its own (sent back to
		// the system), and the history says what the system did, rather
		// than the move vanishing as "already says so".
		delete(r.dec.Apply, Stage)
		r.back = fmt.Sprintf("kept %s: %s moved it back to %s, and stages only move forward", Describe(Stage, string(d.Stage)), Label(in.System), strings.TrimPrefix(Describe(Stage, st), "stage "))
		r.entries = append(r.entries, ledger.Entry{At: now, Actor: in.System, Action: "kept", Detail: r.back})
	}
}

// acceptWithFigures adds to the decision on a referral not answered yet
// the fields the system told with its move that were refused before it
// came (the link's shadow marks them Refused at the move's time), when the
// deal rules take them all together.
func (r *receipt) acceptWithFigures() {
	d, in := r.d, r.in
	if d.Status == deal.Received && len(r.dec.Apply) > 0 {
		// The system moved the referral on in the same save as it gave
		// its name and figures (HubSpot: one event per property, in any
		// order): each told before the move was refused, the stage for
		// want of the figures, a figure because a referral is not edited
		// before it is accepted. Once they are all here, the move accepts
		// it with them.
		at := latest(r.dec.Times)
		with := Values{}
		if _, ok := r.dec.Apply[Stage]; !ok {
			if m := r.link.Shadow[Stage]; m.Refused && m.Value != "" && m.At.Equal(at) {
				with[Stage] = m.Value
			}
		}
		if _, ok := r.dec.Apply[Stage]; ok || len(with) > 0 {
			for f, m := range r.link.Shadow {
				if _, ok := r.dec.Apply[f]; !ok && f != Stage && m.Refused && m.At.Equal(at) && slices.Contains(Fields, f) {
					with[f] = m.Value
				}
			}
		}
		if len(with) > 0 {
			all := maps.Clone(with)
			maps.Copy(all, r.dec.Apply)
			if _, err := Advance(d.Clone(), all, in.System, at); err == nil {
				for f, v := range with {
					r.dec.Apply[f], r.dec.Times[f] = v, at
					m := r.link.Shadow[f]
					m.Refused = false // taken now, with the move
					r.link.Shadow[f] = m
				}
			}
		}
	}
}

// closeReason gives a close the system applies without a reason the one it
// told before, else marks it invented: the rules then make one up, and
// applied dates it before any the system tells.
func (r *receipt) closeReason() {
	d := r.d
	if st, ok := r.dec.Apply[Status]; ok && deal.Status(st).Terminal() && deal.Status(st) != deal.Won && !d.Status.Terminal() {
		if _, given := r.dec.Apply[Reason]; !given {
			if held := r.link.Shadow[Reason]; held.Value != "" && !held.Refused {
				// The system told its reason before the close (HubSpot's
				// events of one save come in any order): it is the close's.
				r.dec.Apply[Reason], r.dec.Times[Reason] = held.Value, r.dec.Times[Status]
			} else {
				r.invented = true
			}
		}
	}
}

// splitNewcomers takes out of the team the decision sets the members new to
// the deal that the rules refuse (newcomers), for refuseNewcomers to say
// after the rest is applied.
func (r *receipt) splitNewcomers() {
	d := r.d
	// Team members a system added that the rules refuse (no phone) are
	// refused alone: the rest of its team change (a member it removed)
	// applies. Refused whole, the removal was undone and written back.
	if s, ok := r.dec.Apply[Team]; ok {
		if kept, bad := validNewcomers(d, s); len(bad) > 0 {
			r.newcomers = bad
			if kept == TeamText(d.Team) {
				delete(r.dec.Apply, Team)
			} else {
				r.dec.Apply[Team] = kept
			}
		}
	}
}

// apply carries out what is left of the decision on a copy of the deal
// (Advance), at the newest of its times: whole, else the part the rules
// take when they refuse some fields only, else nothing when they refuse
// it. An error other than the rules' ends the receipt.
func (r *receipt) apply() error {
	if len(r.dec.Apply) == 0 {
		return nil
	}
	d, in := r.d, r.in
	r.next = d.Clone()
	at := latest(r.dec.Times)
	evs, err := Advance(r.next, r.dec.Apply, in.System, at)
	var partly error // what the rules refused of a change applied in part
	var refused Values
	if bad := refusedFields(err, r.dec.Apply); len(bad) > 0 && len(bad) < len(r.dec.Apply) {
		// What the rules take is applied, field by field: a team
		// member without a phone must not cost the value that came
		// with it in the same record.
		rest := Values{}
		for f, v := range r.dec.Apply {
			if _, ok := bad[f]; !ok {
				rest[f] = v
			}
		}
		n := d.Clone()
		if evsRest, errRest := Advance(n, rest, in.System, at); errRest == nil {
			r.next, evs, partly, refused, err = n, evsRest, err, bad, nil
		}
	}
	var rule *deal.RuleError
	var rules deal.Problems
	switch {
	case errors.As(err, &rule) || errors.As(err, &rules):
		r.refuseAll(err)
	case err != nil:
		return err
	default:
		r.applied(at, evs, partly, refused)
	}
	return nil
}

// refuseAll records that the rules refused the whole decision (err): the
// deal stays as it was, and the link marks what the system holds refused,
// so that the system saying it again, later, is judged again.
func (r *receipt) refuseAll(err error) {
	d, in, now := r.d, r.in, r.now
	r.entries = append(r.entries, ledger.Entry{At: now, Actor: in.System, Action: "refused",
		Detail: fmt.Sprintf("%s changed %s; not applied: %v", Label(in.System), strings.Join(fieldNames(r.dec.Apply), ", "), err)})
	r.res.Outcome, r.res.Note = Refused, fmt.Sprintf("deal #%d: not applied: %v", d.ID, err)
	r.next = d
	for f := range r.dec.Apply {
		m := r.link.Shadow[f]
		m.Refused = true
		r.link.Shadow[f] = m
	}
}

// applied records the deal as Advance changed it (at, with events evs):
// the fields' times, the history and news of each event, the outcome, and
// what the rules refused of a change applied in part (partly, refused).
func (r *receipt) applied(at time.Time, evs []deal.Event, partly error, refused Values) {
	d, in, now, next := r.d, r.in, r.now, r.next
	if r.invented && next.Reason == DefaultReason(next.Status, in.System) {
		// Older than any reason the system tells for this close, so
		// that its own (same time, HubSpot's next event) replaces it;
		// and taken as what the system holds, so that it is not
		// written over the record's reason field.
		early := at.Add(-time.Millisecond)
		r.dec.Times[Reason] = early
		r.link.Shadow[Reason] = Mark{Value: next.Reason, At: early}
	}
	stamp(d, next, at, r.dec.Times)
	for _, ev := range evs {
		r.entries = append(r.entries, ledger.Entry{At: now, Actor: in.System, Action: ev.Action, Detail: ev.Detail})
		r.c.Notices = append(r.c.Notices, News(next, ev, in.System)...)
	}
	var done []string
	for _, ev := range evs {
		done = append(done, ev.Detail)
	}
	r.res.Outcome, r.res.Note = Applied, fmt.Sprintf("deal #%d: %s", d.ID, strings.Join(done, "; "))
	switch {
	case len(evs) > 0:
	case len(r.dec.Conflicts) > 0:
		// Said "already says so" while the history kept a
		// conflict per field and the record was written back.
		r.res.Outcome, r.res.Note = NoChange, fmt.Sprintf("deal #%d: kept the newer %s", d.ID, strings.Join(conflictNames(r.dec.Conflicts), ", "))
	default:
		r.res.Outcome, r.res.Note = NoChange, fmt.Sprintf("deal #%d already says so", d.ID)
	}
	if partly != nil {
		r.entries = append(r.entries, ledger.Entry{At: now, Actor: in.System, Action: "refused",
			Detail: fmt.Sprintf("%s changed %s; not applied: %v", Label(in.System), strings.Join(fieldNames(refused), ", "), partly)})
		r.res.Note += fmt.Sprintf("; %s not applied: %v", strings.Join(fieldNames(refused), ", "), partly)
		for f := range refused {
			m := r.link.Shadow[f]
			m.Refused = true
			r.link.Shadow[f] = m
		}
	}
}

// refuseNewcomers says which team members the system added were refused
// (splitNewcomers took them out), after whatever else was applied, and
// marks the link's team refused.
func (r *receipt) refuseNewcomers() {
	d, in, now := r.d, r.in, r.now
	if len(r.newcomers) > 0 {
		what := fmt.Sprintf("%s added to the team; not applied: %v", Label(in.System), r.newcomers)
		r.entries = append(r.entries, ledger.Entry{At: now, Actor: in.System, Action: "refused", Detail: what})
		m := r.link.Shadow[Team]
		m.Refused = true
		r.link.Shadow[Team] = m
		switch r.res.Outcome {
		case "", NoChange:
			r.res.Outcome, r.res.Note = Refused, fmt.Sprintf("deal #%d: %s", d.ID, what)
		default:
			r.res.Note += "; " + what
		}
	}
}

// decide gives the outcome of a receipt no step above decided (nothing was
// applied nor refused), and calls a record linked in place of its pending
// create applied.
func (r *receipt) decide() {
	d, in := r.d, r.in
	if r.res.Outcome == "" {
		switch {
		// A whole record (Salesforce, Dynamics) repeats every field: one
		// older than what the system told before makes the event stale,
		// whatever the repeated ones say.
		case len(r.dec.Stale) > 0 && len(r.dec.Conflicts) == 0:
			r.res.Outcome, r.res.Note = Stale, fmt.Sprintf("deal #%d: %s older than what %s told before", d.ID, strings.Join(names(r.dec.Stale), ", "), Label(in.System))
		case len(r.dec.Conflicts) > 0:
			r.res.Outcome, r.res.Note = NoChange, fmt.Sprintf("deal #%d: kept the newer %s", d.ID, strings.Join(conflictNames(r.dec.Conflicts), ", "))
		case r.back != "":
			r.res.Outcome, r.res.Note = NoChange, fmt.Sprintf("deal #%d: %s", d.ID, r.back)
		default:
			r.res.Outcome, r.res.Note = NoChange, r.e.sameOrKept(d, in)
		}
	}
	if r.adopted != "" && r.res.Outcome == NoChange {
		r.res.Outcome, r.res.Note = Applied, fmt.Sprintf("deal #%d: %s", d.ID, r.adopted)
	}
}

// store writes the receipt in one commit: the deal when it changed or has
// a history line, the entries, the links, and sync work for the links
// whose system lacks some of the deal.
func (r *receipt) store(ctx context.Context) error {
	d, in, c := r.d, r.in, r.c
	dealChanged := r.next != d
	if r.next != d || len(r.entries) > 0 {
		if r.next == d {
			r.next = d.Clone() // a history line only: the deal is stored as it was, at its version
		}
		c.Deal = r.next
	}
	if !r.known && in.System == PartnerCenter && c.Deal != nil && c.Deal.ExternalID == "" {
		c.Deal.ExternalID = in.RecordID // as a create's answer sets it (RenameLink)
	}
	c.Entries = r.entries
	links, err := r.linksToSync(ctx, dealChanged)
	if err != nil {
		return err
	}
	c.Work = r.e.behind(r.next, links)
	return r.e.commit(ctx, c)
}

// linksToSync is the deal's links as they will stand after the commit,
// those that may be sent the deal: all of them when the deal changed, else
// the record's own. A step of its own: which links it starts from depends
// on how the record came to be linked.
func (r *receipt) linksToSync(ctx context.Context, dealChanged bool) ([]Link, error) {
	links := r.links
	switch {
	case !r.known:
		links = r.was // linked just now: its deal's links, read above
	case len(links) == 0 || links[0].DealID != r.d.ID:
		// Linked to another deal than before: read its links.
		var err error
		if links, err = r.e.rec.LinksOf(ctx, r.d.ID); err != nil {
			return nil, err
		}
	}
	links = replaceLink(links, r.link)
	for _, u := range r.c.Unlinks {
		links = slices.DeleteFunc(links, func(l Link) bool { return l.System == u.System && l.RecordID == u.RecordID })
	}
	if !dealChanged {
		// The deal did not change: only the system that spoke may lack it
		// (it lost a conflict, the rules refused it). The others are asked
		// for nothing, so that an echo does not wake work waiting out a
		// failure or revive what gave up.
		links = []Link{r.link}
	}
	return links, nil
}
