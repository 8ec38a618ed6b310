package change

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
)

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

// Merge takes, per field, only what the system changed since the shadow,
// and only when it is newer than the field's last change from anywhere.
func TestMerge(t *testing.T) {
	cur := Values{Name: "Lakehouse", Value: "4500000", Stage: "proposed"}
	changed := map[Field]time.Time{Name: at(10), Value: at(10), Stage: at(10)}
	tests := []struct {
		name                   string
		shadow                 Shadow
		in                     Incoming
		apply, conflict, stale []Field
		echo, unchanged        []Field
		shadowAfter            map[Field]string
	}{
		{
			name:   "a newer change the system made is applied",
			shadow: Shadow{Value: {Value: "4500000", At: at(5)}},
			in:     Incoming{System: "hubspot", Values: Values{Value: "5000000"}, Modified: at(20)},
			apply:  []Field{Value}, shadowAfter: map[Field]string{Value: "5000000"},
		},
		{
			name:   "a full record repeats unchanged fields: only the changed one counts",
			shadow: Shadow{Name: {Value: "Lakehouse", At: at(5)}, Value: {Value: "4500000", At: at(5)}, Stage: {Value: "proposed", At: at(5)}},
			in:     Incoming{System: "salesforce", Values: Values{Name: "Lakehouse", Value: "4500000", Stage: "negotiated"}, Modified: at(20)},
			apply:  []Field{Stage}, echo: []Field{Name, Value},
		},
		{
			name:   "the value cosellbot sent coming back is an echo, even before it was confirmed",
			shadow: Shadow{Name: {Value: "Old", At: at(5), Sent: "Lakehouse", Pending: true}},
			in:     Incoming{System: "partnercenter", Values: Values{Name: "Lakehouse"}, Modified: at(30)},
			echo:   []Field{Name}, shadowAfter: map[Field]string{Name: "Lakehouse"},
		},
		{
			name:   "an older event of the same property is stale",
			shadow: Shadow{Value: {Value: "5000000", At: at(20)}},
			in:     Incoming{System: "hubspot", Values: Values{Value: "4800000"}, Modified: at(15)},
			stale:  []Field{Value}, shadowAfter: map[Field]string{Value: "5000000"},
		},
		{
			name:     "a change older than the field's last change elsewhere loses, and is a conflict",
			shadow:   Shadow{Stage: {Value: "developed", At: at(1)}},
			in:       Incoming{System: "dynamics", Values: Values{Stage: "negotiated"}, Modified: at(8)},
			conflict: []Field{Stage}, shadowAfter: map[Field]string{Stage: "negotiated"},
		},
		{
			name:      "a change that matches the deal already changes only the shadow",
			in:        Incoming{System: "generic", Values: Values{Name: "Lakehouse"}, Modified: at(30)},
			unchanged: []Field{Name}, shadowAfter: map[Field]string{Name: "Lakehouse"},
		},
		{
			name:   "a value that lost a conflict, set again later in a system that times each field, is judged again",
			shadow: Shadow{Stage: {Value: "developed", At: at(1), Lost: true}},
			in:     Incoming{System: "hubspot", Values: Values{Stage: "developed"}, At: map[Field]time.Time{Stage: at(20)}, Modified: at(20)},
			apply:  []Field{Stage}, shadowAfter: map[Field]string{Stage: "developed"},
		},
		{
			name:   "a whole record repeating a value that lost a conflict is an echo: its time is not the field's",
			shadow: Shadow{Stage: {Value: "developed", At: at(1), Lost: true}},
			in:     Incoming{System: "salesforce", Values: Values{Stage: "developed"}, Modified: at(20)},
			echo:   []Field{Stage}, shadowAfter: map[Field]string{Stage: "developed"},
		},
		{
			name:     "a person's change told after a newer one is stale, and the history keeps it as a conflict",
			shadow:   Shadow{Name: {Value: "Lakehouse", At: at(20), Sent: "Lakehouse"}},
			in:       Incoming{System: "hubspot", Values: Values{Name: "Typed in HubSpot"}, At: map[Field]time.Time{Name: at(12)}, Modified: at(12)},
			stale:    []Field{Name},
			conflict: []Field{Name}, shadowAfter: map[Field]string{Name: "Lakehouse"},
		},
		{
			name:   "cosellbot's own earlier write told late is stale and no conflict",
			shadow: Shadow{Name: {Value: "Lakehouse", At: at(20), Sent: "Lakehouse", Earlier: []uint32{hashValue("Lake 1")}}},
			in:     Incoming{System: "hubspot", Values: Values{Name: "Lake 1"}, At: map[Field]time.Time{Name: at(12)}, Modified: at(12)},
			stale:  []Field{Name}, shadowAfter: map[Field]string{Name: "Lakehouse"},
		},
		{
			name:        "cosellbot's own earlier write, older than the deal's change, is held by the system but is no conflict",
			shadow:      Shadow{Name: {Value: "Lake 2", At: at(2), Sent: "Lakehouse", Pending: true, Earlier: []uint32{hashValue("Lake 1")}}},
			in:          Incoming{System: "hubspot", Values: Values{Name: "Lake 1"}, At: map[Field]time.Time{Name: at(5)}, Modified: at(5)},
			shadowAfter: map[Field]string{Name: "Lake 1"},
		},
		{
			name:        "a notification of cosellbot's earlier write, after a later write the CRM took without a time, is an echo",
			shadow:      Shadow{Name: {Value: "Lake 3", Earlier: []uint32{hashValue("Lake 1"), hashValue("Lake 2")}}},
			in:          Incoming{System: "hubspot", Values: Values{Name: "Lake 1"}, At: map[Field]time.Time{Name: at(20)}, Modified: at(20)},
			echo:        []Field{Name},
			shadowAfter: map[Field]string{Name: "Lake 3"},
		},
		{
			name:  "per-field times win over the record's",
			in:    Incoming{System: "hubspot", Values: Values{Value: "1", Name: "X"}, At: map[Field]time.Time{Value: at(2)}, Modified: at(30)},
			apply: []Field{Name}, conflict: []Field{Value},
			shadowAfter: map[Field]string{Value: "1", Name: "X"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			was := tt.shadow.Clone()
			d := Merge(cur, changed, tt.shadow, tt.in)
			var conflicts []Field
			for _, c := range d.Conflicts {
				conflicts = append(conflicts, c.Field)
			}
			check := func(what string, got, want []Field) {
				t.Helper()
				if len(got) != len(want) {
					t.Errorf("%s = %v, want %v", what, got, want)
					return
				}
				for i := range got {
					if got[i] != want[i] {
						t.Errorf("%s = %v, want %v", what, got, want)
					}
				}
			}
			check("applied", d.Apply.Sorted(), tt.apply)
			check("conflicts", conflicts, tt.conflict)
			check("stale", d.Stale, tt.stale)
			check("echoes", d.Echoes, tt.echo)
			check("unchanged", d.Unchanged, tt.unchanged)
			for f, v := range tt.shadowAfter {
				if d.Shadow[f].Value != v {
					t.Errorf("shadow %s = %q, want %q", f, d.Shadow[f].Value, v)
				}
			}
			for f, m := range was {
				if !reflect.DeepEqual(tt.shadow[f], m) {
					t.Errorf("the merge changed the link's shadow in place: %s %+v, was %+v", f, tt.shadow[f], m)
				}
			}
		})
	}
}

