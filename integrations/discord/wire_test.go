package discord_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/clocktest"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/integrations/discord"
	"github.com/cosellbot/cosellbot/integrations/discord/discordtest"
	"github.com/cosellbot/cosellbot/integrations/web"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

type runner struct {
	*command.Service
	hold chan struct{}
}

func (r *runner) Run(ctx context.Context, who access.User, where chat.Place, line string) command.Reply {
	if r.hold != nil {
		<-r.hold
	}
	return r.Service.Run(ctx, who, where, line)
}

type env struct {
	t     testing.TB
	st    *store.Store
	key   ed25519.PrivateKey
	api   *discordtest.Fake
	ad    *discord.Adapter
	srv   *httptest.Server
	clk   *clocktest.Clock
	run   *runner
	seq   int
	admin access.User
	flags int // of the clicked message: 64 (ephemeral) unless a test sets 0
	// locale is the language the interactions say their user reads
	// (Discord sends the client's, "fr", "sv-SE"); "" sends none.
	locale string
}

// newEnv serves Discord over st; opts add capabilities to the command
// service (the FAQ).
func newEnv(t testing.TB, st *store.Store, deadline time.Duration, opts ...command.Option) *env {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	clk := clocktest.New(time.Now().UTC().Truncate(time.Second))
	e := &env{t: t, st: st, key: priv, api: discordtest.New(t), clk: clk, flags: 64}
	opts = append([]command.Option{command.WithAlerts(st, []string{discord.Platform}, remind.DefaultConfig().Before)}, opts...)
	e.run = &runner{Service: command.New(st, clk, deal.DefaultRates(), nil, opts...)}
	e.ad, err = discord.New(discord.Config{
		PublicKey: pub, BotToken: "bot-token", AppID: "APP", APIURL: e.api.APIURL(), Version: "test", Deadline: deadline,
		Clock: clk, Log: slog.New(slog.DiscardHandler),
	}, e.run, st)
	if err != nil {
		t.Fatal(err)
	}
	router := web.Router(st, slog.New(slog.DiscardHandler))
	e.ad.Routes(router)
	e.srv = httptest.NewServer(router)
	t.Cleanup(func() { e.srv.Close(); e.ad.Wait() })
	e.admin = access.User{ID: "ana@partner.example", Roles: []access.Role{access.ReferralsAdmin}, Global: true}
	at := ledger.Entry{At: clk.Now(), Actor: "admin@localhost", Action: "user added"}
	if err := st.PutUser(t.Context(), e.admin, at); err != nil {
		t.Fatal(err)
	}
	if err := st.LinkChatUser(t.Context(), discord.Platform, "111", e.admin.ID, at); err != nil {
		t.Fatal(err)
	}
	return e
}

// post signs body as Discord does (Ed25519 over timestamp+body) with key
// at ts, then sends sent (the same body unless tampering).
func (e *env) post(key ed25519.PrivateKey, ts time.Time, signed, sent []byte) *http.Response {
	e.t.Helper()
	stamp := strconv.FormatInt(ts.Unix(), 10)
	sig := ed25519.Sign(key, append([]byte(stamp), signed...))
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/discord/interactions", bytes.NewReader(sent))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	req.Header.Set("X-Signature-Timestamp", stamp)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// interaction builds an interaction of a type with data, from user.
func (e *env) interaction(kind int, user string, data map[string]any) []byte {
	e.seq++
	in := map[string]any{
		"id": "I" + strconv.Itoa(e.seq), "application_id": "APP", "type": kind, "token": "tok" + strconv.Itoa(e.seq),
		"channel_id": "C1", "guild_id": "G1", "version": 1,
		"member": map[string]any{"user": map[string]any{"id": user, "username": "ana"}},
		"data":   data,
	}
	if e.locale != "" {
		in["locale"] = e.locale
	}
	if kind == 3 || kind == 5 {
		// The clicked message: the person's own ephemeral answer, unless
		// the test clicks on a message in the channel.
		in["message"] = map[string]any{"id": "M0", "channel_id": "C1", "flags": e.flags}
	}
	raw, err := json.Marshal(in)
	if err != nil {
		e.t.Fatal(err)
	}
	return raw
}

func (e *env) slash(user, text string) []byte {
	return e.interaction(2, user, map[string]any{"id": "CMD", "name": "cosell", "type": 1,
		"options": []any{map[string]any{"name": "text", "type": 3, "value": text}}})
}

func (e *env) click(user, customID string) []byte {
	return e.interaction(3, user, map[string]any{"custom_id": customID, "component_type": 2})
}

// answer sends a correctly signed interaction and decodes the response.
func (e *env) answer(body []byte) map[string]any {
	e.t.Helper()
	resp := e.post(e.key, time.Now(), body, body)
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		e.t.Fatalf("status %d: %s", resp.StatusCode, raw)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		e.t.Fatalf("%s: %v", raw, err)
	}
	if errs := discordtest.CheckResponse(m); len(errs) > 0 {
		e.t.Errorf("Discord would refuse the answer: %v", errs)
	}
	return m
}

