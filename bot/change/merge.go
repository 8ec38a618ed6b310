package change

import (
	"hash/fnv"
	"slices"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
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
	// Lost is set when the system's Value lost a conflict to a newer change
	// made elsewhere. A system that tells each field's own time (HubSpot's
	// one event per property) saying it again, later, set it again: that
	// is no echo either. A whole record's time (Salesforce) says nothing of
	// the field, so there it stays an echo.
	Lost bool `json:"l,omitempty"`
	// Earlier holds hashes of values cosellbot sent before Sent: a system's
	// late notification of one of them is cosellbot's own write, not a
	// person's change, and is not written to the history as a conflict.
	Earlier []uint32 `json:"e,omitempty"`
	// Prior is what the system held before cosellbot's write of Value, and
	// Acked when that write was answered (cosellbot's clock), kept while
	// the system has not said its own time for the write (a CRM answers a
	// write with no time; its notification of it tells one). A record the
	// system sent before the write landed, arriving after the answer (a
	// person's edit of another field, queued meanwhile), holds Prior there:
	// the record as it was, not a change to apply over the chat's.
	Prior string    `json:"b,omitempty"`
	Acked time.Time `json:"k,omitzero"`
	// Unread is what the system holds in the field when its mapping cannot
	// read it (a stage no rule lists: a Salesforce picklist value or a
	// HubSpot pipeline added since), told at At. Value is then the deal's
	// value as it was when the system told it, so that nothing is written
	// over the system's own (Shadow.KeepUnread); a later change of the
	// deal's is newer and is written, and a value the system tells that
	// the mapping reads replaces the mark.
	Unread string `json:"u,omitempty"`
}

// maxEarlier bounds Mark.Earlier: a burst of writes to one field longer
// than this may leave late notifications of its first ones unrecognised.
const maxEarlier = 32

// sentBefore reports whether v is Sent or one of the values sent before it.
func (m Mark) sentBefore(v string) bool {
	if m.Sent == v && (m.Pending || v != "") {
		return true
	}
	return slices.Contains(m.Earlier, hashValue(v))
}

