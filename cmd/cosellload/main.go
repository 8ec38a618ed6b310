// Command cosellload drives a running cosellbot with signed traffic, as
// Slack, Discord and webhook senders would, at a fixed rate, and prints
// throughput and latency percentiles (github.com/tsenart/vegeta does the
// pacing and the statistics).
//
//	go run ./cmd/cosellload -kind slack -rate 200 -duration 10s
//
// Secrets come from the variables the server reads: SLACK_SIGNING_SECRET,
// WEBHOOK_SECRET_GENERIC, and for Discord the private half of
// DISCORD_PUBLIC_KEY in COSELLLOAD_DISCORD_KEY (hex); -keygen prints a new
// pair for a test server. Only loopback targets are driven unless
// -allow-remote is given: this is a load generator, not a tool to point at
// someone else's server by mistake.
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/cosellbot/cosellbot/integrations/crm"
)

// discordKeyEnv holds the Discord private key the load tool signs with.
const discordKeyEnv = "COSELLLOAD_DISCORD_KEY"

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "bench": // the end-to-end benchmark (bench.go)
			os.Exit(runBench(os.Args[2:], os.Getenv, os.Stdout, os.Stderr))
		case "baseline-server": // the trivial HMAC handler it compares against (baseline.go)
			os.Exit(runBaselineServer(os.Args[2:], os.Getenv, os.Stdout, os.Stderr))
		}
	}
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// options are the parsed flags.
type options struct {
	target      *url.URL
	kind        string
	rate        int
	duration    time.Duration
	timeout     time.Duration
	text        string
	user        string
	allowRemote bool
	// workers > 0 sends closed-loop: that many senders, each on its own
	// connection, each sending its next request as soon as the last one is
	// answered (rate is then ignored).
	workers int
	// deals is how many deals "{deal}" in text and the deal-updates kind
	// cycle through (ids 1…deals, crm ids bench-1…bench-deals).
	deals int
	// questions are what "{question}" in text cycles through.
	questions []string
}

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cosellload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("target", "http://127.0.0.1:8080", "the cosellbot server's base URL")
	kind := fs.String("kind", "slack", "what to send: slack (signed /cosell commands), discord (signed interactions), webhook (signed generic webhooks) or deal-updates (signed generic deal.updated events of about 2 KB, each for one of -deals deals linked by crm_id bench-N)")
	rate := fs.Int("rate", 200, "requests per second")
	duration := fs.Duration("duration", 10*time.Second, "how long to send")
	timeout := fs.Duration("timeout", 10*time.Second, "per-request timeout")
	text := fs.String("text", "deal list", "slack and discord: the command typed after /cosell; {deal} is replaced by a deal id cycling through 1…-deals, {question} by the questions of -questions in turn")
	questions := fs.String("questions", defaultQuestions, "{question}: an FAQ evaluation file whose questions are asked in turn")
	workers := fs.Int("workers", 0, "closed loop: this many senders, each sending its next request once the last is answered (-rate is then ignored)")
	deals := fs.Int("deals", 200, "how many deals {deal} and -kind deal-updates cycle through")
	user := fs.String("user", "", "slack and discord: the account the commands come from (default ULOAD for Slack, 100000000000000001 for Discord); link it with cosellbot link")
	allowRemote := fs.Bool("allow-remote", false, "allow a target that is not on this machine")
	keygen := fs.Bool("keygen", false, "print a new Discord key pair (DISCORD_PUBLIC_KEY for the server, "+discordKeyEnv+" for this tool) and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *keygen {
		pub, priv, err := ed25519.GenerateKey(nil)
		if err != nil {
			fmt.Fprintln(stderr, "cosellload:", err)
			return 1
		}
		fmt.Fprintf(stdout, "DISCORD_PUBLIC_KEY=%s\n%s=%s\n", hex.EncodeToString(pub), discordKeyEnv, hex.EncodeToString(priv.Seed()))
		return 0
	}
	u, err := url.Parse(*target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fmt.Fprintf(stderr, "cosellload: -target %q: write a base URL such as http://127.0.0.1:8080\n", *target)
		return 2
	}
	o := options{target: u, kind: *kind, rate: *rate, duration: *duration, timeout: *timeout, text: *text, user: *user, allowRemote: *allowRemote, workers: *workers, deals: *deals}
	if strings.Contains(o.text, "{question}") {
		if o.questions, err = loadQuestions(*questions); err != nil {
			fmt.Fprintln(stderr, "cosellload: -questions:", err)
			return 2
		}
	}
	if (o.rate <= 0 && o.workers <= 0) || o.duration <= 0 || o.deals <= 0 {
		fmt.Fprintln(stderr, "cosellload: -rate (or -workers), -duration and -deals must be positive")
		return 2
	}
	if !o.allowRemote && !loopback(u.Hostname()) {
		fmt.Fprintf(stderr, "cosellload: -target %s is not on this machine: pass -allow-remote if you mean to load it\n", u.Host)
		return 2
	}
	tr, err := targeter(o, getenv, time.Now)
	if err != nil {
		fmt.Fprintln(stderr, "cosellload:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	m := attack(ctx, o, tr)
	if o.workers > 0 {
		fmt.Fprintf(stdout, "%s from %d closed-loop senders for %s against %s\n", o.kind, o.workers, o.duration, u.Redacted())
	} else {
		fmt.Fprintf(stdout, "%s at %d/s for %s against %s\n", o.kind, o.rate, o.duration, u.Redacted())
	}
	if err := vegeta.NewTextReporter(&m).Report(stdout); err != nil {
		fmt.Fprintln(stderr, "cosellload:", err)
		return 1
	}
	if m.Success < 1 {
		return 1
	}
	return 0
}

// loopback tells whether host is this machine.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// attack sends the traffic and gathers the metrics; an interrupt stops it
// early with what was measured.
func attack(ctx context.Context, o options, tr vegeta.Targeter) vegeta.Metrics {
	a := vegeta.NewAttacker(vegeta.Timeout(o.timeout), vegeta.KeepAlive(true), vegeta.Connections(64), vegeta.MaxWorkers(512))
	rate := vegeta.Rate{Freq: o.rate, Per: time.Second}
	if o.workers > 0 {
		w := uint64(o.workers)
		a = vegeta.NewAttacker(vegeta.Timeout(o.timeout), vegeta.KeepAlive(true), vegeta.Connections(o.workers), vegeta.MaxConnections(o.workers),
			vegeta.Workers(w), vegeta.MaxWorkers(w))
		rate = vegeta.Rate{} // as fast as the workers go
	}
	var m vegeta.Metrics
	results := a.Attack(tr, rate, o.duration, o.kind)
	for {
		select {
		case <-ctx.Done():
			a.Stop()
			for res := range results {
				m.Add(res)
			}
			m.Close()
			return m
		case res, ok := <-results:
			if !ok {
				m.Close()
				return m
			}
			m.Add(res)
		}
	}
}

// targeter builds the request of each hit, signed at the time it is sent,
// with a fresh id where the server deduplicates.
func targeter(o options, getenv func(string) string, now func() time.Time) (vegeta.Targeter, error) {
	var seq atomic.Int64
	run := strconv.FormatInt(now().UnixNano(), 36) // ids unique across runs against one database
	base := strings.TrimSuffix(o.target.String(), "/")
	deals := int64(max(o.deals, 1))
	// text gives the command of hit n: {deal} cycles through the deal ids,
	// {question} through the questions.
	text := func(n int64) string {
		t := strings.ReplaceAll(o.text, "{deal}", strconv.FormatInt(n%deals+1, 10))
		if len(o.questions) > 0 {
			t = strings.ReplaceAll(t, "{question}", o.questions[n%int64(len(o.questions))])
		}
		return t
	}
	switch o.kind {
	case "slack":
		secret := getenv("SLACK_SIGNING_SECRET")
		if secret == "" {
			return nil, errors.New("-kind slack needs SLACK_SIGNING_SECRET, the server's")
		}
		user := o.user
		if user == "" {
			user = "ULOAD"
		}
		return func(t *vegeta.Target) error {
			i := seq.Add(1)
			n := strconv.FormatInt(i, 10)
			body := []byte(url.Values{
				"token": {"load"}, "team_id": {"TLOAD"}, "channel_id": {"CLOAD"}, "user_id": {user}, "command": {"/cosell"},
				"text": {text(i)}, "response_url": {base + "/cosellload/response/" + n}, "trigger_id": {"load." + run + "." + n},
			}.Encode())
			stamp := strconv.FormatInt(now().Unix(), 10)
			mac := hmac.New(sha256.New, []byte(secret))
			mac.Write([]byte("v0:" + stamp + ":"))
			mac.Write(body)
			*t = vegeta.Target{Method: http.MethodPost, URL: base + "/slack/commands", Body: body, Header: http.Header{
				"Content-Type":              {"application/x-www-form-urlencoded"},
				"X-Slack-Request-Timestamp": {stamp},
				"X-Slack-Signature":         {"v0=" + hex.EncodeToString(mac.Sum(nil))},
			}}
			return nil
		}, nil
	case "discord":
		seed, err := hex.DecodeString(strings.TrimSpace(getenv(discordKeyEnv)))
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("-kind discord needs %s: the hex seed of the key whose public half is the server's DISCORD_PUBLIC_KEY (cosellload -keygen makes a pair)", discordKeyEnv)
		}
		key := ed25519.NewKeyFromSeed(seed)
		user := o.user
		if user == "" {
			user = "100000000000000001"
		}
		return func(t *vegeta.Target) error {
			i := seq.Add(1)
			n := strconv.FormatInt(i, 10)
			body, err := json.Marshal(map[string]any{
				"id": "load" + run + n, "application_id": "LOAD", "type": 2, "token": "load" + run + n,
				"channel_id": "CLOAD", "guild_id": "GLOAD", "version": 1,
				"member": map[string]any{"user": map[string]any{"id": user, "username": "cosellload"}},
				"data": map[string]any{"id": "CMD", "name": "cosell", "type": 1,
					"options": []any{map[string]any{"name": "text", "type": 3, "value": text(i)}}},
			})
			if err != nil {
				return err
			}
			stamp := strconv.FormatInt(now().Unix(), 10)
			*t = vegeta.Target{Method: http.MethodPost, URL: base + "/discord/interactions", Body: body, Header: http.Header{
				"Content-Type":          {"application/json"},
				"X-Signature-Ed25519":   {hex.EncodeToString(ed25519.Sign(key, append([]byte(stamp), body...)))},
				"X-Signature-Timestamp": {stamp},
			}}
			return nil
		}, nil
	case "webhook":
		secret := getenv("WEBHOOK_SECRET_GENERIC")
		if secret == "" {
			return nil, errors.New("-kind webhook needs WEBHOOK_SECRET_GENERIC, the server's")
		}
		return func(t *vegeta.Target) error {
			n := strconv.FormatInt(seq.Add(1), 10)
			// A type other than deal.* is stored, verified and processed
			// (ignored), without failures piling up in the inbox.
			body := []byte(`{"type":"cosellload.ping","record_id":"load-` + n + `","fields":{}}`)
			stamp := strconv.FormatInt(now().Unix(), 10)
			*t = vegeta.Target{Method: http.MethodPost, URL: base + "/webhooks/generic", Body: body, Header: http.Header{
				"Content-Type":      {"application/json"},
				crm.HeaderTimestamp: {stamp},
				crm.HeaderSignature: {crm.Sign([]byte(secret), stamp, body)},
				crm.HeaderEventID:   {"load." + run + "." + n},
			}}
			return nil
		}, nil
	case "deal-updates":
		secret := getenv("WEBHOOK_SECRET_GENERIC")
		if secret == "" {
			return nil, errors.New("-kind deal-updates needs WEBHOOK_SECRET_GENERIC, the server's")
		}
		return dealUpdates(base, run, []byte(secret), deals, &seq, now), nil
	}
	return nil, fmt.Errorf("-kind %q: use slack, discord, webhook or deal-updates", o.kind)
}
