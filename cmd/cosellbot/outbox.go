package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/escape"
	"github.com/cosellbot/cosellbot/store"
)

// dispatchEvery is how often an idle dispatcher looks for due messages.
const dispatchEvery = 2 * time.Second

// outboxLoop is serve's outbox dispatcher; every replica runs one.
func (a *app) outboxLoop(ctx context.Context) error {
	return a.outbox.Loop(ctx, dispatchEvery)
}

// outboxHelp is what `cosellbot help outbox` says beyond the synopsis.
const outboxHelp = `  Lists the notifications waiting (pending, or being sent) and dead, dead first, then each
  dead one's last error whole: it ends with what to do when the cause is the operator's to
  fix. A Slack token revoked or rotated (invalid_auth, token_revoked, account_inactive), a
  channel without the bot (not_in_channel, channel_not_found), and Discord's 401, Missing
  Access and Unknown Channel make a notification dead on its first try: retrying meets the
  same refusal. Dead notifications are never sent again by themselves.
  --retry-dead [--id N] [--target P]  once the cause is fixed (the token set and cosellbot
                             restarted, the bot invited), make the dead notifications (all,
                             the one with id N, or those to P, as TO shows it: slack:C0123ABCD)
                             due again with their tries counted from zero; a running serve
                             sends them within seconds. A referral's arrival news or reminder
                             whose referral was answered or expired meanwhile, a reminder a
                             later one replaces, and a CPOR claim's warning whose customer
                             window has closed, are dropped instead, and listed with why.
`

func cmdOutbox(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("outbox", stderr)
	limit := fs.Int("limit", 50, "list at most this many dead and this many waiting messages")
	retry := fs.Bool("retry-dead", false, "make the dead messages due again, once their cause is fixed (of --id or --target, or all)")
	id := fs.Int64("id", 0, "with --retry-dead: only the message with this ID")
	target := fs.String("target", "", "with --retry-dead: only the messages to this place, as TO shows it (slack:C0123ABCD)")
	if !onlyFlags(fs, args) {
		return 2
	}
	var which store.DeadOutbox
	if *id != 0 || *target != "" {
		if !*retry {
			fmt.Fprintln(stderr, "cosellbot: --id and --target pick the dead messages --retry-dead sends again: add --retry-dead")
			return 2
		}
		p, err := targetFlag(*target)
		if err != nil {
			fmt.Fprintln(stderr, "cosellbot:", err)
			return 2
		}
		which = store.DeadOutbox{ID: *id, Place: p}
	}
	a, ok := oneShot(ctx, cfg, stderr)
	if !ok {
		return 1
	}
	defer a.close()
	if *retry {
		done, err := a.store.RetryDeadOutbox(ctx, which, a.clock.Now())
		if err != nil {
			fmt.Fprintln(stderr, "cosellbot:", err)
			return 1
		}
		writeRetried(stdout, done)
	}
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
	writeDeadErrors(stdout, rows)
	return 0
}

// targetFlag reads --target as TO prints a place: "slack:C0123ABCD",
// "discord:1234…", "log:alerts", or a platform alone.
func targetFlag(s string) (chat.Place, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return chat.Place{}, nil
	}
	platform, channel, _ := strings.Cut(s, ":")
	p := chat.Place{Platform: strings.ToLower(platform), Channel: strings.TrimPrefix(channel, "#")}
	if p.Platform == "slack" {
		p.Channel = strings.ToUpper(p.Channel) // Slack's ids are upper case; subscribe stores them so
	}
	if p.Platform == "" {
		return chat.Place{}, fmt.Errorf("--target %q: name a place as the TO column shows it, like slack:C0123ABCD", s)
	}
	return p, nil
}

// writeRetried says which dead messages --retry-dead made due again and
// which it dropped, and why.
func writeRetried(w io.Writer, done store.RetriedOutbox) {
	n := int64(len(done.Retried))
	fmt.Fprintf(w, "%d dead %s due again", n, plural(n, "message is", "messages are"))
	if n > 0 {
		fmt.Fprint(w, ": the outbox dispatcher of a running cosellbot serve sends them on its next pass")
	}
	fmt.Fprintln(w, ".")
	for _, e := range done.Retried {
		fmt.Fprintf(w, "  #%d to %s, %s %s\n", e.ID, escape.Line(e.Place.String()), escape.Line(e.Subject), e.Kind)
	}
	if d := int64(len(done.Dropped)); d > 0 {
		fmt.Fprintf(w, "%d dead %s dropped, no longer making sense:\n", d, plural(d, "message is", "messages are"))
		for _, e := range done.Dropped {
			fmt.Fprintf(w, "  #%d to %s, %s %s: %s\n", e.ID, escape.Line(e.Place.String()), escape.Line(e.Subject), e.Kind, e.Why)
		}
	}
	fmt.Fprintln(w)
}

// writeDeadErrors prints, under the table, each distinct last error of the
// dead messages whole, with the ids it killed: the table cuts it to 80
// characters, and what to do (rotate the token, invite the bot, then
// --retry-dead) is at its end.
func writeDeadErrors(w io.Writer, rows []store.OutboxEntry) {
	var order []string
	ids := map[string][]string{}
	for _, r := range rows {
		if r.State != store.OutboxDead || r.LastError == "" {
			continue
		}
		msg := escape.Line(strings.ReplaceAll(r.LastError, "\n", " "))
		if _, seen := ids[msg]; !seen {
			order = append(order, msg)
		}
		ids[msg] = append(ids[msg], "#"+strconv.FormatInt(r.ID, 10))
	}
	if len(order) == 0 {
		return
	}
	fmt.Fprintln(w, "\nDead, by last error (fix the cause, then cosellbot outbox --retry-dead [--id N] [--target P]):")
	for _, msg := range order {
		fmt.Fprintf(w, "  %s:\n", strings.Join(ids[msg], ", "))
		for _, line := range wrap(msg, errorWidth) {
			fmt.Fprintln(w, "    "+line)
		}
	}
}
