package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/escape"
	"github.com/cosellbot/cosellbot/bot/vocab"
	"github.com/cosellbot/cosellbot/integrations/crm"
	pc "github.com/cosellbot/cosellbot/integrations/partnercenter"
	"github.com/cosellbot/cosellbot/store"
)

// cmdSync shows how a deal stands with the systems it is linked to: each
// link's shadow (what that system holds as far as cosellbot knows) and the
// fields it still lacks, and the sync work waiting or dead, with the whole
// of each last error. --retry-dead makes dead work due again; --now sends,
// from this command, the work that is due (syncHelp says what that means).
// systemFlag reads --system as a source's name or as sync's table prints
// it ("HubSpot", "Partner Center"); another name is refused, naming them
// (it matched no work and said "0 dead sync writes are due again").
func systemFlag(s string) (string, error) {
	for _, name := range crm.Sources {
		if strings.EqualFold(s, name) || strings.EqualFold(strings.TrimSpace(s), change.Label(name)) {
			return name, nil
		}
	}
	return "", fmt.Errorf("--system %q: use one of %s", s, strings.Join(crm.Sources, ", "))
}

func cmdSync(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("sync", stderr)
	retry := fs.Bool("retry-dead", false, "make the dead sync work due again (of --system, or every system)")
	system := fs.String("system", "", "with --retry-dead: only this system")
	now := fs.Bool("now", false, "send the sync work that is due now, from this command, and print what it did (dead work only with --retry-dead)")
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
	if *system != "" {
		name, err := systemFlag(*system)
		if err != nil {
			fmt.Fprintln(stderr, "cosellbot:", err)
			return 2
		}
		*system = name
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
	if *now && !*retry && slices.ContainsFunc(work, func(w store.SyncWork) bool { return w.State == "dead" }) {
		// The pass does not send what gave up: said, so that a table
		// unchanged after --now does not read as --now doing nothing.
		fmt.Fprintln(stdout, "Dead work is not sent by --now alone: fix the cause (the last error says it), then cosellbot sync --retry-dead --now.")
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
			i := slices.IndexFunc(work, func(w store.SyncWork) bool { return w.System == l.System && w.RecordID == l.RecordID })
			queued := i >= 0
			dead := queued && work[i].State == "dead"
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
				state := fieldState(f, m, known, cur[f], d.Status, queued, dead)
				at := ""
				if !m.At.IsZero() {
					at = m.At.Format("2006-01-02 15:04:05")
				}
				there := shown(f, m.Value)
				if m.Unread != "" {
					there = m.Unread // what the record holds, which its mapping does not read
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", f, short(shown(f, cur[f])), short(there), at, state)
			}
			tw.Flush()
			n, last, err := a.failedOf(ctx, l)
			if err != nil {
				fmt.Fprintln(stderr, "cosellbot:", err)
				return 1
			}
			if n > 0 {
				said := fmt.Sprintf("Not in this table: %d failed %s of this record, for cosellbot replay --source %s once the cause is fixed. The last failed with:",
					n, plural(n, "delivery", "deliveries"), l.System)
				for _, line := range wrap(said, errorWidth) {
					fmt.Fprintln(stdout, "  "+line)
				}
				for _, line := range wrap(last, errorWidth) {
					fmt.Fprintln(stdout, "    "+line)
				}
			}
		}
	}
	if len(work) == 0 {
		fmt.Fprintln(stdout, "\nNo sync work waiting.")
		return 0
	}
	writeSyncWork(stdout, work)
	return 0
}

// failedOf counts the failed deliveries of a linked record, a CRM's or
// Partner Center's referral, waiting for `cosellbot replay`, and tells the
// last one's error. What they say (a move to a stage the mapping does not
// list, a referral the deal rules refused or Partner Center would not
// give) reached no link's shadow, so the table cannot show it: without
// them, it said "in step" of a record that had moved on. Every source
// that tells the record of a stored event (crm.Recorder) is asked.
func (a *app) failedOf(ctx context.Context, l change.Link) (int64, string, error) {
	var rec crm.Recorder
	for _, src := range a.webhooks.sources {
		if r, ok := src.(crm.Recorder); ok && src.Name() == l.System {
			rec = r
		}
	}
	if rec == nil {
		return 0, "", nil
	}
	rows, err := a.store.ListInbox(ctx, store.InboxFilter{Source: l.System, Statuses: []store.InboxStatus{store.InboxFailed}})
	if err != nil {
		return 0, "", fmt.Errorf("reading the failed deliveries of %s: %w", change.Label(l.System), err)
	}
	n, last := int64(0), ""
	for _, e := range rows {
		if rec.Record(e) == l.RecordID {
			n, last = n+1, e.Error
		}
	}
	return n, last, nil
}

// fieldState is how a field of a link stands: m is what the system holds
// as far as cosellbot knows (known: it was ever exchanged), cur the deal's
// value, status the deal's, queued whether sync work waits for the link,
// dead whether it gave up.
func fieldState(f change.Field, m change.Mark, known bool, cur string, status deal.Status, queued, dead bool) string {
	switch {
	case !known:
		return "never exchanged"
	case m.Pending && dead:
		// The write gave up (a 4xx, or every try failed): the system never
		// took the value, whatever "sent" suggested.
		return "sent, refused (see the last error under Sync work)"
	case m.Pending && queued:
		// Recorded before the write (an echo racing its answer is known
		// for one), then the write failed or waits: "sent" overstated it.
		return "being sent, not confirmed (see Sync work)"
	case m.Pending:
		return "sent, not confirmed"
	case m.Unread != "" && m.Value == cur:
		// A stage the mapping does not list: neither taken nor written
		// over with the deal's until one of them changes.
		return "theirs, not in the mapping: kept (see the history)"
	case m.Value != cur && m.Refused:
		return "theirs, refused by the deal rules"
	case m.Value != cur && f == change.Reason && cur == "":
		return "theirs (" + noReason(status) + ")"
	case m.Value != cur && queued:
		return "to send"
	case m.Value != cur:
		// Nothing waits to send it: the system cannot hold the deal's
		// value (a stage its mapping has no value for).
		return "theirs: nothing can be sent (see the history)"
	}
	return "in step"
}

