package crm

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/redact"
	"github.com/cosellbot/cosellbot/integrations/chatkit"
)

// Target is where cosellbot writes a CRM's records: a signed webhook
// (the generic scheme) that the partner's CRM side (a Power Automate flow, a
// Salesforce flow, a HubSpot workflow) applies to the record, named by its
// id and fields named as the mapping names them.
type Target struct {
	Source  string
	URL     string
	Secret  []byte
	Mapping *Mapping
}

// Writer writes deals to a CRM's target: it is the change.Writer of that
// CRM, called by the syncer with what the record lacks of its deal.
type Writer struct {
	t     Target
	http  *http.Client
	clock Clock
}

// NewWriter builds the writer of one target.
func NewWriter(t Target, hc *http.Client, clock Clock) *Writer {
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	return &Writer{t: t, http: hc, clock: clock}
}

// Synced is what the writer writes (change.Engine's systems).
func (w *Writer) Synced() []change.Field { return w.t.Mapping.Synced() }

// Message is the JSON body of an outgoing webhook.
type Message struct {
	EventID    string            `json:"event_id"`
	Type       string            `json:"type"` // deal.sync
	OccurredAt time.Time         `json:"occurred_at"`
	Source     string            `json:"source"`    // the CRM the record is in
	RecordID   string            `json:"record_id"` // the CRM's record id
	Fields     map[string]string `json:"fields"`    // CRM field name → value to set
	Deal       command.DealView  `json:"deal"`      // the whole deal, for reference
}

// Write posts the fields the record lacks, signed; a 2xx means the CRM side
// took them. 4xx other than 408 and 429 are final; the rest is retried by
// the syncer with the deal's state at that time.
func (w *Writer) Write(ctx context.Context, l change.Link, d *deal.Deal, v change.Values) (change.Written, error) {
	now := w.clock.Now()
	fields, skipped := w.t.Mapping.Outgoing(d, v, l.Shadow)
	if len(fields) == 0 {
		// What the record lacked, it holds in its own terms (its stage
		// value reads as the deal's stage), or cannot hold (skipped):
		// nothing to send.
		return change.Written{Skipped: skipped}, nil
	}
	id := newToken()
	body, err := json.Marshal(Message{
		EventID: id, Type: "deal.sync", OccurredAt: now, Source: w.t.Source, RecordID: l.RecordID,
		Fields: fields, Deal: command.View(d),
	})
	if err != nil {
		return change.Written{Skipped: skipped}, chat.Permanent(fmt.Errorf("crm: encoding the write to %s: %w", w.t.Source, err))
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.t.URL, bytes.NewReader(body))
	if err != nil {
		return change.Written{Skipped: skipped}, chat.Permanent(fmt.Errorf("crm: webhook to %s: %w", w.t.Source, redacted{err}))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(w.t.Secret, ts, body))
	req.Header.Set(HeaderEventID, id)
	resp, err := w.http.Do(req)
	if err != nil {
		return change.Written{Skipped: skipped}, chatkit.Classify(now, 0, "", fmt.Errorf("crm: webhook to %s: %w", w.t.Source, redacted{err}))
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	why := resp.Status
	if ex := Excerpt(answer); ex != "" && (resp.StatusCode < 200 || resp.StatusCode > 299) {
		// What the CRM side said is wrong (a Power Automate flow's or a
		// HubSpot workflow's error) is the one clue to the fix: kept in
		// the error, it reaches the log and `cosellbot sync DEAL`.
		why += ": " + ex
	}
	// The verdict every outbound call shares (chatkit.Classify): 4xx is
	// final except 408/429; Retry-After honoured, in seconds or as a date.
	if err := chatkit.Classify(now, resp.StatusCode, resp.Header.Get("Retry-After"), fmt.Errorf("crm: webhook to %s: %s", w.t.Source, why)); err != nil {
		return change.Written{Skipped: skipped}, err
	}
	return change.Written{Skipped: skipped}, nil
}

// MaxExcerpt is how many characters of a refusing answer's body Excerpt
// keeps.
const MaxExcerpt = 300

// Excerpt is a response body as an error may quote it: at most MaxExcerpt
// characters, on one line (line breaks, tabs and runs of spaces become one
// space), without control or invisible formatting characters (dropped) or
// invalid UTF-8, and with the credentials of any URL in it hidden
// (redact.Text, which hides a key's value up to the next space).
// The body comes from outside: it must not break a log line or a
// terminal, nor fill sync_work.last_error.
func Excerpt(body []byte) string {
	s := strings.ToValidUTF8(string(body), "\uFFFD")
	var b strings.Builder
	n, space := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue // an escape sequence's ESC, a bidi override: dropped
		}
		if n >= MaxExcerpt {
			b.WriteString("…")
			break
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return redact.Text(b.String())
}

// redacted is an error whose text has the credentials of any URL in it
// hidden (a ?code= key of WEBHOOK_OUT_URL_*, say): the net/http errors
// quote the whole URL, and the text goes to logs and sync_work.last_error.
type redacted struct{ err error }

func (r redacted) Error() string { return redact.Text(r.err.Error()) }
func (r redacted) Unwrap() error { return r.err }

// newToken is a random event id.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "cosellbot-" + hex.EncodeToString(b[:])
}
