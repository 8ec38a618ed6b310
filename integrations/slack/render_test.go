package slack

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cosellbot/cosellbot/bot/chat"
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
			{Label: "Won", Command: "deal won 1", Style: "primary"},
			{Label: "Lost", Command: "deal lost 1", Style: "danger", Ask: []string{"reason"}},
			{Label: "Favorite", Command: "deal fav 1"},
		}},
		{"refused", "✗ 2 things to fix:\n  • value: \"lots\" is not an amount\n  • close: \"someday\" is not a date", nil},
		{"long_list", "80 open deals:\n" + long, nil},
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
