package command_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

var slackHere = chat.Place{Platform: "slack", Channel: "C0SALES01"}

// newAlertEnv is a service with subscriptions, snoozes and CPOR claims.
func newAlertEnv(t *testing.T, st *store.Store) *env {
	clk := &clock{start}
	svc := command.New(st, clk, deal.DefaultRates(), nil,
		command.WithAlerts(st, []string{"discord", "log", "shell", "slack"}, remind.DefaultConfig().Before),
		command.WithCPOR(st))
	return &env{t: t, svc: svc, st: st, clk: clk}
}

func (e *env) at(where chat.Place, who access.User, line string) command.Reply {
	return e.svc.Run(context.Background(), who, where, line)
}

const tenant = "8f3c2a1e-5b7d-4e9f-a0c1-2d3e4f5a6b7c"

// Bad input is refused with an error naming the field, and stores nothing.
func TestAlertsRefuseBadInput(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newAlertEnv(t, st)
		e.run(`deal receive kind=services customer=Fabrikam customer_location=SE location=1234567 from=microsoft`)
		ctx := context.Background()
		tests := []struct {
			line, code, field, says string
		}{
			{"cpor claim customer=contoso.onmicrosoft.com country=FR engagement=modern-work workload=Teams", "invalid", "customer", "GUID"},
			{"cpor claim customer=" + tenant + " country=FR engagement=azure workload=Teams", "invalid", "engagement", "modern-work (Modern Work and Security usage)"},
			{"cpor claim customer=" + tenant + " country=France engagement=modern-work workload=Teams", "invalid", "country", "two-letter"},
			{"cpor claim customer=" + tenant + " country=FR engagement=modern-work", "invalid", "workload", "workload=NAME or subscription=ID"},
			{"cpor claim customer=" + tenant + " country=FR engagement=modern-work subscription=abc", "invalid", "subscription", "GUID"},
			{"deal snooze 1 until=2026-11-01", "invalid", "until", "not in the future"},
			{"deal snooze 1 until=someday", "invalid", "until", "YYYY-MM-DD"},
			{"deal snooze 9 until=2027-01-01", "not_found", "", "no deal #9"},
			{"subscribe #general", "invalid", "channel", "Slack channel id"},
			{"subscribe teams:abc", "invalid", "channel", "not to \"teams\""},
			{"subscribe discord:abc", "invalid", "channel", "Discord channel id"},
			{"subscribe kind=enterprise", "invalid", "kind", "unknown deal kind"},
			{"subscribe location=", "invalid", "location", "location id"},
			{"unsubscribe location=7", "not_found", "", "no subscription"},
		}
		for _, tt := range tests {
			r := e.at(slackHere, access.LocalAdmin, tt.line)
			if r.OK() || r.Err.Code != tt.code || r.Err.Field != tt.field || !strings.Contains(r.Text, tt.says) {
				t.Errorf("%s\n→ %q %+v; want %s on %q saying %q", tt.line, r.Text, r.Err, tt.code, tt.field, tt.says)
			}
		}
		if claims, _ := st.Claims(ctx); len(claims) != 0 {
			t.Errorf("refused claims stored %d claims", len(claims))
		}
		if subs, _ := st.Subscriptions(ctx); len(subs) != 0 {
			t.Errorf("refused subscriptions stored %+v", subs)
		}
		if got, _ := st.Snoozed(ctx, []string{"deal:1"}, start); len(got) != 0 {
			t.Errorf("a refused snooze stored %v", got)
		}
		if h, _ := st.History(ctx, 1); len(h) != 1 {
			t.Errorf("refused commands wrote history: %+v", h)
		}
	})
}

