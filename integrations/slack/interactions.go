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
	"github.com/cosellbot/cosellbot/integrations/chatkit"
	"github.com/cosellbot/cosellbot/integrations/web"
)

var errNoResponseURL = errors.New("slack: the interaction has no response_url to answer on")

// interactions serves buttons and the forms (modals).
func (a *Adapter) interactions(w http.ResponseWriter, r *http.Request) {
	body, sig, ok := a.verified(w, r)
	if !ok {
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
		a.blockActions(w, r, &cb, sig)
	case slackapi.InteractionTypeViewSubmission:
		a.viewSubmission(w, r, &cb, sig)
	default:
		// Other kinds (view_closed, shortcuts) need nothing from cosellbot.
		w.WriteHeader(http.StatusOK)
	}
}

// blockActions answers a button at once (Slack only needs an empty 200)
// and does the work after: a button that needs input opens its form, any
// other runs its command as the person who clicked. The answer is for
// them alone: on a message in a channel it comes as an ephemeral message,
// never replacing the message everyone sees (whose state line the outbox
// updates); on their own ephemeral message it replaces that message.
func (a *Adapter) blockActions(w http.ResponseWriter, r *http.Request, cb *slackapi.InteractionCallback, sig string) {
	w.WriteHeader(http.StatusOK)
	if len(cb.ActionCallback.BlockActions) == 0 {
		return
	}
	act := cb.ActionCallback.BlockActions[0]
	key := deliveryKey(cb.TriggerID, sig)
	var line string
	switch {
	case act.ActionID == actionNewDeal:
		if a.api != nil {
			a.afterReply(r, func(ctx context.Context) {
				if !a.firstClick(ctx, cb, key) {
					return
				}
				if refused := a.mayCreate(ctx, cb.User.ID); refused != nil {
					// Refused before the form, as every other form is: nobody
					// fills 21 fields to be told no.
					if cb.ResponseURL != "" {
						a.deliver(ctx, cb.User.ID, cb.ResponseURL, *refused, false)
					}
					return
				}
				if _, err := a.api.OpenViewContext(ctx, cb.TriggerID, newDealModal(cb.Channel.ID, a.me(ctx, cb.User.ID))); err != nil {
					a.log.ErrorContext(ctx, "views.open failed", "err", err)
				}
			})
		}
		return
	case strings.HasPrefix(act.ActionID, actionForm):
		a.afterReply(r, func(ctx context.Context) {
			if a.firstClick(ctx, cb, key) {
				a.openForm(ctx, cb, act.Value)
			}
		})
		return
	case strings.HasPrefix(act.ActionID, actionAsk): // a reason picker of older messages
		line = act.SelectedOption.Value
	case strings.HasPrefix(act.ActionID, actionRun):
		line = act.Value
	default:
		return
	}
	where := chat.Place{Platform: Platform, Channel: cb.Channel.ID}
	private := cb.Container.IsEphemeral
	a.afterReply(r, func(ctx context.Context) {
		if !a.firstClick(ctx, cb, key) {
			return
		}
		who, err := a.user(ctx, cb.User.ID)
		if err != nil {
			a.deliver(ctx, cb.User.ID, cb.ResponseURL, command.Refusal(err), false)
			return
		}
		a.deliver(ctx, cb.User.ID, cb.ResponseURL, a.svc.Run(a.withLocale(ctx, cb.User.ID), who, where, line), private)
	})
}

// firstClick records a click and reports whether it is its first delivery:
// Slack's retry of a click (or a replay) opens no second form and runs
// nothing twice. A click that cannot be recorded is not acted on, and the
// clicker is told to try again.
func (a *Adapter) firstClick(ctx context.Context, cb *slackapi.InteractionCallback, key string) bool {
	o, first := a.once(ctx, key)
	if !first && o.code != http.StatusConflict && cb.ResponseURL != "" {
		a.deliver(ctx, cb.User.ID, cb.ResponseURL, o.reply, false)
	}
	return first
}

