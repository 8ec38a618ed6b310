// Package slack is cosellbot's Slack adapter: the /cosell slash command,
// buttons and the new deal modal, the App Home, and the notifier that posts
// reminders and news to channels. Every request is verified with the app's
// signing secret (v0 scheme, 5-minute window) before anything is read from
// it, and a replayed request or a retried event is handled once.
//
// Commands answer within Slack's 3 seconds: a command runs under a deadline
// and, when it takes longer, Slack gets an acknowledgement and the answer
// follows through the response_url.
package slack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"
	slackapi "github.com/slack-go/slack"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/command"
	printable "github.com/cosellbot/cosellbot/bot/escape"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/chatkit"
	"github.com/cosellbot/cosellbot/integrations/panics"
	"github.com/cosellbot/cosellbot/integrations/web"
)

// Platform is how Slack is named in chat places and account links.
const Platform = "slack"

// Runner is what the adapter needs of the command service.
type Runner = chatkit.Runner

// Directory links Slack accounts to cosellbot users and remembers the
// deliveries already handled; the store implements it.
type Directory interface {
	ChatUser(ctx context.Context, platform, externalID string) (string, error)
	LinkChatUser(ctx context.Context, platform, externalID, userID string, e ledger.Entry) error
	FirstChatEvent(ctx context.Context, platform, eventID string, at time.Time) (bool, error)
}

// Config is the Slack app's settings.
type Config struct {
	SigningSecret string // required: requests are never accepted unsigned
	// BotToken (xoxb-…) enables what needs the Web API: the new deal modal,
	// the App Home, e-mail lookup of unknown users, and the notifier.
	BotToken string
	// APIURL is the Web API base ("https://slack.com/api/" when empty);
	// tests point it at a fake.
	APIURL string
	// HTTPClient sends Web API calls and response_url posts; nil means a
	// client with a 10-second timeout.
	HTTPClient *http.Client
	// Deadline is how long a request may take before Slack gets an
	// acknowledgement and the answer goes through the response_url (or
	// views.update, for a form); 0 means 2.5 s, inside Slack's 3 s.
	Deadline time.Duration
	// After starts the deadline's countdown (time.After when nil); tests
	// pass one they fire, to prove a route answers whatever blocks.
	After func(time.Duration) <-chan time.Time
	Clock command.Clock
	Log   *slog.Logger
}

// maxLookups bounds the members one command's text looks up in Slack.
const maxLookups = 20

// maxBody caps what is read of a request: Slack's payloads are a few KB.
const maxBody = 1 << 20

// Adapter serves Slack's requests.
type Adapter struct {
	cfg  Config
	svc  Runner
	dir  Directory
	api  *slackapi.Client // nil without a bot token
	http *http.Client
	log  *slog.Logger
	// bg tracks work that goes on after a request was answered (answers
	// through response_url, forms, App Home publishing), so that shutdown
	// and tests can wait for it.
	bg chatkit.Background
	// accounts remembers who a Slack account is, so that clicks do not
	// repeat the database reads; members remembers what users.info says of
	// a member (the slow call, rate-limited by Slack), for matching an
	// account by its e-mail and writing a member on a team.
	accounts *chatkit.Accounts
	members  *chatkit.Cache[member]
}

// member is a Slack member as users.info describes them: display is the
// name Slack shows after @, empty when they set none.
type member struct{ name, display, email, phone, locale string }

// person is how m is written as a team member, "Name <email> +phone".
func (m member) person() string { return chatkit.Person(m.name, m.email, m.phone) }

// lookupTimeout bounds one users.info call.
const lookupTimeout = 5 * time.Second

