package slack

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/integrations/web"
)

// ShareFlag ends a command whose answer everyone in the channel should see;
// without it only the person who typed the command sees the answer.
const ShareFlag = "--share"

// cutShare strips a trailing --share from a command line.
func cutShare(text string) (string, bool) {
	text = strings.TrimSpace(text)
	if rest, ok := strings.CutSuffix(text, ShareFlag); ok && (rest == "" || strings.HasSuffix(rest, " ")) {
		return strings.TrimSpace(rest), true
	}
	return text, false
}

// commands serves the /cosell slash command.
func (a *Adapter) commands(w http.ResponseWriter, r *http.Request) {
	body, sig, ok := a.verified(w, r)
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		web.WriteError(w, http.StatusBadRequest, "bad_form", "the slash command body is not a form: "+err.Error())
		return
	}
	ctx := r.Context()
	line, share := cutShare(form.Get("text"))
	if !a.svc.ReadOnly(line) && !a.once(w, r, sig) {
		return
	}
	who, err := a.user(ctx, form.Get("user_id"))
	if err != nil {
		writeMessage(w, command.Refusal(err), false)
		return
	}
	if strings.EqualFold(strings.Join(strings.Fields(line), " "), "deal new") && a.api != nil && form.Get("trigger_id") != "" {
		// The bare verb opens the form; trigger_id expires in seconds, so
		// the modal opens now, inside the request.
		if _, err := a.api.OpenViewContext(ctx, form.Get("trigger_id"), newDealModal(form.Get("channel_id"))); err != nil {
			a.log.ErrorContext(ctx, "views.open failed", "err", err)
			writeMessage(w, command.Reply{Text: "✗ The new deal form could not open (" + err.Error() + "). Type the command with its keys instead: help deal new."}, false)
			return
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	where := chat.Place{Platform: Platform, Channel: form.Get("channel_id")}
	done := make(chan command.Reply, 1)
	a.afterReply(r, func(ctx context.Context) { done <- a.svc.Run(ctx, who, where, line) })
	timer := time.NewTimer(a.cfg.Deadline)
	defer timer.Stop()
	select {
	case reply := <-done:
		writeMessage(w, reply, share)
	case <-timer.C:
		writeMessage(w, command.Reply{Text: "⏳ Working on it…"}, false)
		responseURL := form.Get("response_url")
		a.afterReply(r, func(ctx context.Context) {
			reply := <-done
			if err := a.respond(ctx, responseURL, reply, share, true); err != nil {
				a.log.ErrorContext(ctx, "the late answer was not delivered", "err", err)
			}
		})
	}
}

// message is a reply as a slash command or response_url answer.
func message(reply command.Reply, share bool) slackapi.Msg {
	m := slackapi.Msg{ResponseType: slackapi.ResponseTypeEphemeral, Text: Fallback(reply.Text),
		Blocks: slackapi.Blocks{BlockSet: Blocks(reply.Text, reply.Actions, messageBlocks)}}
	if share && reply.OK() && !reply.Private {
		m.ResponseType = slackapi.ResponseTypeInChannel
	}
	return m
}

func writeMessage(w http.ResponseWriter, reply command.Reply, share bool) {
	web.WriteJSON(w, http.StatusOK, message(reply, share))
}

// respond posts an answer to a response_url; replace swaps it for the
// message the interaction came from.
func (a *Adapter) respond(ctx context.Context, responseURL string, reply command.Reply, share, replace bool) error {
	if responseURL == "" {
		return errNoResponseURL
	}
	m := message(reply, share)
	return slackapi.PostWebhookCustomHTTPContext(ctx, responseURL, a.http, &slackapi.WebhookMessage{
		Text: m.Text, Blocks: &m.Blocks, ResponseType: m.ResponseType, ReplaceOriginal: replace,
	})
}
