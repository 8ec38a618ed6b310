package discord

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/web"
)

// ShareFlag ends a command whose answer everyone in the channel should see;
// without it only the person who typed the command sees the answer.
const ShareFlag = "--share"

// noMentions keeps text such as "@everyone" in a deal's notes from pinging.
var noMentions = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}

// cutShare strips a trailing --share from a command line.
func cutShare(text string) (string, bool) {
	text = strings.TrimSpace(text)
	if rest, ok := strings.CutSuffix(text, ShareFlag); ok && (rest == "" || strings.HasSuffix(rest, " ")) {
		return strings.TrimSpace(rest), true
	}
	return text, false
}

// interactions serves Discord's interactions endpoint.
func (a *Adapter) interactions(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verified(w, r)
	if !ok {
		return
	}
	var in discordgo.Interaction
	if err := json.Unmarshal(body, &in); err != nil {
		web.WriteError(w, http.StatusBadRequest, "bad_interaction", "the interaction is not JSON Discord sends: "+err.Error())
		return
	}
	if in.Type == discordgo.InteractionPing {
		web.WriteJSON(w, http.StatusOK, discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
		return
	}
	ctx := r.Context()
	if in.ID == "" {
		web.WriteError(w, http.StatusBadRequest, "bad_interaction", "the interaction has no id")
		return
	}
	var userID string
	switch {
	case in.Member != nil && in.Member.User != nil:
		userID = in.Member.User.ID
	case in.User != nil:
		userID = in.User.ID
	}
	who, err := a.user(ctx, userID)
	if err != nil {
		a.write(ctx, w, discordgo.InteractionResponseChannelMessageWithSource, command.Refusal(err), false)
		return
	}
	where := chat.Place{Platform: Platform, Channel: in.ChannelID}
	switch in.Type {
	case discordgo.InteractionApplicationCommand:
		text, refused := commandText(in.ApplicationCommandData())
		if refused != nil {
			a.write(ctx, w, discordgo.InteractionResponseChannelMessageWithSource, *refused, false)
			return
		}
		line, share := cutShare(text)
		if !a.once(ctx, w, &in, line) {
			return
		}
		a.answer(w, r, &in, func(ctx context.Context) command.Reply { return a.svc.Run(ctx, who, where, line) }, share, false)
	case discordgo.InteractionMessageComponent:
		id, err := a.customID(ctx, in.MessageComponentData().CustomID)
		if err != nil {
			a.write(ctx, w, discordgo.InteractionResponseChannelMessageWithSource, command.Refusal(err), false)
			return
		}
		if keys, line, ok := cutAsk(id); ok {
			web.WriteJSON(w, http.StatusOK, askModal(in.MessageComponentData().CustomID, line, keys))
			return
		}
		if !a.once(ctx, w, &in, id) {
			return
		}
		a.answer(w, r, &in, func(ctx context.Context) command.Reply { return a.svc.Run(ctx, who, where, id) }, false, true)
	case discordgo.InteractionModalSubmit:
		data := in.ModalSubmitData()
		id, err := a.customID(ctx, data.CustomID)
		if err != nil {
			a.write(ctx, w, discordgo.InteractionResponseChannelMessageWithSource, command.Refusal(err), false)
			return
		}
		keys, line, ok := cutAsk(id)
		if !ok {
			web.WriteError(w, http.StatusBadRequest, "bad_interaction", "a form cosellbot did not open")
			return
		}
		line += answers(data.Components, keys)
		if !a.once(ctx, w, &in, line) {
			return
		}
		a.answer(w, r, &in, func(ctx context.Context) command.Reply { return a.svc.Run(ctx, who, where, line) }, false, in.Message != nil)
	default:
		web.WriteError(w, http.StatusBadRequest, "bad_interaction", "an interaction type cosellbot does not handle")
	}
}

// once records the interaction so that a replay of it is refused. A
// command that changes nothing skips the record: answering its replay again
// is harmless, and the write was most of its cost.
func (a *Adapter) once(ctx context.Context, w http.ResponseWriter, in *discordgo.Interaction, line string) bool {
	if a.svc.ReadOnly(line) {
		return true
	}
	first, err := a.dir.FirstChatEvent(ctx, Platform, "interaction:"+in.ID, a.cfg.Clock.Now())
	if err != nil {
		a.log.ErrorContext(ctx, "cannot record the interaction", "err", err)
		web.WriteError(w, http.StatusServiceUnavailable, "unavailable", "the database did not answer; try again")
		return false
	}
	if !first {
		a.log.WarnContext(ctx, "refused a replayed interaction", "id", in.ID)
		web.WriteError(w, http.StatusConflict, "replayed", "this interaction was already handled")
		return false
	}
	return true
}

// customID gives the command a component carries, fetching it when the
// component carries a reference.
func (a *Adapter) customID(ctx context.Context, id string) (string, error) {
	ref, ok := strings.CutPrefix(id, refPrefix)
	if !ok {
		return id, nil
	}
	line, err := a.dir.ChatAction(ctx, ref)
	if errors.Is(err, ledger.ErrNotFound) {
		return "", errors.New("this button is no longer known; type the command instead")
	}
	return line, err
}

// cutAsk splits "ask:KEY,KEY:COMMAND".
func cutAsk(id string) (keys []string, line string, ok bool) {
	rest, ok := strings.CutPrefix(id, askPrefix)
	if !ok {
		return nil, "", false
	}
	k, line, ok := strings.Cut(rest, ":")
	if !ok || k == "" {
		return nil, "", false
	}
	return strings.Split(k, ","), line, true
}

// askModal is the small form that asks for what an action needs (the
// reason of a decline), one text input per key.
func askModal(customID, line string, keys []string) discordgo.InteractionResponse {
	var rows []discordgo.MessageComponent
	for _, k := range keys {
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{CustomID: k, Label: chat.Clip(strings.ToUpper(k[:1])+k[1:], 45), Style: discordgo.TextInputShort, Required: true, MaxLength: 500},
		}})
	}
	return discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: &discordgo.InteractionResponseData{
		CustomID: customID, Title: chat.Clip(line, 45), Components: rows,
	}}
}

