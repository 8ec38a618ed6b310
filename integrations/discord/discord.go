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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/mux"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/panics"
	"github.com/cosellbot/cosellbot/integrations/web"
)

// Platform is how Discord is named in chat places and account links.
const Platform = "discord"

// CommandName is the application command people type.
const CommandName = "cosell"

// Runner is what the adapter needs of the command service.
type Runner interface {
	Resolve(ctx context.Context, id string) (access.User, error)
	Run(ctx context.Context, who access.User, where chat.Place, line string) command.Reply
	ReadOnly(line string) bool
}

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
	// HTTPClient sends the calls to Discord's API; nil means a client with a
	// 10-second timeout. Tests route it to a fake.
	HTTPClient *http.Client
	// Deadline is how long a command may run before Discord gets a
	// deferred answer; 0 means 2.5 s, inside Discord's 3 s.
	Deadline time.Duration
	Clock    command.Clock
	Log      *slog.Logger
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
	maxBody     = 1 << 20
	workTimeout = 30 * time.Second
	// window is how far an interaction's signed timestamp may be from now;
	// discordgo.VerifyInteraction checks the signature only.
	window = 5 * time.Minute
)

// Adapter serves Discord's interactions.
type Adapter struct {
	cfg     Config
	svc     Runner
	dir     Directory
	session *discordgo.Session
	log     *slog.Logger
	late    sync.WaitGroup
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
	return &Adapter{cfg: cfg, svc: panics.Guard(svc, cfg.Log), dir: dir, session: session(cfg.BotToken, cfg.HTTPClient), log: cfg.Log.With("platform", Platform)}, nil
}

// session is a REST-only discordgo session. Follow-ups to interactions use
// the interaction token and need no bot token.
func session(botToken string, hc *http.Client) *discordgo.Session {
	s := &discordgo.Session{
		Token: "Bot " + botToken, Client: hc, UserAgent: "cosellbot (https://github.com/cosellbot/cosellbot)",
		Ratelimiter: discordgo.NewRatelimiter(), MaxRestRetries: 1, ShouldRetryOnRateLimit: false,
	}
	if s.Client == nil {
		s.Client = &http.Client{Timeout: 10 * time.Second}
	}
	return s
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
func (a *Adapter) Wait() { a.late.Wait() }

func (a *Adapter) afterReply(r *http.Request, fn func(ctx context.Context)) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), workTimeout)
	a.late.Go(func() {
		defer cancel()
		defer panics.Recover(ctx, a.log, "work after the reply") // this goroutine is beyond the HTTP server's recovery
		fn(ctx)
	})
}

// Commands is the application command set cosellbot registers: /cosell
// with one string option, text, taking what Slack's /cosell takes.
func Commands() []*discordgo.ApplicationCommand {
	return []*discordgo.ApplicationCommand{{
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
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	ok := discordgo.VerifyInteraction(r, a.cfg.PublicKey)
	if ok {
		ts, err := strconv.ParseInt(r.Header.Get("X-Signature-Timestamp"), 10, 64)
		ok = err == nil && a.cfg.Clock.Now().Sub(time.Unix(ts, 0)).Abs() <= window
	}
	var body []byte
	if ok {
		var err error
		body, err = io.ReadAll(r.Body) // VerifyInteraction put the bytes back
		ok = err == nil
	}
	if !ok {
		a.log.WarnContext(r.Context(), "refused an unverified interaction")
		web.WriteError(w, http.StatusUnauthorized, "bad_signature", "the request is not signed with this application's key, or is older than 5 minutes")
		return nil, false
	}
	return body, true
}

// user finds the cosellbot user linked to a Discord account. Discord does
// not share e-mails with bots, so an admin links accounts explicitly.
func (a *Adapter) user(ctx context.Context, discordID string) (access.User, error) {
	if discordID == "" {
		return access.User{}, access.Deny("the interaction names no Discord user")
	}
	id, err := a.dir.ChatUser(ctx, Platform, discordID)
	if err != nil && !errors.Is(err, ledger.ErrNotFound) {
		return access.User{}, err
	}
	// The local admin the shell acts as has no chat account.
	if err != nil || strings.TrimSpace(id) == "" || strings.EqualFold(id, access.LocalAdmin.ID) {
		return access.User{}, notLinked(discordID)
	}
	u, err := a.svc.Resolve(ctx, id)
	var denied *access.Denied
	if errors.As(err, &denied) {
		return access.User{}, notLinked(discordID)
	}
	return u, err
}

func notLinked(discordID string) error {
	return access.Deny("your Discord account (%s) is not a cosellbot user yet. Ask an admin to run /cosell user add YOUR-EMAIL role=referrals-user "+
		"and then cosellbot link discord %s YOUR-EMAIL", discordID, discordID)
}

// Ref is the short, stable id a command line is kept under when it is too
// long for a custom_id.
func Ref(line string) string {
	sum := sha256.Sum256([]byte(line))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}
