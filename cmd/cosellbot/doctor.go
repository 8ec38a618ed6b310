package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/doctor"
	"github.com/cosellbot/cosellbot/store"
)

// doctorPlatforms are the endpoints doctor calls; tests replace them.
var doctorPlatforms = doctor.Live

// cmdDoctor checks what the configuration points at and prints one line
// per check with what to fix; exit 1 when a check failed. It never
// migrates and never creates a database file.
func cmdDoctor(ctx context.Context, in *invocation, args []string) int {
	if len(args) > 0 {
		return usageOf(in.stderr, "doctor")
	}
	var findings []doctor.Finding
	if in.cfgErr != nil {
		findings = append(findings, doctor.Finding{Name: "configuration", Status: doctor.Failed,
			Detail: strings.ReplaceAll(in.cfgErr.Error(), "\n", "; "), Fix: "cosellbot config shows the broken values; the checks below use what could be read"})
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	findings = append(findings, doctorDatabase(ctx, in.cfg)...)
	p := doctorPlatforms()
	cfg := in.cfg
	if cfg.Slack.APIURL != "" { // the endpoints serve would call
		p.SlackAPI = cfg.Slack.APIURL
	}
	if cfg.Discord.APIURL != "" {
		p.DiscordAPI = cfg.Discord.APIURL
	}
	findings = append(findings,
		doctor.Secret("SLACK_SIGNING_SECRET", cfg.Slack.SigningSecret, "the Slack routes answer 503"),
		p.Slack(ctx, cfg.Slack.BotToken),
		p.Discord(ctx, cfg.Discord.BotToken, cfg.Discord.AppID),
	)
	if cfg.Discord.PublicKey == nil {
		findings = append(findings, doctor.Finding{Name: "DISCORD_PUBLIC_KEY", Status: doctor.Skipped, Detail: "not set: /discord/interactions answers 503"})
	} else {
		findings = append(findings, doctor.Finding{Name: "DISCORD_PUBLIC_KEY", Status: doctor.OK, Detail: "a valid Ed25519 public key"})
	}
	findings = append(findings, p.PartnerCenter(cfg.Webhooks.PartnerCenter), doctor.CacheDir(cacheDir(cfg)))
	for _, s := range crm.Sources {
		env := "WEBHOOK_SECRET_" + strings.ToUpper(s)
		findings = append(findings, doctor.Secret(env, cfg.Webhooks.Secrets[s], "/webhooks/"+s+" answers 503"))
	}
	failed := 0
	for _, f := range findings {
		fmt.Fprintln(in.stdout, f.String())
		if f.Status == doctor.Failed {
			failed++
		}
	}
	if failed > 0 {
		fmt.Fprintf(in.stdout, "%d problem%s to fix.\n", failed, map[bool]string{true: "", false: "s"}[failed == 1])
		return 1
	}
	fmt.Fprintln(in.stdout, "Everything configured works.")
	return 0
}

func doctorDatabase(ctx context.Context, cfg config) []doctor.Finding {
	where := redactURL(cfg.DatabaseURL)
	if path, ok := sqlitePath(cfg.DatabaseURL); ok {
		if _, err := os.Stat(path); err != nil {
			return []doctor.Finding{{Name: "database", Status: doctor.Failed, Detail: fmt.Sprintf("no SQLite file at %s", absPath(path)),
				Fix: "run cosellbot migrate to create it there, or set DATABASE_URL to the database you use (sqlite:/path/to/cosellbot.db or postgres://…)"}}
		}
		where = absPath(path)
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return []doctor.Finding{{Name: "database", Status: doctor.Failed, Detail: err.Error(), Fix: "check DATABASE_URL and that the server runs"}}
	}
	defer st.Close()
	return doctor.Database(ctx, st, where)
}