func (e *env) receive() {
	e.t.Helper()
	line := `deal receive kind=ip name="Fabrikam BI" value=60000 currency=EUR close=2031-03-01 customer="Fabrikam AB" customer_location=SE location=1234567 from=microsoft notes="BI for 12 plants"`
	if r := e.run.Service.Run(e.t.Context(), e.admin, chat.Place{Platform: "discord", Channel: "C1"}, line); !r.OK() {
		e.t.Fatalf("receive: %+v", r.Err)
	}
}

// description joins a response's embed descriptions; buttons lists its
// buttons as label → custom_id.
func description(m map[string]any) string {
	data, _ := m["data"].(map[string]any)
	embeds, _ := data["embeds"].([]any)
	var b strings.Builder
	for _, em := range embeds {
		d, _ := em.(map[string]any)["description"].(string)
		b.WriteString(d + "\n")
	}
	return b.String()
}

func buttons(m map[string]any) map[string]string {
	out := map[string]string{}
	data, _ := m["data"].(map[string]any)
	rows, _ := data["components"].([]any)
	for _, r := range rows {
		cs, _ := r.(map[string]any)["components"].([]any)
		for _, c := range cs {
			cm := c.(map[string]any)
			label, _ := cm["label"].(string)
			id, _ := cm["custom_id"].(string)
			out[label] = id
		}
	}
	return out
}

