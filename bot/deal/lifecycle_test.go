package deal

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestStatusTerminalAndActive(t *testing.T) {
	tests := []struct {
		status           Status
		terminal, active bool
	}{
		{Received, false, false},
		{Created, false, true},
		{Accepted, false, true},
		{Won, true, false},
		{Lost, true, false},
		{Declined, true, false},
		{Expired, true, false},
		{Error, true, false},
	}
	for _, tc := range tests {
		t.Run("terminal states are won, lost, declined, expired, error: "+string(tc.status), func(t *testing.T) {
			if tc.status.Terminal() != tc.terminal || tc.status.Active() != tc.active {
				t.Errorf("%s: Terminal() = %v, Active() = %v; want %v, %v", tc.status, tc.status.Terminal(), tc.status.Active(), tc.terminal, tc.active)
			}
		})
	}
}

// terminalDeals builds a deal in each terminal state through the real
// lifecycle operations.
func terminalDeals(t *testing.T) map[Status]*Deal {
	t.Helper()
	out := map[Status]*Deal{}

	won := mustNew(t, validIP())
	if _, err := won.Win(t0); err != nil {
		t.Fatalf("Win: %v", err)
	}
	out[Won] = won

	lost := mustNew(t, validIP())
	if _, err := lost.Lose("budget cut", t0); err != nil {
		t.Fatalf("Lose: %v", err)
	}
	out[Lost] = lost

	declined := mustReceive(t, referral())
	if _, err := declined.Decline("no capacity", "", t0); err != nil {
		t.Fatalf("Decline: %v", err)
	}
	out[Declined] = declined

	expired := mustReceive(t, referral())
	if _, err := expired.Expire(t0.AddDate(0, 1, 0)); err != nil {
		t.Fatalf("Expire: %v", err)
	}
	out[Expired] = expired

	errored := mustNew(t, validIP())
	if _, err := errored.CloseAsError("duplicate deal", t0); err != nil {
		t.Fatalf("CloseAsError: %v", err)
	}
	out[Error] = errored
	return out
}

// TestTerminalStatesAreImmutable: "Nothing can be edited once terminal".
func TestTerminalStatesAreImmutable(t *testing.T) {
	later := t0.AddDate(0, 2, 0)
	ops := []struct {
		name string
		do   func(*Deal) error
	}{
		{"accept", func(d *Deal) error { _, err := d.Accept(acceptChanges(), later); return err }},
		{"decline", func(d *Deal) error { _, err := d.Decline("no capacity", "", later); return err }},
		{"expire", func(d *Deal) error { _, err := d.Expire(later); return err }},
		{"edit", func(d *Deal) error { _, err := d.Edit(Changes{Notes: ptr("late notes")}, later); return err }},
		{"add team member", func(d *Deal) error { _, err := d.AddMember(bjorn(), later); return err }},
		{"remove team member", func(d *Deal) error { _, err := d.RemoveMember(alice().Email, later); return err }},
		{"mark stage", func(d *Deal) error { _, err := d.MarkStage(StageNegotiated, later); return err }},
		{"win", func(d *Deal) error { _, err := d.Win(later); return err }},
		{"lose", func(d *Deal) error { _, err := d.Lose("budget cut", later); return err }},
		{"close as error", func(d *Deal) error { _, err := d.CloseAsError("duplicate deal", later); return err }},
		{"invite Microsoft", func(d *Deal) error {
			_, err := d.InviteMicrosoft(MicrosoftInvite{Help: HelpTechnical}, later)
			return err
		}},
		{"invite partner", func(d *Deal) error { _, err := d.InvitePartner(validInvitation(), later); return err }},
		{"upgrade to partner-led", func(d *Deal) error {
			_, err := d.Upgrade(PartnerLed, MicrosoftInvite{Help: HelpNone}, later)
			return err
		}},
		{"upgrade to co-sell", func(d *Deal) error {
			_, err := d.Upgrade(CoSell, MicrosoftInvite{Help: HelpTechnical}, later)
			return err
		}},
	}
	for _, status := range []Status{Won, Lost, Declined, Expired, Error} {
		for _, op := range ops {
			t.Run("terminal states are immutable: "+string(status)+": "+op.name, func(t *testing.T) {
				d := terminalDeals(t)[status]
				if d.Status != status {
					t.Fatalf("setup: deal is %s, want %s", d.Status, status)
				}
				// give the deal a second member so that removal is refused for
				// being terminal, not for being the last member
				if len(d.Team) == 1 {
					d.Team = append(d.Team, bjorn())
				}
				before := d.Clone()
				expectRules(t, op.do(d), "status/terminal_immutable")
				if !reflect.DeepEqual(before, d) {
					t.Errorf("a refused operation changed the %s deal", status)
				}
			})
		}
		t.Run("favorites toggle is allowed on a terminal deal: "+string(status), func(t *testing.T) {
			d := terminalDeals(t)[status]
			if ev := d.ToggleFavorite(later); !d.Favorite || ev.Action != "favorite" {
				t.Errorf("favorite = %v, action %q", d.Favorite, ev.Action)
			}
			if d.Status != status {
				t.Errorf("tagging changed the status to %s", d.Status)
			}
		})
	}
}

