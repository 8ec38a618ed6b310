package slack

import (
	"testing"

	slackapi "github.com/slack-go/slack"

	"github.com/cosellbot/cosellbot/bot/command"
)

// A private answer (a sign-in link) stays ephemeral even when shared.
func TestPrivateReplyIsNeverShared(t *testing.T) {
	if m := message(command.Reply{Text: "link", Private: true}, true); m.ResponseType != slackapi.ResponseTypeEphemeral {
		t.Errorf("a private reply shared with --share: %q", m.ResponseType)
	}
	if m := message(command.Reply{Text: "deal"}, true); m.ResponseType != slackapi.ResponseTypeInChannel {
		t.Errorf("a shared reply: %q", m.ResponseType)
	}
}
