// Package dynamics receives Dynamics 365 (Dataverse) webhooks: the JSON
// RemoteExecutionContext of a plug-in step. Dataverse does not sign them: the
// registration sends a shared secret, in the X-Cosellbot-Secret header or
// the ?code= query (WebhookKey), compared in constant time.
package dynamics

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/crmid"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/crm"
)

// Name is the source's name.
const Name = "dynamics"

// HeaderSecret carries the shared secret (the HttpHeader authentication).
const HeaderSecret = "X-Cosellbot-Secret"

// headerSizeExceeded is set when Dataverse stripped the entity images from
// a context over 256 KB.
const headerSizeExceeded = "X-Ms-Dynamics-Msg-Size-Exceeded"

// Context is the part of a RemoteExecutionContext cosellbot reads.
type Context struct {
	MessageName        string      `json:"MessageName"`
	OperationID        string      `json:"OperationId"`
	RequestID          *string     `json:"RequestId"`
	CorrelationID      string      `json:"CorrelationId"`
	OperationCreatedOn string      `json:"OperationCreatedOn"`
	PrimaryEntityID    string      `json:"PrimaryEntityId"`
	PrimaryEntityName  string      `json:"PrimaryEntityName"`
	InputParameters    []Parameter `json:"InputParameters"`
	PostEntityImages   []Image     `json:"PostEntityImages"`
}

