package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/integrations/crm"
	"github.com/cosellbot/cosellbot/integrations/doctor"
	"github.com/cosellbot/cosellbot/integrations/partnercenter"
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
	cfg, off := in.cfg, map[string]bool{}
	if in.cfgErr != nil {
		ps := configProblemsOf(in.cfgErr)
		for i, p := range ps {
			f := doctor.Finding{Name: "configuration", Status: doctor.Failed, Detail: p.Msg}
			if i == len(ps)-1 {
				f.Fix = "cosellbot config shows every setting with the broken ones marked; the checks below use what could be read"
			}
			findings = append(findings, f)
		}
		cfg, off = readableConfig(in.layers.get)
	}
	// unless is the finding of a check whose variables are broken: the
	// check would test a value nobody set.
	unless := func(name string, vars []string, check func() doctor.Finding) doctor.Finding {
		for _, v := range vars {
			if off[v] {
				return doctor.Finding{Name: name, Status: doctor.Skipped, Detail: "not checked: " + v + " is broken (see above)"}
			}
		}
		return check()
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var st *store.Store // open when its schema is current: it keeps the rotated refresh token
	switch {
	case off["DATABASE_URL"]:
		findings = append(findings, doctor.Finding{Name: "database", Status: doctor.Skipped, Detail: "not checked: DATABASE_URL is broken (see above)"})
	case cfg.DatabaseURL == "": // readableConfig could not tell the problems apart
		findings = append(findings, doctor.Finding{Name: "database", Status: doctor.Skipped, Detail: "not checked: the configuration could not be read (see above)"})
	default:
		var dbFindings []doctor.Finding
		dbFindings, st = doctorDatabase(ctx, cfg)
		findings = append(findings, dbFindings...)
	}
	if st != nil {
		defer st.Close()
		if f, ok := doctorCRMIDs(ctx, st); ok {
			findings = append(findings, f)
		}
	}
	p := doctorPlatforms()
	if cfg.Slack.APIURL != "" { // the endpoints serve would call
		p.SlackAPI = cfg.Slack.APIURL
	}
	if cfg.Discord.APIURL != "" {
		p.DiscordAPI = cfg.Discord.APIURL
	}
	findings = append(findings,
		// Secrets are judged as written: no other value changes them.
		doctor.Secret("SLACK_SIGNING_SECRET", in.layers.get("SLACK_SIGNING_SECRET"), "the Slack routes answer 503"),
		unless(doctor.SlackCheck, []string{"SLACK_BOT_TOKEN", "SLACK_API_URL"}, func() doctor.Finding { return p.Slack(ctx, cfg.Slack.BotToken) }),
		unless(doctor.DiscordCheck, []string{"DISCORD_BOT_TOKEN", "DISCORD_APP_ID", "DISCORD_API_URL"}, func() doctor.Finding {
			return p.Discord(ctx, cfg.Discord.BotToken, cfg.Discord.AppID)
		}),
		unless("DISCORD_PUBLIC_KEY", []string{"DISCORD_PUBLIC_KEY"}, func() doctor.Finding {
			if cfg.Discord.PublicKey == nil {
				return doctor.Finding{Name: "DISCORD_PUBLIC_KEY", Status: doctor.Skipped, Detail: "not set: /discord/interactions answers 503"}
			}
			return doctor.Finding{Name: "DISCORD_PUBLIC_KEY", Status: doctor.OK, Detail: "a valid Ed25519 public key"}
		}),
		unless(doctor.PartnerCenterCheck, []string{"PARTNERCENTER_API_URL", "PARTNERCENTER_TOKEN_URL", "PARTNERCENTER_CLIENT_ID", "PARTNERCENTER_CLIENT_SECRET", "PARTNERCENTER_REFRESH_TOKEN", "PARTNERCENTER_SCOPE"},
			func() doctor.Finding {
				f := doctorPartnerCenter(p, cfg.Webhooks.PartnerCenter, st)
				if f.Status == doctor.OK && cfg.Webhooks.Secrets["partnercenter"] == "" {
					// The token works, but serve builds no Partner Center
					// client without the webhook secret: no fetch, poll or
					// write-back (a tester read ✓ and got nothing).
					f.Status = doctor.Warning
					f.Detail += ", but WEBHOOK_SECRET_PARTNERCENTER is not set, so these credentials are not used: no referral fetch, poll or write-back"
					f.Fix = "set WEBHOOK_SECRET_PARTNERCENTER (16+ random characters) and give the same secret to Partner Center's webhook registration"
				}
				return f
			}),
		doctor.CacheDir(cacheDir(cfg)),
	)
	for _, s := range crm.Sources {
		env := "WEBHOOK_SECRET_" + strings.ToUpper(s)
		findings = append(findings, doctor.Secret(env, in.layers.get(env), "/webhooks/"+s+" answers 503"))
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

// doctorDatabase checks the database, and returns it open when its schema
// is current (the caller closes it), else nil.
func doctorDatabase(ctx context.Context, cfg config) ([]doctor.Finding, *store.Store) {
	where := redactURL(cfg.DatabaseURL)
	if path, ok := sqlitePath(cfg.DatabaseURL); ok {
		if _, err := os.Stat(path); err != nil {
			return []doctor.Finding{{Name: "database", Status: doctor.Failed, Detail: fmt.Sprintf("no SQLite file at %s", absPath(path)),
				Fix: "run cosellbot migrate to create it there, or set DATABASE_URL to the database you use (sqlite:/path/to/cosellbot.db or postgres://…)"}}, nil
		}
		where = absPath(path)
		if err := store.WritableFile(where); err != nil {
			return []doctor.Finding{{Name: "database", Status: doctor.Failed, Detail: fmt.Sprintf("%v: every change would fail", err),
				Fix: "give the user cosellbot runs as write access to the file and its folder (SQLite keeps -wal and -shm files beside it)"}}, nil
		}
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return []doctor.Finding{{Name: "database", Status: doctor.Failed, Detail: err.Error(), Fix: "check DATABASE_URL and that the server runs"}}, nil
	}
	findings := doctor.Database(ctx, st, where)
	for _, f := range findings {
		if f.Status != doctor.OK {
			st.Close()
			return findings, nil
		}
	}
	return findings, st
}

// doctorCRMIDs names the open deals that lost their CRM ID to another deal
// holding it too (migration 00014 made CRM IDs unique): each is a
// duplicate to close, or wants its own record's ID. ok is false when there
// are none.
func doctorCRMIDs(ctx context.Context, st *store.Store) (doctor.Finding, bool) {
	f := doctor.Finding{Name: "CRM IDs"}
	taken, err := st.CRMIDsTakenOff(ctx)
	if err != nil {
		f.Status, f.Detail = doctor.Failed, err.Error()
		f.Fix = "check that the database answers, then run cosellbot doctor again"
		return f, true
	}
	if len(taken) == 0 {
		return f, false
	}
	ids := make([]string, len(taken))
	for i, t := range taken {
		ids[i] = fmt.Sprintf("#%d", t.DealID)
	}
	f.Status = doctor.Warning
	f.Detail = fmt.Sprintf("%d open %s lost %s CRM ID to another deal holding it too (a CRM ID belongs to one deal since migration 00014): %s",
		len(taken), plural(int64(len(taken)), "deal", "deals"), plural(int64(len(taken)), "its", "their"), strings.Join(ids, ", "))
	f.Fix = "deal history ID says which deal holds it; close a duplicate with deal error ID reason=\"duplicate of #N\", or give the deal its own record's ID with deal edit ID crm_id=…"
	return f, true
}

// doctorPartnerCenter checks the Partner Center refresh token the way serve
// redeems it: from the rotated one kept in the database, keeping the one
// answered. Without the database the check would redeem the configured
// token, which the platform no longer accepts once rotated (a false
// "sign in again"), or leave the others a token it redeemed.
func doctorPartnerCenter(p doctor.Platforms, cfg partnercenter.Config, st *store.Store) doctor.Finding {
	if cfg.RefreshToken != "" && st == nil {
		return doctor.Finding{Name: doctor.PartnerCenterCheck, Status: doctor.Skipped,
			Detail: "not checked: the rotated refresh token is kept in the database, which cannot be used (see above)"}
	}
	if st != nil {
		cfg.Tokens = st
	}
	cfg.Log = slog.New(slog.DiscardHandler) // the finding tells what a log line would
	return p.PartnerCenter(cfg)
}
