package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // and the same for PostgreSQL
	vegeta "github.com/tsenart/vegeta/v12/lib"
	_ "modernc.org/sqlite" // the harness reads the inbox and writes the SQLite baseline with the server's driver
)

// benchSecrets are the test secrets the server under test is started with.
const (
	benchSlackSecret   = "cosellbench-slack-signing-secret"
	benchWebhookSecret = "cosellbench-generic-webhook-secret"
	benchUser          = "bench@example.com"
	benchDiscordUser   = "100000000000000001"
)

// benchOptions are bench's flags.
type benchOptions struct {
	bin        string
	duration   time.Duration
	dbs        []string
	pgURL      string
	cases      []string
	deals      int
	conns      int
	senders    []int
	cpuprofile string
	keep       bool
	drainMax   time.Duration
	// questions are the FAQ case's questions (-questions), asked at
	// faqRate a second and then from conns connections.
	questions []string
	faqRate   int
}

// benchRow is one line of the result table.
type benchRow struct {
	db, name         string
	conns            int
	rps, p50, p99    float64 // req/s, ms
	ok               float64 // success ratio
	base             string  // what the ratio compares with
	baseRPS, baseP99 float64
	processed        float64 // events processed per second during the load; <0: not applicable
	backlog          int64   // events waiting when the load stopped; <0: not applicable
	drain            time.Duration
	rssPeak, rssEnd  int64   // kB
	sessions         int64   // PostgreSQL sessions opened during the case; <0: not applicable
	commitsPerEvent  float64 // PostgreSQL transactions committed per event applied (webhook cases); <0: not applicable
	cpuPerReq        float64 // server CPU time per answered request, µs; 0: not measured
	commandP99       float64 // chat commands' p99 inside the server (commandMetric), ms; 0: none ran
	commandIn2ms     float64 // the share of them answered within 2 ms, issue 15's bound for a question; NaN: unknown
	note             string
}

// newRow is a row whose optional figures are not measured (yet).
func newRow(name string, conns int) benchRow {
	return benchRow{name: name, conns: conns, processed: -1, backlog: -1, sessions: -1, commitsPerEvent: -1}
}

const benchUsage = `usage: cosellload bench [flags]

Builds nothing: give the cosellbot binary built by "make build" (-bin). For each
database (-db) it creates a fresh one (an SQLite file in a temporary folder; a
PostgreSQL database cosellbench_<pid> on the server of -pg, dropped at the end),
seeds -deals deals linked by crm_id bench-1…, starts "cosellbot serve" on it and
drives it over HTTP with signed traffic from this process. The baselines run in
the same invocation: a trivial HMAC-checking handler served by another process
("cosellload baseline-server"), and raw single-row inserts of the same 2 KB
payload from the same number of connections (like pgbench).
`

