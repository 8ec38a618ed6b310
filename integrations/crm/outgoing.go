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
	"slices"
	"strconv"
	"time"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/chatkit"
)

// Upstreams tells several upstreams of each chat change, in order; the
// first refusal refuses the change.
type Upstreams []command.Upstream

// Push asks each upstream in turn and gathers their notices.
func (us Upstreams) Push(ctx context.Context, before, after *deal.Deal, ev deal.Event) ([]ledger.Notice, error) {
	var all []ledger.Notice
	for _, u := range us {
		ns, err := u.Push(ctx, before, after, ev)
		if err != nil {
			return nil, err
		}
		all = append(all, ns...)
	}
	return all, nil
}

// Target is a CRM that gets a signed webhook for each change made in chat
// to a deal linked to one of its records (the generic target gets every
// change).
type Target struct {
	Source string
	URL    string
	Secret []byte
}

// Platform is how outgoing webhooks are named in the outbox: a message to
// chat.Place{Platform: "webhook", Channel: SOURCE} is posted to that
// source's target.
const Platform = "webhook"

// Outgoing sends changes made in chat to CRMs as signed webhooks (the
// generic scheme, with X-Cosellbot-Origin carrying a token the echo is
// recognised by). Push makes each one a notice that goes to the outbox in
// the change's own transaction, so it survives a restart and is retried
// with backoff by the outbox dispatcher, which calls Send: Outgoing is the
// notifier of the "webhook" platform.
type Outgoing struct {
	targets []Target
	rec     Record
	echoes  *Echoes
	http    *http.Client
	clock   Clock
	log     *slog.Logger
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

// NewOutgoing builds a sender.
func NewOutgoing(targets []Target, rec Record, echoes *Echoes, hc *http.Client, clock Clock, log *slog.Logger) *Outgoing {
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	if log == nil {
		log = slog.Default()
	}
	return &Outgoing{targets: targets, rec: rec, echoes: echoes, http: hc, clock: clock, log: log}
}

// Push returns a webhook notice for each target that follows the deal; the
// change and its webhooks are stored together or not at all.
func (o *Outgoing) Push(ctx context.Context, _, d *deal.Deal, ev deal.Event) ([]ledger.Notice, error) {
	if len(o.targets) == 0 {
		return nil, nil
	}
	links, err := o.rec.SyncStatesOfDeal(ctx, d.ID)
	if err != nil {
		return nil, fmt.Errorf("reading which CRMs follow deal #%d: %w", d.ID, err)
	}
	now := o.clock.Now()
	var notices []ledger.Notice
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
			return nil, fmt.Errorf("encoding the webhook of deal #%d: %w", d.ID, err)
		}
		notices = append(notices, ledger.Notice{
			Key: token, Subject: "deal:" + strconv.FormatInt(d.ID, 10), Kind: "webhook", Text: string(body),
			Places: []chat.Place{{Platform: Platform, Channel: t.Source}},
		})
	}
	return notices, nil
}

// Send posts one outgoing webhook, signed, to its source's target; the
// outbox dispatcher retries what fails and gives up on what cannot work.
func (o *Outgoing) Send(ctx context.Context, m chat.Message) (string, error) {
	i := slices.IndexFunc(o.targets, func(t Target) bool { return t.Source == m.To.Channel })
	if i < 0 {
		return "", chat.Permanent(fmt.Errorf("crm: no outgoing webhook is configured for %q", m.To.Channel))
	}
	t := o.targets[i]
	body := []byte(m.Text)
	var head struct {
		EventID string `json:"event_id"`
	}
	if err := json.Unmarshal(body, &head); err != nil || head.EventID == "" {
		return "", chat.Permanent(fmt.Errorf("crm: webhook to %s: not an outgoing webhook body", t.Source))
	}
	ts := strconv.FormatInt(o.clock.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return "", chat.Permanent(fmt.Errorf("crm: webhook to %s: %w", t.Source, err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(t.Secret, ts, body))
	req.Header.Set(HeaderEventID, head.EventID)
	req.Header.Set(HeaderOrigin, head.EventID)
	resp, err := o.http.Do(req)
	if err != nil {
		return "", chatkit.Classify(o.clock.Now(), 0, "", fmt.Errorf("crm: webhook to %s: %w", t.Source, err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	// The verdict every outbound call shares: 4xx is final except 408/429.
	if err := chatkit.Classify(o.clock.Now(), resp.StatusCode, resp.Header.Get("Retry-After"), fmt.Errorf("crm: webhook to %s: %s", t.Source, resp.Status)); err != nil {
		return "", err
	}
	return head.EventID, nil
}

// newToken is a random change token.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "cosellbot-" + hex.EncodeToString(b[:])
}