// The command (or button) that put a deal in its state, given again, says
// the deal already is so, under the rule any refusal in that state has.
func TestSameActionTwiceSaysAlready(t *testing.T) {
	later := t0.AddDate(0, 0, 1)
	for _, tc := range []struct {
		status Status
		rule   string
		again  func(*Deal) error
	}{
		{Won, "status/terminal_immutable", func(d *Deal) error { _, err := d.Win(later); return err }},
		{Lost, "status/terminal_immutable", func(d *Deal) error { _, err := d.Lose("budget cut", later); return err }},
		{Declined, "status/terminal_immutable", func(d *Deal) error { _, err := d.Decline("no capacity", "", later); return err }},
		{Error, "status/terminal_immutable", func(d *Deal) error { _, err := d.CloseAsError("duplicate deal", later); return err }},
	} {
		d := terminalDeals(t)[tc.status]
		err := tc.again(d)
		expectRules(t, err, tc.rule)
		if want := fmt.Sprintf("deal %d is already %s", d.ID, tc.status.Label()); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s twice: %v, want it to say %q", tc.status, err, want)
		}
	}
	d := acceptedReferral(t)
	_, err := d.Accept(acceptChanges(), later)
	expectRules(t, err, "status/status_accept")
	if err == nil || !strings.Contains(err.Error(), "is already accepted") {
		t.Errorf("accept twice: %v, want it to say the deal is already accepted", err)
	}
}

func TestLoseAndCloseAsError(t *testing.T) {
	created := func(t *testing.T) *Deal { return mustNew(t, validIP()) }
	received := func(t *testing.T) *Deal { return mustReceive(t, referral()) }
	tests := []struct {
		name       string
		deal       func(*testing.T) *Deal
		lose       bool // Lose instead of CloseAsError
		reason     string
		want       []string
		wantStatus Status
	}{
		{name: "lost needs a reason", deal: created, lose: true, reason: " ", want: []string{"reason/lost_reason"}},
		{name: "lost with a reason from created", deal: created, lose: true, reason: "budget cut", wantStatus: Lost},
		{name: "lost with a reason from accepted", deal: acceptedReferral, lose: true, reason: "competitor won", wantStatus: Lost},
		{name: "lost of a received referral is refused (decline it)", deal: received, lose: true, reason: "budget cut", want: []string{"status/status_mark_lost"}},
		{name: "close as error needs a reason", deal: created, reason: "", want: []string{"reason/error_reason"}},
		{name: "close as error from created", deal: created, reason: "duplicate deal", wantStatus: Error},
		{name: "close as error from accepted", deal: acceptedReferral, reason: "wrong customer selected", wantStatus: Error},
		{name: "close as error from received", deal: received, reason: "duplicate deal", wantStatus: Error},
		{name: "close as error from a staged deal", deal: func(t *testing.T) *Deal {
			d := mustNew(t, validSA())
			if _, err := d.MarkStage(StageLOE, t0); err != nil {
				t.Fatal(err)
			}
			return d
		}, reason: "wrong customer selected", wantStatus: Error},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.deal(t)
			var err error
			if tc.lose {
				_, err = d.Lose(tc.reason, t0)
			} else {
				_, err = d.CloseAsError(tc.reason, t0)
			}
			expectRules(t, err, tc.want...)
			if err != nil {
				return
			}
			if d.Status != tc.wantStatus || d.Reason != tc.reason {
				t.Errorf("status %s, reason %q; want %s, %q", d.Status, d.Reason, tc.wantStatus, tc.reason)
			}
		})
	}
}