func dealHistory(t testing.TB, st *store.Store) []string {
	t.Helper()
	h, err := st.History(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range h {
		out = append(out, e.Action)
	}
	return out
}

func TestSignedInteractions(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, time.Minute)
		e.receive()
		_, otherKey, _ := ed25519.GenerateKey(nil)

		ping := []byte(`{"id":"P1","application_id":"APP","type":1,"token":"t","version":1}`)
		if m := e.answer(ping); m["type"] != float64(1) {
			t.Errorf("PING: %+v, want PONG", m)
		}
		fav := e.slash("111", "deal fav 1")
		tests := []struct {
			name         string
			key          ed25519.PrivateKey
			at           time.Time
			signed, sent []byte
			want         int
		}{
			{"another key", otherKey, time.Now(), fav, fav, http.StatusUnauthorized},
			{"older than 5 minutes", e.key, time.Now().Add(-6 * time.Minute), fav, fav, http.StatusUnauthorized},
			{"tampered body", e.key, time.Now(), fav, bytes.Replace(fav, []byte("deal fav 1"), []byte("deal won 1"), 1), http.StatusUnauthorized},
			{"valid", e.key, time.Now(), fav, fav, http.StatusOK},
			{"replayed", e.key, time.Now(), fav, fav, http.StatusConflict},
		}
		for _, tt := range tests {
			if got := e.post(tt.key, tt.at, tt.signed, tt.sent).StatusCode; got != tt.want {
				t.Errorf("%s: status %d, want %d", tt.name, got, tt.want)
			}
		}
		if got := strings.Join(dealHistory(t, st), " "); got != "received favorite" {
			t.Errorf("history %q: only the valid interaction may change the deal", got)
		}

		// A replayed read is answered again: it changes nothing.
		show := e.slash("111", "deal show 1")
		for i := range 2 {
			if got := e.post(e.key, time.Now(), show, show).StatusCode; got != http.StatusOK {
				t.Errorf("deal show, delivery %d: status %d, want 200", i+1, got)
			}
		}
		m := e.answer(e.slash("111", "deal show 1"))
		data := m["data"].(map[string]any)
		if m["type"] != float64(4) || data["flags"] != float64(64) || !strings.Contains(description(m), "Deal \\#1 Fabrikam BI") {
			t.Errorf("deal show: %+v", m)
		}
		if m := e.answer(e.slash("111", "deal list --share")); m["data"].(map[string]any)["flags"] != nil {
			t.Errorf("--share is not ephemeral: %+v", m["data"])
		}
		m = e.answer(e.slash("999", "deal won 1"))
		if d := description(m); !strings.Contains(d, "cosellbot link discord 999") || !strings.Contains(d, "/cosell text:user add") {
			t.Errorf("unknown account: %s, want the link and the user add as typed in Discord", d)
		}
		// The admin links the account as the refusal asks (another
		// process, as cosellbot link is): its next command is the user's.
		if err := e.st.LinkChatUser(t.Context(), discord.Platform, "999", e.admin.ID, ledger.Entry{At: e.clk.Now(), Actor: "admin@localhost", Action: "linked"}); err != nil {
			t.Fatal(err)
		}
		e.clk.Add(2 * time.Second)
		if m := e.answer(e.slash("999", "deal show 1")); !strings.Contains(description(m), "Fabrikam BI") {
			t.Errorf("linked account, 2 s later: %s", description(m))
		}
	})
}

