package command

import (
	"context"

	"github.com/cosellbot/cosellbot/bot/deal"
)

// Upstream is an outside system that mirrors deals (Partner Center, a CRM)
// and is told of the changes people make in chat.
type Upstream interface {
	// Push runs before a change is stored, with the deal as it was and as
	// it will be. An error refuses the change: nothing is stored and the
	// user is told why (Partner Center changed the referral meanwhile, say).
	Push(ctx context.Context, before, after *deal.Deal, ev deal.Event) error
	// Pushed runs once the change is stored; it must not block for long.
	Pushed(ctx context.Context, d *deal.Deal, ev deal.Event)
}

// WithUpstream makes the Service write chat changes back to u.
func WithUpstream(u Upstream) Option { return func(s *Service) { s.upstream = u } }

func (s *Service) pushUpstream(ctx context.Context, before, after *deal.Deal, ev deal.Event) error {
	if s.upstream == nil {
		return nil
	}
	return s.upstream.Push(ctx, before, after, ev)
}

func (s *Service) pushedUpstream(ctx context.Context, d *deal.Deal, ev deal.Event) {
	if s.upstream != nil {
		s.upstream.Pushed(ctx, d, ev)
	}
}