// Parameter is a {key, value} pair of InputParameters.
type Parameter struct {
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// Image is a {key, value} entity image.
type Image struct {
	Key   string `json:"key"`
	Value Entity `json:"value"`
}

// Entity is a record with its attributes as {key, value} pairs.
type Entity struct {
	ID          string      `json:"Id"`
	LogicalName string      `json:"LogicalName"`
	Attributes  []Attribute `json:"Attributes"`
}

// Attribute is one {key, value} attribute; values are strings, numbers,
// booleans, WCF dates, or objects (OptionSetValue, Money, EntityReference).
type Attribute struct {
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// Text renders an attribute value as the mapping compares it: option sets
// and money as their Value, references as their Id (a transaction
// currency's as its name, "US Dollar", which the mapping reads as USD).
func (a Attribute) Text() (string, bool) {
	v := strings.TrimSpace(string(a.Value))
	if v == "" || v == "null" {
		return "", false
	}
	var s string
	if json.Unmarshal(a.Value, &s) == nil {
		return s, true
	}
	if strings.HasPrefix(v, "{") {
		var obj reference
		if json.Unmarshal(a.Value, &obj) != nil {
			return v, true
		}
		if len(obj.Value) > 0 {
			return strings.Trim(string(obj.Value), `"`), true
		}
		if obj.named() && obj.Name != "" {
			return obj.Name, true // a currency's name (the mapping turns it into its ISO code), a customer's
		}
		if obj.ID != "" {
			return obj.ID, true
		}
		return "", false
	}
	return v, true
}

// Null reports an attribute that is there with no value: Dataverse puts an
// attribute a user emptied in the Target as null. (An entity image leaves
// out the attributes that have no value instead.)
func (a Attribute) Null() bool {
	v := strings.TrimSpace(string(a.Value))
	return v == "" || v == "null"
}

// Unnamed is a lookup that cosellbot reads by name (the transaction
// currency, the customer account or contact) sent without its name, and
// the lookup's logical name and id. The Target of a step carries its
// lookups so (Dataverse fills in Name only in entity images): the step
// needs a post image holding them.
func (a Attribute) Unnamed() (logicalName, id string, ok bool) {
	v := strings.TrimSpace(string(a.Value))
	if !strings.HasPrefix(v, "{") {
		return "", "", false
	}
	var obj reference
	if json.Unmarshal(a.Value, &obj) != nil || len(obj.Value) > 0 || !obj.named() || obj.Name != "" || obj.ID == "" {
		return "", "", false
	}
	return obj.LogicalName, obj.ID, true
}

// reference is an attribute value that is an object: an OptionSetValue or
// Money (Value), or an EntityReference (Id, LogicalName, Name).
type reference struct {
	Value       json.RawMessage `json:"Value"`
	ID          string          `json:"Id"`
	LogicalName string          `json:"LogicalName"`
	Name        string          `json:"Name"`
}

// named reports a lookup the mapping reads by its name: the transaction
// currency, and the customer (an account or a contact).
func (r reference) named() bool {
	switch r.LogicalName {
	case "transactioncurrency", "account", "contact":
		return true
	}
	return false
}

// Source verifies and applies Dynamics 365 webhooks.
type Source struct {
	secret  []byte
	mapping *crm.Mapping
	applier *crm.Applier
}

// New builds the source.
func New(secret string, m *crm.Mapping, applier *crm.Applier) *Source {
	return &Source{secret: []byte(secret), mapping: m, applier: applier}
}

// Name is "dynamics".
func (s *Source) Name() string { return Name }

// Verify compares the shared secret in constant time.
func (s *Source) Verify(r *http.Request, _ []byte, _ time.Time) error {
	got := r.Header.Get(HeaderSecret)
	if got == "" {
		got = r.URL.Query().Get("code")
	}
	if got == "" {
		return crm.Unverified("the shared secret is missing: send it in %s or ?code=", HeaderSecret)
	}
	if subtle.ConstantTimeCompare([]byte(got), s.secret) != 1 {
		return crm.Unverified("the shared secret does not match")
	}
	return nil
}

// Decode reads the context; its dedup key is the request id, or the
// operation id when there is none.
func (s *Source) Decode(_ *http.Request, body []byte) ([]crm.Event, error) {
	c, err := Decode(body)
	if err != nil {
		return nil, err
	}
	ev := crm.Event{Key: key(c, body), Body: body}
	if !strings.EqualFold(c.PrimaryEntityName, s.mapping.Record) {
		ev.Ignore = fmt.Sprintf("%s record, not %s", crm.A(c.PrimaryEntityName), crm.A(s.mapping.Record))
	}
	return []crm.Event{ev}, nil
}

// zeroID is the OperationId (and RequestId) of a delivery from a
// synchronous step: every such delivery carries it.
const zeroID = "00000000-0000-0000-0000-000000000000"

// key tells deliveries apart: the operation id (an asynchronous step's
// system job, which its retries keep), else the request id with the
// message. One request runs several steps: a WinOpportunity request fires
// the Win step and the Update step on statecode that the README has users
// register, each its own delivery; keyed by the request id alone, the
// second was dropped as a duplicate and the Win (or a Lose and its reason)
// was lost. A synchronous step's deliveries all carry the zero id, so
// theirs is the correlation id with a digest of the context: a redelivery
// of the same context is still recognised, and a second update is not
// mistaken for it.
func key(c Context, body []byte) string {
	if c.OperationID != "" && c.OperationID != zeroID {
		return c.OperationID
	}
	if c.RequestID != nil && *c.RequestID != "" && *c.RequestID != zeroID {
		return *c.RequestID + ":" + strings.ToLower(c.MessageName)
	}
	if c.OperationID == "" && (c.RequestID == nil || *c.RequestID == "") {
		return ""
	}
	sum := sha256.Sum256(body)
	return "sync:" + c.CorrelationID + ":" + hex.EncodeToString(sum[:16])
}

// Decode parses and checks a RemoteExecutionContext; errors name the field.
func Decode(body []byte) (Context, error) {
	var c Context
	if err := json.Unmarshal(body, &c); err != nil {
		return c, crm.Malformed("body", "not a Dataverse RemoteExecutionContext: %v", err)
	}
	if key(c, body) == "" {
		return c, crm.Malformed("OperationId", "required (or RequestId): it tells redeliveries apart")
	}
	if c.PrimaryEntityName == "" {
		return c, crm.Malformed("PrimaryEntityName", "required")
	}
	if c.PrimaryEntityID == "" {
		return c, crm.Malformed("PrimaryEntityId", "required")
	}
	return c, nil
}

// Ack answers 200.
func (s *Source) Ack(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) }

// Record is the record an execution context is about (crm.Recorder).
func (s *Source) Record(e ledger.InboxEntry) string {
	c, err := Decode(e.Body)
	if err != nil {
		return ""
	}
	return GUID(c.PrimaryEntityID) // as Apply links it, whatever its case and braces
}

// Apply reads the record's attributes (the Target, overlaid with the post
// image) and applies them through the mapping. An attribute the Target
// holds as null was emptied by a user: it arrives empty, for the deal
// rules to judge; one the context does not hold says nothing. A Delete
// unlinks the deal, as HubSpot's deletion does.
func (s *Source) Apply(ctx context.Context, e ledger.InboxEntry) (crm.Result, error) {
	if e.Headers[headerSizeExceeded] != "" {
		return crm.Result{}, crm.Malformed(headerSizeExceeded, "Dataverse removed the record's attributes from a context over 256 KB; register the step with fewer filtering attributes and images")
	}
	c, err := Decode(e.Body)
	if err != nil {
		return crm.Result{}, err
	}
	if strings.EqualFold(c.MessageName, "Delete") {
		// The record is gone: the deal stays, unlinked, with a history line
		// saying so, and nothing more is written to the record. (Answered
		// "already says so" before, the deal went on being written to a
		// record that no longer existed.)
		var at time.Time
		if c.OperationCreatedOn != "" {
			if at, err = crm.ParseTime(c.OperationCreatedOn); err != nil {
				return crm.Result{}, crm.Malformed("OperationCreatedOn", "%v", err)
			}
		}
		return s.applier.Unlink(ctx, Name, GUID(c.PrimaryEntityID), "was deleted in Dynamics 365", "", at)
	}
	fields := map[string]string{}
	var changed []string           // the Target's attributes: what the operation changed
	unnamed := map[string]string{} // attribute → "account <id>": a lookup sent without its name
	read := func(a Attribute) {
		if ln, id, ok := a.Unnamed(); ok {
			if _, named := fields[a.Key]; !named {
				unnamed[a.Key] = ln + " " + id
			}
			return
		}
		if a.Null() {
			fields[a.Key] = ""
		} else if v, ok := a.Text(); ok {
			fields[a.Key] = v
		} else {
			return
		}
		delete(unnamed, a.Key)
	}
	for _, p := range c.InputParameters {
		if p.Key != "Target" {
			continue
		}
		var target Entity
		if json.Unmarshal(p.Value, &target) == nil {
			for _, a := range target.Attributes {
				read(a)
				changed = append(changed, a.Key)
			}
		}
	}
	for _, img := range c.PostEntityImages {
		for _, a := range img.Value.Attributes {
			read(a)
		}
	}
	if err := s.lookups(fields, unnamed); err != nil {
		return crm.Result{}, err
	}
	if close := s.mapping.Fields["close"]; close != "" && fields[close] != "" {
		fields[close] = DateOnly(fields[close])
	}
	ch := crm.Change{Source: Name, RecordID: GUID(c.PrimaryEntityID), Object: c.PrimaryEntityName, Fields: fields, Created: strings.EqualFold(c.MessageName, "Create"), Changed: changed}
	switch strings.ToLower(c.MessageName) {
	case "win", "lose":
		closeOpportunity(&c, &ch)
	}
	when := c.OperationCreatedOn
	if v := fields[s.mapping.Modified]; s.mapping.Modified != "" && v != "" {
		when = v
	}
	if when != "" {
		t, err := crm.ParseTime(when)
		if err != nil {
			return crm.Result{}, crm.Malformed(s.mapping.Modified, "%v", err)
		}
		ch.ModifiedAt = t
	}
	res, err := s.applier.Apply(ctx, s.mapping, ch)
	if err != nil {
		return res, err
	}
	if id, ok := unnamed[s.mapping.Fields["customer"]]; ok && res.Status != ledger.InboxProcessed {
		// Said where the admin looks: otherwise the inbox says the
		// customer's name is required of an opportunity that has one.
		res.Note += fmt.Sprintf(" (%s came without the %s's name: %s)", s.mapping.Fields["customer"], strings.Fields(id)[0], postImage)
	}
	return res, nil
}

// postImage is what to do when a lookup comes without its name.
const postImage = "the step sends no post image holding it; register a PostImage on the Create and Update steps holding every mapped attribute (the header of deploy/crm/dynamics.yaml lists them)"

// lookups checks the lookups that came without their name. The currency
// cannot be read from its id unless the mapping lists the id under
// currencies: the event fails, saying the post image is missing (rather
// than that a GUID is no ISO currency code). A customer without its name
// is left out (its id is no customer name: a deal made of it would carry
// the GUID to Partner Center); Apply says why in the inbox.
func (s *Source) lookups(fields, unnamed map[string]string) error {
	cur := s.mapping.Fields["currency"]
	if ref, ok := unnamed[cur]; ok && cur != "" {
		id := strings.Fields(ref)[1]
		if _, mapped := s.mapping.Currencies[id]; mapped {
			fields[cur] = id
			return nil
		}
		return crm.Malformed(cur, "Dataverse sent the transaction currency %s without its name: %s. Or map the id under currencies: in the dynamics mapping (\"%s\": EUR), restart serve (it reads the mappings at start; every replica), then run cosellbot replay --source dynamics", id, postImage, id)
	}
	return nil
}

// DateOnly reads the close date of an opportunity as the day its user
// chose. Dataverse's estimatedclosedate is a Date Only column with the
// User Local behaviour: "when a user sets a date in a model-driven app,
// the time part is automatically set to midnight in their time zone"
// (https://learn.microsoft.com/power-apps/maker/data-platform/behavior-format-date-time-field),
// stored in UTC, so a Paris user's 2027-04-15 arrives as
// 2027-04-14T22:00:00Z and, read as a UTC date, landed a day early. A
// local midnight is within 12 hours of the UTC midnight of the same day
// for every offset from UTC-12 to UTC+12 (half-way, 12:00Z, is taken as
// the next day: UTC+12, New Zealand, rather than UTC-12, where nobody
// lives), so the nearest UTC midnight is the user's date. Offsets beyond
// +12 (UTC+13 and +14: New Zealand summer time, Tonga, Samoa, Kiribati)
// still read a day early: there, give the column the Date Only behaviour,
// whose values carry no time. A value without a time part, and one that is
// no time (which the mapping then refuses, naming the field), are kept.
func DateOnly(v string) string {
	t, err := crm.ParseTime(v)
	if err != nil {
		return v
	}
	day := 24 * time.Hour
	if t.Truncate(day).Equal(t) {
		return v
	}
	return t.Round(day).Format(time.DateOnly)
}

// GUID is a Dataverse id as cosellbot keeps it: lower case, without
// braces (crmid.Forms' first).
func GUID(id string) string { return crmid.Forms(id)[0] }

// emptyGUID reports the all-zero id Dataverse puts where it names nothing.
func emptyGUID(id string) bool {
	return strings.Trim(id, "0-{}") == ""
}

// lostStatusReasons are the labels of the opportunity's status reasons for
// Lost in a Dataverse organization as installed (statuscode 4 and 5); an
// organization's own reasons (100000000 on) are named by their number.
var lostStatusReasons = map[string]string{"4": "Canceled", "5": "Out-Sold"}

// closeOpportunity reads a Win or Lose: they carry an OpportunityClose and
// the status reason chosen, not the opportunity's fields. The outcome is the
// message; a loss's reason is what the Close Opportunity dialog holds (see
// lossReason), so that Partner Center and the history say why, not only
// that it was lost.
func closeOpportunity(c *Context, ch *crm.Change) {
	ch.Outcome = map[string]string{"win": "won", "lose": "lost"}[strings.ToLower(c.MessageName)]
	var status string
	var close Entity
	for _, p := range c.InputParameters {
		switch p.Key {
		case "Status":
			status, _ = Attribute{Value: p.Value}.Text()
		case "OpportunityClose":
			_ = json.Unmarshal(p.Value, &close) // a malformed one says nothing
		}
	}
	attr := map[string]Attribute{}
	for _, a := range close.Attributes {
		attr[a.Key] = a
	}
	if a, ok := attr["opportunityid"]; ok && emptyGUID(ch.RecordID) {
		// The opportunity closed, named by the OpportunityClose: the
		// context's PrimaryEntityId is not always it.
		var ref reference
		if json.Unmarshal(a.Value, &ref) == nil && ref.ID != "" {
			ch.RecordID = GUID(ref.ID)
		}
	}
	if ch.Outcome == "lost" {
		ch.Reason = lossReason(status, attr)
	}
}

// lossReason is the Close Opportunity dialog's answer: the status reason
// (lostStatusReasons, or an organization's own by its number; -1 is the
// platform's default, no choice), the competitor when the reference carries
// its name, and the description, else the activity's subject.
func lossReason(status string, close map[string]Attribute) string {
	var why []string
	if label := lostStatusReasons[status]; label != "" {
		why = append(why, label)
	} else if status != "" && status != "-1" {
		why = append(why, "status reason "+status)
	}
	var ref reference
	if a, ok := close["competitorid"]; ok && json.Unmarshal(a.Value, &ref) == nil && strings.TrimSpace(ref.Name) != "" {
		why = append(why, "lost to "+strings.TrimSpace(ref.Name))
	}
	for _, key := range []string{"description", "subject"} {
		if v, ok := close[key].Text(); ok && strings.TrimSpace(v) != "" {
			why = append(why, strings.TrimSpace(v))
			break
		}
	}
	return strings.Join(why, ", ")
}
