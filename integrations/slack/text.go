package slack

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cosellbot/cosellbot/bot/command"
)

// entities are the only three Slack escapes in text it sends (and reads):
// a literal &, < or > typed by a person arrives as &amp;, &lt; or &gt;,
// while real angle brackets mark Slack's own tokens (links, mentions).
var entities = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

// Mention is what Decode may learn of a mentioned member (users.info).
type Mention struct {
	Name    string // the member's name, as a deal team lists them
	Display string // the name Slack shows after @; Name when they set none
	Person  string // the member as a team member: "Name <email> +phone"
}

// personKeys are the keys whose value is a person or a list of people
// ("Name <email> +phone"; see command.ParsePeople): only there does a
// mention stand for the member's profile.
var personKeys = map[string]bool{"team": true, "contact": true}

// Decode turns text as Slack sends it (a slash command's text, with the
// manifest's should_escape: true) into what the person typed:
//   - <#C0123ABCD|sales>, a channel, stays as it is where subscribe or
//     unsubscribe reads it (their channel word); anywhere else, in free
//     text, it reads #sales, as Slack shows it (# and the id without a
//     label);
//   - <@U0123ABCD> or <@U0123ABCD|ana>, a person, depends on where it
//     stands. Where the command takes people (team=, contact=, the person
//     of deal team add) it becomes what member says of them, their
//     Person ("Name <email> +phone"), quoted as one value unless it
//     already stands inside quotes; as the one to take off a team (deal
//     team remove) their Name. Anywhere else, in free text (notes, names,
//     reasons, a question), it reads @ and their name only ("@Ana Diaz",
//     their profile's, as a team lists them; their display name when the
//     profile has none): a mention must not copy a member's e-mail and
//     phone into a deal that every viewer, every export and Partner
//     Center then get. Without an answer: @ and the label Slack gave,
//     else @ and the id;
//   - <mailto:a@b.example|a@b.example>, <https://…|label>: the label (what
//     was typed), else the address;
//   - <!here>, <!subteam^S1|@sales>: @here, the label, as text (cosellbot
//     posts text, never a live mention);
//   - then &amp; &lt; &gt; become & < >.
//
// Decode splits the line into words as command.Parse does, to know which
// key or which word of the command each token stands in. member may be
// nil; it is asked once about each member mentioned (the caller bounds how
// many it looks up).
func Decode(raw string, member func(id string) (Mention, bool)) string {
	d := decoder{member: member, known: map[string]lookup{}}
	for i := 0; i < len(raw); {
		if isSpace(raw, i) {
			j := i
			for j < len(raw) && isSpace(raw, j) {
				_, n := utf8.DecodeRuneInString(raw[j:])
				j += n
			}
			d.b.WriteString(raw[i:j])
			i = j
			continue
		}
		i = d.word(raw, i)
	}
	return d.b.String()
}

// decoder is the state of one Decode: the output and the command's words
// so far (the leading ones name the verb).
type decoder struct {
	member func(string) (Mention, bool)
	known  map[string]lookup // what member said of each id asked
	b      strings.Builder
	verb   []string // the first three words, lower-cased: deal team add
	words  int      // how many words (not key=value pairs) came so far
}

// lookup is one answer of member.
type lookup struct {
	m  Mention
	ok bool
}

// lookup asks member about id, once per Decode.
func (d *decoder) lookup(id string) (Mention, bool) {
	if d.member == nil {
		return Mention{}, false
	}
	l, seen := d.known[id]
	if !seen {
		l.m, l.ok = d.member(id)
		d.known[id] = l
	}
	return l.m, l.ok
}

// mentionUse is what a mention stands for where it is typed.
type mentionUse int

const (
	asText    mentionUse = iota // free text: @ and the name
	asPerson                    // a people value: "Name <email> +phone"
	asName                      // a team member to remove: the name
	asChannel                   // the channel subscribe reads: kept as Slack wrote it
)