func TestTeam(t *testing.T) {
	tests := []struct {
		name     string
		deal     func(*testing.T) *Deal
		add      *Person
		remove   string
		want     []string
		wantTeam []string // e-mails after the operation
	}{
		{name: "team: add a member", add: ptr(bjorn()), wantTeam: []string{"alice@contoso.com", "bjorn@contoso.se"}},
		{name: "team: duplicate member is refused", add: ptr(alice()), want: []string{"team/team_unique"}},
		{name: "team: duplicate e-mail is refused whatever its case", add: &Person{Name: "A. Martin", Email: "ALICE@contoso.com", Phone: "+33 6 00 00 00 01"}, want: []string{"team/team_unique"}},
		{name: "team: new member needs name, e-mail and phone", add: &Person{}, want: []string{"team/person_name", "team/person_email", "team/person_phone"}},
		{name: "team: new member e-mail is validated", add: &Person{Name: "Bob", Email: "bob@localhost", Phone: "+1 555 010 9999"}, want: []string{"team/person_email"}},
		{name: "team: remove a member", deal: twoMemberDeal, remove: "bjorn@contoso.se", wantTeam: []string{"alice@contoso.com"}},
		{name: "team: remove matches e-mail case-insensitively", deal: twoMemberDeal, remove: "Bjorn@Contoso.SE", wantTeam: []string{"alice@contoso.com"}},
		{name: "team: remove an unknown member is refused", deal: twoMemberDeal, remove: "eve@contoso.com", want: []string{"team/team_member_known"}},
		{name: "team: remove by name, as the card shows it", deal: twoMemberDeal, remove: bjorn().Name, wantTeam: []string{"alice@contoso.com"}},
		{name: "team: remove by name in another case and spacing", deal: twoMemberDeal, remove: " " + strings.ToUpper(bjorn().Name) + " ", wantTeam: []string{"alice@contoso.com"}},
		{name: "team: remove by the card's whole line pasted back", deal: twoMemberDeal, remove: bjorn().Name + " <" + bjorn().Email + "> " + bjorn().Phone, wantTeam: []string{"alice@contoso.com"}},
		{name: "team: remove an unknown name is refused", deal: twoMemberDeal, remove: "Eve", want: []string{"team/team_member_known"}},
		{name: "team: a name two members share is refused", deal: func(t *testing.T) *Deal {
			d := twoMemberDeal(t)
			if _, err := d.AddMember(Person{Name: bjorn().Name, Email: "bjorn2@contoso.se", Phone: "+46 70 000 00 02"}, t0); err != nil {
				t.Fatal(err)
			}
			return d
		}, remove: bjorn().Name, want: []string{"team/team_member_unique"}},
		{name: "team: last member of an outbound deal cannot be removed", remove: "alice@contoso.com", want: []string{"team/team_required"}},
		{name: "team: last member of an inbound deal cannot be removed either (one team rule)", deal: func(t *testing.T) *Deal {
			d := acceptedReferral(t)
			if _, err := d.AddMember(alice(), t0); err != nil {
				t.Fatal(err)
			}
			return d
		}, remove: "alice@contoso.com", want: []string{"team/team_required"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustNew(t, validIP())
			if tc.deal != nil {
				d = tc.deal(t)
			}
			before := d.Clone()
			var err error
			var ev Event
			if tc.add != nil {
				ev, err = d.AddMember(*tc.add, t0)
			} else {
				ev, err = d.RemoveMember(tc.remove, t0)
			}
			expectRules(t, err, tc.want...)
			if err != nil {
				if !reflect.DeepEqual(before, d) {
					t.Errorf("a refused team change changed the deal")
				}
				return
			}
			got := []string{}
			for _, m := range d.Team {
				got = append(got, m.Email)
			}
			if !slices.Equal(got, tc.wantTeam) || ev.Action != "team" {
				t.Errorf("team = %v (action %q), want %v", got, ev.Action, tc.wantTeam)
			}
		})
	}
}

