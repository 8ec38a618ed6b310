package slack

import (
	"strings"
	"testing"
)

// people answers as users.info would for three members: U0ANA, who set no
// display name, U0BO, shown as "bo", and U0DI, whose profile has a display
// name only.
func people(id string) (Mention, bool) {
	switch id {
	case "U0ANA":
		return Mention{Name: "Ana Lind", Person: "Ana Lind <ana@contoso.com> +46 70 123"}, true
	case "U0BO":
		return Mention{Name: "Bo Ek", Display: "bo", Person: "Bo Ek <bo@x.example> +1 555 0100"}, true
	case "U0DI":
		return Mention{Display: "di", Person: "di <di@x.example> +1 555 0101"}, true
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
		{"unsubscribe location=1 <#C0123ABCD|sales>", "unsubscribe location=1 <#C0123ABCD|sales>"},
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
// (notes, a name, a reason, a question) it reads @ and the member's name
// (their profile's, as README says: "@Ana Diaz"; not the label of Slack's
// escape), never the e-mail and phone that users.info gives the bot. A
// channel in free text reads # and its name, as Slack shows it.
func TestDecodeMentionsByPlace(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"notes, quoted", `deal edit 3 notes="who is <@U0ANA> and <@U0BO|bo>"`, `deal edit 3 notes="who is @Ana Lind and @Bo Ek"`},
		{"notes, bare", `deal edit 3 notes=<@U0ANA>`, `deal edit 3 notes="@Ana Lind"`},
		{"profile name preferred", `deal edit 3 notes=<@U0BO>`, `deal edit 3 notes="@Bo Ek"`},
		{"display name without a profile name", `deal edit 3 notes="<@U0DI|dee> <@U0DI>"`, `deal edit 3 notes="@di @di"`},
		{"name with a channel mention", `deal new kind=ip name="<!channel> hi <@U0BO|bo>" ` + `team=<@U0ANA>`,
			`deal new kind=ip name="@channel hi @Bo Ek" team="Ana Lind <ana@contoso.com> +46 70 123"`},
		{"channel in notes", `deal edit 11 notes="ping <@U2|bo> and <!channel> &amp; <#C9|sales>"`, `deal edit 11 notes="ping @bo and @channel & #sales"`},
		{"channel bare, without a label", `deal edit 11 notes=<#C9ABCDEF> reason=<#C9|sales>`, `deal edit 11 notes=#C9ABCDEF reason=#sales`},
		{"channel as a word of another verb", `faq what is <#C9|sales>`, `faq what is #sales`},
		{"reason", `deal lost 3 reason="<@U0ANA> said no"`, `deal lost 3 reason="@Ana Lind said no"`},
		{"customer", `deal receive customer=<@U0ANA> team=<@U0BO>`, `deal receive customer="@Ana Lind" team="Bo Ek <bo@x.example> +1 555 0100"`},
		{"contact is a person", `deal invite 3 microsoft contact="<@U0BO>" consent=yes notes=<@U0BO>`,
			`deal invite 3 microsoft contact="Bo Ek <bo@x.example> +1 555 0100" consent=yes notes="@Bo Ek"`},
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
		{"a space inside a token", `deal edit 3 notes=<@U0BO|bo ek> x=1`, `deal edit 3 notes="@Bo Ek" x=1`},
		{"unknown member, a space in the label", `deal edit 3 notes=<@U0XX|x y> x=1`, `deal edit 3 notes="@x y" x=1`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Decode(tt.in, people); got != tt.want {
				t.Errorf("Decode(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// Each member is asked about once per command, however often mentioned
// and wherever (free text or a person): the caller's bound on users.info
// lookups counts members, not mentions.
func TestDecodeLooksUpEachMemberOnce(t *testing.T) {
	var asked []string
	lookup := func(id string) (Mention, bool) { asked = append(asked, id); return people(id) }
	got := Decode(`deal edit 3 notes="<@U0BO|bo> <@U0ANA> <@U0XX|xx> <@U0BO>" team=<@U0BO|bo> reason=<@U0XX>`, lookup)
	if s := strings.Join(asked, ","); s != "U0BO,U0ANA,U0XX" {
		t.Errorf("looked up %s, want U0BO, U0ANA and U0XX once each", s)
	}
	if want := `deal edit 3 notes="@Bo Ek @Ana Lind @xx @Bo Ek" team="Bo Ek <bo@x.example> +1 555 0100" reason=@U0XX`; got != want {
		t.Errorf("Decode\n got %q\nwant %q", got, want)
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
