package notify_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/crm/crmtest"
	"github.com/cosellbot/cosellbot/integrations/crm/generic"
	"github.com/cosellbot/cosellbot/integrations/discord"
	"github.com/cosellbot/cosellbot/integrations/discord/discordtest"
	"github.com/cosellbot/cosellbot/integrations/notify"
	"github.com/cosellbot/cosellbot/integrations/slack"
	"github.com/cosellbot/cosellbot/integrations/slack/slacktest"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

type clock struct{ t *time.Time }

func (c clock) Now() time.Time { return *c.t }

const webhookSecret = "generic-secret-for-tests"

var (
	slackSales   = chat.Place{Platform: "slack", Channel: "C0SALES01"}
	discordSales = chat.Place{Platform: "discord", Channel: "123456789012345678"}
)

// Every channel message about a deal follows the deal, whatever changed
// it: three referrals get their 7-day reminder in a Slack and a Discord
// channel, then one is accepted in chat, one declined by a CRM webhook's
// change and one expires in the sweep. Each reminder is edited in place
// (chat.update, PATCH message) to show the new state and who did it, with
// no Accept left; later news (the expiry) threads under it; the fakes
// refuse anything over the platforms' limits.
func TestNoticesFollowTheDeal(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		cfg := remind.DefaultConfig()
		cfg.DigestHour = 23 // no digest in this test
		now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		clk := clock{&now}
		svc := command.New(st, clk, deal.DefaultRates(), nil, command.WithAlerts(st, []string{"slack", "discord"}, remind.DefaultConfig().Before))
		admin := access.LocalAdmin
		run := func(where chat.Place, line string) {
			t.Helper()
			if r := svc.Run(ctx, admin, where, line); !r.OK() {
				t.Fatalf("%s: %s", line, r.Text)
			}
		}
		run(slackSales, "subscribe location=1234567")
		run(discordSales, "subscribe location=1234567")
		for i, name := range []string{"Chat", "Webhook", "Sweep"} {
			run(slackSales, `deal receive kind=ip name="`+name+`" customer="Fabrikam & Sons <AB>" customer_location=SE location=1234567 from=microsoft crm_id=opp-`+strconv.Itoa(i+1))
		}

		sf, df := slacktest.New(t), discordtest.New(t)
		sn, err := slack.NewNotifier("xoxb-test", sf.APIURL(), nil)
		if err != nil {
			t.Fatal(err)
		}
		sn.WithClock(func() time.Time { now = now.Add(time.Minute); return now }) // clear of the channel rate
		dn, err := discord.NewNotifier(discord.NotifierConfig{BotToken: "b", APIURL: df.APIURL(), Version: "test", Keep: st, Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		mux := notify.NewMux()
		mux.Handle("slack", sn)
		mux.Handle("discord", dn)
		deliver := func() {
			t.Helper()
			at := now
			d := remind.NewDispatcher(st, mux, func() time.Time { return at }, nil)
			for {
				n, err := d.Once(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					return
				}
			}
		}
		deliver() // each arrival is news, with its answers; its state edits nothing more
		for _, msgs := range [][2]int{{len(sf.Messages(slackSales.Channel)), 0}, {len(df.Messages(discordSales.Channel)), 1}} {
			if msgs[0] != 3 {
				t.Fatalf("%d messages on platform %d after three arrivals, want 3", msgs[0], msgs[1])
			}
		}
		for _, m := range sf.Messages(slackSales.Channel) {
			raw, _ := json.Marshal(m.Blocks)
			if !strings.Contains(m.Text, "New referral #") || !strings.Contains(string(raw), "deal accept") || m.Updates != 0 ||
				strings.Contains(m.Text+string(raw), "{id}") || strings.Contains(m.Text, "#0 ") {
				t.Errorf("arrival message: %s (%d updates)\n%s", m.Text, m.Updates, raw)
			}
		}
		now = now.Add(7*24*time.Hour + time.Minute)
		if _, err := remind.NewSweeper(st, cfg, nil).Run(ctx, now); err != nil {
			t.Fatal(err)
		}
		deliver()
		if n := len(sf.Messages(slackSales.Channel)); n != 6 {
			t.Fatalf("%d Slack messages, want the 3 arrivals and 3 reminders", n)
		}

		// From chat, by someone else than the sweep: accepted.
		run(slackSales, `deal accept 1 name="Chat" value=60000 close=2031-03-01 notes="12 plants" team="Ana <ana@x.example> +46 70 123 45 67"`)
		// From a CRM: a signed generic webhook says record opp-2 was declined.
		cclk := crmtest.NewClock(now)
		h := crmtest.New(t, st, cclk, generic.New(webhookSecret, crmtest.Applier(st, cclk)))
		body, _ := json.Marshal(map[string]any{"type": "deal.updated", "record_id": "opp-2", "modified_at": now.Format(time.RFC3339),
			"fields": map[string]any{"stage": "declined", "reason": "no capacity"}})
		ts := strconv.FormatInt(now.Unix(), 10)
		if code, resp := h.Post(t, "/webhooks/generic", http.Header{"Content-Type": {"application/json"}, crm.HeaderTimestamp: {ts},
			crm.HeaderSignature: {crm.Sign([]byte(webhookSecret), ts, body)}, crm.HeaderEventID: {"evt-1"}}, body); code != http.StatusOK {
			t.Fatalf("webhook: %d %s", code, resp)
		}
		if rep := h.Process(t); rep.Processed != 1 {
			t.Fatalf("webhook processing: %+v %+v", rep, h.Inbox(t))
		}
		deliver()
		// From the sweep: #3 expires.
		now = now.Add(7 * 24 * time.Hour)
		if _, err := remind.NewSweeper(st, cfg, nil).Run(ctx, now); err != nil {
			t.Fatal(err)
		}
		deliver()

		want := map[string]string{"Chat": "by admin@localhost", "Webhook": "by generic", "Sweep": "by " + remind.Actor}
		for _, m := range sf.Messages(slackSales.Channel) {
			raw, _ := json.Marshal(m.Blocks)
			name := ""
			for n := range want {
				if strings.Contains(m.Text, `"`+n+`"`) {
					name = n
				}
			}
			switch {
			case m.ThreadTS != "" && strings.Contains(m.Text, "⏰"): // a reminder threads under the arrival, shown in the channel too
				if !m.Broadcast {
					t.Errorf("a reminder hidden in the arrival's thread: %s", m.Text)
				}
			case m.ThreadTS != "": // later news (the expiry, the decline) threads under the deal's arrival
				if !strings.Contains(m.Text, "expired") && !strings.Contains(m.Text, "declined") {
					t.Errorf("threaded message: %s", m.Text)
				}
			case name == "":
				t.Errorf("a message about no deal: %s", m.Text)
			case m.Updates == 0 || !strings.Contains(m.Text, want[name]) || strings.Contains(string(raw), "deal accept"):
				t.Errorf("Slack arrival of %s not brought up to date (%d updates): %s\n%s", name, m.Updates, m.Text, raw)
			}
		}
		if len(sf.Messages(slackSales.Channel)) != 8 {
			t.Errorf("%d Slack messages, want 3 arrivals, 3 reminders, the decline and the expiry", len(sf.Messages(slackSales.Channel)))
		}
		edited := 0
		for _, m := range df.Messages(discordSales.Channel) {
			raw, _ := json.Marshal(m.Body)
			if m.Edits > 0 {
				edited++
				if strings.Contains(string(raw), "deal accept") || !strings.Contains(string(raw), "➜") {
					t.Errorf("Discord message not brought up to date: %s", raw)
				}
			}
		}
		if edited != 6 {
			t.Errorf("%d Discord messages edited, want the 3 arrivals and 3 reminders", edited)
		}
		for _, p := range append(sf.Problems(), df.Problems()...) {
			t.Errorf("refused by the platform: %s", p)
		}
	})
}
