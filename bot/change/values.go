// Package change is the one path every change to a deal takes, whoever
// makes it: a person in chat, a CRM, Partner Center or the sweep. It applies
// the deal rules, writes the audit entry, the channel news and the sync work
// for every linked system in one transaction (through a Record the store
// implements), and it decides how a system's view of a deal is merged into
// cosellbot's: three ways, per field, against what was last exchanged with
// that system (its shadow).
//
// The package is plain Go: no database, no HTTP. Systems are reached
// through the Writer interface, records through Record.
package change

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
)

// Field names one synced field of a deal.
type Field string

// The synced fields: what Partner Center and CRMs hold of a deal and may
// change, and what cosellbot writes back to them.
const (
	Name     Field = "name"
	Value    Field = "value"    // in cents, as decimal digits
	Currency Field = "currency" // ISO 4217, upper case
	Close    Field = "close"    // YYYY-MM-DD
	Notes    Field = "notes"
	Team     Field = "team"   // the members as a JSON list of {name, email, phone}
	Stage    Field = "stage"  // a deal.Stage
	Status   Field = "status" // a deal.Status
	Reason   Field = "reason" // why declined, lost or closed as error
	// Created is no field of a deal: a record's shadow holds "yes" once its
	// system told of its creation, so that a deal is made of a record
	// created there, not of an old one nobody linked.
	Created Field = "created"
	// Expires is no synced field either: when a received referral expires,
	// as its sender says (RFC 3339, UTC). Only Partner Center tells it, and
	// nothing writes it back: the window is Partner Center's to move.
	Expires Field = "expires"
)

// Fields lists every synced field, in the order changes are described.
var Fields = []Field{Name, Value, Currency, Close, Notes, Team, Stage, Status, Reason}

// known are the fields Values may hold: the synced ones and the markers.
var known = append(Fields[:len(Fields):len(Fields)], Created, Expires)

// Values are fields in their canonical text form; a field that is absent
// says nothing about it (a per-property event names one field).
type Values map[Field]string

// Of is the deal's synced fields, canonical.
func Of(d *deal.Deal) Values {
	v := Values{
		Name:     strings.TrimSpace(d.Name),
		Value:    strconv.FormatInt(int64(d.Value), 10),
		Currency: strings.ToUpper(d.Currency),
		Close:    DateText(d.CloseDate),
		Notes:    d.Notes,
		Team:     TeamText(d.Team),
		Stage:    string(d.Stage),
		Status:   string(d.Status),
		Reason:   reasonText(d),
	}
	return v
}

// reasonText is the reason as the other systems hold it. A decline's notes,
// the partner's answer to the sender, go with its reason: Partner Center's
// statusReason is the one text of a declined referral the sender reads.
func reasonText(d *deal.Deal) string {
	if d.Status == deal.Declined && d.DeclineNotes != "" {
		return d.Reason + " — " + d.DeclineNotes
	}
	return d.Reason
}

// DateText is a date as Values hold it: YYYY-MM-DD, or "" for none.
func DateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// MoneyText is an amount as Values hold it (cents).
func MoneyText(m deal.Money) string { return strconv.FormatInt(int64(m), 10) }

// TeamText is a team as Values hold it: members in order, e-mails lower case.
func TeamText(team []deal.Person) string {
	if len(team) == 0 {
		return ""
	}
	out := make([]deal.Person, len(team))
	for i, p := range team {
		out[i] = deal.Person{Name: strings.TrimSpace(p.Name), Email: strings.ToLower(strings.TrimSpace(p.Email)), Phone: strings.TrimSpace(p.Phone)}
	}
	b, _ := json.Marshal(out) // a slice of plain structs always encodes
	return string(b)
}

// ParseTeam reads TeamText back.
func ParseTeam(s string) ([]deal.Person, error) {
	if s == "" {
		return nil, nil
	}
	var out []deal.Person
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Diff is the fields of want that differ from have, among only (every
// field of want when only is nil).
func Diff(want, have Values, only []Field) Values {
	out := Values{}
	for f, v := range want {
		if only != nil && !slices.Contains(only, f) {
			continue
		}
		if h, ok := have[f]; !ok || h != v {
			out[f] = v
		}
	}
	return out
}

// Sorted lists the fields of v in the order of Fields.
func (v Values) Sorted() []Field {
	var out []Field
	for _, f := range known {
		if _, ok := v[f]; ok {
			out = append(out, f)
		}
	}
	return out
}

// Describe says a field's value in words, for history and inbox notes.
func Describe(f Field, v string) string {
	switch f {
	case Value:
		n, err := strconv.ParseInt(v, 10, 64)
		if err == nil {
			return "value " + deal.Money(n).String()
		}
	case Team:
		team, err := ParseTeam(v)
		if err == nil {
			names := make([]string, len(team))
			for i, p := range team {
				names[i] = p.Email
			}
			return "team " + strings.Join(names, ", ")
		}
	case Close:
		return "close date " + v
	case Stage:
		for _, k := range []deal.Kind{deal.IPCoSell, deal.SolutionAssessment} {
			if info, ok := deal.StageOf(k, deal.Stage(v)); ok {
				return "stage " + info.Label
			}
		}
	}
	if v == "" {
		return string(f) + " (empty)"
	}
	return string(f) + " " + strconv.Quote(v)
}