// New builds the adapter. An empty signing secret is refused: Slack routes
// without one answer 503 (see Unavailable), never accept unsigned requests.
func New(cfg Config, svc Runner, dir Directory) (*Adapter, error) {
	if strings.TrimSpace(cfg.SigningSecret) == "" {
		return nil, errors.New("slack: the signing secret is empty")
	}
	if cfg.Deadline <= 0 {
		cfg.Deadline = 2500 * time.Millisecond
	}
	if cfg.Clock == nil {
		cfg.Clock = command.SystemClock{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	a := &Adapter{cfg: cfg, svc: panics.Guard(svc, cfg.Log), dir: dir, http: hc, log: cfg.Log.With("platform", Platform)}
	if cfg.BotToken != "" {
		a.api = slackapi.New(cfg.BotToken, apiOptions(cfg.APIURL, hc)...)
	}
	now := func() time.Time { return cfg.Clock.Now() }
	// An account that is no user yet is looked up again after a second:
	// that costs a database read (its e-mail stays in members), and an
	// admin's user add then counts at the member's next command.
	a.accounts = chatkit.NewAccounts(a.lookup, chatkit.AccountsConfig{Miss: time.Second, Timeout: lookupTimeout, Now: now})
	a.members = chatkit.NewCache(a.profile, chatkit.AccountsConfig{Hit: 10 * time.Minute, Miss: time.Minute, Timeout: lookupTimeout, Now: now})
	return a, nil
}

// deadline is the time a request has before Slack gives up on it.
func (a *Adapter) deadline() chatkit.Deadline {
	return chatkit.Deadline{Within: a.cfg.Deadline, After: a.cfg.After}
}

func apiOptions(apiURL string, hc *http.Client) []slackapi.Option {
	opts := []slackapi.Option{slackapi.OptionHTTPClient(hc)}
	if apiURL != "" {
		opts = append(opts, slackapi.OptionAPIURL(apiURL))
	}
	return opts
}

// Routes mounts POST /slack/commands, /slack/interactions and /slack/events.
func (a *Adapter) Routes(r *mux.Router) {
	r.HandleFunc("/slack/commands", a.commands).Methods(http.MethodPost)
	r.HandleFunc("/slack/interactions", a.interactions).Methods(http.MethodPost)
	r.HandleFunc("/slack/events", a.events).Methods(http.MethodPost)
}

// Unavailable mounts the Slack routes answering 503, for a server without
// a signing secret.
func Unavailable(r *mux.Router) {
	h := func(w http.ResponseWriter, _ *http.Request) {
		web.WriteError(w, http.StatusServiceUnavailable, "slack_not_configured", "Slack is not configured on this server: set SLACK_SIGNING_SECRET")
	}
	for _, p := range []string{"/slack/commands", "/slack/interactions", "/slack/events"} {
		r.HandleFunc(p, h).Methods(http.MethodPost)
	}
}

// Wait blocks until the work that went on after requests were answered is
// done; call it after the HTTP server has shut down.
func (a *Adapter) Wait() { a.bg.Wait() }

// afterReply runs fn once the request is answered, bounded by
// chatkit.WorkTimeout and detached from the request's cancellation.
func (a *Adapter) afterReply(r *http.Request, fn func(ctx context.Context)) {
	a.bg.Go(r.Context(), func(ctx context.Context) {
		defer panics.Recover(ctx, a.log, "work after the reply") // this goroutine is beyond the HTTP server's recovery
		fn(ctx)
	})
}

// verify reads the body once and checks Slack's signature over it; it
// returns the body and the signature, which identifies the request for
// replay detection.
func (a *Adapter) verify(r *http.Request) ([]byte, string, error) {
	sv, err := slackapi.NewSecretsVerifier(r.Header, a.cfg.SigningSecret)
	if err != nil {
		return nil, "", fmt.Errorf("slack signature headers: %w", err)
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return nil, "", fmt.Errorf("reading the request body: %w", err)
	}
	if _, err := sv.Write(body); err != nil {
		return nil, "", fmt.Errorf("hashing the request body: %w", err)
	}
	if err := sv.Ensure(); err != nil {
		return nil, "", fmt.Errorf("slack signature: %w", err)
	}
	return body, r.Header.Get("X-Slack-Signature"), nil
}

// verified checks a request's signature: a bad one gets 401 and the
// request goes no further. It returns the body and the signature.
func (a *Adapter) verified(w http.ResponseWriter, r *http.Request) ([]byte, string, bool) {
	body, sig, err := a.verify(r)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		web.WriteError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the body is over %d bytes", maxBody))
		return nil, "", false
	}
	if err != nil {
		// The error may quote a header (strconv quotes a bad timestamp
		// whole): bounded, so a stranger cannot flood the log.
		a.log.WarnContext(r.Context(), "refused an unverified request", "path", printable.Quote(r.URL.Path, 0), "err", printable.Bound(err.Error(), 0))
		web.WriteError(w, http.StatusUnauthorized, "bad_signature", "the request is not signed by Slack with this app's signing secret, or is older than 5 minutes")
		return nil, "", false
	}
	return body, sig, true
}

// outcome is what a request's work came to: a reply, or an HTTP error
// instead of one (a replay, a database that did not answer).
type outcome struct {
	reply        command.Reply
	code         int // 0: the reply is the answer
	errCode, why string
}

func (o outcome) write(w http.ResponseWriter) { web.WriteError(w, o.code, o.errCode, o.why) }

// once records a delivery and reports whether it is the first: a request
// seen before is a replay or one of Slack's retries, refused with 409; a
// failure to record it is a 503. Every replica shares the record. key names
// the delivery (deliveryKey).
func (a *Adapter) once(ctx context.Context, key string) (outcome, bool) {
	first, err := a.dir.FirstChatEvent(ctx, Platform, key, a.cfg.Clock.Now())
	if err != nil {
		a.log.ErrorContext(ctx, "cannot record the request", "err", err)
		return outcome{code: http.StatusServiceUnavailable, errCode: "unavailable", why: "the database did not answer; try again",
			reply: command.Reply{Text: "✗ The database did not answer, nothing was done; try again.", Err: &command.Failure{Code: "unavailable", Message: "the database did not answer"}}}, false
	}
	if !first {
		a.log.WarnContext(ctx, "refused a replayed or retried request", "delivery", key)
		return outcome{code: http.StatusConflict, errCode: "replayed", why: "this request was already handled"}, false
	}
	return outcome{}, true
}

// deliveryKey names what a request does, for once: the trigger_id Slack
// gives each command, click and submission, which its retries repeat under
// a new timestamp and signature (X-Slack-Retry-Num), or else the signature,
// which a byte-for-byte replay repeats.
func deliveryKey(triggerID, sig string) string {
	if triggerID != "" {
		return "trigger:" + triggerID
	}
	return "sig:" + sig
}

// user finds the cosellbot user behind a Slack account, remembered for a
// while whether found or not (see lookup).
func (a *Adapter) user(ctx context.Context, slackID string) (access.User, error) {
	if slackID == "" {
		return access.User{}, access.Deny("the request names no Slack user")
	}
	return a.accounts.Get(ctx, slackID)
}

// lookup finds the cosellbot user behind a Slack account: by the stored
// link, else, with a bot token, by the e-mail Slack has for the account
// (and the link is stored). An unknown account gets a refusal saying what
// to ask an admin.
func (a *Adapter) lookup(ctx context.Context, slackID string) (access.User, error) {
	id, err := a.dir.ChatUser(ctx, Platform, slackID)
	switch {
	case err == nil:
		return chatkit.LinkedUser(ctx, a.svc, id, notLinked(slackID))
	case !errors.Is(err, ledger.ErrNotFound):
		return access.User{}, err
	}
	if a.api == nil { // no bot token: nothing matches by e-mail
		return access.User{}, notLinkedByHand(slackID)
	}
	m, err := a.members.Get(ctx, slackID)
	var denied *access.Denied
	switch {
	case errors.As(err, &denied): // Slack shares no e-mail for the member
		return access.User{}, notLinkedByHand(slackID)
	case err != nil:
		a.log.WarnContext(ctx, "users.info failed", "user", slackID, "err", err)
		return access.User{}, notLinked(slackID)
	}
	u, err := chatkit.LinkedUser(ctx, a.svc, m.email, notLinked(slackID)) // notLinked when no user has the e-mail
	if err != nil {
		return access.User{}, err
	}
	e := ledger.Entry{At: a.cfg.Clock.Now(), Actor: Platform, Action: "linked", Detail: "Slack account " + slackID + ", matched by its e-mail"}
	if err := a.dir.LinkChatUser(ctx, Platform, slackID, u.ID, e); err != nil {
		a.log.WarnContext(ctx, "cannot store the account link", "user", slackID, "err", err)
	}
	return u, nil
}

// profile is what users.info says of a Slack member; a member whose
// e-mail Slack does not share is refused (access.Denied).
func (a *Adapter) profile(ctx context.Context, slackID string) (member, error) {
	if a.api == nil {
		return member{}, access.Deny("no bot token to look up Slack members")
	}
	info, err := a.api.GetUserInfoContext(ctx, slackID)
	if err != nil {
		return member{}, err
	}
	p := info.Profile
	name := p.RealName
	if name == "" {
		name = info.RealName
	}
	if p.Email == "" {
		// Its language is still known: a refusal is worded in it.
		return member{locale: info.Locale}, access.Deny("Slack shares no e-mail for %s", slackID)
	}
	return member{name: name, display: strings.Join(strings.Fields(p.DisplayName), " "), email: p.Email, phone: p.Phone, locale: info.Locale}, nil
}

// localize words a refusal in the language Slack has for the member
// (users.info's locale, remembered with the rest of what it says), where
// cosellbot has the words (chatkit.Localize). Only such a refusal costs a
// lookup; without the bot token Slack says no language, and it stays
// English.
func (a *Adapter) localize(ctx context.Context, slackID string, reply command.Reply) command.Reply {
	if reply.Err == nil || reply.Err.Key == "" {
		return reply
	}
	return chatkit.Localize(reply, a.locale(ctx, slackID))
}

// withLocale lets a FAQ answer whose question does not tell its language
// come in the member's (chatkit.WithLocale); only such an answer costs a
// lookup.
func (a *Adapter) withLocale(ctx context.Context, slackID string) context.Context {
	return chatkit.WithLocale(ctx, func(ctx context.Context) string { return a.locale(ctx, slackID) })
}

// locale is the member's locale as users.info gives it (asked with
// include_locale and remembered with the rest), or "" without a bot token.
func (a *Adapter) locale(ctx context.Context, slackID string) string {
	if a.api == nil {
		return ""
	}
	m, _ := a.members.Get(ctx, slackID)
	return m.locale
}

// decode reads text as Slack sends it: a mentioned member as a team
// member where the command takes people, by name elsewhere (see Decode);
// a lookup that fails leaves the mention as @ and its label or id.
func (a *Adapter) decode(ctx context.Context, raw string) string {
	asked := 0
	return Decode(raw, func(id string) (Mention, bool) {
		if asked++; asked > maxLookups {
			// 300 mentions in one command were 300 users.info calls (and
			// Slack's rate limit for every other command): past a few, a
			// member is written as Slack labelled it.
			return Mention{}, false
		}
		m, err := a.members.Get(ctx, id)
		if err != nil {
			return Mention{}, false
		}
		name := strings.Join(strings.Fields(m.name), " ")
		return Mention{Name: name, Display: m.display, Person: m.person()}, true
	})
}

// notLinked is the refusal of a Slack account no cosellbot user is linked
// to or has the e-mail of.
func notLinked(slackID string) error {
	return access.Deny("your Slack account (%s) is not a cosellbot user yet. Ask an admin to run /cosell user add YOUR-EMAIL role=referrals-user locations=YOUR-LOCATION; "+
		"if your Slack e-mail differs, they also run cosellbot link slack %s YOUR-EMAIL", slackID, slackID)
}

// notLinkedByHand is the refusal when cosellbot cannot read the account's
// e-mail (no bot token, or Slack shares none): adding the user is not
// enough, the admin links the account too, as on Discord.
func notLinkedByHand(slackID string) error {
	return access.Deny("your Slack account (%s) is not a cosellbot user yet. Ask an admin to run /cosell user add YOUR-EMAIL role=referrals-user locations=YOUR-LOCATION "+
		"and then cosellbot link slack %s YOUR-EMAIL (cosellbot cannot read your Slack e-mail here)", slackID, slackID)
}