func TestRolesGateAlertsAndClaims(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newAlertEnv(t, st)
		e.run("user add inc@x.example role=incentives-user")
		e.run("user add ref@x.example role=referrals-user locations=1234567")
		inc, _ := e.svc.Resolve(context.Background(), "inc@x.example")
		ref, _ := e.svc.Resolve(context.Background(), "ref@x.example")
		dm := chat.Place{Platform: "slack", Channel: "D0REFDM01"}
		for _, tt := range []struct {
			who     access.User
			where   chat.Place
			line    string
			allowed bool
		}{
			{inc, slackHere, "subscribe", true}, // lists their own (none)
			{ref, slackHere, "cpor list", false},
			{ref, slackHere, "subscribe", true},                   // lists: allowed
			{ref, slackHere, "subscribe location=999", false},     // a channel needs a referrals admin
			{ref, slackHere, "subscribe kind=ip", false},          // a channel needs a referrals admin
			{ref, slackHere, "subscribe location=1234567", false}, // even in their own location
			{ref, slackHere, "subscribe #C0OTHER01 location=1234567", false},
			{ref, dm, "subscribe location=1234567", true}, // their own direct messages
			{ref, dm, "subscribe kind=ip", true},          // filtered to what they may see when sent
			{inc, dm, "subscribe", true},
		} {
			r := e.at(tt.where, tt.who, tt.line)
			if r.OK() != tt.allowed || (!tt.allowed && r.Err.Code != "forbidden") {
				t.Errorf("%s by %s in %s → %q; allowed=%v expected", tt.line, tt.who.ID, tt.where, r.Text, tt.allowed)
			}
		}
		// A location outside their scope would send them nothing: refused
		// (a tester's subscription was confirmed, and delivered nothing).
		if r := e.at(dm, ref, "subscribe location=7654321"); r.OK() || !strings.Contains(r.Text, "location 7654321 is outside what you may see (1234567)") {
			t.Errorf("subscribe outside the scope → %q", r.Text)
		}
		// Listing none, a referrals user is told to subscribe where they
		// may: their direct messages, not a channel.
		e.run("user add new@x.example role=referrals-user locations=1234567")
		newcomer, _ := e.svc.Resolve(context.Background(), "new@x.example")
		if r := e.at(chat.Place{Platform: "slack", Channel: "D0NEWDM01"}, newcomer, "subscribe"); !strings.Contains(r.Text, "your direct messages with cosellbot") {
			t.Errorf("no subscriptions, for a referrals user: %q", r.Text)
		}
		if r := e.at(slackHere, inc, "cpor claim customer="+tenant+" country=SE engagement=bizapps-usage workload=Sales"); !r.OK() {
			t.Errorf("an incentives user cannot claim: %s", r.Text)
		}
	})
}

// A session of subscriptions and claims, pinned in a golden transcript.
func TestAlertsSession(t *testing.T) {
	e := newAlertEnv(t, storetest.Open(t))
	var b strings.Builder
	say := func(where chat.Place, line string) {
		r := e.at(where, access.LocalAdmin, line)
		b.WriteString("> /cosell " + line + "\n" + r.Text + "\n\n")
	}
	say(slackHere, "subscribe")
	say(slackHere, "subscribe location=1234567")
	say(slackHere, "subscribe discord:123456789012345678 kind=ip")
	say(slackHere, "subscribe location=1234567")
	say(slackHere, "subscribe")
	say(slackHere, `deal receive kind=services customer="Fabrikam AB" customer_location=SE location=1234567 from=microsoft`)
	say(slackHere, "deal snooze 1 until=2026-11-25")
	say(slackHere, "unsubscribe discord:123456789012345678 kind=ip")
	say(slackHere, "cpor claim customer="+tenant+" country=SE engagement=modern-work workload=\"Exchange Online\"")
	say(slackHere, "cpor info 1 notes=\"proof of the Exchange migration\"")
	e.clk.t = time.Date(2026, 12, 22, 9, 0, 0, 0, time.UTC)
	say(slackHere, "cpor confirm 1")
	say(slackHere, "cpor claim customer="+tenant+" country=IN engagement=bizapps-revenue subscription=0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0")
	say(slackHere, "cpor confirm 2 notified=2027-01-01")
	say(slackHere, "cpor confirm 2")
	say(slackHere, "cpor decline 2 reason=\"works with another partner\"")
	say(slackHere, "cpor list")
	say(slackHere, "cpor show 1")
	say(slackHere, "cpor decline 9")
	checkGolden(t, "alerts", b.String())
}