// answers appends the form's values to a command line as key="value".
func answers(rows []discordgo.MessageComponent, keys []string) string {
	var b strings.Builder
	for _, row := range rows {
		ar, ok := row.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, c := range ar.Components {
			if ti, ok := c.(*discordgo.TextInput); ok && containsKey(keys, ti.CustomID) {
				b.WriteString(" " + ti.CustomID + "=" + command.Quote(ti.Value))
			}
		}
	}
	return b.String()
}

func containsKey(keys []string, k string) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

// answer runs a command under the deadline. In time, the result is the
// HTTP answer: a new message (ephemeral unless shared) or, for a button,
// the updated card. Late, Discord gets a deferred answer and the result
// follows by editing it. A refused button press leaves the card alone and
// tells only the presser why.
func (a *Adapter) answer(w http.ResponseWriter, r *http.Request, in *discordgo.Interaction, run func(context.Context) command.Reply, share, update bool) {
	done := make(chan command.Reply, 1)
	a.afterReply(r, func(ctx context.Context) { done <- run(ctx) })
	timer := time.NewTimer(a.cfg.Deadline)
	defer timer.Stop()
	select {
	case reply := <-done:
		kind := discordgo.InteractionResponseChannelMessageWithSource
		if update && reply.OK() {
			kind = discordgo.InteractionResponseUpdateMessage
		}
		a.write(r.Context(), w, kind, reply, share)
	case <-timer.C:
		ack := discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
		if update {
			ack.Type = discordgo.InteractionResponseDeferredMessageUpdate
		} else if !share {
			ack.Data = &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}
		}
		web.WriteJSON(w, http.StatusOK, ack)
		a.afterReply(r, func(ctx context.Context) {
			if err := a.followUp(ctx, in, <-done, update); err != nil {
				a.log.ErrorContext(ctx, "the late answer was not delivered", "err", err)
			}
		})
	}
}

// write answers an interaction with a message rendered from reply.
func (a *Adapter) write(ctx context.Context, w http.ResponseWriter, kind discordgo.InteractionResponseType, reply command.Reply, share bool) {
	m := a.render(ctx, reply)
	data := &discordgo.InteractionResponseData{Embeds: m.Embeds, Components: m.Components, AllowedMentions: noMentions}
	if kind == discordgo.InteractionResponseChannelMessageWithSource && !(share && reply.OK()) {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	web.WriteJSON(w, http.StatusOK, discordgo.InteractionResponse{Type: kind, Data: data})
}

// render renders a reply and keeps the command lines its buttons refer to.
func (a *Adapter) render(ctx context.Context, reply command.Reply) Message {
	m := Render(reply.Text, reply.Actions, !reply.OK())
	for ref, line := range m.IDs {
		if err := a.dir.PutChatAction(ctx, strings.TrimPrefix(ref, refPrefix), line, a.cfg.Clock.Now()); err != nil {
			a.log.ErrorContext(ctx, "cannot keep a button's command; it will not work", "err", err)
		}
	}
	if m.Components == nil {
		m.Components = []discordgo.MessageComponent{} // an update removes the old buttons
	}
	return m
}

// followUp delivers a late result: it edits the deferred answer (the card,
// for a button), or, when a button's command was refused, adds an ephemeral
// message and leaves the card alone.
func (a *Adapter) followUp(ctx context.Context, in *discordgo.Interaction, reply command.Reply, update bool) error {
	m := a.render(ctx, reply)
	opts := []discordgo.RequestOption{discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false)}
	if update && !reply.OK() {
		_, err := a.session.FollowupMessageCreate(in, false, &discordgo.WebhookParams{
			Embeds: m.Embeds, Components: m.Components, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions,
		}, opts...)
		return err
	}
	_, err := a.session.InteractionResponseEdit(in, &discordgo.WebhookEdit{Embeds: &m.Embeds, Components: &m.Components, AllowedMentions: noMentions}, opts...)
	return err
}
