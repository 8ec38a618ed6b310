package slack_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/cosellbot/cosellbot/integrations/slack"
	"github.com/cosellbot/cosellbot/integrations/web"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// deadlines hands out countdowns the test fires by hand, so that whether a
// route answers in time never depends on the machine's speed.
type deadlines struct {
	mu    sync.Mutex
	chans []chan time.Time
}

func (d *deadlines) after(time.Duration) <-chan time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := make(chan time.Time, 1)
	d.chans = append(d.chans, c)
	return c
}

// fire ends every countdown started so far.
func (d *deadlines) fire() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.chans {
		select {
		case c <- time.Time{}:
		default:
		}
	}
}

// lockedDir is the store behind a database lock: every read and write
// blocks until the lock is released, and says so.
type lockedDir struct {
	*store.Store
	lock    chan struct{}
	blocked chan string
}

func (d *lockedDir) wait(ctx context.Context, what string) error {
	select {
	case d.blocked <- what:
	default:
	}
	select {
	case <-d.lock:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (d *lockedDir) FirstChatEvent(ctx context.Context, platform, id string, at time.Time) (bool, error) {
	if err := d.wait(ctx, "FirstChatEvent "+id); err != nil {
		return false, err
	}
	return d.Store.FirstChatEvent(ctx, platform, id, at)
}

func (d *lockedDir) ChatUser(ctx context.Context, platform, id string) (string, error) {
	if err := d.wait(ctx, "ChatUser "+id); err != nil {
		return "", err
	}
	return d.Store.ChatUser(ctx, platform, id)
}

// Every route answers before Slack's deadline whatever blocks behind it: a
// database lock, or a Slack API that does not answer users.info. The fakes
// block until the test ends; the deadline fires when the work is stuck,
// and each route must answer then, deferring the work, which completes
// once the lock is released.
func TestEveryRouteAnswersInTime(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		dl := &deadlines{}
		dir := &lockedDir{Store: st, lock: make(chan struct{}), blocked: make(chan string, 16)}
		e := newEnv(t, st, withBotToken, func(c *slack.Config, _ *runner) { c.After = dl.after })
		e.slack.Block = make(chan struct{})
		// The env's adapter uses the plain store; this one sits behind the lock.
		ad, err := slack.New(slack.Config{SigningSecret: secret, BotToken: "xoxb-test", APIURL: e.slack.APIURL(), Clock: e.clk, After: dl.after}, e.svc, dir)
		if err != nil {
			t.Fatal(err)
		}
		router := web.Router(st, slog.New(slog.DiscardHandler))
		ad.Routes(router)
		srv := httptest.NewServer(router)
		var unlockDB, unblockAPI sync.Once
		openDB := func() { unlockDB.Do(func() { close(dir.lock) }) }
		openAPI := func() { unblockAPI.Do(func() { close(e.slack.Block) }) }
		t.Cleanup(func() { openDB(); openAPI(); srv.Close(); ad.Wait() })
		e.receive()
		e.receive() // a second deal, so that the two changes below never wait for each other
		// stuck waits until the route's work is blocked on the database
		// (the call naming want), then ends the route's deadline.
		stuck := func(name, want string) {
			t.Helper()
			for {
				select {
				case got := <-dir.blocked:
					if !strings.Contains(got, want) {
						continue
					}
				case <-time.After(10 * time.Second): // a hang, never a speed check
					t.Fatalf("%s never reached the database", name)
				}
				break
			}
			dl.fire()
		}
		post := func(path, body string) (chan *http.Response, string) {
			done := make(chan *http.Response, 1)
			go func() {
				req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if strings.HasPrefix(body, "{") {
					req.Header.Set("Content-Type", "application/json")
				}
				sign(req, secret, time.Now(), body)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					close(done)
					return
				}
				done <- resp
			}()
			return done, path
		}
		read := func(done chan *http.Response, name string) (int, string) {
			t.Helper()
			select {
			case resp := <-done:
				if resp == nil {
					t.Fatalf("%s: no answer", name)
				}
				defer resp.Body.Close()
				raw, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(raw)
			case <-time.After(10 * time.Second):
				t.Fatalf("%s did not answer after its deadline", name)
			}
			return 0, ""
		}

		// A slash command: the replay record waits on the lock.
		cmd := e.commandBody("U_ANA", "deal fav 1")
		done, _ := post("/slack/commands", cmd)
		stuck("slash command", "FirstChatEvent trigger:") // the command's trigger_id names it
		if code, body := read(done, "slash command"); code != 200 || !strings.Contains(body, "Working on it") {
			t.Errorf("slash command: %d %s", code, body)
		}

		// A form submission: same.
		view := map[string]any{"callback_id": "cosell_form", "private_metadata": `{"ref":"deal snooze 1","channel":"C1"}`, "blocks": []any{}}
		raw, _ := json.Marshal(map[string]any{"type": "view_submission", "user": map[string]any{"id": "U_ANA"},
			"view": map[string]any{"id": "V9", "callback_id": view["callback_id"], "private_metadata": view["private_metadata"],
				"state": map[string]any{"values": map[string]any{"until": map[string]any{"until": map[string]any{"type": "datepicker", "selected_date": "2031-01-01"}}}}}})
		done, _ = post("/slack/interactions", url.Values{"payload": {string(raw)}}.Encode())
		stuck("form submission", "FirstChatEvent sig:")
		code, body := read(done, "form submission")
		var vs slackapi.ViewSubmissionResponse
		_ = json.Unmarshal([]byte(body), &vs)
		if code != 200 || vs.ResponseAction != slackapi.RAUpdate || !strings.Contains(body, "Working on it") {
			t.Errorf("form submission: %d %s", code, body)
		}

		// A button: acknowledged before anything is read.
		raw, _ = json.Marshal(e.blockAction("U_ANA", control{ActionID: "cosell_run_0", Value: "deal fav 2"}))
		done, _ = post("/slack/interactions", url.Values{"payload": {string(raw)}}.Encode())
		if code, _ := read(done, "button"); code != 200 {
			t.Errorf("button: %d", code)
		}

		// An event: the record of handled events waits on the lock.
		home := `{"token":"x","team_id":"T1","api_app_id":"A1","type":"event_callback","event_id":"EvSlow","event_time":1700000000,` +
			`"event":{"type":"app_home_opened","user":"U_ANA","channel":"D1","tab":"home","event_ts":"1700000000.1"}}`
		done, _ = post("/slack/events", home)
		stuck("event", "event:EvSlow")
		if code, _ := read(done, "event"); code != 200 {
			t.Errorf("event: %d", code)
		}

		// An unknown member: users.info never answers. The lock is open, the
		// API is not.
		openDB()
		cmd = e.commandBody("U_NEW", "deal list")
		done, _ = post("/slack/commands", cmd)
		waitFor(t, func() bool { return len(e.slack.Took("/api/users.info")) > 0 }, "users.info")
		dl.fire()
		if code, body := read(done, "users.info"); code != 200 || !strings.Contains(body, "Working on it") {
			t.Errorf("slow users.info: %d %s", code, body)
		}
		openAPI()
		ad.Wait()
		// The deferred work finished once unblocked: the slash command and
		// the button each toggled the favorite, and the late answers went out.
		// (deal 1 also snoozed, by the form).
		for id, want := range map[int64]string{1: "received favorite snoozed", 2: "received favorite"} {
			h, _ := st.History(t.Context(), id)
			var got []string
			for _, x := range h {
				got = append(got, x.Action)
			}
			slices.Sort(got)
			w := strings.Fields(want)
			slices.Sort(w)
			if !slices.Equal(got, w) {
				t.Errorf("history of deal %d after the deferred work: %v, want %s", id, got, want)
			}
		}
		if len(e.slack.Took("/api/views.update")) != 1 {
			t.Errorf("the deferred form answer was not shown: %d views.update", len(e.slack.Took("/api/views.update")))
		}
	})
}

// waitFor polls until cond holds; a hang fails, speed is never asserted.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for i := 0; i < 1000; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s never happened", what)
}
