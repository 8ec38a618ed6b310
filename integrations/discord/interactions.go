package discord

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/chatkit"
	"github.com/cosellbot/cosellbot/integrations/web"
)

// ShareFlag ends a command whose answer everyone in the channel should see;
// without it only the person who typed the command sees the answer.
const ShareFlag = chatkit.ShareFlag

// noMentions keeps text such as "@everyone" in a deal's notes from pinging.
var noMentions = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}

// cutShare strips a trailing --share from a command line.
func cutShare(text string) (string, bool) { return chatkit.CutShare(text) }

// result is what an interaction's work came to: a reply, a form to open,
// or an HTTP error instead of either (a replay, a database that did not
// answer).
type result struct {
	reply   command.Reply
	modal   *discordgo.InteractionResponse
	code    int
	errCode string
	why     string
}

// interactions serves Discord's interactions endpoint. After the signature
// and the JSON, everything (the replay record, the account, the stored
// command of a button, the command itself) runs under the deadline; past
// it Discord gets a deferred answer and the result follows by editing it.
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
	if in.ID == "" {
		web.WriteError(w, http.StatusBadRequest, "bad_interaction", "the interaction has no id")
		return
	}
	var userID, name string
	switch {
	case in.Member != nil && in.Member.User != nil:
		userID, name = in.Member.User.ID, displayName(in.Member.User)
	case in.User != nil:
		userID, name = in.User.ID, displayName(in.User)
	}
	where := placeOf(&in)
	// A click on a message only the clicker sees may replace it; on a
	// message in the channel the answer is for the clicker alone.
	private := in.Message != nil && in.Message.Flags&discordgo.MessageFlagsEphemeral != 0
	switch in.Type {
	case discordgo.InteractionApplicationCommand:
		text, refused := commandText(in.ApplicationCommandData())
		if refused != nil {
			a.write(r.Context(), w, discordgo.InteractionResponseChannelMessageWithSource, *refused, false)
			return
		}
		line, share := cutShare(text)
		a.answer(w, r, &in, share, false, func(ctx context.Context) result { return a.run(ctx, &in, userID, where, line) })
	case discordgo.InteractionMessageComponent:
		cid := in.MessageComponentData().CustomID
		a.answer(w, r, &in, false, private, func(ctx context.Context) result {
			id, err := a.customID(ctx, cid)
			if err != nil {
				return result{reply: command.Refusal(err)}
			}
			if ref, ok := formRef(id); ok {
				return a.openForm(ctx, userID, name, where, ref)
			}
			if line, ok := strings.CutPrefix(id, confirmPrefix); ok {
				// Asked only when the yes can succeed: on a deal won since
				// the card was sent, the refusal the yes would meet; and
				// with what the presser should know of the deal now.
				who, err := a.user(ctx, userID)
				if err == nil {
					if r := a.svc.Permits(ctx, who, line); r != nil {
						return result{reply: *r}
					}
				}
				q, cancel := command.Confirmation(line)
				if err == nil {
					q, cancel = a.svc.Confirm(ctx, who, line)
				}
				return result{reply: confirmQuestion(line, q, cancel)}
			}
			return a.run(ctx, &in, userID, where, id)
		})
	case discordgo.InteractionModalSubmit:
		data := in.ModalSubmitData()
		a.answer(w, r, &in, false, private, func(ctx context.Context) result {
			id, err := a.customID(ctx, data.CustomID)
			if err != nil {
				return result{reply: command.Refusal(err)}
			}
			ref, ok := formRef(id)
			f, known := chatkit.ParseRef(ref)
			if !ok || !known {
				return result{code: http.StatusBadRequest, errCode: "bad_interaction", why: "a form cosellbot did not open"}
			}
			sent := inputs(data.Components)
			res := a.run(ctx, &in, userID, where, f.Line(sent))
			if res.code == 0 && !res.reply.OK() {
				res.reply.Text = f.ErrorText(res.reply) // Discord shows no errors under a modal's inputs
				// ...nor keeps the modal open: a button reopens it as sent,
				// when sending it again may succeed. A refusal no input can
				// fix (the referral expired meanwhile) keeps its own.
				if f.Retryable(res.reply) {
					res.reply.Actions = []chat.Action{{Label: "Fix and submit again", Command: formPrefix + f.RetryRef(sent), Style: "primary"}}
				}
			}
			return res
		})
	default:
		web.WriteError(w, http.StatusBadRequest, "bad_interaction", "an interaction type cosellbot does not handle")
	}
}

func displayName(u *discordgo.User) string {
	if u.GlobalName != "" {
		return u.GlobalName
	}
	return u.Username
}

