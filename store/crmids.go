package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/cosellbot/cosellbot/bot/deal"
)

// ActionCRMIDTakenOff is the history action of a CRM ID taken off a deal
// because another deal held it too: migration 00014 writes it (its SQL
// spells it out) when it makes deals' CRM IDs unique.
const ActionCRMIDTakenOff = "crm id taken off"

// CRMIDTakenOff is an open deal that lost its CRM ID to another deal
// holding it too, with its history line: which deal holds it, what to do.
type CRMIDTakenOff struct {
	DealID int64
	Detail string
}

// CRMIDsTakenOff lists the open deals whose CRM ID was taken off because
// another deal held it too (00014; two replicas had made two deals of one
// CRM record, or an older binary had given a deal another's CRM ID) and
// that have none since: each duplicates that deal, to be closed as error,
// or wants its own record's ID. A deal closed or given a CRM ID since is
// done with.
func (s *Store) CRMIDsTakenOff(ctx context.Context) ([]CRMIDTakenOff, error) {
	var rows []struct {
		ID     int64
		Detail string
	}
	open := []string{string(deal.Received), string(deal.Created), string(deal.Accepted)}
	err := s.reader(ctx).Raw(`SELECT id, detail FROM (
  SELECT d.id, (SELECT a.detail FROM audit_events a
                WHERE a.subject_type = 'deal' AND a.subject_id = CAST(d.id AS TEXT) AND a.action = ?
                ORDER BY a.id DESC LIMIT 1) AS detail
  FROM deals d WHERE d.crm_id = '' AND d.status IN ?
) taken WHERE detail IS NOT NULL ORDER BY id`, ActionCRMIDTakenOff, open).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: find the deals whose CRM ID was taken off: %w", err)
	}
	out := make([]CRMIDTakenOff, len(rows))
	for i, r := range rows {
		out[i] = CRMIDTakenOff{DealID: r.ID, Detail: r.Detail}
	}
	return out, nil
}

// String is the deal and its history line, as a log or doctor says it.
func (t CRMIDTakenOff) String() string {
	return "deal #" + strconv.FormatInt(t.DealID, 10) + ": " + t.Detail
}
