package pipeline_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // database/sql driver "sqlite", for the test's own queries

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/clocktest"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/integrations/web"
	"github.com/cosellbot/cosellbot/integrations/web/pipeline"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// t0 is when the tests happen.
var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// env is a pipeline page over a real store, served on a loopback port.
type env struct {
	st    *store.Store
	db    *sql.DB // the same SQLite file, for the test's own counts
	clock *clocktest.Clock
	svc   *command.Service
	page  *pipeline.Server
	srv   *httptest.Server
	url   string
	rates deal.MonthRates
}

func newEnv(t testing.TB) *env {
	t.Helper()
	dbURL := storetest.SQLiteURL(t)
	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+strings.TrimPrefix(dbURL, "sqlite:")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	e := &env{st: st, db: raw, clock: clocktest.New(t0), rates: deal.DefaultRates().Latest()}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	router := web.Router(st, log)
	e.srv = httptest.NewUnstartedServer(router)
	e.url = "http://" + e.srv.Listener.Addr().(*net.TCPAddr).String()
	e.page, err = pipeline.New(pipeline.Config{PublicURL: e.url, Record: st, Sessions: st, Users: resolver{e}, Clock: e.clock, Rates: deal.DefaultRates(), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	e.svc = command.New(st, e.clock, deal.DefaultRates(), log, command.WithCPOR(st), command.WithAlerts(st, []string{"shell"}, nil), command.WithWebLinks(e.page))
	e.page.Mount(router)
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	return e
}

type resolver struct{ e *env }

func (r resolver) Resolve(ctx context.Context, id string) (access.User, error) {
	return r.e.svc.Resolve(ctx, id)
}

// run carries out a chat command as who (the local admin when empty).
func (e *env) run(t testing.TB, who, line string) command.Reply {
	t.Helper()
	u, err := e.svc.Resolve(context.Background(), who)
	if err != nil {
		t.Fatal(err)
	}
	r := e.svc.Run(context.Background(), u, chat.Place{Platform: "shell", Channel: "test"}, line)
	if !r.OK() {
		t.Fatalf("%s: %s", line, r.Text)
	}
	return r
}

// dealID is the id of the deal a reply is about.
func dealID(t testing.TB, r command.Reply) int64 {
	t.Helper()
	v, ok := r.Data["deal"].(command.DealView)
	if !ok {
		t.Fatalf("no deal in %v", r.Data)
	}
	return v.ID
}

const (
	ana   = "Ana Diaz <ana@contoso.com> +46701234567"
	bruno = "Bruno Li <bruno@contoso.com> +33612345678"
)

// seed fills the pipeline through the chat commands, the way people do,
// and answers the deals ana@contoso.com (a referrals user scoped to
// location 1111111) may see, by construction: in her location and on the
// team. Outcomes over time: one referral accepted, one declined, one
// expired unanswered by the sweep.
func (e *env) seed(t testing.TB) map[int64]bool {
	t.Helper()
	hers := map[int64]bool{}
	e.run(t, "", `solution add name="Contoso Insight" source=mine ip=azure macc=yes`)
	e.run(t, "", `solution add name="Readiness Check" source=assessment`)
	e.run(t, "", `user add ana@contoso.com role=referrals-user locations=1111111`)
	e.run(t, "", `user add carl@contoso.com role=referrals-admin,incentives-user`)
	ipDeal := func(name, loc, value, cur, close, team string) int64 {
		return dealID(t, e.run(t, "", `deal new kind=ip name="`+name+`" customer="`+name+` AB" customer_location=SE location=`+loc+
			` value=`+value+` currency=`+cur+` close=`+close+` notes="seeded" team="`+team+`" solution="Contoso Insight"`))
	}
	id := ipDeal("Alpha", "1111111", "50000", "EUR", "2027-01-15", ana)
	hers[id] = true
	e.run(t, "", "deal stage "+itoa(id)+" proposed")
	ipDeal("Beta", "1111111", "20000", "USD", "2027-02-01", bruno) // her location, not her team
	ipDeal("Gamma", "2222222", "70000", "USD", "2026-12-10", ana)  // her team, not her location
	id = ipDeal("Delta", "1111111", "125000", "SEK", "2026-12-20", ana+";"+bruno)
	hers[id] = true
	e.run(t, "", "deal stage "+itoa(id)+" qualified")
	id = dealID(t, e.run(t, "", `deal new kind=services name="Epsilon" customer="Epsilon SA" customer_location=FR location=1111111 value=30000 currency=EUR close=2027-03-31 notes="seeded" team="`+ana+`" role=solution-design area="AI Business Solutions" play="Copilot"`))
	hers[id] = true
	id = dealID(t, e.run(t, "", `deal new kind=sa name="Zeta check" customer="Zeta GmbH" customer_location=DE location=1111111 value=15000 currency=EUR close=2027-01-31 notes="seeded" team="`+ana+`" assessment="Readiness Check" assessment_location=DE contact="Eva Kund <eva@kund.example> +46 70 111 22 33" consent=yes`))
	hers[id] = true
	e.run(t, "", "deal stage "+itoa(id)+" loe")
	receive := func(name, loc, team string) int64 {
		return dealID(t, e.run(t, "", `deal receive kind=ip customer="`+name+`" customer_location=SE account=managed location=`+loc+
			` from=microsoft notes="seeded" solution="Contoso Insight" team="`+team+`"`))
	}
	// Received 20 days ago: the sweep expires it.
	e.clock.Set(t0.Add(-20 * 24 * time.Hour))
	id = receive("Eta Oy", "1111111", ana)
	hers[id] = true
	// Received 10 days ago, declined 9 days ago.
	e.clock.Set(t0.Add(-10 * 24 * time.Hour))
	id = receive("Theta AS", "1111111", ana)
	hers[id] = true
	e.clock.Set(t0.Add(-9 * 24 * time.Hour))
	e.run(t, "", "deal decline "+itoa(id)+` reason="no capacity"`)
	// Received 5 days ago, accepted 2 days ago.
	e.clock.Set(t0.Add(-5 * 24 * time.Hour))
	id = receive("Iota AB", "1111111", ana)
	hers[id] = true
	e.clock.Set(t0.Add(-2 * 24 * time.Hour))
	e.run(t, "", "deal accept "+itoa(id)+` name="Iota rollout" value=80000 currency=USD close=2027-02-15 notes="accepted"`)
	// Received 12 days ago: expires in 2 days, still open.
	e.clock.Set(t0.Add(-12 * 24 * time.Hour))
	id = receive("Kappa Ltd", "1111111", ana)
	hers[id] = true
	receive("Lambda Ltd", "2222222", bruno) // someone else's
	e.clock.Set(t0)
	rep, err := remind.NewSweeper(e.st, remind.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil))).Run(context.Background(), t0)
	if err != nil {
		t.Fatal(err)
	}
	_ = rep
	return hers
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func chatPlace() chat.Place { return chat.Place{Platform: "shell", Channel: "test"} }