// deliver posts an answer on a response_url, for the clicker (Slack member
// slackID) alone, and logs a failure: the request was answered already, so
// there is no one else to tell. replace swaps the clicked message (the
// clicker's own) for the answer; a refused action leaves it as it was,
// with its buttons.
func (a *Adapter) deliver(ctx context.Context, slackID, responseURL string, reply command.Reply, replace bool) {
	reply = a.localize(ctx, slackID, reply)
	if err := a.respond(ctx, responseURL, reply, false, replace && reply.OK()); err != nil {
		a.log.ErrorContext(ctx, "the answer to an action was not delivered", "err", err)
	}
}

// openForm opens the form a button needs, prefilled with what the deal
// already says and with the clicker on the team, then leaves the rest to
// the submission. A click on a card never runs a command bound to fail
// for lack of input.
func (a *Adapter) openForm(ctx context.Context, cb *slackapi.InteractionCallback, ref string) {
	f, ok := chatkit.ParseRef(ref)
	if !ok {
		a.deliver(ctx, cb.User.ID, cb.ResponseURL, command.Refusal(chatkit.ErrButtonGone), false)
		return
	}
	if a.api == nil {
		a.deliver(ctx, cb.User.ID, cb.ResponseURL, command.Reply{Text: "Forms need the app's bot token. Type the command with its keys instead: help " + f.Command}, false)
		return
	}
	where := chat.Place{Platform: Platform, Channel: cb.Channel.ID}
	pre, _ := chatkit.Within(ctx, &a.bg, a.deadline(), chatkit.FormBudget(a.cfg.Deadline), func(ctx context.Context) chatkit.Opening {
		return a.opening(ctx, cb.User.ID, where, f)
	})
	if pre.Refused != nil {
		a.deliver(ctx, cb.User.ID, cb.ResponseURL, *pre.Refused, false)
		return
	}
	f.Prefill(pre.Deal, pre.Me)
	if _, err := a.api.OpenViewContext(ctx, cb.TriggerID, formModal(f, cb.Channel.ID)); err != nil {
		a.log.ErrorContext(ctx, "views.open failed", "form", f.Kind, "err", err)
		a.deliver(ctx, cb.User.ID, cb.ResponseURL, command.Reply{Text: "✗ The form could not open (" + err.Error() + "). Type the command with its keys instead: help " + f.Command}, false)
	}
}

// me is the Slack member as a team member ("Name <email> +phone"), for the
// new deal form to open with, or "" when users.info does not answer within
// the form's budget: the form opens anyway, with the team empty.
func (a *Adapter) me(ctx context.Context, slackID string) string {
	me, _ := chatkit.Within(ctx, &a.bg, a.deadline(), chatkit.FormBudget(a.cfg.Deadline), func(ctx context.Context) string {
		m, err := a.members.Get(ctx, slackID)
		if err != nil {
			return ""
		}
		return m.person()
	})
	return me
}

// opening reads what the form needs as the clicker (chatkit.Open), with
// the clicker named as Slack knows them.
func (a *Adapter) opening(ctx context.Context, slackID string, where chat.Place, f chatkit.Form) chatkit.Opening {
	who, err := a.user(ctx, slackID)
	if err != nil {
		return chatkit.Opening{}
	}
	me := chatkit.Person("", who.ID, "")
	if m, err := a.members.Get(ctx, slackID); err == nil {
		me = m.person()
	}
	return chatkit.Open(ctx, a.svc, who, where, f, me)
}

