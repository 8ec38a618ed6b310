package slack

import (
	"strings"
	"testing"
)

// people answers as users.info would for two members: U0ANA, who set no
// display name, and U0BO, shown as "bo".
func people(id string) (Mention, bool) {
	switch id {
	case "U0ANA":
		return Mention{Name: "Ana Lind", Person: "Ana Lind <ana@contoso.com> +46 70 123"}, true
	case "U0BO":
		return Mention{Name: "Bo Ek", Display: "bo", Person: "Bo Ek <bo@x.example> +1 555 0100"}, true
	}
	return Mention{}, false
}

// TestDecode feeds text as Slack sends it with should_escape: true.
func TestDecode(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"deal show 1", "deal show 1"},
		{`deal edit 1 notes="R&amp;D &lt;3 &gt; all"`, `deal edit 1 notes="R&D <3 > all"`},
		{`deal team add 1 "Ana &lt;<mailto:ana@contoso.com|ana@contoso.com>&gt; +46 70 123"`, `deal team add 1 "Ana <ana@contoso.com> +46 70 123"`},
		{"subscribe <#C0123ABCD|sales> location=1", "subscribe <#C0123ABCD|sales> location=1"},
		{"deal team add 1 <@U0ANA>", `deal team add 1 "Ana Lind <ana@contoso.com> +46 70 123"`},
		{`deal accept 1 team="<@U0ANA>; Bo &lt;<mailto:bo@x.example|bo@x.example>&gt; +1"`, `deal accept 1 team="Ana Lind <ana@contoso.com> +46 70 123; Bo <bo@x.example> +1"`},
		{"deal team add 1 <@U0CY|cy>", "deal team add 1 @cy"},
		{"faq see <https://partner.microsoft.com|partner.microsoft.com>", "faq see partner.microsoft.com"},
		{"faq see <https://example.com/a?b=1&amp;c=2>", "faq see https://example.com/a?b=1&c=2"},
		{"hi <!here> and <!subteam^S1|@sales>", "hi @here and @sales"},
		{"a &amp;lt; b", "a &lt; b"},
		{"a & b", "a & b"},
		{"broken <token", "broken <token"},
	} {
		if got := Decode(tt.in, people); got != tt.want {
			t.Errorf("Decode(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// A mention means the member's profile only where the command takes a
// person: team=, contact= and the person of deal team add. In free text
// (notes, a name, a reason, a question) it reads @ and the name Slack
// shows, never the e-mail and phone that users.info gives the bot.
func TestDecodeMentionsByPlace(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"notes, quoted", `deal edit 3 notes="who is <@U0ANA> and <@U0BO|bo>"`, `deal edit 3 notes="who is @Ana Lind and @bo"`},
		{"notes, bare", `deal edit 3 notes=<@U0ANA>`, `deal edit 3 notes="@Ana Lind"`},
		{"display name preferred", `deal edit 3 notes=<@U0BO>`, `deal edit 3 notes=@bo`},
		{"name with a channel mention", `deal new kind=ip name="<!channel> hi <@U0BO|bo>" ` + `team=<@U0ANA>`,
			`deal new kind=ip name="@channel hi @bo" team="Ana Lind <ana@contoso.com> +46 70 123"`},
		{"reason", `deal lost 3 reason="<@U0ANA> said no"`, `deal lost 3 reason="@Ana Lind said no"`},
		{"customer", `deal receive customer=<@U0ANA> team=<@U0BO>`, `deal receive customer="@Ana Lind" team="Bo Ek <bo@x.example> +1 555 0100"`},
		{"contact is a person", `deal invite 3 microsoft contact="<@U0BO>" consent=yes notes=<@U0BO>`,
			`deal invite 3 microsoft contact="Bo Ek <bo@x.example> +1 555 0100" consent=yes notes=@bo`},
		{"key in capitals", `deal edit 3 TEAM=<@U0ANA>`, `deal edit 3 TEAM="Ana Lind <ana@contoso.com> +46 70 123"`},
		{"a question", `who is <@U0ANA>?`, `who is "@Ana Lind"?`},
		{"a word of another verb", `user add <@U0ANA>`, `user add "@Ana Lind"`},
		{"team remove takes the name", `deal team remove 3 <@U0ANA>`, `deal team remove 3 "Ana Lind"`},
		{"the ID of team add is no person", `deal team add <@U0ANA> x`, `deal team add "@Ana Lind" x`},
		{"unknown member keeps the label", `deal edit 3 notes="hi <@U0XX|xx>" team=<@U0XX>`, `deal edit 3 notes="hi @xx" team=@U0XX`},
		{"an escaped quote does not end the value", `deal edit 3 notes="say \"x\" <@U0ANA>" team=<@U0BO>`,
			`deal edit 3 notes="say \"x\" @Ana Lind" team="Bo Ek <bo@x.example> +1 555 0100"`},
		{"typographic quotes", "deal edit 3 notes=\u201cask <@U0ANA>\u201d team=\u201c<@U0BO>\u201d",
			"deal edit 3 notes=\u201cask @Ana Lind\u201d team=\u201cBo Ek <bo@x.example> +1 555 0100\u201d"},
		{"team= inside a quoted note is text", `deal edit 3 notes="team=<@U0ANA>"`, `deal edit 3 notes="team=@Ana Lind"`},
		{"a space inside a token", `deal edit 3 notes=<@U0BO|bo ek> x=1`, `deal edit 3 notes="@bo ek" x=1`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Decode(tt.in, people); got != tt.want {
				t.Errorf("Decode(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// Free text asks users.info nothing when Slack gave the name with the
// mention: the lookup is for people values and bare ids only.
func TestDecodeLooksUpOnlyWhatItNeeds(t *testing.T) {
	var asked []string
	lookup := func(id string) (Mention, bool) { asked = append(asked, id); return people(id) }
	Decode(`deal edit 3 notes="<@U0BO|bo> <@U0ANA>" team=<@U0BO|bo>`, lookup)
	if got := strings.Join(asked, ","); got != "U0ANA,U0BO" {
		t.Errorf("looked up %s, want U0ANA (no label) then U0BO (team=)", got)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(`deal edit 1 notes="a &amp; <@U1|x> <#C1|s>"`)
	f.Add("deal team add 1 <@U1> team=\u201c<@U2>\u201d notes=\"\\\"<@U3>\"")
	f.Fuzz(func(t *testing.T, s string) {
		_ = Decode(s, func(string) (Mention, bool) {
			return Mention{Name: `A "q"`, Display: "a\u201dq", Person: `A "q" <a@b> +1`}, true
		})
	})
}