// word decodes the word that starts at raw[i] (up to a space outside
// quotes and tokens) and returns where it ends.
func (d *decoder) word(raw string, i int) int {
	use := asText
	k := i
	for k < len(raw) && isKeyByte(raw[k]) {
		k++
	}
	isPair := k > i && k < len(raw) && raw[k] == '='
	if isPair {
		if personKeys[strings.ToLower(raw[i:k])] {
			use = asPerson
		}
	} else {
		switch {
		case d.words >= 4 && d.verb[0] == "deal" && d.verb[1] == "team": // after the verb and the deal ID
			switch d.verb[2] {
			case "add":
				use = asPerson
			case "remove":
				use = asName
			}
		case d.words >= 1 && (d.verb[0] == "subscribe" || d.verb[0] == "unsubscribe"):
			use = asChannel
		}
	}
	start := d.b.Len()
	var closing string // the quotes that close the open one; "" outside quotes
	for i < len(raw) {
		c := raw[i]
		switch {
		case closing == "" && isSpace(raw, i):
			d.counted(isPair, start)
			return i
		case c == '<':
			end := strings.IndexByte(raw[i:], '>')
			if end < 0 { // no token: Slack would have escaped a lone <
				d.b.WriteString(entities.Replace(raw[i:]))
				d.counted(isPair, start)
				return len(raw)
			}
			d.b.WriteString(d.token(raw[i+1:i+end], closing, use))
			i += end + 1
			continue
		case c == '&':
			if e := entity(raw[i:]); e != "" {
				d.b.WriteString(entities.Replace(e))
				i += len(e)
				continue
			}
		case closing != "" && c == '\\' && i+1 < len(raw):
			// An escaped quote or backslash inside quotes neither opens nor
			// closes anything (command.Parse reads it so).
			if _, n := utf8.DecodeRuneInString(raw[i+1:]); raw[i+1] == '"' || raw[i+1] == '\\' || strings.Contains(closing, raw[i+1:i+1+n]) {
				d.b.WriteString(raw[i : i+1+n])
				i += 1 + n
				continue
			}
		}
		_, n := utf8.DecodeRuneInString(raw[i:])
		r := raw[i : i+n]
		switch {
		case closing == "":
			if cl, ok := closers[r]; ok {
				closing = cl
			}
		case strings.Contains(closing, r):
			closing = ""
		}
		d.b.WriteString(r)
		i += n
	}
	d.counted(isPair, start)
	return i
}

// counted records a word that ended, decoded from the output's offset
// start on, unless it was a key=value pair.
func (d *decoder) counted(isPair bool, start int) {
	if isPair {
		return
	}
	if d.words < 3 {
		d.verb = append(d.verb, strings.ToLower(d.b.String()[start:]))
	}
	d.words++
}

// token renders the inside of one <…> token; closing holds the quotes
// that close the value it stands in ("" outside quotes), and use says what
// a mention in it stands for.
func (d *decoder) token(in string, closing string, use mentionUse) string {
	ref, label, _ := strings.Cut(in, "|")
	label = entities.Replace(label)
	switch {
	case strings.HasPrefix(ref, "#"):
		if use == asChannel {
			return "<" + in + ">"
		}
		name := strings.TrimPrefix(label, "#")
		if name == "" {
			name = ref[1:]
		}
		return literal("#"+name, closing)
	case strings.HasPrefix(ref, "@"):
		id := ref[1:]
		fallback := "@" + id
		if label != "" {
			fallback = "@" + strings.TrimPrefix(label, "@")
		}
		m, ok := d.lookup(id)
		if !ok {
			return literal(fallback, closing)
		}
		switch use {
		case asPerson:
			return literal(m.Person, closing)
		case asName:
			return literal(m.Name, closing)
		}
		name := m.Name
		if name == "" {
			name = m.Display
		}
		if name == "" {
			return literal(fallback, closing)
		}
		return literal("@"+name, closing)
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

// literal writes s so that the grammar reads it back as it is. Inside
// quotes (closing: the quotes that close them), a backslash, a plain quote
// and each closing quote are escaped with a backslash, as command.Parse
// reads them. Outside, s gets quotes of its own when it holds a space, a
// quote, a backslash or an = (a name such as Bo Ek is one value, and
// never a key=value pair).
func literal(s string, closing string) string {
	if closing != "" {
		var b strings.Builder
		for _, r := range s {
			if r == '\\' || r == '"' || strings.ContainsRune(closing, r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	if strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\\' || r == '=' || closers[string(r)] != ""
	}) >= 0 {
		return command.Quote(s)
	}
	return s
}

// slackEntities are the escapes Slack writes (see entities).
var slackEntities = []string{"&amp;", "&lt;", "&gt;"}

// entity is the Slack entity (&amp;, &lt;, &gt;) s starts with, or "".
func entity(s string) string {
	for _, e := range slackEntities {
		if strings.HasPrefix(s, e) {
			return e
		}
	}
	return ""
}

// closers are the quotes that open a value and, for each, the ones that
// close it: command.Parse's, the plain double quote and the typographic
// quotes phone keyboards put in its place.
var closers = map[string]string{
	`"`:      `"`,
	"\u201c": "\u201d\"\u201c",
	"\u201d": "\u201d\"",
	"\u201e": "\u201c\u201d\"",
	"\u00ab": "\u00bb",
	"\u2033": "\u2033\"",
}

// isKeyByte reports whether c may be part of a key as command.Parse reads
// one (typed before an =): letters, digits, _ and -.
func isKeyByte(c byte) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// isSpace reports whether s[i:] starts with a space, as command.Parse
// splits words at one.
func isSpace(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}
