package pipeline_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store"
)

// BenchmarkServePipeline measures the pipeline page end to end: the real
// cosellbot binary, built here, serves an SQLite database of 5,000 deals;
// the benchmark signs in with a link from `cosellbot web-link` and times
// whole HTTP requests over loopback, reporting p50 and p99. /healthz,
// timed the same way in the same run, is the baseline.
//
//	go test -run '^$' -bench BenchmarkServePipeline -benchtime 1000x ./integrations/web/pipeline/
func BenchmarkServePipeline(b *testing.B) {
	f := e2eFixture(b)
	for _, bc := range []struct {
		name, path string
		client     *http.Client
	}{
		{"healthz-baseline", "/healthz", f.admin},
		{"board-admin", "/", f.admin},
		{"board-admin-all", "/?status=all", f.admin},
		{"charts-admin", "/charts", f.admin},
		{"board-scoped", "/", f.scoped},
		{"charts-scoped", "/charts", f.scoped},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f.hit(b, bc.client, bc.path) // warm: the first request loads the pipeline
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				f.hit(b, bc.client, bc.path)
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[min(len(lat)-1, len(lat)*99/100)]), "p99-ms")
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

type fixture struct {
	base          string
	admin, scoped *http.Client
	cmd           *exec.Cmd
	dir           string
}

var (
	fixtureOnce sync.Once
	shared      *fixture
	fixtureErr  error
)

// TestMain stops the benchmark's server once every benchmark ran.
func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		_ = shared.cmd.Process.Signal(os.Interrupt)
		_ = shared.cmd.Wait()
		_ = os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// BenchDeals is how many deals the benchmark's pipeline holds.
const BenchDeals = 5000

func e2eFixture(b *testing.B) *fixture {
	fixtureOnce.Do(func() { shared, fixtureErr = startFixture() })
	if fixtureErr != nil {
		b.Fatal(fixtureErr)
	}
	return shared
}

