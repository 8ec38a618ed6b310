package partnercenter

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// DefaultScope is what the Partner Center API asks of a delegated token:
// its resource's default scope, and offline_access so that the answer
// brings the next refresh token.
const DefaultScope = "https://api.partner.microsoft.com/.default offline_access"

// refresher redeems the partner's refresh token at the Microsoft identity
// platform's token endpoint, the way it documents for an app acting for a
// user: grant_type=refresh_token with the client id, the client secret
// (a confidential app's) and the scope. golang.org/x/oauth2 leaves the
// scope out of a refresh, which the identity platform refuses for this API;
// hence this small token source. The platform rotates refresh tokens: the
// newest one answered is kept for the next refresh.
type refresher struct {
	http     *http.Client
	tokenURL string
	clientID string
	secret   string
	scope    string

	mu      sync.Mutex
	refresh string
}

// Token redeems the refresh token for an access token.
func (r *refresher) Token() (*oauth2.Token, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {r.refresh},
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
		return nil, fmt.Errorf("partnercenter: token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := r.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("partnercenter: token request: %w", err)
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
		return nil, fmt.Errorf("partnercenter: the token endpoint refused the refresh token (%s); check PARTNERCENTER_CLIENT_ID, PARTNERCENTER_CLIENT_SECRET, PARTNERCENTER_SCOPE and PARTNERCENTER_REFRESH_TOKEN", clip(what, 300))
	}
	if t.RefreshToken != "" {
		r.refresh = t.RefreshToken
	}
	tok := &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType}
	if t.ExpiresIn > 0 {
		tok.Expiry = time.Now().Add(time.Duration(t.ExpiresIn) * time.Second) // the token's own expiry, not a rule
	}
	return tok, nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
