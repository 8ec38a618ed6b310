package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// stateEdits fills in, for each claimed state message (ledger.KindState),
// the messages already sent about its subject to its place, which the
// notifier edits in place. A state message that a newer one about the same
// subject and place supersedes gets none, so that a retried old state never
// overwrites a newer one: it is marked sent without touching anything.
func (s *Store) stateEdits(ctx context.Context, rows []outboxRow, out []OutboxItem) error {
	for i, r := range rows {
		if !out[i].Message.State {
			continue
		}
		db := s.db.WithContext(ctx)
		var newer int64
		if err := db.Model(&outboxRow{}).Where("platform = ? AND channel = ? AND subject = ? AND kind = ? AND id > ?",
			r.Platform, r.Channel, r.Subject, ledger.KindState, r.ID).Count(&newer).Error; err != nil {
			return fmt.Errorf("store: look for a newer state of %s: %w", r.Subject, err)
		}
		if newer > 0 {
			continue
		}
		var sent []outboxRow
		if err := db.Where("platform = ? AND channel = ? AND subject = ? AND kind <> ? AND state = ? AND ref <> ''",
			r.Platform, r.Channel, r.Subject, ledger.KindState, OutboxSent).Order("id").Limit(maxStateEdits).Find(&sent).Error; err != nil {
			return fmt.Errorf("store: read the messages sent about %s: %w", r.Subject, err)
		}
		for _, e := range sent {
			var m chat.Message
			if err := json.Unmarshal([]byte(e.Payload), &m); err != nil {
				continue // a payload that does not decode cannot be rewritten
			}
			out[i].Message.Edits = append(out[i].Message.Edits, chat.Sent{Ref: e.Ref, Text: m.Text})
		}
	}
	return nil
}

// maxStateEdits bounds the messages one state update edits: a deal's
// reminders, expiry and news come to a handful per channel.
const maxStateEdits = 20
