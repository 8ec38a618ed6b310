package partnercenter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/cosellbot/cosellbot/bot/redact"
)

// DefaultScope is what the Partner Center API asks of a delegated token:
// its resource's default scope, and offline_access so that the answer
// brings the next refresh token.
const DefaultScope = "https://api.partner.microsoft.com/.default offline_access"

// ErrSignInAgain is wrapped by the error of a refresh token the identity
// platform refused as expired or revoked (invalid_grant): no setting fixes
// that, only a new sign-in gives a new one.
var ErrSignInAgain = errors.New("sign in again as a Referrals admin of your tenant to get a new refresh token for PARTNERCENTER_CLIENT_ID and set PARTNERCENTER_REFRESH_TOKEN (a newly configured token replaces the rotated one kept in the database)")

// TokenStore keeps the newest refresh token where every process finds it
// (the store implements it, in the database). The identity platform
// rotates refresh tokens on every use and lets the configured one lapse, so
// a rotated token kept only in memory is lost at each restart, on each
// replica and in each CLI command.
type TokenStore interface {
	// RefreshToken reads the token kept under name, the fingerprint of the
	// configured token its chain started from, and the version that
	// SaveRefreshToken compares; version 0 when none is kept.
	RefreshToken(ctx context.Context, name string) (token, configured string, version int64, err error)
	// SaveRefreshToken keeps token when the kept one is still at version,
	// and reports whether it did (another process saved first when not).
	SaveRefreshToken(ctx context.Context, name, token, configured string, version int64, at time.Time) (bool, error)
}

// tokenName is the name Partner Center's refresh token is kept under.
const tokenName = "partnercenter"

// storeTimeout bounds one read or write of the kept refresh token.
const storeTimeout = 10 * time.Second

// refresher redeems the partner's refresh token at the Microsoft identity
// platform's token endpoint, the way it documents for an app acting for a
// user: grant_type=refresh_token with the client id, the client secret
// (a confidential app's) and the scope. golang.org/x/oauth2 leaves the
// scope out of a refresh, which the identity platform refuses for this API;
// hence this small token source. The platform rotates refresh tokens: the
// newest one answered is kept for the next refresh, in tokens when set.
type refresher struct {
	http     *http.Client
	tokenURL string
	clientID string
	secret   string
	scope    string
	tokens   TokenStore // nil: kept in memory only
	log      *slog.Logger
	// fingerprint names the configured token (with the app and tenant it
	// belongs to) without holding it: a kept token of another fingerprint
	// descends from a token configured before, and the configured one wins.
	fingerprint string

	mu      sync.Mutex
	refresh string // the newest token this process knows
	seen    int64  // the kept token's version as last read or written
}

func newRefresher(cfg Config, hc *http.Client, scope string) *refresher {
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	sum := sha256.Sum256([]byte(cfg.TokenURL + "\n" + cfg.ClientID + "\n" + cfg.RefreshToken))
	return &refresher{http: hc, tokenURL: cfg.TokenURL, clientID: cfg.ClientID, secret: cfg.ClientSecret, scope: scope,
		tokens: cfg.Tokens, log: log, fingerprint: hex.EncodeToString(sum[:]), refresh: cfg.RefreshToken}
}

// Token redeems the newest refresh token for an access token, and keeps the
// refresh token answered.
func (r *refresher) Token() (*oauth2.Token, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.load(); err != nil {
		return nil, err
	}
	used := r.refresh
	tok, next, err := r.redeem(used)
	if errors.Is(err, ErrSignInAgain) && r.tokens != nil {
		// Another replica may have redeemed the same token a moment ago:
		// the platform then refuses it, and the one it answered is kept.
		if lerr := r.load(); lerr == nil && r.refresh != used {
			tok, next, err = r.redeem(r.refresh)
		}
	}
	if errors.Is(err, ErrSignInAgain) {
		r.log.Error("partnercenter: the refresh token was refused: no referral fetch, poll or write-back until someone signs in again",
			"error", redact.Text(err.Error())) // which says what to do
	}
	if err != nil {
		return nil, err
	}
	if next != "" && next != r.refresh {
		r.refresh = next
		r.save(next)
	}
	return tok, nil
}

// load takes the kept refresh token when it is newer than the one this
// process holds and descends from the configured one.
func (r *refresher) load() error {
	if r.tokens == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	token, configured, version, err := r.tokens.RefreshToken(ctx, tokenName)
	if err != nil {
		return fmt.Errorf("partnercenter: read the rotated refresh token: %w", err)
	}
	// A version this process saw already is older than what it holds when
	// its own save failed; a token of another chain was rotated from a
	// token configured before PARTNERCENTER_REFRESH_TOKEN changed.
	if version > r.seen && configured == r.fingerprint && token != "" {
		r.refresh = token
	}
	r.seen = version
	return nil
}

// save keeps next for every process. A failure is logged, not returned:
// the access token is good and this process still holds next.
func (r *refresher) save(next string) {
	if r.tokens == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	saved, err := r.tokens.SaveRefreshToken(ctx, tokenName, next, r.fingerprint, r.seen, time.Now())
	switch {
	case err != nil:
		r.log.Error("partnercenter: the rotated refresh token could not be kept in the database: a restart or another replica will use an older one, which may be refused",
			"error", redact.Text(err.Error()))
	case saved:
		r.seen++
	default:
		// Another process saved a newer token first; the next refresh
		// reads it.
	}
}

// redeem trades refresh for an access token and the next refresh token
// ("" when the answer brings none).
func (r *refresher) redeem(refresh string) (*oauth2.Token, string, error) {
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {refresh},
		"client_id":     {r.clientID},
		"scope":         {r.scope},
	}
	if r.secret != "" {
		form.Set("client_secret", r.secret)
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.http.Timeout+time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, "", fmt.Errorf("partnercenter: token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := r.http.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("partnercenter: token request: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var t struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type"`
		ExpiresIn    int64  `json:"expires_in"`
		RefreshToken string `json:"refresh_token"`
		Error        string `json:"error"`
		Description  string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &t)
	if resp.StatusCode != http.StatusOK || t.AccessToken == "" {
		what := t.Error
		if t.Description != "" {
			what += ": " + t.Description
		}
		if what == "" {
			what = resp.Status
		}
		if t.Error == "invalid_grant" {
			return nil, "", fmt.Errorf("partnercenter: the token endpoint refused the refresh token (%s): it lapsed, was revoked or needs a new consent: %w", clip(what, 300), ErrSignInAgain)
		}
		return nil, "", fmt.Errorf("partnercenter: the token endpoint refused the refresh token (%s); check PARTNERCENTER_CLIENT_ID, PARTNERCENTER_CLIENT_SECRET, PARTNERCENTER_SCOPE and PARTNERCENTER_REFRESH_TOKEN", clip(what, 300))
	}
	tok := &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType}
	if t.ExpiresIn > 0 {
		tok.Expiry = time.Now().Add(time.Duration(t.ExpiresIn) * time.Second) // the token's own expiry, not a rule
	}
	return tok, t.RefreshToken, nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
