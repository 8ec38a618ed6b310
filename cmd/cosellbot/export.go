package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/cosellbot/cosellbot/bot/command"
)

// cmdExport writes every deal or claim the user may see, with every field,
// to stdout: cosellbot export deals --format csv > pipeline.csv.
func cmdExport(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("export", stderr)
	format := fs.String("format", "csv", "csv (a spreadsheet) or json (an array of the objects ask --json shows)")
	user := fs.String("user", "", "export what this user may see (an e-mail); default the local admin, who sees everything")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return 2
	}
	if len(rest) != 1 || (rest[0] != "deals" && rest[0] != "claims") {
		return usageOf(stderr, "export")
	}
	if f := strings.ToLower(*format); f != "csv" && f != "json" {
		fmt.Fprintf(stderr, "cosellbot export: --format %q: write csv or json\n", *format)
		return 2
	}
	a, ok := oneShot(ctx, cfg, stderr)
	if !ok {
		return 1
	}
	defer a.close()
	who, err := a.svc.Resolve(ctx, *user)
	if err == nil {
		var n int
		n, err = a.svc.Export(ctx, who, rest[0], strings.ToLower(*format), stdout)
		if err == nil {
			what := rest[0] // deals or claims
			if n == 1 {
				what = strings.TrimSuffix(what, "s")
			}
			fmt.Fprintf(stderr, "cosellbot: exported %d %s\n", n, what)
			return 0
		}
	}
	r := command.Refusal(err)
	fmt.Fprintln(stderr, "cosellbot export:", strings.TrimPrefix(r.Text, "✗ "))
	return exitCode(r)
}