func twoMemberDeal(t *testing.T) *Deal {
	t.Helper()
	dr := validIP()
	dr.Team = []Person{alice(), bjorn()}
	return mustNew(t, dr)
}

func TestToggleFavorite(t *testing.T) {
	d := mustNew(t, validIP())
	if ev := d.ToggleFavorite(t0); !d.Favorite || ev.Detail != "added to favorites" {
		t.Errorf("favorites toggle: first tag should add, got %v %q", d.Favorite, ev.Detail)
	}
	if ev := d.ToggleFavorite(t0); d.Favorite || ev.Detail != "removed from favorites" {
		t.Errorf("favorites toggle: second tag should remove, got %v %q", d.Favorite, ev.Detail)
	}
	r := mustReceive(t, referral())
	r.ToggleFavorite(t0)
	if !r.Favorite {
		t.Errorf("favorites toggle: inbound deals may be tagged too")
	}
}

// TestInviteMicrosoft: "Help requested from Microsoft ≠ no help needed turns a
// deal into an active co-sell; Microsoft sellers then have 14 days".
// TestInviteMicrosoftWithTheContact: a deal made without a customer
// contact takes one when Microsoft is invited, the step that needs it (it
// had nowhere else to be added, so such a deal could never invite
// Microsoft); the contact still needs the customer's consent.
func TestInviteMicrosoftWithTheContact(t *testing.T) {
	at := t0.Add(time.Hour)
	d := mustNew(t, validIP())
	before := d.Clone()
	_, err := d.InviteMicrosoft(MicrosoftInvite{Help: HelpTechnical, Contact: customerContact()}, at)
	expectRules(t, err, "consent/contact_consent")
	if !reflect.DeepEqual(before, d) {
		t.Fatal("a refused invitation changed the deal")
	}
	ev, err := d.InviteMicrosoft(MicrosoftInvite{Help: HelpTechnical, Contact: customerContact(), Consent: true}, at)
	if err != nil {
		t.Fatal(err)
	}
	if d.Customer.Contact == nil || *d.Customer.Contact != *customerContact() || !d.Customer.Consent || d.Microsoft != MSInvited {
		t.Errorf("after invite: contact %+v consent %v Microsoft %q", d.Customer.Contact, d.Customer.Consent, d.Microsoft)
	}
	if !strings.Contains(ev.Detail, "customer contact "+customerContact().Name) {
		t.Errorf("event %q does not name the contact added", ev.Detail)
	}
	up := mustNew(t, validIP())
	if _, err := up.Upgrade(CoSell, MicrosoftInvite{Help: HelpPricing, Contact: customerContact(), Consent: true}, at); err != nil || up.Customer.Contact == nil {
		t.Errorf("upgrade to co-sell with the contact: %v, contact %+v", err, up.Customer.Contact)
	}
}

