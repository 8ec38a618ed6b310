package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/integrations/partnercenter"
)

// fakes answers as Slack's auth.test, Discord's applications/@me and an
// OAuth2 token endpoint do, for one good token each.
func fakes(t *testing.T) Platforms {
	mux := http.NewServeMux()
	mux.HandleFunc("/slack/auth.test", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer xoxb-good" && r.FormValue("token") != "xoxb-good" {
			json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "team": "Contoso", "user": "cosellbot", "team_id": "T1", "user_id": "U1"})
	})
	mux.HandleFunc("/discord/applications/@me", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bot good" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"message": "401: Unauthorized", "code": 0}`))
			return
		}
		w.Write([]byte(`{"id": "1234", "name": "cosellbot"}`))
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		if r.Form.Get("refresh_token") != "good" || r.Form.Get("grant_type") != "refresh_token" || !strings.Contains(r.Form.Get("scope"), "api.partner.microsoft.com") {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error": "invalid_grant", "error_description": "AADSTS70008: The refresh token has expired"}`))
			return
		}
		w.Write([]byte(`{"access_token": "a", "token_type": "Bearer", "expires_in": 3600}`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return Platforms{SlackAPI: srv.URL + "/slack/", DiscordAPI: srv.URL + "/discord", HTTP: srv.Client()}
}

func TestTokens(t *testing.T) {
	p := fakes(t)
	ctx := context.Background()
	tokenURL := p.DiscordAPI[:strings.LastIndex(p.DiscordAPI, "/")] + "/token"
	for _, tc := range []struct {
		f      Finding
		status Status
		says   string
	}{
		{p.Slack(ctx, "xoxb-good"), OK, "bot cosellbot in workspace Contoso"},
		{p.Slack(ctx, "xoxb-revoked"), Failed, "invalid_auth"},
		{p.Slack(ctx, ""), Skipped, "not set"},
		{p.Discord(ctx, "good", "1234"), OK, "application cosellbot (1234)"},
		{p.Discord(ctx, "good", "999"), Failed, "DISCORD_APP_ID says 999"},
		{p.Discord(ctx, "good", ""), Warning, "DISCORD_APP_ID is not set"},
		{p.Discord(ctx, "bad", "1234"), Failed, "refused it (401)"},
		{p.PartnerCenter(partnercenter.Config{TokenURL: tokenURL, ClientID: "c", RefreshToken: "good"}), OK, "access token was issued"},
		{p.PartnerCenter(partnercenter.Config{TokenURL: tokenURL, ClientID: "c", RefreshToken: "old"}), Failed, "invalid_grant: AADSTS70008"},
		{p.PartnerCenter(partnercenter.Config{}), Skipped, "not set"},
		{Secret("WEBHOOK_SECRET_GENERIC", "short", "off"), Failed, "5 characters"},
		{Secret("WEBHOOK_SECRET_GENERIC", "0123456789abcdef0123", "off"), OK, "20 characters"},
	} {
		if tc.f.Status != tc.status || !strings.Contains(tc.f.Detail, tc.says) {
			t.Errorf("%s: %v %q, want %v saying %q", tc.f.Name, tc.f.Status, tc.f.Detail, tc.status, tc.says)
		}
		if tc.f.Status == Failed && tc.f.Fix == "" && !strings.Contains(tc.f.Detail, "unexpected") {
			t.Errorf("%s failed without saying what to fix", tc.f.Name)
		}
	}
}

type store struct {
	ping         error
	cur, latest  int64
	migrationErr error
}

func (s store) Ping(context.Context) error { return s.ping }
func (s store) Migrations(context.Context) (int64, int64, error) {
	return s.cur, s.latest, s.migrationErr
}
func (s store) Dialect() string { return "sqlite" }

func TestDatabase(t *testing.T) {
	ctx := context.Background()
	if fs := Database(ctx, store{cur: 3, latest: 3}, "x.db"); AnyFailed(fs) || len(fs) != 2 {
		t.Errorf("healthy: %v", fs)
	}
	if fs := Database(ctx, store{cur: 2, latest: 3}, "x.db"); !AnyFailed(fs) || !strings.Contains(fs[1].Fix, "cosellbot migrate") {
		t.Errorf("behind: %v", fs)
	}
	if fs := Database(ctx, store{ping: errors.New("connection refused")}, "db:5432"); !AnyFailed(fs) || !strings.Contains(fs[0].Fix, "DATABASE_URL") {
		t.Errorf("down: %v", fs)
	}
}

func TestCacheDir(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	cases := []struct {
		name string
		dir  string
		want Status
	}{
		{"off", "", Skipped},
		{"an existing folder", tmp, OK},
		{"a folder still to make", filepath.Join(tmp, "cache", "cosellbot"), OK},
	}
	if runtime.GOOS == "linux" {
		cases = append(cases, struct {
			name string
			dir  string
			want Status
		}{"a folder nobody may write", "/proc/cosellbot-cache", Warning})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := CacheDir(c.dir)
			if f.Status != c.want {
				t.Fatalf("CacheDir(%q) = %s; want status %d", c.dir, f, c.want)
			}
			if f.Status == Warning && f.Fix == "" {
				t.Fatalf("a warning without a fix: %s", f)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(tmp, "cache")); err == nil {
		t.Fatal("doctor made the cache folder; it must only look")
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, ".cosellbot-doctor-*")); len(left) > 0 {
		t.Fatalf("doctor left %v behind", left)
	}
}
