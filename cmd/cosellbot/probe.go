package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// cmdProbe asks a running server's /readyz (or --path) and exits 0 when it
// answers 200: the container health check of an image without a shell or
// curl (distroless), used by the Dockerfile and compose.
func cmdProbe(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("probe", stderr)
	addr := fs.String("addr", cfg.Addr, "the server's listen address; an empty host means 127.0.0.1")
	path := fs.String("path", "/readyz", "the route to ask: /readyz or /healthz")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	if !onlyFlags(fs, args) {
		return 2
	}
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		fmt.Fprintf(stderr, "cosellbot probe: --addr %q: %v\n", *addr, err)
		return 2
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	url := "http://" + net.JoinHostPort(host, port) + *path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintf(stderr, "cosellbot probe: %v\n", err)
		return 2
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "cosellbot probe: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "cosellbot probe: %s answered %d: %s\n", url, resp.StatusCode, body)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %s", url, body)
	return 0
}
