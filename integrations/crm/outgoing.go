package crm

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
)

// Upstreams tells several upstreams of each chat change, in order; the
// first refusal refuses the change.
type Upstreams []command.Upstream

// Push asks each upstream in turn.
func (us Upstreams) Push(ctx context.Context, before, after *deal.Deal, ev deal.Event) error {
	for _, u := range us {
		if err := u.Push(ctx, before, after, ev); err != nil {
			return err
		}
	}
	return nil
}

// Pushed tells each upstream.
func (us Upstreams) Pushed(ctx context.Context, d *deal.Deal, ev deal.Event) {
	for _, u := range us {
		u.Pushed(ctx, d, ev)
	}
}

// Target is a CRM that gets a signed webhook for each change made in chat
// to a deal linked to one of its records (the generic target gets every
// change).
type Target struct {
	Source string
	URL    string
	Secret []byte
}

// Outgoing sends changes made in chat to CRMs as signed webhooks (the
// generic scheme, with X-Cosellbot-Origin carrying a token the echo is
// recognised by). Sending happens in Run, off the chat's path, with retries.
type Outgoing struct {
	targets []Target
	rec     Record
	echoes  *Echoes
	http    *http.Client
	clock   Clock
	log     *slog.Logger
	queue   chan outMessage
}

// Message is the JSON body of an outgoing webhook.
type Message struct {
	EventID    string           `json:"event_id"`
	Origin     string           `json:"origin"`
	Type       string           `json:"type"` // deal.<action>: deal.accepted, deal.stage, deal.won…
	OccurredAt time.Time        `json:"occurred_at"`
	RecordID   string           `json:"record_id,omitempty"` // the CRM's record id, when linked
	Detail     string           `json:"detail"`
	Deal       command.DealView `json:"deal"`
}

type outMessage struct {
	target Target
	id     string
	body   []byte
}

// outAttempts is how many times a webhook is tried before it is given up
// (and logged).
const outAttempts = 5

// NewOutgoing builds a sender; Run delivers.
func NewOutgoing(targets []Target, rec Record, echoes *Echoes, hc *http.Client, clock Clock, log *slog.Logger) *Outgoing {
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	if log == nil {
		log = slog.Default()
	}
	return &Outgoing{targets: targets, rec: rec, echoes: echoes, http: hc, clock: clock, log: log, queue: make(chan outMessage, 1024)}
}

// Push changes nothing upstream before the change is stored: CRMs hear of
// stored changes only.
func (o *Outgoing) Push(context.Context, *deal.Deal, *deal.Deal, deal.Event) error { return nil }

// Pushed queues a webhook to each target that follows the deal.
func (o *Outgoing) Pushed(ctx context.Context, d *deal.Deal, ev deal.Event) {
	if len(o.targets) == 0 {
		return
	}
	links, err := o.rec.SyncStatesOfDeal(ctx, d.ID)
	if err != nil {
		o.log.ErrorContext(ctx, "outgoing webhook: cannot read the deal's links", "deal", d.ID, "err", err)
		return
	}
	now := o.clock.Now()
	for _, t := range o.targets {
		record := ""
		for _, l := range links {
			if l.Source == t.Source {
				record = l.ExternalID
			}
		}
		if record == "" && d.CRMID != "" && t.Source != "partnercenter" {
			record = d.CRMID
		}
		if record == "" && t.Source != "generic" {
			continue
		}
		token := newToken()
		o.echoes.Remember(token, now)
		body, err := json.Marshal(Message{
			EventID: token, Origin: token, Type: "deal." + ev.Action, OccurredAt: now,
			RecordID: record, Detail: ev.Detail, Deal: command.View(d),
		})
		if err != nil {
			o.log.ErrorContext(ctx, "outgoing webhook: encode", "deal", d.ID, "err", err)
			continue
		}
		select {
		case o.queue <- outMessage{target: t, id: token, body: body}:
		default:
			o.log.ErrorContext(ctx, "outgoing webhook dropped: the queue is full", "target", t.Source, "deal", d.ID, "event", ev.Action)
		}
	}
}

// Run delivers queued webhooks until ctx ends, retrying failures with
// exponential backoff.
func (o *Outgoing) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case m := <-o.queue:
			o.deliver(ctx, m)
		}
	}
}

func (o *Outgoing) deliver(ctx context.Context, m outMessage) {
	wait := time.Second
	for attempt := 1; ; attempt++ {
		err := o.send(ctx, m)
		if err == nil {
			return
		}
		if attempt == outAttempts || ctx.Err() != nil {
			o.log.ErrorContext(ctx, "outgoing webhook given up", "target", m.target.Source, "event_id", m.id, "attempts", attempt, "err", err)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait *= 4
	}
}

func (o *Outgoing) send(ctx context.Context, m outMessage) error {
	ts := strconv.FormatInt(o.clock.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.target.URL, bytes.NewReader(m.body))
	if err != nil {
		return fmt.Errorf("crm: webhook to %s: %w", m.target.Source, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(m.target.Secret, ts, m.body))
	req.Header.Set(HeaderEventID, m.id)
	req.Header.Set(HeaderOrigin, m.id)
	resp, err := o.http.Do(req)
	if err != nil {
		return fmt.Errorf("crm: webhook to %s: %w", m.target.Source, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("crm: webhook to %s: %s", m.target.Source, resp.Status)
	}
	return nil
}

// newToken is a random change token.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "cosellbot-" + hex.EncodeToString(b[:])
}
