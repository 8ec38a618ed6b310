package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/integrations/notify"
	"github.com/cosellbot/cosellbot/store"
)

// sweepEvery is how often serve sweeps for due reminders and expiries.
const sweepEvery = time.Minute

// loadRemind reads COSELLBOT_REMIND_BEFORE (default 7d,3d,1d).
func loadRemind(getenv func(string) string) (remind.Config, error) {
	cfg := remind.DefaultConfig()
	if v := getenv("COSELLBOT_REMIND_BEFORE"); v != "" {
		before, err := remind.ParseOffsets(v)
		if err != nil {
			return cfg, fmt.Errorf("COSELLBOT_REMIND_BEFORE: %w", err)
		}
		cfg.Before = before
	}
	return cfg, nil
}

// buildNotifier is every platform's notifier behind one mux: the log (for
// the shell's channel and "log:" channels), and Slack and Discord when
// their bot tokens are set. build calls it once, before the webhooks add
// theirs.
func (a *app) buildNotifier() *notify.Mux {
	mux := notify.NewMux()
	logN := notify.NewLog(a.log)
	mux.Handle("log", logN)
	mux.Handle("shell", logN)
	if n, ok := a.slackNotifier(); ok {
		mux.Handle("slack", n)
	}
	if n, ok := a.discordNotifier(); ok {
		mux.Handle("discord", n)
	}
	return mux
}

// sweepLoop is serve's sweep: every minute, on every replica.
func (a *app) sweepLoop(ctx context.Context) error {
	return remind.NewSweeper(a.store, a.cfg.Remind, a.log).WithChanges(a.webhooks.changes).Loop(ctx, a.clock.Now, sweepEvery)
}

// parseNow reads --now: RFC 3339 ("2026-12-01T09:00:00Z") or a date.
func parseNow(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--now %q: write 2026-12-01T09:00:00Z or 2026-12-01", s)
}

func cmdSweep(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("sweep", stderr)
	nowFlag := fs.String("now", "", "sweep as if it were this time (RFC 3339 or YYYY-MM-DD); default now")
	dry := fs.Bool("dry-run", false, "print what the sweep would do and change nothing")
	if !onlyFlags(fs, args) {
		return 2
	}
	now := time.Now().UTC()
	if *nowFlag != "" {
		t, err := parseNow(*nowFlag)
		if err != nil {
			fmt.Fprintln(stderr, "cosellbot:", err)
			return 2
		}
		if !*dry && t.After(now.Add(time.Minute)) {
			// A pass records what is due at its time: run ahead of the
			// clock, it would expire referrals that still have days left,
			// dated in the future, and tell the channels so.
			fmt.Fprintf(stderr, "cosellbot: --now %s is in the future (it is %s now): a sweep that changes things runs at the real time; add --dry-run to see what it would do then\n",
				t.Format(time.RFC3339), now.Format("2006-01-02 15:04 UTC"))
			return 2
		}
		now = t
	}
	a, ok := oneShot(ctx, cfg, stderr)
	if !ok {
		return 1
	}
	defer a.close()
	var rep remind.Report
	pass := func(st *store.Store) error {
		var err error
		rep, err = remind.NewSweeper(st, cfg.Remind, a.log).Run(ctx, now)
		return err
	}
	var err error
	if *dry {
		err = a.store.Rehearse(ctx, pass)
	} else {
		err = pass(a.store)
	}
	if err != nil {
		fmt.Fprintln(stderr, "cosellbot: sweep:", err)
		return 1
	}
	verb := "did"
	if *dry {
		verb = "would do (dry run, nothing changed)"
	}
	if len(rep.Lines) == 0 {
		fmt.Fprintf(stdout, "sweep at %s: nothing due\n", now.Format(time.RFC3339))
		return 0
	}
	fmt.Fprintf(stdout, "sweep at %s %s:\n  %s\n", now.Format(time.RFC3339), verb, strings.Join(rep.Lines, "\n  "))
	return 0
}
