package slack

import (
	"maps"
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

// A refusal about nothing in the new deal form (a status, a permission
// without a field, a key the form lacks) is shown under none of its
// inputs: the view is replaced by it, or, with problems about inputs too,
// it goes over the form with every problem and Back returns to the form.
func TestRefusalsAboutNoInput(t *testing.T) {
	status := command.Failure{Code: "invalid", Field: "status", Message: "status: referral #20 expired on 2026-11-29"}
	both := command.Failure{Code: "invalid", Problems: []command.Problem{
		{Field: "close", Message: "bad date"}, {Field: "customer_macc", Message: "needs a MACC"}}}
	db := command.Failure{Code: "unavailable", Message: "cosellbot could not reach or write its database"}
	for _, tt := range []struct {
		name   string
		err    command.Failure
		action slackapi.ViewResponseAction
		errs   map[string]string
		close  string
	}{
		{"an input", command.Failure{Code: "invalid", Field: "close", Message: "close: bad date"}, slackapi.RAErrors, map[string]string{"close": "bad date"}, ""},
		{"a status", status, slackapi.RAUpdate, nil, "Done"},
		{"a permission", command.Failure{Code: "forbidden", Message: "bo@contoso.com has no referrals role"}, slackapi.RAUpdate, nil, "Done"},
		{"an input and a key the form lacks", both, slackapi.RAPush, nil, "Back"},
		{"the database", db, slackapi.RAPush, nil, "Back"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := command.Reply{Text: "✗ " + tt.err.Message, Err: &tt.err}
			got := refusedView("New deal", r, fieldErrors(r), asideErrors(r))
			if got.ResponseAction != tt.action {
				t.Fatalf("response %q, want %q", got.ResponseAction, tt.action)
			}
			if tt.errs != nil && !maps.Equal(got.Errors, tt.errs) {
				t.Errorf("errors %v, want %v", got.Errors, tt.errs)
			}
			if tt.close != "" && (got.View == nil || got.View.Close == nil || got.View.Close.Text != tt.close || got.View.Submit != nil) {
				t.Errorf("view %+v, want a message closed with %q", got.View, tt.close)
			}
			if errs := fieldErrors(r); errs["kind"] != "" {
				t.Errorf("pinned under Kind: %v", errs)
			}
		})
	}
}