// runBench is "cosellload bench".
func runBench(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cosellload bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, benchUsage); fs.PrintDefaults() }
	bin := fs.String("bin", "bin/cosellbot", "the cosellbot binary to run (make build)")
	duration := fs.Duration("duration", 10*time.Second, "load per case (60s for the backlog-flat and memory checks)")
	dbs := fs.String("db", "sqlite,postgres", "databases to run on: sqlite, postgres")
	pgURL := fs.String("pg", firstNonEmpty(getenv("BENCH_DATABASE_URL"), getenv("TEST_DATABASE_URL")), "PostgreSQL server URL whose user may create databases (default $BENCH_DATABASE_URL, else $TEST_DATABASE_URL); empty: PostgreSQL is skipped")
	cases := fs.String("cases", "slack,discord,faq,webhooks", "cases: slack, discord (each 'deal show N' from -conns connections), faq (Slack '/cosell faq QUESTION' with the questions of -questions, at -faq-rate a second, then from -conns connections), webhooks (deal updates from each of -senders), mixed (slack, discord and webhooks at once: the memory check)")
	questions := fs.String("questions", defaultQuestions, "faq: the FAQ evaluation file whose questions are asked in turn")
	faqRate := fs.Int("faq-rate", 100, "faq: questions a second in the steady case (open loop), before the -conns one")
	deals := fs.Int("deals", 200, "deals seeded and updated")
	conns := fs.Int("conns", 32, "connections for slack, discord and the HMAC baseline")
	senders := fs.String("senders", "8,32", "concurrent webhook senders, one case each")
	cpuprofile := fs.String("cpuprofile", "", "a folder: fetch a CPU profile of the server for each case (needs a binary built with -tags pprof)")
	keep := fs.Bool("keep", false, "keep the temporary folder (server logs, SQLite files) and print its path")
	drainMax := fs.Duration("drain", 60*time.Second, "after a webhook case, how long to wait for the backlog to drain")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	o := benchOptions{bin: *bin, duration: *duration, pgURL: *pgURL, deals: *deals, conns: *conns, cpuprofile: *cpuprofile, keep: *keep, drainMax: *drainMax, faqRate: *faqRate}
	o.dbs = splitComma(*dbs)
	o.cases = splitComma(*cases)
	for _, s := range splitComma(*senders) {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			fmt.Fprintf(stderr, "cosellload bench: -senders %q: write positive numbers separated by commas, e.g. 8,32\n", *senders)
			return 2
		}
		o.senders = append(o.senders, n)
	}
	for _, d := range o.dbs {
		if d != "sqlite" && d != "postgres" {
			fmt.Fprintf(stderr, "cosellload bench: -db %q: use sqlite, postgres or both\n", d)
			return 2
		}
	}
	for _, c := range o.cases {
		if c != "slack" && c != "discord" && c != "faq" && c != "webhooks" && c != "mixed" {
			fmt.Fprintf(stderr, "cosellload bench: -cases: unknown case %q: use slack, discord, faq, webhooks, mixed\n", c)
			return 2
		}
	}
	if o.duration <= 0 || o.deals <= 0 || o.conns <= 0 || o.faqRate <= 0 {
		fmt.Fprintln(stderr, "cosellload bench: -duration, -deals, -conns and -faq-rate must be positive")
		return 2
	}
	if _, err := os.Stat(o.bin); err != nil {
		fmt.Fprintf(stderr, "cosellload bench: -bin %s: %v (run make build first)\n", o.bin, err)
		return 2
	}
	if slices.Contains(o.cases, "faq") {
		qs, err := loadQuestions(*questions)
		if err != nil {
			fmt.Fprintln(stderr, "cosellload bench: -questions:", err)
			return 2
		}
		o.questions = qs
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rows, err := bench(ctx, o, stdout, stderr)
	printTable(stdout, o, rows)
	if err != nil {
		fmt.Fprintln(stderr, "cosellload bench:", err)
		return 1
	}
	return 0
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func splitComma(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// bench runs every case on every database and returns the rows measured,
// also when it stops early.
func bench(ctx context.Context, o benchOptions, stdout, stderr io.Writer) ([]benchRow, error) {
	dir, err := os.MkdirTemp("", "cosellbench")
	if err != nil {
		return nil, err
	}
	if o.keep {
		fmt.Fprintln(stderr, "cosellload bench: logs and files in", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	if o.cpuprofile != "" {
		if err := os.MkdirAll(o.cpuprofile, 0o755); err != nil {
			return nil, err
		}
	}
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	env := map[string]string{
		"SLACK_SIGNING_SECRET": benchSlackSecret, "WEBHOOK_SECRET_GENERIC": benchWebhookSecret,
		"DISCORD_PUBLIC_KEY": hex.EncodeToString(pub), discordKeyEnv: hex.EncodeToString(priv.Seed()),
	}
	baseline, err := startBaseline(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer baseline.stop()
	var rows []benchRow
	for _, db := range o.dbs {
		if db == "postgres" && o.pgURL == "" {
			fmt.Fprintln(stderr, "cosellload bench: PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL, or pass -pg")
			continue
		}
		r, err := benchDB(ctx, o, db, dir, env, baseline, stderr)
		rows = append(rows, r...)
		if err != nil {
			return rows, fmt.Errorf("%s: %w", db, err)
		}
	}
	return rows, nil
}

// process is a child process of the harness.
type process struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{}
	err  error
	// startPeak is the peak resident memory (kB) once started and warm.
	startPeak int64
}

func (p *process) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// startBaseline runs this program's baseline-server in a process of its
// own and waits for its address.
func startBaseline(ctx context.Context, dir string) (*process, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "baseline-server")
	cmd.Env = append(baseEnv(dir), "SLACK_SIGNING_SECRET="+benchSlackSecret)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		p.stop()
		return nil, fmt.Errorf("baseline server: %w", err)
	}
	p.url = strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
	return p, nil
}

// baseEnv is the environment every child starts from: no secret or
// database of the caller's leaks into the server under test.
func baseEnv(dir string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + os.TempDir()}
	// The Go runtime's own settings reach the server, and a pprof build's
	// listener (go build -tags pprof), for heap and allocation profiles.
	for _, k := range []string{"GOMEMLIMIT", "GOGC", "GODEBUG", "COSELLBOT_PPROF_ADDR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// database is one fresh database to benchmark on.
type database struct {
	dialect string
	url     string  // DATABASE_URL for the server
	sql     *sql.DB // the harness's own connection (counts, sessions, baseline)
	name    string  // PostgreSQL database name
	raw     *sql.DB // where the raw insert baseline writes
	rawSQL  string
	drop    func()
}

// openDatabase creates the database of one dialect.
func openDatabase(ctx context.Context, dialect, pgURL, dir string) (*database, error) {
	if dialect == "sqlite" {
		path := filepath.Join(dir, "bench.db")
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
		if err != nil {
			return nil, err
		}
		raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "raw.db")+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)")
		if err != nil {
			return nil, err
		}
		raw.SetMaxOpenConns(1) // one writer: the senders queue in Go, SQLite's fastest way
		if _, err := raw.ExecContext(ctx, "CREATE TABLE raw_inserts (id INTEGER PRIMARY KEY AUTOINCREMENT, body BLOB NOT NULL, at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"); err != nil {
			return nil, fmt.Errorf("baseline table: %w", err)
		}
		return &database{dialect: dialect, url: "sqlite:" + path, sql: db, raw: raw, rawSQL: "INSERT INTO raw_inserts (body) VALUES (?)",
			drop: func() { db.Close(); raw.Close() }}, nil
	}
	u, err := url.Parse(pgURL)
	if err != nil {
		return nil, fmt.Errorf("-pg: %w", err)
	}
	name := fmt.Sprintf("cosellbench_%d", os.Getpid())
	admin, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", u.Redacted(), err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	dropDB := func() {
		c, err := pgx.Connect(context.Background(), pgURL)
		if err != nil {
			fmt.Fprintln(os.Stderr, "cosellload bench: cannot drop", name, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintln(os.Stderr, "cosellload bench: cannot drop", name, err)
		}
	}
	u.Path = "/" + name
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		dropDB()
		return nil, err
	}
	db.SetMaxOpenConns(1) // one session of the harness's own for the whole run
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	if _, err := db.ExecContext(ctx, "CREATE TABLE raw_inserts (id bigserial PRIMARY KEY, body bytea NOT NULL, at timestamptz NOT NULL DEFAULT now())"); err != nil {
		db.Close()
		dropDB()
		return nil, fmt.Errorf("baseline table: %w", err)
	}
	raw, err := sql.Open("pgx", u.String())
	if err != nil {
		db.Close()
		dropDB()
		return nil, err
	}
	return &database{dialect: dialect, url: u.String(), sql: db, name: name, raw: raw, rawSQL: "INSERT INTO raw_inserts (body) VALUES ($1)",
		drop: func() { db.Close(); raw.Close(); dropDB() }}, nil
}

