package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
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

// A refresh token the identity platform refused (invalid_grant) fails
// with what to do: sign in again and set PARTNERCENTER_REFRESH_TOKEN; no
// setting to check would fix it.
func TestPartnerCenterRefusedTokenSaysSignInAgain(t *testing.T) {
	p := fakes(t)
	tokenURL := p.DiscordAPI[:strings.LastIndex(p.DiscordAPI, "/")] + "/token"
	f := p.PartnerCenter(partnercenter.Config{TokenURL: tokenURL, ClientID: "c", RefreshToken: "old"})
	if f.Status != Failed || !strings.Contains(f.Detail, "invalid_grant") || strings.Contains(f.Detail, "sign in again") {
		t.Errorf("detail: %v %q, want Failed saying invalid_grant, the fix apart", f.Status, f.Detail)
	}
	if !strings.Contains(f.Fix, "sign in again") || !strings.Contains(f.Fix, "PARTNERCENTER_REFRESH_TOKEN") || strings.Contains(f.Fix, "PARTNERCENTER_CLIENT_SECRET") {
		t.Errorf("fix: %q, want sign in again and set PARTNERCENTER_REFRESH_TOKEN", f.Fix)
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
	file := filepath.Join(tmp, "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases = append(cases, struct {
		name string
		dir  string
		want Status
	}{"a file, not a folder", filepath.Join(file, "cosellbot"), Warning})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := CacheDir(c.dir)
			if f.Status != c.want {
				t.Fatalf("CacheDir(%q) = %s; want status %d", c.dir, f, c.want)
			}
			if f.Status == Warning && f.Fix == "" {
				t.Fatalf("a warning without a fix: %s", f)
			}
			// The finding names the folder COSELLBOT_CACHE_DIR says, not
			// only the parent where the probe failed.
			if f.Status != Skipped && !strings.Contains(f.Detail, c.dir) {
				t.Fatalf("CacheDir(%q) = %s: does not name the configured folder", c.dir, f)
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

// roundTrip makes an http.Client's transport of a function.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A token check that gets no answer, or an answer that is not the
// platform's verdict on the token, says so and what to check; only the
// platform's refusal says the token is wrong.
func TestUnreachableIsNotARefusedToken(t *testing.T) {
	ctx := context.Background()
	refused := &http.Client{Transport: roundTrip(func(*http.Request) (*http.Response, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	})}
	answering := func(code int, body string) Platforms {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			w.Write([]byte(body))
		}))
		t.Cleanup(srv.Close)
		return Platforms{SlackAPI: srv.URL + "/slack/", DiscordAPI: srv.URL + "/discord", HTTP: srv.Client()}
	}
	proxy := Platforms{SlackAPI: "http://proxy.internal/slack/", DiscordAPI: "http://proxy.internal/discord", HTTP: refused}
	direct := Live()
	direct.HTTP = refused
	down := answering(http.StatusServiceUnavailable, "<html>down</html>")
	html := answering(http.StatusOK, "<html>sign in to the proxy</html>")
	for _, tc := range []struct {
		name string
		f    Finding
		says []string
		fix  []string
	}{
		{"Slack through SLACK_API_URL", proxy.Slack(ctx, "xoxb-1"), []string{"the Slack API at http://proxy.internal/slack/ could not be reached", "connection refused"},
			[]string{"check SLACK_API_URL (http://proxy.internal/slack/)"}},
		{"Slack directly", direct.Slack(ctx, "xoxb-1"), []string{"the Slack API at https://slack.com/api/ could not be reached"}, []string{"outbound HTTPS access to slack.com"}},
		{"Slack answering 503", down.Slack(ctx, "xoxb-1"), []string{"answered", "503"}, []string{"again later", "SLACK_API_URL"}},
		{"Slack's address answering a page", html.Slack(ctx, "xoxb-1"), []string{"is not the Slack API's"}, []string{"SLACK_API_URL"}},
		{"Discord through DISCORD_API_URL", proxy.Discord(ctx, "bot", "42"), []string{"the Discord API at http://proxy.internal/discord could not be reached"},
			[]string{"check DISCORD_API_URL (http://proxy.internal/discord)"}},
		{"Discord directly", direct.Discord(ctx, "bot", "42"), []string{"the Discord API at https://discord.com/api/v10 could not be reached"}, []string{"outbound HTTPS access to discord.com"}},
		{"Discord answering 503", down.Discord(ctx, "bot", "42"), []string{"unexpected answer 503"}, []string{"again later", "DISCORD_API_URL"}},
		{"Partner Center", direct.PartnerCenter(partnercenter.Config{TokenURL: "https://login.example/t/oauth2/v2.0/token", ClientID: "c", RefreshToken: "r"}),
			[]string{"the token endpoint https://login.example/t/oauth2/v2.0/token could not be reached"}, []string{"check PARTNERCENTER_TOKEN_URL"}},
	} {
		if tc.f.Status != Failed {
			t.Errorf("%s: %s, want a failure", tc.name, tc.f)
		}
		for _, says := range tc.says {
			if !strings.Contains(tc.f.Detail, says) {
				t.Errorf("%s: %q, want it to say %q", tc.name, tc.f.Detail, says)
			}
		}
		for _, fix := range tc.fix {
			if !strings.Contains(tc.f.Fix, fix) {
				t.Errorf("%s: fix %q, want it to say %q", tc.name, tc.f.Fix, fix)
			}
		}
		for _, wrong := range []string{"refused it", "copy the Bot User OAuth Token", "reset the token", "sign in again"} {
			if strings.Contains(tc.f.String(), wrong) {
				t.Errorf("%s: %s\nblames the token (%q)", tc.name, tc.f, wrong)
			}
		}
	}
}
