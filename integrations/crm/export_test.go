package crm

// Hooks for the tests of package crm_test.

// SetBehind says whether the processor is behind, as the end of a page does.
func (p *Processor) SetBehind(behind bool) { p.pageEnded(behind) }

// EventApplied lets one held delivery go, as applying an event does.
func (p *Processor) EventApplied() { p.applied() }

// SetPage makes the processor's pages hold n events instead of PageSize.
func (p *Processor) SetPage(n int) { p.page = n }