// viewSubmission runs a submitted form: the new deal modal, or the form
// of an action. Slack waits for the answer in the HTTP response: errors
// shown under the fields they concern, or the form replaced by the result.
// The work runs under the deadline like a command; past it the form shows
// that it is working and is updated (views.update) with the result.
func (a *Adapter) viewSubmission(w http.ResponseWriter, r *http.Request, cb *slackapi.InteractionCallback, sig string) {
	var (
		title   string
		line    string
		errsOf  func(command.Reply) map[string]string
		asideOf func(command.Reply) []string
		where   = chat.Place{Platform: Platform}
	)
	switch cb.View.CallbackID {
	case newDealCallback:
		title, line, errsOf, asideOf = "New deal", newDealLine(cb.View.State), fieldErrors, asideErrors
		where.Channel = cb.View.PrivateMetadata
	case formCallback:
		var meta formMeta
		if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil {
			web.WriteError(w, http.StatusBadRequest, "bad_payload", "a form cosellbot did not open")
			return
		}
		f, ok := chatkit.ParseRef(meta.Ref)
		if !ok || len(f.Fields) == 0 {
			web.WriteError(w, http.StatusBadRequest, "bad_payload", "a form cosellbot did not open")
			return
		}
		title, line, errsOf, asideOf = f.Title, f.Line(formValues(f, cb.View.State)), f.Errors, f.Aside
		where.Channel = meta.Channel
	default:
		w.WriteHeader(http.StatusOK)
		return
	}
	out, inTime, late := chatkit.Race(r.Context(), &a.bg, a.deadline(), func(ctx context.Context) outcome {
		if o, first := a.once(ctx, deliveryKey(cb.TriggerID, sig)); !first {
			return o
		}
		who, err := a.user(ctx, cb.User.ID)
		if err != nil {
			return outcome{reply: command.Refusal(err)}
		}
		return outcome{reply: a.svc.Run(a.withLocale(ctx, cb.User.ID), who, where, line)}
	})
	if !inTime {
		web.WriteJSON(w, http.StatusOK, slackapi.NewUpdateViewSubmissionResponse(resultModal(title, command.Reply{Text: "⏳ Working on it…"})))
		viewID := cb.View.ID
		a.afterReply(r, func(ctx context.Context) {
			o := <-late
			if o.code == http.StatusConflict || a.api == nil {
				return
			}
			if _, err := a.api.UpdateViewContext(ctx, *resultModal(title, o.reply), "", "", viewID); err != nil {
				a.log.ErrorContext(ctx, "views.update failed", "err", err)
			}
		})
		return
	}
	switch {
	case out.code == http.StatusConflict:
		w.WriteHeader(http.StatusOK) // a replay: the first submission answered
	case out.code != 0:
		// Nothing typed is wrong (the database did not answer): the
		// message goes over the form, which Back brings back as it was, to
		// submit again.
		web.WriteJSON(w, http.StatusOK, slackapi.NewPushViewSubmissionResponse(noteModal(title, out.reply)))
	case !out.reply.OK():
		web.WriteJSON(w, http.StatusOK, refusedView(title, out.reply, errsOf(out.reply), asideOf(out.reply)))
	default:
		web.WriteJSON(w, http.StatusOK, slackapi.NewUpdateViewSubmissionResponse(resultModal(title, out.reply)))
	}
}

// refusedView is how a refused submission is shown. Slack shows errors
// only under a form's inputs, so problems about them go there; a refusal
// about nothing in the form (the referral expired while it was open, a
// permission) replaces the form, as a result does, since no input can fix
// it; one about both, or a failure to reach the database, goes over the
// form, listing every problem, and Back returns to the form as it was
// typed, to fix or submit again.
func refusedView(title string, reply command.Reply, errs map[string]string, aside []string) *slackapi.ViewSubmissionResponse {
	switch {
	case len(aside) == 0 && len(errs) > 0:
		return slackapi.NewErrorsViewSubmissionResponse(errs)
	case len(errs) == 0 && (reply.Err == nil || reply.Err.Code != "unavailable"):
		return slackapi.NewUpdateViewSubmissionResponse(resultModal(title, reply))
	default:
		return slackapi.NewPushViewSubmissionResponse(noteModal(title, reply))
	}
}

// mayCreate is the refusal a Slack member gets for deal new (not a user,
// or a role that creates no deals), or nil: checked before the new deal
// form opens.
func (a *Adapter) mayCreate(ctx context.Context, slackID string) *command.Reply {
	who, err := a.user(ctx, slackID)
	if err != nil {
		r := command.Refusal(err)
		return &r
	}
	return a.svc.Permits(ctx, who, "deal new")
}
