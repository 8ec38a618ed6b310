package chatkit_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/integrations/chatkit"
	"github.com/cosellbot/cosellbot/integrations/discord"
	"github.com/cosellbot/cosellbot/integrations/discord/discordtest"
	"github.com/cosellbot/cosellbot/integrations/slack"
	"github.com/cosellbot/cosellbot/integrations/slack/slacktest"
)

// gen makes large, awkward inputs: long lines, long words, characters
// every platform escapes (& < > * _ ` | # \), accents and emoji.
type gen struct{ r *rand.Rand }

const alphabet = "abcdefghij klmnop &<>*_~`|#[]\\\"'é ø 😀 \t"

func (g gen) text(maxLen int) string {
	n := g.r.IntN(maxLen + 1)
	var b strings.Builder
	rs := []rune(alphabet)
	for range n {
		if g.r.IntN(40) == 0 {
			b.WriteByte('\n')
			continue
		}
		b.WriteRune(rs[g.r.IntN(len(rs))])
	}
	return b.String()
}

func (g gen) word(maxLen int) string {
	n := 1 + g.r.IntN(maxLen)
	return strings.Repeat("x", n)
}

var t0 = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

func (g gen) deal(id int64) *deal.Deal {
	statuses := []deal.Status{deal.Received, deal.Created, deal.Accepted, deal.Won, deal.Lost, deal.Declined, deal.Expired, deal.Error}
	kinds := []deal.Kind{deal.IPCoSell, deal.ServicesCoSell, deal.P2P, deal.SolutionAssessment}
	d := &deal.Deal{
		ID: id, Name: g.text(300), Kind: kinds[g.r.IntN(len(kinds))], Status: statuses[g.r.IntN(len(statuses))],
		Stage: deal.StageAccepted, Value: deal.Money(g.r.Int64N(1e13)), Currency: "EUR", CloseDate: t0.AddDate(0, 3, 0),
		Location: g.word(20), Customer: deal.Customer{Name: g.text(200), Location: "SE"}, Notes: g.text(3000),
		Direction: deal.Inbound, From: "partner:" + g.text(100), ReceivedAt: t0.AddDate(0, 0, -3), ExpiresAt: t0.AddDate(0, 0, 11),
		Reason: g.text(400), CRMID: g.word(80), CreatedAt: t0, UpdatedAt: t0,
	}
	for range g.r.IntN(30) {
		d.Team = append(d.Team, deal.Person{Name: g.text(60), Email: g.word(30) + "@x.example", Phone: "+46 " + g.word(12)})
	}
	for range g.r.IntN(20) {
		d.Solutions = append(d.Solutions, deal.Solution{Name: g.text(80)})
	}
	return d
}

func (g gen) actions() []chat.Action {
	var out []chat.Action
	for range g.r.IntN(40) {
		a := chat.Action{Label: g.text(200), Command: "deal show " + strconv.Itoa(g.r.IntN(1e6)) + " " + g.text(g.r.IntN(2)*2500)}
		switch g.r.IntN(4) {
		case 0:
			a.Command = "deal accept " + strconv.Itoa(g.r.IntN(1e9))
		case 1:
			a.Command, a.Ask = "faq edit "+strconv.Itoa(g.r.IntN(9)), []string{g.word(60), g.word(10)}
		}
		out = append(out, a)
	}
	return out
}

// message is one thing the platforms render.
type message struct {
	name    string
	text    string
	actions []chat.Action
}

