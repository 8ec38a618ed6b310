package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/cosellbot/cosellbot/integrations/crm"
)

func envOf(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// Each kind's requests carry the signature the server checks, over the
// exact body, with a fresh id per hit.
func TestTargetsAreSigned(t *testing.T) {
	t.Parallel()
	now := time.Now()
	clock := func() time.Time { return now }
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	env := envOf("SLACK_SIGNING_SECRET", "slack-secret", "WEBHOOK_SECRET_GENERIC", "hook-secret", discordKeyEnv, hex.EncodeToString(priv.Seed()))
	base, _ := url.Parse("http://127.0.0.1:8080/")
	hit := func(kind string) []vegeta.Target {
		tr, err := targeter(options{target: base, kind: kind, text: "deal list"}, env, clock)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]vegeta.Target, 2)
		for i := range out {
			if err := tr(&out[i]); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	for _, tg := range hit("slack") {
		mac := hmac.New(sha256.New, []byte("slack-secret"))
		mac.Write([]byte("v0:" + tg.Header.Get("X-Slack-Request-Timestamp") + ":" + string(tg.Body)))
		form, _ := url.ParseQuery(string(tg.Body))
		if tg.URL != "http://127.0.0.1:8080/slack/commands" || tg.Header.Get("X-Slack-Signature") != "v0="+hex.EncodeToString(mac.Sum(nil)) ||
			form.Get("text") != "deal list" || form.Get("user_id") != "ULOAD" {
			t.Errorf("slack target %s %v %s", tg.URL, tg.Header, tg.Body)
		}
	}
	for _, tg := range hit("discord") {
		sig, _ := hex.DecodeString(tg.Header.Get("X-Signature-Ed25519"))
		if tg.URL != "http://127.0.0.1:8080/discord/interactions" || !ed25519.Verify(pub, append([]byte(tg.Header.Get("X-Signature-Timestamp")), tg.Body...), sig) {
			t.Errorf("discord target %s: the signature does not verify", tg.URL)
		}
	}
	hooks := hit("webhook")
	for _, tg := range hooks {
		if err := crm.VerifySignature([]byte("hook-secret"), tg.Header.Get(crm.HeaderTimestamp), tg.Header.Get(crm.HeaderSignature), tg.Body, now); err != nil {
			t.Errorf("webhook target: %v", err)
		}
	}
	if hooks[0].Header.Get(crm.HeaderEventID) == hooks[1].Header.Get(crm.HeaderEventID) {
		t.Error("two webhooks share an event id: the server would drop the second as a duplicate")
	}
	for _, tt := range []struct{ kind, want string }{{"slack", "SLACK_SIGNING_SECRET"}, {"discord", discordKeyEnv}, {"webhook", "WEBHOOK_SECRET_GENERIC"}, {"irc", "-kind"}} {
		if _, err := targeter(options{target: base, kind: tt.kind}, envOf(), clock); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s without its secret: %v, want %s named", tt.kind, err, tt.want)
		}
	}
}

// A remote target is refused unless asked for; a short run against a
// loopback server reports its figures.
func TestRun(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	if code := run([]string{"-target", "http://example.com", "-kind", "webhook"}, envOf("WEBHOOK_SECRET_GENERIC", "s"), &out, &errOut); code != 2 ||
		!strings.Contains(errOut.String(), "-allow-remote") {
		t.Errorf("a remote target: exit %d, %s", code, errOut.String())
	}
	for _, host := range []string{"localhost", "127.0.0.1", "::1"} {
		if !loopback(host) {
			t.Errorf("%s is not loopback", host)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	out.Reset()
	code := run([]string{"-target", srv.URL, "-kind", "webhook", "-rate", "50", "-duration", "300ms"}, envOf("WEBHOOK_SECRET_GENERIC", "s"), &out, &errOut)
	// Every request answered 202; how many a 300 ms run sends depends on the
	// machine's load, so only that some were sent is asserted.
	codes := regexp.MustCompile(`Status Codes +\[code:count\] +(.*)`).FindStringSubmatch(out.String())
	if code != 0 || !strings.Contains(out.String(), "Latencies") || len(codes) < 2 || !regexp.MustCompile(`^202:[1-9][0-9]* *$`).MatchString(strings.TrimSpace(codes[1])) {
		t.Errorf("a short run: exit %d\n%s%s", code, out.String(), errOut.String())
	}
}

// "{question}" asks the questions of an evaluation file in turn, as typed,
// so a load of FAQ questions costs what real questions cost; a file that
// cannot be read is refused with the flag's name.
func TestQuestions(t *testing.T) {
	t.Parallel()
	qs, err := loadQuestions("../../" + defaultQuestions)
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) < 100 {
		t.Fatalf("%d questions in the hold-out set, want its thousand", len(qs))
	}
	base, _ := url.Parse("http://127.0.0.1:8080")
	tr, err := targeter(options{target: base, kind: "slack", text: "faq {question}", deals: 1, questions: qs[:2]}, envOf("SLACK_SIGNING_SECRET", "s"), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for range 3 {
		var tg vegeta.Target
		if err := tr(&tg); err != nil {
			t.Fatal(err)
		}
		form, _ := url.ParseQuery(string(tg.Body))
		got = append(got, form.Get("text"))
	}
	if want := []string{"faq " + qs[1], "faq " + qs[0], "faq " + qs[1]}; !slices.Equal(got, want) {
		t.Errorf("texts %q, want %q", got, want)
	}
	var stderr strings.Builder
	if code := run([]string{"-text", "faq {question}", "-questions", "missing.yaml"}, envOf("SLACK_SIGNING_SECRET", "s"), io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), "-questions") {
		t.Errorf("missing file: exit %d, %q; want 2 naming -questions", code, stderr.String())
	}
}
