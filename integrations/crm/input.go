package crm

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cosellbot/cosellbot/bot/escape"
	"github.com/cosellbot/cosellbot/integrations/web"
)

// What the receiver refuses at the door, before anything is stored: text
// that no database column can hold (invalid UTF-8, NUL) fails the statement
// that carries it, and with group commit, the deliveries of other senders
// in the same batch. A 400 naming the header or field tells the sender what
// to fix.

// MaxKey bounds an event's dedup key (an event id, or a record id and a
// time).
const MaxKey = 512

// bounded is how every message that may quote a request is echoed, in the
// answer and in the log: escaped and short.
func bounded(msg string) string { return escape.Bound(msg, 0) }

// writeFieldError answers 400 naming the field.
func writeFieldError(w http.ResponseWriter, fe *FieldError) {
	web.WriteJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]string{
		"code": "invalid", "message": bounded(fe.Error()), "field": escape.Bound(fe.Field, 100),
	}})
}

// checkHeaders refuses a header value that is not valid UTF-8 or holds a
// control character (net/http already refuses most of those).
func checkHeaders(h http.Header) *FieldError {
	for k, vs := range h {
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return &FieldError{Field: k, Message: "is not valid UTF-8: send UTF-8 text (or ASCII)"}
			}
			if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
				return &FieldError{Field: k, Message: "holds a control character: send printable text"}
			}
		}
	}
	return nil
}

// checkBody refuses a body that is not UTF-8, holds a NUL byte, or (JSON)
// a string or name holding an escaped NUL (\u0000), naming where.
func checkBody(body []byte) *FieldError {
	if !utf8.Valid(body) {
		at := 0
		for at < len(body) {
			r, size := utf8.DecodeRune(body[at:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			at += size
		}
		return &FieldError{Field: "body", Message: "is not valid UTF-8 (at byte " + strconv.Itoa(at) + "): send UTF-8 JSON or XML"}
	}
	if i := bytes.IndexByte(body, 0); i >= 0 {
		return &FieldError{Field: "body", Message: "holds a NUL byte (at byte " + strconv.Itoa(i) + ")"}
	}
	if !bytes.Contains(body, []byte(`\u0000`)) {
		return nil // the common case: no need to walk the JSON
	}
	if path, found := jsonNUL(body); found {
		return &FieldError{Field: path, Message: `holds a NUL character (\u0000): send the value without it`}
	}
	return nil
}

// jsonNUL walks a JSON document and names the first string or member name
// holding a NUL, as a path such as fields.name or [2].objectId. A body that
// is not JSON is left to the source's decoder.
func jsonNUL(body []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		array bool
		index int
		key   string
		isKey bool // in an object, the next string is a member name
	}
	var stack []frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.array {
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		}
		if b.Len() == 0 {
			return "body"
		}
		return b.String()
	}
	// value is called after each complete value: the next one is a new
	// element or member name.
	value := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].array {
				stack[n-1].index++
			} else {
				stack[n-1].isKey = true
			}
		}
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) || err != nil {
			return "", false
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{isKey: true})
			case '[':
				stack = append(stack, frame{array: true})
			default:
				stack = stack[:len(stack)-1]
				value()
			}
		case string:
			if n := len(stack); n > 0 && !stack[n-1].array && stack[n-1].isKey {
				stack[n-1].key, stack[n-1].isKey = t, false
				if strings.IndexByte(t, 0) >= 0 {
					return path(), true
				}
				continue
			}
			if strings.IndexByte(t, 0) >= 0 {
				return path(), true
			}
			value()
		default:
			value()
		}
	}
}

// checkKey refuses an event whose dedup key cannot be stored or printed
// safely: not UTF-8, a control character, or longer than MaxKey.
func checkKey(h http.Header, key string) *FieldError {
	field := "event id"
	if id := h.Get(HeaderEventID); id != "" && strings.Contains(key, strings.TrimSpace(id)) {
		field = HeaderEventID
	}
	switch {
	case !utf8.ValidString(key):
		return &FieldError{Field: field, Message: "is not valid UTF-8: send UTF-8 text"}
	case !escape.Clean(key):
		return &FieldError{Field: field, Message: "holds a control or invisible character: send printable text"}
	case len(key) > MaxKey:
		return &FieldError{Field: field, Message: "is " + strconv.Itoa(len(key)) + " bytes long, more than " + strconv.Itoa(MaxKey)}
	}
	return nil
}

// keptHeaders are stored with the body besides every X-… header.
var keptHeaders = []string{"Content-Type", "User-Agent", "Authorization"}

// secretHeaders are never stored: they are the shared secret itself.
var secretHeaders = []string{"X-Cosellbot-Secret"}

// Redacted stands for a credential header's value in the stored headers:
// the row shows the header was sent, not what it held.
const Redacted = "[redacted]"

// credentialHeader reports a header whose value is a credential or proves
// one (a signature over a known body lets a weak secret be guessed
// offline): Authorization, cookies, API keys, tokens, signatures.
func credentialHeader(canon string) bool {
	switch canon {
	case "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie":
		return true
	}
	l := strings.ToLower(canon)
	for _, part := range []string{"signature", "secret", "token", "api-key", "apikey", "password", "auth", "cookie", "session"} {
		if strings.Contains(l, part) {
			return true
		}
	}
	return false
}

// storedHeaders is what the inbox keeps of a delivery's headers: every X-…
// header and a few useful others, with credentials redacted and the shared
// secret left out.
func storedHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for k, vs := range h {
		canon := http.CanonicalHeaderKey(k)
		if slices.Contains(secretHeaders, canon) {
			continue
		}
		if !strings.HasPrefix(canon, "X-") && !slices.Contains(keptHeaders, canon) {
			continue
		}
		if credentialHeader(canon) {
			out[canon] = Redacted
			continue
		}
		out[canon] = strings.Join(vs, ", ")
	}
	return out
}