// benchDB runs the cases on one dialect.
func benchDB(ctx context.Context, o benchOptions, dialect, dir string, secrets map[string]string, baseline *process, stderr io.Writer) ([]benchRow, error) {
	baselineURL := baseline.url
	dbDir := filepath.Join(dir, dialect)
	if err := os.MkdirAll(dbDir, 0o755); err != nil {
		return nil, err
	}
	db, err := openDatabase(ctx, dialect, o.pgURL, dbDir)
	if err != nil {
		return nil, err
	}
	defer db.drop()
	// One FAQ cache for the run, as a server restarted on its machine finds
	// it: seeding trains the ranker once (its last line is a question) and
	// every server start loads it.
	env := append(baseEnv(dbDir), "DATABASE_URL="+db.url, "COSELLBOT_LOG_FORMAT=json", "COSELLBOT_CACHE_DIR="+filepath.Join(dir, "faq-cache"),
		"SLACK_SIGNING_SECRET="+secrets["SLACK_SIGNING_SECRET"], "WEBHOOK_SECRET_GENERIC="+secrets["WEBHOOK_SECRET_GENERIC"],
		"DISCORD_PUBLIC_KEY="+secrets["DISCORD_PUBLIC_KEY"])
	fmt.Fprintf(stderr, "%s: seeding %d deals…\n", dialect, o.deals)
	if err := seed(ctx, o, env, dbDir); err != nil {
		return nil, err
	}
	pprofAddr := ""
	if o.cpuprofile != "" {
		pprofAddr = freeAddr()
		env = append(env, "COSELLBOT_PPROF_ADDR="+pprofAddr)
	}
	srv, err := startServer(ctx, o.bin, env, dbDir)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	fmt.Fprintf(stderr, "%s: server warm (FAQ index built, its ranker loaded from the cache); start-up RSS peak %d MB\n", dialect, srv.startPeak/1024)
	h := &harness{o: o, db: db, srv: srv, secrets: secrets, pprofAddr: pprofAddr, stderr: stderr, baselinePid: baseline.cmd.Process.Pid}
	var rows []benchRow
	add := func(r benchRow) { r.db = dialect; rows = append(rows, r) }
	var hmacRow *benchRow
	baseHMAC := func() benchRow {
		if hmacRow == nil {
			r := h.load(ctx, "HMAC baseline (other process)", baselineURL, "slack", o.conns, "deal show {deal}")
			r.rssPeak, r.rssEnd = 0, 0
			hmacRow = &r
			add(r)
		}
		return *hmacRow
	}
	for _, c := range o.cases {
		if ctx.Err() != nil {
			return rows, ctx.Err()
		}
		switch c {
		case "slack", "discord":
			b := baseHMAC()
			name := "Slack /cosell deal show N"
			if c == "discord" {
				name = "Discord /cosell deal show N"
			}
			r := h.load(ctx, name, srv.url, c, o.conns, "deal show {deal}")
			r.base, r.baseRPS, r.baseP99 = "HMAC handler", b.rps, b.p99
			add(r)
		case "faq":
			// At a steady rate first, as a busy workspace asks: a
			// question's latency with nothing queued before it, beside the
			// baseline's at the same rate. Then from -conns connections at
			// once: the throughput.
			steady := h.loadAt(ctx, "HMAC baseline (other process)", baselineURL, "slack", o.faqRate, "faq {question}")
			steady.rssPeak, steady.rssEnd = 0, 0
			add(steady)
			r := h.loadAt(ctx, "Slack /cosell faq QUESTION", srv.url, "slack", o.faqRate, "faq {question}")
			r.base, r.baseRPS, r.baseP99 = "HMAC handler", steady.rps, steady.p99
			add(r)
			b := baseHMAC()
			r = h.load(ctx, "Slack /cosell faq QUESTION", srv.url, "slack", o.conns, "faq {question}")
			r.base, r.baseRPS, r.baseP99 = "HMAC handler", b.rps, b.p99
			add(r)
		case "webhooks":
			for _, n := range o.senders {
				raw := rawInserts(ctx, db.raw, db.rawSQL, n, o.duration)
				if raw.err != nil {
					return rows, fmt.Errorf("raw insert baseline: %w", raw.err)
				}
				base := newRow("raw single-row INSERT, 2 KB", n)
				base.rps, base.p50, base.p99, base.ok = raw.rate(), ms(raw.p50), ms(raw.p99), 1
				add(base)
				r := h.load(ctx, "generic webhook, deal update 2 KB", srv.url, "deal-updates", n, "")
				r.base, r.baseRPS, r.baseP99 = "raw INSERT", raw.rate(), ms(raw.p99)
				add(r)
			}
		case "mixed":
			r := h.mixed(ctx)
			add(r)
		}
	}
	select {
	case <-srv.done:
		return rows, fmt.Errorf("the server stopped during the run: %v (log in %s)", srv.err, dbDir)
	default:
	}
	return rows, nil
}

