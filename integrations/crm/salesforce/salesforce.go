// Package salesforce receives Salesforce outbound messages: SOAP envelopes of
// up to 100 notifications, each carrying an sObject's latest field values.
// Salesforce cannot sign them, so a delivery must come from an allowed
// organization (SALESFORCE_ORG_IDS) and carry the shared secret (in the
// endpoint URL's ?secret= query, or the X-Cosellbot-Secret header). The
// reply is the SOAP acknowledgement <Ack>true</Ack>.
package salesforce

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/crmid"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/integrations/crm"
)

// Name is the source's name.
const Name = "salesforce"

// HeaderSecret carries the shared secret when the URL does not.
const HeaderSecret = "X-Cosellbot-Secret"

// Ack is the acknowledgement Salesforce waits for.
const Ack = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
 <soapenv:Body>
  <notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">
   <Ack>true</Ack>
  </notificationsResponse>
 </soapenv:Body>
</soapenv:Envelope>
`

// Message is the part of an outbound message cosellbot reads.
type Message struct {
	OrganizationID string         `xml:"Body>notifications>OrganizationId"`
	ActionID       string         `xml:"Body>notifications>ActionId"`
	Notifications  []Notification `xml:"Body>notifications>Notification"`
}

// Notification is one record's change.
type Notification struct {
	ID     string  `xml:"Id"`
	Object SObject `xml:"sObject"`
}

// SObject is a record: its type (xsi:type, e.g. sf:Opportunity) and fields.
type SObject struct {
	Type   string  `xml:"type,attr"`
	Fields []Field `xml:",any"`
}

// Field is one sf:Name element.
type Field struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
	Nil     string `xml:"nil,attr"`
}

// Object is the record type without its prefix ("Opportunity").
func (o SObject) Object() string {
	_, t, ok := strings.Cut(o.Type, ":")
	if !ok {
		return o.Type
	}
	return t
}

// Values are the fields as text. A nil field (xsi:nil="true") is empty:
// an outbound message holds every field it was set up with, and sends one
// the record has no value for as nil, so a user who emptied the field in
// Salesforce is heard (the mapping reads an empty field as cleared). A
// field the message was not set up with is absent, and says nothing.
func (o SObject) Values() map[string]string {
	out := map[string]string{}
	for _, f := range o.Fields {
		if f.Nil == "true" {
			out[f.XMLName.Local] = ""
			continue
		}
		out[f.XMLName.Local] = strings.TrimSpace(f.Value)
	}
	return out
}

// Source verifies and applies outbound messages.
type Source struct {
	secret  []byte
	orgs    []string
	mapping *crm.Mapping
	applier *crm.Applier
}

// New builds the source; orgs are the allowed organization ids (15 or 18
// characters).
func New(secret string, orgs []string, m *crm.Mapping, applier *crm.Applier) *Source {
	return &Source{secret: []byte(secret), orgs: orgs, mapping: m, applier: applier}
}

// Name is "salesforce".
func (s *Source) Name() string { return Name }

// orgKey is the case-sensitive 15-character form of an organization id:
// the 18-character form only adds a checksum.
func orgKey(id string) string {
	if len(id) == 18 {
		return id[:15]
	}
	return id
}

// Verify checks the shared secret and that the message comes from an
// allowed organization.
func (s *Source) Verify(r *http.Request, body []byte, _ time.Time) error {
	got := r.URL.Query().Get("secret")
	if got == "" {
		got = r.Header.Get(HeaderSecret)
	}
	if got == "" || subtle.ConstantTimeCompare([]byte(got), s.secret) != 1 {
		return crm.Unverified("the shared secret is missing or does not match (?secret= or %s)", HeaderSecret)
	}
	var m Message
	if err := xml.Unmarshal(body, &m); err != nil {
		// The secret matched: a body that is no XML is the sender's
		// mistake to fix (400 from Decode, naming the body), not a wrong
		// secret to look for.
		return nil
	}
	if !slices.ContainsFunc(s.orgs, func(o string) bool { return orgKey(o) == orgKey(m.OrganizationID) }) {
		return crm.Unverified("organization %q is not in SALESFORCE_ORG_IDS", m.OrganizationID)
	}
	return nil
}

// Decode splits the message into its notifications, each stored as the raw
// bytes of its <Notification> element and keyed by its id.
func (s *Source) Decode(_ *http.Request, body []byte) ([]crm.Event, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	var out []crm.Event
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, crm.Malformed("body", "not XML: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Notification" {
			continue
		}
		if err := dec.Skip(); err != nil {
			return nil, crm.Malformed("Notification", "not XML: %v", err)
		}
		raw := body[start:dec.InputOffset()]
		n, err := DecodeNotification(raw)
		if err != nil {
			return nil, err
		}
		ev := crm.Event{Key: n.ID, Body: raw}
		if !strings.EqualFold(n.Object.Object(), s.mapping.Record) {
			ev.Ignore = fmt.Sprintf("%s record, not %s", crm.A(n.Object.Object()), crm.A(s.mapping.Record))
		}
		out = append(out, ev)
	}
	if len(out) == 0 {
		return nil, crm.Malformed("Notification", "the message holds no notification")
	}
	return out, nil
}

// DecodeNotification parses one <Notification> element; errors name the
// field.
func DecodeNotification(raw []byte) (Notification, error) {
	var n Notification
	if err := xml.Unmarshal(raw, &n); err != nil {
		return n, crm.Malformed("Notification", "not a notification: %v", err)
	}
	if strings.TrimSpace(n.ID) == "" {
		return n, crm.Malformed("Notification.Id", "required: it tells redeliveries apart")
	}
	if n.Object.Values()["Id"] == "" {
		return n, crm.Malformed("sObject.Id", "required: the record's id")
	}
	return n, nil
}

// Ack answers the SOAP acknowledgement.
func (s *Source) Ack(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, Ack)
}

// Record is the record a notification is about, in the form links use
// (crm.Recorder).
func (s *Source) Record(e ledger.InboxEntry) string {
	n, err := DecodeNotification(e.Body)
	if err != nil {
		return ""
	}
	return crmid.Forms(n.Object.Values()["Id"])[0] // the 15-character id links use
}

// Apply applies one notification's field values through the mapping.
func (s *Source) Apply(ctx context.Context, e ledger.InboxEntry) (crm.Result, error) {
	n, err := DecodeNotification(e.Body)
	if err != nil {
		return crm.Result{}, err
	}
	fields := n.Object.Values()
	c := crm.Change{Source: Name, RecordID: fields["Id"], Object: n.Object.Object(), Fields: fields}
	if s.mapping.Modified != "" && fields[s.mapping.Modified] != "" {
		t, err := crm.ParseTime(fields[s.mapping.Modified])
		if err != nil {
			return crm.Result{}, crm.Malformed(s.mapping.Modified, "%v", err)
		}
		c.ModifiedAt = t
	}
	return s.applier.Apply(ctx, s.mapping, c)
}

// idSuffix is the alphabet of an 18-character id's checksum.
