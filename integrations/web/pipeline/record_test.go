package pipeline_test

import (
	"github.com/cosellbot/cosellbot/integrations/web/pipeline"
	"github.com/cosellbot/cosellbot/store"
)

// The store is the page's record and session keeper.
var (
	_ pipeline.Record   = (*store.Store)(nil)
	_ pipeline.Sessions = (*store.Store)(nil)
)
