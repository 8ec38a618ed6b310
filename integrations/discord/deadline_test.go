package discord_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/integrations/chatkit"
	"github.com/cosellbot/cosellbot/integrations/discord"
	"github.com/cosellbot/cosellbot/integrations/web"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// deadlines hands out countdowns the test fires by hand: all of them, or
// only the shorter ones (a form's prefill budget).
type deadlines struct {
	mu    sync.Mutex
	chans []chan time.Time
	d     []time.Duration
}

func (d *deadlines) after(within time.Duration) <-chan time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := make(chan time.Time, 1)
	d.chans, d.d = append(d.chans, c), append(d.d, within)
	return c
}

func (d *deadlines) fire(below time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, c := range d.chans {
		if d.d[i] < below {
			select {
			case c <- time.Time{}:
			default:
			}
		}
	}
}

// lockedDir is the store behind a database lock that holds every read and
// write until released, and says which call is stuck.
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

func (d *lockedDir) ChatAction(ctx context.Context, id string) (string, error) {
	if err := d.wait(ctx, "ChatAction "+id); err != nil {
		return "", err
	}
	return d.Store.ChatAction(ctx, id)
}

// Every kind of interaction is answered when its deadline comes, whatever
// blocks behind it (here a database lock that holds until the test ends):
// a command or a click gets a deferred answer, a button that needs a form
// gets the form without the values it could not read. The work finishes
// once the lock is released and edits the deferred answer.
func TestEveryInteractionAnswersInTime(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, time.Minute)
		for range 3 { // one deal per change, so that none waits for another
			e.receive()
		}
		pub := e.key.Public().(ed25519.PublicKey)
		dl := &deadlines{}
		dir := &lockedDir{Store: st, lock: make(chan struct{}), blocked: make(chan string, 32)}
		ad, err := discord.New(discord.Config{PublicKey: pub, BotToken: "bot-token", AppID: "APP", APIURL: e.api.APIURL(), Version: "test",
			Clock: e.clk, After: dl.after, Log: slog.New(slog.DiscardHandler)}, e.run, dir)
		if err != nil {
			t.Fatal(err)
		}
		router := web.Router(st, slog.New(slog.DiscardHandler))
		ad.Routes(router)
		srv := httptest.NewServer(router)
		var once sync.Once
		unlock := func() { once.Do(func() { close(dir.lock) }) }
		t.Cleanup(func() { unlock(); srv.Close(); ad.Wait() })

		send := func(body []byte) chan map[string]any {
			done := make(chan map[string]any, 1)
			go func() {
				stamp := strconv.FormatInt(time.Now().Unix(), 10)
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/discord/interactions", bytes.NewReader(body))
				req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(e.key, append([]byte(stamp), body...))))
				req.Header.Set("X-Signature-Timestamp", stamp)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					close(done)
					return
				}
				defer resp.Body.Close()
				raw, _ := io.ReadAll(resp.Body)
				var m map[string]any
				_ = json.Unmarshal(raw, &m)
				done <- m
			}()
			return done
		}
		stuck := func(name, want string, below time.Duration) {
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
			dl.fire(below)
		}
		answer := func(done chan map[string]any, name string) map[string]any {
			t.Helper()
			select {
			case m := <-done:
				return m
			case <-time.After(10 * time.Second):
				t.Fatalf("%s did not answer after its deadline", name)
			}
			return nil
		}
		all := time.Hour

		// /cosell deal fav 1: the replay record is stuck.
		done := send(e.slash("111", "deal fav 1"))
		stuck("command", "FirstChatEvent", all)
		if m := answer(done, "command"); m["type"] != float64(5) || m["data"].(map[string]any)["flags"] != float64(64) {
			t.Errorf("command: %+v, want a deferred ephemeral answer", m)
		}
		// A click on the person's own card: stuck the same way.
		done = send(e.click("111", "deal fav 2"))
		stuck("click", "FirstChatEvent", all)
		if m := answer(done, "click"); m["type"] != float64(6) {
			t.Errorf("click: %+v, want a deferred update", m)
		}
		// Accept opens its form even though the deal cannot be read: the
		// prefill's budget ends first and the form opens with what is known.
		done = send(e.click("111", "form:deal accept 1"))
		stuck("form", "ChatUser 111", chatkit.FormBudget(0)+time.Millisecond)
		if m := answer(done, "form"); m["type"] != float64(9) {
			t.Errorf("form: %+v, want the modal", m)
		}
		// A form submitted: stuck on the record.
		done = send(e.interaction(5, "111", map[string]any{"custom_id": "form:deal decline 3", "components": []any{
			map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "reason", "value": "no capacity"}}}}}))
		stuck("submission", "FirstChatEvent", all)
		if m := answer(done, "submission"); m["type"] != float64(6) {
			t.Errorf("submission: %+v, want a deferred update", m)
		}
		unlock()
		ad.Wait()
		for id, want := range map[int64]string{1: "received favorite", 2: "received favorite", 3: "received declined"} {
			h, err := st.History(t.Context(), id)
			var got []string
			for _, x := range h {
				got = append(got, x.Action)
			}
			if strings.Join(got, " ") != want || err != nil {
				t.Errorf("deal %d once unlocked: %v %v, want %s", id, got, err, want)
			}
		}
		if edits := e.api.Took(http.MethodPatch, "/messages/@original"); len(edits) != 3 {
			t.Errorf("%d deferred answers edited, want 3", len(edits))
		}
		if p := e.api.Problems(); len(p) > 0 {
			t.Errorf("Discord refused: %v", p)
		}
	})
}
