package crm

import (
	"fmt"
)

// Factory builds one webhook source from its shared secret.
type Factory func(secret string) (Source, error)

// Registry is the sources cosellbot can build, by the {source} of their
// route. The application fills it once (integrations/crm/sources), so that
// adding a CRM is one entry, never a change to the wiring.
type Registry map[string]Factory

// Build builds the named source.
func (r Registry) Build(name, secret string) (Source, error) {
	f, ok := r[name]
	if !ok {
		return nil, fmt.Errorf("crm: no source named %q", name)
	}
	return f(secret)
}