func TestInviteMicrosoft(t *testing.T) {
	withContact := func(t *testing.T) *Deal {
		dr := validIP()
		dr.Customer.Contact, dr.Customer.Consent = customerContact(), true
		return mustNew(t, dr)
	}
	tests := []struct {
		name string
		deal func(*testing.T) *Deal
		help Help
		want []string
	}{
		{name: "Microsoft invite opens a 14-day decision window", deal: withContact, help: HelpArchitecture},
		{name: "Microsoft invite from a partner-led deal", deal: func(t *testing.T) *Deal {
			dr := validIP()
			dr.Share, dr.Customer.Contact, dr.Customer.Consent = true, customerContact(), true
			return mustNew(t, dr)
		}, help: HelpFunding},
		{name: "Microsoft invite needs a help type (none)", deal: withContact, help: HelpNone, want: []string{"help/help_needed"}},
		{name: "Microsoft invite needs a help type (empty)", deal: withContact, help: "", want: []string{"help/help_needed"}},
		{name: "Microsoft invite needs a known help type", deal: withContact, help: "moral-support", want: []string{"help/help_type"}},
		{name: "Microsoft invite needs a customer contact", deal: func(t *testing.T) *Deal { return mustNew(t, validIP()) }, help: HelpTechnical,
			want: []string{"contact/contact_required_for_microsoft"}},
		{name: "Microsoft invite without help or contact says both at once", deal: func(t *testing.T) *Deal { return mustNew(t, validIP()) }, help: HelpNone,
			want: []string{"contact/contact_required_for_microsoft", "help/help_needed"}},
		{name: "Microsoft is invited once only", deal: invitedIP, help: HelpPricing, want: []string{"microsoft/microsoft_once"}},
		{name: "Microsoft cannot be invited again after declining", deal: func(t *testing.T) *Deal {
			d := invitedIP(t)
			if _, err := d.Edit(Changes{Microsoft: ptr(MSDeclined)}, t0); err != nil {
				t.Fatal(err)
			}
			return d
		}, help: HelpPricing, want: []string{"microsoft/microsoft_once"}},
		{name: "Microsoft invite only after accept", deal: func(t *testing.T) *Deal { return mustReceive(t, referral()) }, help: HelpTechnical,
			want: []string{"status/invite_after_accept"}},
		{name: "Microsoft invite on an accepted partner referral", deal: func(t *testing.T) *Deal {
			dr := referral()
			dr.From = "partner:Northwind Consulting"
			dr.Customer.Contact, dr.Customer.Consent = customerContact(), true
			d := mustReceive(t, dr)
			if _, err := d.Accept(acceptChanges(), t0); err != nil {
				t.Fatal(err)
			}
			return d
		}, help: HelpTechnical},
	}
	at := t0.Add(5 * time.Hour)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.deal(t)
			before := d.Clone()
			ev, err := d.InviteMicrosoft(MicrosoftInvite{Help: tc.help}, at)
			expectRules(t, err, tc.want...)
			if err != nil {
				if !reflect.DeepEqual(before, d) {
					t.Errorf("a refused invitation changed the deal")
				}
				return
			}
			if d.SaleType != CoSell || d.Microsoft != MSInvited || d.Help != tc.help || ev.Action != "invited" {
				t.Errorf("after invite: sale %s, Microsoft %q, help %q, action %q", d.SaleType, d.Microsoft, d.Help, ev.Action)
			}
			if !d.InvitedAt.Equal(at) || !d.DecisionDue.Equal(at.Add(14*24*time.Hour)) {
				t.Errorf("InvitedAt %v, DecisionDue %v; want %v and 14 days later", d.InvitedAt, d.DecisionDue, at)
			}
		})
	}
}

func validInvitation() Invitation {
	return Invitation{
		Partner:   "Northwind Consulting",
		Value:     1_000_000,
		CloseDate: closeDate,
		Notes:     "Northwind runs the data migration.",
		Solutions: []Solution{{Name: "Northwind Migrate", Source: ThirdParty}},
	}
}