// What goes out is the deal's current value of each field the system
// lacks, among the fields it takes.
func TestOutgoing(t *testing.T) {
	cur := Values{Name: "Lakehouse", Value: "4500000", Team: "[]"}
	sh := Shadow{Name: {Value: "Lakehouse"}, Value: {Value: "4000000"}}
	got := Outgoing("hubspot", cur, sh, []Field{Name, Value})
	if len(got) != 1 || got[Value] != "4500000" {
		t.Errorf("Outgoing = %v, want only the value", got)
	}
	if all := Outgoing("hubspot", cur, sh, nil); len(all) != 2 {
		t.Errorf("Outgoing to a system that takes every field = %v, want value and team", all)
	}
	// An open deal has no reason: a CRM user's reason is not erased.
	if got := Outgoing("hubspot", Values{Name: "Lakehouse", Reason: ""}, Shadow{Name: {Value: "Lakehouse"}, Reason: {Value: "Pricing concerns"}}, nil); len(got) != 0 {
		t.Errorf("Outgoing of an open deal over a CRM's reason = %v, want nothing", got)
	}
	if got := Outgoing("hubspot", Values{Reason: "Lost to a competitor"}, Shadow{Reason: {Value: "Pricing concerns"}}, nil); got[Reason] != "Lost to a competitor" {
		t.Errorf("Outgoing of a lost deal's reason = %v", got)
	}
	// A CRM's figures refused on a referral not answered yet: what the
	// referral has is sent back, nothing blank or zero in place of the rest.
	refused := Shadow{Name: {Value: "Pharma lab", Refused: true}, Value: {Value: "6400000", Refused: true}, Notes: {Value: "Lab data, 3 sites", Refused: true}}
	if got := Outgoing("hubspot", Values{Name: "", Value: "0", Notes: "Lab data"}, refused, nil); len(got) != 1 || got[Notes] != "Lab data" {
		t.Errorf("Outgoing over refused values = %v, want only the referral's notes", got)
	}
	sent := sh.Sending(got)
	if !sent[Value].Pending || sent[Value].Sent != "4500000" || sh[Value].Pending {
		t.Errorf("Sending: %+v (the original must not change: %+v)", sent[Value], sh[Value])
	}
	if done := sent.Sent(got, at(3), at(3)); done[Value].Pending || done[Value].Value != "4500000" || !done[Value].At.Equal(at(3)) {
		t.Errorf("Sent: %+v", done[Value])
	}
}

