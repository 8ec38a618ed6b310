package slack

import (
	"strings"

	"github.com/cosellbot/cosellbot/bot/command"
)

// entities are the only three Slack escapes in text it sends (and reads):
// a literal &, < or > typed by a person arrives as &amp;, &lt; or &gt;,
// while real angle brackets mark Slack's own tokens (links, mentions).
var entities = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

// Decode turns text as Slack sends it (a slash command's text, with the
// manifest's should_escape: true) into what the person typed:
//   - <#C0123ABCD|sales>, a channel, stays as it is: subscribe reads it;
//   - <@U0123ABCD> or <@U0123ABCD|ana>, a person, becomes what person
//     says of them ("Name <email> +phone"), quoted as one value unless it
//     already stands inside quotes; without an answer, @ and the label;
//   - <mailto:a@b.example|a@b.example>, <https://…|label>: the label (what
//     was typed), else the address;
//   - <!here>, <!subteam^S1|@sales>: @here, the label;
//   - then &amp; &lt; &gt; become & < >.
//
// person may be nil.
func Decode(raw string, person func(id string) (string, bool)) string {
	var b strings.Builder
	quoted := false
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '<' {
			j := strings.IndexAny(raw[i:], "<\"")
			if j < 0 {
				b.WriteString(entities.Replace(raw[i:]))
				break
			}
			if j == 0 { // a quote
				quoted = !quoted
				b.WriteByte('"')
				i++
				continue
			}
			b.WriteString(entities.Replace(raw[i : i+j]))
			i += j
			continue
		}
		end := strings.IndexByte(raw[i:], '>')
		if end < 0 { // no token: Slack would have escaped a lone <
			b.WriteString(entities.Replace(raw[i:]))
			break
		}
		b.WriteString(token(raw[i+1:i+end], quoted, person))
		i += end + 1
	}
	return b.String()
}

// token renders the inside of one <…> token.
func token(in string, quoted bool, person func(string) (string, bool)) string {
	ref, label, _ := strings.Cut(in, "|")
	label = entities.Replace(label)
	switch {
	case strings.HasPrefix(ref, "#"):
		return "<" + in + ">"
	case strings.HasPrefix(ref, "@"):
		if person != nil {
			if p, ok := person(ref[1:]); ok {
				if quoted {
					return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(p)
				}
				return command.Quote(p)
			}
		}
		if label != "" {
			return "@" + strings.TrimPrefix(label, "@")
		}
		return "@" + ref[1:]
	case strings.HasPrefix(ref, "!"):
		if label != "" {
			return label
		}
		name, _, _ := strings.Cut(ref[1:], "^")
		return "@" + name
	case label != "":
		return label
	}
	return entities.Replace(strings.TrimPrefix(ref, "mailto:"))
}