// TestInvitePartner: P2P invitations need "value, close date, notes, team
// (prefilled from the deal) and at least one solution".
func TestInvitePartner(t *testing.T) {
	tests := []struct {
		name     string
		deal     func(*testing.T) *Deal
		edit     func(*Invitation)
		want     []string
		wantSale SaleType
	}{
		{name: "invite partner: a private deal stays private (inviting a partner is not sharing with Microsoft)", wantSale: Private},
		{name: "invite partner: partner-led deal stays partner-led", deal: func(t *testing.T) *Deal {
			dr := validIP()
			dr.Share = true
			return mustNew(t, dr)
		}, wantSale: PartnerLed},
		{name: "invite partner: co-sell deal stays co-sell", deal: invitedIP, wantSale: CoSell},
		{name: "invite partner on an accepted referral", deal: acceptedReferral, wantSale: CoSell},
		{name: "invite partner: partner name required", edit: func(i *Invitation) { i.Partner = " " }, want: []string{"partner/partner_required"}},
		{name: "invite partner: value required", edit: func(i *Invitation) { i.Value = 0 }, want: []string{"value/invite_value"}},
		// Their part of the overall deal (seed 004): no more than the whole.
		{name: "invite partner: a share above the whole deal is refused", edit: func(i *Invitation) { i.Value, i.Currency = 1_000_000_000_00, "" }, want: []string{"value/invite_value_share"}},
		// In another currency there is no rate to hold it to the whole by
		// (a tester's 999,999,999 HUF share of a 21,000 EUR deal).
		{name: "invite partner: a share in another currency is refused", edit: func(i *Invitation) { i.Value, i.Currency = 999_999_999_00, "HUF" }, want: []string{"currency/invite_currency"}},
		{name: "invite partner: close date required", edit: func(i *Invitation) { i.CloseDate = time.Time{} }, want: []string{"close/invite_close"}},
		{name: "invite partner: close date not in the past", edit: func(i *Invitation) { i.CloseDate = t0.AddDate(0, 0, -1) }, want: []string{"close/close_in_future"}},
		{name: "invite partner: notes required", edit: func(i *Invitation) { i.Notes = "" }, want: []string{"notes/invite_notes"}},
		{name: "invite partner: at least one solution required", edit: func(i *Invitation) { i.Solutions = nil }, want: []string{"solution/invite_solution"}},
		{name: "invite partner: team members validated", edit: func(i *Invitation) { i.Team = []Person{{Name: "Nils", Email: "nils@northwind.se"}} }, want: []string{"team/person_phone"}},
		{name: "invite partner: everything missing is reported together", edit: func(i *Invitation) { *i = Invitation{Partner: "Northwind"} },
			want: []string{"value/invite_value", "close/invite_close", "notes/invite_notes", "solution/invite_solution"}},
		{name: "invite partner: the same partner once only", deal: func(t *testing.T) *Deal {
			d := mustNew(t, validIP())
			if _, err := d.InvitePartner(validInvitation(), t0); err != nil {
				t.Fatal(err)
			}
			return d
		}, edit: func(i *Invitation) { i.Partner = "northwind consulting" }, want: []string{"partner/partner_once"}},
		{name: "invite partner only after accept", deal: func(t *testing.T) *Deal { return mustReceive(t, referral()) }, want: []string{"status/invite_after_accept"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustNew(t, validIP())
			if tc.deal != nil {
				d = tc.deal(t)
			}
			inv := validInvitation()
			if tc.edit != nil {
				tc.edit(&inv)
			}
			before := d.Clone()
			ev, err := d.InvitePartner(inv, t0)
			expectRules(t, err, tc.want...)
			if err != nil {
				if !reflect.DeepEqual(before, d) {
					t.Errorf("a refused invitation changed the deal")
				}
				return
			}
			if d.SaleType != tc.wantSale || ev.Action != "invited" {
				t.Errorf("SaleType = %q (action %q), want %q", d.SaleType, ev.Action, tc.wantSale)
			}
			got := d.Partners[len(d.Partners)-1]
			if !slices.Equal(got.Team, d.Team) {
				t.Errorf("invited team = %+v, want the deal team %+v by default", got.Team, d.Team)
			}
			if got.Currency != d.Currency || got.Help != "" || !got.InvitedAt.Equal(t0) {
				t.Errorf("invitation defaults: currency %q, help %q, invited %v", got.Currency, got.Help, got.InvitedAt)
			}
		})
	}
	t.Run("invite partner: the invited team is kept when given, and counts for OnTeam", func(t *testing.T) {
		d := mustNew(t, validIP())
		inv := validInvitation()
		nils := Person{Name: "Nils", Email: "nils@northwind.se", Phone: "+46 70 123 45 67"}
		inv.Team = []Person{nils}
		if _, err := d.InvitePartner(inv, t0); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(d.Partners[0].Team, []Person{nils}) {
			t.Errorf("invited team = %+v", d.Partners[0].Team)
		}
		if !d.OnTeam("NILS@northwind.se") || !d.OnTeam("alice@contoso.com") || d.OnTeam("eve@contoso.com") {
			t.Errorf("OnTeam must cover the deal team and the invited teams, case-insensitively")
		}
	})
}

