package discord

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/escape"
	"github.com/cosellbot/cosellbot/integrations/chatkit"
)

// Discord's message limits that shape a rendered message.
const (
	chunkLimit     = 2000 // characters of one embed description, as of a message's content
	embedTotal     = 6000 // characters of all embeds of a message together
	maxEmbeds      = 10
	rowButtons     = 5  // buttons in an action row
	maxRows        = 5  // action rows in a message
	buttonLabel    = 80 // characters of a button's label
	CustomIDLimit  = 100
	colorOK        = 0x2f6fde
	colorRefused   = 0xd9534f
	truncationNote = "… the rest does not fit in Discord; narrow the command or use cosellbot ask --json."
)

// Prefixes of a component's custom_id. A bare custom_id is the command line
// itself; these mark the others.
const (
	refPrefix  = "ref:"  // the command line is kept server-side under this id
	formPrefix = "form:" // "form:REF": opens the form chatkit.ParseRef(REF) names
	// "confirm:COMMAND": asks the command's question (an action's
	// Confirm) with a button that runs it: Discord has no confirmation
	// dialog.
	confirmPrefix = "confirm:"
	askPrefix     = "ask:" // "ask:KEY,KEY:COMMAND": a form of older messages
)

// markdown are the characters Discord reads as formatting; they are shown
// literally by escaping them with a backslash. Mentions need no escape:
// messages are sent with no allowed mentions, and embeds never ping.
var markdown = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "~", `\~`, "`", "\\`", "|", `\|`, ">", `\>`, "#", `\#`, "[", `\[`, "]", `\]`)

// webAddress is what Discord shows as a link: an http or https address up
// to a space or a bracket, without the punctuation that ends a sentence.
var webAddress = regexp.MustCompile(`https?://[^\s<>()\[\]"]*[^\s<>()\[\]".,;:!?'*_~|]`)

// literal escapes text's markdown except in its web addresses: a sign-in
// link's token holds _, and Discord takes an escaped one into the link it
// opens (\_ in the URL), so the link would not work.
func literal(text string) string {
	if !strings.Contains(text, "://") {
		return markdown.Replace(text)
	}
	var b strings.Builder
	at := 0
	for _, m := range webAddress.FindAllStringIndex(text, -1) {
		b.WriteString(markdown.Replace(text[at:m[0]]))
		b.WriteString(text[m[0]:m[1]])
		at = m[1]
	}
	b.WriteString(markdown.Replace(text[at:]))
	return b.String()
}

// Message is a rendered reply: embeds for the text, rows of buttons for the
// actions. IDs maps the custom_ids that stand for a command line too long
// for one (ref:…) to that line; the caller keeps them server-side.
type Message struct {
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent
	IDs        map[string]string
}

// Render turns a reply or notification into Discord embeds and buttons. The
// text is cut between lines into descriptions of at most 2,000 characters,
// within Discord's 6,000 for all embeds; what does not fit ends with a note.
// Buttons carry their command line in the custom_id (at most 100
// characters) or, when longer, a reference the caller stores.
func Render(text string, actions []chat.Action, refused bool) Message {
	color := colorOK
	if refused {
		color = colorRefused
	}
	var m Message
	total := 0
	note := utf8.RuneCountInString(truncationNote)
	chunks := split(literal(escape.Text(text)), chunkLimit) // control characters and bidi overrides shown, not obeyed
	for i, c := range chunks {
		n := utf8.RuneCountInString(c)
		fits := len(m.Embeds) < maxEmbeds && total+n <= embedTotal
		if i < len(chunks)-1 {
			// Leave room for the note, should the next chunk not fit.
			fits = fits && len(m.Embeds) < maxEmbeds-1 && total+n+note <= embedTotal
		}
		if !fits {
			// The chunk before made sure the note fits.
			m.Embeds = append(m.Embeds, &discordgo.MessageEmbed{Description: truncationNote, Color: color})
			break
		}
		total += n
		m.Embeds = append(m.Embeds, &discordgo.MessageEmbed{Description: c, Color: color})
	}
	var row discordgo.ActionsRow
	for _, a := range actions {
		if len(m.Components) == maxRows {
			break
		}
		id := a.Command
		if f, ok := chatkit.FormFor(a); ok {
			id = formPrefix + f.Ref()
		} else if a.Confirm != "" && a.Command != "" {
			id = confirmPrefix + a.Command
		}
		if id == "" {
			continue
		}
		if len(id) > CustomIDLimit {
			ref := refPrefix + Ref(id)
			if m.IDs == nil {
				m.IDs = map[string]string{}
			}
			m.IDs[ref] = id
			id = ref
		}
		label := strings.TrimSpace(a.Label)
		if label == "" { // Discord refuses a button without a label or emoji
			label = a.Command
		}
		b := discordgo.Button{Label: chat.Clip(label, buttonLabel), CustomID: id, Style: discordgo.SecondaryButton}
		switch a.Style {
		case "primary":
			b.Style = discordgo.PrimaryButton
		case "danger":
			b.Style = discordgo.DangerButton
		}
		row.Components = append(row.Components, b)
		if len(row.Components) == rowButtons {
			m.Components = append(m.Components, row)
			row = discordgo.ActionsRow{}
		}
	}
	if len(row.Components) > 0 && len(m.Components) < maxRows {
		m.Components = append(m.Components, row)
	}
	return m
}

// split cuts escaped text into chunks of at most limit characters, never
// between a backslash and the character it escapes.
func split(text string, limit int) []string {
	if chunks := chat.Split(text, limit, escapeCut); len(chunks) > 0 {
		return chunks
	}
	return []string{"\u200b" /* an embed needs some text */}
}

// escapeCut moves a hard cut back so that an escaping backslash stays with
// its character.
func escapeCut(rs []rune, limit int) int {
	cut := limit
	backslashes := 0
	for i := cut - 1; i >= 0 && rs[i] == '\\'; i-- {
		backslashes++
	}
	if backslashes%2 == 1 {
		cut--
	}
	return cut
}
