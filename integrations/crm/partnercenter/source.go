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
	"slices"
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
	From(ctx context.Context, since time.Time) ([]pc.Referral, string, error)
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

// PollOverlap is how far a poll that starts a new listing reaches back
// before the newest update the last one passed, so that a referral listed
// late (after later ones were listed) is not missed; merging one twice is
// harmless.
const PollOverlap = 2 * time.Minute

// maxPollPages bounds the listing requests of one poll; the next poll
// resumes where it stopped.
const maxPollPages = 50

// maxHeld bounds the failed referrals the poll retries by id. Past it (a
// fault that fails every referral, say) the poll holds back at the next
// failure instead, and tries it again from there.
const maxHeld = 50

// pollState is what the poll's cursor keeps besides its position's time
// (change.Cursor.At), as JSON in change.Cursor.Next.
type pollState struct {
	// Ties are the referrals passed at exactly the position's time (their
	// updatedDateTime to the microsecond, as the database keeps times): a
	// listing from that time lists them again, and they are skipped.
	Ties []string `json:"ties,omitempty"`
	// Walking says the last poll stopped at its page budget: the next one
	// resumes at the position exactly, without reaching back, so that
	// each poll gets further however many referrals PollOverlap holds.
	Walking bool `json:"walking,omitempty"`
	// Held are the referrals that failed to apply: retried by id at every
	// poll until they apply (or Partner Center no longer has them), while
	// the listing moves on.
	Held []string `json:"held,omitempty"`
}

// readPollState reads the cursor's Next. An older cosellbot kept the
// listing's next link there, a $skip that referrals updated since have
// shifted: it is dropped, and the listing starts again from the cursor's
// time (then the time the interrupted listing started from).
func readPollState(next string) pollState {
	var st pollState
	if strings.HasPrefix(next, "{") && json.Unmarshal([]byte(next), &st) == nil {
		return st
	}
	return pollState{}
}

func (st pollState) String() string {
	if len(st.Ties) == 0 && !st.Walking && len(st.Held) == 0 {
		return ""
	}
	b, _ := json.Marshal(st)
	return string(b)
}

// listed is a referral's place in the listing: its updatedDateTime, to the
// microsecond the cursor keeps.
func listed(r *pc.Referral) time.Time {
	return timeOr(r.UpdatedDateTime, time.Time{}).Truncate(time.Microsecond)
}

// position is how far a poll has read the listing: every referral updated
// before at, and those of ties at at.
type position struct {
	at   time.Time
	ties map[string]bool
}

func (p *position) passed(r *pc.Referral) bool { return listed(r).Equal(p.at) && p.ties[r.ID] }

func (p *position) pass(r *pc.Referral) {
	switch at := listed(r); {
	case at.After(p.at):
		p.at, p.ties = at, map[string]bool{r.ID: true}
	case at.Equal(p.at):
		p.ties[r.ID] = true
	}
}

