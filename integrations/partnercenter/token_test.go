package partnercenter_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/integrations/partnercenter"
	"github.com/cosellbot/cosellbot/integrations/partnercenter/pcfake"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

func tokenConfig(api *pcfake.API, s *store.Store) partnercenter.Config {
	return partnercenter.Config{APIURL: api.APIURL(), TokenURL: api.TokenURL(), ClientID: pcfake.ClientID,
		ClientSecret: pcfake.ClientSecret, RefreshToken: pcfake.RefreshToken, Tokens: s, Log: slog.New(slog.DiscardHandler)}
}

// The identity platform rotates the refresh token on every use and refuses
// the replaced one (as the fake does). A restart is a second client built
// from the same configuration and database: it starts from the rotated
// token kept in the database, and so does cosellbot doctor's check, which
// keeps the token it rotates for the others.
func TestRestartUsesTheRotatedRefreshToken(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		api := pcfake.New(t, func() time.Time { return now })
		api.Put(fixture(t, "referral_new.json"))
		cfg := tokenConfig(api, s)
		for i, what := range []string{"first start", "restart", "doctor", "restart after doctor"} {
			if what == "doctor" {
				if _, err := partnercenter.FetchToken(cfg); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				continue
			}
			c, err := partnercenter.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Get(t.Context(), newID); err != nil {
				t.Fatalf("%s (start %d): %v", what, i+1, err)
			}
		}
		// Without the database the configured token is all there is, and
		// it was replaced long ago.
		memoryOnly := cfg
		memoryOnly.Tokens = nil
		if _, err := partnercenter.FetchToken(memoryOnly); !errors.Is(err, partnercenter.ErrSignInAgain) {
			t.Errorf("the configured token after rotations: %v, want it refused", err)
		}
	})
}

// Replicas take turns refreshing: each refresh starts from the token the
// other kept, not from the one this replica rotated last.
func TestReplicasShareTheRotatedRefreshToken(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		api := pcfake.New(t, func() time.Time { return now })
		api.Put(fixture(t, "referral_new.json"))
		api.AccessTokensLast(time.Second) // a refresh before every call
		cfg := tokenConfig(api, s)
		a, err := partnercenter.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		b, err := partnercenter.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range []*partnercenter.Client{a, b, a, b, a} {
			if _, err := c.Get(t.Context(), newID); err != nil {
				t.Fatalf("call %d: %v", i+1, err)
			}
		}
		if api.Tokens() != 5 {
			t.Errorf("%d tokens issued, want 5 (one per call)", api.Tokens())
		}
	})
}

// racingStore lets another replica refresh between this replica's read of
// the kept token and its request: the platform then refuses the token
// read, and the replica retries with the one the other kept.
type racingStore struct {
	*store.Store
	once  sync.Once
	other func()
}

func (r *racingStore) RefreshToken(ctx context.Context, name string) (string, string, int64, error) {
	token, configured, version, err := r.Store.RefreshToken(ctx, name)
	r.once.Do(r.other)
	return token, configured, version, err
}

func TestReplicaRefreshingAfterAnotherRetriesWithItsToken(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		api := pcfake.New(t, func() time.Time { return now })
		api.Put(fixture(t, "referral_new.json"))
		cfg := tokenConfig(api, s)
		other, err := partnercenter.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		racing := cfg
		racing.Tokens = &racingStore{Store: s, other: func() {
			if _, err := other.Get(t.Context(), newID); err != nil {
				t.Errorf("the other replica: %v", err)
			}
		}}
		if _, err := partnercenter.FetchToken(racing); err != nil {
			t.Fatalf("a refresh that lost the race: %v", err)
		}
		// And what it rotated is kept for the next start.
		if _, err := partnercenter.FetchToken(cfg); err != nil {
			t.Fatalf("the next start: %v", err)
		}
	})
}

// When the operator signs in again and configures the new token, it wins
// over the chain kept from the old one; its own rotation is kept next.
func TestANewlyConfiguredRefreshTokenWins(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		api := pcfake.New(t, func() time.Time { return now })
		cfg := tokenConfig(api, s)
		if _, err := partnercenter.FetchToken(cfg); err != nil {
			t.Fatal(err)
		}
		cfg.RefreshToken = api.SignIn() // every earlier token is refused now
		for _, what := range []string{"the new token", "its rotation"} {
			if _, err := partnercenter.FetchToken(cfg); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}
	})
}

// A refused refresh token (invalid_grant) says what to do in the error and
// in the log, and neither shows the token.
func TestRefusedRefreshTokenSaysSignInAgain(t *testing.T) {
	t.Parallel()
	api := pcfake.New(t, func() time.Time { return now })
	var logged bytes.Buffer
	const revoked = "revoked-0123456789abcdef"
	_, err := partnercenter.FetchToken(partnercenter.Config{TokenURL: api.TokenURL(), ClientID: pcfake.ClientID, ClientSecret: pcfake.ClientSecret,
		RefreshToken: revoked, Log: slog.New(slog.NewTextHandler(&logged, nil))})
	if !errors.Is(err, partnercenter.ErrSignInAgain) {
		t.Fatalf("err = %v, want ErrSignInAgain", err)
	}
	for what, text := range map[string]string{"error": err.Error(), "log": logged.String()} {
		for _, want := range []string{"invalid_grant", "sign in again", "PARTNERCENTER_REFRESH_TOKEN"} {
			if !strings.Contains(text, want) {
				t.Errorf("the %s does not say %q: %s", what, want, text)
			}
		}
		if strings.Contains(text, revoked) {
			t.Errorf("the %s shows the refresh token: %s", what, text)
		}
	}
}
