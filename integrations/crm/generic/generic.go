// Package generic receives signed JSON webhooks from any system that can
// send them (a CRM workflow, a relay of Salesforce Change Data Capture, a
// script), in cosellbot's own schema:
//
//	POST /webhooks/generic
//	X-Cosellbot-Timestamp: 1795600000                 (Unix seconds, within 5 minutes)
//	X-Cosellbot-Signature: sha256=<hex HMAC-SHA256 of timestamp + "." + body, keyed with WEBHOOK_SECRET_GENERIC>
//	X-Event-Id: <unique per event: redeliveries repeat it>
//
//	{"type": "deal.updated",                  (deal.created makes a deal of a new record, below;
//	                                           types other than deal.* are acknowledged and ignored)
//	 "record_id": "opp-42",                   (the record's id in the sender: a deal's crm_id)
//	 "modified_at": "2026-11-20T10:00:00Z",   (optional: an older update than the last applied is stale)
//	 "fields": {"name": "…", "value": "60000", "currency": "EUR", "close": "2027-03-01",
//	            "notes": "…", "stage": "proposed|…|accepted|won|lost|declined", "reason": "…"}}
//	                                          (a field left out, empty or null says nothing)
//
//	deal.created also takes, for the new deal: "kind" (ip|services|p2p or Partner Center's
//	label, default services), "location" (MPN location), "customer" and "notes" (required,
//	as in deal new), "customer_location"
//	(country code), "team" ("Name <email> +phone"), for IP co-sell "solution" (catalog
//	names, comma-separated), and for services "role", "area", "play" (labels or short
//	forms, as in chat). The deal keeps every rule of deal new: a record without what they
//	ask makes no deal (the inbox says what it lacks) until deal.created is sent again with it.
package generic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/vocab"
	"github.com/cosellbot/cosellbot/integrations/crm"
)

// Name is the source's name.
const Name = "generic"

// stageValues are the stage and outcome ids the schema's stage field
// takes; Stage reads the names people and cosellbot write for them too.
var stageValues = []string{"qualified", "developed", "proposed", "negotiated", "loe", "collect-data", "report", "present", "accepted", "won", "lost", "declined"}

// Mapping is the generic schema's: fields are named as in the chat grammar.
func Mapping() *crm.Mapping {
	values := map[string]string{}
	for _, v := range stageValues {
		values[v] = v
	}
	return &crm.Mapping{
		Source: Name, Record: "deal",
		Fields: map[string]string{"name": "name", "value": "value", "currency": "currency", "close": "close", "notes": "notes", "reason": "reason"},
		Stages: []crm.StageRule{{Field: "stage", Values: values}},
	}
}

// Payload is the body of a generic webhook.
type Payload struct {
	Type       string         `json:"type"`
	RecordID   string         `json:"record_id"`
	ModifiedAt string         `json:"modified_at,omitempty"`
	Origin     string         `json:"origin,omitempty"` // ignored: echoes are recognised by their values
	Fields     map[string]any `json:"fields"`
}

// Source verifies and applies generic webhooks.
type Source struct {
	secret  []byte
	applier *crm.Applier
}

// New builds the source; secret must not be empty.
func New(secret string, applier *crm.Applier) *Source {
	return &Source{secret: []byte(secret), applier: applier}
}

// Name is "generic".
func (s *Source) Name() string { return Name }

// Verify checks X-Cosellbot-Signature and X-Cosellbot-Timestamp.
func (s *Source) Verify(r *http.Request, body []byte, now time.Time) error {
	return crm.VerifySignature(s.secret, r.Header.Get(crm.HeaderTimestamp), r.Header.Get(crm.HeaderSignature), body, now)
}

// Decode reads one event, keyed by X-Event-Id.
func (s *Source) Decode(r *http.Request, body []byte) ([]crm.Event, error) {
	id := strings.TrimSpace(r.Header.Get(crm.HeaderEventID))
	if id == "" {
		return nil, crm.Malformed(crm.HeaderEventID, "required: a unique id per event, repeated on redelivery")
	}
	p, err := Decode(body)
	if err != nil {
		return nil, err
	}
	if err := p.read(); err != nil {
		return nil, err // refused now, while the sender can still fix it
	}
	ev := crm.Event{Key: id, Body: body}
	if !strings.HasPrefix(p.Type, "deal.") {
		ev.Ignore = fmt.Sprintf("event type %q is not handled", p.Type)
		return []crm.Event{ev}, nil
	}
	if p.Type == "deal.deleted" {
		return []crm.Event{ev}, nil
	}
	// Read as Apply will read it: a field the mapping cannot read (a close
	// date of "2027-13-45", a currency it does not know) is refused now,
	// naming it. Acknowledged, it failed the event in the inbox, the rest
	// of its fields (a rename) with it, and replay could not mend it.
	c := p.change()
	if _, err := mappingFor(c).Incoming(c); err != nil {
		var fe *crm.FieldError
		if errors.As(err, &fe) {
			return nil, crm.Malformed("fields."+fe.Field, "%s", fe.Message)
		}
		return nil, err
	}
	return []crm.Event{ev}, nil
}

