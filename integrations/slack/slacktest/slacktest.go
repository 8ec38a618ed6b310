// Package slacktest is an in-process fake of the Slack Web API and of
// response_url endpoints, for tests at the wire. It enforces the documented
// limits of what cosellbot sends (Block Kit: 50 blocks in a message, 100 in
// a view, 3,000 characters in a section, 75 in a button's text, 2,000 in
// its value, 255 in an action id, 24 in a view's title) and Slack's entity
// encoding of mrkdwn (& < > escaped, no mention, a web address the only
// link), refusing a call that breaks one the way Slack does (ok: false,
// invalid_blocks), so a test fails on it. Like Slack, views.open takes a
// trigger_id once (exchanged_trigger_id after). It keeps the messages
// posted, so chat.update can be checked against them.
package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// Documented limits (https://docs.slack.dev/reference/block-kit).
const (
	MessageBlocks = 50
	ViewBlocks    = 100
	SectionText   = 3000
	ButtonText    = 75
	ButtonValue   = 2000
	ActionID      = 255
	ViewTitle     = 24
	Metadata      = 3000
	MessageText   = 40000
)

// Call is one request the bot made.
type Call struct {
	Path string
	Form url.Values
	JSON map[string]any
}

// Message is a message as the fake holds it.
type Message struct {
	Channel, TS, ThreadTS, Text string
	Blocks                      []any
	Updates                     int  // chat.update calls it took
	Broadcast                   bool // a thread reply also shown in the channel (reply_broadcast)
}

// Fake is the Slack Web API (under /api/) and response_url endpoints
// (any other path).
type Fake struct {
	Server *httptest.Server
	// Profiles answers users.info: Slack user id → real name, e-mail, phone.
	Profiles map[string][3]string
	// Locales are the members' locales ("fr-FR"), which users.info gives
	// when asked with include_locale=true, as Slack does.
	Locales map[string]string
	// Block, when set, holds every users.info call until it is closed: a
	// Slack API that does not answer.
	Block chan struct{}

	mu       sync.Mutex
	calls    []Call
	messages map[string]*Message // channel:ts
	seq      int
	problems []string
	refusal  string          // Refuse's code
	triggers map[string]bool // trigger_ids views.open exchanged
}

// Refuse makes chat.postMessage and chat.update answer ok:false with code
// ("invalid_auth" for a revoked token, "not_in_channel" for a channel
// without the bot) from now on; "" answers them again.
func (f *Fake) Refuse(code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refusal = code
}

// New starts a fake, closed when the test ends.
func New(t testing.TB) *Fake {
	f := &Fake{Profiles: map[string][3]string{}, Locales: map[string]string{}, messages: map[string]*Message{}, triggers: map[string]bool{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Server.Close)
	return f
}

// APIURL is the Web API base to configure (SLACK_API_URL).
func (f *Fake) APIURL() string { return f.Server.URL + "/api/" }

// ResponseURL is a response_url the fake answers on.
func (f *Fake) ResponseURL(name string) string { return f.Server.URL + "/response/" + name }

// Took returns the calls made to a path, in order.
func (f *Fake) Took(path string) []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Call
	for _, c := range f.calls {
		if c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

// Messages lists the messages posted to a channel, oldest first.
func (f *Fake) Messages(channel string) []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Message
	for i := 1; i <= f.seq; i++ {
		if m, ok := f.messages[channel+":"+ts(i)]; ok {
			out = append(out, *m)
		}
	}
	return out
}

// Problems lists the limits and encodings calls broke; a test asserts it
// is empty.
func (f *Fake) Problems() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.problems...)
}