func (p *position) tied() []string {
	out := make([]string, 0, len(p.ties))
	for id := range p.ties {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// walk reads the referrals updated from pos on, oldest update first, and
// gives visit each one pos has not passed yet; pos passes it when visit
// says to go on. Each request asks for the referrals updated at or after
// the newest update read so far (skipping the ones of that very instant
// already read), rather than following the listing's next links: those
// are positions, which a referral updated meanwhile shifts, so that a walk
// by links skipped as many referrals as had changed. A page of referrals
// all updated at one instant is read on by its link, there being no later
// time to ask from. The walk stops when visit says so or fails, after
// pages requests, or at the listing's end; ended says it got there.
func (s *Source) walk(ctx context.Context, pos *position, pages int, visit func(r *pc.Referral) (goOn bool, err error)) (ended bool, err error) {
	link := ""
	for range pages {
		var refs []pc.Referral
		var next string
		if link == "" {
			refs, next, err = s.api.From(ctx, pos.at)
		} else {
			refs, next, err = s.api.Page(ctx, time.Time{}, link)
		}
		if err != nil {
			return false, fmt.Errorf("listing referrals updated since %s: %w", pos.at.Format(time.RFC3339Nano), err)
		}
		start, oneInstant := pos.at, true
		for i := range refs {
			r := &refs[i]
			if !listed(r).Equal(start) {
				oneInstant = false
			}
			if pos.passed(r) {
				continue
			}
			if goOn, err := visit(r); err != nil || !goOn {
				return false, err
			}
			pos.pass(r)
		}
		if next == "" {
			return true, nil
		}
		link = ""
		if oneInstant {
			link = next // all of one instant: no later time to ask from
		}
	}
	return false, nil
}

// Poll merges every referral updated since the poll's own cursor (moved
// only by what the poll itself read, never by webhooks), walking the
// listing by time (see walk) for at most maxPollPages requests; the next
// poll resumes where it stopped. A referral that fails to apply is retried
// by id at every poll until it applies; the listing goes on without it.
// It returns how many changed a deal, and the failures.
func (s *Source) Poll(ctx context.Context) (applied int, failures []error, err error) {
	cur, err := s.rec.Cursor(ctx, cursorName)
	if err != nil {
		return 0, nil, err
	}
	st := readPollState(cur.Next)
	applied, failures, held := s.retryHeld(ctx, st.Held)
	pos := position{at: cur.At, ties: map[string]bool{}}
	if !st.Walking && !cur.At.IsZero() {
		pos.at = cur.At.Add(-PollOverlap) // a new listing: reach back
	} else {
		for _, id := range st.Ties {
			pos.ties[id] = true
		}
	}
	ended, err := s.walk(ctx, &pos, maxPollPages, func(r *pc.Referral) (bool, error) {
		res, err := s.ApplyReferral(ctx, r)
		switch {
		case err == nil:
			held = slices.DeleteFunc(held, func(id string) bool { return id == r.ID })
			if res.Status == ledger.InboxProcessed {
				applied++
			}
		case slices.Contains(held, r.ID):
			failures = append(failures, fmt.Errorf("referral %s: %w", r.ID, err))
		case len(held) >= maxHeld:
			// So many fail that something is wrong with all of them:
			// hold back here rather than keep a list without end.
			failures = append(failures, fmt.Errorf("referral %s: %w (the poll holds back here: %d failed referrals wait already)", r.ID, err, len(held)))
			return false, nil
		default:
			held = append(held, r.ID)
			failures = append(failures, fmt.Errorf("referral %s: %w", r.ID, err))
		}
		return true, nil
	})
	serr := s.saveCursor(ctx, cur, pos.at, pollState{Ties: pos.tied(), Walking: !ended, Held: held})
	if err != nil {
		if serr != nil {
			s.log.ErrorContext(ctx, "partner center poll: cursor not saved", "err", serr)
		}
		return applied, failures, err
	}
	return applied, failures, serr
}

// maxCursorSaves bounds the saves of one poll's cursor that other
// replicas' saves refuse in turn; whatever is left, the next poll does.
const maxCursorSaves = 5

// saveCursor saves where the poll got to (at, st) over the cursor it read.
// When another replica's poll saved it meanwhile, the save is refused (a
// version conflict): the cursor is read again, the two merged (see merged)
// and saved over that. The last save simply winning dropped the failed
// referrals the other poll held for retry.
func (s *Source) saveCursor(ctx context.Context, read change.Cursor, at time.Time, st pollState) error {
	version := read.Version
	for range maxCursorSaves {
		err := s.rec.SaveCursor(ctx, cursorName, change.Cursor{At: at, Next: st.String(), Version: version})
		if !errors.Is(err, ledger.ErrConflict) {
			return err
		}
		other, err := s.rec.Cursor(ctx, cursorName)
		if err != nil {
			return err
		}
		at, st = merged(other, at, st)
		version = other.Version
	}
	return fmt.Errorf("partner center poll: the cursor was saved by other replicas %d times while this poll saved: %w", maxCursorSaves, ledger.ErrConflict)
}

// merged is the cursor of two polls that ran at once: other, as another
// replica saved it, and this poll's (at, st). No failed referral either
// holds is dropped: one that this poll applied and the other held is
// retried once more, harmlessly, where dropping one lost it. The position
// is the further one, as each poll handled every referral before its own
// (applied or held); at the same time, past the ties of both, reaching
// back unless both were walking.
func merged(other change.Cursor, at time.Time, st pollState) (time.Time, pollState) {
	ot := readPollState(other.Next)
	out := pollState{Held: slices.Clone(st.Held)}
	for _, id := range ot.Held {
		if !slices.Contains(out.Held, id) {
			out.Held = append(out.Held, id)
		}
	}
	switch {
	case other.At.After(at):
		at, out.Ties, out.Walking = other.At, ot.Ties, ot.Walking
	case other.At.Equal(at):
		ties := append(slices.Clone(st.Ties), ot.Ties...)
		slices.Sort(ties)
		out.Ties = slices.Compact(ties)
		out.Walking = st.Walking && ot.Walking
	default:
		out.Ties, out.Walking = st.Ties, st.Walking
	}
	return at, out
}

// retryHeld applies again the referrals that failed at earlier polls,
// fetched as they are now. It returns how many changed a deal, the
// failures, and the referrals still failing. One Partner Center no longer
// answers for (404, 403) is dropped, said once as a failure; when Partner
// Center cannot answer (a network error, 429, 5xx), the rest wait for the
// next poll untried.
func (s *Source) retryHeld(ctx context.Context, held []string) (applied int, failures []error, still []string) {
	for i, id := range held {
		r, err := s.api.Get(ctx, id)
		var apiErr *pc.APIError
		isAPI := errors.As(err, &apiErr)
		switch {
		case isAPI && (apiErr.Status == http.StatusNotFound || apiErr.Status == http.StatusForbidden):
			failures = append(failures, fmt.Errorf("referral %s: no longer retried: %w", id, err))
			continue
		case err != nil && (!isAPI || apiErr.Status == http.StatusRequestTimeout || apiErr.Status == http.StatusTooManyRequests || apiErr.Status >= 500):
			failures = append(failures, fmt.Errorf("referral %s: not retried: %w", id, err))
			return applied, failures, append(still, held[i:]...)
		case err == nil:
			var res crm.Result
			if res, err = s.ApplyReferral(ctx, r); err == nil {
				if res.Status == ledger.InboxProcessed {
					applied++
				}
				continue
			}
		}
		failures = append(failures, fmt.Errorf("referral %s: %w", id, err))
		still = append(still, id)
	}
	return applied, failures, still
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
