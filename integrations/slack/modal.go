package slack

import (
	"encoding/json"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/vocab"
	"github.com/cosellbot/cosellbot/integrations/chatkit"
)

// newDealCallback identifies the new deal modal's submissions.
const newDealCallback = "cosell_deal_new"

// input kinds of the modal's fields.
const (
	textInput = iota
	longInput
	dateInput
	kindInput
	checkInput // a checkbox: key=yes when ticked, nothing otherwise
)

// field is one input of the new deal modal. Its block id and action id are
// the chat key it fills, so that the command's errors, which name chat keys,
// land under the right input.
type field struct {
	key, label, hint string
	input            int
	optional         bool
}

// newDealFields are the modal's inputs: the keys deal new requires, then the
// optional ones a partner most often sets. Anything else is typed.
var newDealFields = []field{
	{key: "kind", label: "Kind", input: kindInput},
	{key: "name", label: "Deal name"},
	{key: "customer", label: "Customer"},
	{key: "customer_location", label: "Customer country", hint: "Two letters, like SE"},
	{key: "location", label: "Your Partner Center location", hint: "The location id, like 1234567"},
	{key: "value", label: "Deal value", hint: "A number, like 60000"},
	{key: "currency", label: "Currency", hint: "USD when empty", optional: true},
	{key: "close", label: "Estimated close date", input: dateInput},
	{key: "notes", label: "Notes", input: longInput},
	{key: "team", label: "Team", hint: `"Name <email> +phone"; several separated by ;`},
	{key: "solution", label: "Solutions", hint: "Names from your catalog, comma-separated", optional: true},
	{key: "account", label: "Customer account", hint: "managed, unmanaged or other", optional: true},
	{key: "role", label: "Partner role", hint: "Services co-sell only", optional: true},
	{key: "area", label: "Solution area", optional: true},
	{key: "play", label: "Solution play", optional: true},
	{key: "help", label: "Help from Microsoft", hint: "none, technical, architecture, pricing, funding, executive, customer-engagement or other", optional: true},
	// Inviting Microsoft (help=) needs the customer's contact and their
	// consent to share it, as the Invite Microsoft form asks.
	{key: "contact", label: "Customer contact", hint: `"Name <email> +phone": the person Microsoft may reach; needed with help from Microsoft`, optional: true},
	{key: "consent", label: "Customer consent", input: checkInput, optional: true},
	{key: "share", label: "Share with Microsoft", hint: "yes or no", optional: true},
	{key: "assessment", label: "Assessment type", hint: "Solution assessments only", optional: true},
	{key: "assessment_location", label: "Assessment location", hint: "Solution assessments only", optional: true},
}

// kinds are the deal kinds the modal offers, as the grammar spells them,
// labelled as every reply and filter prints them.
var kinds = [][2]string{
	{"ip", vocab.Kinds.Label(string(deal.IPCoSell))},
	{"services", vocab.Kinds.Label(string(deal.ServicesCoSell))},
	{"p2p", vocab.Kinds.Label(string(deal.P2P))},
	{"sa", vocab.Kinds.Label(string(deal.SolutionAssessment))},
}

// consentOption is the consent checkbox's one option.
var consentOption = [2]string{"yes", "The customer agreed to share this contact with Microsoft"}

func plain(s string) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.PlainTextType, s, false, false)
}

// newDealModal is the form behind "deal new" with no keys, and the App
// Home's New deal button. private_metadata keeps the channel it came from;
// me, the person opening it as a team member ("Name <email> +phone", or ""
// when unknown), is the team it opens with, as the Accept form's.
func newDealModal(channel, me string) slackapi.ModalViewRequest {
	var blocks []slackapi.Block
	for _, f := range newDealFields {
		var el slackapi.BlockElement
		switch f.input {
		case kindInput:
			var opts []*slackapi.OptionBlockObject
			for _, k := range kinds {
				opts = append(opts, slackapi.NewOptionBlockObject(k[0], plain(k[1]), nil))
			}
			el = slackapi.NewOptionsSelectBlockElement(slackapi.OptTypeStatic, plain("Pick a kind"), f.key, opts...)
		case checkInput:
			el = slackapi.NewCheckboxGroupsBlockElement(f.key, slackapi.NewOptionBlockObject(consentOption[0], plain(consentOption[1]), nil))
		case dateInput:
			el = slackapi.NewDatePickerBlockElement(f.key)
		case longInput:
			in := slackapi.NewPlainTextInputBlockElement(nil, f.key)
			in.Multiline = true
			el = in
		default:
			in := slackapi.NewPlainTextInputBlockElement(nil, f.key)
			if f.key == "team" && me != "" && len([]rune(me)) <= inputMaxSize {
				in.InitialValue = me
			}
			el = in
		}
		var hint *slackapi.TextBlockObject
		if f.hint != "" {
			hint = plain(f.hint)
		}
		in := slackapi.NewInputBlock(f.key, plain(f.label), hint, el)
		in.Optional = f.optional
		blocks = append(blocks, in)
	}
	return slackapi.ModalViewRequest{
		Type: slackapi.VTModal, CallbackID: newDealCallback, PrivateMetadata: channel,
		Title: plain("New deal"), Submit: plain("Create"), Close: plain("Cancel"),
		Blocks: slackapi.Blocks{BlockSet: blocks},
	}
}

