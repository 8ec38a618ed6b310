package slack

import (
	"fmt"
	"strings"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	printable "github.com/cosellbot/cosellbot/bot/escape"
)

// Slack's Block Kit limits that shape a rendered message.
const (
	sectionLimit   = 3000 // characters of a section's text
	messageBlocks  = 50   // blocks in a message
	homeBlocks     = 100  // blocks in a Home tab or modal
	actionElements = 25   // elements in one actions block
	buttonLabel    = 75   // characters of a button's text
	optionValue    = 150  // characters of a select option's value
	fallbackLimit  = 3000 // characters of the notification fallback text
)

// Action ids: buttons and selects carry a command line in their value, so
// the id only has to be unique within the message.
const (
	actionRun     = "cosell_run_"    // a button whose value is the command line
	actionAsk     = "cosell_ask_"    // a select whose chosen value is the full command line
	actionNewDeal = "cosell_newdeal" // opens the new deal modal
)

// reasons are what the reason picker offers for an action that asks for a
// reason (decline, lost). Free text is always possible by typing the command.
var reasons = []string{"no capacity", "not a fit", "customer not interested", "budget cut", "lost to competitor", "duplicate", "other"}

// escape makes text literal in mrkdwn: Slack reads &, < and > as entities,
// links and mentions (a team member is shown as "Name <email>").
var escape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// Blocks renders a reply or a notification as Block Kit: its text in mrkdwn
// sections of at most 3,000 characters, cut between lines, then its actions
// as buttons (or a reason picker for an action that asks for a reason).
// maxBlocks is the container's limit (50 in a message, 100 in a view); text
// that would not fit ends with a note instead of being cut silently.
func Blocks(text string, actions []chat.Action, maxBlocks int) []slackapi.Block {
	var acts []slackapi.Block
	for start := 0; start < len(actions); start += actionElements {
		end := min(start+actionElements, len(actions))
		var els []slackapi.BlockElement
		for i, a := range actions[start:end] {
			els = append(els, element(start+i, a))
		}
		acts = append(acts, slackapi.NewActionBlock(fmt.Sprintf("cosell_actions_%d", start/actionElements), els...))
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

// element is one action: a button running its command, or, when the action
// asks for a reason, a select whose options are complete command lines.
func element(i int, a chat.Action) slackapi.BlockElement {
	label := chat.Clip(a.Label, buttonLabel)
	if len(a.Ask) == 1 && a.Ask[0] == "reason" {
		var opts []*slackapi.OptionBlockObject
		for _, r := range reasons {
			line := a.Command + " reason=" + command.Quote(r)
			if utf8.RuneCountInString(line) > optionValue {
				continue
			}
			opts = append(opts, slackapi.NewOptionBlockObject(line, slackapi.NewTextBlockObject(slackapi.PlainTextType, r, false, false), nil))
		}
		if len(opts) > 0 {
			return slackapi.NewOptionsSelectBlockElement(slackapi.OptTypeStatic,
				slackapi.NewTextBlockObject(slackapi.PlainTextType, chat.Clip(a.Label+": why?", buttonLabel), false, false),
				fmt.Sprintf("%s%d", actionAsk, i), opts...)
		}
	}
	b := slackapi.NewButtonBlockElement(fmt.Sprintf("%s%d", actionRun, i), a.Command,
		slackapi.NewTextBlockObject(slackapi.PlainTextType, label, false, false))
	switch a.Style {
	case "primary":
		b = b.WithStyle(slackapi.StylePrimary)
	case "danger":
		b = b.WithStyle(slackapi.StyleDanger)
	}
	return b
}

// Fallback is the plain text Slack shows in notifications and where blocks
// cannot be shown.
func Fallback(text string) string { return chat.Clip(escape(text), fallbackLimit) }

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
