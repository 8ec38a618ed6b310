package deal

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestReceiveRules covers DOMAIN.md "Lifecycle: Received" for referrals sent
// by Microsoft or another partner.
func TestReceiveRules(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(*Draft)
		want     []string
		wantSale SaleType
	}{
		{name: "referral from Microsoft is recorded as co-sell", wantSale: CoSell},
		{name: "referral from a partner is recorded (P2P, partner-led)", edit: func(d *Draft) { d.From = "partner:Northwind Consulting" }, wantSale: PartnerLed},
		{name: "sender is required", edit: func(d *Draft) { d.From = "" }, want: []string{"from/from_sender"}},
		{name: "sender must be microsoft or partner:NAME", edit: func(d *Draft) { d.From = "google" }, want: []string{"from/from_sender"}},
		{name: "partner sender needs a name", edit: func(d *Draft) { d.From = "partner:  " }, want: []string{"from/from_sender"}},
		{name: "received date in the future is refused", edit: func(d *Draft) { d.ReceivedAt = t0.Add(time.Hour) }, want: []string{"received/received_not_future"}},
		{name: "already expired referral is refused (received 14 days ago)", edit: func(d *Draft) { d.ReceivedAt = t0.Add(-14 * 24 * time.Hour) }, want: []string{"received/received_not_expired"}},
		{name: "referral received just under 14 days ago is recorded", edit: func(d *Draft) { d.ReceivedAt = t0.Add(-14*24*time.Hour + time.Minute) }, wantSale: CoSell},
		{name: "help is refused on an inbound referral", edit: func(d *Draft) { d.Help = HelpTechnical }, want: []string{"help/help_outbound_only"}},
		// Sent by partners (DOMAIN: a partner invites other partners).
		{name: "a P2P referral from Microsoft is refused", edit: func(d *Draft) { d.Kind = P2P }, want: []string{"from/p2p_from_partner"}},
		{name: "a P2P referral from a partner is recorded", edit: func(d *Draft) { d.Kind, d.From = P2P, "partner:Northwind" }, wantSale: PartnerLed},
		// Created by vetted partners, never received.
		{name: "a solution assessment is never received", edit: func(d *Draft) { d.Kind = SolutionAssessment }, want: []string{"kind/sa_not_received"}},
		{name: "minimal fields allowed while received: IP referral without name, value, close, notes, team or solutions",
			edit: func(d *Draft) { d.Kind = IPCoSell }, wantSale: CoSell},
		{name: "minimal fields allowed while received: close date in the past is not checked", edit: func(d *Draft) { d.CloseDate = t0.AddDate(0, 0, -3) }, wantSale: CoSell},
		{name: "customer is still required while received", edit: func(d *Draft) { d.Customer.Name = "" }, want: []string{"customer/customer_required"}},
		{name: "customer location is still an ISO country while received", edit: func(d *Draft) { d.Customer.Location = "Sweden" }, want: []string{"customer_location/customer_location_country"}},
		{name: "location is still required while received", edit: func(d *Draft) { d.Location = "" }, want: []string{"location/location_required"}},
		{name: "team members are still validated while received", edit: func(d *Draft) { d.Team = []Person{{Name: "Eve", Email: "eve@", Phone: "+46 8 123 456 78"}} }, want: []string{"team/person_email"}},
		{name: "inbound services referral carries a partner program", edit: func(d *Draft) { d.Program = "Azure Expert MSP" }, wantSale: CoSell},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dr := referral()
			if tc.edit != nil {
				tc.edit(&dr)
			}
			d, ev, err := Receive(dr, t0)
			expectRules(t, err, tc.want...)
			if err != nil {
				return
			}
			if ev.Action != "received" {
				t.Errorf("event action = %q, want received", ev.Action)
			}
			if d.Status != Received || d.Direction != Inbound {
				t.Errorf("referral is %s/%s, want received/inbound", d.Status, d.Direction)
			}
			if d.SaleType != tc.wantSale {
				t.Errorf("SaleType = %q, want %q", d.SaleType, tc.wantSale)
			}
			if want := dr.ReceivedAt.Add(14 * 24 * time.Hour); !d.ExpiresAt.Equal(want) {
				t.Errorf("ExpiresAt = %v, want received + 14 days = %v", d.ExpiresAt, want)
			}
		})
	}
}