// Decode parses and checks a generic body; errors name the field. Field
// values come back as string, json.Number (the number as sent) or nil.
func Decode(body []byte) (Payload, error) {
	var w wirePayload
	if err := jsonv2.Unmarshal(body, &w, payloadDecoding); err != nil {
		return Payload{}, crm.Malformed("body", "not a JSON object of the generic schema: %v", err)
	}
	p := Payload{Type: w.Type, RecordID: w.RecordID, ModifiedAt: w.ModifiedAt, Origin: w.Origin}
	if p.Type == "" {
		return p, crm.Malformed("type", "required, like deal.updated")
	}
	if !strings.HasPrefix(p.Type, "deal.") {
		return p, nil
	}
	if strings.TrimSpace(p.RecordID) == "" {
		return p, crm.Malformed("record_id", "required: the record's id in your system (a deal's crm_id)")
	}
	if p.ModifiedAt != "" {
		if _, err := crm.ParseTime(p.ModifiedAt); err != nil {
			return p, crm.Malformed("modified_at", "%v", err)
		}
	}
	if w.Fields != nil {
		p.Fields = make(map[string]any, len(w.Fields))
	}
	for k, v := range w.Fields {
		switch v.Kind() {
		case '"':
			var s string
			if err := jsonv2.Unmarshal(v, &s, payloadDecoding); err != nil {
				return p, crm.Malformed("fields."+k, "%v", err)
			}
			p.Fields[k] = s
		case '0':
			p.Fields[k] = json.Number(v)
		case 'n':
			p.Fields[k] = nil
		default:
			return p, crm.Malformed("fields."+k, "must be a string or a number")
		}
	}
	return p, nil
}

// read checks and normalises the fields whose values the schema reads
// (stage, value), so that what cannot be read is refused at receipt.
func (p *Payload) read() error {
	if err := p.readStage(); err != nil {
		return err
	}
	return p.readValue()
}

// readValue reads the value field as the mapping does (a number, "60000",
// "1.2E5") or as chat writes an amount ("€60k", "60,000 EUR", bringing its
// currency); anything else is refused naming the field, rather than
// acknowledged and then failed in the inbox.
func (p *Payload) readValue() error {
	s, isText := p.Fields["value"].(string)
	if !isText || strings.TrimSpace(s) == "" {
		return nil // a JSON number, or none
	}
	if _, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
		return nil
	}
	a, err := vocab.ParseAmount(s)
	if err != nil {
		return crm.Malformed("fields.value", "%q is not an amount: write a number, like \"60000\", or an amount as chat takes it, like \"60,000 EUR\"", s)
	}
	p.Fields["value"] = strconv.FormatFloat(a.Value.Float(), 'f', 2, 64)
	if a.Currency != "" {
		if cur, _ := p.Fields["currency"].(string); cur != "" && !strings.EqualFold(cur, a.Currency) {
			return crm.Malformed("fields.currency", "%q, but fields.value %q says %s: give one currency", cur, s, a.Currency)
		}
		p.Fields["currency"] = a.Currency
	}
	return nil
}

// readStage turns the stage field into its id: the schema's ids, and the
// names cosellbot and Partner Center show ("Proposed", "Proposed (60%)",
// "Collecting data"), so that a value copied from a deal card is the
// stage. A value it cannot read is refused naming the field: skipped, it
// made the event "already say so" and the change was lost. An empty
// stage is no stage.
func (p *Payload) readStage() error {
	v, ok := p.Fields["stage"]
	if !ok || v == nil {
		return nil
	}
	s, isText := v.(string)
	if !isText {
		return crm.Malformed("fields.stage", "must be a stage name, like \"proposed\", not %v", v)
	}
	if strings.TrimSpace(s) == "" {
		delete(p.Fields, "stage")
		return nil
	}
	id, ok := Stage(s)
	if !ok {
		return crm.Malformed("fields.stage", "%q is not a stage or outcome: use one of %s", s, strings.Join(stageValues, ", "))
	}
	p.Fields["stage"] = id
	return nil
}

