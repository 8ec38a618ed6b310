package pipeline_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/integrations/web/pipeline"
)

// The browser tests drive Debian's Chromium, headless, from Go. Without it
// they skip locally with a message; in CI (CI=true) its absence fails them:
// .ci/run installs it.

func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is not installed, and CI must run the browser tests: install it (apt-get install -y chromium; .ci/run does)")
	}
	t.Skip("Chromium is not installed: apt-get install -y chromium to run the browser tests (CI fails without it)")
	return ""
}

// browser starts a fresh headless Chromium with a profile of its own: a
// person at a computer of their own, sharing no cookie with the others.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := chromium(t)
	// The profile is removed once Chromium has quit: t.TempDir would race
	// its last writes.
	profile, err := os.MkdirTemp("", "cosellbot-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1500, 1100),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		_ = chromedp.Cancel(bctx) // closes the browser and waits for it
		bcancel()
		acancel()
		cancel()
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := chromedp.Run(bctx); err != nil {
		t.Fatalf("starting Chromium %s: %v", path, err)
	}
	return bctx
}

// shotDir is where screenshots go for a person to look at: testdata/out
// (ignored by git), or COSELLBOT_SCREENSHOTS.
func shotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("COSELLBOT_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("testdata", "out")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(shotDir(t), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	var loc string
	if err := chromedp.Run(ctx, chromedp.Location(&loc)); err != nil {
		t.Fatal(err)
	}
	return loc
}