func TestReceiveDefaultsToNow(t *testing.T) {
	dr := referral()
	dr.ReceivedAt = time.Time{}
	d := mustReceive(t, dr)
	if !d.ReceivedAt.Equal(t0) {
		t.Errorf("ReceivedAt = %v, want now %v", d.ReceivedAt, t0)
	}
	if want := t0.Add(14 * 24 * time.Hour); !d.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt = %v, want %v", d.ExpiresAt, want)
	}
}

// TestAccept covers "accept (name, value, estimated purchase date, notes;
// optional CRM ID, campaign ID, team)".
func TestAccept(t *testing.T) {
	tests := []struct {
		name  string
		deal  func(*testing.T) *Deal
		edit  func(*Changes)
		want  []string
		check func(*testing.T, *Deal)
	}{
		{name: "accept applies the given fields and moves the referral to Accepted",
			edit: func(c *Changes) { c.CRMID, c.CampaignID = ptr("OPP-9"), ptr("CAMP-2") },
			check: func(t *testing.T, d *Deal) {
				if d.Status != Accepted || d.Stage != StageAccepted || d.Percent() != 10 {
					t.Errorf("accepted deal is %s/%s/%d%%, want accepted/accepted/10%%", d.Status, d.Stage, d.Percent())
				}
				if d.Name != "Northwind data estate" || d.Value != 4_000_000 || !d.CloseDate.Equal(closeDate) || d.CRMID != "OPP-9" || d.CampaignID != "CAMP-2" {
					t.Errorf("fields not applied: %+v", d)
				}
			}},
		{name: "accept: team is optional on an inbound deal"},
		{name: "accept: team may be given", edit: func(c *Changes) { c.Team = []Person{alice()} },
			check: func(t *testing.T, d *Deal) {
				if len(d.Team) != 1 || d.Team[0] != alice() {
					t.Errorf("Team = %+v, want [alice]", d.Team)
				}
			}},
		{name: "accept: team members are validated", edit: func(c *Changes) { c.Team = []Person{{Name: "Bob"}} }, want: []string{"team/person_email", "team/person_phone"}},
		{name: "accept: nothing given breaks name, value, close and notes", edit: func(c *Changes) { *c = Changes{} },
			want: []string{"name/name_required", "value/value_required", "close/close_required", "notes/notes_required"}},
		{name: "accept: name is required", edit: func(c *Changes) { c.Name = nil }, want: []string{"name/name_required"}},
		{name: "accept: value is required", edit: func(c *Changes) { c.Value = nil }, want: []string{"value/value_required"}},
		{name: "accept: close date is required", edit: func(c *Changes) { c.CloseDate = nil }, want: []string{"close/close_required"}},
		{name: "accept: close date must not be in the past", edit: func(c *Changes) { c.CloseDate = ptr(t0.AddDate(0, 0, -2)) }, want: []string{"close/close_in_future"}},
		{name: "accept: notes are required", edit: func(c *Changes) { c.Notes = nil }, want: []string{"notes/notes_required"}},
		{name: "accept: solutions are not taken", edit: func(c *Changes) { c.Solutions = []Solution{azureSolution()} }, want: []string{"solution/accept_fields"}},
		{name: "accept: intent is not taken", edit: func(c *Changes) { c.Intent = ptr(IntentNo) }, want: []string{"solution/accept_fields"}},
		{name: "accept: Microsoft's answer is not taken", edit: func(c *Changes) { c.Microsoft = ptr(MSAccepted) }, want: []string{"solution/accept_fields"}},
		{name: "accept of a created (outbound) deal is refused", deal: func(t *testing.T) *Deal { return mustNew(t, validIP()) }, want: []string{"status/status_accept"}},
		{name: "accept of an already accepted deal is refused", deal: acceptedReferral, want: []string{"status/status_accept"}},
		{name: "accept of a received IP referral carrying a solution", deal: func(t *testing.T) *Deal {
			dr := referral()
			dr.Kind, dr.Solutions = IPCoSell, []Solution{azureSolution()}
			return mustReceive(t, dr)
		}},
		// DOMAIN.md / seed 004: accepting needs name, value, date and notes
		// only; the solution requirement applies to deals the partner creates.
		{name: "accept of a received IP referral without solutions (accept needs only name, value, close, notes)", deal: func(t *testing.T) *Deal {
			dr := referral()
			dr.Kind = IPCoSell
			return mustReceive(t, dr)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d *Deal
			if tc.deal != nil {
				d = tc.deal(t)
			} else {
				d = mustReceive(t, referral())
			}
			c := acceptChanges()
			if tc.edit != nil {
				tc.edit(&c)
			}
			before := d.Clone()
			ev, err := d.Accept(c, t0)
			expectRules(t, err, tc.want...)
			if err != nil {
				if !reflect.DeepEqual(before, d) {
					t.Errorf("a refused accept changed the deal:\nbefore %+v\nafter  %+v", before, d)
				}
				return
			}
			if ev.Action != "accepted" {
				t.Errorf("event action = %q, want accepted", ev.Action)
			}
			if tc.check != nil {
				tc.check(t, d)
			}
		})
	}
}

