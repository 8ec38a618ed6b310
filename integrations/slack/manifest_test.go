package slack_test

import (
	"net/url"
	"os"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The app manifest in deploy/ must point Slack at the routes this package
// serves, for the command it answers.
func TestManifest(t *testing.T) {
	raw, err := os.ReadFile("../../deploy/slack-app-manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			SlashCommands []struct {
				Command, URL string
				Escape       bool `yaml:"should_escape"`
			} `yaml:"slash_commands"`
		}
		OAuth struct {
			Scopes struct{ Bot []string }
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				URL    string   `yaml:"request_url"`
				Events []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				URL string `yaml:"request_url"`
			}
		}
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	path := func(s string) string {
		u, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return u.Path
	}
	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/cosell" || path(m.Features.SlashCommands[0].URL) != "/slack/commands" {
		t.Errorf("slash command: %+v", m.Features.SlashCommands)
	}
	// Channels and people must arrive as ids (<#C…|name>, <@U…>), which
	// subscribe and Decode read; a bare #name cannot be resolved.
	if len(m.Features.SlashCommands) == 1 && !m.Features.SlashCommands[0].Escape {
		t.Error("the slash command needs should_escape: true")
	}
	if path(m.Settings.Interactivity.URL) != "/slack/interactions" || path(m.Settings.Events.URL) != "/slack/events" {
		t.Errorf("request URLs: %+v", m.Settings)
	}
	if len(m.Settings.Events.Events) != 1 || m.Settings.Events.Events[0] != "app_home_opened" {
		t.Errorf("events: %v", m.Settings.Events.Events)
	}
	need := map[string]bool{"commands": true, "chat:write": true, "users:read": true, "users:read.email": true}
	for _, s := range m.OAuth.Scopes.Bot {
		delete(need, s)
	}
	if len(need) > 0 {
		t.Errorf("scopes missing: %v", need)
	}
}
