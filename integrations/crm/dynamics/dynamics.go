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
	"github.com/cosellbot/cosellbot/bot/ledger"
	"net/http"
	"strings"
	"time"

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
	var obj struct {
		Value       json.RawMessage `json:"Value"`
		ID          string          `json:"Id"`
		LogicalName string          `json:"LogicalName"`
		Name        string          `json:"Name"`
	}
	if strings.HasPrefix(v, "{") && json.Unmarshal(a.Value, &obj) == nil {
		if len(obj.Value) > 0 {
			return strings.Trim(string(obj.Value), `"`), true
		}
		if obj.LogicalName == "transactioncurrency" && obj.Name != "" {
			return obj.Name, true // the currency's name; the mapping turns it into its ISO code
		}
		if (obj.LogicalName == "account" || obj.LogicalName == "contact") && obj.Name != "" {
			return obj.Name, true // the opportunity's customer (customerid), by name
		}
		if obj.ID != "" {
			return obj.ID, true
		}
		return "", false
	}
	return v, true
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
		ev.Ignore = fmt.Sprintf("a %s record, not a %s", c.PrimaryEntityName, s.mapping.Record)
	}
	return []crm.Event{ev}, nil
}

// zeroID is the OperationId (and RequestId) of a delivery from a
// synchronous step: every such delivery carries it.
const zeroID = "00000000-0000-0000-0000-000000000000"

// key tells deliveries apart: the request id, or the operation id. A
// synchronous step's deliveries all carry the zero id, so theirs is the
// correlation id with a digest of the context: a redelivery of the same
// context is still recognised, and a second update is not mistaken for it.
func key(c Context, body []byte) string {
	if c.RequestID != nil && *c.RequestID != "" && *c.RequestID != zeroID {
		return *c.RequestID
	}
	if c.OperationID != "" && c.OperationID != zeroID {
		return c.OperationID
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
	return c.PrimaryEntityID
}

// Apply reads the record's attributes (the Target, overlaid with the post
// image) and applies them through the mapping.
func (s *Source) Apply(ctx context.Context, e ledger.InboxEntry) (crm.Result, error) {
	if e.Headers[headerSizeExceeded] != "" {
		return crm.Result{}, crm.Malformed(headerSizeExceeded, "Dataverse removed the record's attributes from a context over 256 KB; register the step with fewer filtering attributes and images")
	}
	c, err := Decode(e.Body)
	if err != nil {
		return crm.Result{}, err
	}
	fields := map[string]string{}
	for _, p := range c.InputParameters {
		if p.Key != "Target" {
			continue
		}
		var target Entity
		if json.Unmarshal(p.Value, &target) == nil {
			for _, a := range target.Attributes {
				if v, ok := a.Text(); ok {
					fields[a.Key] = v
				}
			}
		}
	}
	for _, img := range c.PostEntityImages {
		for _, a := range img.Value.Attributes {
			if v, ok := a.Text(); ok {
				fields[a.Key] = v
			}
		}
	}
	ch := crm.Change{Source: Name, RecordID: c.PrimaryEntityID, Object: c.PrimaryEntityName, Fields: fields, Created: strings.EqualFold(c.MessageName, "Create")}
	switch strings.ToLower(c.MessageName) {
	case "win", "lose":
		// Win and Lose carry an OpportunityClose, not the opportunity's
		// fields: the outcome is the message, the reason its description.
		ch.Outcome = map[string]string{"win": "won", "lose": "lost"}[strings.ToLower(c.MessageName)]
		for _, p := range c.InputParameters {
			var close Entity
			if p.Key != "OpportunityClose" || json.Unmarshal(p.Value, &close) != nil {
				continue
			}
			for _, a := range close.Attributes {
				if v, ok := a.Text(); ok && (a.Key == "description" || (a.Key == "subject" && ch.Reason == "")) {
					ch.Reason = v
				}
			}
		}
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
	return s.applier.Apply(ctx, s.mapping, ch)
}
