package slack

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/cosellbot/cosellbot/bot/chat"
	printable "github.com/cosellbot/cosellbot/bot/escape"
	"github.com/cosellbot/cosellbot/integrations/slack/slacktest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name.golden, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the golden file; run go test -update and review the diff\ngot:\n%s", path, got)
	}
}

const card = `Recorded inbound referral deal #1: received P2P referral from Microsoft for Fabrikam AB; expires 2026-12-06.
Deal #1 Fabrikam BI
P2P · inbound · co-sell
Status: received · Stage: —
Customer: Fabrikam AB (SE, managed) · Location: 1234567
Team: Ana Diaz <ana@contoso.com> +46 70 123 45 67
Answer by 2026-12-06 22:35 UTC (in 14 days) or it expires
Notes: R&D *budget* > 2026`

func TestBlocksGolden(t *testing.T) {
	long := strings.Repeat("#12 Contoso rollout · P2P · accepted 20% · 25,000 USD · close 2031-06-30\n", 80)
	tests := []struct {
		name    string
		text    string
		actions []chat.Action
	}{
		{"received", card, []chat.Action{
			{Label: "Accept", Command: "deal accept 1", Style: "primary"},
			{Label: "Decline", Command: "deal decline 1", Style: "danger", Ask: []string{"reason"}},
		}},
		{"accepted", "Deal #1: accepted \"Fabrikam BI\".", []chat.Action{
			{Label: "Next stage: Qualified", Command: "deal stage 1 qualified", Style: "primary"},
			{Label: "Won", Command: "deal won 1", Style: "primary", Confirm: "Mark deal #1 won? A won deal is closed for good: it cannot be reopened or edited."},
			{Label: "Lost", Command: "deal lost 1", Style: "danger", Ask: []string{"reason"}},
			{Label: "Favorite", Command: "deal fav 1"},
		}},
		{"refused", "✗ 2 things to fix:\n  • value: \"lots\" is not an amount\n  • close: \"someday\" is not a date", nil},
		{"long_list", "80 open deals:\n" + long, nil},
		{"literal", "Deal #2: accepted \"Q4 *push*\".\nCustomer: Fabrikam *Großhandel* _Ægir_ ~x~ `y` | z\nNotes: ask <@U123>, <!channel> :tada: R&D > 2026", nil},
		{"web", "Your pipeline page: https://cosell.example/signin?t=Zm9v_YmFy&u=ana\nThe link signs you in once, within 15 minutes; keep it to yourself. The session lasts 12 hours.", nil},
		{"csv", "2 deals as CSV: download the file from https://cosell.example/deals.csv?status=all (sign in with /cosell web first), or copy it from here (cosellbot-deals-all-2026-11-22.csv):\n```\n" +
			"id,name,customer\n1,Deal *Q4* _x_,\"Fabrikam <@U123> & co\"\n2,`y`,~z~\n```", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks := Blocks(tt.text, tt.actions, messageBlocks)
			var got bytes.Buffer
			enc := json.NewEncoder(&got)
			enc.SetEscapeHTML(false) // keep &lt; readable in the golden file
			enc.SetIndent("", "  ")
			if err := enc.Encode(blocks); err != nil {
				t.Fatal(err)
			}
			golden(t, "blocks_"+tt.name, got.Bytes())
			for _, b := range blocks {
				raw, _ := json.Marshal(b)
				var sec struct {
					Type string `json:"type"`
					Text struct {
						Text string `json:"text"`
					} `json:"text"`
				}
				_ = json.Unmarshal(raw, &sec)
				if sec.Type == "section" && utf8.RuneCountInString(sec.Text.Text) > sectionLimit {
					t.Errorf("a section of %d characters", utf8.RuneCountInString(sec.Text.Text))
				}
			}
			if len(blocks) > messageBlocks {
				t.Errorf("%d blocks", len(blocks))
			}
		})
	}
}

