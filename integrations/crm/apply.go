package crm

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
)

// Step applies one domain operation to a deal and stores it with its audit
// entry (actor: the source), returning the stored deal.
func Step(ctx context.Context, rec Record, d *deal.Deal, actor string, at time.Time, op func(*deal.Deal) (deal.Event, error)) (*deal.Deal, deal.Event, error) {
	next := d.Clone()
	ev, err := op(next)
	if err != nil {
		return d, ev, err
	}
	e := ledger.Entry{At: at, Actor: actor, Action: ev.Action, Detail: ev.Detail}
	if err := rec.UpdateDeal(ctx, next, e, remind.StateNotice(next, e)); err != nil { // chat messages about the deal follow it
		return d, ev, fmt.Errorf("saving deal #%d: %w", d.ID, err)
	}
	return next, ev, nil
}

// Diff keeps the changes that differ from the deal, so that an update
// repeating what the deal holds changes nothing.
func Diff(d *deal.Deal, c deal.Changes) deal.Changes {
	var out deal.Changes
	if c.Name != nil && *c.Name != d.Name {
		out.Name = c.Name
	}
	if c.Notes != nil && *c.Notes != d.Notes {
		out.Notes = c.Notes
	}
	if c.Currency != nil && !strings.EqualFold(*c.Currency, d.Currency) {
		out.Currency = c.Currency
	}
	if c.Value != nil && *c.Value != d.Value {
		out.Value = c.Value
	}
	if c.CloseDate != nil && !c.CloseDate.Equal(d.CloseDate) {
		out.CloseDate = c.CloseDate
	}
	if c.Team != nil && !slices.Equal(c.Team, d.Team) {
		out.Team = c.Team
	}
	return out
}

// Empty reports whether changes change nothing.
func Empty(c deal.Changes) bool {
	return c.Name == nil && c.Notes == nil && c.Currency == nil && c.Value == nil && c.CloseDate == nil &&
		c.Team == nil && c.Solutions == nil && c.Intent == nil && c.Microsoft == nil && c.CRMID == nil && c.CampaignID == nil
}

// Echoes remembers the tokens of changes sent out, so that a change coming
// back carrying one is recognised as our own. It is in memory: a replica
// recognises the echoes of the changes it sent.
type Echoes struct {
	mu   sync.Mutex
	sent map[string]time.Time
}

// EchoTTL is how long a sent change's token is remembered.
const EchoTTL = time.Hour

// NewEchoes builds an empty memory.
func NewEchoes() *Echoes { return &Echoes{sent: map[string]time.Time{}} }

// Remember records a token sent at now.
func (e *Echoes) Remember(token string, now time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for t, at := range e.sent {
		if now.Sub(at) > EchoTTL {
			delete(e.sent, t)
		}
	}
	e.sent[token] = now
}

