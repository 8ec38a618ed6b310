package slack

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/integrations/chatkit"
	"github.com/cosellbot/cosellbot/integrations/web"
)

// ShareFlag ends a command whose answer everyone in the channel should see;
// without it only the person who typed the command sees the answer.
const ShareFlag = chatkit.ShareFlag

// cutShare strips a trailing --share from a command line.
func cutShare(text string) (string, bool) { return chatkit.CutShare(text) }

// sslCheck answers the check Slack makes of a slash command's URL
// (ssl_check=1, sent when the URL is saved): 200 and nothing else. It
// reads nothing but that flag and does nothing, so it needs no signature;
// the body is put back for the signature check of every other request.
func sslCheck(w http.ResponseWriter, r *http.Request) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		// Put back as an error, so that the signature check refuses the
		// request for what it is (too large, unreadable), not for a
		// signature over the part that was read.
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if !bytes.Contains(body, []byte("ssl_check=")) {
		return false // every command: no second parse of its form
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("ssl_check") != "1" {
		return false
	}
	w.WriteHeader(http.StatusOK)
	return true
}

// commands serves the /cosell slash command. Everything that may be slow
// (the replay record, the identity lookup, the command) runs under the
// deadline; past it Slack gets an acknowledgement and the answer follows
// through the response_url.
func (a *Adapter) commands(w http.ResponseWriter, r *http.Request) {
	if sslCheck(w, r) {
		return
	}
	body, sig, ok := a.verified(w, r)
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		web.WriteError(w, http.StatusBadRequest, "bad_form", "the slash command body is not a form: "+err.Error())
		return
	}
	raw, share := cutShare(form.Get("text"))
	responseURL := form.Get("response_url")
	if strings.EqualFold(strings.Join(strings.Fields(raw), " "), "deal new") && a.api != nil && form.Get("trigger_id") != "" {
		// The bare verb opens the form; trigger_id is valid for 3 seconds
		// from the command, so the modal opens right after the answer.
		w.WriteHeader(http.StatusOK)
		a.afterReply(r, func(ctx context.Context) {
			// Slack's retry of the command opens no second form.
			if o, first := a.once(ctx, deliveryKey(form.Get("trigger_id"), sig)); !first {
				if o.code != http.StatusConflict {
					a.deliver(ctx, form.Get("user_id"), responseURL, o.reply, false)
				}
				return
			}
			if refused := a.mayCreate(ctx, form.Get("user_id")); refused != nil {
				a.deliver(ctx, form.Get("user_id"), responseURL, *refused, false)
				return
			}
			if _, err := a.api.OpenViewContext(ctx, form.Get("trigger_id"), newDealModal(form.Get("channel_id"), a.me(ctx, form.Get("user_id")))); err != nil {
				a.log.ErrorContext(ctx, "views.open failed", "err", err)
				a.deliver(ctx, form.Get("user_id"), responseURL, command.Reply{Text: "✗ The new deal form could not open (" + err.Error() + "). Type the command with its keys instead: help deal new."}, false)
			}
		})
		return
	}
	where := chat.Place{Platform: Platform, Channel: form.Get("channel_id")}
	userID := form.Get("user_id")
	out, inTime, late := chatkit.Race(r.Context(), &a.bg, a.deadline(), func(ctx context.Context) outcome {
		line := a.decode(ctx, raw)
		if !a.svc.ReadOnly(line) {
			if o, first := a.once(ctx, deliveryKey(form.Get("trigger_id"), sig)); !first {
				return o
			}
		}
		who, err := a.user(ctx, userID)
		if err != nil {
			return outcome{reply: command.Refusal(err)}
		}
		return outcome{reply: a.localize(ctx, userID, a.svc.Run(a.withLocale(ctx, userID), who, where, line))}
	})
	if inTime {
		if out.code != 0 {
			out.write(w)
			return
		}
		writeMessage(w, out.reply, share)
		return
	}
	writeMessage(w, command.Reply{Text: "⏳ Working on it…"}, false)
	a.afterReply(r, func(ctx context.Context) {
		o := <-late
		if o.code == http.StatusConflict {
			return // a replay: the first request answered
		}
		if err := a.respond(ctx, responseURL, o.reply, share, true); err != nil {
			a.log.ErrorContext(ctx, "the late answer was not delivered", "err", err)
		}
	})
}

// message is a reply as a slash command or response_url answer.
func message(reply command.Reply, share bool) response {
	m := response{ResponseType: slackapi.ResponseTypeEphemeral, Text: Fallback(reply.Text),
		Blocks: Blocks(reply.Text, reply.Actions, messageBlocks)}
	if share && reply.OK() && !reply.Private {
		m.ResponseType = slackapi.ResponseTypeInChannel
	}
	return m
}

// response is a command's answer as Slack reads it, in the HTTP response or
// posted to a response_url: only the fields an answer uses. slackapi.Msg
// would also write replace_original, delete_original and an empty metadata,
// and its Blocks wrapper marshals the blocks into bytes that encoding/json
// then checks and copies again, a tenth of a deal show's time.
type response struct {
	ResponseType string           `json:"response_type"`
	Text         string           `json:"text"`
	Blocks       []slackapi.Block `json:"blocks"`
}

func writeMessage(w http.ResponseWriter, reply command.Reply, share bool) {
	web.WriteJSON(w, http.StatusOK, message(reply, share))
}

// respond posts an answer to a response_url; replace swaps it for the
// message the interaction came from, which only a message the person alone
// sees may be (see blockActions).
func (a *Adapter) respond(ctx context.Context, responseURL string, reply command.Reply, share, replace bool) error {
	if responseURL == "" {
		return errNoResponseURL
	}
	m := message(reply, share)
	return slackapi.PostWebhookCustomHTTPContext(ctx, responseURL, a.http, &slackapi.WebhookMessage{
		Text: m.Text, Blocks: &slackapi.Blocks{BlockSet: m.Blocks}, ResponseType: m.ResponseType, ReplaceOriginal: replace,
	})
}

// errReader fails every read with err.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