// Declining a referral tells the subscribed channels, in the same
// transaction as the change.
func TestDeclineTellsTheChannels(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newAlertEnv(t, st)
		e.at(slackHere, access.LocalAdmin, "subscribe location=1234567")
		e.run(`deal receive kind=services customer=Fabrikam customer_location=SE location=1234567 from="partner:Litware"`)
		e.run("deal decline 1 reason=\"no capacity\"")
		rows, err := st.Outbox(context.Background(), 10)
		if err != nil || len(rows) != 2 || rows[0].Place != slackHere || rows[0].Kind != remind.KindDeclined ||
			!strings.Contains(rows[0].Text, "declined: no capacity; this referral was recorded by hand, so nothing reaches partner Litware: tell them yourself") {
			t.Errorf("outbox %+v, %v; want the decline for %s", rows, err, slackHere)
		}
		// Then the deal's new state, which edits what the channel has about it.
		if len(rows) == 2 && (rows[1].Kind != ledger.KindState || !strings.Contains(rows[1].Text, "by admin@localhost")) {
			t.Errorf("outbox row 2 %+v; want the state of deal 1", rows[1])
		}
	})
}

// TestClaimTwiceIsRefused: the same claim submitted twice (a double click,
// two colleagues) is refused naming the standing one, and stores nothing.
func TestClaimTwiceIsRefused(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newAlertEnv(t, st)
		line := "cpor claim customer=" + tenant + " country=SE engagement=modern-work workload=Teams"
		if r := e.at(slackHere, access.LocalAdmin, line); !r.OK() {
			t.Fatalf("first claim: %s", r.Text)
		}
		r := e.at(slackHere, access.LocalAdmin, line)
		if r.OK() || r.Err.Field != "customer" || !strings.Contains(r.Text, "claim #1 already claims") {
			t.Fatalf("second claim: %q %+v", r.Text, r.Err)
		}
		if claims, _ := st.Claims(context.Background()); len(claims) != 1 {
			t.Errorf("%d claims stored, want 1", len(claims))
		}
	})
}

// TestClaimDoubleClick: the same claim sent twice at once (a double click's
// two requests) stores one.
func TestClaimDoubleClick(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newAlertEnv(t, st)
		line := "cpor claim customer=" + tenant + " country=SE engagement=modern-work workload=Teams"
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { e.at(slackHere, access.LocalAdmin, line) })
		}
		wg.Wait()
		if claims, _ := st.Claims(context.Background()); len(claims) != 1 {
			t.Errorf("%d claims stored from four simultaneous submissions, want 1", len(claims))
		}
	})
}

// subscribe typed in a channel of a platform cosellbot cannot post to
// (Discord without its bot token) is refused saying why: subscribed, every
// notice went dead in the outbox while the reply promised reminders.
func TestSubscribeWhereNothingCanBePosted(t *testing.T) {
	st := storetest.Open(t)
	e := newEnv(t, st)
	e.svc = command.New(st, e.clk, deal.DefaultRates(), nil, command.WithAlerts(st, []string{"log", "shell", "slack"}, nil))
	r := e.at(chat.Place{Platform: "discord", Channel: "112233445566778899"}, access.LocalAdmin, "subscribe location=1000001")
	if r.OK() || r.Err.Rule != "channel_platform" || !strings.Contains(r.Text, "DISCORD_BOT_TOKEN") {
		t.Errorf("subscribe in Discord without its notifier: %q", r.Text)
	}
	if subs, _ := st.Subscriptions(t.Context()); len(subs) != 0 {
		t.Errorf("a refused subscribe was kept: %+v", subs)
	}
}

// A channel named in the local shell without its platform is refused
// saying the shell has none and how to name one (it said "#deals is a
// person's direct messages").
func TestSubscribeAChannelFromTheShell(t *testing.T) {
	st := storetest.Open(t)
	e := newEnv(t, st)
	e.svc = command.New(st, e.clk, deal.DefaultRates(), nil, command.WithAlerts(st, []string{"shell", "slack"}, nil))
	r := e.at(chat.Place{Platform: "shell", Channel: "local"}, access.LocalAdmin, "subscribe #deals location=1000001")
	if r.OK() || !strings.Contains(r.Text, "the local shell has no channels") || strings.Contains(r.Text, "direct messages") {
		t.Errorf("subscribe #deals in the shell: %q", r.Text)
	}
	if r := e.at(chat.Place{Platform: "shell", Channel: "local"}, access.LocalAdmin, "subscribe slack:C0SALES01 location=1000001"); !r.OK() {
		t.Errorf("subscribe slack:C0SALES01 from the shell: %q", r.Text)
	}
}
