package crm

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/vocab"
)

// Mapping translates one CRM's records to deals: which object type is a
// deal, which CRM fields hold the deal's fields, and which CRM stage values
// mean which deal stage or outcome. The defaults for Dynamics 365,
// Salesforce and HubSpot are in deploy/crm/.
type Mapping struct {
	Source string `yaml:"source"`
	// Record is the CRM object type whose events are applied (opportunity,
	// Opportunity, deal); events about other objects are ignored.
	Record string `yaml:"record"`
	// Modified names the field holding the record's modification time, for
	// sources whose events do not carry one.
	Modified string `yaml:"modified,omitempty"`
	// Origin is no longer used: echoes are recognised by their values (the
	// link's shadow), not by a token. Kept so that older files still load.
	Origin string `yaml:"origin,omitempty"`
	// Fields maps deal fields (name, value, currency, close, notes, reason)
	// to CRM field names.
	Fields map[string]string `yaml:"fields"`
	// Stages are tried in order; the first whose field is in the event and
	// whose value is listed decides the target.
	Stages []StageRule `yaml:"stages"`
	// Create, when set, makes a deal of a record created in the CRM (a
	// creation event), with these defaults for what the record lacks.
	Create *Defaults `yaml:"create,omitempty"`
	// Currencies maps the CRM's currency names or ids to ISO 4217 codes,
	// beyond the common ones cosellbot knows (Dynamics 365 sends the
	// transaction currency's name, "US Dollar", not its code).
	Currencies map[string]string `yaml:"currencies,omitempty"`
}

// Defaults are what a deal made from a CRM record takes when the record does
// not say: the deal's kind (ip, services, p2p, or Partner Center's label),
// MPN location, customer and its country, a team member, an IP co-sell
// deal's solutions (names in the catalog, comma-separated), and a services
// deal's partner role, solution area and play. A deal made of a record
// keeps every rule of deal new: without them, the record waits.
type Defaults struct {
	Kind             string `yaml:"kind"`
	Location         string `yaml:"location"`
	Customer         string `yaml:"customer"`
	CustomerLocation string `yaml:"customer_location"`
	Team             string `yaml:"team"` // "Name <email> +phone"
	Solution         string `yaml:"solution"`
	Role             string `yaml:"role"`
	Area             string `yaml:"area"`
	Play             string `yaml:"play"`
	Currency         string `yaml:"currency"`
	// Share is Partner Center's "Do you want Microsoft sellers to see this
	// deal?": yes makes the deals of created records partner-led. Unset or
	// no keeps them private, as deal new without share= does: a CRM posts
	// every opportunity anyone creates, and Microsoft must not see them all.
	Share bool `yaml:"share"`
}

// solutionNames are the catalog names of the solutions a created record's
// deal takes.
func (m *Mapping) solutionNames(c Change) []string {
	if m.Create == nil {
		return nil
	}
	return command.ParseList(m.Create.Solution)
}

// StageRule maps the values of one CRM field to a deal stage or outcome:
// qualified, developed, proposed, negotiated (or the assessment stages),
// accepted, won, lost or declined.
type StageRule struct {
	Field  string            `yaml:"field"`
	Values map[string]string `yaml:"values"`
}

// mappedFields are the deal fields a mapping may name (customer only for
// making deals of created records).
var mappedFields = []string{"name", "value", "currency", "close", "notes", "reason", "customer"}

// targets are the stage values a mapping may map to, besides stages.
var targets = []string{"accepted", "won", "lost", "declined"}

