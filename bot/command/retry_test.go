package command_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// racing is a store where another change lands on the deal just before a
// command's write, as a Partner Center or CRM notification applied by the
// background sync does: the first commits of deals fail with a conflict.
type racing struct {
	*store.Store
	left atomic.Int32
}

func (r *racing) Commit(ctx context.Context, c *change.Commit) error {
	if c.Deal != nil && c.Deal.ID != 0 && r.left.Add(-1) >= 0 {
		return ledger.ErrConflict
	}
	return r.Store.Commit(ctx, c)
}

// A person's command is not refused because the deal changed under it
// (they did nothing wrong): it is applied again to the deal as it is now.
func TestCommandIsAppliedAgainWhenTheDealChangedUnderIt(t *testing.T) {
	st := storetest.Open(t)
	rec := &racing{Store: st}
	clk := &clock{start}
	svc := command.New(rec, clk, deal.DefaultRates(), nil)
	e := &env{t: t, svc: svc, st: st, clk: clk}
	e.seedCatalog()
	e.run(`deal new kind=ip name="Race" customer=Contoso customer_location=SE account=managed location=1234567 value=50000 close=2027-03-01 notes=x solution="Contoso Insight" ` + team)
	rec.left.Store(2) // two changes land while the command works
	r := svc.Run(context.Background(), access.LocalAdmin, here, `deal edit 1 notes="typed while syncing"`)
	if !r.OK() {
		t.Fatalf("refused: %s", r.Text)
	}
	d, _ := st.GetDeal(context.Background(), 1)
	if d.Notes != "typed while syncing" {
		t.Errorf("notes %q", d.Notes)
	}
	rec.left.Store(100) // the deal keeps changing: the person is told
	r = svc.Run(context.Background(), access.LocalAdmin, here, `deal edit 1 notes="again"`)
	if r.OK() || !strings.Contains(r.Text, "changed while you were working on it") {
		t.Errorf("a deal that never holds still: %s", r.Text)
	}
}