// Advance drives a deal the way outside systems move it: accepting a
// received referral first, marking every skipped assessment stage,
// refusing what the rules refuse, and never moving a stage back.
func TestAdvance(t *testing.T) {
	received := func(kind deal.Kind) *deal.Deal {
		dr := deal.Draft{
			Kind: kind, Name: "Lakehouse", Value: 4500000, Currency: "EUR", CloseDate: at(0).AddDate(1, 0, 0), Notes: "n",
			Location: "1", From: "microsoft", Customer: deal.Customer{Name: "C", Location: "SE", Account: deal.Managed},
			Team: []deal.Person{{Name: "Ana Diaz", Email: "ana@contoso.com", Phone: "+46 70 123 45 67"}},
		}
		switch kind {
		case deal.SolutionAssessment:
			dr.Solutions, dr.AssessmentLocation = []deal.Solution{{Name: "Migration assessment", Source: deal.Assessment}}, "SE"
		case deal.IPCoSell:
			dr.Solutions = []deal.Solution{{Name: "Lakehouse IP", Source: deal.Mine, IP: deal.IPAzure}}
		case deal.ServicesCoSell:
			dr.Role, dr.SolutionArea, dr.SolutionPlay = "transaction", "Data and AI", "Analytics"
		}
		d, _, err := deal.Import(dr, false, at(0))
		if err != nil {
			t.Fatalf("a received %s referral: %v", kind, err)
		}
		d.ID = 1
		return d
	}
	accepted := func(d *deal.Deal) *deal.Deal {
		if _, err := d.Accept(deal.Changes{}, at(1)); err != nil {
			t.Fatalf("accepting: %v", err)
		}
		return d
	}
	tests := []struct {
		name      string
		d         *deal.Deal
		v         Values
		status    deal.Status
		stage     deal.Stage
		refused   bool
		wantSteps int
		from      string // the system; hubspot when empty
	}{
		{"a stage on a received referral accepts it first", received(deal.ServicesCoSell), Values{Stage: "proposed"}, deal.Accepted, deal.StageProposed, false, 2, ""},
		{"won on a received referral accepts then wins", received(deal.IPCoSell), Values{Status: "won"}, deal.Won, deal.StageWon, false, 2, ""},
		{"declined", received(deal.ServicesCoSell), Values{Status: "declined", Reason: "no capacity"}, deal.Declined, "", false, 1, ""},
		{"the sender's update of a received referral is taken as it is", received(deal.ServicesCoSell), Values{Value: "5000000"}, deal.Received, "", false, 1, PartnerCenter},
		{"a CRM's edit of a received referral is refused, as in chat", received(deal.ServicesCoSell), Values{Value: "5000000", Close: "2028-01-31"}, deal.Received, "", true, 0, ""},
		{"so is the generic CRM's", received(deal.IPCoSell), Values{Notes: "from the CRM"}, deal.Received, "", true, 0, "generic"},
		{"Partner Center moves a received referral's expiry", received(deal.ServicesCoSell), Values{Expires: "2027-01-15T00:00:00Z"}, deal.Received, "", false, 1, PartnerCenter},
		{"with an update of its figures", received(deal.ServicesCoSell), Values{Value: "5000000", Expires: "2027-01-15T00:00:00Z"}, deal.Received, "", false, 2, PartnerCenter},
		{"an expiry told again moves nothing", received(deal.ServicesCoSell), Values{Expires: at(0).Add(deal.ReferralWindow).Format(time.RFC3339Nano)}, deal.Received, "", false, 0, PartnerCenter},
		{"an accepted referral's expiry is no news", accepted(received(deal.ServicesCoSell)), Values{Expires: "2027-01-15T00:00:00Z"}, deal.Accepted, deal.StageAccepted, false, 0, PartnerCenter},
		{"Partner Center's later assessment stage marks the ones between", received(deal.SolutionAssessment), Values{Stage: "report"}, deal.Accepted, deal.StageReport, false, 4, PartnerCenter},
		{"a CRM skipping assessment stages is refused, as in chat", received(deal.SolutionAssessment), Values{Stage: "report"}, deal.Received, "", true, 0, ""},
		{"a CRM marks the next assessment stage", received(deal.SolutionAssessment), Values{Stage: "loe"}, deal.Accepted, deal.StageLOE, false, 2, ""},
		{"an unknown stage is refused", received(deal.ServicesCoSell), Values{Stage: "launch"}, deal.Received, "", true, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.d.Clone()
			from := tt.from
			if from == "" {
				from = "hubspot"
			}
			evs, err := Advance(tt.d, tt.v, from, at(30))
			if tt.refused {
				if err == nil {
					t.Fatalf("Advance = %v, want a refusal", evs)
				}
				if tt.d.Status != before.Status || tt.d.Stage != before.Stage || tt.d.Value != before.Value || !tt.d.CloseDate.Equal(before.CloseDate) {
					t.Errorf("a refused advance changed the deal: %s %s %s %v", tt.d.Status, tt.d.Stage, tt.d.Value, tt.d.CloseDate)
				}
				return
			}
			if err != nil {
				t.Fatalf("Advance: %v", err)
			}
			if tt.d.Status != tt.status || tt.d.Stage != tt.stage || len(evs) != tt.wantSteps {
				t.Errorf("status %s stage %s after %d steps; want %s %s after %d", tt.d.Status, tt.d.Stage, len(evs), tt.status, tt.stage, tt.wantSteps)
			}
		})
	}
	// A stage behind the deal's changes nothing; a terminal deal changes no more.
	d := received(deal.ServicesCoSell)
	if _, err := Advance(d, Values{Stage: "negotiated"}, "hubspot", at(30)); err != nil {
		t.Fatal(err)
	}
	if evs, err := Advance(d, Values{Stage: "qualified"}, "hubspot", at(31)); err != nil || len(evs) != 0 || d.Stage != deal.StageNegotiated {
		t.Errorf("moving back: %v %v, stage %s", evs, err, d.Stage)
	}
	if _, err := Advance(d, Values{Status: "won"}, "hubspot", at(32)); err != nil {
		t.Fatal(err)
	}
	if _, err := Advance(d, Values{Status: "lost", Reason: "x"}, "hubspot", at(33)); err == nil {
		t.Error("a won deal was lost by a CRM")
	}
}