// browserSignIn opens a link and presses its button with the keyboard.
func browserSignIn(t *testing.T, ctx context.Context, e *env, user string) {
	t.Helper()
	var who string
	err := chromedp.Run(ctx,
		chromedp.Navigate(e.link(t, user)),
		chromedp.WaitVisible("#signin-button", chromedp.ByID),
		chromedp.Text("form.signin p", &who, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(who, user) {
		t.Fatalf("the link signs in %q, want %s", who, user)
	}
	shoot(t, ctx, "signin-"+strings.Split(user, "@")[0])
	err = chromedp.Run(ctx,
		chromedp.Focus("#signin-button", chromedp.ByID),
		chromedp.KeyEvent("\r"), // keyboard only
		chromedp.WaitVisible("#board-summary", chromedp.ByID),
	)
	if err != nil {
		t.Fatalf("signing in %s: %v", user, err)
	}
	if loc := location(t, ctx); loc != e.url+"/" {
		t.Fatalf("after sign-in at %s, want the board", loc)
	}
}

func evalJSON(t *testing.T, ctx context.Context, js string, out any) {
	t.Helper()
	var raw string
	if err := chromedp.Run(ctx, chromedp.Evaluate("JSON.stringify("+js+")", &raw)); err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	if err := json.Unmarshal([]byte(raw), out); err != nil {
		t.Fatalf("%s: %v (%s)", js, err, raw)
	}
}

func TestBrowser(t *testing.T) {
	e := newEnv(t)
	hers := e.seed(t)

	t.Run("no session redirects to sign-in", func(t *testing.T) {
		ctx := browser(t)
		for _, p := range []string{"/", "/charts", "/deals/1", "/claims"} {
			var body string
			if err := chromedp.Run(ctx, chromedp.Navigate(e.url+p), chromedp.Text("main", &body, chromedp.ByQuery)); err != nil {
				t.Fatal(err)
			}
			if loc := location(t, ctx); loc != e.url+"/signin" {
				t.Errorf("%s without a session ends at %s, want /signin", p, loc)
			}
			if !strings.Contains(body, "/cosell web") || strings.Contains(body, "Alpha") {
				t.Errorf("%s without a session shows %q", p, body)
			}
		}
		shoot(t, ctx, "no-session")
	})

	t.Run("location-scoped board holds exactly her deals", func(t *testing.T) {
		ctx := browser(t)
		browserSignIn(t, ctx, e, "ana@contoso.com")
		shoot(t, ctx, "board-ana-open")
		var got []int64
		err := chromedp.Run(ctx, chromedp.Navigate(e.url+"/?status=all"), chromedp.WaitVisible("#board-summary", chromedp.ByID))
		if err != nil {
			t.Fatal(err)
		}
		evalJSON(t, ctx, `[...document.querySelectorAll("article.card")].map(c => +c.dataset.deal)`, &got)
		slices.Sort(got)
		want := keys(hers)
		if !slices.Equal(got, want) {
			t.Errorf("ana's board shows %v, want exactly %v", got, want)
		}
		// The database says the same: every deal of her location with her on
		// the team, and no other.
		if fromDB := scopedFromDB(t, e.db, "1111111", "ana@contoso.com"); !slices.Equal(fromDB, want) {
			t.Errorf("the database holds %v for her, the seed meant %v", fromDB, want)
		}
		shoot(t, ctx, "board-ana-all")
		// Keyboard: Tab from the top reaches the skip link first, and it
		// leads to the content.
		var active string
		err = chromedp.Run(ctx, chromedp.Navigate(e.url+"/"), chromedp.WaitVisible("#board-summary", chromedp.ByID),
			chromedp.KeyEvent("\t"), chromedp.Evaluate(`document.activeElement.className`, &active))
		if err != nil {
			t.Fatal(err)
		}
		if active != "skip" {
			t.Errorf("the first Tab stop is %q, want the skip link", active)
		}
		var deal string
		err = chromedp.Run(ctx, chromedp.Navigate(e.url+"/deals/"+itoa(want[0])), chromedp.Text("#deal-fields", &deal, chromedp.ByID))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(deal, "1111111") {
			t.Errorf("deal page: %q", deal)
		}
		shoot(t, ctx, "deal-ana")
		for _, p := range []string{"/expiring", "/claims", "/charts?lang=fr"} {
			if err := chromedp.Run(ctx, chromedp.Navigate(e.url+p), chromedp.WaitVisible("main", chromedp.ByQuery)); err != nil {
				t.Fatal(err)
			}
			shoot(t, ctx, "ana"+strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(p))
		}
	})

	t.Run("charts match the database", func(t *testing.T) {
		ctx := browser(t)
		browserSignIn(t, ctx, e, "carl@contoso.com") // a referrals admin: every deal
		if err := chromedp.Run(ctx, chromedp.Navigate(e.url+"/charts"), chromedp.WaitVisible("#funnel-svg", chromedp.ByID)); err != nil {
			t.Fatal(err)
		}
		shoot(t, ctx, "charts-admin")
		var bars []struct {
			Lane, Stage string
			Count, USD  float64
		}
		evalJSON(t, ctx, `[...document.querySelectorAll("#funnel-svg g.bar")].map(g => ({lane: g.dataset.lane, stage: g.dataset.stage, count: +g.dataset.count, usd: +g.dataset.usd}))`, &bars)
		want := funnelFromDB(t, e.db, e.rates)
		if len(bars) != 16 {
			t.Errorf("%d funnel rows, want 16 (received and the 7 stages of each stage table)", len(bars))
		}
		for _, b := range bars {
			w := want[b.Lane+"/"+b.Stage]
			if int(b.Count) != w.count || math.Abs(b.USD-math.Round(w.usd)) > 0.5 {
				t.Errorf("funnel %s/%s: chart %v deals, %v USD; database %d deals, %.0f USD", b.Lane, b.Stage, b.Count, b.USD, w.count, w.usd)
			}
			delete(want, b.Lane+"/"+b.Stage)
		}
		for k, w := range want {
			if w.count > 0 {
				t.Errorf("the database has %d deals at %s, the chart none", w.count, k)
			}
		}
		var months []struct {
			Month string
			USD   float64
			Count int
		}
		evalJSON(t, ctx, `[...document.querySelectorAll("#months-svg g.bar")].map(g => ({month: g.dataset.month, usd: +g.dataset.usd, count: +g.dataset.count}))`, &months)
		wantMonths := monthsFromDB(t, e.db, e.rates)
		for _, m := range months {
			w := wantMonths[m.Month]
			if m.Count != w.count || math.Abs(m.USD-math.Round(w.usd)) > 0.5 {
				t.Errorf("close month %s: chart %d deals %.0f USD, database %d deals %.0f USD", m.Month, m.Count, m.USD, w.count, w.usd)
			}
		}
		var total struct{ Answered, Expired string }
		evalJSON(t, ctx, `document.querySelector("#referrals-total").dataset`, &total)
		ans, exp := outcomesFromDB(t, e.db, t0.Truncate(24*time.Hour).Add(-pipeline.OutcomeWindow))
		if total.Answered != itoa(int64(ans)) || total.Expired != itoa(int64(exp)) {
			t.Errorf("referrals: chart answered %s expired %s; database %d and %d", total.Answered, total.Expired, ans, exp)
		}
		if ans != 2 || exp != 1 {
			t.Errorf("the seed answered 2 referrals in time and let 1 expire; the database says %d and %d", ans, exp)
		}
		var note string
		if err := chromedp.Run(ctx, chromedp.Text("main p.note", &note, chromedp.ByQuery)); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(note, "converted to USD at the "+e.rates.Month+" rates") {
			t.Errorf("the totals are not labelled as converted: %q", note)
		}
	})

	t.Run("a used or expired link is refused", func(t *testing.T) {
		ctx := browser(t)
		l := e.link(t, "ana@contoso.com")
		err := chromedp.Run(ctx, chromedp.Navigate(l), chromedp.Click("#signin-button", chromedp.ByID), chromedp.WaitVisible("#board-summary", chromedp.ByID))
		if err != nil {
			t.Fatal(err)
		}
		other := browser(t)
		var msg string
		if err := chromedp.Run(other, chromedp.Navigate(l), chromedp.Text("main", &msg, chromedp.ByQuery)); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(msg, "already used") {
			t.Errorf("a used link says %q", msg)
		}
		shoot(t, other, "link-used")
		var n int
		if err := chromedp.Run(other, chromedp.Evaluate(`document.querySelectorAll("#signin-button").length`, &n)); err != nil || n != 0 {
			t.Errorf("a used link still offers to sign in (%d, %v)", n, err)
		}
		late := e.link(t, "ana@contoso.com")
		e.clock.Add(pipeline.LinkTTL + time.Second)
		defer e.clock.Set(t0)
		if err := chromedp.Run(other, chromedp.Navigate(late), chromedp.Text("main", &msg, chromedp.ByQuery)); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(msg, "expired") {
			t.Errorf("an expired link says %q", msg)
		}
		shoot(t, other, "link-expired")
		if loc := location(t, other); !strings.Contains(loc, "/signin") {
			t.Errorf("an expired link led to %s", loc)
		}
		if err := chromedp.Run(other, chromedp.Navigate(e.url+"/")); err != nil {
			t.Fatal(err)
		}
		if loc := location(t, other); loc != e.url+"/signin" {
			t.Errorf("after refused links the board is at %s, want /signin", loc)
		}
	})
}

func keys(m map[int64]bool) []int64 {
	var out []int64
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// scopedFromDB lists the deals of a location whose team holds the e-mail,
// straight from the deals table.
func scopedFromDB(t *testing.T, db *sql.DB, loc, email string) []int64 {
	t.Helper()
	rows, err := db.Query(`SELECT id FROM deals WHERE location = ? AND EXISTS (SELECT 1 FROM json_each(body, '$.team') WHERE lower(json_extract(value, '$.email')) = ?) ORDER BY id`, loc, email)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

type sum struct {
	count int
	usd   float64
}

// funnelFromDB groups the deals table the way the funnel is defined:
// received referrals, then the stage of open deals, won deals at won, the
// other terminal ones left out; solution assessments in their own lane.
func funnelFromDB(t *testing.T, db *sql.DB, rates deal.MonthRates) map[string]sum {
	t.Helper()
	rows, err := db.Query(`SELECT kind, status, stage, currency, value FROM deals WHERE status NOT IN ('lost','declined','expired','error')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]sum{}
	for rows.Next() {
		var kind, status, stage, cur string
		var value int64
		if err := rows.Scan(&kind, &status, &stage, &cur, &value); err != nil {
			t.Fatal(err)
		}
		lane := "cosell"
		if kind == "solution_assessment" {
			lane = "sa"
		}
		col := stage
		switch {
		case status == "received":
			col = "received"
		case status == "won":
			col = "won"
		case stage == "":
			col = status
		}
		s := out[lane+"/"+col]
		s.count++
		s.usd += float64(value) / 100 * rates.USDPerUnit[cur]
		out[lane+"/"+col] = s
	}
	return out
}

// monthsFromDB totals open deals by close month (YYYY-MM).
func monthsFromDB(t *testing.T, db *sql.DB, rates deal.MonthRates) map[string]sum {
	t.Helper()
	rows, err := db.Query(`SELECT substr(close_date, 1, 7), currency, value FROM deals WHERE status IN ('received','created','accepted') AND close_date IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]sum{}
	for rows.Next() {
		var month, cur string
		var value int64
		if err := rows.Scan(&month, &cur, &value); err != nil {
			t.Fatal(err)
		}
		s := out[month]
		s.count++
		s.usd += float64(value) / 100 * rates.USDPerUnit[cur]
		out[month] = s
	}
	return out
}

// outcomesFromDB counts the answers and expiries in the audit trail since.
func outcomesFromDB(t *testing.T, db *sql.DB, since time.Time) (answered, expired int) {
	t.Helper()
	rows, err := db.Query(`SELECT action, COUNT(*) FROM audit_events WHERE subject_type = 'deal' AND action IN ('accepted','declined','expired') AND at >= ? GROUP BY action`, since.UTC().Format("2006-01-02 15:04:05"))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var action string
		var n int
		if err := rows.Scan(&action, &n); err != nil {
			t.Fatal(err)
		}
		if action == "expired" {
			expired += n
		} else {
			answered += n
		}
	}
	return answered, expired
}
