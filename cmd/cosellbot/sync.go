package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/vocab"
	"github.com/cosellbot/cosellbot/store"
)

// cmdSync shows how a deal stands with the systems it is linked to: each
// link's shadow (what that system holds as far as cosellbot knows) and the
// fields it still lacks, and the sync work waiting or dead. --retry-dead
// makes dead work due again; --now runs one sync pass.
func cmdSync(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	retry := fs.Bool("retry-dead", false, "make the dead sync work due again (of --system, or every system)")
	system := fs.String("system", "", "with --retry-dead: only this system")
	now := fs.Bool("now", false, "run one sync pass now and print what it did")
	if err := fs.Parse(reorder(args)); err != nil {
		return 2
	}
	var dealID int64
	if fs.NArg() > 1 {
		fmt.Fprintln(stderr, "cosellbot: usage: cosellbot sync [DEAL] [--retry-dead [--system S]] [--now]")
		return 2
	}
	if fs.NArg() == 1 {
		id, err := strconv.ParseInt(strings.TrimPrefix(fs.Arg(0), "#"), 10, 64)
		if err != nil || id <= 0 {
			fmt.Fprintf(stderr, "cosellbot: %q is not a deal ID: deal IDs are numbers, like 12\n", fs.Arg(0))
			return 2
		}
		dealID = id
	}
	a, ok := oneShot(ctx, cfg, stderr)
	if !ok {
		return 1
	}
	defer a.close()
	if *retry {
		n, err := a.store.RetryDeadSync(ctx, *system, a.clock.Now())
		if err != nil {
			fmt.Fprintln(stderr, "cosellbot:", err)
			return 1
		}
		fmt.Fprintf(stdout, "%d dead sync %s due again.\n", n, plural(n, "write is", "writes are"))
	}
	if *now {
		rep, err := a.webhooks.syncer.Pass(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "cosellbot:", err)
			return 1
		}
		fmt.Fprintf(stdout, "sync pass: %d sent, %d done, %d to retry, %d dead\n", rep.Sent, rep.Done, rep.Retried, rep.Dead)
	}
	work, err := a.store.SyncWorkOf(ctx, dealID)
	if err != nil {
		fmt.Fprintln(stderr, "cosellbot:", err)
		return 1
	}
	if dealID != 0 {
		d, err := a.store.GetDeal(ctx, dealID)
		if err != nil {
			fmt.Fprintln(stderr, "cosellbot:", err)
			return 1
		}
		links, err := a.store.LinksOf(ctx, dealID)
		if err != nil {
			fmt.Fprintln(stderr, "cosellbot:", err)
			return 1
		}
		fmt.Fprintf(stdout, "Deal #%d %s (%s, stage %s)\n", d.ID, d.Name, vocab.Statuses.Label(string(d.Status)), shown(change.Stage, string(d.Stage)))
		if len(links) == 0 {
			fmt.Fprintln(stdout, "Linked to no outside record: it syncs nowhere.")
		}
		cur := change.Of(d)
		for _, l := range links {
			queued := slices.ContainsFunc(work, func(w store.SyncWork) bool { return w.System == l.System && w.RecordID == l.RecordID })
			fmt.Fprintf(stdout, "\n%s record %s (seen %s", change.Label(l.System), l.RecordID, l.Seen.Format("2006-01-02 15:04:05"))
			if l.ETag != "" {
				fmt.Fprintf(stdout, ", eTag %s", l.ETag)
			}
			fmt.Fprintln(stdout, ")")
			h := a.webhooks
			if !h.changes.Syncs(l.System) {
				fmt.Fprintf(stdout, "  cosellbot does not write to %s here (not configured): changes are received only.\n", change.Label(l.System))
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "  FIELD\tCOSELLBOT\tTHERE\tAT\tSTATE")
			for _, f := range change.Fields {
				m, known := l.Shadow[f]
				state := "in step"
				switch {
				case !known:
					state = "never exchanged"
				case m.Pending:
					state = "sent, not confirmed"
				case m.Value != cur[f] && m.Refused:
					state = "theirs, refused by the deal rules"
				case m.Value != cur[f] && f == change.Reason && cur[f] == "":
					state = "theirs (an open deal has no reason)"
				case m.Value != cur[f] && queued:
					state = "to send"
				case m.Value != cur[f]:
					// Nothing waits to send it: the system cannot hold the
					// deal's value (a stage its mapping has no value for).
					state = "theirs: nothing can be sent (see the history)"
				}
				at := ""
				if !m.At.IsZero() {
					at = m.At.Format("2006-01-02 15:04:05")
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", f, short(shown(f, cur[f])), short(shown(f, m.Value)), at, state)
			}
			tw.Flush()
		}
	}
	if len(work) == 0 {
		fmt.Fprintln(stdout, "\nNo sync work waiting.")
		return 0
	}
	fmt.Fprintln(stdout, "\nSync work:")
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SYSTEM\tRECORD\tSTATE\tTRIES\tDUE\tLAST ERROR")
	for _, w := range work {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", w.System, w.RecordID, w.State, w.Attempts, w.DueAt.Format("2006-01-02 15:04:05"), short(w.LastError))
	}
	tw.Flush()
	return 0
}

// short clips a value for a table cell, on one line.
// shown is a field's value as deal show prints it: an amount in units
// (values travel in cents), a stage by its label.
func shown(f change.Field, v string) string {
	switch f {
	case change.Value:
		return strings.TrimPrefix(change.Describe(f, v), "value ")
	case change.Stage:
		return strings.TrimPrefix(change.Describe(f, v), "stage ")
	}
	return v
}

func short(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if strings.HasPrefix(s, "[{") { // a team
		var team []struct{ Email string }
		if json.Unmarshal([]byte(s), &team) == nil {
			var emails []string
			for _, p := range team {
				emails = append(emails, p.Email)
			}
			s = strings.Join(emails, ",")
		}
	}
	if r := []rune(s); len(r) > 40 {
		return string(r[:39]) + "…"
	}
	return s
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// cmdPoll polls Partner Center once, from the poll's own cursor.
func cmdPoll(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "cosellbot: usage: cosellbot poll")
		return 2
	}
	a, ok := oneShot(ctx, cfg, stderr)
	if !ok {
		return 1
	}
	defer a.close()
	h := a.webhooks
	if h.pc == nil {
		fmt.Fprintln(stderr, "cosellbot: Partner Center is not configured: set WEBHOOK_SECRET_PARTNERCENTER and the PARTNERCENTER_* settings")
		return 1
	}
	n, failures, err := h.pc.Poll(ctx)
	fmt.Fprintf(stdout, "polled Partner Center: %d referrals changed a deal, %d failed\n", n, len(failures))
	for _, f := range failures {
		fmt.Fprintln(stdout, "  ", f)
	}
	if err != nil {
		fmt.Fprintln(stderr, "cosellbot:", err)
		return 1
	}
	if len(failures) > 0 {
		return 1
	}
	return 0
}

// reorder puts flags before the positional arguments, so that
// "sync 12 --now" reads like "sync --now 12" (the flag package stops at the
// first positional one). --system takes the next word as its value.
func reorder(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case !strings.HasPrefix(a, "-"):
			pos = append(pos, a)
		case (a == "--system" || a == "-system") && i+1 < len(args):
			flags = append(flags, a, args[i+1])
			i++
		default:
			flags = append(flags, a)
		}
	}
	return append(flags, pos...)
}