// seed creates the bench user, links the load tool's Slack and Discord
// accounts to it and creates the deals, through the binary itself (the
// shell reads commands from stdin), so that the data is what users make.
func seed(ctx context.Context, o benchOptions, env []string, dir string) error {
	var in strings.Builder
	fmt.Fprintf(&in, "user add %s role=referrals-admin\n", benchUser)
	closeDate := time.Now().AddDate(1, 0, 0).Format("2006-01-02")
	for i := 1; i <= o.deals; i++ {
		fmt.Fprintf(&in, `deal receive kind=services customer="Fabrikam %d" customer_location=SE account=managed location=1234567 from=microsoft notes="seeded by cosellload bench" team="Ana Diaz <ana@contoso.example> +46 70 123 45 67" role=deployment-services area=infra play=migrate crm_id=bench-%d`+"\n", i, i)
		fmt.Fprintf(&in, `deal accept %d name="Bench deal %d" value=60000 close=%s notes="seeded by cosellload bench"`+"\n", i, i, closeDate)
	}
	in.WriteString("faq what is cpor\n") // trains the FAQ ranker into the run's cache
	var out strings.Builder
	cmd := exec.CommandContext(ctx, o.bin, "shell")
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, strings.NewReader(in.String()), &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("seed with %s shell: %w\n%s", o.bin, err, tail(out.String()))
	}
	if got := strings.Count(out.String(), `: accepted "Bench deal `); got != o.deals {
		return fmt.Errorf("seed: %d of %d deals accepted; the shell said:\n%s", got, o.deals, tail(out.String()))
	}
	for _, l := range [][]string{{"slack", "ULOAD"}, {"discord", benchDiscordUser}} {
		cmd := exec.CommandContext(ctx, o.bin, "link", l[0], l[1], benchUser)
		cmd.Env = env
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("link %s: %w: %s", l[0], err, b)
		}
	}
	return nil
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}