// The whole flow with buttons: Accept opens its form (type 9), prefilled
// from the referral, its team optional and empty (the clicker, known by no
// phone, would be refused as a member); submitted, the deal is
// accepted; then every Next stage and Won, each click on the person's own
// card updating it in place.
func TestButtonFlow(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, time.Minute)
		e.receive()
		card := e.answer(e.slash("111", "deal show 1"))
		accept := buttons(card)["Accept"]
		form := e.answer(e.click("111", accept))
		values := formValues(form)
		if form["type"] != float64(9) || values["name"] != "Fabrikam BI" || values["value"] != "60000 EUR" || values["close"] != "2031-03-01" ||
			values["team"] != "" || !strings.Contains(fmt.Sprint(form), "custom_id:team label:Team max_length:1000 placeholder:Optional") {
			t.Fatalf("Accept: %+v, want the form prefilled and its team optional", form)
		}
		values["team"] = "ana <ana@partner.example> +46 70 123 45 67"
		card = e.answer(e.submit("111", form, values))
		if card["type"] != float64(7) || !strings.Contains(description(card), "accepted") {
			t.Fatalf("Accept submitted: %+v", card)
		}
		// The old card's Accept, clicked again: no form, the refusal at once.
		if again := e.answer(e.click("111", accept)); again["type"] == float64(9) || !strings.Contains(fmt.Sprint(again), "already accepted") {
			t.Errorf("Accept on an accepted referral: %+v, want no form and the refusal", again)
		}
		for _, stage := range []string{"Qualified", "Developed", "Proposed", "Negotiated"} {
			card = e.answer(e.click("111", buttons(card)["Next stage: "+stage]))
			if card["type"] != float64(7) || !strings.Contains(description(card), "moved to "+stage) {
				t.Fatalf("Next stage %s: %s", stage, description(card))
			}
		}
		// Won cannot be undone: the press asks first, for the presser
		// alone, and changes nothing until the answer is yes.
		question := e.answer(e.click("111", buttons(card)["Won"]))
		if !strings.Contains(description(question), `Mark deal \#1 won?`) {
			t.Fatalf("Won: %s, want the question first", description(question))
		}
		if got := strings.Join(dealHistory(t, st), " "); got != "received accepted stage stage stage stage" {
			t.Fatalf("history after the question: %s", got)
		}
		// Cancel shows the card again, changing nothing.
		if back := e.answer(e.click("111", buttons(question)["Cancel"])); !strings.Contains(description(back), "Negotiated") {
			t.Fatalf("Cancel: %s, want the card", description(back))
		}
		if got := strings.Join(dealHistory(t, st), " "); got != "received accepted stage stage stage stage" {
			t.Fatalf("history after Cancel: %s", got)
		}
		card = e.answer(e.click("111", buttons(question)["Yes, go ahead"]))
		if !strings.Contains(description(card), "won at 60,000 EUR") {
			t.Fatalf("Won: %s", description(card))
		}
		if got := strings.Join(dealHistory(t, st), " "); got != "received accepted stage stage stage stage won" {
			t.Errorf("history: %s", got)
		}
		// A button whose command cosellbot no longer keeps is refused as
		// such, not as a database failure.
		if gone := e.answer(e.click("111", "ref:no-such-button")); !strings.Contains(description(gone), "no longer known") {
			t.Errorf("unknown ref: %s", description(gone))
		}
		// Won again: refused, the card stays, only the presser is told.
		again := e.answer(e.click("111", "deal won 1"))
		if again["type"] != float64(4) || again["data"].(map[string]any)["flags"] != float64(64) {
			t.Errorf("second Won: %+v", again)
		}
		// The old card's Won, or Upgrade, on the deal won since: the
		// refusal at once, not a question whose yes can only be refused.
		for _, id := range []string{"confirm:deal won 1", "confirm:deal upgrade 1 partner-led"} {
			if got := description(e.answer(e.click("111", id))); strings.Contains(got, "Yes, go ahead") || strings.Contains(got, "?") || !strings.Contains(got, "won") {
				t.Errorf("%s on a won deal: %s, want the refusal", id, got)
			}
		}
	})
}

// A click on a message in the channel answers the clicker alone: a new
// ephemeral message (flag 64), never an update of what everyone sees.
func TestClickOnSharedMessage(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, time.Minute)
		e.receive()
		e.flags = 0
		got := e.answer(e.click("111", "deal fav 1"))
		if got["type"] != float64(4) || got["data"].(map[string]any)["flags"] != float64(64) || !strings.Contains(description(got), "favorite") {
			t.Errorf("click on a shared message: %+v", got)
		}
	})
}

// Decline opens a form; without a reason the answer lists the field and
// its rule's message, for the clicker alone, and nothing changes; with one,
// the referral is declined.
func TestDeclineForm(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, time.Minute)
		e.receive()
		card := e.answer(e.slash("111", "deal show 1"))
		form := e.answer(e.click("111", buttons(card)["Decline"]))
		if form["type"] != float64(9) {
			t.Fatalf("Decline: %+v, want a modal", form)
		}
		bad := e.answer(e.submit("111", form, map[string]string{"reason": " "}))
		if bad["type"] != float64(4) || bad["data"].(map[string]any)["flags"] != float64(64) || !strings.Contains(description(bad), "Reason:") {
			t.Errorf("no reason: %+v", bad)
		}
		if got := strings.Join(dealHistory(t, st), " "); got != "received" {
			t.Fatalf("a refused form changed the deal: %s", got)
		}
		got := e.answer(e.submit("111", form, map[string]string{"reason": `no "capacity"`}))
		if got["type"] != float64(7) || !strings.Contains(description(got), `declined: no "capacity"`) {
			t.Errorf("submitted form: %s", description(got))
		}
	})
}

