package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/integrations/doctor"
	"github.com/cosellbot/cosellbot/integrations/partnercenter/pcfake"
)

// cosellbot poll waits a throttled Partner Center's Retry-After and polls
// again; a poll that fails prints no "0 failed" summary.
func TestPollWaitsForAThrottledPartnerCenter(t *testing.T) {
	api := pcfake.New(t, time.Now)
	t.Setenv("DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "poll.db"))
	t.Setenv("WEBHOOK_SECRET_PARTNERCENTER", "pc-secret-0123456789abcdef")
	partnerCenterEnv(t, api)
	t.Setenv("PARTNERCENTER_DEFAULT_LOCATION", "1234567")
	runCLI(t, 0, "migrate")
	api.ThrottleNext(1)
	out, errOut := runCLI(t, 0, "poll")
	if !strings.Contains(errOut, "Partner Center asked to wait 2s") || !strings.Contains(out, "polled Partner Center") {
		t.Errorf("stdout %q, stderr %q", out, errOut)
	}
	api.ThrottleNext(100) // throttled every time: it gives up, saying so
	out, errOut = runCLI(t, 1, "poll")
	if strings.Contains(out, "0 failed") || !strings.Contains(errOut, "polling Partner Center failed") {
		t.Errorf("a failed poll: stdout %q, stderr %q", out, errOut)
	}
}

// Partner Center rotates the refresh token on every use and refuses the one
// it replaced (as pcfake does). Each CLI command is a restart: poll, poll
// again and doctor all start from the rotated token kept in the database,
// not from PARTNERCENTER_REFRESH_TOKEN. When the operator configures
// another token, that one is used, and a refused one says what to do.
func TestCommandsKeepTheRotatedRefreshToken(t *testing.T) {
	api := pcfake.New(t, time.Now)
	t.Setenv("DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "rotate.db"))
	t.Setenv("WEBHOOK_SECRET_PARTNERCENTER", "pc-secret-0123456789abcdef")
	partnerCenterEnv(t, api)
	t.Setenv("PARTNERCENTER_DEFAULT_LOCATION", "1234567")
	runCLI(t, 0, "migrate")
	runCLI(t, 0, "poll")
	runCLI(t, 0, "poll") // a restart: the configured token was replaced
	if out := doctorOutput(t); !strings.Contains(out, "✓ "+doctor.PartnerCenterCheck+": an access token was issued") {
		t.Errorf("doctor after two polls:\n%s", out)
	}
	runCLI(t, 0, "poll") // doctor kept the token it rotated
	if n := api.Tokens(); n != 4 {
		t.Errorf("%d access tokens issued, want 4 (one per command)", n)
	}

	t.Setenv("PARTNERCENTER_REFRESH_TOKEN", api.SignIn()) // signed in again
	runCLI(t, 0, "poll")
	runCLI(t, 0, "poll")

	t.Setenv("PARTNERCENTER_REFRESH_TOKEN", "revoked-0123456789abcdef")
	_, errOut := runCLI(t, 1, "poll")
	for _, want := range []string{"invalid_grant", "sign in again", "set PARTNERCENTER_REFRESH_TOKEN"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("a refused token: stderr does not say %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "revoked-0123456789abcdef") || strings.Contains(errOut, pcfake.RefreshToken+"-") {
		t.Errorf("stderr shows a refresh token:\n%s", errOut)
	}
	if out := doctorOutput(t); !strings.Contains(out, "fix: sign in again") || !strings.Contains(out, "invalid_grant") {
		t.Errorf("doctor with a refused token:\n%s", out)
	}
}

// doctorOutput is what cosellbot doctor prints, whatever its exit status
// (checks of what the test does not configure may fail).
func doctorOutput(t *testing.T) string {
	t.Helper()
	var out, errOut bytes.Buffer
	run(context.Background(), []string{"doctor"}, strings.NewReader(""), &out, &errOut)
	return out.String() + errOut.String()
}

// partnerCenterEnv points the CLI at the fake Partner Center api, with the
// fake's client and sign-in.
func partnerCenterEnv(t *testing.T, api *pcfake.API) {
	t.Helper()
	t.Setenv("PARTNERCENTER_API_URL", api.APIURL())
	t.Setenv("PARTNERCENTER_TOKEN_URL", api.TokenURL())
	t.Setenv("PARTNERCENTER_CLIENT_ID", pcfake.ClientID)
	t.Setenv("PARTNERCENTER_CLIENT_SECRET", pcfake.ClientSecret)
	t.Setenv("PARTNERCENTER_REFRESH_TOKEN", pcfake.RefreshToken)
}
