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
//
// A shutdown does not wait for the build: training the ranker does not
// stop halfway, takes seconds on a slow or busy machine, and holds nothing
// worth keeping (the ranker cache is written atomically), so a SIGTERM
// during start-up would otherwise outlast the shutdown timeout and end the
// process with an error.
//
// /readyz answers 503 "starting" until the build ends (or fails: the
// first question then retries it), so that no question is sent to a
// replica still building.
func (a *app) faqWarm(ctx context.Context) error {
	start := time.Now()
	built := make(chan error, 1)
	go func() { built <- a.svc.WarmFAQ(ctx) }()
	select {
	case <-ctx.Done():
		a.log.InfoContext(ctx, "shutting down before the FAQ index was built; the build is abandoned")
		return nil
	case err := <-built:
		if a.ready != nil {
			a.ready.Started()
		}
		if err != nil {
			a.log.WarnContext(ctx, "FAQ index not built at start; the first question will retry", "err", err)
			break
		}
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
