package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/cpor"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/integrations/notify"
	"github.com/cosellbot/cosellbot/integrations/slack"
	"github.com/cosellbot/cosellbot/integrations/slack/slacktest"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// resendRig is a pipeline whose channel news goes to a fake Slack: the
// chat commands, the sweep and serve's outbox dispatcher at a moment the
// test moves.
type resendRig struct {
	t     *testing.T
	st    *store.Store
	sf    *slacktest.Fake
	now   *time.Time
	svc   *command.Service
	mux   *notify.Mux
	sweep *remind.Sweeper
}

func newResendRig(t *testing.T, st *store.Store, start time.Time) *resendRig {
	now := start
	clk := clock{&now}
	cfg := remind.DefaultConfig()
	cfg.DigestHour = 23 // no digest in these tests
	sf := slacktest.New(t)
	sn, err := slack.NewNotifier("xoxb-test", sf.APIURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	sn.WithClock(clk.Now)
	mux := notify.NewMux()
	mux.Handle("slack", sn)
	return &resendRig{
		t: t, st: st, sf: sf, now: &now, mux: mux,
		svc:   command.New(st, clk, deal.DefaultRates(), nil, command.WithAlerts(st, []string{"slack"}, cfg.Before), command.WithCPOR(st)),
		sweep: remind.NewSweeper(st, cfg, nil),
	}
}

func (r *resendRig) run(where chat.Place, line string) {
	r.t.Helper()
	if rep := r.svc.Run(r.t.Context(), access.LocalAdmin, where, line); !rep.OK() {
		r.t.Fatalf("%s: %s", line, rep.Text)
	}
}

// at moves the clock to t, sweeps and delivers what is due.
func (r *resendRig) at(t time.Time) {
	r.t.Helper()
	*r.now = t
	if _, err := r.sweep.Run(r.t.Context(), t); err != nil {
		r.t.Fatal(err)
	}
	r.deliver()
}

func (r *resendRig) deliver() {
	r.t.Helper()
	at := *r.now
	d := remind.NewDispatcher(r.st, r.mux, func() time.Time { return at }, nil)
	for {
		n, err := d.Once(r.t.Context())
		if err != nil {
			r.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// retryDead is `cosellbot outbox --retry-dead` at the rig's moment.
func (r *resendRig) retryDead() store.RetriedOutbox {
	r.t.Helper()
	got, err := r.st.RetryDeadOutbox(r.t.Context(), store.DeadOutbox{}, *r.now)
	if err != nil {
		r.t.Fatal(err)
	}
	return got
}

// A reminder that died of a revoked Slack token and is sent again a day
// later by outbox --retry-dead says the time left when it is delivered,
// not when it fell due; a state update that later edits it keeps what it
// said.
func TestResentReminderSaysTheTimeLeftWhenDelivered(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		r := newResendRig(t, st, start)
		r.run(slackSales, "subscribe location=1234567")
		r.run(slackSales, `deal receive kind=ip name="Plants" customer="Fabrikam" customer_location=SE location=1234567 from=microsoft`)
		r.deliver() // the arrival

		r.sf.Refuse("invalid_auth") // the token is revoked: the 3-day reminder dies
		r.at(start.Add(11*24*time.Hour + time.Minute))
		if got := r.sf.Messages(slackSales.Channel); len(got) != 1 {
			t.Fatalf("%d Slack messages with the token revoked, want the arrival only", len(got))
		}

		r.sf.Refuse("") // a day later the operator sets the new token
		*r.now = start.Add(12*24*time.Hour + time.Minute)
		if got := r.retryDead(); len(got.Retried) != 1 {
			t.Fatalf("retry-dead = %+v, want the reminder due again", got)
		}
		r.deliver()
		msgs := r.sf.Messages(slackSales.Channel)
		if len(msgs) != 2 {
			t.Fatalf("%d Slack messages after the retry, want the arrival and the reminder", len(msgs))
		}
		text := msgs[1].Text
		for _, want := range []string{"expires in 2 days, on 2026-11-16 09:00 UTC", "3d reminder was due 2026-11-13 09:00 UTC", "could not be delivered"} {
			if !strings.Contains(text, want) {
				t.Errorf("the resent reminder lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "in 3 days") {
			t.Errorf("the resent reminder says the time left when it fell due:\n%s", text)
		}

		// Accepted: the reminder is edited to show the new state, from
		// what it said when delivered.
		r.run(slackSales, `deal accept 1 name="Plants" value=60000 close=2031-03-01 notes="12 plants" team="Ana <ana@x.example> +46 70 123 45 67"`)
		r.deliver()
		msgs = r.sf.Messages(slackSales.Channel)
		if got := msgs[1]; got.Updates == 0 || !strings.Contains(got.Text, "expires in 2 days") || !strings.Contains(got.Text, "Accepted") {
			t.Errorf("the reminder once the referral was accepted (%d updates):\n%s", got.Updates, got.Text)
		}
		for _, p := range r.sf.Problems() {
			t.Errorf("refused by Slack: %s", p)
		}
	})
}

// A reminder that keeps failing for a passing reason (Slack's
// internal_error) is retried with backoff; the try that gets through says
// the time left then.
func TestRetriedReminderSaysTheTimeLeftWhenDelivered(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		r := newResendRig(t, st, start)
		r.run(slackSales, "subscribe location=1234567")
		r.run(slackSales, `deal receive kind=ip name="Plants" customer="Fabrikam" customer_location=SE location=1234567 from=microsoft`)
		r.deliver()
		r.sf.Refuse("internal_error")
		due := start.Add(13 * 24 * time.Hour) // the 1-day reminder
		r.at(due.Add(time.Minute))
		for i := 1; i < remind.MaxAttempts-1; i++ {
			*r.now = r.now.Add(remind.Backoff(i))
			r.deliver()
		}
		r.sf.Refuse("")
		*r.now = r.now.Add(remind.Backoff(remind.MaxAttempts - 1))
		r.deliver()
		msgs := r.sf.Messages(slackSales.Channel)
		if len(msgs) != 2 {
			t.Fatalf("%d Slack messages, want the arrival and the reminder", len(msgs))
		}
		left := deal.TimeLeft(*r.now, start.Add(deal.ReferralWindow))
		if text := msgs[1].Text; !strings.Contains(text, "expires in "+left+",") || strings.Contains(text, "expires in 1 day,") {
			t.Errorf("the reminder delivered at %s does not say %q left:\n%s", r.now.Format(time.RFC3339), left, text)
		}
	})
}

// A CPOR claim's warning that the customer's window closes soon, dead of a
// revoked token, is not sent by outbox --retry-dead once the window has
// closed: it is dropped, saying why, whether the sweep made the claim
// official meanwhile or not yet.
func TestDeadClaimWarningAfterTheWindowIsDropped(t *testing.T) {
	for _, official := range []bool{true, false} {
		name := map[bool]string{true: "official", false: "not yet swept"}[official]
		t.Run(name, func(t *testing.T) {
			storetest.Dialects(t, func(t *testing.T, st *store.Store) {
				start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
				r := newResendRig(t, st, start)
				claims := chat.Place{Platform: "slack", Channel: "C0CLAIMS1"}
				r.run(claims, "subscribe kind=cpor")
				r.run(claims, "cpor claim customer=8f3c2a1e-5b7d-4e9f-a0c1-2d3e4f5a6b7c country=FR engagement=modern-work workload=Teams")
				r.run(claims, "cpor confirm 1 notified=2026-11-02")
				c, err := st.GetClaim(t.Context(), 1)
				if err != nil {
					t.Fatal(err)
				}
				r.deliver()
				before := len(r.sf.Messages(claims.Channel))

				r.sf.Refuse("invalid_auth")
				r.at(c.OfficialAt.Add(-cpor.ClosingNotice + time.Minute)) // the warning dies
				r.sf.Refuse("")
				after := c.OfficialAt.Add(2 * time.Hour)
				if official {
					r.at(after) // the claim is official, and that is told
				} else {
					*r.now = after
				}
				got := r.retryDead()
				if len(got.Retried) != 0 || len(got.Dropped) != 1 || !strings.Contains(got.Dropped[0].Why, "closed") {
					t.Errorf("retry-dead after the window = %+v, want the warning dropped, saying the window closed", got)
				}
				r.deliver()
				for _, m := range r.sf.Messages(claims.Channel)[before:] {
					if strings.Contains(m.Text, "closes in") {
						t.Errorf("a warning sent after the window closed:\n%s", m.Text)
					}
				}
			})
		})
	}
}

// A claim warning that keeps failing for a passing reason until the window
// has closed is not delivered when a try finally gets through.
func TestRetriedClaimWarningAfterTheWindowIsNotSent(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		r := newResendRig(t, st, start)
		claims := chat.Place{Platform: "slack", Channel: "C0CLAIMS1"}
		r.run(claims, "subscribe kind=cpor")
		r.run(claims, "cpor claim customer=8f3c2a1e-5b7d-4e9f-a0c1-2d3e4f5a6b7c country=FR engagement=modern-work workload=Teams")
		r.run(claims, "cpor confirm 1 notified=2026-11-02")
		c, err := st.GetClaim(t.Context(), 1)
		if err != nil {
			t.Fatal(err)
		}
		r.deliver()
		before := len(r.sf.Messages(claims.Channel))
		r.sf.Refuse("internal_error")
		r.at(c.OfficialAt.Add(-cpor.ClosingNotice + time.Minute))
		r.sf.Refuse("")
		*r.now = c.OfficialAt.Add(time.Minute) // serve was down; the sweep has not run yet
		r.deliver()
		for _, m := range r.sf.Messages(claims.Channel)[before:] {
			if strings.Contains(m.Text, "closes in") {
				t.Errorf("a warning sent after the window closed:\n%s", m.Text)
			}
		}
		if waiting, dead, err := st.OutboxCounts(t.Context()); err != nil || waiting != 0 || dead != 0 {
			t.Errorf("outbox after the window: %d waiting, %d dead, %v; want the warning gone", waiting, dead, err)
		}
	})
}