// hashValue is a value's 32-bit FNV-1a hash: enough to recognise a few
// dozen earlier values of one field without storing them.
func hashValue(v string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(v))
	return h.Sum32()
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
	// Gone is when the system deleted the record (zero: it was not). The
	// link then ties it to no deal and stays as a tombstone: an event of
	// the record older than its deletion, delivered late, is stale, where
	// it would link the record again by the deal's CRM ID (and chat edits
	// would go on being written to a record that is gone). A later one (a
	// restore) links it anew.
	Gone time.Time
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
	// Unread holds, by the field it would be, a value the system holds
	// that its mapping does not read (Stage: a stage no rule lists). It
	// is never applied; the link keeps it from being written over
	// (Shadow.KeepUnread).
	Unread map[Field]string
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
		_, own := in.At[f]
		m, known := sh[f]
		again := known && v == m.Value && at.After(m.At) && (m.Refused || m.Lost && own)
		if known && !again && (v == m.Value || (m.Pending && v == m.Sent)) {
			if !at.Before(m.At) {
				n := m
				n.Value, n.At, n.Pending, n.Unread = v, at, m.Pending && v != m.Sent, ""
				if v != m.Value {
					n.Refused, n.Lost = false, false
				}
				if !at.IsZero() {
					// The system's own time for the write: older records are
					// told stale by it from now on.
					n.Prior, n.Acked = "", time.Time{}
				}
				d.Shadow[f] = n
			}
			d.Echoes = append(d.Echoes, f)
			continue
		}
		if known && m.At.IsZero() && !m.Acked.IsZero() && v == m.Prior && v != m.Value && !at.After(m.Acked) {
			// The record as it was before cosellbot's write landed, sent
			// before the write was answered and arriving after (see
			// Mark.Prior): the system holds the written value now.
			d.Stale = append(d.Stale, f)
			continue
		}
		if known && m.At.IsZero() && v != m.Value && v != m.Sent && m.sentBefore(v) {
			// A CRM's write answers with no time of its own, so until the
			// notification of cosellbot's last write comes, those of its
			// earlier writes cannot be told stale by their time: they are
			// echoes too, and say nothing of what the record holds now
			// (else each wrote a false conflict and the value was sent
			// again). A person setting one of those values again in that
			// second or two is taken for an echo.
			d.Echoes = append(d.Echoes, f)
			continue
		}
		// The system changed its own value again within one tick of its
		// clock (Salesforce's LastModifiedDate and Dataverse's modifiedon
		// keep seconds: a save, then a flow's update): the later delivery
		// is the later save. Taken for stale, the record kept a value the
		// deal and the other systems never got, and sync said "in step".
		sameTick := known && !at.IsZero() && at.Equal(m.At) && v != m.Value && cur[f] == m.Value && !m.Pending
		if known && !m.At.IsZero() && !at.After(m.At) && !sameTick {
			d.Stale = append(d.Stale, f)
			if own && v != m.Value && v != cur[f] && !m.sentBefore(v) {
				// A person's change, told late (HubSpot delivers one event
				// per property, out of order): it lost to what the system
				// told since, and the history says so. Not applied.
				d.Conflicts = append(d.Conflicts, Conflict{Field: f, Kept: cur[f], Lost: v, System: in.System, At: at})
			}
			continue
		}
		n := m
		n.Value, n.At, n.Refused, n.Lost, n.Unread = v, at, false, false, ""
		if cur[f] == v {
			d.Shadow[f] = n
			d.Unchanged = append(d.Unchanged, f)
			continue
		}
		if f == Team && known && cur[f] != m.Value {
			// Both sides changed the team since they last agreed: its
			// members are merged, whichever change is newer, so that
			// neither side's additions or removals are lost.
			if merged, ok := mergeTeam(m.Value, cur[f], v); ok {
				d.Shadow[f] = n
				if merged == cur[f] {
					d.Unchanged = append(d.Unchanged, f)
					continue
				}
				d.Apply[f], d.Times[f] = merged, at
				if last := changed[f]; last.After(at) {
					d.Times[f] = last // the merge is as new as the newer side
				}
				continue
			}
		}
		if last := changed[f]; !last.IsZero() && !at.After(last) && !(sameTick && at.Equal(last)) {
			if !m.sentBefore(v) {
				// cosellbot's own earlier write, told late, is no person's
				// change: the system holds it, and is sent the deal's value,
				// but the history does not call it a conflict.
				n.Lost = true
				d.Conflicts = append(d.Conflicts, Conflict{Field: f, Kept: cur[f], Lost: v, System: in.System, At: at})
			}
			d.Shadow[f] = n
			continue
		}
		d.Shadow[f] = n
		d.Apply[f], d.Times[f] = v, at
	}
	return d
}

// KeepUnread records that the system holds raw in its stage field, told at
// at, a value its mapping does not read, when the link knows no stage of
// the record it can read (a record first linked at such a stage, or one
// still at one): the marks of the stage and the outcome (Mark.Unread) take
// the deal's values (cur), so that the deal's stage is not written over the
// record's. The system's stage cannot be applied, nor weighed against the
// deal's: neither is written over the other until one side changes it, and
// the newer change then wins. news is false when nothing changed: the link
// reads the record's stage (a move to an unlisted stage is its adapter's
// to refuse), or already knew raw, or at is older than what it knew.
func (s Shadow) KeepUnread(cur Values, raw string, at time.Time) (_ Shadow, news bool) {
	st, out := s[Stage], s[Status]
	if st.Unread == "" && (st.Value != "" || out.Value != "") {
		return s, false
	}
	if st.Unread == raw || st.Unread != "" && !at.After(st.At) {
		return s, false
	}
	next := s.Clone()
	next[Stage] = Mark{Value: cur[Stage], At: at, Unread: raw}
	next[Status] = Mark{Value: cur[Status], At: at, Unread: raw}
	return next, true
}

