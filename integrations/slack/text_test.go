package slack

import "testing"

// TestDecode feeds text as Slack sends it with should_escape: true.
func TestDecode(t *testing.T) {
	people := func(id string) (string, bool) {
		if id == "U0ANA" {
			return "Ana Lind <ana@contoso.com> +46 70 123", true
		}
		return "", false
	}
	for _, tt := range []struct{ in, want string }{
		{"deal show 1", "deal show 1"},
		{`deal edit 1 notes="R&amp;D &lt;3 &gt; all"`, `deal edit 1 notes="R&D <3 > all"`},
		{`deal team add 1 "Ana &lt;<mailto:ana@contoso.com|ana@contoso.com>&gt; +46 70 123"`, `deal team add 1 "Ana <ana@contoso.com> +46 70 123"`},
		{"subscribe <#C0123ABCD|sales> location=1", "subscribe <#C0123ABCD|sales> location=1"},
		{"deal team add 1 <@U0ANA>", `deal team add 1 "Ana Lind <ana@contoso.com> +46 70 123"`},
		{`deal accept 1 team="<@U0ANA>; Bo &lt;<mailto:bo@x.example|bo@x.example>&gt; +1"`, `deal accept 1 team="Ana Lind <ana@contoso.com> +46 70 123; Bo <bo@x.example> +1"`},
		{"deal team add 1 <@U0BO|bo>", "deal team add 1 @bo"},
		{"faq see <https://partner.microsoft.com|partner.microsoft.com>", "faq see partner.microsoft.com"},
		{"faq see <https://example.com/a?b=1&amp;c=2>", "faq see https://example.com/a?b=1&c=2"},
		{"hi <!here> and <!subteam^S1|@sales>", "hi @here and @sales"},
		{"a &amp;lt; b", "a &lt; b"},
		{"broken <token", "broken <token"},
	} {
		if got := Decode(tt.in, people); got != tt.want {
			t.Errorf("Decode(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(`deal edit 1 notes="a &amp; <@U1|x> <#C1|s>"`)
	f.Fuzz(func(t *testing.T, s string) {
		_ = Decode(s, func(string) (string, bool) { return `A "q" <a@b> +1`, true })
	})
}
