package command_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
)

// The card shows what was given and is kept: an inbound services
// referral's partner program, an invited partner's solutions.
func TestCardShowsProgramAndInvitedSolutions(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	d := &deal.Deal{ID: 7, Kind: deal.ServicesCoSell, Direction: deal.Inbound, Status: deal.Accepted, Stage: deal.StageAccepted,
		Program: "Azure Migrate", From: "microsoft", ReceivedAt: now,
		Partners: []deal.Invitation{{Partner: "Fourth Coffee", Value: 2000000, Currency: "EUR", CloseDate: now.AddDate(0, 3, 0),
			Solutions: []deal.Solution{{Name: "Fab & Co <Tools>"}}}}}
	card := command.Card(d, now)
	for _, want := range []string{"Partner program: Azure Migrate", "their solutions: Fab & Co <Tools>"} {
		if !strings.Contains(card, want) {
			t.Errorf("card lacks %q:\n%s", want, card)
		}
	}
}