// run carries out a command line as the interaction's user, once.
func (a *Adapter) run(ctx context.Context, in *discordgo.Interaction, userID string, where chat.Place, line string) result {
	if res, first := a.once(ctx, in, line); !first {
		return res
	}
	who, err := a.user(ctx, userID)
	if err != nil {
		return result{reply: command.Refusal(err)}
	}
	return result{reply: a.svc.Run(ctx, who, where, line)}
}

// once records the interaction so that a replay of it is refused. A
// command that changes nothing skips the record: answering its replay again
// is harmless, and the write was most of its cost.
func (a *Adapter) once(ctx context.Context, in *discordgo.Interaction, line string) (result, bool) {
	if a.svc.ReadOnly(line) {
		return result{}, true
	}
	first, err := a.dir.FirstChatEvent(ctx, Platform, "interaction:"+in.ID, a.cfg.Clock.Now())
	if err != nil {
		a.log.ErrorContext(ctx, "cannot record the interaction", "err", err)
		return result{code: http.StatusServiceUnavailable, errCode: "unavailable", why: "the database did not answer; try again",
			reply: command.Reply{Text: "✗ The database did not answer, nothing was done; try again.", Err: &command.Failure{Code: "unavailable", Message: "the database did not answer"}}}, false
	}
	if !first {
		a.log.WarnContext(ctx, "refused a replayed interaction", "id", in.ID)
		return result{code: http.StatusConflict, errCode: "replayed", why: "this interaction was already handled"}, false
	}
	return result{}, true
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
		return "", errButtonGone
	}
	return line, err
}

// formRef reads a custom_id that opens a form: "form:REF", or
// "ask:KEYS:COMMAND" of older messages.
func formRef(id string) (string, bool) {
	if ref, ok := strings.CutPrefix(id, formPrefix); ok {
		return ref, true
	}
	if strings.HasPrefix(id, askPrefix) {
		return id, true
	}
	return "", false
}

// openForm answers a button that needs input with its form (a modal, type
// 9), prefilled with what the deal already says and with the clicker on
// the team. The modal must be the first answer, so the prefill gets only
// part of the deadline; past it the form opens with what is known.
func (a *Adapter) openForm(ctx context.Context, userID, name string, where chat.Place, ref string) result {
	f, ok := chatkit.ParseRef(ref)
	if !ok {
		return result{reply: command.Refusal(errButtonGone)}
	}
	pre, _ := chatkit.Within(ctx, &a.bg, a.deadline(), chatkit.FormBudget(a.cfg.Deadline), func(ctx context.Context) chatkit.Opening {
		who, err := a.user(ctx, userID)
		if err != nil {
			return chatkit.Opening{}
		}
		return chatkit.Open(ctx, a.svc, who, where, f, chatkit.Person(name, who.ID, ""))
	})
	if pre.Refused != nil {
		return result{reply: *pre.Refused}
	}
	f.Prefill(pre.Deal, pre.Me)
	modal, err := a.formModal(ctx, f)
	if err != nil {
		return result{reply: command.Refusal(err)}
	}
	return result{modal: &modal}
}

// answer runs an interaction's work under the deadline. In time, the
// result is the HTTP answer: a form, or a message for the person alone
// (type 4, flag 64) unless shared, or, for a click on their own ephemeral
// message, that message updated (type 7). Late, Discord gets a deferred
// answer of the same kind and the result follows by editing it. A refused
// click leaves the clicked message alone.
func (a *Adapter) answer(w http.ResponseWriter, r *http.Request, in *discordgo.Interaction, share, update bool, work func(context.Context) result) {
	// Refusals, and FAQ answers whose question does not tell, in the
	// language the interaction says its user reads.
	locale := func(context.Context) string { return string(in.Locale) }
	localized := func(ctx context.Context) result {
		res := work(chatkit.WithLocale(ctx, locale))
		res.reply = chatkit.Localize(res.reply, string(in.Locale))
		return res
	}
	res, inTime, late := chatkit.Race(r.Context(), &a.bg, a.deadline(), localized)
	if inTime {
		switch {
		case res.code != 0:
			web.WriteError(w, res.code, res.errCode, res.why)
		case res.modal != nil:
			web.WriteJSON(w, http.StatusOK, res.modal)
		case update && res.reply.OK():
			a.write(r.Context(), w, discordgo.InteractionResponseUpdateMessage, res.reply, false)
		default:
			a.write(r.Context(), w, discordgo.InteractionResponseChannelMessageWithSource, res.reply, share)
		}
		return
	}
	ack := discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
	if update {
		ack.Type = discordgo.InteractionResponseDeferredMessageUpdate
	} else if !share {
		ack.Data = &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}
	}
	web.WriteJSON(w, http.StatusOK, ack)
	a.afterReply(r, func(ctx context.Context) {
		res := <-late
		switch {
		case res.code == http.StatusConflict:
			return // a replay: the first interaction answered
		case res.modal != nil: // a form can only be a first answer
			res.reply = command.Reply{Text: "✗ The form took too long to open; click the button again."}
		}
		if err := a.followUp(ctx, in, res.reply, update); err != nil {
			a.log.ErrorContext(ctx, "the late answer was not delivered", "err", err)
		}
	})
}

