package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/integrations/partnercenter/pcfake"
)

// cosellbot poll waits a throttled Partner Center's Retry-After and polls
// again; a poll that fails prints no "0 failed" summary.
func TestPollWaitsForAThrottledPartnerCenter(t *testing.T) {
	api := pcfake.New(t, time.Now)
	t.Setenv("DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "poll.db"))
	t.Setenv("WEBHOOK_SECRET_PARTNERCENTER", "pc-secret-0123456789abcdef")
	t.Setenv("PARTNERCENTER_API_URL", api.APIURL())
	t.Setenv("PARTNERCENTER_TOKEN_URL", api.TokenURL())
	t.Setenv("PARTNERCENTER_CLIENT_ID", pcfake.ClientID)
	t.Setenv("PARTNERCENTER_CLIENT_SECRET", pcfake.ClientSecret)
	t.Setenv("PARTNERCENTER_REFRESH_TOKEN", pcfake.RefreshToken)
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
