package command_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// BenchmarkDealList measures one page of deal list over a pipeline of
// 2,000 open deals: the list reads every deal the caller may see, filters,
// sorts and totals in memory, then renders 20 rows.
func BenchmarkDealList(b *testing.B) {
	st := storetest.Open(b)
	clk := &clock{start}
	ctx := context.Background()
	for i := 0; i < 2000; i++ {
		d := &deal.Deal{
			Name: fmt.Sprintf("Deal %d", i), Direction: deal.Outbound, Kind: deal.IPCoSell, SaleType: deal.Private,
			Status: deal.Created, Stage: deal.StageCreated, Value: deal.Money(100_000 * (i%50 + 1)), Currency: "EUR",
			CloseDate: start.AddDate(0, 2, 0), Location: "1000001", CreatedAt: start.Add(time.Duration(i) * time.Minute),
			UpdatedAt: start.Add(time.Duration(i) * time.Minute),
			Customer:  deal.Customer{Name: fmt.Sprintf("Customer %d", i%97), Location: "FR", Account: deal.Managed},
			Team:      []deal.Person{{Name: "Ana", Email: "ana@contoso.com", Phone: "+33 1 23 45 67 89"}},
		}
		if err := st.CreateDeal(ctx, d, ledger.Entry{At: start, Actor: "bench", Action: "created", Detail: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	svc := command.New(st, clk, deal.DefaultRates(), nil)
	for _, line := range []string{"deal list", `deal list customer="customer 7" sort=value`, "deal list page=50"} {
		b.Run(line, func(b *testing.B) {
			for b.Loop() {
				if r := svc.Run(ctx, access.LocalAdmin, here, line); !r.OK() {
					b.Fatal(r.Text)
				}
			}
		})
	}
}