// Mine reports whether token is one we sent within EchoTTL of now.
func (e *Echoes) Mine(token string, now time.Time) bool {
	if e == nil || token == "" {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	at, ok := e.sent[token]
	return ok && now.Sub(at) <= EchoTTL
}

// Applier applies CRM changes to the deals they are linked to.
type Applier struct {
	Rec    Record
	Echoes *Echoes
	Clock  Clock
}

// Apply applies one change as its mapping says: field edits, then a stage or
// an outcome, each through the deal rules and stored with an audit entry
// naming the source. A change older than the last one applied from the same
// record is stale; the echo of our own change is ignored.
func (a *Applier) Apply(ctx context.Context, m *Mapping, c Change) (Result, error) {
	now := a.Clock.Now()
	if m.Record != "" && !strings.EqualFold(c.Object, m.Record) {
		return Ignored("a %s record, not a %s: nothing to do", c.Object, m.Record), nil
	}
	if c.Origin == "" && m.Origin != "" {
		c.Origin = c.Fields[m.Origin]
	}
	if a.Echoes.Mine(c.Origin, now) {
		return Ignored("the echo of cosellbot's own change %s", c.Origin), nil
	}
	if c.RecordID == "" {
		return Result{}, Malformed("record id", "the event names no record")
	}
	st, err := a.Rec.SyncState(ctx, c.Source, c.RecordID)
	switch {
	case isNotFound(err):
		st = ledger.SyncState{Source: c.Source, ExternalID: c.RecordID}
	case err != nil:
		return Result{}, err
	}
	if !c.ModifiedAt.IsZero() && c.ModifiedAt.Before(st.ModifiedAt) {
		return Stale("modified %s, before the change applied last (%s)", c.ModifiedAt.Format(time.RFC3339Nano), st.ModifiedAt.Format(time.RFC3339Nano)), nil
	}
	d, err := a.linkedDeal(ctx, &st)
	if err != nil {
		return Result{}, err
	}
	plan, err := m.Plan(c)
	if err != nil {
		return Result{}, err
	}
	d, done, err := Advance(ctx, a.Rec, d, c.Source, now, plan)
	if err != nil {
		return Result{}, err
	}
	if !c.ModifiedAt.IsZero() {
		st.ModifiedAt = c.ModifiedAt
	}
	st.DealID = d.ID
	if err := a.Rec.SaveSyncState(ctx, st); err != nil {
		return Result{}, err
	}
	if len(done) == 0 {
		return Ignored("deal #%d already says so: nothing to change", d.ID), nil
	}
	return Processed("deal #%d: %s", d.ID, strings.Join(done, "; ")), nil
}

// linkedDeal finds the deal of a CRM record: the one linked before, or the
// one whose crm_id is the record's id (and links it).
func (a *Applier) linkedDeal(ctx context.Context, st *ledger.SyncState) (*deal.Deal, error) {
	if st.DealID != 0 {
		d, err := a.Rec.GetDeal(ctx, st.DealID)
		if err == nil || !isNotFound(err) {
			return d, err
		}
	}
	all, err := a.Rec.ListDeals(ctx, ledger.DealFilter{})
	if err != nil {
		return nil, err
	}
	for _, d := range all {
		if d.CRMID != "" && d.CRMID == st.ExternalID {
			return d, nil
		}
	}
	return nil, fmt.Errorf("crm_id: no deal has crm_id=%s: link it with deal edit ID crm_id=%s, then run cosellbot replay --source %s", st.ExternalID, st.ExternalID, st.Source)
}

// Advance carries out a plan on a deal, step by step through the deal rules:
// accept a received referral the CRM moved on, edit fields, then mark the
// stage or the outcome. It returns the deal as stored and what was done.
func Advance(ctx context.Context, rec Record, d *deal.Deal, actor string, at time.Time, p Plan) (*deal.Deal, []string, error) {
	var done []string
	step := func(op func(*deal.Deal) (deal.Event, error)) error {
		next, ev, err := Step(ctx, rec, d, actor, at, op)
		if err != nil {
			return err
		}
		d = next
		done = append(done, ev.Detail)
		return nil
	}
	reason := p.Reason
	if reason == "" {
		reason = p.Target + " in " + actor
	}
	if d.Status.Terminal() {
		if p.Target != "" && p.Target != string(d.Status) {
			return d, nil, fmt.Errorf("status: deal #%d is %s in cosellbot but %s in %s: it is left as is", d.ID, d.Status, p.Target, actor)
		}
		return d, nil, nil
	}
	if d.Status == deal.Received {
		switch p.Target {
		case "declined":
			return d, done, step(func(x *deal.Deal) (deal.Event, error) { return x.Decline(reason, "", at) })
		case "":
			if !Empty(Diff(d, p.Changes)) {
				return d, nil, fmt.Errorf("status: deal #%d is a received referral: accept it before its fields can follow %s", d.ID, actor)
			}
			return d, nil, nil
		default:
			ch := Diff(d, p.Changes)
			ch.Team = nil
			if err := step(func(x *deal.Deal) (deal.Event, error) { return x.Accept(ch, at) }); err != nil {
				return d, done, err
			}
			p.Changes = deal.Changes{}
		}
	}
	if ch := Diff(d, p.Changes); !Empty(ch) {
		if err := step(func(x *deal.Deal) (deal.Event, error) { return x.Edit(ch, at) }); err != nil {
			return d, done, err
		}
	}
	switch p.Target {
	case "", "accepted":
	case "won":
		return d, done, step(func(x *deal.Deal) (deal.Event, error) { return x.Win(at) })
	case "lost":
		return d, done, step(func(x *deal.Deal) (deal.Event, error) { return x.Lose(reason, at) })
	case "declined":
		return d, done, fmt.Errorf("status: deal #%d is %s: only a received referral can be declined", d.ID, d.Status)
	default:
		s := deal.Stage(p.Target)
		markable := deal.Markable(d.Kind)
		if i := slices.Index(markable, s); i >= 0 && i <= slices.Index(markable, d.Stage) {
			return d, done, nil // stages move forward only: a CRM moving back changes nothing
		}
		return d, done, step(func(x *deal.Deal) (deal.Event, error) { return x.MarkStage(s, at) })
	}
	return d, done, nil
}