// noReason says why a deal in status holds no reason while the system
// holds one. "An open deal has no reason" was said of every deal, a won one
// too (won in chat while the CRM said lost: a tester).
func noReason(status deal.Status) string {
	switch {
	case !status.Terminal():
		return "an open deal has no reason"
	case status == deal.Won:
		return "a won deal has no reason"
	}
	return fmt.Sprintf("the deal is %s, with no reason", status.Label())
}

// maxErrorCell is the longest last error the sync work table shows in its
// own cell; a longer one is written in full under the table.
const maxErrorCell = 50

// errorWidth is the width the last errors under the table are wrapped to.
const errorWidth = 100

// writeSyncWork is the sync work table, then, each on its own lines, the
// last errors too long for a cell: whole, wrapped between words. An error
// cut to fit ("crm: webhook to hubspot: Post \"http://1…") hid the cause
// (a timeout, what the CRM answered), which is at its end.
func writeSyncWork(w io.Writer, work []store.SyncWork) {
	fmt.Fprintln(w, "\nSync work:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SYSTEM\tRECORD\tSTATE\tTRIES\tDUE\tLAST ERROR")
	var long []store.SyncWork
	for _, sw := range work {
		msg := escape.Line(sw.LastError) // it may quote what a system answered
		if utf8.RuneCountInString(msg) > maxErrorCell {
			long = append(long, sw)
			msg = "(below)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", sw.System, sw.RecordID, sw.State, sw.Attempts, sw.DueAt.Format("2006-01-02 15:04:05"), msg)
	}
	tw.Flush()
	for _, sw := range long {
		fmt.Fprintf(w, "\nLast error of %s record %s:\n", change.Label(sw.System), sw.RecordID)
		for _, line := range wrap(escape.Line(sw.LastError), errorWidth) {
			fmt.Fprintln(w, "  "+line)
		}
	}
}

// wrap breaks s into lines of at most width characters, between words; a
// word longer than width (a URL) has a line of its own, whole.
func wrap(s string, width int) []string {
	var lines []string
	var line strings.Builder
	n := 0
	for _, word := range strings.Fields(s) {
		wn := utf8.RuneCountInString(word)
		if n > 0 && n+1+wn > width {
			lines = append(lines, line.String())
			line.Reset()
			n = 0
		}
		if n > 0 {
			line.WriteByte(' ')
			n++
		}
		line.WriteString(word)
		n += wn
	}
	if n > 0 {
		lines = append(lines, line.String())
	}
	return lines
}

// syncHelp is what `cosellbot help sync` says beyond the synopsis.
const syncHelp = `  DEAL: each linked record's fields as cosellbot and that system hold them, and the
  record's failed deliveries waiting for cosellbot replay (what they say is in no table),
  then the sync work waiting or dead for the deal's records, each last error whole.
  Without DEAL: the sync work of every deal, dead first.
  --retry-dead [--system S]  make the dead work (a write the system refused for good, or that
                             failed 12 times) due again, once you fixed its cause.
  --now                      send the work that is due now from this command, and print what
                             the pass did. A running serve sends due work within 2 seconds by
                             itself: --now is for when serve is not running, or together with
                             --retry-dead. Work waiting out a backoff stays until its DUE
                             time; dead work is sent only with --retry-dead.
`

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

// short clips a value for a table cell, on one line.
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

// pollRetries and maxPollWait bound how often and how long cosellbot poll
// waits for a Partner Center that throttles it.
const (
	pollRetries = 3
	maxPollWait = 30 * time.Second
)

// cmdPoll polls Partner Center once, from the poll's own cursor.
func cmdPoll(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		usageOf(stderr, "poll")
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
	for try := 1; err != nil && try <= pollRetries; try++ {
		// Partner Center throttles with 429 and a Retry-After of seconds:
		// waited here, as the sync's writes wait, rather than failing.
		var apiErr *pc.APIError
		if !errors.As(err, &apiErr) || apiErr.RetryAfter <= 0 || apiErr.RetryAfter > maxPollWait {
			break
		}
		fmt.Fprintf(stderr, "cosellbot: Partner Center asked to wait %s (%d); polling again then\n", apiErr.RetryAfter, apiErr.Status)
		select {
		case <-ctx.Done():
			return 1
		case <-time.After(apiErr.RetryAfter):
		}
		n, failures, err = h.pc.Poll(ctx)
	}
	if err != nil {
		// No summary: "0 referrals changed a deal, 0 failed" said a poll
		// that did not happen had gone well.
		fmt.Fprintln(stderr, "cosellbot: polling Partner Center failed:", err)
		return 1
	}
	fmt.Fprintf(stdout, "polled Partner Center: %d referrals changed a deal, %d failed\n", n, len(failures))
	for _, f := range failures {
		fmt.Fprintln(stdout, "  ", f)
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
