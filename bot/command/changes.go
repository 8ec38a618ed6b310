package command

import "github.com/cosellbot/cosellbot/bot/change"

// WithChanges makes the Service change deals through e, the change path
// that knows which outside systems (Partner Center, CRMs) to keep in step.
func WithChanges(e *change.Engine) Option { return func(s *Service) { s.path = e } }