// A command slower than the deadline gets a deferred answer; the result
// edits it through the interaction's webhook.
func TestDeferred(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, 10*time.Millisecond)
		e.run.hold = make(chan struct{})
		m := e.answer(e.slash("111", "deal list"))
		if m["type"] != float64(5) {
			t.Fatalf("slow command: %+v, want a deferred answer", m)
		}
		close(e.run.hold)
		e.ad.Wait()
		edits := e.api.Took(http.MethodPatch, "/webhooks/APP/tok1/messages/@original")
		if len(edits) != 1 {
			t.Fatalf("edits: %+v", e.api.Calls())
		}
		embeds, _ := edits[0].Body["embeds"].([]any)
		if len(embeds) != 1 || embeds[0].(map[string]any)["description"] != "No open deals." {
			t.Errorf("edit: %+v", edits[0].Body)
		}
	})
}

func TestRegister(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t), time.Minute)
	if err := e.ad.Register(t.Context()); err != nil {
		t.Fatal(err)
	}
	puts := e.api.Took(http.MethodPut, "/applications/APP/commands")
	if len(puts) != 1 {
		t.Fatalf("bulk overwrite calls: %+v", e.api.Calls())
	}
	// Guild channels and direct messages with the bot, where a person
	// subscribes their own messages (TestDirectMessageIsPersonal).
	if c := discord.Commands()[0].Contexts; c == nil || !slices.Equal(*c, []discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}) {
		t.Errorf("/cosell registered for contexts %v; want guild and bot DM", c)
	}
}

// Without a public key the route answers 503 and accepts nothing.
func TestUnconfigured(t *testing.T) {
	if _, err := discord.New(discord.Config{}, nil, nil); err == nil {
		t.Error("a missing public key was accepted")
	}
	if _, err := discord.ParsePublicKey("abcd"); err == nil {
		t.Error("a short public key was accepted")
	}
	router := web.Router(nil, slog.New(slog.DiscardHandler))
	discord.Unavailable(router)
	w := httptest.NewRecorder()
	router.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/discord/interactions", strings.NewReader(`{"type":1}`)))
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", w.Code)
	}
}

// formValues reads what a modal opens with, by input.
func formValues(m map[string]any) map[string]string {
	out := map[string]string{}
	data, _ := m["data"].(map[string]any)
	rows, _ := data["components"].([]any)
	for _, r := range rows {
		cs, _ := r.(map[string]any)["components"].([]any)
		for _, c := range cs {
			cm := c.(map[string]any)
			id, _ := cm["custom_id"].(string)
			v, _ := cm["value"].(string)
			out[id] = v
		}
	}
	return out
}

