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
	"errors"
	"fmt"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/integrations/crm"
	pc "github.com/cosellbot/cosellbot/integrations/partnercenter"
)

// Name is the source's name, and the actor of the changes it makes.
const Name = "partnercenter"

// Referrals is what the source needs of the Referrals API.
type Referrals interface {
	Get(ctx context.Context, id string) (*pc.Referral, error)
	Page(ctx context.Context, since time.Time, next string) ([]pc.Referral, string, error)
	Patch(ctx context.Context, id, eTag string, ops []pc.Op) (*pc.Referral, error)
	Create(ctx context.Context, r *pc.Referral) (*pc.Referral, error)
}

// Record is what the source reads of the durable record, with the poll's
// cursor.
type Record interface {
	Solutions(ctx context.Context) ([]deal.Solution, error)
	DealByExternalID(ctx context.Context, id string) (*deal.Deal, error)
	// DealsBeingCreated are the deals whose referral cosellbot asked
	// Partner Center to create and has no answer for yet.
	DealsBeingCreated(ctx context.Context, system string) ([]*deal.Deal, error)
	Cursor(ctx context.Context, name string) (change.Cursor, error)
	SaveCursor(ctx context.Context, name string, c change.Cursor) error
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
	engine *change.Engine
	clock  crm.Clock
	log    *slog.Logger
	// location is the MPN location of referrals that name none (no mpnId).
	location string
	mu       sync.Mutex // one referral applied at a time: webhooks, the poll and write-back refetches
}

// New builds the source. secret (WEBHOOK_SECRET_PARTNERCENTER) must be in
// the ?secret= query of the URL registered with Partner Center, on top of
// the RSA signature. location is the MPN location given to referrals that
// carry none (PARTNERCENTER_DEFAULT_LOCATION).
func New(secret string, certs *Certs, api Referrals, rec Record, engine *change.Engine, location string, clock crm.Clock, log *slog.Logger) *Source {
	if log == nil {
		log = slog.Default()
	}
	return &Source{secret: []byte(secret), certs: certs, api: api, rec: rec, engine: engine, location: location, clock: clock, log: log}
}

// Name is "partnercenter".
func (s *Source) Name() string { return Name }

// Fetches is true: applying a notification fetches the referral, so its
// events are applied one at a time, outside any page's transaction.
func (s *Source) Fetches() bool { return true }

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

// Record is the referral a notification is about, as its link names it,
// or "" for another event (crm.Recorder): `cosellbot sync DEAL` lists a
// linked referral's failed notifications by it, as it lists a CRM
// record's. The processor applies Partner Center's events one at a time
// (Fetches), so it reads no page's records by it.
func (s *Source) Record(e ledger.InboxEntry) string {
	_, id, _, err := DecodeNotification(e.Body)
	if err != nil {
		return ""
	}
	return id
}

// Apply fetches the notified referral and merges it. A notification older
// than what was applied from the referral is stale without a fetch; a
// related-referral event is about the same engagement's referral of
// another partner, which is fetched and merged like any other (it is
// linked by its own id, so one engagement never makes two deals of ours).
func (s *Source) Apply(ctx context.Context, e ledger.InboxEntry) (crm.Result, error) {
	_, id, at, err := DecodeNotification(e.Body)
	if err != nil {
		return crm.Result{}, err
	}
	if id == "" {
		return crm.Ignored("not a referral event"), nil
	}
	if l, err := s.engine.Link(ctx, Name, id); err == nil && at.Before(l.Seen) {
		return crm.Stale("changed %s, before the version applied last (%s)", at.Format(time.RFC3339Nano), l.Seen.Format(time.RFC3339Nano)), nil
	}
	ref, err := s.api.Get(ctx, id)
	var apiErr *pc.APIError
	if errors.As(err, &apiErr) && apiErr.Status/100 == 4 && apiErr.Status != http.StatusRequestTimeout && apiErr.Status != http.StatusTooManyRequests {
		return crm.Result{}, chat.Permanent(fmt.Errorf("fetching referral %s: %w", id, err)) // retrying will not help
	}
	if err != nil {
		return crm.Result{}, fmt.Errorf("fetching referral %s: %w", id, err) // retried with backoff
	}
	if n, _, _, _ := DecodeNotification(e.Body); strings.HasPrefix(strings.ToLower(n.EventName), "related-referral") {
		// Another party's referral in one of our engagements (Microsoft's
		// side of a co-sell, say): it updates a deal only when it is one of
		// ours; it never makes a second deal of the engagement.
		if _, err := s.rec.DealByExternalID(ctx, ref.ID); err != nil {
			if !isNotFound(err) {
				return crm.Result{}, err
			}
			return crm.Ignored("related referral %s (engagement %s, of %s) is another party's: no deal of ours is made of it", ref.ID, ref.EngagementID, orgName(ref)), nil
		}
	}
	return s.ApplyReferral(ctx, ref)
}

// cursorName names the poll's cursor.
const cursorName = "partnercenter-poll"

// PollOverlap is how far each poll reaches back before the newest update
// it applied, so that a referral updated in the same instant as the last
// one seen, or listed late, is not missed; merging one twice is harmless.
const PollOverlap = 2 * time.Minute

// maxPollPages bounds the pages of one poll; the next poll resumes there.
const maxPollPages = 50

// Poll merges every referral updated since the poll's own cursor (moved
// only by what the poll itself applied, never by webhooks), page by page:
// a failed page is resumed, not refetched from the start, and a referral
// that failed to apply holds the cursor back so the next poll tries it
// again. It returns how many changed a deal, and the failures.
func (s *Source) Poll(ctx context.Context) (applied int, failures []error, err error) {
	cur, err := s.rec.Cursor(ctx, cursorName)
	if err != nil {
		return 0, nil, err
	}
	since := cur.At
	if !since.IsZero() {
		since = since.Add(-PollOverlap)
	}
	newest, held := cur.At, time.Time{}
	next := cur.Next
	for page := 0; page < maxPollPages; page++ {
		refs, link, err := s.api.Page(ctx, since, next)
		if err != nil {
			_ = s.rec.SaveCursor(ctx, cursorName, change.Cursor{At: cur.At, Next: next})
			return applied, failures, fmt.Errorf("listing referrals updated since %s: %w", since.Format(time.RFC3339), err)
		}
		for i := range refs {
			res, err := s.ApplyReferral(ctx, &refs[i])
			up := timeOr(refs[i].UpdatedDateTime, time.Time{})
			if err != nil {
				failures = append(failures, fmt.Errorf("referral %s: %w", refs[i].ID, err))
				if held.IsZero() || up.Before(held) {
					held = up
				}
				continue
			}
			if res.Status == ledger.InboxProcessed {
				applied++
			}
			if up.After(newest) {
				newest = up
			}
		}
		if link == "" {
			next = ""
			break
		}
		next = link
		if err := s.rec.SaveCursor(ctx, cursorName, change.Cursor{At: cur.At, Next: next}); err != nil {
			return applied, failures, err
		}
	}
	if !held.IsZero() && held.Before(newest) {
		newest = held.Add(-time.Nanosecond)
	}
	if next != "" {
		newest = cur.At // mid-listing: the cursor moves once the listing ends
	}
	return applied, failures, s.rec.SaveCursor(ctx, cursorName, change.Cursor{At: newest, Next: next})
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

// orgName names the organization a referral belongs to.
func orgName(r *pc.Referral) string {
	if r.OrganizationName != "" {
		return r.OrganizationName
	}
	if r.OrganizationID != "" {
		return r.OrganizationID
	}
	return "another organization"
}
