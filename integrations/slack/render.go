package slack

import (
	"fmt"
	"regexp"
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

// Blocks renders a reply or a notification as Block Kit: its text in
// sections of at most 3,000 characters, cut between lines, then its actions
// as buttons: one that runs its command, or, when the action needs input,
// one that opens its form. maxBlocks is the container's limit (50 in a
// message, 100 in a view); text that would not fit ends with a note
// instead of being cut silently. An action whose command does not fit a
// button's value is left out (it can be typed).
//
// A reply is plain text, and what it quotes (a customer's name, a note, a
// team line) must read exactly as typed, while mrkdwn has no escape for
// * _ ~ ` and would format them. So the text goes in plain_text sections,
// which Slack shows as they are: no formatting, no links, no mentions, no
// :emoji: codes. Only two things take mrkdwn (see sections): a line holding
// a web address and nothing mrkdwn would format, so that the address is a
// link, and a fenced block such as a CSV export, drawn as a code block in
// every section that holds part of it.
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
	parts := sections(shown(text), sectionLimit)
	room := maxBlocks - len(acts)
	if len(parts) > room && room > 0 {
		parts = append(parts[:room-1], part{mrkdwn: true, text: "_… the rest does not fit in Slack; narrow the command or use cosellbot ask --json._"})
	}
	blocks := make([]slackapi.Block, 0, len(parts)+len(acts))
	for _, p := range parts {
		blocks = append(blocks, p.section())
	}
	return append(blocks, acts...)
}

// part is the text of one section: plain_text, shown exactly as it is, or
// mrkdwn, escaped, for a link or a code block.
type part struct {
	text   string
	mrkdwn bool
}

// section is the part as a section block. plain_text takes no entities
// and no markup, and emoji: false keeps a :code: as typed; mrkdwn is
// verbatim, so Slack adds no link or mention of its own.
func (p part) section() slackapi.Block {
	if p.mrkdwn {
		return slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, p.text, false, true), nil, nil)
	}
	return slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.PlainTextType, p.text, false, false), nil, nil)
}

// fence opens and closes a code block, on a line of its own: cosellbot
// writes an export as "…:\n```\n<csv>```".
const fence = "```"

// codeFrame is what a code block adds to its content: "```\n" and "\n```".
const codeFrame = 2 * len(fence+"\n")

// sections cuts text into the parts of at most limit characters it is
// shown in:
//   - prose in plain_text parts, cut between lines;
//   - a line holding a web address (see linkLine) in a mrkdwn part, with
//     the lines around it that hold one too, the address a link and the
//     rest escaped;
//   - the lines between a fence and the next (the fences themselves not
//     shown) in mrkdwn parts that are each a whole code block, cut between
//     lines, so that every part holds its own opening and closing fence
//     and the content reads and copies as it is. A part whose content
//     holds a fence itself, which would close its block early, is
//     plain_text instead: literal, only not monospaced.
//
// A fence that is never closed is prose. Sizes are counted escaped, as
// mrkdwn carries them, even in plain_text, so that no part passes the
// limit however Slack counts it.
func sections(text string, limit int) []part {
	var prose []string
	var out []part
	flush := func() {
		out = append(out, proseParts(prose, limit)...)
		prose = prose[:0]
	}
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		if isFence(lines[i]) {
			if end := closing(lines, i+1); end > 0 {
				flush()
				out = append(out, codeParts(lines[i+1:end], limit)...)
				i = end
				continue
			}
		}
		prose = append(prose, lines[i])
	}
	flush()
	if len(out) == 0 {
		return []part{{text: " " /* a section needs some text */}}
	}
	return out
}

func isFence(line string) bool { return strings.TrimSpace(line) == fence }

// closing is the index of the fence that closes a block whose content
// starts at lines[from], or -1.
func closing(lines []string, from int) int {
	for j := from; j < len(lines); j++ {
		if isFence(lines[j]) {
			return j
		}
	}
	return -1
}

// proseParts renders lines of prose: runs of lines without a link (see
// linkLine) as plain_text, runs of lines with one as mrkdwn.
func proseParts(lines []string, limit int) []part {
	var out []part
	for start := 0; start < len(lines); {
		linked := linkLine(lines[start])
		end := start + 1
		for end < len(lines) && linkLine(lines[end]) == linked {
			end++
		}
		run := strings.Join(lines[start:end], "\n")
		start = end
		if strings.TrimSpace(run) == "" {
			continue
		}
		if linked {
			for _, c := range chat.Split(linkify(run), limit, markupCut) {
				out = append(out, part{text: c, mrkdwn: true})
			}
			continue
		}
		for _, c := range split(escape(run), limit) {
			if c = entities.Replace(c); strings.TrimSpace(c) != "" {
				out = append(out, part{text: c})
			}
		}
	}
	return out
}

// codeParts renders the content of a fenced block as whole code blocks.
func codeParts(lines []string, limit int) []part {
	escaped := make([]string, len(lines))
	for i, l := range lines {
		escaped[i] = escape(l)
	}
	var out []part
	for _, c := range splitExact(escaped, limit-codeFrame) {
		if raw := entities.Replace(c); strings.Contains(raw, fence) {
			out = append(out, part{text: raw})
			continue
		}
		out = append(out, part{text: fence + "\n" + c + "\n" + fence, mrkdwn: true})
	}
	return out
}

