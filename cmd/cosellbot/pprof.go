//go:build pprof

package main

import (
	"log/slog"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on http.DefaultServeMux
	"os"
)

// A local build for profiling (go build -tags pprof) serves net/http/pprof
// on COSELLBOT_PPROF_ADDR, a listener of its own, never the public router;
// release builds (make build) do not contain this file.
func init() {
	addr := os.Getenv("COSELLBOT_PPROF_ADDR")
	if addr == "" {
		return
	}
	go func() {
		if err := http.ListenAndServe(addr, nil); err != nil {
			slog.Error("pprof listener", "addr", addr, "err", err)
		}
	}()
}