// A text longer than a message holds ends with a note, within 50 blocks.
func TestBlocksTruncate(t *testing.T) {
	text := strings.Repeat(strings.Repeat("x", 2999)+"\n", 60)
	blocks := Blocks(text, []chat.Action{{Label: "Won", Command: "deal won 1"}}, messageBlocks)
	if len(blocks) != messageBlocks {
		t.Fatalf("%d blocks, want %d", len(blocks), messageBlocks)
	}
	raw, _ := json.Marshal(blocks[len(blocks)-2])
	if !strings.Contains(string(raw), "does not fit") {
		t.Errorf("no truncation note: %s", raw)
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{"fits", "a\nb", 10, []string{"a\nb"}},
		{"between lines", "aaaa\nbbbb\ncc", 9, []string{"aaaa\nbbbb", "cc"}},
		{"long line at a space", "aaa bbb ccc", 8, []string{"aaa bbb", "ccc"}},
		{"never inside an entity", "xxxxxx&lt;yy", 8, []string{"xxxxxx", "&lt;yy"}},
		{"empty", "", 5, []string{" "}},
	}
	for _, tt := range tests {
		got := split(tt.text, tt.limit)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: split(%q, %d) = %q, want %q", tt.name, tt.text, tt.limit, got, tt.want)
		}
	}
}

// FuzzSplit: whatever the text, every chunk fits, no entity is cut, and
// nothing but the whitespace at cuts is lost.
func FuzzSplit(f *testing.F) {
	f.Add("Deal #1 <ana@contoso.com> & co\nline two", 12)
	f.Add(strings.Repeat("&amp;", 30), 8)
	f.Fuzz(func(t *testing.T, text string, limit int) {
		if limit < 8 || limit > 4000 || !utf8.ValidString(text) {
			t.Skip()
		}
		escaped := escape(text)
		chunks := split(escaped, limit)
		for _, c := range chunks {
			if n := utf8.RuneCountInString(c); n > limit {
				t.Fatalf("chunk of %d > %d", n, limit)
			}
			if i := strings.LastIndex(c, "&"); i >= 0 && !strings.Contains(c[i:], ";") {
				t.Fatalf("chunk ends inside an entity: %q", c)
			}
		}
		squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
		if squash(strings.Join(chunks, "")) != squash(escaped) {
			t.Fatalf("split lost text:\n%q\n%q", chunks, escaped)
		}
	})
}

// sec is a section as Slack reads it.
type sec struct {
	Type, Text string
	Emoji      *bool
}

// sectionsOf decodes the sections among blocks, in order.
func sectionsOf(t *testing.T, blocks []slackapi.Block) []sec {
	t.Helper()
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var bs []struct {
		Type string `json:"type"`
		Text struct {
			Type  string `json:"type"`
			Text  string `json:"text"`
			Emoji *bool  `json:"emoji"`
		} `json:"text"`
	}
	if err := json.Unmarshal(raw, &bs); err != nil {
		t.Fatal(err)
	}
	var out []sec
	for _, b := range bs {
		if b.Type == "section" {
			out = append(out, sec{b.Text.Type, b.Text.Text, b.Text.Emoji})
		}
	}
	return out
}

// checkLimits applies the checks the Slack fake makes (slacktest) and the
// container's block limit.
func checkLimits(t *testing.T, blocks []slackapi.Block, maxBlocks int) {
	t.Helper()
	if len(blocks) > maxBlocks {
		t.Errorf("%d blocks, over %d", len(blocks), maxBlocks)
	}
	raw, _ := json.Marshal(blocks)
	var generic []any
	_ = json.Unmarshal(raw, &generic)
	for _, e := range slacktest.CheckBlocks(generic) {
		t.Error(e)
	}
}

