package crm

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// Finder finds the deal a CRM record is about before they are linked: the
// deal whose crm_id is the record's id; and, for a deal made of a created
// record, the partner's solution catalog its solutions come from.
type Finder interface {
	DealByCRMID(ctx context.Context, id string) (*deal.Deal, error)
	Solutions(ctx context.Context) ([]deal.Solution, error)
}

// Applier hands CRM changes to the change path (bot/change), which merges
// them three ways into the deals they are linked to.
type Applier struct {
	Engine *change.Engine
	Find   Finder
	// IDs lists the forms of a record id the CRM takes for one record, the
	// one links use first (Salesforce: an 18- and a 15-character id); nil:
	// the id as sent is its only form.
	IDs func(string) []string
}

// Apply merges one change: the fields the CRM changed since cosellbot last
// exchanged them with it are applied when newer than the deal's; the rest
// is an echo, stale, or kept as a conflict in the deal's history.
func (a *Applier) Apply(ctx context.Context, m *Mapping, c Change) (Result, error) {
	if m.Record != "" && !strings.EqualFold(c.Object, m.Record) {
		return Ignored("%s record, not %s: nothing to do", A(c.Object), A(m.Record)), nil
	}
	if c.RecordID == "" {
		return Result{}, Malformed("record id", "the event names no record")
	}
	forms := []string{c.RecordID}
	if a.IDs != nil {
		forms = a.IDs(c.RecordID)
	}
	in, err := m.Incoming(c)
	if err != nil {
		return Result{}, err
	}
	in.RecordID = forms[0]
	if c.Created {
		in.Values[change.Created] = "yes"
	}
	find := func(ctx context.Context) (*deal.Deal, error) {
		for _, id := range forms {
			d, err := a.Find.DealByCRMID(ctx, id)
			if !errors.Is(err, ledger.ErrNotFound) {
				return d, err
			}
		}
		return nil, fmt.Errorf("deal with crm_id %q: %w", c.RecordID, ledger.ErrNotFound)
	}
	var make change.Maker
	if m.Create != nil {
		make = func(ctx context.Context, all change.Incoming) (*deal.Deal, deal.Event, error) {
			if all.Values[change.Created] != "yes" {
				// Not (yet) known to be created there: HubSpot's events of
				// one batch come in any order, so the record is kept until
				// its creation event, or until a person links it.
				return nil, deal.Event{}, &deal.RuleError{Field: "crm_id", Rule: "crm_record_not_created",
					Message: fmt.Sprintf("no creation event of %s record %s yet; link it to a deal with deal edit ID crm_id=%s", change.Label(c.Source), c.RecordID, c.RecordID)}
			}
			return made(ctx, a.Find, m, c, all)
		}
	}
	res, err := a.Engine.Receive(ctx, in, find, make)
	if errors.Is(err, change.ErrNoDeal) {
		// A CRM sends every record's changes (a Salesforce outbound
		// message, a HubSpot subscription fire for each opportunity of the
		// org), and most records are no co-sell deal: nothing failed.
		// Failed, they filled `cosellbot inbox` forever and buried the real
		// failures. Ignored, `cosellbot inbox --all` still lists them, with
		// how to link the one that is a deal.
		return Ignored("%s", unlinked(m, c)), nil
	}
	if err != nil {
		return Result{}, err
	}
	r := ResultOf(res)
	if len(in.Values) == 0 && !c.Created && res.Outcome == change.NoChange && len(c.Fields) > 0 {
		// "already says so" of an event about a field cosellbot does not
		// map (HubSpot's hs_next_step) reads as if it were applied.
		r.Note = fmt.Sprintf("deal #%d: %s maps none of %s: nothing to apply", res.DealID, c.Source, strings.Join(slices.Sorted(maps.Keys(c.Fields)), ", "))
	}
	_, unread := m.stage(c)
	if unread == nil {
		return r, nil
	}
	moved, err := a.moved(ctx, c, in.RecordID, unread[0], res)
	if err != nil {
		return Result{}, err
	}
	if moved {
		// Someone moved a linked record to a stage the mapping does not
		// know (HubSpot's numeric ids of a custom pipeline, a Salesforce
		// picklist value added later): the move is the event, so it
		// fails, kept for `cosellbot replay` once the mapping lists the
		// stage. Ignored, it was lost for good.
		return Result{}, Malformed(unread[0], "%q maps to no stage or outcome of deal #%d: add it to the %s mapping's stages, restart serve (it reads the mappings at start; every replica), then run cosellbot replay --source %s", unread[1], res.DealID, c.Source, c.Source)
	}
	// A record that only repeats such a stage is applied for its other
	// fields. Said so, whatever else it did, the operator reading the
	// inbox knows why the stage in the CRM did not move the deal, and
	// which file to extend.
	r.Note += fmt.Sprintf(" (%s %q maps to no stage or outcome: add it to the %s mapping's stages)", unread[0], unread[1], c.Source)
	return r, nil
}

