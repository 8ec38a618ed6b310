package command_test

import (
	"slices"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
)

// Only IP co-sell deals are registered: a won deal of another kind offers
// no registration check, which could only answer no.
func TestWonOffersRegistrationOnlyForIPCoSell(t *testing.T) {
	for _, kind := range deal.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			d := &deal.Deal{ID: 7, Kind: kind, Status: deal.Won, Stage: deal.StageWon}
			got := slices.ContainsFunc(command.Next(d), func(a chat.Action) bool { return a.Command == "deal register 7" })
			if want := kind == deal.IPCoSell; got != want {
				t.Errorf("won %s deal offers deal register: %v, want %v (%+v)", kind, got, want, command.Next(d))
			}
		})
	}
}

// A referral that arrived without what accepting needs offers an Accept
// that asks for exactly that, so the shell prints a command that can work.
func TestAcceptAsksWhatTheReferralLacks(t *testing.T) {
	tests := []struct {
		name string
		d    deal.Deal
		want []string
	}{
		{"nothing given", deal.Deal{}, []string{"name", "value", "close", "notes"}},
		{"only notes given", deal.Deal{Notes: "Teams rollout"}, []string{"name", "value", "close"}},
		{"all given", deal.Deal{Name: "Fabrikam", Value: 100, CloseDate: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Notes: "n"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.d
			d.ID, d.Status = 3, deal.Received
			i := slices.IndexFunc(command.Next(&d), func(a chat.Action) bool { return a.Label == "Accept" })
			if i < 0 {
				t.Fatalf("no Accept on a received referral: %+v", command.Next(&d))
			}
			if got := command.Next(&d)[i].Ask; !slices.Equal(got, tc.want) {
				t.Errorf("Accept asks %v, want %v", got, tc.want)
			}
		})
	}
}

// The buttons that cannot be undone (Won, Upgrade) ask first; the others,
// which a form or the next click can set right, do not. The question is
// the one Confirmation gives for the action's own command, with the card
// to go back to.
func TestIrreversibleButtonsAskFirst(t *testing.T) {
	d := &deal.Deal{ID: 9, Kind: deal.ServicesCoSell, Status: deal.Accepted, Stage: deal.StageNegotiated, SaleType: deal.Private}
	asked := map[string]bool{}
	for _, a := range command.Next(d) {
		if a.Confirm == "" {
			continue
		}
		asked[a.Label] = true
		q, cancel := command.Confirmation(a.Command)
		if q != a.Confirm || cancel != "deal show 9" {
			t.Errorf("%s: Confirm %q, Confirmation(%q) = %q, %q", a.Label, a.Confirm, a.Command, q, cancel)
		}
	}
	if !asked["Won"] || !asked["Upgrade to partner-led"] || len(asked) != 2 {
		t.Errorf("buttons that ask first: %v, want Won and Upgrade to partner-led", asked)
	}
	for _, line := range []string{"deal lost 9", "deal won", "deal won 9 extra", "deal upgrade 9 cosell", "deal show 9"} {
		if q, _ := command.Confirmation(line); q != "" {
			t.Errorf("Confirmation(%q) = %q, want none", line, q)
		}
	}
}
