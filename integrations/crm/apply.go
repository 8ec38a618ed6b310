package crm

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// Finder finds the deal a CRM record is about before they are linked: the
// deal whose crm_id is the record's id.
type Finder interface {
	DealByCRMID(ctx context.Context, id string) (*deal.Deal, error)
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
		return Ignored("a %s record, not a %s: nothing to do", c.Object, m.Record), nil
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
	find := func(ctx context.Context) (*deal.Deal, error) {
		for _, id := range forms {
			d, err := a.Find.DealByCRMID(ctx, id)
			if !errors.Is(err, ledger.ErrNotFound) {
				return d, err
			}
		}
		return nil, fmt.Errorf("deal with crm_id %q: %w", c.RecordID, ledger.ErrNotFound)
	}
	res, err := a.Engine.Receive(ctx, in, find, nil)
	if errors.Is(err, change.ErrNoDeal) {
		return Result{}, fmt.Errorf("crm_id: no deal has crm_id=%s: link it with deal edit ID crm_id=%s, then run cosellbot replay --source %s: %w", c.RecordID, c.RecordID, c.Source, err)
	}
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