// Stage is the schema's id for a stage or outcome as written in an event:
// the id itself in any case, or a stage's name as the chat grammar reads
// it.
func Stage(s string) (string, bool) {
	if id := strings.ToLower(strings.TrimSpace(s)); slices.Contains(stageValues, id) {
		return id, true
	}
	if st, ok := vocab.AnyStage(s); ok && slices.Contains(stageValues, string(st)) {
		return string(st), true
	}
	return "", false
}

// wirePayload is Payload as read off the wire: field values stay raw
// until Decode has checked their kind.
type wirePayload struct {
	Type       string                    `json:"type"`
	RecordID   string                    `json:"record_id"`
	ModifiedAt string                    `json:"modified_at,omitempty"`
	Origin     string                    `json:"origin,omitempty"`
	Fields     map[string]jsontext.Value `json:"fields"`
}

// payloadDecoding reads bodies with encoding/json's semantics
// (case-insensitive names, invalid UTF-8 replaced) and the faster decoder
// of the json v2 work (github.com/go-json-experiment/json): every
// delivery is decoded when it is received and again when it is applied,
// and encoding/json's reflection was an eighth of the server's CPU under
// webhook load.
var payloadDecoding = jsonv1.DefaultOptionsV1()

// Ack answers 200 with {"ok": true}.
func (s *Source) Ack(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(`{"ok":true}` + "\n"))
}

// Record is the record an event is about (crm.Recorder).
func (s *Source) Record(e ledger.InboxEntry) string {
	// Only the id, read as a stream that stops there: decoding the fields
	// too would double the page's JSON work, since Apply decodes the event
	// whole (and senders put record_id before the fields).
	dec := json.NewDecoder(bytes.NewReader(e.Body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return ""
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return ""
		}
		if k == "record_id" {
			var id string
			if dec.Decode(&id) != nil {
				return ""
			}
			return id
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return ""
		}
	}
	return ""
}

// Apply applies one stored event.
func (s *Source) Apply(ctx context.Context, e ledger.InboxEntry) (crm.Result, error) {
	p, err := Decode(e.Body)
	if err != nil {
		return crm.Result{}, err
	}
	if err := p.read(); err != nil {
		return crm.Result{}, err
	}
	c := p.change()
	if p.Type == "deal.deleted" {
		// As HubSpot's deletion and Dataverse's Delete: the deal stays,
		// unlinked, and the record's older events are stale. (It read as
		// an update with no fields: "already says so", nothing unlinked.)
		return s.applier.Unlink(ctx, Name, p.RecordID, "was deleted in the CRM", "", c.ModifiedAt)
	}
	return s.applier.Apply(ctx, mappingFor(c), c)
}

// change is the event as the mapping reads it (p read).
func (p *Payload) change() crm.Change {
	c := crm.Change{Source: Name, RecordID: p.RecordID, Object: "deal", Fields: map[string]string{}, Created: p.Type == "deal.created"}
	if p.ModifiedAt != "" {
		c.ModifiedAt, _ = crm.ParseTime(p.ModifiedAt)
	}
	for k, v := range p.Fields {
		// An empty or null field says nothing, as it always did in this
		// schema: the mapping would read one as cleared, and senders fill
		// the fields they have no value for so. (Every synced field but
		// the reason is one the deal rules require anyway.)
		if v != nil && strings.TrimSpace(fmt.Sprint(v)) != "" {
			c.Fields[k] = fmt.Sprint(v)
		}
	}
	return c
}

// schema is the schema's mapping, built once: every delivery is read
// through it twice (the receiver's check, then Apply), and it is only read.
var schema = Mapping()

// mappingFor is the mapping of c: the schema's, or for a created record a
// copy with the create defaults it brings in its own fields.
func mappingFor(c crm.Change) *crm.Mapping {
	if !c.Created {
		return schema
	}
	// A created record brings what a new deal needs in its own fields.
	m := Mapping()
	m.Fields["customer"] = "customer"
	m.Create = &crm.Defaults{
		Kind: c.Fields["kind"], Location: c.Fields["location"], CustomerLocation: c.Fields["customer_location"],
		Team: c.Fields["team"], Solution: c.Fields["solution"], Role: c.Fields["role"], Area: c.Fields["area"], Play: c.Fields["play"],
	}
	if m.Create.Kind == "" {
		m.Create.Kind = "services"
	}
	return m
}
