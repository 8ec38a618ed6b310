package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/cosellbot/cosellbot/bot/escape"
	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/store"
)

// sourceFlag checks a --source value.
func sourceFlag(s string) error {
	if s != "" && !slices.Contains(crm.Sources, s) {
		return fmt.Errorf("--source %q: use one of %s", s, strings.Join(crm.Sources, ", "))
	}
	return nil
}

// inboxHelp is what `cosellbot help inbox` says beyond the synopsis: the
// words of --status, which are those of the STATUS column.
const inboxHelp = `  --status S,…    only deliveries with these outcomes (the STATUS column says the same words):
                    waiting    stored, not applied yet (or retrying after a passing failure)
                    applied    applied to its deal
                    ignored    nothing to apply (a record linked to no deal, an event of no
                               interest, a change the deal already has), with the reason
                    stale      older than what its system told before
                    failed     could not be applied: the reason says what to fix, then
                               cosellbot replay
                    duplicate  delivered again by its sender (counted on the first delivery)
  --all            every delivery, not only the failed ones
  --source S       only deliveries from one source
  --limit N        at most N rows; --after ID continues after the last one shown
`

func cmdInbox(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("inbox", stderr)
	source := fs.String("source", "", "only deliveries from this source")
	all := fs.Bool("all", false, "list every delivery, not only the failed ones")
	status := fs.String("status", "", "only these outcomes, comma-separated: waiting, applied, ignored, stale, failed, duplicate")
	limit := fs.Int("limit", 100, "list at most this many")
	after := fs.Int64("after", 0, "only deliveries with a greater id: the next page")
	if !onlyFlags(fs, args) {
		return 2
	}
	if *limit < 1 {
		fmt.Fprintf(stderr, "cosellbot: --limit %d: list at least 1\n", *limit)
		return 2
	}
	statuses, dups, err := inboxStatuses(*status)
	if err != nil {
		fmt.Fprintln(stderr, "cosellbot:", err)
		return 2
	}
	if err := sourceFlag(*source); err != nil {
		fmt.Fprintln(stderr, "cosellbot:", err)
		return 2
	}
	a, ok := oneShot(ctx, cfg, stderr)
	if !ok {
		return 1
	}
	defer a.close()
	// One more than asked: whether there is a next page to point at.
	f := store.InboxFilter{Source: *source, Limit: *limit + 1, AfterID: *after, Statuses: []store.InboxStatus{store.InboxFailed}}
	switch {
	case len(statuses) > 0 || dups:
		f.Statuses, f.Duplicated = statuses, dups
		*all = true
	case *all:
		f.Statuses = nil
	}
	rows, err := a.store.ListInbox(ctx, f)
	if err != nil {
		fmt.Fprintln(stderr, "cosellbot:", err)
		return 1
	}
	more := len(rows) > *limit
	if more {
		rows = rows[:*limit]
	}
	writeInbox(stdout, rows, *all)
	if more {
		next := []string{"cosellbot", "inbox"}
		fs.Visit(func(f *flag.Flag) {
			if f.Name != "after" {
				next = append(next, "--"+f.Name+"="+f.Value.String())
			}
		})
		fmt.Fprintf(stdout, "… more deliveries: %s --after=%d\n", strings.Join(next, " "), rows[len(rows)-1].ID)
	}
	return 0
}

// statusWords are the outcomes as people name them, in `cosellbot inbox`'s
// STATUS column and its --status filter alike (the README's list): the
// store's received and processed read waiting and applied. A list that
// printed processed while --status took applied made the filter look
// broken.
var statusWords = map[store.InboxStatus]string{
	store.InboxReceived: "waiting", store.InboxProcessed: "applied", store.InboxIgnored: "ignored",
	store.InboxStale: "stale", store.InboxFailed: "failed",
}

// statusWord is a row's status as `cosellbot inbox` prints it.
func statusWord(s store.InboxStatus) string {
	if w, ok := statusWords[s]; ok {
		return w
	}
	return string(s)
}

// inboxStatuses reads --status: the outcomes as people name them (the
// store's own words received and processed are taken too). duplicate is
// no status of its own: a redelivery is not stored again but counted on
// the row it repeats, so it selects the rows delivered again.
func inboxStatuses(s string) (statuses []store.InboxStatus, duplicates bool, err error) {
	names := map[string]store.InboxStatus{"received": store.InboxReceived, "processed": store.InboxProcessed}
	for st, w := range statusWords {
		names[w] = st
	}
	for _, w := range strings.Split(s, ",") {
		w = strings.ToLower(strings.TrimSpace(w))
		if w == "" {
			continue
		}
		if w == "duplicate" || w == "duplicates" {
			duplicates = true
			continue
		}
		st, ok := names[w]
		if !ok {
			return nil, false, fmt.Errorf("--status %q: use waiting, applied, ignored, stale, failed or duplicate", w)
		}
		statuses = append(statuses, st)
	}
	return statuses, duplicates, nil
}

func writeInbox(w io.Writer, rows []store.InboxEntry, all bool) {
	if len(rows) == 0 {
		if all {
			fmt.Fprintln(w, "The inbox is empty.")
		} else {
			fmt.Fprintln(w, "No failed deliveries.")
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSOURCE\tSTATUS\tTRIES\tDUPLICATES\tRECEIVED\tKEY\tREASON")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", r.ID, r.Source, statusWord(r.Status), r.Attempts, r.Duplicates,
			r.ReceivedAt.Format("2006-01-02 15:04:05"), escape.Line(r.Key), escape.Line(r.Error)) // keys and reasons come from outside
	}
	tw.Flush()
	if !all {
		fmt.Fprintln(w, "Fix the cause, then: cosellbot replay [--source S]")
	}
}

func cmdReplay(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("replay", stderr)
	source := fs.String("source", "", "only deliveries from this source")
	if !onlyFlags(fs, args) {
		return 2
	}
	if err := sourceFlag(*source); err != nil {
		fmt.Fprintln(stderr, "cosellbot:", err)
		return 2
	}
	a, ok := oneShot(ctx, cfg, stderr)
	if !ok {
		return 1
	}
	defer a.close()
	rep, err := a.webhooks.proc.Replay(ctx, *source)
	if err != nil {
		fmt.Fprintln(stderr, "cosellbot:", err)
		return 1
	}
	fmt.Fprintf(stdout, "replayed %d: %d applied, %d ignored, %d stale, %d failed again\n",
		rep.Processed+rep.Ignored+rep.Stale+rep.Failed, rep.Processed, rep.Ignored, rep.Stale, rep.Failed)
	if rep.Failed > 0 {
		writeInbox(stdout, rep.Failures, false)
		return 1
	}
	return 0
}