// TestUpgrade: "private ... can be upgraded to partner-led or co-sell any time
// before terminal".
func TestUpgrade(t *testing.T) {
	private := func(t *testing.T) *Deal {
		dr := validIP()
		dr.Customer.Contact, dr.Customer.Consent = customerContact(), true
		return mustNew(t, dr)
	}
	partnerLed := func(t *testing.T) *Deal {
		dr := validIP()
		dr.Share, dr.Customer.Contact, dr.Customer.Consent = true, customerContact(), true
		return mustNew(t, dr)
	}
	tests := []struct {
		name     string
		deal     func(*testing.T) *Deal
		to       SaleType
		help     Help
		want     []string
		wantSale SaleType
	}{
		{name: "upgrade private to partner-led", deal: private, to: PartnerLed, wantSale: PartnerLed},
		{name: "upgrade private to co-sell with help", deal: private, to: CoSell, help: HelpTechnical, wantSale: CoSell},
		{name: "upgrade partner-led to co-sell with help", deal: partnerLed, to: CoSell, help: HelpExecutive, wantSale: CoSell},
		{name: "upgrade to co-sell needs help", deal: private, to: CoSell, help: HelpNone, want: []string{"help/help_needed"}},
		{name: "upgrade to co-sell needs a customer contact", deal: func(t *testing.T) *Deal { return mustNew(t, validIP()) }, to: CoSell, help: HelpTechnical,
			want: []string{"contact/contact_required_for_microsoft"}},
		{name: "upgrade never backwards: co-sell to partner-led", deal: invitedIP, to: PartnerLed, want: []string{"sale_type/upgrade_forward"}},
		{name: "upgrade never backwards: co-sell to co-sell", deal: invitedIP, to: CoSell, help: HelpTechnical, want: []string{"sale_type/upgrade_forward"}},
		{name: "upgrade never sideways: partner-led to partner-led", deal: partnerLed, to: PartnerLed, want: []string{"sale_type/upgrade_forward"}},
		{name: "upgrade never to private", deal: partnerLed, to: Private, want: []string{"sale_type/upgrade_target"}},
		{name: "upgrade target must be a sale type", deal: private, to: "p2p", want: []string{"sale_type/upgrade_target"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.deal(t)
			before := d.Clone()
			_, err := d.Upgrade(tc.to, MicrosoftInvite{Help: tc.help}, t0)
			expectRules(t, err, tc.want...)
			if err != nil {
				if !reflect.DeepEqual(before, d) {
					t.Errorf("a refused upgrade changed the deal")
				}
				return
			}
			if d.SaleType != tc.wantSale {
				t.Errorf("SaleType = %q, want %q", d.SaleType, tc.wantSale)
			}
			if tc.wantSale == CoSell && (d.Microsoft != MSInvited || !d.DecisionDue.Equal(t0.Add(MicrosoftDecisionWindow))) {
				t.Errorf("co-sell upgrade must invite Microsoft: %q due %v", d.Microsoft, d.DecisionDue)
			}
		})
	}
}

func TestCloneIsDeep(t *testing.T) {
	dr := validIP()
	dr.Customer.Contact, dr.Customer.Consent = customerContact(), true
	d := mustNew(t, dr)
	c := d.Clone()
	c.Team[0].Name = "changed"
	c.Solutions[0].Name = "changed"
	c.Customer.Contact.Name = "changed"
	if d.Team[0].Name == "changed" || d.Solutions[0].Name == "changed" || d.Customer.Contact.Name == "changed" {
		t.Errorf("Clone shares memory with the original")
	}
}

func TestLabels(t *testing.T) {
	kinds := map[Kind]string{IPCoSell: "IP co-sell", ServicesCoSell: "services co-sell", P2P: "partner-to-partner", SolutionAssessment: "solution assessment", "other": "other"}
	for k, want := range kinds {
		if got := KindLabel(k); got != want {
			t.Errorf("KindLabel(%q) = %q, want %q", k, got, want)
		}
	}
	sales := map[SaleType]string{Private: "private", PartnerLed: "partner-led", CoSell: "co-sell"}
	for s, want := range sales {
		if got := SaleTypeLabel(s); got != want {
			t.Errorf("SaleTypeLabel(%q) = %q, want %q", s, got, want)
		}
	}
}

// An invited partner's share stays part of the deal on every path: an edit
// of the deal's value below a share, or of its currency, is refused as the
// invitation would have been (a tester's card read "Value: 10,000 JPY"
// beside "Partner invited: Contoso for 70,000 GBP"). A CRM's change takes
// this path too (change.Advance edits through Edit).
func TestSharesHoldOnEdit(t *testing.T) {
	d := mustNew(t, validIP())
	inv := validInvitation()
	inv.Value = d.Value / 2
	if _, err := d.InvitePartner(inv, t0); err != nil {
		t.Fatal(err)
	}
	low, cur, more := d.Value/4, "JPY", d.Value*2
	for _, tc := range []struct {
		name string
		c    Changes
		want []string
	}{
		{"value under the share", Changes{Value: &low}, []string{"value/invite_value_share"}},
		{"another currency", Changes{Currency: &cur}, []string{"currency/invite_currency"}},
		{"a value above the share", Changes{Value: &more}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := d.Clone()
			before := e.Clone()
			_, err := e.Edit(tc.c, t0)
			expectRules(t, err, tc.want...)
			if err != nil && !reflect.DeepEqual(before, e) {
				t.Error("a refused edit changed the deal")
			}
		})
	}
}

