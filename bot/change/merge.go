package change

import (
	"time"
)

// Mark is one field of a link's shadow: the value as last exchanged with
// that system, the system's own time for it, and the value cosellbot has
// sent and not yet seen confirmed (Pending).
type Mark struct {
	Value   string    `json:"v"`
	At      time.Time `json:"at,omitzero"`
	Sent    string    `json:"s,omitempty"`
	Pending bool      `json:"p,omitempty"`
	// Refused is set when the deal rules refused the system's Value: the
	// system still holds it, but it was never applied. Said again with a
	// newer time it is no echo; the rules judge it again.
	Refused bool `json:"r,omitempty"`
}

// Shadow is a link's view of what its system holds, per field.
type Shadow map[Field]Mark

// Clone copies a shadow.
func (s Shadow) Clone() Shadow {
	out := make(Shadow, len(s))
	for f, m := range s {
		out[f] = m
	}
	return out
}

// Values is what the system holds as far as cosellbot knows.
func (s Shadow) Values() Values {
	out := Values{}
	for f, m := range s {
		out[f] = m.Value
	}
	return out
}

// Link ties a deal to one record of an outside system.
type Link struct {
	System   string // partnercenter, dynamics, salesforce, hubspot, generic
	RecordID string
	DealID   int64
	ETag     string    // Partner Center: sent as If-Match
	Seen     time.Time // the system's newest modification time applied
	Shadow   Shadow
}

// Incoming is what a system says of its record: some fields, each with the
// system's modification time (At, or the record's Modified when a field has
// none of its own).
type Incoming struct {
	System   string
	RecordID string
	Values   Values
	At       map[Field]time.Time
	Modified time.Time
	ETag     string
	// Known is set by Receive for a Maker: the record was seen before and
	// waits to be complete enough to make a deal of.
	Known bool
}

// time of a field: its own, else the record's.
func (in Incoming) time(f Field) time.Time {
	if t, ok := in.At[f]; ok && !t.IsZero() {
		return t
	}
	return in.Modified
}

// Conflict is a field a system changed that lost to a newer change made
// elsewhere: the deal keeps Kept; Lost is what the system had, at At.
type Conflict struct {
	Field  Field
	Kept   string
	Lost   string
	System string
	At     time.Time
}

// Decision is what merging an incoming record decided.
type Decision struct {
	Apply     Values              // fields to set on the deal
	Times     map[Field]time.Time // the source time of each applied field
	Conflicts []Conflict
	Shadow    Shadow  // the link's shadow after the merge
	Stale     []Field // fields older than what that system told before
	Echoes    []Field // fields equal to what cosellbot last exchanged or sent
	Unchanged []Field // fields that changed in the system but already match the deal
}

// Merge merges a system's record into the deal three ways, per field:
//   - a value equal to the shadow's (what was last exchanged) or to what
//     cosellbot sent is no change in that system: an echo, never applied,
//     unless the rules refused it and the system says it again, later;
//   - a value older than what that system told before is stale;
//   - otherwise the system changed the field: it is applied when its time
//     is newer than the field's last change from any origin (changed),
//     and kept as a conflict when it is not.
//
// The shadow records what the system now holds in every case, so that the
// outgoing side sends back the deal's value where the system lost.
func Merge(cur Values, changed map[Field]time.Time, sh Shadow, in Incoming) Decision {
	d := Decision{Apply: Values{}, Times: map[Field]time.Time{}, Shadow: sh.Clone()}
	if d.Shadow == nil {
		d.Shadow = Shadow{}
	}
	for _, f := range in.Values.Sorted() {
		v, at := in.Values[f], in.time(f)
		m, known := sh[f]
		again := known && m.Refused && v == m.Value && at.After(m.At)
		if known && !again && (v == m.Value || (m.Pending && v == m.Sent)) {
			if !at.Before(m.At) {
				d.Shadow[f] = Mark{Value: v, At: at, Sent: m.Sent, Pending: m.Pending && v != m.Sent}
			}
			d.Echoes = append(d.Echoes, f)
			continue
		}
		if known && !m.At.IsZero() && !at.After(m.At) {
			d.Stale = append(d.Stale, f)
			continue
		}
		d.Shadow[f] = Mark{Value: v, At: at, Sent: m.Sent, Pending: m.Pending}
		if cur[f] == v {
			d.Unchanged = append(d.Unchanged, f)
			continue
		}
		if last := changed[f]; !last.IsZero() && !at.After(last) {
			d.Conflicts = append(d.Conflicts, Conflict{Field: f, Kept: cur[f], Lost: v, System: in.System, At: at})
			continue
		}
		d.Apply[f], d.Times[f] = v, at
	}
	return d
}

// Outgoing is what a link's system lacks of the deal: the fields it syncs
// (only; nil for all) whose deal value differs from the shadow. A deal has
// a reason only once lost, declined or closed as error: an empty one means
// none, and is never written over the reason a CRM user typed on an open
// record (or to a record that never had one).
func Outgoing(cur Values, sh Shadow, only []Field) Values {
	out := Diff(cur, sh.Values(), only)
	if v, ok := out[Reason]; ok && v == "" {
		delete(out, Reason)
	}
	return out
}

// Sending marks fields as sent and not yet confirmed.
func (s Shadow) Sending(v Values) Shadow {
	out := s.Clone()
	for f, val := range v {
		m := out[f]
		m.Sent, m.Pending = val, true
		out[f] = m
	}
	return out
}

// Sent records that the system took v at its time at.
func (s Shadow) Sent(v Values, at time.Time) Shadow {
	out := s.Clone()
	for f, val := range v {
		out[f] = Mark{Value: val, At: at}
	}
	return out
}

// Cursor is where a poll of a system resumes: after At (the newest
// modification applied), or at the page Next of a listing under way.
type Cursor struct {
	At   time.Time
	Next string
}
