// Package doctor checks that a deployment can do its work: the database
// answers and its schema is current, and each configured token is accepted
// by the platform that issued it. Each finding says what to fix, in the
// words of the setting to change.
package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/cosellbot/cosellbot/integrations/partnercenter"
)

// Finding is the outcome of one check.
type Finding struct {
	Name   string // what was checked: "database", "Slack bot token", …
	Status Status
	Detail string // what was found
	Fix    string // what to do, when not OK
}

// Status is how a check went.
type Status int

// Statuses: a skipped check is one whose settings are unset.
const (
	OK Status = iota
	Failed
	Skipped
	Warning
)

func (s Status) mark() string {
	return [...]string{"✓", "✗", "-", "!"}[s]
}

// String renders a finding as one line, with the fix under it.
func (f Finding) String() string {
	s := fmt.Sprintf("%s %s: %s", f.Status.mark(), f.Name, f.Detail)
	if f.Fix != "" && f.Status != OK {
		s += "\n    fix: " + f.Fix
	}
	return s
}

// CacheDir checks that the FAQ cache folder (COSELLBOT_CACHE_DIR, dir ""
// when off) can be written: the folder, or the nearest existing folder it
// would be made in. It writes and removes one empty file there.
func CacheDir(dir string) Finding {
	f := Finding{Name: "COSELLBOT_CACHE_DIR"}
	if dir == "" {
		f.Status, f.Detail = Skipped, "off: the FAQ's ranker is trained at every start (about a second)"
		return f
	}
	const without = "the FAQ's ranker is trained at every start"
	f.Fix = "set COSELLBOT_CACHE_DIR to a writable folder, or to off"
	at := dir
	for {
		st, err := os.Stat(at)
		if err == nil && !st.IsDir() {
			f.Status, f.Detail = Warning, fmt.Sprintf("cannot keep the cache in %s: %s is a file, not a folder: %s", dir, at, without)
			return f
		}
		if err == nil {
			break
		}
		parent := filepath.Dir(at)
		if parent == at {
			break
		}
		at = parent
	}
	tmp, err := os.CreateTemp(at, ".cosellbot-doctor-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the probe file's name says nothing
		}
		f.Status, f.Detail = Warning, fmt.Sprintf("cannot write in %s (%v): %s", dir, err, without)
		if at != dir {
			f.Detail = fmt.Sprintf("cannot make %s: %s, where it would be made, is not writable (%v): %s", dir, at, err, without)
		}
		return f
	}
	tmp.Close()
	_ = os.Remove(tmp.Name())
	f.Status, f.Detail, f.Fix = OK, "the FAQ's trained ranker is kept in "+dir, ""
	return f
}

// Failed reports whether any finding failed.
func AnyFailed(fs []Finding) bool {
	for _, f := range fs {
		if f.Status == Failed {
			return true
		}
	}
	return false
}

// Platforms are the endpoints the token checks call; tests point them at
// fakes.
type Platforms struct {
	SlackAPI   string // https://slack.com/api/, or SLACK_API_URL
	DiscordAPI string // https://discord.com/api/v10, or DISCORD_API_URL
	HTTP       *http.Client
}

// The platforms' own API bases, which Live returns.
const (
	slackAPI   = slack.APIURL
	discordAPI = "https://discord.com/api/v10"
)

// Live are the real endpoints.
func Live() Platforms {
	return Platforms{SlackAPI: slackAPI, DiscordAPI: discordAPI, HTTP: &http.Client{Timeout: 15 * time.Second}}
}

// The names of the token checks' findings.
const (
	SlackCheck         = "Slack bot token (SLACK_BOT_TOKEN)"
	DiscordCheck       = "Discord bot token (DISCORD_BOT_TOKEN)"
	PartnerCenterCheck = "Partner Center token (PARTNERCENTER_REFRESH_TOKEN)"
)

// unreachable reports whether err is a failure to get an answer at all
// (refused, no route, name not found, TLS, time-out), which says nothing
// of the token sent.
func unreachable(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded)
}

// reachFix says what to check when an API could not be reached: the
// variable that points elsewhere, or the way out to the platform.
func reachFix(setting, base, official, host string) string {
	if strings.TrimRight(base, "/") != strings.TrimRight(official, "/") {
		return fmt.Sprintf("check %s (%s): nothing answers there from this host; unset it to call %s", setting, base, official)
	}
	return fmt.Sprintf("check this host's outbound HTTPS access to %s (firewall, proxy: HTTPS_PROXY, DNS), then run cosellbot doctor again", host)
}

// Store is what the database check needs.
type Store interface {
	Ping(ctx context.Context) error
	Migrations(ctx context.Context) (current, latest int64, err error)
	Dialect() string
}