// moved reports whether change c, applied as res, moved its linked
// record's stage field to a value the mapping does not list. An event
// that names its changed fields says so itself (HubSpot's property,
// Dataverse's Target). A whole record names none (Salesforce repeats every
// field in every message): it moved when its link knew the record at a
// stage the mapping reads, which the value it holds now is not. Its first
// record, before the link knew any stage, repeats what the record held
// when it was linked; a stale one says nothing new. Until the mapping
// lists the stage, the record's later messages repeat it to a link that
// still knows the stage before the move: they fail with the move, and
// are replayed after it. A link that knows the record at an unlisted
// stage (Mark.Unread: first linked there) knew no stage the mapping reads:
// the change path keeps whichever unlisted stage the record holds, and
// says so in the history.
func (a *Applier) moved(ctx context.Context, c Change, recordID, field string, res change.Result) (bool, error) {
	switch {
	case res.DealID == 0:
		return false, nil // linked to no deal: nothing moved for cosellbot
	case slices.Contains(c.Changed, field):
		return true, nil
	case len(c.Changed) > 0 || res.Outcome == change.Stale:
		return false, nil
	}
	l, err := a.Engine.Link(ctx, c.Source, recordID)
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading the link of %s record %s: %w", change.Label(c.Source), c.RecordID, err)
	}
	if l.Shadow[change.Stage].Unread != "" {
		return false, nil
	}
	// A value only being sent ("" before it) says nothing the record held.
	return l.Shadow[change.Stage].Value != "" || l.Shadow[change.Status].Value != "", nil
}

// unlinked says why a record linked to no deal was not applied, and how to
// link it: the record's next change then applies (the event itself is
// not replayed: it was ignored, not failed).
func unlinked(m *Mapping, c Change) string {
	what := fmt.Sprintf("%s record %s is linked to no deal", change.Label(c.Source), c.RecordID)
	if c.Created && m.Create == nil {
		what += fmt.Sprintf(" (the %s mapping makes no deals of created records: add create: with its defaults to make them)", c.Source)
	}
	return fmt.Sprintf("%s: nothing to apply. If it is a co-sell deal, link it with deal edit ID crm_id=%s; the record's next change then applies", what, c.RecordID)
}

// Unlink ends the link of a record its CRM deleted or merged away, through
// the change path (the deal stays, and its history says so); into, when
// set, is the record it was merged into, linked instead. Every source's
// deletion takes this path: HubSpot's deal.deletion and merge, Dataverse's
// Delete message. at is when the CRM deleted the record (zero: unknown).
func (a *Applier) Unlink(ctx context.Context, system, recordID, why, into string, at time.Time) (Result, error) {
	res, err := a.Engine.Unlink(ctx, system, recordID, why, into, at)
	if err != nil {
		return Result{}, err
	}
	return ResultOf(res), nil
}

// ResultOf turns what the change path did into an inbox result.
func ResultOf(res change.Result) Result {
	switch res.Outcome {
	case change.Applied:
		return Processed("%s", res.Note)
	case change.Stale:
		return Stale("%s", res.Note)
	case change.Refused:
		return Ignored("refused by the deal rules: %s", res.Note)
	}
	return Ignored("%s", res.Note)
}

// made is the deal of a record created in the CRM: made from the record and
// the mapping's create defaults, then moved to the record's stage or
// outcome. It is a new deal, made in Partner Center after it (unlike a
// referral imported from there), so every rule of deal new holds: a record
// that lacks what the rules ask is kept until it has it.
func made(ctx context.Context, find Finder, m *Mapping, c Change, in change.Incoming) (*deal.Deal, deal.Event, error) {
	dr, ok, err := m.Draft(c, in)
	if err != nil {
		return nil, deal.Event{}, err
	}
	if !ok {
		return nil, deal.Event{}, fmt.Errorf("%s record %s was created, and the %s mapping makes no deals of created records (add create: with its defaults, or link it with deal edit ID crm_id=%s): %w",
			change.Label(c.Source), c.RecordID, c.Source, c.RecordID, change.ErrNoDeal)
	}
	if names := m.solutionNames(c); len(names) > 0 {
		catalog, err := find.Solutions(ctx)
		if err != nil {
			return nil, deal.Event{}, fmt.Errorf("reading the solution catalog: %w", err)
		}
		var unknown deal.Problems
		for _, name := range names {
			i := slices.IndexFunc(catalog, func(s deal.Solution) bool { return strings.EqualFold(s.Name, name) })
			if i < 0 {
				unknown = append(unknown, &deal.RuleError{Field: "solution", Rule: "solution_known",
					Message: fmt.Sprintf("no solution %q in your catalog: add it with solution add name=%q source=mine", name, name)})
				continue
			}
			dr.Solutions = append(dr.Solutions, catalog[i])
		}
		if len(unknown) > 0 {
			return nil, deal.Event{}, unknown
		}
	}
	at := in.Modified
	d, ev, err := deal.New(dr, at)
	if err != nil {
		return nil, deal.Event{}, fmt.Errorf("%s record %s: %w", change.Label(c.Source), c.RecordID, err)
	}
	life := change.Values{}
	for _, f := range []change.Field{change.Stage, change.Status, change.Reason} {
		if v, ok := in.Values[f]; ok {
			life[f] = v
		}
	}
	details := []string{ev.Detail + " from " + change.Label(c.Source) + " record " + c.RecordID}
	if len(life) > 0 {
		evs, err := change.Advance(d, life, c.Source, at)
		if err != nil {
			return nil, deal.Event{}, fmt.Errorf("%s record %s: %w", change.Label(c.Source), c.RecordID, err)
		}
		for _, e := range evs {
			details = append(details, e.Detail)
		}
	}
	return d, deal.Event{Action: ev.Action, Detail: strings.Join(details, "; ")}, nil
}
