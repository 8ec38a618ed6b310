package partnercenter

import (
	"net/http"
	"time"

	"golang.org/x/oauth2"
)

// FetchToken redeems the refresh token once, exactly as the client does
// before its first call, without calling the API: cosellbot doctor uses it
// to tell a refused token from a working one. With cfg.Tokens it starts
// from the kept refresh token and keeps the one answered, as the client
// does: a check must not leave the others a token already redeemed.
func FetchToken(cfg Config) (*oauth2.Token, error) {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	scope := cfg.Scope
	if scope == "" {
		scope = DefaultScope
	}
	return newRefresher(cfg, hc, scope).Token()
}
