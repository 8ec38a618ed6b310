// Package hubspot receives HubSpot webhooks: a JSON array of events signed
// with X-HubSpot-Signature-v3 (HMAC-SHA256, keyed with the app's client
// secret, over method + URI + body + timestamp, base64; 5-minute window).
// Deal property changes are applied through the mapping (deploy/crm/hubspot.yaml);
// other events are acknowledged and ignored.
package hubspot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/escape"
	"github.com/cosellbot/cosellbot/integrations/crm"
)

// Name is the source's name.
const Name = "hubspot"

// Signature headers.
const (
	HeaderSignature = "X-HubSpot-Signature-v3"
	HeaderTimestamp = "X-HubSpot-Request-Timestamp"
)

// Event is one HubSpot webhook event.
type Event struct {
	EventID          json.Number `json:"eventId"`
	SubscriptionID   json.Number `json:"subscriptionId"`
	PortalID         json.Number `json:"portalId"`
	AppID            json.Number `json:"appId"`
	OccurredAt       json.Number `json:"occurredAt"` // epoch milliseconds
	SubscriptionType string      `json:"subscriptionType"`
	ObjectTypeID     string      `json:"objectTypeId,omitempty"` // generic subscriptions: 0-3 is a deal
	AttemptNumber    int         `json:"attemptNumber"`
	ObjectID         json.Number `json:"objectId"`
	PropertyName     string      `json:"propertyName,omitempty"`
	// PropertyValue is the property's new value: "" when a user emptied
	// it, nil when the event carries none.
	PropertyValue *string `json:"propertyValue,omitempty"`
	ChangeSource  string  `json:"changeSource,omitempty"`
	SourceID      string  `json:"sourceId,omitempty"`
	// Merges: the records merged away, and the record they became.
	MergedObjectIDs []json.Number `json:"mergedObjectIds,omitempty"`
	PrimaryObjectID json.Number   `json:"primaryObjectId,omitempty"`
	NewObjectID     json.Number   `json:"newObjectId,omitempty"`
}

// dealObject is the objectTypeId of deals in generic subscriptions.
const dealObject = "0-3"

// handled reports whether the event is about a deal's creation or a
// property change.
func (e Event) handled() bool {
	switch e.kind() {
	case "creation", "propertyChange", "deletion", "restore", "merge":
		return true
	}
	return false
}

// kind is what happened to a deal ("creation", "merge"…), from either
// subscription form (deal.X, or object.X of object type 0-3); "" when the
// event is not about a deal.
func (e Event) kind() string {
	obj, what, _ := strings.Cut(e.SubscriptionType, ".")
	if obj == "deal" || (obj == "object" && e.ObjectTypeID == dealObject) {
		return what
	}
	return ""
}

// key is the dedup key: eventId alone is not unique, so it is combined with
// the portal, the subscription and the time.
func (e Event) key() string {
	return strings.Join([]string{e.PortalID.String(), e.SubscriptionID.String(), e.EventID.String(), e.OccurredAt.String()}, ":")
}

// Source verifies and applies HubSpot webhooks.
type Source struct {
	secret  []byte
	mapping *crm.Mapping
	applier *crm.Applier
}

// New builds the source; secret is the app's client secret.
func New(secret string, m *crm.Mapping, applier *crm.Applier) *Source {
	return &Source{secret: []byte(secret), mapping: m, applier: applier}
}

// Name is "hubspot".
func (s *Source) Name() string { return Name }

// uriDecoder undoes the percent-encodings HubSpot decodes before signing.
var uriDecoder = strings.NewReplacer(
	"%3A", ":", "%2F", "/", "%3F", "?", "%40", "@", "%21", "!", "%24", "$", "%27", "'",
	"%28", "(", "%29", ")", "%2A", "*", "%2C", ",", "%3B", ";",
	"%3a", ":", "%2f", "/", "%3f", "?", "%2a", "*", "%2c", ",", "%3b", ";",
)

// RequestURI is the URI HubSpot signs: the full URL it called, as the
// request reached us (behind a proxy, from X-Forwarded-Proto and -Host).
func RequestURI(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		scheme = strings.TrimSpace(strings.Split(p, ",")[0])
	}
	host := r.Host
	if h := r.Header.Get("X-Forwarded-Host"); h != "" {
		host = strings.TrimSpace(strings.Split(h, ",")[0])
	}
	return uriDecoder.Replace(scheme + "://" + host + r.URL.RequestURI())
}

// Sign computes the v3 signature of a request.
func Sign(secret []byte, method, uri string, body []byte, timestamp string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(method + uri))
	mac.Write(body)
	mac.Write([]byte(timestamp))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Verify checks X-HubSpot-Signature-v3 and its timestamp.
func (s *Source) Verify(r *http.Request, body []byte, now time.Time) error {
	sig, ts := r.Header.Get(HeaderSignature), r.Header.Get(HeaderTimestamp)
	if sig == "" || ts == "" {
		return crm.Unverified("%s and %s are required", HeaderSignature, HeaderTimestamp)
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return crm.Unverified("%s %s is not epoch milliseconds", HeaderTimestamp, escape.Quote(ts, 0))
	}
	if d := now.Sub(time.UnixMilli(ms)); d > crm.Window || d < -crm.Window {
		return crm.Unverified("%s is %s away from now, more than %s", HeaderTimestamp, d.Round(time.Second), crm.Window)
	}
	want := Sign(s.secret, r.Method, RequestURI(r), body, ts)
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return crm.Unverified("%s does not match the request", HeaderSignature)
	}
	return nil
}