// submit is the modal submission (type 5) of form with values.
func (e *env) submit(user string, form map[string]any, values map[string]string) []byte {
	data, _ := form["data"].(map[string]any)
	var rows []any
	for k, v := range values {
		rows = append(rows, map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": k, "value": v}}})
	}
	return e.interaction(5, user, map[string]any{"custom_id": data["custom_id"], "components": rows})
}

// TestDirectMessageIsPersonal: in a direct message with the bot (no guild,
// the bot-DM context) a person with a role subscribes their own messages
// without an admin, and the subscription names the DM; in a guild channel
// the same command is refused.
func TestDirectMessageIsPersonal(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newEnv(t, st, time.Minute)
	seller := access.User{ID: "bo@partner.example", Roles: []access.Role{access.ReferralsUser}, Global: true}
	at := ledger.Entry{At: e.clk.Now(), Actor: "admin@localhost", Action: "user added"}
	if err := st.PutUser(t.Context(), seller, at); err != nil {
		t.Fatal(err)
	}
	if err := st.LinkChatUser(t.Context(), discord.Platform, "222", seller.ID, at); err != nil {
		t.Fatal(err)
	}
	if m := e.answer(e.slash("222", "subscribe location=1000001")); !strings.Contains(description(m), "needs a referrals admin") {
		t.Fatalf("subscribing a guild channel as a referrals user: %s", description(m))
	}
	var dm map[string]any
	if err := json.Unmarshal(e.slash("222", "subscribe location=1000001"), &dm); err != nil {
		t.Fatal(err)
	}
	delete(dm, "guild_id")
	delete(dm, "member")
	dm["user"] = map[string]any{"id": "222", "username": "bo"}
	dm["channel_id"], dm["context"] = "D77", 1
	body, err := json.Marshal(dm)
	if err != nil {
		t.Fatal(err)
	}
	if m := e.answer(body); strings.Contains(description(m), "needs a referrals admin") {
		t.Fatalf("subscribing one's own DM: %s", description(m))
	}
	subs, err := st.Subscriptions(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].Place != (chat.Place{Platform: discord.Platform, Channel: access.DiscordDM + "D77"}) || subs[0].CreatedBy != seller.ID {
		t.Fatalf("subscriptions %+v; want bo's DM D77", subs)
	}
}

// A button opens no form its clicker cannot submit: an incentives-only
// user's Lost is refused at the click, naming the role it needs, and a
// deal they cannot see is "no deal", as the submission would answer; the
// admin's click opens the form.
func TestFormRefusedAtTheClick(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newEnv(t, st, time.Minute)
	e.receive()
	at := ledger.Entry{At: e.clk.Now(), Actor: "admin@localhost", Action: "user added"}
	for id, u := range map[string]access.User{
		"333": {ID: "inc@partner.example", Roles: []access.Role{access.IncentivesUser}, Global: true},
		"444": {ID: "lo@partner.example", Roles: []access.Role{access.ReferralsUser}, Locations: []string{"OTHER"}},
	} {
		if err := st.PutUser(t.Context(), u, at); err != nil {
			t.Fatal(err)
		}
		if err := st.LinkChatUser(t.Context(), discord.Platform, id, u.ID, at); err != nil {
			t.Fatal(err)
		}
	}
	for clicker, want := range map[string]string{"333": "has no referrals role", "444": "no deal"} {
		got := e.answer(e.click(clicker, "form:deal decline 1"))
		if got["type"] == float64(9) || !strings.Contains(description(got), want) {
			t.Errorf("clicker %s: %+v, want no form and %q", clicker, got, want)
		}
	}
	if got := e.answer(e.click("111", "form:deal decline 1")); got["type"] != float64(9) {
		t.Errorf("the admin's click: %+v, want the form", got)
	}
}

// Discord cannot keep a refused modal open: the refusal offers a button
// that reopens the form with what was sent, to fix one value rather than
// type everything again; fixed and sent, it works.
func TestRefusedFormReopensAsSent(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newEnv(t, st, time.Minute)
	e.receive()
	card := e.answer(e.slash("111", "deal show 1"))
	form := e.answer(e.click("111", buttons(card)["Accept"]))
	values := formValues(form)
	values["name"], values["value"], values["notes"] = "Fabrikam BI, phase 2", "abc", "Kick-off in May"
	values["team"] = "ana <ana@partner.example> +46 70 123 45 67"
	bad := e.answer(e.submit("111", form, values))
	retry, ok := buttons(bad)["Fix and submit again"]
	if !ok || !strings.Contains(description(bad), "not an amount") {
		t.Fatalf("refused submission: %s, buttons %v", description(bad), buttons(bad))
	}
	again := e.answer(e.click("111", retry))
	got := formValues(again)
	if again["type"] != float64(9) || got["name"] != values["name"] || got["value"] != "abc" || got["notes"] != "Kick-off in May" || got["team"] != values["team"] {
		t.Fatalf("reopened form: %v, want what was sent %v", got, values)
	}
	got["value"] = "60000 EUR"
	if done := e.answer(e.submit("111", again, got)); !strings.Contains(description(done), `accepted "Fabrikam BI, phase 2"`) {
		t.Errorf("fixed and sent: %s", description(done))
	}
}
