package partnercenter

import (
	"net/http"
	"time"

	"golang.org/x/oauth2"
)

// FetchToken redeems the refresh token once, exactly as the client does
// before its first call, without calling the API: cosellbot doctor uses it
// to tell a refused token from a working one.
func FetchToken(cfg Config) (*oauth2.Token, error) {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	scope := cfg.Scope
	if scope == "" {
		scope = DefaultScope
	}
	r := &refresher{http: hc, tokenURL: cfg.TokenURL, clientID: cfg.ClientID, secret: cfg.ClientSecret, scope: scope, refresh: cfg.RefreshToken}
	return r.Token()
}
