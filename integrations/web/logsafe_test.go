package web_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/integrations/web"
)

// Logged values keep no URL credential, stay short, and a value cannot
// forge a line or reach the terminal raw, in both log formats.
func TestSafeAttr(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		var buf bytes.Buffer
		opts := &slog.HandlerOptions{ReplaceAttr: web.SafeAttr}
		var h slog.Handler = slog.NewTextHandler(&buf, opts)
		if format == "json" {
			h = slog.NewJSONHandler(&buf, opts)
		}
		log := slog.New(h)
		sendErr := fmt.Errorf("crm: webhook to hubspot: %w", errors.New(`Post "https://fn.example.net/api/hook?code=S3cr3t&x=1": dial tcp: connection refused`))
		log.Warn("send failed", "err", sendErr, "url", "postgres://u:pw0rd@db/x", "name", "Deal\x1b[2J\nlevel=ERROR msg=forged", "big", strings.Repeat("7", 900_000))
		out := buf.String()
		for _, secret := range []string{"S3cr3t", "pw0rd", "\x1b", "\nlevel=ERROR"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s: the log holds %q: %s", format, secret, out[:min(len(out), 400)])
			}
		}
		if len(out) > 4*web.MaxLogValue {
			t.Errorf("%s: one log line of %d bytes", format, len(out))
		}
		if !strings.Contains(out, "code=REDACTED") || !strings.Contains(out, "connection refused") {
			t.Errorf("%s: the error lost its useful part: %s", format, out[:min(len(out), 400)])
		}
	}
}