func TestDecline(t *testing.T) {
	tests := []struct {
		name   string
		deal   func(*testing.T) *Deal
		reason string
		notes  string
		want   []string
	}{
		{name: "decline with a reason archives the referral as declined", reason: "no capacity", notes: "busy until Q3"},
		{name: "decline needs a reason", reason: "  ", want: []string{"reason/decline_reason"}},
		{name: "decline of a created deal is refused", deal: func(t *testing.T) *Deal { return mustNew(t, validIP()) }, reason: "no capacity", want: []string{"status/status_decline"}},
		{name: "decline of an accepted deal is refused", deal: acceptedReferral, reason: "no capacity", want: []string{"status/status_decline"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustReceive(t, referral())
			if tc.deal != nil {
				d = tc.deal(t)
			}
			before := d.Clone()
			ev, err := d.Decline(tc.reason, tc.notes, t0)
			expectRules(t, err, tc.want...)
			if err != nil {
				if !reflect.DeepEqual(before, d) {
					t.Errorf("a refused decline changed the deal")
				}
				return
			}
			if d.Status != Declined || d.Reason != tc.reason || d.DeclineNotes != tc.notes || ev.Action != "declined" {
				t.Errorf("declined deal: status %s, reason %q, decline notes %q, action %q", d.Status, d.Reason, d.DeclineNotes, ev.Action)
			}
			// The referral's notes are the sender's: a decline keeps them.
			if d.Notes != before.Notes {
				t.Errorf("notes %q after the decline, want the referral's %q", d.Notes, before.Notes)
			}
			if tc.notes != "" && !strings.Contains(ev.Detail, tc.notes) {
				t.Errorf("history %q does not hold the decline's notes", ev.Detail)
			}
			if !d.Status.Terminal() {
				t.Errorf("declined must be terminal")
			}
		})
	}
}

func TestExpire(t *testing.T) {
	received := referral().ReceivedAt
	tests := []struct {
		name string
		deal func(*testing.T) *Deal
		at   time.Time
		want []string
	}{
		{name: "expire only when due: 13 days after receipt is refused", at: received.Add(13 * 24 * time.Hour), want: []string{"expires_at/expire_not_due"}},
		{name: "expire only when due: a second before 14 days is refused", at: received.Add(14*24*time.Hour - time.Second), want: []string{"expires_at/expire_not_due"}},
		{name: "unanswered referral expires after 14 days", at: received.Add(14 * 24 * time.Hour)},
		{name: "unanswered referral expires any time after 14 days", at: received.Add(30 * 24 * time.Hour)},
		{name: "expire only received deals: created deal refused", deal: func(t *testing.T) *Deal { return mustNew(t, validIP()) }, at: t0.AddDate(0, 1, 0), want: []string{"status/status_expire"}},
		{name: "expire only received deals: accepted deal refused", deal: acceptedReferral, at: t0.AddDate(0, 1, 0), want: []string{"status/status_expire"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustReceive(t, referral())
			if tc.deal != nil {
				d = tc.deal(t)
			}
			ev, err := d.Expire(tc.at)
			expectRules(t, err, tc.want...)
			if err != nil {
				return
			}
			if d.Status != Expired || ev.Action != "expired" || !d.Status.Terminal() {
				t.Errorf("expired deal: status %s, action %q", d.Status, ev.Action)
			}
		})
	}
}

