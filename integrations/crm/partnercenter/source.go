// Package partnercenter receives Partner Center's referral webhooks and
// keeps deals in step with referrals: a notification names a referral, which
// is fetched from the configured Referrals API (never from the host in the
// notification), mapped to a deal and created or advanced through the deal
// rules. A poll of the referrals updated since the last one applied is the
// backstop for notifications Partner Center gave up on. Changes made in
// chat go back to Partner Center as PATCHes with If-Match (see Writer).
package partnercenter

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cosellbot/cosellbot/integrations/crm"
	pc "github.com/cosellbot/cosellbot/integrations/partnercenter"
)

// Name is the source's name, and the actor of the changes it makes.
const Name = "partnercenter"

// Referrals is what the source needs of the Referrals API.
type Referrals interface {
	Get(ctx context.Context, id string) (*pc.Referral, error)
	UpdatedSince(ctx context.Context, since time.Time) ([]pc.Referral, error)
	Patch(ctx context.Context, id, eTag string, ops []pc.Op) (*pc.Referral, error)
}

// Record is the durable record, with the poll's resume point.
type Record interface {
	crm.Record
	LastModified(ctx context.Context, source string) (time.Time, error)
}

// Notification is the body Partner Center posts: it names the referral that
// changed, not its content.
type Notification struct {
	EventName             string  `json:"EventName"`
	ResourceURI           string  `json:"ResourceUri"`
	ResourceName          string  `json:"ResourceName"`
	AuditURI              *string `json:"AuditUri"`
	ResourceChangeUtcDate string  `json:"ResourceChangeUtcDate"`
}

// referralEvents are the notifications about referrals.
var referralEvents = []string{"referral-created", "referral-updated", "related-referral-created", "related-referral-updated"}

func isReferralEvent(name string) bool {
	for _, e := range referralEvents {
		if strings.EqualFold(e, name) {
			return true
		}
	}
	return false
}

// Source verifies notifications and applies referrals.
type Source struct {
	secret []byte // checked against ?secret= of the registered URL, besides the signature
	certs  *Certs
	api    Referrals
	rec    Record
	clock  crm.Clock
	log    *slog.Logger
	mu     sync.Mutex // one referral applied at a time: webhooks, the poll and write-back refetches
}

// New builds the source. secret (WEBHOOK_SECRET_PARTNERCENTER) must be in
// the ?secret= query of the URL registered with Partner Center, on top of
// the RSA signature.
func New(secret string, certs *Certs, api Referrals, rec Record, clock crm.Clock, log *slog.Logger) *Source {
	if log == nil {
		log = slog.Default()
	}
	return &Source{secret: []byte(secret), certs: certs, api: api, rec: rec, clock: clock, log: log}
}

// Name is "partnercenter".
func (s *Source) Name() string { return Name }

// DecodeNotification parses and checks a notification; errors name the
// field. For referral events it returns the referral id and change time.
func DecodeNotification(body []byte) (Notification, string, time.Time, error) {
	var n Notification
	if err := json.Unmarshal(body, &n); err != nil {
		return n, "", time.Time{}, crm.Malformed("body", "not a Partner Center notification: %v", err)
	}
	if n.EventName == "" {
		return n, "", time.Time{}, crm.Malformed("EventName", "required")
	}
	if !isReferralEvent(n.EventName) {
		return n, "", time.Time{}, nil
	}
	id, err := pc.IDFromURI(n.ResourceURI)
	if err != nil {
		return n, "", time.Time{}, crm.Malformed("ResourceUri", "%v", err)
	}
	at, err := time.Parse(time.RFC3339Nano, n.ResourceChangeUtcDate)
	if err != nil {
		return n, "", time.Time{}, crm.Malformed("ResourceChangeUtcDate", "%q is not an RFC 3339 time", n.ResourceChangeUtcDate)
	}
	return n, id, at.UTC(), nil
}

// Decode reads one notification; its dedup key is event + referral + change
// time. Events other than referral ones are acknowledged and ignored.
func (s *Source) Decode(_ *http.Request, body []byte) ([]crm.Event, error) {
	n, id, at, err := DecodeNotification(body)
	if err != nil {
		return nil, err
	}
	if id == "" {
		return []crm.Event{{Key: n.EventName + "|" + n.ResourceURI + "|" + n.ResourceChangeUtcDate, Body: body, Ignore: fmt.Sprintf("event %q is not about referrals", n.EventName)}}, nil
	}
	return []crm.Event{{Key: strings.ToLower(n.EventName) + "|" + id + "|" + at.Format(time.RFC3339Nano), Body: body}}, nil
}

// Ack answers 200.
func (s *Source) Ack(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) }

// Apply fetches the notified referral and applies it.
func (s *Source) Apply(ctx context.Context, e ledger.InboxEntry) (crm.Result, error) {
	_, id, at, err := DecodeNotification(e.Body)
	if err != nil {
		return crm.Result{}, err
	}
	if id == "" {
		return crm.Ignored("not a referral event"), nil
	}
	st, err := s.rec.SyncState(ctx, Name, id)
	if err != nil && !isNotFound(err) {
		return crm.Result{}, err
	}
	if at.Before(st.ModifiedAt) {
		return crm.Stale("changed %s, before the version applied last (%s)", at.Format(time.RFC3339Nano), st.ModifiedAt.Format(time.RFC3339Nano)), nil
	}
	ref, err := s.api.Get(ctx, id)
	if err != nil {
		return crm.Result{}, fmt.Errorf("fetching referral %s: %w", id, err)
	}
	return s.ApplyReferral(ctx, ref)
}

// Poll applies every referral updated since the last one applied; it
// returns how many were applied and the failures.
func (s *Source) Poll(ctx context.Context) (applied int, failures []error, err error) {
	since, err := s.rec.LastModified(ctx, Name)
	if err != nil {
		return 0, nil, err
	}
	refs, err := s.api.UpdatedSince(ctx, since)
	if err != nil {
		return 0, nil, fmt.Errorf("listing referrals updated since %s: %w", since.Format(time.RFC3339), err)
	}
	for i := range refs {
		res, err := s.ApplyReferral(ctx, &refs[i])
		if err != nil {
			failures = append(failures, fmt.Errorf("referral %s: %w", refs[i].ID, err))
			continue
		}
		if res.Status == ledger.InboxProcessed {
			applied++
		}
	}
	return applied, failures, nil
}

// PollEvery is how often the backstop polls.
const PollEvery = 5 * time.Minute

// RunPoller polls every interval until ctx ends.
func (s *Source) RunPoller(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, failures, err := s.Poll(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.ErrorContext(ctx, "partner center poll", "err", err)
		case n > 0 || len(failures) > 0:
			s.log.InfoContext(ctx, "partner center poll", "applied", n, "failed", len(failures))
		}
		for _, f := range failures {
			s.log.WarnContext(ctx, "partner center poll: referral not applied", "err", f)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