// A value the rules refused is judged again when the system says it again
// later; repeated at its own time (a whole record resent) it stays an echo.
func TestMergeJudgesARefusedValueAgain(t *testing.T) {
	sh := Shadow{Stage: {Value: "won", At: at(10), Refused: true}}
	cur := Values{Stage: "report"}
	if dec := Merge(cur, nil, sh, Incoming{System: "generic", Values: Values{Stage: "won"}, Modified: at(10)}); len(dec.Apply) != 0 {
		t.Errorf("repeated at its own time: applied %v", dec.Apply)
	}
	dec := Merge(cur, nil, sh, Incoming{System: "generic", Values: Values{Stage: "won"}, Modified: at(20)})
	if dec.Apply[Stage] != "won" || dec.Shadow[Stage].Refused {
		t.Errorf("said again later: apply %v, shadow %+v", dec.Apply, dec.Shadow[Stage])
	}
}

// A CRM answers a write with no time of its own. A record it sent before
// the write landed, arriving after the answer, holds the value the record
// had before: stale, not applied over the chat's. The same value said
// after the answer (a person setting it back) is a change, and once the
// CRM's notification of the write tells its time, the time decides.
func TestMergeRecordFromBeforeAnAnsweredWrite(t *testing.T) {
	sh := Shadow{Close: {Value: "2027-04-03", At: at(1)}}
	sh = sh.Sending(Values{Close: "2027-05-15"}).Sent(Values{Close: "2027-05-15"}, time.Time{}, at(10))
	if m := sh[Close]; m.Prior != "2027-04-03" || !m.Acked.Equal(at(10)) || !m.At.IsZero() {
		t.Fatalf("after the answer: %+v", m)
	}
	cur := Values{Close: "2027-05-15"}
	changed := map[Field]time.Time{Close: at(5)}
	dec := Merge(cur, changed, sh, Incoming{System: "salesforce", Values: Values{Close: "2027-04-03", Value: "2200000"}, Modified: at(9)})
	if _, ok := dec.Apply[Close]; ok || !slices.Contains(dec.Stale, Close) || dec.Apply[Value] != "2200000" {
		t.Errorf("record from before the write: apply %v, stale %v", dec.Apply, dec.Stale)
	}
	if dec.Shadow[Close].Value != "2027-05-15" {
		t.Errorf("the shadow must keep what the CRM holds now: %+v", dec.Shadow[Close])
	}
	if dec := Merge(cur, changed, sh, Incoming{System: "salesforce", Values: Values{Close: "2027-04-03"}, Modified: at(12)}); dec.Apply[Close] != "2027-04-03" {
		t.Errorf("set back after the answer: apply %v, stale %v", dec.Apply, dec.Stale)
	}
	// The notification of the write itself tells the CRM's time for it.
	dec = Merge(cur, changed, sh, Incoming{System: "salesforce", Values: Values{Close: "2027-05-15"}, Modified: at(11)})
	if m := dec.Shadow[Close]; m.Prior != "" || !m.Acked.IsZero() || !m.At.Equal(at(11)) {
		t.Errorf("after the write's own notification: %+v", m)
	}
}