// ParseMapping reads a mapping and checks it; errors name the key.
func ParseMapping(data []byte) (*Mapping, error) {
	var m Mapping
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	if m.Source == "" {
		return nil, fmt.Errorf("mapping: source: required (dynamics, salesforce, hubspot or generic)")
	}
	if m.Record == "" {
		return nil, fmt.Errorf("mapping %s: record: required (the CRM object type that is a deal)", m.Source)
	}
	for k := range m.Fields {
		if !slices.Contains(mappedFields, k) {
			return nil, fmt.Errorf("mapping %s: fields.%s: not a deal field; use %s", m.Source, k, strings.Join(mappedFields, ", "))
		}
	}
	if d := m.Create; d != nil {
		if d.Location == "" || d.CustomerLocation == "" {
			return nil, fmt.Errorf("mapping %s: create: location and customer_location are required to make deals of created records", m.Source)
		}
		if !deal.PartnerLocationID(d.Location) {
			return nil, fmt.Errorf("mapping %s: create.location: %q is not a partner location ID: write %s", m.Source, d.Location, deal.LocationIDHint)
		}
		if _, ok := kindOf(d.Kind); !ok {
			return nil, fmt.Errorf("mapping %s: create.kind: %q is not a deal kind; use ip, services or p2p", m.Source, d.Kind)
		}
	}
	known := append(slices.Clone(targets), stageNames()...)
	for i, r := range m.Stages {
		if r.Field == "" {
			return nil, fmt.Errorf("mapping %s: stages[%d].field: required", m.Source, i)
		}
		for crmValue, to := range r.Values {
			if !slices.Contains(known, to) {
				return nil, fmt.Errorf("mapping %s: stages[%d].values.%s: %q is not a deal stage or outcome; use %s", m.Source, i, crmValue, to, strings.Join(known, ", "))
			}
		}
	}
	return &m, nil
}

func stageNames() []string {
	var out []string
	for _, k := range []deal.Kind{deal.ServicesCoSell, deal.SolutionAssessment} {
		for _, s := range deal.Markable(k) {
			out = append(out, string(s))
		}
	}
	return out
}

// LoadMappings reads <dir>/<source>.yaml for each source asked for.
func LoadMappings(dir string, sources ...string) (map[string]*Mapping, error) {
	out := map[string]*Mapping{}
	for _, s := range sources {
		path := filepath.Join(dir, s+".yaml")
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("COSELLBOT_CRM_MAPPING: %w", err)
		}
		m, err := ParseMapping(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if m.Source != s {
			return nil, fmt.Errorf("%s: source: says %q, want %q", path, m.Source, s)
		}
		out[s] = m
	}
	return out, nil
}

// Change is one CRM record's new field values, as an event tells them.
type Change struct {
	// Created says the event is the record's creation: a deal is made of it
	// when the mapping says how (create:).
	Created bool
	// Outcome is the deal outcome the event itself says (won, lost), beyond
	// its fields: Dynamics 365's Win and Lose messages.
	Outcome    string
	Reason     string // why, with an Outcome
	Source     string
	RecordID   string    // the CRM record id (a deal's crm_id)
	Object     string    // the record's object type
	ModifiedAt time.Time // zero when the event does not say
	// Changed names the CRM fields the event says were set at ModifiedAt
	// (HubSpot's one event per property; a Dataverse Target's attributes,
	// beside its post image's whole record): those have the event's time as
	// their own, unlike a whole record's fields (Salesforce), whose time may
	// belong to any of them.
	Changed []string
	// Fields are CRM field name → value, as text. A field the event holds
	// empty was cleared there; one it does not hold says nothing.
	Fields map[string]string
}

// Incoming translates a change's fields into the synced fields of a deal,
// each stamped with the record's modification time (a per-property event
// names one field, a full record all of them). Malformed values fail,
// naming the CRM field. A field the change does not hold says nothing; one
// it holds empty was cleared in the CRM (the adapters put a field in
// Fields empty only when the vendor says so: a Dataverse attribute set to
// null, a Salesforce xsi:nil field, a HubSpot property changed to ""), and
// arrives as an empty value for the deal rules to judge: taken where a
// field may be empty, refused (kept in the history, and the deal's value
// sent back) where the rules require it. Dropped instead, the CRM and
// cosellbot went on disagreeing while `cosellbot sync` said "in step".
func (m *Mapping) Incoming(c Change) (change.Incoming, error) {
	in, err := m.incoming(c)
	if err != nil || in.Modified.IsZero() {
		return in, err
	}
	for _, name := range c.Changed {
		for _, f := range m.synced(name) {
			if _, ok := in.Values[f]; ok {
				if in.At == nil {
					in.At = map[change.Field]time.Time{}
				}
				in.At[f] = in.Modified
			}
		}
	}
	return in, nil
}