// Database checks that the database answers and its schema is current.
func Database(ctx context.Context, st Store, where string) []Finding {
	if err := st.Ping(ctx); err != nil {
		return []Finding{{Name: "database", Status: Failed, Detail: fmt.Sprintf("%s at %s does not answer: %v", st.Dialect(), where, err),
			Fix: "check DATABASE_URL (host, port, user, password, database) and that the server runs"}}
	}
	out := []Finding{{Name: "database", Status: OK, Detail: fmt.Sprintf("%s at %s answers", st.Dialect(), where)}}
	cur, latest, err := st.Migrations(ctx)
	switch {
	case err != nil:
		out = append(out, Finding{Name: "migrations", Status: Failed, Detail: err.Error(), Fix: "run cosellbot migrate, and check that the user may create tables"})
	case cur < latest:
		out = append(out, Finding{Name: "migrations", Status: Failed, Detail: fmt.Sprintf("schema at version %d, this build needs %d", cur, latest),
			Fix: "run cosellbot migrate (serve also migrates at start)"})
	case cur > latest:
		out = append(out, Finding{Name: "migrations", Status: Failed, Detail: fmt.Sprintf("schema at version %d is newer than this build knows (%d)", cur, latest),
			Fix: "run the cosellbot version that migrated this database, or a newer one"})
	default:
		out = append(out, Finding{Name: "migrations", Status: OK, Detail: fmt.Sprintf("schema current (version %d)", cur)})
	}
	return out
}

// Slack checks a bot token with auth.test. Only Slack's own refusal (an
// error code such as invalid_auth) says the token is wrong; an API that
// cannot be reached or answers an HTTP error says nothing of it.
func (p Platforms) Slack(ctx context.Context, token string) Finding {
	f := Finding{Name: SlackCheck}
	if token == "" {
		f.Status, f.Detail = Skipped, "not set: no new deal form, App Home, e-mail matching or notifications in Slack"
		return f
	}
	api := slack.New(token, slack.OptionAPIURL(p.SlackAPI), slack.OptionHTTPClient(p.HTTP))
	res, err := api.AuthTestContext(ctx)
	var refused slack.SlackErrorResponse
	var status slack.StatusCodeError
	var limited *slack.RateLimitedError
	switch {
	case err == nil:
		f.Status, f.Detail = OK, fmt.Sprintf("accepted: bot %s in workspace %s", res.User, res.Team)
	case errors.As(err, &refused):
		f.Status, f.Detail = Failed, "auth.test refused it: "+err.Error()
		f.Fix = "copy the Bot User OAuth Token (xoxb-…) from your Slack app's Install App page into SLACK_BOT_TOKEN, and reinstall the app if it was revoked"
	case unreachable(err):
		f.Status, f.Detail = Failed, fmt.Sprintf("not checked: the Slack API at %s could not be reached: %v", p.SlackAPI, err)
		f.Fix = reachFix("SLACK_API_URL", p.SlackAPI, slackAPI, "slack.com")
	case errors.As(err, &status) || errors.As(err, &limited):
		f.Status, f.Detail = Failed, fmt.Sprintf("not checked: the Slack API at %s answered %v", p.SlackAPI, err)
		f.Fix = "run cosellbot doctor again later (status.slack.com tells of outages)"
		if strings.TrimRight(p.SlackAPI, "/") != strings.TrimRight(slackAPI, "/") {
			f.Fix += "; check SLACK_API_URL (" + p.SlackAPI + ")"
		}
	default: // an answer that is not Slack's: a proxy's page, say
		f.Status, f.Detail = Failed, fmt.Sprintf("not checked: the answer from %s is not the Slack API's: %v", p.SlackAPI, err)
		f.Fix = "check this host's proxy: something between it and slack.com answered in Slack's place"
		if strings.TrimRight(p.SlackAPI, "/") != strings.TrimRight(slackAPI, "/") {
			f.Fix = fmt.Sprintf("check SLACK_API_URL (%s): what answers there is not the Slack Web API; unset it to call %s", p.SlackAPI, slackAPI)
		}
	}
	return f
}