// Several invited partners' shares are, together, part of the deal (seed
// 004): a tester invited 50,000 and 40,000 EUR into an 80,000 EUR deal, each
// checked alone. Refused at the second invitation and on an edit that
// brings the value under their sum, with what is left; a share in another
// currency is not relabelled into a figure the next check refuses.
func TestInvitedSharesTogether(t *testing.T) {
	d := mustNew(t, validIP())
	first := validInvitation()
	first.Partner, first.Value = "Adatum", d.Value*5/8
	if _, err := d.InvitePartner(first, t0); err != nil {
		t.Fatal(err)
	}
	second := validInvitation()
	second.Partner, second.Value = "Litware", d.Value/2
	before := d.Clone()
	_, err := d.InvitePartner(second, t0)
	expectRules(t, err, "value/invite_value_share")
	if err == nil || !strings.Contains(err.Error(), "more than what the partners already invited leave of the deal") {
		t.Errorf("second invitation: %v", err)
	}
	if !reflect.DeepEqual(before, d) {
		t.Error("a refused invitation changed the deal")
	}
	second.Value = d.Value * 3 / 8
	if _, err := d.InvitePartner(second, t0); err != nil {
		t.Fatalf("the rest of the deal: %v", err)
	}
	low := d.Value * 3 / 4
	_, err = d.Clone().Edit(Changes{Value: &low}, t0)
	expectRules(t, err, "value/invite_value_share")
	if err == nil || !strings.Contains(err.Error(), "the invited partners' shares (Adatum ") {
		t.Errorf("edit under the sum: %v", err)
	}

	third := validInvitation()
	third.Partner, third.Currency = "Fabrikam", "JPY"
	_, err = mustNew(t, validIP()).InvitePartner(third, t0)
	expectRules(t, err, "currency/invite_currency")
	if err == nil || !strings.Contains(err.Error(), `value="… `) {
		t.Errorf("another currency: %v", err)
	}
}

// On a won deal Microsoft's answer, which its registration rests on, only
// moves on: a tester rewrote a won deal's "won" to "declined" and back,
// registration flipping each time. An open deal's answer may be corrected.
func TestMicrosoftAnswerOfAWonDealOnlyMovesOn(t *testing.T) {
	for _, tc := range []struct {
		status   Status
		from, to MicrosoftState
		ok       bool
	}{
		{Won, MSInvited, MSAccepted, true},
		{Won, MSInvited, MSDeclined, true},
		{Won, MSAccepted, MSWon, true},
		{Won, MSWon, MSDeclined, false},
		{Won, MSWon, MSAccepted, false},
		{Won, MSDeclined, MSAccepted, false},
		{Won, MSAccepted, MSDeclined, false},
		{Accepted, MSDeclined, MSAccepted, true},
		{Accepted, MSWon, MSAccepted, true},
	} {
		t.Run(fmt.Sprintf("%s %s to %s", tc.status, tc.from, tc.to), func(t *testing.T) {
			d := &Deal{ID: 1, Kind: IPCoSell, Status: tc.status, SaleType: CoSell, Microsoft: tc.from, InvitedAt: t0, DecisionDue: t0.Add(MicrosoftDecisionWindow), Value: 3000000, Currency: "USD"}
			if tc.status == Won {
				d.Stage, d.WonAt = StageWon, t0
			}
			to := tc.to
			before := d.Clone()
			_, err := d.Edit(Changes{Microsoft: &to}, t0.Add(time.Hour))
			if tc.ok != (err == nil) {
				t.Fatalf("err = %v, want ok %v", err, tc.ok)
			}
			if err != nil {
				expectRules(t, err, "microsoft/microsoft_answer_final")
				if !reflect.DeepEqual(before, d) {
					t.Error("a refused answer changed the deal")
				}
			}
		})
	}
}