// Partner Center moves a referral's window itself: an unanswered one
// follows it, later or earlier, even to a date already past (the expiry
// path then records the expiry at it); an answered or expired one does not.
func TestMoveExpiry(t *testing.T) {
	received := referral().ReceivedAt
	was := received.Add(ReferralWindow)
	later, earlier := was.Add(7*24*time.Hour), was.Add(-5*24*time.Hour)
	tests := []struct {
		name   string
		deal   func(*testing.T) *Deal
		to, at time.Time
		want   []string
		detail string
	}{
		{name: "extended", to: later, at: t0, detail: "expiry moved from " + Moment(was) + " to " + Moment(later)},
		{name: "shortened", to: earlier, at: t0, detail: "expiry moved from " + Moment(was) + " to " + Moment(earlier)},
		{name: "shortened to a date past", to: t0.Add(-time.Hour), at: t0, detail: "expiry moved from " + Moment(was) + " to " + Moment(t0.Add(-time.Hour))},
		{name: "the same date moves nothing", to: was, at: t0, want: []string{"expires_at/edit_nothing"}},
		{name: "no date", at: t0, want: []string{"expires_at/expiry_required"}},
		{name: "past its expiry: the expiry path's", to: later, at: was, want: []string{"status/referral_expired"}},
		{name: "answered: it expires no more", deal: acceptedReferral, to: later, at: t0, want: []string{"status/status_move_the_expiry_of"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustReceive(t, referral())
			if tc.deal != nil {
				d = tc.deal(t)
			}
			before := d.Clone()
			ev, err := d.MoveExpiry(tc.to, tc.at)
			expectRules(t, err, tc.want...)
			if err != nil {
				if !d.ExpiresAt.Equal(before.ExpiresAt) {
					t.Errorf("a refused move changed the expiry to %v", d.ExpiresAt)
				}
				return
			}
			if !d.ExpiresAt.Equal(tc.to) || d.Status != Received || ev.Action != "expiry_moved" || ev.Detail != tc.detail {
				t.Errorf("moved: %s, expires %v, event %q %q; want received, expiring %v, %q", d.Status, d.ExpiresAt, ev.Action, ev.Detail, tc.to, tc.detail)
			}
		})
	}
}

// Only a referral waiting for an answer has reminders (they count down to
// its expiry), so only it may be snoozed; the others are refused with why.
// An accepted referral and outbound deals were snoozed, and a reminder
// promised to "resume", for a deal that has none.
func TestSnoozable(t *testing.T) {
	received := referral().ReceivedAt
	tests := []struct {
		name string
		deal func(*testing.T) *Deal
		at   time.Time
		want []string
		says string
	}{
		{name: "received, waiting for an answer", deal: func(t *testing.T) *Deal { return mustReceive(t, referral()) }, at: t0},
		{name: "accepted", deal: acceptedReferral, at: t0, want: []string{"status/no_reminders"}, says: "is accepted: only a referral waiting for an answer has reminders"},
		{name: "outbound", deal: func(t *testing.T) *Deal { return mustNew(t, validIP()) }, at: t0, want: []string{"status/no_reminders"}, says: "is an outbound deal"},
		{name: "won", deal: func(t *testing.T) *Deal {
			d := mustNew(t, validIP())
			if _, err := d.Win(t0.Add(80 * time.Hour)); err != nil {
				t.Fatal(err)
			}
			return d
		}, at: t0.Add(81 * time.Hour), want: []string{"status/terminal_immutable"}, says: "has no reminders left to snooze"},
		{name: "declined", deal: func(t *testing.T) *Deal {
			d := mustReceive(t, referral())
			if _, err := d.Decline("not a fit", "", t0); err != nil {
				t.Fatal(err)
			}
			return d
		}, at: t0, want: []string{"status/terminal_immutable"}, says: "is declined: it has no reminders left to snooze"},
		{name: "past its 14 days, not recorded yet", deal: func(t *testing.T) *Deal { return mustReceive(t, referral()) }, at: received.Add(ReferralWindow),
			want: []string{"status/no_reminders"}, says: "expired unanswered on"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.deal(t)
			before := d.Clone()
			err := d.Snoozable(tc.at)
			expectRules(t, err, tc.want...)
			if err != nil && !strings.Contains(err.Error(), tc.says) {
				t.Errorf("refusal %q, want it to say %q", err, tc.says)
			}
			if d.Status != before.Status || !d.UpdatedAt.Equal(before.UpdatedAt) {
				t.Errorf("the check changed the deal: %s at %v", d.Status, d.UpdatedAt)
			}
		})
	}
}
