// Package discord is cosellbot's Discord adapter: the /cosell application
// command over Discord's HTTP interactions endpoint, buttons and the small
// forms that ask for a reason, and the notifier that posts reminders and
// news to channels. Every interaction is verified with the application's
// Ed25519 public key and a 5-minute timestamp window before anything is read
// from it, and an interaction is handled once.
//
// Discord wants an answer within 3 seconds: a command runs under a deadline
// and, when it takes longer, Discord gets a deferred answer and the result
// follows by editing it.
package discord

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/mux"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/chatkit"
	"github.com/cosellbot/cosellbot/integrations/panics"
	"github.com/cosellbot/cosellbot/integrations/web"
)

// Platform is how Discord is named in chat places and account links.
const Platform = "discord"

// CommandName is the application command people type.
const CommandName = "cosell"

// Runner is what the adapter needs of the command service.
type Runner = chatkit.Runner

// Directory links Discord accounts to cosellbot users, remembers the
// interactions already handled, and keeps the command lines of buttons too
// long for a custom_id; the store implements it.
type Directory interface {
	ChatUser(ctx context.Context, platform, externalID string) (string, error)
	FirstChatEvent(ctx context.Context, platform, eventID string, at time.Time) (bool, error)
	PutChatAction(ctx context.Context, id, command string, at time.Time) error
	ChatAction(ctx context.Context, id string) (string, error)
}

// Config is the Discord application's settings.
type Config struct {
	// PublicKey is the application's Ed25519 key (Developer Portal,
	// General Information); required.
	PublicKey ed25519.PublicKey
	// BotToken and AppID register the /cosell command at start; BotToken
	// also lets the notifier post to channels.
	BotToken, AppID string
	// APIURL is the REST API base, https://discord.com/api/v10 when empty;
	// tests point it at a fake.
	APIURL string
	// Version goes into the User-Agent Discord asks bots to send,
	// "DiscordBot (URL, VERSION)".
	Version string
	// HTTPClient sends the calls to Discord's API; nil means a client with a
	// 10-second timeout.
	HTTPClient *http.Client
	// Deadline is how long an interaction may take before Discord gets a
	// deferred answer; 0 means 2.5 s, inside Discord's 3 s.
	Deadline time.Duration
	// After starts the deadline's countdown (time.After when nil); tests
	// pass one they fire, to prove a route answers whatever blocks.
	After func(time.Duration) <-chan time.Time
	Clock command.Clock
	Log   *slog.Logger
}

