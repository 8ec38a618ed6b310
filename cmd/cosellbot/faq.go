package main

import (
	"context"
	"runtime/debug"
	"time"
)

// faqWarm builds the FAQ index once at serve start, beside the HTTP server,
// so that the first question is answered as fast as the rest; then it waits
// for shutdown like the other background loops. A failure is logged and
// left to the first question, which retries the build.
func (a *app) faqWarm(ctx context.Context) error {
	start := time.Now()
	if err := a.svc.WarmFAQ(ctx); err != nil {
		a.log.WarnContext(ctx, "FAQ index not built at start; the first question will retry", "err", err)
	} else {
		a.log.InfoContext(ctx, "FAQ index built", "took", time.Since(start))
		// Building the index leaves scratch (training the ranker: tens of
		// megabytes of optimiser state; loading it from the cache: the
		// decoded file) that the runtime would hand back to the system
		// only over minutes: hand it back now, once, at start.
		debug.FreeOSMemory()
	}
	<-ctx.Done()
	return nil
}
