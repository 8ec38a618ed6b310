// Package discordtest is an in-process fake of the Discord REST API (v10)
// for tests at the wire. It enforces the documented message limits (10
// embeds, 6,000 characters over all embeds, 4,096 in a description, 25
// fields, 2,000 of content, 5 action rows of 5 buttons, 100-character
// custom ids, 80-character labels) and the documented User-Agent
// "DiscordBot (url, version)", refusing a call that breaks one the way
// Discord does (400, code 50035), so a test fails on it. It keeps the
// channel messages posted, so edits can be checked against them.
package discordtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// Documented limits (https://discord.com/developers/docs/resources/message).
const (
	MaxEmbeds   = 10
	EmbedTotal  = 6000
	Description = 4096
	MaxFields   = 25
	Content     = 2000
	MaxRows     = 5
	RowButtons  = 5
	CustomID    = 100
	ButtonLabel = 80
	ModalTitle  = 45
	InputLabel  = 45
)

// userAgent is the form Discord documents for bots.
var userAgent = regexp.MustCompile(`^DiscordBot \(https?://[^,\s]+, [^)\s]+\)$`)

// Call is one request the bot made.
type Call struct {
	Method, Path, UserAgent string
	Body                    map[string]any
}

// Message is a channel message as the fake holds it.
type Message struct {
	ID, Channel, ReplyTo string
	Body                 map[string]any
	Edits                int
}

// Fake is Discord's REST API under /api/v10.
type Fake struct {
	Server *httptest.Server
	// Status, when set, answers channel message posts with it (and a
	// Retry-After of 2.5 s for 429).
	Status int
	// Code is the JSON error code of that answer: 10003 (Unknown Channel)
	// when 0; 50001 is Missing Access, 50013 Missing Permissions.
	Code int

	mu       sync.Mutex
	calls    []Call
	messages map[string]*Message
	order    []string
	seq      int
	problems []string
}

// New starts a fake, closed when the test ends.
func New(t testing.TB) *Fake {
	f := &Fake{messages: map[string]*Message{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Server.Close)
	return f
}

// APIURL is the base to configure (DISCORD_API_URL).
func (f *Fake) APIURL() string { return f.Server.URL + "/api/v10" }

// Took returns the calls of a method whose path ends with suffix.
func (f *Fake) Took(method, suffix string) []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Call
	for _, c := range f.calls {
		if c.Method == method && strings.HasSuffix(c.Path, suffix) {
			out = append(out, c)
		}
	}
	return out
}

// Calls returns every call.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// Messages lists a channel's messages, oldest first.
func (f *Fake) Messages(channel string) []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Message
	for _, id := range f.order {
		if m := f.messages[id]; m.Channel == channel {
			out = append(out, *m)
		}
	}
	return out
}

// Problems lists the limits calls broke; a test asserts it is empty.
func (f *Fake) Problems() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.problems...)
}

var messagePath = regexp.MustCompile(`^/api/v10/channels/([^/]+)/messages(?:/([^/]+))?$`)

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	c := Call{Method: r.Method, Path: r.URL.Path, UserAgent: r.Header.Get("User-Agent")}
	_ = json.Unmarshal(raw, &c.Body)
	f.mu.Lock()
	f.calls = append(f.calls, c)
	status, code := f.Status, f.Code
	f.mu.Unlock()
	if code == 0 {
		code = 10003
	}
	if !userAgent.MatchString(c.UserAgent) {
		f.refuse(w, c.Path, []string{"User-Agent " + strconv.Quote(c.UserAgent) + " is not DiscordBot (url, version)"})
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/api/v10/") {
		http.NotFound(w, r)
		return
	}
	if strings.HasSuffix(r.URL.Path, "/commands") {
		_, _ = w.Write(raw)
		return
	}
	if c.Body != nil && r.Method != http.MethodGet {
		if errs := CheckMessage(c.Body); len(errs) > 0 {
			f.refuse(w, c.Path, errs)
			return
		}
	}
	m := messagePath.FindStringSubmatch(r.URL.Path)
	switch {
	case m != nil && r.Method == http.MethodPost:
		if status != 0 {
			if status == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "2.5")
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = fmt.Fprintf(w, `{"message": "refused", "code": %d, "retry_after": 2.5, "global": false}`, code)
			return
		}
		f.mu.Lock()
		f.seq++
		msg := &Message{ID: "M" + strconv.Itoa(f.seq), Channel: m[1], Body: c.Body}
		if ref, ok := c.Body["message_reference"].(map[string]any); ok {
			msg.ReplyTo, _ = ref["message_id"].(string)
		}
		f.messages[msg.ID] = msg
		f.order = append(f.order, msg.ID)
		f.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"id": msg.ID, "channel_id": m[1]})
	case m != nil && r.Method == http.MethodPatch && m[2] != "":
		f.mu.Lock()
		msg, ok := f.messages[m[2]]
		if ok && msg.Channel == m[1] {
			for k, v := range c.Body {
				msg.Body[k] = v
			}
			msg.Edits++
		}
		f.mu.Unlock()
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]any{"message": "Unknown Message", "code": 10008})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": m[2], "channel_id": m[1]})
	default: // interaction webhooks: edits of @original, follow-ups
		f.mu.Lock()
		f.seq++
		id := "M" + strconv.Itoa(f.seq)
		f.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "channel_id": "C1"})
	}
}