func (m *Mapping) incoming(c Change) (change.Incoming, error) {
	in := change.Incoming{System: c.Source, RecordID: c.RecordID, Values: change.Values{}, Modified: c.ModifiedAt}
	if in.Modified.IsZero() && m.Modified != "" {
		if v := strings.TrimSpace(c.Fields[m.Modified]); v != "" {
			t, err := ParseTime(v)
			if err != nil {
				return in, Malformed(m.Modified, "%v", err)
			}
			in.Modified = t
		}
	}
	get := func(f string) (string, bool) {
		name := m.Fields[f]
		if name == "" {
			return "", false
		}
		v, ok := c.Fields[name]
		return strings.TrimSpace(v), ok
	}
	if v, ok := get("name"); ok {
		in.Values[change.Name] = v
	}
	if v, ok := get("notes"); ok {
		in.Values[change.Notes] = v
	}
	if v, ok := get("currency"); ok {
		code := ""
		if v != "" {
			var err error
			if code, err = m.currencyCode(v); err != nil {
				return in, Malformed(m.Fields["currency"], "%v", err)
			}
		}
		in.Values[change.Currency] = code
	}
	if v, ok := get("value"); ok {
		amount := ""
		if v != "" {
			money, err := parseAmount(v)
			if err != nil {
				return in, Malformed(m.Fields["value"], "%v", err)
			}
			amount = change.MoneyText(money)
		}
		in.Values[change.Value] = amount
	}
	if v, ok := get("close"); ok {
		date := ""
		if v != "" {
			t, err := ParseTime(v)
			if err != nil {
				return in, Malformed(m.Fields["close"], "%v", err)
			}
			date = change.DateText(t)
		}
		in.Values[change.Close] = date
	}
	if v, ok := get("reason"); ok {
		in.Values[change.Reason] = v
	}
	if c.Outcome != "" {
		in.Values[change.Status] = c.Outcome
		if c.Reason != "" {
			in.Values[change.Reason] = c.Reason
		}
		return in, nil
	}
	to, unread := m.stage(c)
	switch {
	case slices.Contains(targets, to):
		in.Values[change.Status] = to
	case to != "":
		in.Values[change.Stage] = to
	case unread != nil:
		// Not applied, and not written over either (change.Shadow.KeepUnread).
		in.Unread = map[change.Field]string{change.Stage: unread[1]}
	}
	return in, nil
}

// synced is what a CRM field reads as among the deal's synced fields: a
// mapped field, or a stage field (the stage, or the outcome it says).
func (m *Mapping) synced(name string) []change.Field {
	var out []change.Field
	for key, field := range m.Fields {
		if field == name {
			out = append(out, change.Field(key))
		}
	}
	for _, r := range m.Stages {
		if r.Field == name {
			out = append(out, change.Stage, change.Status)
		}
	}
	return out
}

// stage reads the event's stage through the stage rules, tried in order:
// to is what the first rule whose field is present with a listed value
// maps it to. When none matched, unread is the first stage field present
// with a value no rule lists (a custom Salesforce stage, a HubSpot
// pipeline added later), which Incoming skips and the inbox names.
func (m *Mapping) stage(c Change) (to string, unread *[2]string) {
	for _, r := range m.Stages {
		v, present := c.Fields[r.Field]
		v = strings.TrimSpace(v)
		if !present || v == "" {
			continue
		}
		if to, mapped := r.Values[v]; mapped {
			return to, nil
		}
		if unread == nil {
			unread = &[2]string{r.Field, v}
		}
	}
	return "", unread
}

// Synced is what cosellbot writes back to the CRM: the mapped fields, and
// the stage and outcome when the mapping has stage rules.
func (m *Mapping) Synced() []change.Field {
	var out []change.Field
	for _, f := range []string{"name", "value", "currency", "close", "notes", "reason"} {
		if m.Fields[f] != "" {
			out = append(out, change.Field(f))
		}
	}
	if len(m.Stages) > 0 {
		out = append(out, change.Stage, change.Status)
	}
	return out
}