func startFixture() (*fixture, error) {
	dir, err := os.MkdirTemp("", "cosellbot-bench-")
	if err != nil {
		return nil, err
	}
	f := &fixture{dir: dir}
	root, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "cosellbot")
	build := exec.Command("go", "build", "-o", bin, "./cmd/cosellbot")
	build.Dir = filepath.Dir(strings.TrimSpace(string(root)))
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %v\n%s", err, out)
	}
	db := "sqlite:" + filepath.Join(dir, "bench.db")
	if err := seedBench(db, BenchDeals, time.Now().UTC()); err != nil {
		return nil, err
	}
	env := append(os.Environ(), "DATABASE_URL="+db, "COSELLBOT_PUBLIC_URL=http://127.0.0.1", "COSELLBOT_LOG_FORMAT=text")
	f.cmd = exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	f.cmd.Env = env
	stderr, err := f.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := f.cmd.Start(); err != nil {
		return nil, err
	}
	addrRE := regexp.MustCompile(`msg="cosellbot serving" addr=(\S+)`)
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		if m := addrRE.FindStringSubmatch(lines.Text()); m != nil {
			f.base = "http://" + m[1]
			break
		}
	}
	if f.base == "" {
		return nil, fmt.Errorf("serve did not say where it listens")
	}
	go func() { _, _ = io.Copy(io.Discard, stderr) }() // keep the log flowing
	signIn := func(user string) (*http.Client, error) {
		wl := exec.Command(bin, "web-link", "--user", user)
		wl.Env = env
		out, err := wl.Output()
		if err != nil {
			return nil, fmt.Errorf("web-link: %w", err)
		}
		link, err := url.Parse(strings.TrimSpace(string(out)))
		if err != nil {
			return nil, err
		}
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
		resp, err := c.PostForm(f.base+"/signin", url.Values{"t": {link.Query().Get("t")}})
		if err != nil {
			return nil, err
		}
		resp.Body.Close()
		if resp.Request.URL.Path != "/" || resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("sign-in as %s ended at %s with %d", user, resp.Request.URL, resp.StatusCode)
		}
		return c, nil
	}
	if f.admin, err = signIn("admin@bench.example"); err != nil {
		return nil, err
	}
	if f.scoped, err = signIn("user0@bench.example"); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *fixture) hit(b *testing.B, c *http.Client, path string) {
	resp, err := c.Get(f.base + path)
	if err != nil {
		b.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || n == 0 {
		b.Fatalf("GET %s: %d, %d bytes", path, resp.StatusCode, n)
	}
}

// seedBench writes n deals straight to the store: every kind, status and
// stage, five locations, fifty people, four currencies, and referral
// outcomes over the last 90 days.
func seedBench(dbURL string, n int, now time.Time) error {
	ctx := context.Background()
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	e := ledger.Entry{At: now, Actor: "bench", Action: "granted", Detail: "bench"}
	if err := st.PutUser(ctx, access.User{ID: "admin@bench.example", Roles: []access.Role{access.ReferralsAdmin}, Global: true}, e); err != nil {
		return err
	}
	if err := st.PutUser(ctx, access.User{ID: "user0@bench.example", Roles: []access.Role{access.ReferralsUser}, Locations: []string{"1000000"}}, e); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	currencies := []string{"USD", "EUR", "SEK", "GBP"}
	for i := range n {
		k := deal.Kinds[rng.IntN(len(deal.Kinds))]
		stages := deal.Stages(k)
		d := &deal.Deal{
			Name: fmt.Sprintf("Deal %d", i), Kind: k, Direction: deal.Outbound, SaleType: deal.CoSell,
			Value: deal.Money(rng.Int64N(500_000_00)), Currency: currencies[rng.IntN(len(currencies))],
			CloseDate: now.AddDate(0, rng.IntN(16)-2, rng.IntN(28)).Truncate(24 * time.Hour),
			Location:  fmt.Sprintf("%d000000", 1+rng.IntN(5)),
			Customer:  deal.Customer{Name: fmt.Sprintf("Customer %d", rng.IntN(2000)), Location: "SE", Account: deal.Managed},
			Team: []deal.Person{{Name: "P", Email: fmt.Sprintf("user%d@bench.example", rng.IntN(50)), Phone: "+46701234567"},
				{Name: "Q", Email: fmt.Sprintf("user%d@bench.example", rng.IntN(50)), Phone: "+46701234567"}},
			Notes: "bench", CreatedAt: now.AddDate(0, 0, -rng.IntN(120)), UpdatedAt: now,
		}
		switch r := rng.IntN(10); {
		case r < 3:
			d.Direction, d.Status, d.From = deal.Inbound, deal.Received, "microsoft"
			d.ReceivedAt = now.Add(-time.Duration(rng.IntN(14*24)) * time.Hour)
			d.ExpiresAt = d.ReceivedAt.Add(deal.ReferralWindow)
		case r < 7:
			d.Status = deal.Accepted
			d.Stage = stages[1+rng.IntN(len(stages)-2)].Stage
		case r < 8:
			d.Status, d.Stage, d.WonAt = deal.Won, deal.StageWon, now
		default:
			d.Status = []deal.Status{deal.Lost, deal.Declined, deal.Expired, deal.Error}[rng.IntN(4)]
		}
		if err := st.CreateDeal(ctx, d, ledger.Entry{At: d.CreatedAt, Actor: "bench", Action: "created", Detail: "bench"}); err != nil {
			return err
		}
		if d.Status == deal.Accepted && rng.IntN(2) == 0 || d.Status == deal.Expired || d.Status == deal.Declined {
			action := map[deal.Status]string{deal.Accepted: "accepted", deal.Expired: "expired", deal.Declined: "declined"}[d.Status]
			at := now.Add(-time.Duration(rng.IntN(90*24)) * time.Hour)
			if err := st.UpdateDeal(ctx, d, ledger.Entry{At: at, Actor: "bench", Action: action, Detail: "bench"}); err != nil {
				return err
			}
		}
	}
	return nil
}