// Data reads exactly as typed: a reply is plain text, so its sections are
// plain_text (no formatting, no entities, no mentions, no :emoji: codes),
// except a line holding a web address and nothing mrkdwn would format,
// which is mrkdwn so that the address is a link, everything else on it
// escaped.
func TestBlocksLiteral(t *testing.T) {
	const plain, md = "plain_text", "mrkdwn"
	tests := []struct {
		name string
		text string
		want []sec
	}{
		{"formatting characters", "Customer: Fabrikam *Großhandel* _Ægir_ ~x~ `y` | a|b",
			[]sec{{Type: plain, Text: "Customer: Fabrikam *Großhandel* _Ægir_ ~x~ `y` | a|b"}}},
		{"a team line", "Team: Ana Diaz <ana@contoso.com> +46 70 123 45 67; Bo *B* <bo@x.example>",
			[]sec{{Type: plain, Text: "Team: Ana Diaz <ana@contoso.com> +46 70 123 45 67; Bo *B* <bo@x.example>"}}},
		{"mentions stay text", "Notes: ask <@U123> and <!channel>, <!here>, <!subteam^S1|@sales>, <#C1|sales>, @everyone",
			[]sec{{Type: plain, Text: "Notes: ask <@U123> and <!channel>, <!here>, <!subteam^S1|@sales>, <#C1|sales>, @everyone"}}},
		{"entities as typed", "Notes: R&amp;D &lt;3 & <b>", []sec{{Type: plain, Text: "Notes: R&amp;D &lt;3 & <b>"}}},
		{"emoji codes as typed", "Reminder: :tada: *launch* ✓", []sec{{Type: plain, Text: "Reminder: :tada: *launch* ✓"}}},
		{"a quote and a list marker", "> not a quote\n• not a list\n1. not a list", []sec{{Type: plain, Text: "> not a quote\n• not a list\n1. not a list"}}},
		{"control characters shown", "Deal \x1b[31mred\u202e", []sec{{Type: plain, Text: `Deal \x1b[31mred\u202e`}}},
		{"a sign-in link", "Your pipeline page: https://cosell.example/signin?t=a_b*c_&u=1\nThe link signs you in once, within 15 minutes; keep it to yourself.",
			[]sec{
				{Type: md, Text: "Your pipeline page: <https://cosell.example/signin?t=a_b*c_&amp;u=1>"},
				{Type: plain, Text: "The link signs you in once, within 15 minutes; keep it to yourself."},
			}},
		{"a link among data", "Deal #1 *Q4*\nNotes: see https://x.example/a_b. Ask <@U1> & co.\nTeam: Ana <ana@x.example>",
			[]sec{
				{Type: plain, Text: "Deal #1 *Q4*"},
				{Type: md, Text: "Notes: see <https://x.example/a_b>. Ask &lt;@U1&gt; &amp; co."},
				{Type: plain, Text: "Team: Ana <ana@x.example>"},
			}},
		{"formatting beside a link stays literal", "Notes: *urgent*, see https://x.example/a\nNotes: :tada: https://x.example/b\n> https://x.example/c",
			[]sec{{Type: plain, Text: "Notes: *urgent*, see https://x.example/a\nNotes: :tada: https://x.example/b\n> https://x.example/c"}}},
		{"the setup hint", "✗ web: an operator sets COSELLBOT_PUBLIC_URL, e.g. https://cosellbot.example.com",
			[]sec{{Type: plain, Text: "✗ web: an operator sets COSELLBOT_PUBLIC_URL, e.g. https://cosellbot.example.com"}}},
		{"an address in brackets", "(e.g. https://cosellbot.example.com)", []sec{{Type: md, Text: "(e.g. <https://cosellbot.example.com>)"}}},
		{"no address, no link", "see http:// or ftp://x.example or <https://x.example|label>",
			[]sec{{Type: md, Text: "see http:// or ftp://x.example or &lt;<https://x.example>|label&gt;"}}},
		{"an unclosed fence is text", "```\n*a*", []sec{{Type: plain, Text: "```\n*a*"}}},
		{"a fenced block", "1 deal as CSV (d.csv):\n```\nname,customer\n*a*,<@U1> & _b_\n```",
			[]sec{
				{Type: plain, Text: "1 deal as CSV (d.csv):"},
				{Type: md, Text: "```\nname,customer\n*a*,&lt;@U1&gt; &amp; _b_\n```"},
			}},
		{"a fence inside the block", "x:\n```\na```b\n```", []sec{{Type: plain, Text: "x:"}, {Type: plain, Text: "a```b"}}},
		{"empty", "", []sec{{Type: plain, Text: " "}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks := Blocks(tt.text, nil, messageBlocks)
			checkLimits(t, blocks, messageBlocks)
			got := sectionsOf(t, blocks)
			for i := range got {
				if got[i].Type == plain && (got[i].Emoji == nil || *got[i].Emoji) {
					t.Errorf("section %d: plain_text without emoji: false", i)
				}
				got[i].Emoji = nil
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d sections %+v, want %+v", len(got), got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("section %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// csvText is a CSV export as deal list format=csv answers it
// (bot/command/export.go): n rows of awkward data.
func csvText(t *testing.T, n int, link string) (text, content string) {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"id", "name", "customer", "notes", "team"})
	for i := range n {
		_ = w.Write([]string{strconv.Itoa(i + 1), fmt.Sprintf("Deal %d *Q4* _x_", i+1), "Fabrikam *Großhandel* _Ægir_ ~x~ `y` | z",
			"R&D <b> \"quoted\", <@U123> <!channel> :tada:", "Ana Diaz <ana@contoso.com> +46 70 123 45 67"})
	}
	w.Flush()
	content = b.String()
	if link != "" {
		return fmt.Sprintf("%d deals as CSV: download the file from %s (sign in with /cosell web first), or copy it from here (cosellbot-deals-open-2026-11-22.csv):\n```\n%s```", n, link, content), content
	}
	return fmt.Sprintf("%d deals as CSV (cosellbot-deals-open-2026-11-22.csv):\n```\n%s```", n, content), content
}

// codeContents checks that every section after the first is a whole code
// block and returns their contents, unescaped.
func codeContents(t *testing.T, secs []sec) []string {
	t.Helper()
	var out []string
	for i, s := range secs[1:] {
		inner, ok := strings.CutPrefix(s.Text, "```\n")
		if ok {
			inner, ok = strings.CutSuffix(inner, "\n```")
		}
		if s.Type != "mrkdwn" || !ok || strings.Contains(inner, "```") {
			t.Fatalf("section %d is not a whole code block: %s %q", i+1, s.Type, clipped(s.Text))
		}
		out = append(out, entities.Replace(inner))
	}
	return out
}

func clipped(s string) string { return chat.Clip(s, 200) }

// A CSV longer than a section is a whole code block in every section that
// holds part of it, and its lines copy back exactly.
func TestBlocksCSV(t *testing.T) {
	tests := []struct {
		name, link string
		rows       int
		first      sec
	}{
		{"125 deals", "", 125, sec{Type: "plain_text", Text: "125 deals as CSV (cosellbot-deals-open-2026-11-22.csv):"}},
		{"with a download link", "https://cosell.example/deals.csv?status=all&q=x", 60,
			sec{Type: "mrkdwn", Text: "60 deals as CSV: download the file from <https://cosell.example/deals.csv?status=all&amp;q=x> (sign in with /cosell web first), or copy it from here (cosellbot-deals-open-2026-11-22.csv):"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, content := csvText(t, tt.rows, tt.link)
			blocks := Blocks(text, nil, messageBlocks)
			checkLimits(t, blocks, messageBlocks)
			secs := sectionsOf(t, blocks)
			if len(secs) < 3 {
				t.Fatalf("%d sections: the test needs a CSV over several", len(secs))
			}
			if got := secs[0]; got.Type != tt.first.Type || got.Text != tt.first.Text {
				t.Errorf("first section %+v, want %+v", got, tt.first)
			}
			parts := codeContents(t, secs)
			if got := strings.Join(parts, "\n") + "\n"; got != content {
				t.Errorf("the CSV does not copy back:\n%s\nwant\n%s", clipped(got), clipped(content))
			}
			row := regexp.MustCompile(`^(id|\d+),`)
			for i, p := range parts {
				if !row.MatchString(p) {
					t.Errorf("part %d starts inside a line: %q", i, clipped(p))
				}
			}
		})
	}

	t.Run("too long for a message", func(t *testing.T) {
		text, _ := csvText(t, 2000, "")
		for _, max := range []int{messageBlocks, homeBlocks} {
			blocks := Blocks(text, []chat.Action{{Label: "Next page", Command: "deal list page=2"}}, max)
			checkLimits(t, blocks, max)
			secs := sectionsOf(t, blocks)
			if n := len(blocks); n != max {
				t.Errorf("%d blocks, want the %d that fit", n, max)
			}
			last := secs[len(secs)-1]
			if !strings.Contains(last.Text, "does not fit") {
				t.Errorf("no note at the end: %q", clipped(last.Text))
			}
			codeContents(t, secs[:len(secs)-1])
		}
	})

	t.Run("a line longer than a section", func(t *testing.T) {
		long := strings.Repeat("a&b<c>*d_ ", 700) // 7,000 characters, 9,800 escaped
		text := "1 deal as CSV (x.csv):\n```\nid,notes\n1," + long + "\n2,x\n```"
		blocks := Blocks(text, nil, messageBlocks)
		checkLimits(t, blocks, messageBlocks)
		parts := codeContents(t, sectionsOf(t, blocks))
		if got, want := strings.Join(parts, ""), "id,notes1,"+long+"2,x"; strings.ReplaceAll(got, "\n", "") != want {
			t.Errorf("characters lost:\n%q\nwant\n%q", clipped(got), clipped(want))
		}
	})
}

// FuzzBlocks: whatever the text, every section holds 1 to 3,000
// characters, the blocks fit their container, mrkdwn escapes everything
// but links to web addresses (no mention can form) and holds nothing it
// would format outside a code block, every code section is a whole block,
// and no character is lost but whitespace at cuts and the fences that
// frame a block.
func FuzzBlocks(f *testing.F) {
	f.Add(card, 50)
	f.Add("Customer: Fabrikam *Großhandel* _Ægir_ ~x~ `y` <@U123> <!channel> &amp;", 100)
	f.Add("Your pipeline page: https://cosell.example/s?t=a&b=<c>\nkeep it", 50)
	f.Add("Notes: *a* https://x.example/_b_ :c: ~d~\n  > https://x.example\nhttps://x.example/`e`", 50)
	f.Add("x:\n```\na,b\n*c*,<@U1>\n```\ny\n```\n```\n```\n`\n```", 50)
	f.Add(strings.Repeat("https://x.example/"+strings.Repeat("a", 90)+" ", 40), 50)
	f.Add("```\n"+strings.Repeat("&amp;<>", 900)+"\n```", 3)
	f.Fuzz(func(t *testing.T, text string, maxBlocks int) {
		if maxBlocks < 2 || maxBlocks > homeBlocks || !utf8.ValidString(text) {
			t.Skip()
		}
		blocks := Blocks(text, nil, maxBlocks)
		checkLimits(t, blocks, maxBlocks)
		secs := sectionsOf(t, blocks)
		link := regexp.MustCompile(`<(https?://[^<>|\s]+)>`)
		var got strings.Builder
		truncated := false
		for _, s := range secs {
			if n := utf8.RuneCountInString(s.Text); n == 0 || n > sectionLimit {
				t.Fatalf("a section of %d characters", n)
			}
			if s.Type == "plain_text" {
				got.WriteString(s.Text + "\n")
				continue
			}
			if strings.Contains(s.Text, "does not fit in Slack") {
				truncated = true
				continue
			}
			if inner, ok := strings.CutPrefix(s.Text, "```\n"); ok {
				inner, ok = strings.CutSuffix(inner, "\n```")
				if !ok || strings.Contains(inner, "```") {
					t.Fatalf("a code section that is not one whole block: %q", s.Text)
				}
				got.WriteString(entities.Replace(inner) + "\n")
				continue
			}
			if rest := link.ReplaceAllString(s.Text, "L"); strings.ContainsAny(rest, "*_~`") || emojiCode.MatchString(rest) ||
				regexp.MustCompile(`(?m)^\s*&gt;`).MatchString(rest) {
				t.Fatalf("mrkdwn would format a section's text: %q", s.Text)
			}
			got.WriteString(entities.Replace(link.ReplaceAllString(s.Text, "$1")) + "\n")
		}
		if truncated {
			return
		}
		squash := func(s string) string { return strings.ReplaceAll(strings.Join(strings.Fields(s), ""), "`", "") }
		if squash(got.String()) != squash(printable.Text(text)) {
			t.Fatalf("text lost:\n%q\nfrom\n%q", got.String(), printable.Text(text))
		}
	})
}
