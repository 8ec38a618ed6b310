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
	"sync"
	"time"

	"github.com/gorilla/mux"
	slackapi "github.com/slack-go/slack"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	printable "github.com/cosellbot/cosellbot/bot/escape"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/panics"
	"github.com/cosellbot/cosellbot/integrations/web"
)

// Platform is how Slack is named in chat places and account links.
const Platform = "slack"

// Runner is what the adapter needs of the command service.
type Runner interface {
	Resolve(ctx context.Context, id string) (access.User, error)
	Run(ctx context.Context, who access.User, where chat.Place, line string) command.Reply
	ReadOnly(line string) bool
}

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
	// Deadline is how long a command may run before Slack gets an
	// acknowledgement and the answer goes through the response_url; 0 means
	// 2.5 s, inside Slack's 3 s.
	Deadline time.Duration
	Clock    command.Clock
	Log      *slog.Logger
}

// maxBody caps what is read of a request: Slack's payloads are a few KB.
const maxBody = 1 << 20

// workTimeout bounds a command that outlived the deadline, and the calls
// made after a request was answered; response_url stays valid for 30 min.
const workTimeout = 30 * time.Second

// Adapter serves Slack's requests.
type Adapter struct {
	cfg  Config
	svc  Runner
	dir  Directory
	api  *slackapi.Client // nil without a bot token
	http *http.Client
	log  *slog.Logger
	// late tracks work that goes on after a request was answered (answers
	// through response_url, App Home publishing), so that shutdown and
	// tests can wait for it.
	late sync.WaitGroup
	// known remembers who an account is for a few seconds: every command
	// needs it, and reading the link and the user costs two queries.
	mu    sync.Mutex
	known map[string]known
}

// known is a remembered account.
type known struct {
	user  access.User
	until time.Time
}

// knownTTL is how long an account is remembered: a removed user, a changed
// role or a relink made by another process (cosellbot link) counts within
// it.
const knownTTL = 10 * time.Second

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
	a := &Adapter{cfg: cfg, svc: panics.Guard(svc, cfg.Log), dir: dir, http: hc, log: cfg.Log.With("platform", Platform), known: map[string]known{}}
	if cfg.BotToken != "" {
		a.api = slackapi.New(cfg.BotToken, apiOptions(cfg.APIURL, hc)...)
	}
	return a, nil
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
func (a *Adapter) Wait() { a.late.Wait() }

// afterReply runs fn once the request is answered, bounded by workTimeout
// and detached from the request's cancellation.
func (a *Adapter) afterReply(r *http.Request, fn func(ctx context.Context)) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), workTimeout)
	a.late.Go(func() {
		defer cancel()
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
	if err != nil {
		// The error may quote a header (strconv quotes a bad timestamp
		// whole): bounded, so a stranger cannot flood the log.
		a.log.WarnContext(r.Context(), "refused an unverified request", "path", printable.Quote(r.URL.Path, 0), "err", printable.Bound(err.Error(), 0))
		web.WriteError(w, http.StatusUnauthorized, "bad_signature", "the request is not signed by Slack with this app's signing secret, or is older than 5 minutes")
		return nil, "", false
	}
	return body, sig, true
}

// once records a delivery and reports whether it is the first: a request
// seen before gets 409 (a replay: Slack does not resend commands or
// interactions), an error 503. Every replica shares the record.
func (a *Adapter) once(w http.ResponseWriter, r *http.Request, sig string) bool {
	first, err := a.dir.FirstChatEvent(r.Context(), Platform, "sig:"+sig, a.cfg.Clock.Now())
	if err != nil {
		a.log.ErrorContext(r.Context(), "cannot record the request", "err", err)
		web.WriteError(w, http.StatusServiceUnavailable, "unavailable", "the database did not answer; try again")
		return false
	}
	if !first {
		a.log.WarnContext(r.Context(), "refused a replayed request", "path", r.URL.Path)
		web.WriteError(w, http.StatusConflict, "replayed", "this signed request was already handled")
		return false
	}
	return true
}

// user finds the cosellbot user behind a Slack account: by the stored link,
// else, with a bot token, by the e-mail Slack has for the account (and the
// link is stored). An unknown account gets a refusal saying what to ask an
// admin.
func (a *Adapter) user(ctx context.Context, slackID string) (access.User, error) {
	if slackID == "" {
		return access.User{}, access.Deny("the request names no Slack user")
	}
	now := a.cfg.Clock.Now()
	a.mu.Lock()
	k, ok := a.known[slackID]
	a.mu.Unlock()
	if ok && now.Before(k.until) {
		return k.user, nil
	}
	id, err := a.dir.ChatUser(ctx, Platform, slackID)
	switch {
	case err == nil:
		u, err := a.resolve(ctx, id, slackID)
		if err == nil {
			a.remember(slackID, u, now)
		}
		return u, err
	case !errors.Is(err, ledger.ErrNotFound):
		return access.User{}, err
	}
	if a.api != nil {
		info, err := a.api.GetUserInfoContext(ctx, slackID)
		if err != nil {
			a.log.WarnContext(ctx, "users.info failed", "user", slackID, "err", err)
		} else if email := strings.TrimSpace(info.Profile.Email); email != "" {
			u, err := a.resolve(ctx, email, slackID)
			if err == nil {
				e := ledger.Entry{At: a.cfg.Clock.Now(), Actor: Platform, Action: "linked", Detail: "Slack account " + slackID + ", matched by its e-mail"}
				if err := a.dir.LinkChatUser(ctx, Platform, slackID, u.ID, e); err != nil {
					a.log.WarnContext(ctx, "cannot store the account link", "user", slackID, "err", err)
				} else {
					a.remember(slackID, u, now)
				}
				return u, nil
			}
			var denied *access.Denied
			if !errors.As(err, &denied) {
				return access.User{}, err
			}
		}
	}
	return access.User{}, notLinked(slackID)
}

func (a *Adapter) remember(slackID string, u access.User, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.known) > 10000 { // a bound, far above a partner's headcount
		clear(a.known)
	}
	a.known[slackID] = known{user: u, until: now.Add(knownTTL)}
}

// resolve turns a linked id into a user, never into the local admin the
// shell acts as: that one has no chat account.
func (a *Adapter) resolve(ctx context.Context, id, slackID string) (access.User, error) {
	if strings.TrimSpace(id) == "" || strings.EqualFold(strings.TrimSpace(id), access.LocalAdmin.ID) {
		return access.User{}, notLinked(slackID)
	}
	u, err := a.svc.Resolve(ctx, id)
	var denied *access.Denied
	if errors.As(err, &denied) {
		return access.User{}, notLinked(slackID)
	}
	return u, err
}

func notLinked(slackID string) error {
	return access.Deny("your Slack account (%s) is not a cosellbot user yet. Ask an admin to run /cosell user add YOUR-EMAIL role=referrals-user; "+
		"if your Slack e-mail differs, they also run cosellbot link slack %s YOUR-EMAIL", slackID, slackID)
}