// Outgoing is what system lacks of the deal: the fields it syncs (only;
// nil for all) whose deal value differs from the link's shadow. A deal has
// a reason only once lost, declined or closed as error: an empty one means
// none, and is never written over the reason a CRM user typed on an open
// record (or to a record that never had one); nor is one cosellbot made up
// when that system closed the deal without one ("lost in HubSpot") written
// to it, over the empty or picklist field its user left.
func Outgoing(system string, cur Values, sh Shadow, only []Field) Values {
	if system == PartnerCenter && ClosedThere(sh) {
		// Partner Center takes no change to a closed referral: writing the
		// fields an acceptance it voided had set (or a reason told after
		// its close) was refused and given up, each time, in the history.
		return Values{}
	}
	out := Diff(cur, sh.Values(), only)
	if r, ok := out[Reason]; ok && (r == "" || r == DefaultReason(deal.Status(cur[Status]), system)) {
		delete(out, Reason)
	}
	for f, v := range out {
		if m, known := sh[f]; (!known || m.Refused) && (v == "" || f == Value && v == "0") {
			// What the record holds there is unknown, or a value the rules
			// refused (a CRM's figures on a referral not accepted yet), and
			// the deal has nothing to say (a referral not answered yet has
			// no name, value or close date): blanking the record's own
			// value is never right.
			delete(out, f)
		}
	}
	return out
}

// Sending marks fields as sent and not yet confirmed, remembering what was
// sent before (Mark.Earlier).
func (s Shadow) Sending(v Values) Shadow {
	out := s.Clone()
	for f, val := range v {
		m := out[f]
		m.Earlier = remember(m.Earlier, m.Sent, val)
		m.Sent, m.Pending = val, true
		out[f] = m
	}
	return out
}

// Sent records that the system took v at its time at, answering at acked
// (cosellbot's clock). A system that gives no time of its own (at zero)
// leaves the value it held before in Prior (see Mark.Prior).
func (s Shadow) Sent(v Values, at, acked time.Time) Shadow {
	out := s.Clone()
	for f, val := range v {
		m, known := out[f]
		n := Mark{Value: val, At: at, Earlier: remember(remember(m.Earlier, m.Sent, val), val, "")}
		if known && at.IsZero() && m.Value != val {
			n.Prior, n.Acked = m.Value, acked
			if m.Prior != "" && m.At.IsZero() {
				// Written twice before the system told a time: its record
				// from before the first write holds the first Prior (the
				// value between is a write of cosellbot's, see Earlier).
				n.Prior = m.Prior
			}
		}
		out[f] = n
	}
	return out
}

// remember adds prev, a value sent before next, to the hashes of earlier
// values, the newest last, at most maxEarlier of them.
func remember(earlier []uint32, prev, next string) []uint32 {
	if prev == "" || prev == next {
		return earlier
	}
	h := hashValue(prev)
	out := make([]uint32, 0, min(len(earlier)+1, maxEarlier))
	for _, e := range earlier {
		if e != h {
			out = append(out, e)
		}
	}
	out = append(out, h)
	if len(out) > maxEarlier {
		out = out[len(out)-maxEarlier:]
	}
	return out
}

// Cursor is where a poll of a system resumes: from At (the newest
// modification read), with Next, the poll's own note of where in the
// listing it is (Partner Center's: the referrals read at At, as JSON; not a
// next-page link, which changes made meanwhile shift).
type Cursor struct {
	At   time.Time
	Next string
	// Version is the cursor's version when it was read (0: never saved).
	// A save is taken over that version only: replicas polling at once
	// each read the cursor, and the one saved second must not drop what
	// the first kept (its failed referrals, held for retry), so it is
	// refused (ledger.ErrConflict), reads again and merges.
	Version int64
}

// ClosedThere reports whether a record's shadow holds a closed status the
// system told (not one cosellbot is still sending): a Partner Center
// referral won, lost, declined or expired there.
func ClosedThere(sh Shadow) bool {
	m, ok := sh[Status]
	return ok && !m.Refused && deal.Status(m.Value).Terminal()
}
