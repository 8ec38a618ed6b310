package slack_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/cosellbot/cosellbot/integrations/web"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// BenchmarkSlashCommand measures a signed /cosell deal show 1 through the
// real HTTP server, router and SQLite store, beside a trivial handler that
// only checks the signature. Each iteration sends one request to each,
// alternating, so that load from elsewhere on the machine weighs on both
// alike. It reports each one's requests per second (one client, one request
// at a time) and 99th percentile latency, and the ratio of the two rates.
func BenchmarkSlashCommand(b *testing.B) {
	e := newEnv(b, storetest.OpenSQLite(b))
	e.receive()
	trivial := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sv, err := slackapi.NewSecretsVerifier(r.Header, secret)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		body, _ := io.ReadAll(r.Body)
		_, _ = sv.Write(body)
		if err := sv.Ensure(); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		web.WriteJSON(w, http.StatusOK, slackapi.Msg{Text: "ok"})
	}))
	b.Cleanup(trivial.Close)
	client := &http.Client{}
	var bot, triv []time.Duration
	for b.Loop() {
		bot = append(bot, roundTrip(b, client, e.srv.URL+"/slack/commands", e.commandBody("U_ANA", "deal show 1")))
		triv = append(triv, roundTrip(b, client, trivial.URL, e.commandBody("U_ANA", "deal show 1")))
	}
	rate := func(lat []time.Duration) float64 {
		var sum time.Duration
		for _, l := range lat {
			sum += l
		}
		return float64(len(lat)) / sum.Seconds()
	}
	p99 := func(lat []time.Duration) float64 {
		slices.Sort(lat)
		return float64(lat[len(lat)*99/100].Microseconds()) / 1000
	}
	b.ReportMetric(rate(bot), "req/s")
	b.ReportMetric(p99(bot), "p99-ms")
	b.ReportMetric(rate(triv), "trivial-req/s")
	b.ReportMetric(p99(triv), "trivial-p99-ms")
	b.ReportMetric(rate(bot)/rate(triv), "ratio")
}

// roundTrip posts one signed command and times it.
func roundTrip(b *testing.B, client *http.Client, target, payload string) time.Duration {
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(payload))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sign(req, secret, time.Now(), payload)
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(t0)
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("status %d", resp.StatusCode)
	}
	return d
}
