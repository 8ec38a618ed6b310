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
		// Training the FAQ's ranker leaves tens of megabytes of scratch
		// (its optimiser's state) that the runtime would hand back to the
		// system only over minutes: hand it back now, once, at start.
		debug.FreeOSMemory()
	}
	<-ctx.Done()
	return nil
}
