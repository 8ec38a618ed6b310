package slack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/integrations/web"
)

var errNoResponseURL = errors.New("slack: the interaction has no response_url to answer on")

// interactions serves buttons, selects and the new deal modal.
func (a *Adapter) interactions(w http.ResponseWriter, r *http.Request) {
	body, sig, ok := a.verified(w, r)
	if !ok || !a.once(w, r, sig) {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		web.WriteError(w, http.StatusBadRequest, "bad_form", "the interaction body is not a form: "+err.Error())
		return
	}
	var cb slackapi.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		web.WriteError(w, http.StatusBadRequest, "bad_payload", "the interaction payload is not JSON: "+err.Error())
		return
	}
	switch cb.Type {
	case slackapi.InteractionTypeBlockActions:
		a.blockActions(w, r, &cb)
	case slackapi.InteractionTypeViewSubmission:
		a.viewSubmission(w, r, &cb)
	default:
		// Other kinds (view_closed, shortcuts) need nothing from cosellbot.
		w.WriteHeader(http.StatusOK)
	}
}

// blockActions runs the command a button or a reason picker carries. Slack
// only needs an empty 200 here; the answer replaces the message through the
// response_url, so the card shows the deal's new state and its next buttons.
func (a *Adapter) blockActions(w http.ResponseWriter, r *http.Request, cb *slackapi.InteractionCallback) {
	if len(cb.ActionCallback.BlockActions) == 0 {
		w.WriteHeader(http.StatusOK)
		return
	}
	act := cb.ActionCallback.BlockActions[0]
	ctx := r.Context()
	who, err := a.user(ctx, cb.User.ID)
	if err != nil {
		w.WriteHeader(http.StatusOK)
		a.afterReply(r, func(ctx context.Context) { a.deliver(ctx, cb.ResponseURL, command.Refusal(err), false) })
		return
	}
	var line string
	switch {
	case act.ActionID == actionNewDeal:
		if a.api == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		if _, err := a.api.OpenViewContext(ctx, cb.TriggerID, newDealModal(cb.Channel.ID)); err != nil {
			a.log.ErrorContext(ctx, "views.open failed", "err", err)
		}
		w.WriteHeader(http.StatusOK)
		return
	case strings.HasPrefix(act.ActionID, actionAsk):
		line = act.SelectedOption.Value
	case strings.HasPrefix(act.ActionID, actionRun):
		line = act.Value
	default:
		w.WriteHeader(http.StatusOK)
		return
	}
	w.WriteHeader(http.StatusOK)
	where := chat.Place{Platform: Platform, Channel: cb.Channel.ID}
	a.afterReply(r, func(ctx context.Context) {
		a.deliver(ctx, cb.ResponseURL, a.svc.Run(ctx, who, where, line), true)
	})
}

// deliver posts an answer on a response_url and logs a failure: the
// request was answered already, so there is no one else to tell.
func (a *Adapter) deliver(ctx context.Context, responseURL string, reply command.Reply, replace bool) {
	// A refused action leaves the card as it was, with its buttons.
	if err := a.respond(ctx, responseURL, reply, false, replace && reply.OK()); err != nil {
		a.log.ErrorContext(ctx, "the answer to an action was not delivered", "err", err)
	}
}

// viewSubmission runs the new deal modal. Slack waits for the answer in the
// HTTP response: either errors shown under the fields they concern, or the
// modal replaced by the result.
func (a *Adapter) viewSubmission(w http.ResponseWriter, r *http.Request, cb *slackapi.InteractionCallback) {
	if cb.View.CallbackID != newDealCallback {
		w.WriteHeader(http.StatusOK)
		return
	}
	ctx := r.Context()
	who, err := a.user(ctx, cb.User.ID)
	if err != nil {
		web.WriteJSON(w, http.StatusOK, slackapi.NewErrorsViewSubmissionResponse(map[string]string{newDealFields[0].key: command.Refusal(err).Err.Message}))
		return
	}
	line := newDealLine(cb.View.State)
	reply := a.svc.Run(ctx, who, chat.Place{Platform: Platform, Channel: cb.View.PrivateMetadata}, line)
	if !reply.OK() {
		web.WriteJSON(w, http.StatusOK, slackapi.NewErrorsViewSubmissionResponse(fieldErrors(reply)))
		return
	}
	web.WriteJSON(w, http.StatusOK, slackapi.NewUpdateViewSubmissionResponse(resultModal(reply)))
}
