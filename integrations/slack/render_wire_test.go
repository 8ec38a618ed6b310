package slack_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/integrations/slack/slacktest"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// At the wire, deal list format=csv over many deals whose names hold
// mrkdwn's characters and mentions: the answer passes Slack's checks, the
// heading is plain text, every other section is a whole code block, and
// the blocks copy back to the very CSV the command made.
func TestCSVAnswerAtTheWire(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	admin := access.User{ID: "ana@partner.example", Roles: []access.Role{access.ReferralsAdmin}, Global: true}
	for i := range 125 {
		line := fmt.Sprintf("deal receive kind=ip name=\"Deal %d *Q4* _x_\" value=60000 currency=EUR close=2031-03-01 "+
			"customer=\"Fabrikam *Großhandel* _Ægir_ ~x~ `y` | <@U123> <!channel> & co\" customer_location=SE account=managed "+
			"location=1234567 from=microsoft notes=\"R&D :tada: > 2026\"", i+1)
		if r := e.svc.Run(t.Context(), admin, chatPlace, line); !r.OK() {
			t.Fatalf("deal %d: %+v", i+1, r.Err)
		}
	}
	want := e.svc.Run(t.Context(), admin, chatPlace, "deal list format=csv")
	f, ok := want.Data["file"].(command.File)
	if !want.OK() || !ok {
		t.Fatalf("no CSV: %+v", want)
	}

	_, m := e.command("U_ANA", "deal list format=csv")
	raw, _ := json.Marshal(m)
	var msg map[string]any
	_ = json.Unmarshal(raw, &msg)
	if errs := slacktest.CheckMessage(msg); len(errs) > 0 {
		t.Fatalf("Slack would refuse the answer: %v", errs)
	}
	blocks := blocksOf(t, m)
	if len(blocks) < 5 {
		t.Fatalf("%d blocks: the test needs a CSV over many sections", len(blocks))
	}
	unescape := strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">").Replace
	var csv []string
	for i, b := range blocks {
		bm, _ := b.(map[string]any)
		tm, _ := bm["text"].(map[string]any)
		typ, _ := tm["type"].(string)
		s, _ := tm["text"].(string)
		if i == 0 {
			if typ != "plain_text" || !strings.HasPrefix(s, "125 deals as CSV (") {
				t.Errorf("heading: %s %q", typ, s)
			}
			continue
		}
		inner, ok := strings.CutPrefix(s, "```\n")
		if ok {
			inner, ok = strings.CutSuffix(inner, "\n```")
		}
		if bm["type"] != "section" || typ != "mrkdwn" || !ok || strings.Contains(inner, "```") {
			t.Fatalf("block %d is not a whole code block: %v %s %.200q", i, bm["type"], typ, s)
		}
		if strings.Contains(inner, "<") {
			t.Fatalf("block %d: an unescaped < could make a mention: %.200q", i, inner)
		}
		csv = append(csv, unescape(inner))
	}
	if got := strings.Join(csv, "\n") + "\n"; got != f.Content {
		t.Errorf("the CSV in Slack is not the export:\n%.300q\nwant\n%.300q", got, f.Content)
	}
}