// freeAddr is a loopback address with a port free right now.
func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "127.0.0.1:18080"
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer runs "cosellbot serve" and waits until /readyz answers 200.
func startServer(ctx context.Context, bin string, env []string, dir string) (*process, error) {
	addr := freeAddr()
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", addr)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	p := &process{cmd: cmd, url: "http://" + addr, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); logf.Close(); close(p.done) }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return nil, fmt.Errorf("cosellbot serve stopped: %v (log: %s)", p.err, logf.Name())
		case <-time.After(100 * time.Millisecond):
		}
		if res, err := http.Get(p.url + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK && warm(logf.Name()) {
				p.startPeak = readHWM(cmd.Process.Pid)
				return p, nil
			}
		}
	}
	p.stop()
	return nil, fmt.Errorf("cosellbot serve not ready after 60 s (log: %s)", logf.Name())
}

// warm reports whether the server has built its FAQ index (it does so in
// the background at start, training the FAQ's ranker): the cases measure
// the server in its steady state, and the start-up's memory peak is
// reported on its own.
func warm(logPath string) bool {
	b, err := os.ReadFile(logPath)
	return err == nil && (bytes.Contains(b, []byte("FAQ index built")) || bytes.Contains(b, []byte("FAQ index not built")))
}

// readHWM is VmHWM (the peak resident memory) of pid in kB.
func readHWM(pid int) int64 { return readStatus(pid, "VmHWM:") }

// harness measures one running server.
type harness struct {
	o         benchOptions
	db        *database
	srv       *process
	secrets   map[string]string
	pprofAddr string
	// baselinePid is the baseline server's process, whose CPU time is measured too.
	baselinePid int
	stderr      io.Writer
}

