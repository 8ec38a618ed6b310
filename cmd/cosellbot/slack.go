package main

import (
	"context"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/cosellbot/cosellbot/integrations/discord"
	"github.com/cosellbot/cosellbot/integrations/slack"
)

// slackConfig is the Slack app's settings (DESIGN.md, Configuration).
type slackConfig struct {
	SigningSecret string // SLACK_SIGNING_SECRET; unset: the Slack routes answer 503
	BotToken      string // SLACK_BOT_TOKEN; enables modals, App Home, e-mail lookup, notifications
	APIURL        string // SLACK_API_URL; the Web API base, Slack's when unset (tests point it at a fake)
}

func loadSlack(getenv func(string) string) slackConfig {
	c := slackConfig{SigningSecret: getenv("SLACK_SIGNING_SECRET"), BotToken: getenv("SLACK_BOT_TOKEN"), APIURL: getenv("SLACK_API_URL")}
	if c.APIURL != "" && !strings.HasSuffix(c.APIURL, "/") {
		c.APIURL += "/" // slack-go appends method names to the base
	}
	return c
}

// chatRoutes builds the Slack and Discord adapters that the configuration
// enables and mounts their routes; a platform without its secret gets
// routes that answer 503, never ones that accept unsigned requests.
func (a *app) chatRoutes(r *mux.Router) {
	if a.cfg.Slack.SigningSecret == "" {
		slack.Unavailable(r)
	} else {
		ad, err := slack.New(slack.Config{
			SigningSecret: a.cfg.Slack.SigningSecret, BotToken: a.cfg.Slack.BotToken, APIURL: a.cfg.Slack.APIURL, Clock: a.clock, Log: a.log,
		}, a.svc, a.store)
		if err != nil {
			a.log.Error("Slack is off", "err", err)
			slack.Unavailable(r)
		} else {
			a.slack = ad
			ad.Routes(r)
		}
	}
	if a.cfg.Discord.PublicKey == nil {
		discord.Unavailable(r)
		return
	}
	ad, err := discord.New(discord.Config{
		PublicKey: a.cfg.Discord.PublicKey, BotToken: a.cfg.Discord.BotToken, AppID: a.cfg.Discord.AppID,
		APIURL: a.cfg.Discord.APIURL, Version: version, Clock: a.clock, Log: a.log,
	}, a.svc, a.store)
	if err != nil {
		a.log.Error("Discord is off", "err", err)
		discord.Unavailable(r)
		return
	}
	a.discord = ad
	ad.Routes(r)
}

// chatEventsKept is how long handled deliveries are remembered: longer
// than Slack's last event retry (about 5 minutes after the first try) and
// the 5-minute signature window of both platforms.
const chatEventsKept = time.Hour

// chatLoop runs beside the server once chatRoutes built the adapters: it
// registers /cosell with Discord, forgets old handled deliveries, and at
// shutdown waits for answers still being delivered after their request.
func (a *app) chatLoop(ctx context.Context) error {
	if a.discord != nil && a.cfg.Discord.BotToken != "" && a.cfg.Discord.AppID != "" {
		if err := a.discord.Register(ctx); err != nil {
			a.log.ErrorContext(ctx, "the /cosell command was not registered with Discord", "err", err)
		} else {
			a.log.InfoContext(ctx, "registered /cosell with Discord", "app", a.cfg.Discord.AppID)
		}
	}
	tick := time.NewTicker(10 * time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			if a.slack != nil {
				a.slack.Wait()
			}
			if a.discord != nil {
				a.discord.Wait()
			}
			return nil
		case <-tick.C:
			n, err := a.store.ForgetChatEvents(ctx, a.clock.Now().Add(-chatEventsKept))
			if err != nil {
				a.log.WarnContext(ctx, "cannot forget old chat deliveries", "err", err)
			} else if n > 0 {
				a.log.DebugContext(ctx, "forgot old chat deliveries", "count", n)
			}
		}
	}
}

// slackNotifier is the Slack notifier for the outbox, when a bot token is set.
func (a *app) slackNotifier() (*slack.Notifier, bool) {
	if a.cfg.Slack.BotToken == "" {
		return nil, false
	}
	n, err := slack.NewNotifier(a.cfg.Slack.BotToken, a.cfg.Slack.APIURL, nil)
	if err != nil {
		a.log.Error("no Slack notifications", "err", err)
		return nil, false
	}
	return n, true
}