// Outgoing translates deal fields into the CRM's field names and values:
// amounts as decimals, dates as YYYY-MM-DD, the stage or outcome as the
// first CRM value mapped to it. sh is what the record is known to hold
// (the link's shadow): an empty value is not sent for a field the record
// was never known to have (blanking what cosellbot never saw), and the
// stage field is left alone when what it holds already reads as the
// deal's stage or outcome. Several CRM values may read as one stage
// (HubSpot's appointmentscheduled and qualifiedtobuy), and a stage field
// cannot say created from accepted: rewriting it then would replace the
// CRM user's own value with another, or echo it back. skipped are the
// fields of v it cannot express: a stage or outcome the mapping has no CRM
// value for (an assessment stage in HubSpot's deal pipeline), which the
// record goes on holding as it was.
func (m *Mapping) Outgoing(d *deal.Deal, v change.Values, sh change.Shadow) (out map[string]string, skipped []change.Field) {
	out = map[string]string{}
	put := func(f change.Field, key, val string) {
		if _, ok := v[f]; !ok || m.Fields[key] == "" {
			return
		}
		if _, known := sh[f]; val == "" && !known {
			return
		}
		out[m.Fields[key]] = val
	}
	put(change.Name, "name", d.Name)
	put(change.Notes, "notes", d.Notes)
	put(change.Currency, "currency", d.Currency)
	put(change.Value, "value", strconv.FormatFloat(d.Value.Float(), 'f', 2, 64))
	put(change.Close, "close", change.DateText(d.CloseDate))
	put(change.Reason, "reason", v[change.Reason]) // Of(d): a decline carries its notes
	_, st := v[change.Stage]
	_, os := v[change.Status]
	if st || os {
		target := string(d.Stage)
		if d.Status.Terminal() || d.Status == deal.Received {
			target = string(d.Status)
		}
		if stageHeld(sh) == target {
			return out, nil
		}
		written := false
		for _, r := range m.Stages {
			if crmValue, ok := m.first(r, target); ok {
				out[r.Field] = crmValue
				written = true
				break
			}
		}
		if !written {
			for _, f := range []change.Field{change.Stage, change.Status} {
				if _, ok := v[f]; ok {
					skipped = append(skipped, f)
				}
			}
		}
	}
	return out, skipped
}

// stageHeld is what a record's stage field is known to say, in the
// terms Outgoing's target uses: the outcome when the record holds one (or
// the referral's received state), else its stage; "" when unknown.
func stageHeld(sh change.Shadow) string {
	if st, ok := sh[change.Status]; ok {
		if s := deal.Status(st.Value); s.Terminal() || s == deal.Received {
			return st.Value
		}
	}
	if st, ok := sh[change.Stage]; ok {
		return st.Value
	}
	return ""
}

// first is the CRM value a stage rule maps to target (sorted, so the
// choice is stable).
func (m *Mapping) first(r StageRule, target string) (string, bool) {
	var found []string
	for crmValue, to := range r.Values {
		if to == target {
			found = append(found, crmValue)
		}
	}
	if len(found) == 0 {
		return "", false
	}
	slices.Sort(found)
	return found[0], true
}

// kinds are the deal kinds a created record may default to.
// madeKinds are the kinds a CRM record can make a deal of: a solution
// assessment needs a vetted assessment type, which no CRM record carries.
var madeKinds = []deal.Kind{deal.IPCoSell, deal.ServicesCoSell, deal.P2P}

// kindOf reads a deal kind as a mapping or a record writes it: the short
// form (ip) or Partner Center's label (IP co-sell).
func kindOf(s string) (deal.Kind, bool) {
	if t, ok := vocab.Kinds.Lookup(s); ok && slices.Contains(madeKinds, deal.Kind(t.Slug)) {
		return deal.Kind(t.Slug), true
	}
	return deal.Kind(s), false
}

// term is the slug of a value written as Partner Center's label, the short
// form or a synonym; a value it does not know is kept as written, for the
// deal rules to refuse by name.
func term(v *vocab.Vocabulary, s string) string {
	if t, ok := v.Lookup(s); ok {
		return t.Slug
	}
	return s
}

// currencyNames are the ISO codes of the currency names CRMs send instead
// of codes (Dynamics 365's transaction currency), lower case.
var currencyNames = map[string]string{
	"us dollar": "USD", "euro": "EUR", "pound sterling": "GBP", "british pound": "GBP", "swedish krona": "SEK",
	"norwegian krone": "NOK", "danish krone": "DKK", "swiss franc": "CHF", "japanese yen": "JPY", "canadian dollar": "CAD",
	"australian dollar": "AUD", "new zealand dollar": "NZD", "indian rupee": "INR", "brazilian real": "BRL",
	"mexican peso": "MXN", "polish zloty": "PLN", "south african rand": "ZAR", "singapore dollar": "SGD",
}