// inbox counts the events processed (whatever the outcome) and waiting.
func (h *harness) inbox(ctx context.Context) (processed, waiting int64, err error) {
	rows, err := h.db.sql.QueryContext(ctx, "SELECT status, count(*) FROM inbox GROUP BY status")
	if err != nil {
		return 0, 0, fmt.Errorf("count the inbox: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n int64
		if err := rows.Scan(&status, &n); err != nil {
			return 0, 0, err
		}
		switch status {
		case "received": // not applied yet (or waiting to be retried)
			waiting += n
		default: // processed, stale, ignored, failed: done with
			processed += n
		}
	}
	return processed, waiting, rows.Err()
}

// pgStats are the bench database's counters in pg_stat_database.
type pgStats struct {
	sessions int64 // sessions opened
	commits  int64 // transactions committed (xact_commit: read-only ones and the harness's own included)
}

// stats reads pgStats; false on SQLite or when they cannot be read.
func (h *harness) stats(ctx context.Context) (pgStats, bool) {
	if h.db.dialect != "postgres" {
		return pgStats{}, false
	}
	// A backend reports its statistics at most once a second.
	time.Sleep(1100 * time.Millisecond)
	var st pgStats
	if err := h.db.sql.QueryRowContext(ctx, "SELECT sessions, xact_commit FROM pg_stat_database WHERE datname = $1", h.db.name).Scan(&st.sessions, &st.commits); err != nil {
		fmt.Fprintln(h.stderr, "cosellload bench: pg_stat_database:", err)
		return pgStats{}, false
	}
	return st, true
}

// rss samples the server's resident memory until stop is closed.
type rssSampler struct {
	peak, last int64
	done       chan struct{}
}

func sampleRSS(pid int, stop <-chan struct{}) *rssSampler {
	s := &rssSampler{done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			if kb := readRSS(pid); kb > 0 {
				s.last = kb
				s.peak = max(s.peak, kb)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// readRSS is VmRSS of pid in kB, from /proc (0 where there is none).
func readRSS(pid int) int64 { return readStatus(pid, "VmRSS:") }

// readStatus reads a kB figure of /proc/PID/status (0 where there is none).
func readStatus(pid int, key string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, key); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// readCPU is the user + system CPU time pid has used, in µs, from
// /proc/PID/stat (clock ticks of 10 ms: figures over thousands of requests
// are exact enough); 0 where there is none.
func readCPU(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	_, rest, ok := strings.Cut(string(b), ") ")
	if !ok {
		return 0
	}
	f := strings.Fields(rest) // from field 3 (state) on: utime is field 14, stime 15
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return (u + st) * 10_000
}

// profile fetches a CPU profile of the server for d into the -cpuprofile folder.
func (h *harness) profile(name string, d time.Duration) func() {
	if h.pprofAddr == "" {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		secs := max(int(d/time.Second)-1, 1)
		res, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", h.pprofAddr, secs))
		if err != nil {
			fmt.Fprintln(h.stderr, "cosellload bench: profile:", err)
			return
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			fmt.Fprintf(h.stderr, "cosellload bench: profile: %s (was the binary built with -tags pprof?)\n", res.Status)
			return
		}
		path := filepath.Join(h.o.cpuprofile, h.db.dialect+"-"+name+".pprof")
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(h.stderr, "cosellload bench: profile:", err)
			return
		}
		defer f.Close()
		_, _ = io.Copy(f, res.Body)
		fmt.Fprintln(h.stderr, "cosellload bench: CPU profile in", path)
	}()
	return func() { <-done }
}

// load drives target with workers closed-loop senders of kind for the
// case's duration and measures the server around it.
func (h *harness) load(ctx context.Context, name, target, kind string, workers int, text string) benchRow {
	return h.drive(ctx, name, target, kind, workers, 0, text)
}

// loadAt drives target at rate requests a second (open loop: each sent on
// time whatever the answers before it) and measures the server around it.
func (h *harness) loadAt(ctx context.Context, name, target, kind string, rate int, text string) benchRow {
	return h.drive(ctx, fmt.Sprintf("%s at %d/s", name, rate), target, kind, 0, rate, text)
}

// drive is load and loadAt: workers > 0 sends closed-loop, else at rate.
func (h *harness) drive(ctx context.Context, name, target, kind string, workers, rate int, text string) benchRow {
	if workers > 0 {
		fmt.Fprintf(h.stderr, "%s: %s, %d connections, %s…\n", h.db.dialect, name, workers, h.o.duration)
	} else {
		fmt.Fprintf(h.stderr, "%s: %s, %s…\n", h.db.dialect, name, h.o.duration)
	}
	r := newRow(name, workers)
	u, _ := url.Parse(target)
	o := options{target: u, kind: kind, duration: h.o.duration, timeout: 10 * time.Second, text: text, workers: workers, rate: rate, deals: h.o.deals, questions: h.o.questions}
	tr, err := targeter(o, func(k string) string { return h.secrets[k] }, time.Now)
	if err != nil {
		r.note = err.Error()
		return r
	}
	isServer := target == h.srv.url
	pid := h.srv.cmd.Process.Pid
	if !isServer {
		pid = h.baselinePid
	}
	cpu0 := readCPU(pid)
	var p0 int64
	var st0 pgStats
	var pg bool
	if isServer {
		p0, _, _ = h.inbox(ctx)
		st0, pg = h.stats(ctx)
	}
	stop := make(chan struct{})
	var rss *rssSampler
	if isServer {
		rss = sampleRSS(h.srv.cmd.Process.Pid, stop)
	}
	waitProfile := func() {}
	if isServer {
		// Named for the case, not the kind: deal show and faq are both Slack.
		slug := strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return unicode.ToLower(r)
			}
			return -1
		}, name)
		waitProfile = h.profile(slug+strconv.Itoa(workers), h.o.duration)
	}
	var cmd0 histogram
	if isServer {
		cmd0, _ = commandHistogram(ctx, h.srv.url)
	}
	start := time.Now()
	m := attack(ctx, o, tr)
	elapsed := time.Since(start)
	close(stop)
	h.fill(&r, &m)
	if n := float64(m.Requests) * m.Success; n > 0 {
		r.cpuPerReq = float64(readCPU(pid)-cpu0) / n
	}
	if isServer {
		if cmd1, err := commandHistogram(ctx, h.srv.url); err != nil {
			fmt.Fprintln(h.stderr, "cosellload bench:", err)
		} else if d := cmd1.since(cmd0); d.total > 0 {
			r.commandP99 = 1000 * d.quantile(0.99)
			r.commandIn2ms = d.within(0.002)
		}
		<-rss.done
		r.rssPeak, r.rssEnd = rss.peak, rss.last
		if kind == "deal-updates" {
			if err := h.backlog(ctx, &r, p0, elapsed); err != nil {
				r.note = err.Error()
			}
		}
		if st1, ok := h.stats(ctx); pg && ok {
			r.sessions = st1.sessions - st0.sessions
			// Every commit of the case, the drain included, over every
			// event applied by then: the "commits per event".
			if p2, _, err := h.inbox(ctx); kind == "deal-updates" && err == nil && p2 > p0 {
				r.commitsPerEvent = float64(st1.commits-st0.commits) / float64(p2-p0)
			}
		}
	}
	waitProfile()
	return r
}

