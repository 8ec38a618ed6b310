package slack

import (
	"strings"
	"testing"

	slackapi "github.com/slack-go/slack"

	"github.com/cosellbot/cosellbot/bot/access"
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

// A refusal about one input, a permission one included (a location someone
// may not create in), is shown under that input of the new deal form, not
// under the first.
func TestNewDealErrorsUnderTheirInput(t *testing.T) {
	r := command.Refusal(access.DenyField("location", "ana@contoso.com may create deals only in 1234567, not in location 7654321"))
	errs := fieldErrors(r)
	if msg, ok := errs["location"]; !ok || !strings.Contains(msg, "only in 1234567") || len(errs) != 1 {
		t.Errorf("errors %v, want the refusal under location", errs)
	}
}