// Discord checks a bot token against the application it belongs to, and
// that it is the application DISCORD_APP_ID names.
func (p Platforms) Discord(ctx context.Context, token, appID string) Finding {
	f := Finding{Name: DiscordCheck}
	if token == "" {
		f.Status, f.Detail = Skipped, "not set: /cosell is not registered and no notifications go to Discord"
		return f
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(p.DiscordAPI, "/")+"/applications/@me", nil)
	if err != nil {
		f.Status, f.Detail = Failed, err.Error()
		return f
	}
	req.Header.Set("Authorization", "Bot "+token)
	resp, err := p.HTTP.Do(req)
	if err != nil {
		f.Status, f.Detail = Failed, fmt.Sprintf("not checked: the Discord API at %s could not be reached: %v", p.DiscordAPI, err)
		f.Fix = reachFix("DISCORD_API_URL", p.DiscordAPI, discordAPI, "discord.com")
		return f
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode == http.StatusUnauthorized {
		f.Status, f.Detail = Failed, "Discord refused it (401)"
		f.Fix = "reset the token on your application's Bot page in the Discord Developer Portal and set DISCORD_BOT_TOKEN"
		return f
	}
	var app struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &app) != nil || app.ID == "" {
		f.Status, f.Detail = Failed, fmt.Sprintf("not checked: unexpected answer %d from the Discord API at %s", resp.StatusCode, p.DiscordAPI)
		f.Fix = "run cosellbot doctor again later (discordstatus.com tells of outages)"
		if strings.TrimRight(p.DiscordAPI, "/") != strings.TrimRight(discordAPI, "/") {
			f.Fix += "; check DISCORD_API_URL (" + p.DiscordAPI + ")"
		}
		return f
	}
	if appID != "" && appID != app.ID {
		f.Status, f.Detail = Failed, fmt.Sprintf("the token belongs to application %s (%s), DISCORD_APP_ID says %s", app.ID, app.Name, appID)
		f.Fix = "set DISCORD_APP_ID=" + app.ID + " or use that application's token"
		return f
	}
	f.Status, f.Detail = OK, fmt.Sprintf("accepted: application %s (%s)", app.Name, app.ID)
	if appID == "" {
		f.Status, f.Detail, f.Fix = Warning, f.Detail+"; DISCORD_APP_ID is not set, so /cosell is not registered", "set DISCORD_APP_ID="+app.ID
	}
	return f
}

// PartnerCenter checks that the refresh token still yields an access
// token, redeeming it as the Referrals API client does.
func (p Platforms) PartnerCenter(cfg partnercenter.Config) Finding {
	f := Finding{Name: PartnerCenterCheck}
	if cfg.RefreshToken == "" {
		f.Status, f.Detail = Skipped, "not set: no referral fetch, poll or write-back"
		return f
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = p.HTTP
	}
	tok, err := partnercenter.FetchToken(cfg)
	if err != nil && unreachable(err) {
		f.Status, f.Detail = Failed, fmt.Sprintf("not checked: the token endpoint %s could not be reached: %s", cfg.TokenURL, strings.TrimPrefix(err.Error(), "partnercenter: "))
		f.Fix = "check PARTNERCENTER_TOKEN_URL (https://login.microsoftonline.com/TENANT/oauth2/v2.0/token) and this host's outbound HTTPS access to it (firewall, proxy: HTTPS_PROXY, DNS)"
		return f
	}
	if errors.Is(err, partnercenter.ErrSignInAgain) {
		// No setting fixes an expired or revoked token: say only that,
		// once, in the fix.
		f.Status = Failed
		f.Detail = strings.TrimSuffix(strings.TrimPrefix(err.Error(), "partnercenter: "), ": "+partnercenter.ErrSignInAgain.Error())
		f.Fix = partnercenter.ErrSignInAgain.Error()
		return f
	}
	if err != nil {
		f.Status, f.Detail = Failed, strings.TrimPrefix(err.Error(), "partnercenter: ")
		f.Fix = "check PARTNERCENTER_TOKEN_URL's tenant, PARTNERCENTER_CLIENT_ID and PARTNERCENTER_CLIENT_SECRET; if they are right, sign in again as a Referrals admin of your tenant to get a new refresh token for PARTNERCENTER_CLIENT_ID and set PARTNERCENTER_REFRESH_TOKEN"
		return f
	}
	f.Status, f.Detail = OK, "an access token was issued"
	if !tok.Expiry.IsZero() {
		f.Detail += ", valid until " + tok.Expiry.UTC().Format(time.RFC3339)
	}
	return f
}

// Secret checks a shared secret's presence and strength.
func Secret(name, value, without string) Finding {
	f := Finding{Name: name}
	switch {
	case value == "":
		f.Status, f.Detail = Skipped, "not set: "+without
	case len(value) < 16:
		f.Status, f.Detail = Failed, fmt.Sprintf("%d characters long: a guessable secret lets anyone forge deliveries", len(value))
		f.Fix = "set " + name + " to at least 16 random characters, e.g. from openssl rand -hex 24, here and in the sender"
	default:
		f.Status, f.Detail = OK, fmt.Sprintf("set (%d characters)", len(value))
	}
	return f
}
