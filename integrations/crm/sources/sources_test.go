package sources

import (
	"slices"
	"testing"

	"github.com/cosellbot/cosellbot/integrations/crm"
)

// TestRegistryCoversEverySource: a source named in crm.Sources (and so in
// the configuration's WEBHOOK_SECRET_<SOURCE>) without a factory would be
// configured and silently never built.
func TestRegistryCoversEverySource(t *testing.T) {
	r := Registry(Settings{Mappings: map[string]*crm.Mapping{}})
	var names []string
	for n := range r {
		names = append(names, n)
	}
	slices.Sort(names)
	want := slices.Sorted(slices.Values(crm.Sources))
	if !slices.Equal(names, want) {
		t.Fatalf("registry has %v, crm.Sources %v", names, want)
	}
	for _, n := range []string{"generic", "dynamics", "hubspot"} {
		src, err := r.Build(n, "0123456789abcdef")
		if err != nil || src == nil || src.Name() != n {
			t.Errorf("%s: %v, %v", n, src, err)
		}
	}
	if _, err := r.Build("partnercenter", "0123456789abcdef"); err == nil {
		t.Error("Partner Center without its API client was built")
	}
	if _, err := r.Build("bogus", "x"); err == nil {
		t.Error("an unknown source was built")
	}
}
