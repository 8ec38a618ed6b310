package main

import (
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/cosellbot/cosellbot/integrations/discord"
)

// discordConfig is the Discord application's settings (DESIGN.md,
// Configuration).
type discordConfig struct {
	PublicKey ed25519.PublicKey // DISCORD_PUBLIC_KEY; unset: /discord/interactions answers 503
	BotToken  string            // DISCORD_BOT_TOKEN; registers /cosell (with the app id) and posts notifications
	AppID     string            // DISCORD_APP_ID
	APIURL    string            // DISCORD_API_URL; the REST API base, Discord's when unset (tests point it at a fake)
}

func loadDiscord(getenv func(string) string) (discordConfig, error) {
	c := discordConfig{BotToken: getenv("DISCORD_BOT_TOKEN"), AppID: getenv("DISCORD_APP_ID"), APIURL: getenv("DISCORD_API_URL")}
	if key := getenv("DISCORD_PUBLIC_KEY"); key != "" {
		k, err := discord.ParsePublicKey(key)
		if err != nil {
			return c, fmt.Errorf("DISCORD_PUBLIC_KEY: %w", err)
		}
		c.PublicKey = k
	}
	return c, nil
}

// discordNotifier is the Discord notifier for the outbox, when a bot token
// is set.
func (a *app) discordNotifier() (*discord.Notifier, bool) {
	if a.cfg.Discord.BotToken == "" {
		return nil, false
	}
	n, err := discord.NewNotifier(discord.NotifierConfig{
		BotToken: a.cfg.Discord.BotToken, APIURL: a.cfg.Discord.APIURL, Version: version, Keep: a.store,
		Now: func() time.Time { return a.clock.Now() },
	})
	if err != nil {
		a.log.Error("no Discord notifications", "err", err)
		return nil, false
	}
	return n, true
}
