package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/store"
)

func TestLoadWebhooks(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	tests := []struct {
		name string
		env  func(string) string
		want string // "" means no error
	}{
		{"nothing set: every source off", env(), ""},
		{"generic alone", env("WEBHOOK_SECRET_GENERIC", "s", "WEBHOOK_OUT_URL_GENERIC", "https://crm.example/hook"), ""},
		{"outgoing without a secret", env("WEBHOOK_OUT_URL_HUBSPOT", "https://x"), "WEBHOOK_SECRET_HUBSPOT"},
		{"outgoing not a URL", env("WEBHOOK_SECRET_GENERIC", "s", "WEBHOOK_OUT_URL_GENERIC", "ftp://x"), "http(s) URL"},
		{"partner center without credentials", env("WEBHOOK_SECRET_PARTNERCENTER", "s"), "PARTNERCENTER_CLIENT_ID"},
		{"partner center", env("WEBHOOK_SECRET_PARTNERCENTER", "s", "PARTNERCENTER_TOKEN_URL", "https://login.example/token",
			"PARTNERCENTER_CLIENT_ID", "c", "PARTNERCENTER_REFRESH_TOKEN", "r"), ""},
		{"salesforce without orgs", env("WEBHOOK_SECRET_SALESFORCE", "s", "COSELLBOT_CRM_MAPPING", "../../deploy/crm"), "SALESFORCE_ORG_IDS"},
		{"hubspot with the shipped mapping", env("WEBHOOK_SECRET_HUBSPOT", "s", "COSELLBOT_CRM_MAPPING", "../../deploy/crm"), ""},
		{"mapping missing", env("WEBHOOK_SECRET_DYNAMICS", "s", "COSELLBOT_CRM_MAPPING", "/nonexistent"), "COSELLBOT_CRM_MAPPING"},
		{"roots unreadable", env("PARTNERCENTER_ROOTS", "/nonexistent.pem"), "PARTNERCENTER_ROOTS"},
	}
	for _, tt := range tests {
		c, err := loadWebhooks(tt.env)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: %v, want an error naming %s", tt.name, err, tt.want)
		}
		if tt.want == "" && len(c.CertHosts) != 1 {
			t.Errorf("%s: cert hosts %v, want the default", tt.name, c.CertHosts)
		}
	}
}

// serve's webhook loop forgets finished deliveries older than
// COSELLBOT_INBOX_KEEP as soon as it starts, and keeps failed ones.
func TestWebhookLoopForgetsOldDeliveries(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(envOf("DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "keep.db"), "COSELLBOT_INBOX_KEEP", "7d", "COSELLBOT_CACHE_DIR", "off"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := build(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	old := a.clock.Now().Add(-8 * 24 * time.Hour)
	added, err := a.store.AddInbox(t.Context(), []store.InboxEntry{
		{Source: "generic", Key: "applied", Body: []byte("{}"), ReceivedAt: old},
		{Source: "generic", Key: "failed", Body: []byte("{}"), ReceivedAt: old},
		{Source: "generic", Key: "recent", Body: []byte("{}"), ReceivedAt: old.Add(2 * 24 * time.Hour)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range []store.InboxStatus{store.InboxProcessed, store.InboxFailed, store.InboxProcessed} {
		if err := a.store.MarkInbox(t.Context(), added[i].ID, st, "", old.Add(time.Duration(i)*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- a.webhookLoop(ctx) }()
	var keys []string
	for range 100 {
		rows, err := a.store.ListInbox(t.Context(), store.InboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		keys = keys[:0]
		for _, r := range rows {
			keys = append(keys, r.Key)
		}
		if len(keys) == 2 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys, []string{"failed", "recent"}) {
		t.Fatalf("inbox after the loop started: %q, want the failed and the recent delivery", keys)
	}
}