// splitExact cuts lines into chunks of at most limit characters that give
// back every character: cut between lines (the newline at a cut is the
// one between two chunks), a longer line at the limit, never inside an
// entity, and nothing trimmed.
func splitExact(lines []string, limit int) []string {
	var chunks []string
	var cur []rune
	started := false
	flush := func() {
		if started {
			chunks = append(chunks, string(cur))
			cur, started = cur[:0], false
		}
	}
	for _, l := range lines {
		rs := []rune(l)
		cut := false
		for len(rs) > limit {
			flush()
			n := entityCut(rs, limit)
			chunks = append(chunks, string(rs[:n]))
			rs, cut = rs[n:], true
		}
		if cut && len(rs) == 0 {
			continue
		}
		if started && len(cur)+1+len(rs) > limit {
			flush()
		}
		if started {
			cur = append(cur, '\n')
		}
		cur, started = append(cur, rs...), true
	}
	flush()
	return chunks
}

// webAddress finds what Slack would show as a link: an http or https
// address, up to a space, a quote or a character that ends a token.
var webAddress = regexp.MustCompile(`https?://[^\s<>|"]+`)

// maxLink is the longest address made a link: a longer one stays text, so
// that a cut between sections never falls inside a link's brackets.
const maxLink = 1000

// links are the spans of line that are web addresses, without the
// punctuation that ends a sentence around them.
func links(line string) [][2]int {
	if !strings.Contains(line, "://") {
		return nil // most lines: no regular expression to run
	}
	var out [][2]int
	for _, m := range webAddress.FindAllStringIndex(line, -1) {
		end := m[1]
		for end > m[0] && strings.ContainsRune(".,;:!?)]}'", rune(line[end-1])) {
			end--
		}
		if u := line[m[0]:end]; !strings.HasSuffix(u, "//") && utf8.RuneCountInString(u) <= maxLink {
			out = append(out, [2]int{m[0], end})
		}
	}
	return out
}

// emojiCode is an emoji code such as :tada:, which mrkdwn shows as the
// emoji.
var emojiCode = regexp.MustCompile(`:[A-Za-z0-9_+'-]+:`)

// linkLine reports whether a line is shown in mrkdwn, its web addresses
// links: it holds one, and nothing else on it would read differently in
// mrkdwn once escaped, that is no * _ ~ ` (bold, italic, strike, code), no
// emoji code and no > opening the line (a quote, even escaped). A line
// with a web address and any of those, a note perhaps, stays plain_text:
// its address shown whole to copy, not a link, rather than its text
// changed.
func linkLine(line string) bool {
	spans := links(line)
	if len(spans) == 0 || strings.HasPrefix(strings.TrimSpace(line), ">") {
		return false
	}
	at := 0
	for _, l := range append(spans, [2]int{len(line), len(line)}) {
		if rest := line[at:l[0]]; strings.ContainsAny(rest, "*_~`") || emojiCode.MatchString(rest) {
			return false
		}
		at = l[1]
	}
	return true
}

// linkify escapes text for mrkdwn with each web address in it a link,
// <address>, which Slack shows as the address itself and opens.
func linkify(text string) string {
	var b strings.Builder
	at := 0
	for _, l := range links(text) {
		b.WriteString(escape(text[at:l[0]]))
		b.WriteString("<" + escape(text[l[0]:l[1]]) + ">")
		at = l[1]
	}
	b.WriteString(escape(text[at:]))
	return b.String()
}

// markupCut is entityCut that also keeps a link's brackets together: in
// mrkdwn from linkify, a < opens a link.
func markupCut(rs []rune, limit int) int {
	cut := entityCut(rs, limit)
	for i := cut - 1; i >= 0 && i >= cut-maxLink-2; i-- {
		if rs[i] == '>' {
			break
		}
		if rs[i] == '<' {
			if i > 0 {
				return i
			}
			break
		}
	}
	return cut
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
	b := slackapi.NewButtonBlockElement(id, value, plain(chat.Clip(label, buttonLabel)))
	switch a.Style {
	case "primary":
		b = b.WithStyle(slackapi.StylePrimary)
	case "danger":
		b = b.WithStyle(slackapi.StyleDanger)
	}
	if a.Confirm != "" {
		b = b.WithConfirm(confirmation(a, label))
	}
	return b, true
}

// Slack's limits on a confirmation dialog's texts.
const (
	confirmTitle  = 100
	confirmText   = 300
	confirmButton = 30
)

// confirmation is the dialog Slack shows before it sends the press of an
// action with a Confirm question: the question as its text, the action's
// label on the button that goes ahead, Cancel on the other.
func confirmation(a chat.Action, label string) *slackapi.ConfirmationBlockObject {
	c := slackapi.NewConfirmationBlockObject(plain(chat.Clip("Are you sure?", confirmTitle)), plain(chat.Clip(shown(a.Confirm), confirmText)),
		plain(chat.Clip(label, confirmButton)), plain(chat.Clip("Cancel", confirmButton)))
	if a.Style == "danger" {
		c = c.WithStyle(slackapi.StyleDanger)
	}
	return c
}

// shown is a message's text as Slack gets it, in its blocks and in its
// fallback alike: control characters, terminal escapes, invalid UTF-8 and
// bidirectional overrides written as escapes (\x1b, \u202e), shown rather
// than obeyed. One function for both, since the fallback is what push and
// desktop notifications show: an override escaped in the blocks but raw
// there would still reverse the line everyone in the channel is notified
// with.
func shown(text string) string { return printable.Text(text) }

// Fallback is the plain text Slack shows in notifications and where blocks
// cannot be shown: escaped as the blocks are (see shown), its &, < and >
// as entities, and cut (never inside an entity) to its limit.
func Fallback(text string) string {
	e := escape(shown(text))
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