// fill copies vegeta's figures into a row.
func (h *harness) fill(r *benchRow, m *vegeta.Metrics) {
	r.rps = m.Throughput
	r.p50, r.p99 = ms(m.Latencies.P50), ms(m.Latencies.P99)
	r.ok = m.Success
	if len(m.Errors) > 0 && r.note == "" {
		r.note = m.Errors[0]
	}
	if m.Success < 1 && r.note == "" {
		var codes []string
		for c, n := range m.StatusCodes {
			codes = append(codes, fmt.Sprintf("%s×%d", c, n))
		}
		r.note = strings.Join(codes, " ")
	}
}

// backlog fills in r what the server applied during a case that began with
// p0 events applied and lasted elapsed, what was left waiting, and how long
// that took to drain.
func (h *harness) backlog(ctx context.Context, r *benchRow, p0 int64, elapsed time.Duration) error {
	p1, waiting, err := h.inbox(ctx)
	if err != nil {
		return err
	}
	r.processed = float64(p1-p0) / elapsed.Seconds()
	r.backlog = waiting
	r.drain = h.drain(ctx, waiting)
	return nil
}

// drain waits for the backlog to empty, up to -drain, and says how long it took.
func (h *harness) drain(ctx context.Context, waiting int64) time.Duration {
	start := time.Now()
	for waiting > 0 && time.Since(start) < h.o.drainMax && ctx.Err() == nil {
		time.Sleep(250 * time.Millisecond)
		var err error
		if _, waiting, err = h.inbox(ctx); err != nil {
			return -1
		}
	}
	if waiting > 0 {
		return -1
	}
	return time.Since(start)
}

