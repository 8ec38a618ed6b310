package slack

import (
	"fmt"
	"strings"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/cosellbot/cosellbot/bot/chat"
	printable "github.com/cosellbot/cosellbot/bot/escape"
	"github.com/cosellbot/cosellbot/integrations/chatkit"
)

// Slack's Block Kit limits that shape a rendered message.
const (
	sectionLimit   = 3000 // characters of a section's text
	messageBlocks  = 50   // blocks in a message
	homeBlocks     = 100  // blocks in a Home tab or modal
	actionElements = 25   // elements in one actions block
	buttonLabel    = 75   // characters of a button's text
	buttonValue    = 2000 // characters of a button's value
	actionID       = 255  // characters of an action id
	fallbackLimit  = 3000 // characters of the notification fallback text
)

// Action ids: buttons and selects carry a command line in their value, so
// the id only has to be unique within the message.
const (
	actionRun     = "cosell_run_"    // a button whose value is the command line
	actionForm    = "cosell_form_"   // a button whose value names the form it opens (chatkit.Form.Ref)
	actionAsk     = "cosell_ask_"    // a select whose chosen value is the full command line (older messages)
	actionNewDeal = "cosell_newdeal" // opens the new deal modal
)

// escape makes text literal in mrkdwn: Slack reads &, < and > as entities,
// links and mentions (a team member is shown as "Name <email>").
var escape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// Blocks renders a reply or a notification as Block Kit: its text in mrkdwn
// sections of at most 3,000 characters, cut between lines, then its actions
// as buttons: one that runs its command, or, when the action needs input,
// one that opens its form. maxBlocks is the container's limit (50 in a
// message, 100 in a view); text that would not fit ends with a note
// instead of being cut silently. An action whose command does not fit a
// button's value is left out (it can be typed).
func Blocks(text string, actions []chat.Action, maxBlocks int) []slackapi.Block {
	var els []slackapi.BlockElement
	for i, a := range actions {
		if el, ok := element(i, a); ok {
			els = append(els, el)
		}
	}
	var acts []slackapi.Block
	for start := 0; start < len(els); start += actionElements {
		end := min(start+actionElements, len(els))
		acts = append(acts, slackapi.NewActionBlock(fmt.Sprintf("cosell_actions_%d", start/actionElements), els[start:end]...))
	}
	if len(acts) > maxBlocks/2 {
		acts = acts[:maxBlocks/2]
	}
	chunks := split(escape(printable.Text(text)), sectionLimit) // control characters and bidi overrides shown, not obeyed
	room := maxBlocks - len(acts)
	if len(chunks) > room {
		chunks = append(chunks[:room-1], "_… the rest does not fit in Slack; narrow the command or use cosellbot ask --json._")
	}
	blocks := make([]slackapi.Block, 0, len(chunks)+len(acts))
	for _, c := range chunks {
		blocks = append(blocks, slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, c, false, true), nil, nil))
	}
	return append(blocks, acts...)
}

// element is one action's button: it runs its command, or opens the form
// the action needs (chatkit.FormFor).
func element(i int, a chat.Action) (slackapi.BlockElement, bool) {
	id, value := fmt.Sprintf("%s%d", actionRun, i), a.Command
	if f, ok := chatkit.FormFor(a); ok {
		id, value = fmt.Sprintf("%s%d", actionForm, i), f.Ref()
	}
	if value == "" || utf8.RuneCountInString(value) > buttonValue {
		return nil, false
	}
	label := strings.TrimSpace(a.Label)
	if label == "" { // Slack refuses a button without text
		label = a.Command
	}
	b := slackapi.NewButtonBlockElement(id, value,
		slackapi.NewTextBlockObject(slackapi.PlainTextType, chat.Clip(label, buttonLabel), false, false))
	switch a.Style {
	case "primary":
		b = b.WithStyle(slackapi.StylePrimary)
	case "danger":
		b = b.WithStyle(slackapi.StyleDanger)
	}
	return b, true
}

// Fallback is the plain text Slack shows in notifications and where blocks
// cannot be shown, escaped, and cut (never inside an entity) to its limit.
func Fallback(text string) string {
	e := escape(text)
	if utf8.RuneCountInString(e) <= fallbackLimit {
		return e
	}
	rs := []rune(e)
	return string(rs[:entityCut(rs, fallbackLimit-1)]) + "…"
}

// split cuts escaped text into sections of at most limit characters, never
// inside an entity such as &lt;, so that no section shows half an escape.
func split(text string, limit int) []string {
	if chunks := chat.Split(text, limit, entityCut); len(chunks) > 0 {
		return chunks
	}
	return []string{" " /* a section needs some text */}
}

// entityCut moves a hard cut back before an entity such as &lt; it would split.
func entityCut(rs []rune, limit int) int {
	for i := limit - 1; i >= 0 && i > limit-len("&amp;"); i-- {
		if rs[i] == ';' {
			break
		}
		if rs[i] == '&' && i > 0 {
			return i
		}
	}
	return limit
}