// newDealLine is the command line a submitted modal stands for.
func newDealLine(state *slackapi.ViewState) string {
	var b strings.Builder
	b.WriteString("deal new")
	if state == nil {
		return b.String()
	}
	for _, f := range newDealFields {
		act := state.Values[f.key][f.key]
		v := act.Value
		switch f.input {
		case kindInput:
			v = act.SelectedOption.Value
		case dateInput:
			v = act.SelectedDate
		case checkInput:
			v = ""
			for _, o := range act.SelectedOptions {
				if o.Value == consentOption[0] {
					v = consentOption[0]
				}
			}
		}
		if v = strings.TrimSpace(v); v != "" {
			b.WriteString(" " + f.key + "=" + command.Quote(v))
		}
	}
	return b.String()
}

// fieldErrors maps a refused command's problems to the modal's inputs: each
// problem names the chat key it concerns, which is the input's block id.
// Problems about a key the modal lacks, and refusals naming no key, are
// left out (see asideErrors): shown under an input, they would send the
// person to fix the wrong one.
func fieldErrors(reply command.Reply) map[string]string {
	errs, _ := chatkit.SplitProblems(reply, modalField)
	return errs
}

// asideErrors are a refused command's problems that concern no input of the
// new deal modal.
func asideErrors(reply command.Reply) []string {
	_, aside := chatkit.SplitProblems(reply, modalField)
	return aside
}

func modalField(key string) (string, bool) { return key, inModal(key) }

func inModal(key string) bool {
	for _, f := range newDealFields {
		if f.key == key {
			return true
		}
	}
	return false
}

// Slack's limits on a modal.
const (
	viewTitle    = 24   // characters of a modal's title and its buttons
	metadataMax  = 3000 // characters of private_metadata
	placeholder  = 150  // characters of an input's placeholder
	inputMaxSize = 3000 // a plain_text_input's max_length
)

// resultModal replaces the submitted form with what the command answered:
// only the person who submitted it sees it.
func resultModal(title string, reply command.Reply) *slackapi.ModalViewRequest {
	return &slackapi.ModalViewRequest{
		Type: slackapi.VTModal, Title: plain(chat.Clip(title, viewTitle)), Close: plain("Done"),
		Blocks: slackapi.Blocks{BlockSet: Blocks(reply.Text, nil, homeBlocks)},
	}
}

// noteModal is a message over a submitted form: only its Back button,
// which returns to the form as it was typed.
func noteModal(title string, reply command.Reply) *slackapi.ModalViewRequest {
	v := resultModal(title, reply)
	v.Close = plain("Back")
	return v
}

// formCallback identifies the submissions of an action's form.
const formCallback = "cosell_form"

// formMeta is what a form's private_metadata keeps: which form it is and
// the channel the button was in.
type formMeta struct {
	Ref     string `json:"ref"`
	Channel string `json:"channel,omitempty"`
}

// FormView is formModal, for tests of Slack's limits.
func FormView(f chatkit.Form, channel string) slackapi.ModalViewRequest { return formModal(f, channel) }

// formModal draws an action's form as a modal: one input per field, its
// block id and action id the chat key it fills, a date picker for dates.
func formModal(f chatkit.Form, channel string) slackapi.ModalViewRequest {
	var blocks []slackapi.Block
	for _, fd := range f.Fields {
		var el slackapi.BlockElement
		switch fd.Input {
		case chatkit.Date:
			dp := slackapi.NewDatePickerBlockElement(fd.Key)
			if _, err := time.Parse(time.DateOnly, fd.Value); err == nil {
				dp.InitialDate = fd.Value
			}
			el = dp
		default:
			in := slackapi.NewPlainTextInputBlockElement(nil, fd.Key)
			in.Multiline = fd.Input == chatkit.Long
			in.InitialValue = fd.Value
			in.MaxLength = min(max(fd.Max, len([]rune(fd.Value))), inputMaxSize)
			el = in
		}
		var hint *slackapi.TextBlockObject
		if fd.Hint != "" {
			hint = plain(fd.Hint)
		}
		in := slackapi.NewInputBlock(fd.Key, plain(fd.Label), hint, el)
		in.Optional = fd.Optional
		blocks = append(blocks, in)
	}
	meta, _ := json.Marshal(formMeta{Ref: f.Ref(), Channel: channel})
	return slackapi.ModalViewRequest{
		Type: slackapi.VTModal, CallbackID: formCallback, PrivateMetadata: string(meta),
		Title: plain(chat.Clip(f.Title, viewTitle)), Submit: plain(chat.Clip(f.Submit, viewTitle)), Close: plain("Cancel"),
		Blocks: slackapi.Blocks{BlockSet: blocks},
	}
}

// formValues reads a submitted form's inputs by chat key.
func formValues(f chatkit.Form, state *slackapi.ViewState) map[string]string {
	out := map[string]string{}
	if state == nil {
		return out
	}
	for _, fd := range f.Fields {
		act := state.Values[fd.Key][fd.Key]
		v := act.Value
		if fd.Input == chatkit.Date {
			v = act.SelectedDate
		}
		out[fd.Key] = v
	}
	return out
}
