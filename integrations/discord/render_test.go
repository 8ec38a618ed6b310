package discord

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cosellbot/cosellbot/bot/chat"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

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

const card = `Deal #1 Fabrikam_BI
P2P · inbound · co-sell
Team: Ana Diaz <ana@contoso.com> +46 70 123 45 67
Notes: *urgent* ~maybe~ @everyone`

func TestRenderGolden(t *testing.T) {
	long := strings.Repeat("#12 Contoso rollout · P2P · accepted 20% · 25,000 USD · close 2031-06-30\n", 100)
	tests := []struct {
		name    string
		text    string
		actions []chat.Action
		refused bool
	}{
		{"received", card, []chat.Action{
			{Label: "Accept", Command: "deal accept 1", Style: "primary"},
			{Label: "Decline", Command: "deal decline 1", Style: "danger", Ask: []string{"reason"}},
		}, false},
		{"many_actions", "Deal #1", []chat.Action{
			{Label: "Next stage: Qualified", Command: "deal stage 1 qualified", Style: "primary"},
			{Label: "Won", Command: "deal won 1", Style: "primary"},
			{Label: "Lost", Command: "deal lost 1", Style: "danger", Ask: []string{"reason"}},
			{Label: "Favorite", Command: "deal fav 1"},
			{Label: "A long one", Command: "deal edit 1 notes=" + strings.Repeat("x", 120)},
			{Label: "Sixth", Command: "deal show 1"},
		}, false},
		{"refused", "✗ value: \"lots\" is not an amount", nil, true},
		{"long_list", "100 open deals:\n" + long, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Render(tt.text, tt.actions, tt.refused)
			var got bytes.Buffer
			enc := json.NewEncoder(&got)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(m); err != nil {
				t.Fatal(err)
			}
			golden(t, "render_"+tt.name, got.Bytes())
			total := 0
			for _, e := range m.Embeds {
				n := utf8.RuneCountInString(e.Description)
				if n > chunkLimit {
					t.Errorf("an embed of %d characters", n)
				}
				total += n
			}
			if total > embedTotal || len(m.Embeds) > maxEmbeds {
				t.Errorf("%d characters in %d embeds", total, len(m.Embeds))
			}
			for id := range m.IDs {
				if len(id) > CustomIDLimit {
					t.Errorf("custom_id %q is longer than %d", id, CustomIDLimit)
				}
			}
		})
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		text  string
		limit int
		want  []string
	}{
		{"a\nb", 10, []string{"a\nb"}},
		{"aaaa\nbbbb\ncc", 9, []string{"aaaa\nbbbb", "cc"}},
		{"aaa bbb ccc", 8, []string{"aaa bbb", "ccc"}},
		{`xxxxxxx\*yy`, 8, []string{"xxxxxxx", `\*yy`}},
	}
	for _, tt := range tests {
		if got := split(tt.text, tt.limit); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("split(%q, %d) = %q, want %q", tt.text, tt.limit, got, tt.want)
		}
	}
}

// FuzzSplit: every chunk fits, no chunk ends with a lone escaping
// backslash, and only whitespace at cuts is lost.
func FuzzSplit(f *testing.F) {
	f.Add("Deal #1 *bold* <ana@contoso.com>\nline two", 9)
	f.Add(strings.Repeat(`\\*`, 40), 8)
	f.Fuzz(func(t *testing.T, text string, limit int) {
		if limit < 8 || limit > 4000 || !utf8.ValidString(text) {
			t.Skip()
		}
		escaped := markdown.Replace(text)
		chunks := split(escaped, limit)
		for _, c := range chunks {
			if n := utf8.RuneCountInString(c); n > limit {
				t.Fatalf("chunk of %d > %d", n, limit)
			}
			trailing := len(c) - len(strings.TrimRight(c, `\`))
			if trailing%2 == 1 {
				t.Fatalf("chunk ends with a lone backslash: %q", c)
			}
		}
		squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
		if squash(escaped) == "" {
			return // an embed holds at least a zero-width space
		}
		if squash(strings.Join(chunks, "")) != squash(escaped) {
			t.Fatalf("split lost text")
		}
	})
}

func TestCutShare(t *testing.T) {
	for in, want := range map[string][2]string{
		"deal list --share":      {"deal list", "true"},
		"deal list":              {"deal list", "false"},
		"--share":                {"", "true"},
		"notes=x--share":         {"notes=x--share", "false"},
		"  deal show 1 --share ": {"deal show 1", "true"},
	} {
		line, share := cutShare(in)
		if line != want[0] || (share && want[1] != "true") || (!share && want[1] != "false") {
			t.Errorf("cutShare(%q) = %q, %v", in, line, share)
		}
	}
}

// The last chunk counts toward the 6,000 characters of all embeds too: a
// 50-line list of long names used to go over (and Discord refused it).
func TestRenderLastChunkWithinTotal(t *testing.T) {
	var b strings.Builder
	for i := range 50 {
		fmt.Fprintf(&b, "#%d %s · IP co-sell · received · expires in 3 days\n", i+1, strings.Repeat("Fabrikam Northwind Contoso ", 5))
	}
	// Chunks of 1,999, 1,999 and 1,899 characters leave room for the note
	// but not for a last chunk of 1,499.
	exact := strings.Repeat("a", 1999) + "\n" + strings.Repeat("b", 1999) + "\n" + strings.Repeat("c", 1899) + "\n" + strings.Repeat("d", 1499)
	for _, text := range []string{b.String(), exact, strings.Repeat("x", 5999), strings.Repeat("line of text\n", 470)} {
		m := Render(text, nil, false)
		total := 0
		for _, e := range m.Embeds {
			total += utf8.RuneCountInString(e.Description)
		}
		if total > 6000 || len(m.Embeds) > 10 {
			t.Errorf("%d embeds of %d characters together, over Discord's 10 and 6,000", len(m.Embeds), total)
		}
	}
}

// A web address is shown as it is, so the link Discord makes of it opens
// it (a sign-in token holds _); the text around it stays literal.
func TestWebAddressesStayLinks(t *testing.T) {
	link := "https://cosellbot.example.com/web/signin?t=Ab_cD-ef_Gh"
	m := Render("Sign in: "+link+". *Not bold* _nor italic_", nil, false)
	desc := m.Embeds[0].Description
	if !strings.Contains(desc, link+".") || !strings.Contains(desc, `\*Not bold\*`) || !strings.Contains(desc, `\_nor italic\_`) {
		t.Errorf("description %q: want the address as is and the rest escaped", desc)
	}
}