// ParsePublicKey reads the hex public key the Developer Portal shows.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("discord public key: not hex: %w", err)
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("discord public key: %d bytes, want %d", len(b), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

const (
	maxBody = 1 << 20
	// window is how far an interaction's signed timestamp may be from now;
	// the signature alone does not bound it.
	window = 5 * time.Minute
)

// Adapter serves Discord's interactions.
type Adapter struct {
	cfg     Config
	svc     Runner
	dir     Directory
	session *discordgo.Session
	key     signatureKey
	log     *slog.Logger
	bg      chatkit.Background
	// accounts remembers who a Discord account is, and that one is not a
	// user yet, so that clicks do not repeat the database reads.
	accounts *chatkit.Accounts
}

// New builds the adapter. A missing public key is refused: Discord routes
// without one answer 503 (see Unavailable), never accept unsigned requests.
func New(cfg Config, svc Runner, dir Directory) (*Adapter, error) {
	if len(cfg.PublicKey) != ed25519.PublicKeySize {
		return nil, errors.New("discord: the public key is missing")
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
	key, err := newSignatureKey(cfg.PublicKey)
	if err != nil {
		return nil, err
	}
	ses, err := session(cfg.BotToken, cfg.APIURL, cfg.Version, cfg.HTTPClient)
	if err != nil {
		return nil, err
	}
	a := &Adapter{cfg: cfg, svc: panics.Guard(svc, cfg.Log), dir: dir, session: ses, key: key, log: cfg.Log.With("platform", Platform)}
	// An account that is no user yet is read again after a second (a
	// database read): the admin's cosellbot link counts at once.
	a.accounts = chatkit.NewAccounts(a.lookup, chatkit.AccountsConfig{Miss: time.Second, Now: func() time.Time { return cfg.Clock.Now() }})
	return a, nil
}

// deadline is the time an interaction has before Discord gives up on it.
func (a *Adapter) deadline() chatkit.Deadline {
	return chatkit.Deadline{Within: a.cfg.Deadline, After: a.cfg.After}
}

// ProjectURL is the URL in the User-Agent.
const ProjectURL = "https://github.com/cosellbot/cosellbot"

// UserAgent is the User-Agent Discord documents for bots:
// "DiscordBot ($url, $versionNumber)".
func UserAgent(version string) string {
	if version == "" {
		version = "dev"
	}
	return "DiscordBot (" + ProjectURL + ", " + version + ")"
}

// session is a REST-only discordgo session. Follow-ups to interactions use
// the interaction token and need no bot token. apiURL, when set, replaces
// Discord's API base in every call: discordgo's endpoints are fixed, so
// the client's transport rewrites them.
func session(botToken, apiURL, version string, hc *http.Client) (*discordgo.Session, error) {
	client := hc
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	if apiURL != "" {
		base, err := url.Parse(strings.TrimRight(apiURL, "/"))
		if err != nil || base.Scheme == "" || base.Host == "" {
			return nil, fmt.Errorf("discord: the API URL %q is not an absolute URL", apiURL)
		}
		c := *client
		next := c.Transport
		if next == nil {
			next = http.DefaultTransport
		}
		c.Transport = rebase{base: base, next: next}
		client = &c
	}
	return &discordgo.Session{
		Token: "Bot " + botToken, Client: client, UserAgent: UserAgent(version),
		Ratelimiter: discordgo.NewRatelimiter(), MaxRestRetries: 1, ShouldRetryOnRateLimit: false,
	}, nil
}

// rebase sends the calls discordgo makes to discordgo.EndpointAPI to
// another base URL.
type rebase struct {
	base *url.URL
	next http.RoundTripper
}

func (rb rebase) RoundTrip(r *http.Request) (*http.Response, error) {
	rest, ok := strings.CutPrefix(r.URL.String(), discordgo.EndpointAPI)
	if !ok {
		return rb.next.RoundTrip(r)
	}
	u, err := url.Parse(rb.base.String() + "/" + rest)
	if err != nil {
		return nil, fmt.Errorf("discord: rebase %s: %w", r.URL, err)
	}
	r = r.Clone(r.Context())
	r.URL, r.Host = u, u.Host
	return rb.next.RoundTrip(r)
}

// Routes mounts POST /discord/interactions.
func (a *Adapter) Routes(r *mux.Router) {
	r.HandleFunc("/discord/interactions", a.interactions).Methods(http.MethodPost)
}

// Unavailable mounts the Discord route answering 503, for a server without
// a public key.
func Unavailable(r *mux.Router) {
	r.HandleFunc("/discord/interactions", func(w http.ResponseWriter, _ *http.Request) {
		web.WriteError(w, http.StatusServiceUnavailable, "discord_not_configured", "Discord is not configured on this server: set DISCORD_PUBLIC_KEY")
	}).Methods(http.MethodPost)
}

// Wait blocks until the work that went on after interactions were answered
// (deferred results) is done; call it after the HTTP server has shut down.
func (a *Adapter) Wait() { a.bg.Wait() }

func (a *Adapter) afterReply(r *http.Request, fn func(ctx context.Context)) {
	a.bg.Go(r.Context(), func(ctx context.Context) {
		defer panics.Recover(ctx, a.log, "work after the reply") // this goroutine is beyond the HTTP server's recovery
		fn(ctx)
	})
}

// Commands is the application command set cosellbot registers: /cosell
// with one string option, text, taking what Slack's /cosell takes, usable
// in guild channels and in a direct message with the bot (where a person
// subscribes their own messages, access.DiscordDM).
func Commands() []*discordgo.ApplicationCommand {
	contexts := []discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
	return []*discordgo.ApplicationCommand{{
		Contexts:    &contexts,
		Name:        CommandName,
		Description: "Your Partner Center co-sell pipeline: deals, referrals, catalog (try: help)",
		Options: []*discordgo.ApplicationCommandOption{{
			Type: discordgo.ApplicationCommandOptionString, Name: "text", Required: false,
			Description: "What to do, as in Slack: deal list expiring, deal show 12, help … (end with --share)",
		}},
	}}
}

// Register replaces the application's global commands with Commands, by
// bulk overwrite, which is idempotent: run it at every start.
func (a *Adapter) Register(ctx context.Context) error {
	if a.cfg.BotToken == "" || a.cfg.AppID == "" {
		return errors.New("discord: registering /cosell needs DISCORD_BOT_TOKEN and DISCORD_APP_ID")
	}
	_, err := a.session.ApplicationCommandBulkOverwrite(a.cfg.AppID, "", Commands(), discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("discord: register /%s: %w", CommandName, err)
	}
	return nil
}

// verified reads the body once and checks the Ed25519 signature over
// timestamp+body and the timestamp's age; a failure gets 401 and nothing
// of the request is used.
func (a *Adapter) verified(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
		web.WriteError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the body is over %d bytes", maxBody))
		return nil, false
	}
	ts := r.Header.Get("X-Signature-Timestamp")
	ok := err == nil && a.key.verify(ts, body, r.Header.Get("X-Signature-Ed25519"))
	if ok {
		sec, err := strconv.ParseInt(ts, 10, 64)
		ok = err == nil && a.cfg.Clock.Now().Sub(time.Unix(sec, 0)).Abs() <= window
	}
	if !ok {
		a.log.WarnContext(r.Context(), "refused an unverified interaction")
		web.WriteError(w, http.StatusUnauthorized, "bad_signature", "the request is not signed with this application's key, or is older than 5 minutes")
		return nil, false
	}
	return body, true
}

// user finds the cosellbot user linked to a Discord account, remembered
// for a while whether found or not.
func (a *Adapter) user(ctx context.Context, discordID string) (access.User, error) {
	if discordID == "" {
		return access.User{}, access.Deny("the interaction names no Discord user")
	}
	return a.accounts.Get(ctx, discordID)
}

// lookup reads the cosellbot user linked to a Discord account. Discord does
// not share e-mails with bots, so an admin links accounts explicitly.
func (a *Adapter) lookup(ctx context.Context, discordID string) (access.User, error) {
	id, err := a.dir.ChatUser(ctx, Platform, discordID)
	if err != nil && !errors.Is(err, ledger.ErrNotFound) {
		return access.User{}, err
	}
	if err != nil {
		return access.User{}, notLinked(discordID)
	}
	return chatkit.LinkedUser(ctx, a.svc, id, notLinked(discordID))
}

// notLinked is the refusal of a Discord account no cosellbot user is linked
// to. It names the user add as typed here (Discord's option "text:"), and
// as typed in Slack for an admin who works there: "/cosell user add …"
// typed in Discord is refused as a command without its option.
func notLinked(discordID string) error {
	return access.Deny("your Discord account (%s) is not a cosellbot user yet. Ask an admin to run /cosell text:user add YOUR-EMAIL role=referrals-user locations=YOUR-LOCATION "+
		"(in Slack: /cosell user add …) and then cosellbot link discord %s YOUR-EMAIL", discordID, discordID)
}

// Ref is the short, stable id a command line is kept under when it is too
// long for a custom_id.
func Ref(line string) string {
	sum := sha256.Sum256([]byte(line))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}
