package crm

import (
	"context"
	"fmt"

	"github.com/cosellbot/cosellbot/bot/command"
)

// Built is a constructed webhook source with what some sources bring beside
// their route: a writer of chat changes back to the system (Partner Center)
// and a poll that catches what webhooks missed.
type Built struct {
	Source   Source
	Upstream command.Upstream                // nil: changes are not written back this way
	Poll     func(ctx context.Context) error // nil: no poll; runs until ctx ends
}

// Factory builds one source from its shared secret.
type Factory func(secret string) (Built, error)

// Registry is the sources cosellbot can build, by the {source} of their
// route. The application fills it once (integrations/crm/sources), so that
// adding a CRM is one entry, never a change to the wiring.
type Registry map[string]Factory

// Build builds the named source.
func (r Registry) Build(name, secret string) (Built, error) {
	f, ok := r[name]
	if !ok {
		return Built{}, fmt.Errorf("crm: no source named %q", name)
	}
	return f(secret)
}