// mixed drives Slack, Discord and webhooks at once, closed-loop, for the
// memory check: conns/2 Slack, conns/4 Discord and 8 webhook senders.
func (h *harness) mixed(ctx context.Context) benchRow {
	fmt.Fprintf(h.stderr, "%s: mixed load, %s…\n", h.db.dialect, h.o.duration)
	r := newRow("mixed: Slack + Discord + webhooks", 0)
	u, _ := url.Parse(h.srv.url)
	kinds := []struct {
		kind    string
		workers int
	}{{"slack", max(h.o.conns/2, 1)}, {"discord", max(h.o.conns/4, 1)}, {"deal-updates", 8}}
	p0, _, _ := h.inbox(ctx)
	st0, pg := h.stats(ctx)
	stop := make(chan struct{})
	rss := sampleRSS(h.srv.cmd.Process.Pid, stop)
	cpu0 := readCPU(h.srv.cmd.Process.Pid)
	waitProfile := h.profile("mixed", h.o.duration)
	var (
		mu  sync.Mutex
		all vegeta.Metrics
		wg  sync.WaitGroup
	)
	start := time.Now()
	for _, k := range kinds {
		r.conns += k.workers
		o := options{target: u, kind: k.kind, duration: h.o.duration, timeout: 10 * time.Second, text: "deal show {deal}", workers: k.workers, deals: h.o.deals}
		tr, err := targeter(o, func(key string) string { return h.secrets[key] }, time.Now)
		if err != nil {
			r.note = err.Error()
			return r
		}
		wg.Go(func() {
			a := vegeta.NewAttacker(vegeta.Timeout(o.timeout), vegeta.KeepAlive(true), vegeta.Connections(o.workers), vegeta.MaxConnections(o.workers),
				vegeta.Workers(uint64(o.workers)), vegeta.MaxWorkers(uint64(o.workers)))
			for res := range a.Attack(tr, vegeta.Rate{}, o.duration, o.kind) {
				mu.Lock()
				all.Add(res)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	all.Close()
	close(stop)
	<-rss.done
	h.fill(&r, &all)
	if n := float64(all.Requests) * all.Success; n > 0 {
		r.cpuPerReq = float64(readCPU(h.srv.cmd.Process.Pid)-cpu0) / n
	}
	r.rssPeak, r.rssEnd = rss.peak, rss.last
	if err := h.backlog(ctx, &r, p0, elapsed); err != nil {
		r.note = err.Error()
	}
	if st1, ok := h.stats(ctx); pg && ok {
		r.sessions = st1.sessions - st0.sessions
	}
	waitProfile()
	return r
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// printTable writes the results as a Markdown table, ready for the README.
func printTable(w io.Writer, o benchOptions, rows []benchRow) {
	host, _ := os.Hostname()
	fmt.Fprintf(w, "\ncosellload bench: %s per case, %d deals, %s/%s, %d CPUs, %s (%s)\n\n", o.duration, o.deals, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel(), host)
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintln(tw, "| db\t| case\t| conns\t| req/s\t| p50 ms\t| p99 ms\t| ratio\t| processed/s\t| processed ratio\t| backlog at end\t| drained in\t| server CPU µs/req\t| command p99 ms in server\t| server RSS peak MB\t| PG sessions opened\t| PG commits/event\t| notes\t|")
	fmt.Fprintln(tw, "|---\t|---\t|---\t|---\t|---\t|---\t|---\t|---\t|---\t|---\t|---\t|---\t|---\t|---\t|---\t|---\t|---\t|")
	for _, r := range rows {
		ratio, pratio, processed, backlog, drain, cpu, cmd, rss, sessions, commits := "", "", "", "", "", "", "", "", "", ""
		if r.cpuPerReq > 0 {
			cpu = fmt.Sprintf("%.0f", r.cpuPerReq)
		}
		if r.commandP99 > 0 {
			cmd = fmt.Sprintf("%.2f", r.commandP99)
			if !math.IsNaN(r.commandIn2ms) {
				// The p99 is interpolated inside a bucket; the share
				// within 2 ms is read off a bucket bound, exactly.
				cmd += fmt.Sprintf(" (%.1f %% ≤ 2 ms)", 100*r.commandIn2ms)
			}
		}
		switch {
		case r.conns == 0 && r.baseP99 > 0:
			// At a fixed rate both send as much: the latency is the figure.
			ratio = fmt.Sprintf("p99 %.1f× %s's", r.p99/r.baseP99, r.base)
		case r.baseRPS > 0:
			ratio = fmt.Sprintf("%.2f× %s", r.rps/r.baseRPS, r.base)
		}
		if r.processed >= 0 {
			processed = fmt.Sprintf("%.0f", r.processed)
			if r.baseRPS > 0 {
				pratio = fmt.Sprintf("%.2f×", r.processed/r.baseRPS)
			}
		}
		if r.backlog >= 0 {
			backlog = strconv.FormatInt(r.backlog, 10)
			switch {
			case r.drain < 0:
				drain = "not within " + o.drainMax.String()
			default:
				drain = r.drain.Round(100 * time.Millisecond).String()
			}
		}
		if r.rssPeak > 0 {
			rss = fmt.Sprintf("%.0f", float64(r.rssPeak)/1024)
		}
		if r.sessions >= 0 {
			sessions = strconv.FormatInt(r.sessions, 10)
		}
		if r.commitsPerEvent >= 0 {
			commits = fmt.Sprintf("%.2f", r.commitsPerEvent)
		}
		note := r.note
		if r.ok < 1 {
			note = strings.TrimSpace(fmt.Sprintf("%.1f%% ok %s", 100*r.ok, note))
		}
		conns := "open loop" // sent at a rate, on as many connections as that takes
		if r.conns > 0 {
			conns = strconv.Itoa(r.conns)
		}
		fmt.Fprintf(tw, "| %s\t| %s\t| %s\t| %.0f\t| %.2f\t| %.2f\t| %s\t| %s\t| %s\t| %s\t| %s\t| %s\t| %s\t| %s\t| %s\t| %s\t| %s\t|\n",
			r.db, r.name, conns, r.rps, r.p50, r.p99, ratio, processed, pratio, backlog, drain, cpu, cmd, rss, sessions, commits, note)
	}
	tw.Flush()
}

// cpuModel names the processor, from /proc/cpuinfo where there is one.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
