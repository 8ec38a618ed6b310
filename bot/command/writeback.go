package command

import (
	"context"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// Upstream is an outside system that mirrors deals (Partner Center, a CRM)
// and is told of the changes people make in chat.
type Upstream interface {
	// Push runs before a change is stored, with the deal as it was and as
	// it will be. An error refuses the change: nothing is stored and the
	// user is told why (Partner Center changed the referral meanwhile, say).
	// The notices it returns (outgoing webhooks) are written to the outbox
	// in the same transaction as the change, so neither goes without the
	// other.
	Push(ctx context.Context, before, after *deal.Deal, ev deal.Event) ([]ledger.Notice, error)
}

// WithUpstream makes the Service write chat changes back to u.
func WithUpstream(u Upstream) Option { return func(s *Service) { s.upstream = u } }

func (s *Service) pushUpstream(ctx context.Context, before, after *deal.Deal, ev deal.Event) ([]ledger.Notice, error) {
	if s.upstream == nil {
		return nil, nil
	}
	return s.upstream.Push(ctx, before, after, ev)
}
