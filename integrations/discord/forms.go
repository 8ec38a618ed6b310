package discord

import (
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/integrations/chatkit"
)

// Discord's limits on a modal.
const (
	modalTitle       = 45
	inputLabel       = 45
	inputPlaceholder = 100
	inputValue       = 4000
	modalRows        = 5
)

// formModal draws an action's form as a modal (interaction response type
// 9): one text input per field, its custom_id the chat key it fills. The
// modal's custom_id names the form, kept server-side when too long.
func (a *Adapter) formModal(ctx context.Context, f chatkit.Form) (discordgo.InteractionResponse, error) {
	id := formPrefix + f.Ref()
	if len(id) > CustomIDLimit {
		ref := refPrefix + Ref(id)
		if err := a.dir.PutChatAction(ctx, strings.TrimPrefix(ref, refPrefix), id, a.cfg.Clock.Now()); err != nil {
			return discordgo.InteractionResponse{}, err
		}
		id = ref
	}
	return Modal(id, f), nil
}

// Modal is a form as Discord draws it.
func Modal(customID string, f chatkit.Form) discordgo.InteractionResponse {
	var rows []discordgo.MessageComponent
	for _, fd := range f.Fields[:min(len(f.Fields), modalRows)] {
		style := discordgo.TextInputShort
		if fd.Input == chatkit.Long {
			style = discordgo.TextInputParagraph
		}
		max := fd.Max
		if max <= 0 || max > inputValue {
			max = inputValue
		}
		value := fd.Value
		if len([]rune(value)) > max {
			value = string([]rune(value)[:max])
		}
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{
				CustomID: fd.Key, Label: chat.Clip(fd.Label, inputLabel), Style: style, Required: !fd.Optional,
				Placeholder: chat.Clip(fd.Hint, inputPlaceholder), Value: value, MaxLength: max,
			},
		}})
	}
	return discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: &discordgo.InteractionResponseData{
		CustomID: customID, Title: chat.Clip(f.Title, modalTitle), Components: rows,
	}}
}

// inputs reads a submitted modal's values by chat key.
func inputs(rows []discordgo.MessageComponent) map[string]string {
	out := map[string]string{}
	for _, row := range rows {
		ar, ok := row.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, c := range ar.Components {
			if ti, ok := c.(*discordgo.TextInput); ok {
				out[ti.CustomID] = ti.Value
			}
		}
	}
	return out
}