// everything renders every reply, card, list, digest, FAQ answer,
// notification and state edit the bot sends, from one generated world.
func (g gen) everything() []message {
	var deals []*deal.Deal
	for i := range 1 + g.r.IntN(120) {
		deals = append(deals, g.deal(int64(i+1)))
	}
	d := deals[0]
	var out []message
	add := func(name, text string, actions []chat.Action) { out = append(out, message{name, text, actions}) }
	add("card", "Deal #1: accepted.\n"+command.Card(d, t0), command.Next(d))
	var list strings.Builder
	fmt.Fprintf(&list, "%d open deals:", len(deals))
	for i, x := range deals {
		if i == 50 {
			fmt.Fprintf(&list, "\n… and %d more", len(deals)-50)
			break
		}
		list.WriteString("\n" + command.Line(x, t0))
	}
	add("list", list.String(), nil)
	var events []ledger.Entry
	for range g.r.IntN(400) {
		events = append(events, ledger.Entry{At: t0, Actor: g.word(40), Action: "edited", Detail: g.text(300)})
	}
	add("history", command.History(1, events), nil)
	add("registration", command.Registration(d, d.Registration(deal.DefaultRates())), nil)
	add("faq answer", g.text(12000), []chat.Action{{Label: "Was this helpful?", Command: "faq miss " + g.text(200)}})
	add("generated", g.text(30000), g.actions())
	n := remind.ReminderNotice(d, 72*time.Hour, t0)
	add("reminder", n.Text, n.Actions)
	news := append(change.News(d, deal.Event{Action: "expired", Detail: g.text(300)}, g.word(40)), change.News(d, deal.Event{Action: "declined", Detail: g.text(300)}, g.word(40))...)
	for _, n := range append(news, remind.DecisionDueNotice(d), change.StateNotice(d, ledger.Entry{At: t0, Actor: g.text(100), Detail: g.text(500)})) {
		add(n.Kind, n.Text, n.Actions)
		add(n.Kind+" as a state edit", chat.StateText(g.text(4000), n.Text), n.Actions)
	}
	if dg, ok := remind.DigestNotice(chat.Place{Platform: "slack", Channel: "C1"}, t0, deals, deals, 14*24*time.Hour); ok {
		add("digest", dg.Text, nil)
	}
	return out
}

// forms are every form, prefilled from a generated deal.
func (g gen) forms() []chatkit.Form {
	d := command.View(g.deal(int64(1 + g.r.IntN(1e9))))
	var out []chatkit.Form
	for _, cmd := range []string{"deal accept", "deal decline", "deal lost", "deal error", "deal snooze", "deal invite"} {
		f, ok := chatkit.FormFor(chat.Action{Command: cmd + " " + strconv.FormatInt(d.ID, 10)})
		if !ok {
			continue
		}
		f.Prefill(&d, chatkit.Person(g.text(200), g.word(60)+"@x.example", g.word(30)))
		out = append(out, f)
	}
	ask, _ := chatkit.FormFor(chat.Action{Command: "faq edit " + g.text(300), Ask: []string{g.word(80), g.word(5), g.word(5), g.word(5), g.word(5), g.word(5)}})
	return append(out, ask)
}

func asMap(t *testing.T, v any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestEveryRenderingWithinLimits renders everything for both platforms,
// from generated large inputs, and checks every documented limit with the
// same checks the wire fakes enforce (slacktest, discordtest).
func TestEveryRenderingWithinLimits(t *testing.T) {
	runs := 25
	if testing.Short() {
		runs = 10
	}
	for run := range runs {
		seed := uint64(run)
		g := gen{rand.New(rand.NewPCG(seed, 11))}
		report := func(platform, what string, errs []string) {
			if len(errs) > 0 {
				t.Errorf("seed %d, %s %s: %v", seed, platform, what, errs)
			}
		}
		for _, m := range g.everything() {
			for _, max := range []int{slacktest.MessageBlocks, slacktest.ViewBlocks} {
				blocks := slack.Blocks(m.text, m.actions, max)
				msg := asMap(t, slackapi.Msg{Text: slack.Fallback(m.text), Blocks: slackapi.Blocks{BlockSet: blocks}})
				errs := slacktest.CheckBlocks(msg["blocks"].([]any))
				if len(blocks) > max {
					errs = append(errs, fmt.Sprintf("%d blocks, over %d", len(blocks), max))
				}
				if max == slacktest.MessageBlocks {
					errs = append(errs, slacktest.CheckMessage(msg)...)
				}
				report("slack", m.name, errs)
			}
			r := discord.Render(m.text, m.actions, false)
			report("discord", m.name, discordtest.CheckMessage(asMap(t, map[string]any{"embeds": r.Embeds, "components": r.Components})))
			if r.Embeds == nil || len(r.Embeds) == 0 {
				t.Errorf("seed %d, discord %s: no embed", seed, m.name)
			}
		}
		for _, f := range g.forms() {
			report("slack", "form "+f.Kind, slacktest.CheckView(asMap(t, slack.FormView(f, "C1"))))
			report("discord", "form "+f.Kind, discordtest.CheckResponse(asMap(t, discord.Modal("form:x", f))))
		}
	}
}