// write answers an interaction with a message rendered from reply.
func (a *Adapter) write(ctx context.Context, w http.ResponseWriter, kind discordgo.InteractionResponseType, reply command.Reply, share bool) {
	m := a.render(ctx, reply)
	data := &discordgo.InteractionResponseData{Embeds: m.Embeds, Components: m.Components, AllowedMentions: noMentions}
	if kind == discordgo.InteractionResponseChannelMessageWithSource && !(share && reply.OK() && !reply.Private) {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	web.WriteJSON(w, http.StatusOK, discordgo.InteractionResponse{Type: kind, Data: data})
}

// render renders a reply and keeps the command lines its buttons refer to.
func (a *Adapter) render(ctx context.Context, reply command.Reply) Message {
	m := Render(reply.Text, reply.Actions, !reply.OK())
	a.keep(ctx, m.IDs)
	if m.Components == nil {
		m.Components = []discordgo.MessageComponent{} // an update removes the old buttons
	}
	return m
}

// keep stores the command lines of buttons too long for a custom_id.
func (a *Adapter) keep(ctx context.Context, ids map[string]string) {
	for ref, line := range ids {
		if err := a.dir.PutChatAction(ctx, strings.TrimPrefix(ref, refPrefix), line, a.cfg.Clock.Now()); err != nil {
			a.log.ErrorContext(ctx, "cannot keep a button's command; it will not work", "err", err)
		}
	}
}

// followUp delivers a late result: it edits the deferred answer (the
// clicker's own message, for an update), or, when an update was refused,
// adds an ephemeral message and leaves the message alone.
func (a *Adapter) followUp(ctx context.Context, in *discordgo.Interaction, reply command.Reply, update bool) error {
	m := a.render(ctx, reply)
	opts := []discordgo.RequestOption{discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false)}
	if reply.Private { // a late private answer (a sign-in link) never lands in a shared deferred message
		if _, err := a.session.FollowupMessageCreate(in, false, &discordgo.WebhookParams{
			Embeds: m.Embeds, Components: m.Components, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions,
		}, opts...); err != nil {
			return err
		}
		note := "The answer is private: it was sent to you only."
		_, err := a.session.InteractionResponseEdit(in, &discordgo.WebhookEdit{Content: &note, AllowedMentions: noMentions}, opts...)
		return err
	}
	if update && !reply.OK() {
		_, err := a.session.FollowupMessageCreate(in, false, &discordgo.WebhookParams{
			Embeds: m.Embeds, Components: m.Components, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions,
		}, opts...)
		return err
	}
	_, err := a.session.InteractionResponseEdit(in, &discordgo.WebhookEdit{Embeds: &m.Embeds, Components: &m.Components, AllowedMentions: noMentions}, opts...)
	return err
}

// placeOf is where an interaction was made. A direct message with the bot
// (no guild, the bot-DM context) is marked access.DiscordDM, so that it
// counts as the person's own place (subscribing it needs no admin, and a
// subscription made there never outlives its maker); a group DM or a guild
// channel is a channel.
func placeOf(in *discordgo.Interaction) chat.Place {
	if in.GuildID == "" && in.Member == nil && in.Context == discordgo.InteractionContextBotDM {
		return chat.Place{Platform: Platform, Channel: access.DiscordDM + in.ChannelID}
	}
	return chat.Place{Platform: Platform, Channel: in.ChannelID}
}

// confirmQuestion is the answer to the press of a confirmPrefix button
// for line: its question (the service's Confirm), a button that runs it,
// and Cancel, which shows the deal again (the question replaces the card
// when the card was the presser's alone).
func confirmQuestion(line, q, cancel string) command.Reply {
	if q == "" {
		return command.Refusal(errButtonGone)
	}
	return command.Reply{Text: q, Actions: []chat.Action{{Label: "Yes, go ahead", Command: line, Style: "primary"}, {Label: "Cancel", Command: cancel}}}
}

// errButtonGone refuses a button whose command cosellbot no longer knows
// (kept server-side and since removed, or from an older version).
var errButtonGone = chatkit.ErrButtonGone
