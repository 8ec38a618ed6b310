package slack

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
)

// BenchmarkWriteDealCard measures what the Slack adapter adds to a deal
// show: the deal card as Block Kit with its buttons, written as the slash
// command's JSON answer.
func BenchmarkWriteDealCard(b *testing.B) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	d := &deal.Deal{
		ID: 42, Version: 3, Name: "Fabrikam BI & <analytics>", Direction: deal.Outbound, Kind: deal.IPCoSell, SaleType: deal.Private,
		Status: deal.Created, Stage: deal.StageCreated, Value: 6_000_000, Currency: "EUR",
		CloseDate: now.AddDate(0, 2, 0), Location: "1000001", CreatedAt: now, UpdatedAt: now,
		Customer: deal.Customer{Name: "Fabrikam", Location: "FR", Account: deal.Managed},
		Team:     []deal.Person{{Name: "Ana", Email: "ana@contoso.com", Phone: "+33 1 23 45 67 89"}},
		Notes:    "Needs Power BI Premium sizing before the next review.",
	}
	reply := command.Reply{Text: command.Card(d, now), Actions: command.Next(d)}
	for b.Loop() {
		writeMessage(httptest.NewRecorder(), reply, false)
	}
}
