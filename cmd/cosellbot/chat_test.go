package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/store"
)

func TestChatConfig(t *testing.T) {
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	c, err := loadConfig(env(map[string]string{
		"SLACK_SIGNING_SECRET": "s3cret", "SLACK_BOT_TOKEN": "xoxb-1",
		"DISCORD_PUBLIC_KEY": hex.EncodeToString(pub), "DISCORD_BOT_TOKEN": "bot", "DISCORD_APP_ID": "42",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Slack.SigningSecret != "s3cret" || c.Slack.BotToken != "xoxb-1" || !c.Discord.PublicKey.Equal(pub) || c.Discord.AppID != "42" || c.Discord.BotToken != "bot" {
		t.Errorf("config: %+v %+v", c.Slack, c.Discord)
	}
	if c, err := loadConfig(env(nil)); err != nil || c.Slack.SigningSecret != "" || c.Discord.PublicKey != nil {
		t.Errorf("unset: %+v %+v %v", c.Slack, c.Discord, err)
	}
	if _, err := loadConfig(env(map[string]string{"DISCORD_PUBLIC_KEY": "not hex"})); err == nil || !strings.Contains(err.Error(), "DISCORD_PUBLIC_KEY") {
		t.Errorf("a bad public key: %v", err)
	}
}

func TestLink(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "link.db")
	t.Setenv("DATABASE_URL", db)
	link := func(want int, args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := run(context.Background(), append([]string{"link"}, args...), strings.NewReader(""), &out, &errOut); code != want {
			t.Fatalf("link %q: exit %d, want %d\n%s%s", args, code, want, out.String(), errOut.String())
		}
		return out.String() + errOut.String()
	}
	link(2, "slack", "U1")
	link(2, "teams", "U1", "ana@contoso.com")
	// Not an account id: refused with where to find one (a tester's
	// "link discord abc" was accepted and linked nobody).
	if msg := link(2, "discord", "abc", "ana@contoso.com"); !strings.Contains(msg, `"abc" is not a discord account id`) {
		t.Errorf("discord abc: %s", msg)
	}
	if msg := link(2, "slack", "ana", "ana@contoso.com"); !strings.Contains(msg, "starts with U or W") {
		t.Errorf("slack ana: %s", msg)
	}
	if msg := link(1, "slack", "U1", "ana@contoso.com"); !strings.Contains(msg, "user add ana@contoso.com") {
		t.Errorf("unknown user: %s", msg)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"ask", "user", "add", "ana@contoso.com", "role=referrals-user", "locations=global"}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("user add: %d %s%s", code, out.String(), errOut.String())
	}
	link(0, "discord", "123456789", "Ana@Contoso.com")
	st, err := store.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if id, err := st.ChatUser(t.Context(), "discord", "123456789"); err != nil || id != "ana@contoso.com" {
		t.Errorf("link: %q, %v", id, err)
	}
}
