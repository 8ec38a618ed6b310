package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/escape"
)

// dispatchEvery is how often an idle dispatcher looks for due messages.
const dispatchEvery = 2 * time.Second

// outboxLoop is serve's outbox dispatcher; every replica runs one.
func (a *app) outboxLoop(ctx context.Context) error {
	return a.outbox.Loop(ctx, dispatchEvery)
}

func cmdOutbox(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("outbox", stderr)
	limit := fs.Int("limit", 50, "list at most this many dead and this many waiting messages")
	if !onlyFlags(fs, args) {
		return 2
	}
	a, ok := oneShot(ctx, cfg, stderr)
	if !ok {
		return 1
	}
	defer a.close()
	waiting, dead, err := a.store.OutboxCounts(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "cosellbot:", err)
		return 1
	}
	rows, err := a.store.Outbox(ctx, *limit)
	if err != nil {
		fmt.Fprintln(stderr, "cosellbot:", err)
		return 1
	}
	fmt.Fprintf(stdout, "outbox: %d waiting (pending or sending), %d dead\n", waiting, dead)
	if len(rows) == 0 {
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tTRIES\tNEXT\tTO\tSUBJECT\tKIND\tERROR / TEXT")
	for _, r := range rows {
		next := r.NextAttemptAt.Format("2006-01-02 15:04:05")
		if r.State == "dead" {
			next = "—"
		}
		detail := r.LastError
		if detail == "" {
			detail = r.Text
		}
		detail = chat.Clip(escape.Line(strings.ReplaceAll(detail, "\n", " ")), 80) // deal names and errors come from outside
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.State, r.Attempts, next, escape.Line(r.Place.String()), escape.Line(r.Subject), r.Kind, detail)
	}
	_ = tw.Flush()
	return 0
}