// What cosellbot sends is remembered, so that a late notification of an
// earlier write is recognised, and the memory stays bounded.
func TestShadowRemembersWhatWasSent(t *testing.T) {
	sh := Shadow{}
	for i := range maxEarlier + 5 {
		v := Values{Notes: "burst " + string(rune('A'+i))}
		sh = sh.Sending(v)
		if i%2 == 0 {
			sh = sh.Sent(v, at(i), at(i))
		}
	}
	m := sh[Notes]
	if len(m.Earlier) > maxEarlier {
		t.Fatalf("%d earlier values kept, want at most %d", len(m.Earlier), maxEarlier)
	}
	last := "burst " + string(rune('A'+maxEarlier+4))
	for _, v := range []string{last, "burst " + string(rune('A'+maxEarlier+3)), "burst " + string(rune('A'+10))} {
		if !m.sentBefore(v) {
			t.Errorf("%q was sent, and is not recognised", v)
		}
	}
	if m.sentBefore("typed by a person") {
		t.Error("a value never sent is taken for cosellbot's")
	}
}

// A team changed on both sides since they last agreed is merged member by
// member, whichever side changed later.
func TestMergeTeam(t *testing.T) {
	ann := deal.Person{Name: "Ann", Email: "ann@contoso.com", Phone: "+33 1 00 00 00 01"}
	bob := deal.Person{Name: "Bob", Email: "bob@contoso.com", Phone: "+33 1 00 00 00 02"}
	cat := deal.Person{Name: "Cat", Email: "cat@contoso.com", Phone: "+33 1 00 00 00 03"}
	dan := deal.Person{Name: "Dan", Email: "dan@contoso.com", Phone: "+33 1 00 00 00 04"}
	newPhone := func(p deal.Person) deal.Person { p.Phone = "+46 8 00 00 00"; return p }
	team := func(ps ...deal.Person) string { return TeamText(ps) }
	tests := []struct {
		name               string
		base, ours, theirs string
		want               string
	}{
		{"each side added one", team(ann), team(ann, bob), team(ann, cat), team(ann, bob, cat)},
		{"both added the same", team(ann), team(ann, bob), team(ann, bob), team(ann, bob)},
		{"they removed one we kept as it was", team(ann, bob), team(ann, bob, cat), team(ann), team(ann, cat)},
		{"we removed one they kept", team(ann, bob), team(ann), team(ann, bob, dan), team(ann, dan)},
		{"they edited one we left", team(ann, bob), team(ann, bob, cat), team(ann, newPhone(bob)), team(ann, newPhone(bob), cat)},
		{"we edited one they removed: our edit stays", team(ann, bob), team(ann, newPhone(bob)), team(ann), team(ann, newPhone(bob))},
		{"both edited one: ours", team(ann), team(newPhone(ann)), team(deal.Person{Name: "Ann B", Email: ann.Email, Phone: ann.Phone}), team(newPhone(ann))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := mergeTeam(tt.base, tt.ours, tt.theirs)
			if !ok || got != tt.want {
				t.Errorf("mergeTeam = %s, %v; want %s", got, ok, tt.want)
			}
		})
	}
	if _, ok := mergeTeam("{not json", team(ann), team(bob)); ok {
		t.Error("an unreadable base merged")
	}
	// Through Merge: the system's change is newer, ours was not sent yet.
	sh := Shadow{Team: {Value: team(ann), At: at(1)}}
	d := Merge(Values{Team: team(ann, bob)}, map[Field]time.Time{Team: at(5)}, sh, Incoming{System: "partnercenter", Values: Values{Team: team(ann, cat)}, Modified: at(8)})
	if d.Apply[Team] != team(ann, bob, cat) || !d.Times[Team].Equal(at(8)) || d.Shadow[Team].Value != team(ann, cat) {
		t.Errorf("newer system change: apply %q at %v, shadow %q", d.Apply[Team], d.Times[Team], d.Shadow[Team].Value)
	}
	// Ours is newer: the system's addition still joins, no conflict.
	d = Merge(Values{Team: team(ann, bob)}, map[Field]time.Time{Team: at(9)}, sh, Incoming{System: "partnercenter", Values: Values{Team: team(ann, cat)}, Modified: at(8)})
	if d.Apply[Team] != team(ann, bob, cat) || len(d.Conflicts) != 0 || !d.Times[Team].Equal(at(9)) {
		t.Errorf("older system change: apply %q at %v, conflicts %v", d.Apply[Team], d.Times[Team], d.Conflicts)
	}
}