// currencyCode reads a CRM's currency as an ISO 4217 code: a code ("usd"),
// a name the mapping's table or cosellbot knows ("US Dollar"). An unknown
// name is malformed, naming what to add.
func (m *Mapping) currencyCode(s string) (string, error) {
	s = strings.TrimSpace(s)
	if code, ok := m.Currencies[s]; ok {
		return strings.ToUpper(code), nil
	}
	if code, ok := currencyNames[strings.ToLower(s)]; ok {
		return code, nil
	}
	if len(s) == 3 && strings.IndexFunc(s, func(r rune) bool { return (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') }) < 0 {
		return strings.ToUpper(s), nil
	}
	return "", fmt.Errorf("%q is not an ISO currency code, nor a currency name cosellbot knows: add it under currencies: in the %s mapping", s, m.Source)
}

// Draft is the deal a record created in the CRM makes, from its fields and
// the mapping's create defaults; ok is false when the mapping makes no
// deals of created records.
func (m *Mapping) Draft(c Change, in change.Incoming) (deal.Draft, bool, error) {
	d := m.Create
	if d == nil {
		return deal.Draft{}, false, nil
	}
	dr := deal.Draft{
		Location: d.Location, Name: in.Values[change.Name], Notes: in.Values[change.Notes],
		Currency: d.Currency, CRMID: c.RecordID, Share: d.Share, Help: deal.HelpNone,
		Customer: deal.Customer{Name: d.Customer, Location: strings.ToUpper(d.CustomerLocation), Account: deal.Other},
		Role:     deal.Role(term(vocab.PartnerRoles, d.Role)), SolutionArea: term(vocab.Areas, d.Area), SolutionPlay: term(vocab.Plays, d.Play),
	}
	dr.Kind, _ = kindOf(d.Kind)
	if name := m.Fields["customer"]; name != "" && strings.TrimSpace(c.Fields[name]) != "" {
		dr.Customer.Name = strings.TrimSpace(c.Fields[name])
	}
	if cur := in.Values[change.Currency]; cur != "" {
		dr.Currency = cur
	}
	if v := in.Values[change.Value]; v != "" {
		n, _ := strconv.ParseInt(v, 10, 64)
		dr.Value = deal.Money(n)
	}
	if v := in.Values[change.Close]; v != "" {
		dr.CloseDate, _ = time.Parse(time.DateOnly, v)
	}
	if d.Team != "" {
		p, err := command.ParsePerson(d.Team)
		if err != nil {
			return dr, true, fmt.Errorf("mapping %s: create.team: %w", m.Source, err)
		}
		dr.Team = []deal.Person{p}
	}
	return dr, true, nil
}

// parseAmount reads a CRM amount ("120000.0", "40000", "1.2E5") into money,
// rounded to cents. A negative amount is read: it is a value a person typed,
// which the deal rules refuse (a value is above zero) field by field, and
// the deal's value is sent back; refused here, it failed the whole record,
// every other field with it, again on every save.
func parseAmount(s string) (deal.Money, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e15 {
		return 0, fmt.Errorf("%q is not an amount", s)
	}
	return deal.Money(math.Round(f * 100)), nil
}

// wcfDate is a WCF JSON date: /Date(1506384247000)/ or /Date(1506384247000-0700)/.
var wcfDate = regexp.MustCompile(`^\\?/Date\((-?\d+)([+-]\d{4})?\)\\?/$`)

// ParseTime reads the times CRMs send: RFC 3339, a date, epoch milliseconds,
// or a WCF /Date(ms)/.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if m := wcfDate.FindStringSubmatch(s); m != nil {
		ms, err := strconv.ParseInt(m[1], 10, 64)
		if err == nil {
			return time.UnixMilli(ms).UTC(), nil
		}
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil && len(s) >= 10 {
		return time.UnixMilli(ms).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (RFC 3339, YYYY-MM-DD, epoch milliseconds or /Date(ms)/)", s)
}
