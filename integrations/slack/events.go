package slack

import (
	"context"
	"encoding/json"
	"net/http"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/integrations/chatkit"
	"github.com/cosellbot/cosellbot/integrations/web"
)

// events serves the Events API: the URL check Slack makes when the request
// URL is saved, and app_home_opened. Slack retries an event it thinks was
// not received, signed anew; a retry, like a replay, carries the same
// event_id and is acknowledged without being handled again.
func (a *Adapter) events(w http.ResponseWriter, r *http.Request) {
	body, _, ok := a.verified(w, r)
	if !ok {
		return
	}
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		web.WriteError(w, http.StatusBadRequest, "bad_event", "the event is not one Slack sends: "+err.Error())
		return
	}
	switch ev.Type {
	case slackevents.URLVerification:
		uv, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent)
		if !ok {
			web.WriteError(w, http.StatusBadRequest, "bad_event", "url_verification without a challenge")
			return
		}
		web.WriteJSON(w, http.StatusOK, map[string]string{"challenge": uv.Challenge})
		return
	case slackevents.CallbackEvent:
	default:
		w.WriteHeader(http.StatusOK)
		return
	}
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok || cb.EventID == "" {
		web.WriteError(w, http.StatusBadRequest, "bad_event", "an event_callback without an event_id")
		return
	}
	// The record of handled events is a database write: under the deadline,
	// so that a slow database never makes Slack retry a delivered event.
	home, _ := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
	handle := func(ctx context.Context) { // after the record said the event is new
		if home != nil && home.Tab == "home" && a.api != nil {
			a.publishHome(ctx, home.User)
		}
	}
	type recorded struct {
		first bool
		err   error
	}
	rec, inTime, late := chatkit.Race(r.Context(), &a.bg, a.deadline(), func(ctx context.Context) recorded {
		first, err := a.dir.FirstChatEvent(ctx, Platform, "event:"+cb.EventID, a.cfg.Clock.Now())
		return recorded{first, err}
	})
	if !inTime {
		w.WriteHeader(http.StatusOK)
		a.afterReply(r, func(ctx context.Context) {
			if rec := <-late; rec.err == nil && rec.first {
				handle(ctx)
			} else if rec.err != nil {
				a.log.ErrorContext(ctx, "cannot record the event", "err", rec.err)
			}
		})
		return
	}
	if rec.err != nil {
		a.log.ErrorContext(r.Context(), "cannot record the event", "err", rec.err)
		web.WriteError(w, http.StatusServiceUnavailable, "unavailable", "the database did not answer; try again")
		return
	}
	w.WriteHeader(http.StatusOK)
	if !rec.first {
		a.log.InfoContext(r.Context(), "ignored a retried event", "event_id", cb.EventID, "retry", r.Header.Get("X-Slack-Retry-Num"))
		return
	}
	a.afterReply(r, handle)
}

// publishHome shows a person their App Home: a New deal button, their open
// deals and the referrals expiring soon, as they would get them typing
// deal list and deal list expiring.
func (a *Adapter) publishHome(ctx context.Context, slackID string) {
	blocks := []slackapi.Block{slackapi.NewHeaderBlock(plain("cosellbot — your co-sell pipeline"))}
	who, err := a.user(ctx, slackID)
	if err != nil {
		blocks = append(blocks, Blocks(command.Refusal(err).Text, nil, homeBlocks-len(blocks))...)
	} else {
		where := chat.Place{Platform: Platform}
		if a.svc.Permits(ctx, who, "deal new") == nil { // a button only for who may create deals
			blocks = append(blocks, slackapi.NewActionBlock("cosell_home",
				slackapi.NewButtonBlockElement(actionNewDeal, "deal new", plain("New deal")).WithStyle(slackapi.StylePrimary)))
		}
		for _, part := range []struct{ title, line string }{
			{"Your open deals", "deal list"},
			{"Expiring within 7 days", "deal list expiring"},
		} {
			reply := a.svc.Run(ctx, who, where, part.line)
			blocks = append(blocks, slackapi.NewDividerBlock(), slackapi.NewHeaderBlock(plain(part.title)))
			room := (homeBlocks - len(blocks)) / 2
			blocks = append(blocks, Blocks(reply.Text, nil, room)...)
		}
	}
	view := slackapi.HomeTabViewRequest{Type: slackapi.VTHomeTab, Blocks: slackapi.Blocks{BlockSet: blocks}}
	if _, err := a.api.PublishViewContext(ctx, slackapi.PublishViewContextRequest{UserID: slackID, View: view}); err != nil {
		a.log.ErrorContext(ctx, "views.publish failed", "user", slackID, "err", err)
	}
}