// KeepUnread: a record at a stage its mapping does not list, linked with no
// stage of it known, keeps it (the marks take the deal's values, so that
// Outgoing writes nothing over it) and that is news once; a link that reads
// the record's stage is left alone (the move is the adapter's to refuse).
func TestKeepUnread(t *testing.T) {
	cur := Values{Name: "Lakehouse", Stage: "qualified", Status: "accepted"}
	kept := Shadow{Stage: {Value: "qualified", At: at(5), Unread: "Closed Won - Partner"}, Status: {Value: "accepted", At: at(5), Unread: "Closed Won - Partner"}}
	tests := []struct {
		name   string
		shadow Shadow
		raw    string
		at     time.Time
		news   bool
		after  Shadow // nil: as before
	}{
		{name: "first linked", shadow: Shadow{Name: {Value: "Lakehouse", At: at(5)}}, raw: "Closed Won - Partner", at: at(5), news: true,
			after: Shadow{Name: {Value: "Lakehouse", At: at(5)}, Stage: kept[Stage], Status: kept[Status]}},
		{name: "a stage only being sent is none known", shadow: Shadow{Stage: {Sent: "qualified", Pending: true}}, raw: "Closed Won - Partner", at: at(5), news: true,
			after: kept},
		{name: "repeated", shadow: kept, raw: "Closed Won - Partner", at: at(9)},
		{name: "another unlisted stage, later", shadow: kept, raw: "Negotiation - Legal", at: at(9), news: true,
			after: Shadow{Stage: {Value: "qualified", At: at(9), Unread: "Negotiation - Legal"}, Status: {Value: "accepted", At: at(9), Unread: "Negotiation - Legal"}}},
		{name: "another unlisted stage, older", shadow: kept, raw: "Negotiation - Legal", at: at(4)},
		{name: "a stage the link reads", shadow: Shadow{Stage: {Value: "developed", At: at(1)}}, raw: "Closed Won - Partner", at: at(5)},
		{name: "an outcome the link reads", shadow: Shadow{Status: {Value: "won", At: at(1)}}, raw: "Closed Won - Partner", at: at(5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, news := tt.shadow.KeepUnread(cur, tt.raw, tt.at)
			want := tt.after
			if want == nil {
				want = tt.shadow
			}
			if news != tt.news || !reflect.DeepEqual(got, want) {
				t.Errorf("KeepUnread = %+v, %v; want %+v, %v", got, news, want, tt.news)
			}
			if out := Outgoing("salesforce", cur, got, []Field{Stage, Status}); news && len(out) != 0 {
				t.Errorf("Outgoing writes %v over the record's stage", out)
			}
		})
	}
	// The deal moving on is newer: written.
	if out := Outgoing("salesforce", Values{Name: "Lakehouse", Stage: "developed", Status: "accepted"}, kept, nil); out[Stage] != "developed" {
		t.Errorf("Outgoing once the deal moved on = %v, want its stage", out)
	}
	// A stage the record tells that the mapping reads replaces the mark.
	for _, v := range []string{"qualified", "negotiated"} {
		dec := Merge(cur, map[Field]time.Time{Stage: at(1)}, kept, Incoming{System: "salesforce", Values: Values{Stage: v}, Modified: at(20)})
		if m := dec.Shadow[Stage]; m.Unread != "" || m.Value != v {
			t.Errorf("told %s: mark %+v, want it read", v, m)
		}
	}
}
