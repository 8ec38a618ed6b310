package main

import (
	"strings"
	"testing"
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