// Decode splits the array into events, each stored on its own.
func (s *Source) Decode(_ *http.Request, body []byte) ([]crm.Event, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, crm.Malformed("body", "not a JSON array of HubSpot events: %v", err)
	}
	out := make([]crm.Event, 0, len(raw))
	for i, r := range raw {
		e, err := DecodeEvent(r)
		if err != nil {
			var fe *crm.FieldError
			if errors.As(err, &fe) {
				return nil, crm.Malformed(fmt.Sprintf("[%d].%s", i, fe.Field), "%s", fe.Message)
			}
			return nil, err
		}
		ev := crm.Event{Key: e.key(), Body: r}
		if !e.handled() {
			ev.Ignore = fmt.Sprintf("subscription type %q (object type %q) is not a deal change", e.SubscriptionType, e.ObjectTypeID)
		}
		out = append(out, ev)
	}
	return out, nil
}

// DecodeEvent parses one event and checks the fields its key and its
// application need; errors name the field.
func DecodeEvent(b []byte) (Event, error) {
	var e Event
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&e); err != nil {
		return e, crm.Malformed("event", "not a HubSpot event: %v", err)
	}
	for name, v := range map[string]json.Number{"eventId": e.EventID, "portalId": e.PortalID, "subscriptionId": e.SubscriptionID, "occurredAt": e.OccurredAt} {
		if _, err := v.Int64(); err != nil {
			return e, crm.Malformed(name, "required, a number; got %q", v)
		}
	}
	if e.SubscriptionType == "" {
		return e, crm.Malformed("subscriptionType", "required")
	}
	if e.handled() && e.ObjectID.String() == "" {
		return e, crm.Malformed("objectId", "required for %s", e.SubscriptionType)
	}
	return e, nil
}

// maxBody is the largest delivery HubSpot's webhooks take: up to 100
// events a request, a multi-line text property's change carrying its whole
// value (up to 65,536 characters). Refused at 1 MiB, a bulk edit's batch
// was lost whole after HubSpot's retries.
const maxBody = 8 << 20

// MaxBody is the largest delivery accepted (crm.BodyLimiter).
func (s *Source) MaxBody() int64 { return maxBody }

// Ack answers 200.
func (s *Source) Ack(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) }

// Record is the record an event is about (crm.Recorder).
func (s *Source) Record(e ledger.InboxEntry) string {
	ev, err := DecodeEvent(e.Body)
	if err != nil {
		return ""
	}
	return ev.ObjectID.String()
}

// Apply applies one stored event: a deal property change through the
// mapping, a deal creation by linking it.
func (s *Source) Apply(ctx context.Context, e ledger.InboxEntry) (crm.Result, error) {
	ev, err := DecodeEvent(e.Body)
	if err != nil {
		return crm.Result{}, err
	}
	ms, _ := ev.OccurredAt.Int64()
	id := ev.ObjectID.String()
	switch ev.kind() {
	case "deletion":
		return s.applier.Unlink(ctx, Name, id, "was deleted in HubSpot", "", time.UnixMilli(ms).UTC())
	case "merge":
		return s.merge(ctx, ev)
	}
	c := crm.Change{
		Source: Name, RecordID: id, Object: "deal", ModifiedAt: time.UnixMilli(ms).UTC(),
		Fields: map[string]string{}, Created: ev.kind() == "creation",
	}
	if ev.PropertyName != "" && ev.PropertyValue != nil {
		// "" is a property a user emptied: the mapping reads it as cleared.
		c.Fields[ev.PropertyName] = *ev.PropertyValue
		c.Changed = []string{ev.PropertyName} // set by a person at occurredAt
	}
	if ev.kind() != "restore" {
		return s.applier.Apply(ctx, s.mapping, c)
	}
	// A restored record is linked again to the deal whose crm_id it is
	// (its deletion unlinked it): say so, rather than "already says so".
	l, err := s.applier.Engine.Link(ctx, Name, id)
	wasLinked := err == nil && l.DealID != 0 // a deleted record's link is a tombstone
	if err != nil && !errors.Is(err, ledger.ErrNotFound) {
		return crm.Result{}, err
	}
	res, err := s.applier.Apply(ctx, s.mapping, c)
	if err != nil || wasLinked {
		return res, err
	}
	l, err = s.applier.Engine.Link(ctx, Name, id)
	if errors.Is(err, ledger.ErrNotFound) || err == nil && l.DealID == 0 {
		return res, nil // no deal has its id: res says so
	}
	if err != nil {
		return crm.Result{}, err
	}
	note := fmt.Sprintf("deal #%d: HubSpot record %s was restored: linked to it again", l.DealID, id)
	if res.Status == ledger.InboxProcessed {
		note += "; " + res.Note
	}
	return crm.Processed("%s", note), nil
}

// merge links the deal of a record merged away to the record it became.
// Every merged record is unlinked; the inbox says what became of each one
// that was linked (the relink, not "linked to no deal" of the last one).
func (s *Source) merge(ctx context.Context, ev Event) (crm.Result, error) {
	into := ev.PrimaryObjectID.String()
	if n := ev.NewObjectID.String(); n != "" {
		into = n
	}
	var done []string
	ms, _ := ev.OccurredAt.Int64()
	at := time.UnixMilli(ms).UTC()
	for _, m := range ev.MergedObjectIDs {
		if m.String() == into {
			continue
		}
		r, err := s.applier.Unlink(ctx, Name, m.String(), "was merged into HubSpot record", into, at)
		if err != nil {
			return crm.Result{}, err
		}
		if r.Status == ledger.InboxProcessed {
			done = append(done, r.Note)
		}
	}
	if len(done) == 0 {
		return crm.Ignored("merge into %s: no merged record was linked to a deal", into), nil
	}
	return crm.Processed("%s", strings.Join(done, "; ")), nil
}