func ts(i int) string { return fmt.Sprintf("1700000000.%06d", i) }

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c := Call{Path: r.URL.Path}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(body, &c.JSON)
	} else {
		c.Form, _ = url.ParseQuery(string(body))
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	if !strings.HasPrefix(r.URL.Path, "/api/") { // a response_url
		if errs := CheckMessage(c.JSON); len(errs) > 0 {
			f.refuse(w, r.URL.Path, errs)
			return
		}
		_, _ = io.WriteString(w, "ok")
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer xoxb-") && !strings.HasPrefix(c.Form.Get("token"), "xoxb-") {
		writeJSON(w, map[string]any{"ok": false, "error": "not_authed"})
		return
	}
	switch r.URL.Path {
	case "/api/users.info":
		if f.Block != nil {
			select {
			case <-f.Block:
			case <-r.Context().Done():
				return
			}
		}
		id := c.Form.Get("user")
		p, ok := f.Profiles[id]
		if !ok {
			writeJSON(w, map[string]any{"ok": false, "error": "user_not_found"})
			return
		}
		user := map[string]any{"id": id, "real_name": p[0], "profile": map[string]any{"real_name": p[0], "email": p[1], "phone": p[2]}}
		if c.Form.Get("include_locale") == "true" && f.Locales[id] != "" {
			user["locale"] = f.Locales[id]
		}
		writeJSON(w, map[string]any{"ok": true, "user": user})
	case "/api/views.open", "/api/views.update", "/api/views.publish":
		var view map[string]any
		switch {
		case c.JSON != nil:
			view, _ = c.JSON["view"].(map[string]any)
		default:
			_ = json.Unmarshal([]byte(c.Form.Get("view")), &view)
		}
		if errs := CheckView(view); len(errs) > 0 {
			f.refuse(w, r.URL.Path, errs)
			return
		}
		if r.URL.Path == "/api/views.open" {
			// A trigger_id opens one view: Slack refuses it the second time.
			trigger := c.Form.Get("trigger_id")
			if c.JSON != nil {
				trigger, _ = c.JSON["trigger_id"].(string)
			}
			f.mu.Lock()
			used := trigger != "" && f.triggers[trigger]
			f.triggers[trigger] = true
			f.mu.Unlock()
			if used {
				writeJSON(w, map[string]any{"ok": false, "error": "exchanged_trigger_id"})
				return
			}
		}
		writeJSON(w, map[string]any{"ok": true, "view": map[string]any{"id": "V1"}})
	case "/api/chat.postMessage", "/api/chat.update":
		f.mu.Lock()
		refusal := f.refusal
		f.mu.Unlock()
		if refusal != "" {
			writeJSON(w, map[string]any{"ok": false, "error": refusal})
			return
		}
		msg := map[string]any{"text": c.Form.Get("text")}
		var blocks []any
		if raw := c.Form.Get("blocks"); raw != "" {
			if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
				f.refuse(w, r.URL.Path, []string{"blocks are not JSON: " + err.Error()})
				return
			}
			msg["blocks"] = blocks
		}
		if errs := CheckMessage(msg); len(errs) > 0 {
			f.refuse(w, r.URL.Path, errs)
			return
		}
		channel := c.Form.Get("channel")
		f.mu.Lock()
		defer f.mu.Unlock()
		if r.URL.Path == "/api/chat.update" {
			m, ok := f.messages[channel+":"+c.Form.Get("ts")]
			if !ok {
				writeJSON(w, map[string]any{"ok": false, "error": "message_not_found"})
				return
			}
			m.Text, m.Blocks = c.Form.Get("text"), blocks
			m.Updates++
			writeJSON(w, map[string]any{"ok": true, "channel": channel, "ts": m.TS})
			return
		}
		f.seq++
		m := &Message{Channel: channel, TS: ts(f.seq), ThreadTS: c.Form.Get("thread_ts"), Text: c.Form.Get("text"), Blocks: blocks,
			Broadcast: c.Form.Get("reply_broadcast") == "true"}
		f.messages[channel+":"+m.TS] = m
		writeJSON(w, map[string]any{"ok": true, "channel": channel, "ts": m.TS})
	default:
		writeJSON(w, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

func (f *Fake) refuse(w http.ResponseWriter, path string, errs []string) {
	f.mu.Lock()
	for _, e := range errs {
		f.problems = append(f.problems, path+": "+e)
	}
	f.mu.Unlock()
	if !strings.HasPrefix(path, "/api/") {
		http.Error(w, "invalid_blocks", http.StatusBadRequest)
		return
	}
	writeJSON(w, map[string]any{"ok": false, "error": "invalid_blocks", "errors": errs})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// CheckMessage checks a message payload (text and blocks, as posted or as
// a slash command's answer) against Slack's limits and encoding.
func CheckMessage(m map[string]any) []string {
	var errs []string
	if text, _ := m["text"].(string); utf8.RuneCountInString(text) > MessageText {
		errs = append(errs, "text over 40,000 characters")
	} else {
		errs = append(errs, checkEntities("text", text)...)
	}
	blocks, _ := m["blocks"].([]any)
	if len(blocks) > MessageBlocks {
		errs = append(errs, fmt.Sprintf("%d blocks, over %d", len(blocks), MessageBlocks))
	}
	return append(errs, CheckBlocks(blocks)...)
}

// CheckView checks a modal or Home tab.
func CheckView(v map[string]any) []string {
	var errs []string
	blocks, _ := v["blocks"].([]any)
	if len(blocks) > ViewBlocks {
		errs = append(errs, fmt.Sprintf("%d blocks in a view, over %d", len(blocks), ViewBlocks))
	}
	for _, k := range []string{"title", "submit", "close"} {
		if t, ok := v[k].(map[string]any); ok {
			if s, _ := t["text"].(string); utf8.RuneCountInString(s) > ViewTitle || s == "" {
				errs = append(errs, fmt.Sprintf("view %s %q: 1 to %d characters", k, s, ViewTitle))
			}
		}
	}
	if s, _ := v["private_metadata"].(string); len(s) > Metadata {
		errs = append(errs, "private_metadata over 3,000 characters")
	}
	return append(errs, CheckBlocks(blocks)...)
}

// CheckBlocks checks blocks' text, buttons and action ids.
func CheckBlocks(blocks []any) []string {
	var errs []string
	ids := map[string]bool{}
	for i, b := range blocks {
		bm, _ := b.(map[string]any)
		switch bm["type"] {
		case "section":
			t, _ := bm["text"].(map[string]any)
			s, _ := t["text"].(string)
			if n := utf8.RuneCountInString(s); n > SectionText || n == 0 {
				errs = append(errs, fmt.Sprintf("block %d: section of %d characters (1 to %d)", i, n, SectionText))
			}
			if t["type"] == "mrkdwn" {
				errs = append(errs, checkEntities(fmt.Sprintf("block %d", i), s)...)
			}
		case "actions":
			els, _ := bm["elements"].([]any)
			if len(els) > 25 {
				errs = append(errs, fmt.Sprintf("block %d: %d elements, over 25", i, len(els)))
			}
			for _, el := range els {
				em, _ := el.(map[string]any)
				id, _ := em["action_id"].(string)
				if len(id) > ActionID || ids[id] {
					errs = append(errs, fmt.Sprintf("block %d: action id %q too long or repeated", i, id))
				}
				ids[id] = true
				if em["type"] == "button" {
					t, _ := em["text"].(map[string]any)
					if s, _ := t["text"].(string); utf8.RuneCountInString(s) > ButtonText || s == "" {
						errs = append(errs, fmt.Sprintf("block %d: button text %q (1 to %d)", i, s, ButtonText))
					}
					if v, _ := em["value"].(string); utf8.RuneCountInString(v) > ButtonValue {
						errs = append(errs, fmt.Sprintf("block %d: button value of %d characters, over %d", i, utf8.RuneCountInString(v), ButtonValue))
					}
				}
			}
		case "input":
			l, _ := bm["label"].(map[string]any)
			if s, _ := l["text"].(string); utf8.RuneCountInString(s) > 2000 || s == "" {
				errs = append(errs, fmt.Sprintf("block %d: input label %q", i, s))
			}
			el, _ := bm["element"].(map[string]any)
			if v, ok := el["initial_value"].(string); ok {
				if max, ok := el["max_length"].(float64); ok && float64(utf8.RuneCountInString(v)) > max {
					errs = append(errs, fmt.Sprintf("block %d: initial value longer than max_length", i))
				}
			}
			if max, ok := el["max_length"].(float64); ok && max > 3000 {
				errs = append(errs, fmt.Sprintf("block %d: max_length %v over 3,000", i, max))
			}
		}
	}
	return errs
}

// checkEntities refuses text Slack would misread: cosellbot sends no
// mentions and no labelled links, only a web address as a link of its
// own, <https://…>, so every other < and > must be escaped, and every &
// must start one of the three entities.
func checkEntities(where, s string) []string {
	if rest := withoutLinks(s); strings.ContainsAny(rest, "<>") {
		return []string{where + ": an unescaped < or > (" + strconv.Quote(clip(s)) + ")"}
	}
	for i := strings.IndexByte(s, '&'); i >= 0; {
		rest := s[i:]
		if !strings.HasPrefix(rest, "&amp;") && !strings.HasPrefix(rest, "&lt;") && !strings.HasPrefix(rest, "&gt;") {
			return []string{where + ": an unescaped & (" + strconv.Quote(clip(s)) + ")"}
		}
		j := strings.IndexByte(s[i+1:], '&')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return nil
}

// withoutLinks removes from mrkdwn each link to a web address with no
// label, <http://…> or <https://…>: what is left must hold no < or >.
func withoutLinks(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			return b.String() + s
		}
		b.WriteString(s[:i])
		rest := s[i+1:]
		end := strings.IndexByte(rest, '>')
		if end < 0 || !(strings.HasPrefix(rest, "http://") || strings.HasPrefix(rest, "https://")) ||
			strings.ContainsAny(rest[:end], "<| \t\n") {
			b.WriteByte('<')
			s = rest
			continue
		}
		s = rest[end+1:]
	}
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