func (f *Fake) refuse(w http.ResponseWriter, path string, errs []string) {
	f.mu.Lock()
	for _, e := range errs {
		f.problems = append(f.problems, path+": "+e)
	}
	f.mu.Unlock()
	writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid Form Body", "code": 50035, "errors": errs})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// CheckMessage checks a message body (posted, edited, or the data of an
// interaction response) against Discord's limits.
func CheckMessage(m map[string]any) []string {
	var errs []string
	if s, _ := m["content"].(string); utf8.RuneCountInString(s) > Content {
		errs = append(errs, fmt.Sprintf("content of %d characters, over %d", utf8.RuneCountInString(s), Content))
	}
	embeds, _ := m["embeds"].([]any)
	if len(embeds) > MaxEmbeds {
		errs = append(errs, fmt.Sprintf("%d embeds, over %d", len(embeds), MaxEmbeds))
	}
	total := 0
	for i, e := range embeds {
		em, _ := e.(map[string]any)
		d, _ := em["description"].(string)
		t, _ := em["title"].(string)
		n := utf8.RuneCountInString(d)
		if n > Description {
			errs = append(errs, fmt.Sprintf("embed %d: description of %d characters, over %d", i, n, Description))
		}
		fields, _ := em["fields"].([]any)
		if len(fields) > MaxFields {
			errs = append(errs, fmt.Sprintf("embed %d: %d fields, over %d", i, len(fields), MaxFields))
		}
		total += n + utf8.RuneCountInString(t)
	}
	if total > EmbedTotal {
		errs = append(errs, fmt.Sprintf("embeds of %d characters together, over %d", total, EmbedTotal))
	}
	if title, ok := m["title"].(string); ok && (utf8.RuneCountInString(title) > ModalTitle || title == "") { // a modal
		errs = append(errs, fmt.Sprintf("modal title %q (1 to %d)", title, ModalTitle))
	}
	if id, ok := m["custom_id"].(string); ok && (len(id) > CustomID || id == "") {
		errs = append(errs, fmt.Sprintf("custom_id %q (1 to %d)", id, CustomID))
	}
	rows, _ := m["components"].([]any)
	if len(rows) > MaxRows {
		errs = append(errs, fmt.Sprintf("%d action rows, over %d", len(rows), MaxRows))
	}
	ids := map[string]bool{}
	for i, r := range rows {
		rm, _ := r.(map[string]any)
		cs, _ := rm["components"].([]any)
		if len(cs) > RowButtons || len(cs) == 0 {
			errs = append(errs, fmt.Sprintf("row %d: %d components (1 to %d)", i, len(cs), RowButtons))
		}
		for _, c := range cs {
			cm, _ := c.(map[string]any)
			id, _ := cm["custom_id"].(string)
			if len(id) > CustomID || id == "" || ids[id] {
				errs = append(errs, fmt.Sprintf("row %d: custom_id %q empty, over %d or repeated", i, id, CustomID))
			}
			ids[id] = true
			label, _ := cm["label"].(string)
			switch cm["type"] {
			case float64(2): // button
				if utf8.RuneCountInString(label) > ButtonLabel || strings.TrimSpace(label) == "" {
					errs = append(errs, fmt.Sprintf("row %d: button label of %d characters", i, utf8.RuneCountInString(label)))
				}
			case float64(4): // text input
				if utf8.RuneCountInString(label) > InputLabel || label == "" {
					errs = append(errs, fmt.Sprintf("row %d: input label %q (1 to %d)", i, label, InputLabel))
				}
				if p, _ := cm["placeholder"].(string); utf8.RuneCountInString(p) > 100 {
					errs = append(errs, fmt.Sprintf("row %d: placeholder over 100", i))
				}
				v, _ := cm["value"].(string)
				max, _ := cm["max_length"].(float64)
				if max > 4000 || (max > 0 && float64(utf8.RuneCountInString(v)) > max) {
					errs = append(errs, fmt.Sprintf("row %d: value longer than max_length %v", i, max))
				}
			}
		}
	}
	return errs
}

// CheckResponse checks an interaction response (the HTTP answer).
func CheckResponse(r map[string]any) []string {
	data, _ := r["data"].(map[string]any)
	if data == nil {
		return nil
	}
	return CheckMessage(data)
}
