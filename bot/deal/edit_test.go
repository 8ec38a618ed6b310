package deal

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

// TestEdit covers DOMAIN.md: "Editable there: name, estimated purchase date,
// value, notes, CRM ID, campaign ID, team; solutions too (not for SA)", and
// that an edit can never leave a deal that could not have been created.
func TestEdit(t *testing.T) {
	ipDeal := func(t *testing.T) *Deal { return mustNew(t, validIP()) }
	tests := []struct {
		name    string
		deal    func(*testing.T) *Deal
		changes Changes
		at      time.Time // zero: t0
		want    []string
		check   func(*testing.T, *Deal)
	}{
		{name: "edit name, notes, CRM ID, campaign ID, value, currency, close date and team on a created deal", deal: ipDeal,
			changes: Changes{Name: ptr("Renamed"), Notes: ptr("New notes"), CRMID: ptr("OPP-1"), CampaignID: ptr("CAMP-1"),
				Value: ptr(Money(7_500_000)), Currency: ptr("eur"), CloseDate: ptr(closeDate.AddDate(0, 1, 0)), Team: []Person{alice(), bjorn()}},
			check: func(t *testing.T, d *Deal) {
				if d.Name != "Renamed" || d.Notes != "New notes" || d.CRMID != "OPP-1" || d.CampaignID != "CAMP-1" ||
					d.Value != 7_500_000 || d.Currency != "EUR" || !d.CloseDate.Equal(closeDate.AddDate(0, 1, 0)) || len(d.Team) != 2 {
					t.Errorf("edit not applied: %+v", d)
				}
			}},
		{name: "edit on an accepted deal", deal: acceptedReferral, changes: Changes{Notes: ptr("Met the CIO")}},
		// Each once: a second Alice could not be named to remove her.
		{name: "a member given twice is refused", deal: ipDeal, changes: Changes{Team: []Person{alice(), bjorn(), alice()}}, want: []string{"team/team_unique"}},
		{name: "a solution given twice is refused", deal: ipDeal,
			changes: Changes{Solutions: []Solution{{Name: "Contoso Forms", Source: Mine, IP: IPBizAppsStd}, {Name: "Contoso Forms", Source: Mine, IP: IPBizAppsStd}}}, want: []string{"solution/solution_unique"}},
		{name: "edit refused while received", deal: func(t *testing.T) *Deal { return mustReceive(t, referral()) }, changes: Changes{Notes: ptr("x")}, want: []string{"status/status_edit"}},
		{name: "solutions are editable on an IP co-sell deal", deal: ipDeal,
			changes: Changes{Solutions: []Solution{{Name: "Contoso Forms", Source: Mine, IP: IPBizAppsStd}}}},
		{name: "SA solutions are not editable", deal: func(t *testing.T) *Deal { return mustNew(t, validSA()) },
			changes: Changes{Solutions: []Solution{{Name: "Security assessment", Source: Assessment}}}, want: []string{"solution/assessment_solution_fixed"}},
		{name: "SA deal details other than the solution stay editable", deal: func(t *testing.T) *Deal { return mustNew(t, validSA()) }, changes: Changes{Notes: ptr("LOE sent")}},
		{name: "intent is editable on IP co-sell", deal: ipDeal, changes: Changes{Intent: ptr(IntentNo)}},
		{name: "intent is IP-only: refused on services co-sell", deal: func(t *testing.T) *Deal { return mustNew(t, validServices()) },
			changes: Changes{Intent: ptr(IntentNo)}, want: []string{"intent/intent_ip_only"}},
		{name: "intent is IP-only: refused on SA", deal: func(t *testing.T) *Deal { return mustNew(t, validSA()) },
			changes: Changes{Intent: ptr(IntentUndecided)}, want: []string{"intent/intent_ip_only"}},
		{name: "edit cannot set intent yes without an incentivized solution", deal: ipDeal, changes: Changes{Intent: ptr(IntentYes)}, want: []string{"intent/intent_needs_incentivized"}},
		{name: "edit cannot drop the incentivized solution while intent is yes",
			deal: func(t *testing.T) *Deal {
				dr := validIP()
				dr.Intent, dr.Solutions[0].Incentivized = IntentYes, true
				return mustNew(t, dr)
			},
			changes: Changes{Solutions: []Solution{{Name: "Contoso Forms", Source: Mine, IP: IPBizAppsStd}}}, want: []string{"intent/intent_needs_incentivized"}},
		{name: "microsoft answer only after an invite", deal: ipDeal, changes: Changes{Microsoft: ptr(MSAccepted)}, want: []string{"microsoft/microsoft_not_invited"}},
		{name: "Microsoft's own referral has no invitation to decline", deal: acceptedReferral, changes: Changes{Microsoft: ptr(MSDeclined)}, want: []string{"microsoft/microsoft_sent_it"}},
		{name: "Microsoft marks its own referral won", deal: acceptedReferral, changes: Changes{Microsoft: ptr(MSWon)}},
		{name: "microsoft answer after an invite: accepted", deal: invitedIP, changes: Changes{Microsoft: ptr(MSAccepted)},
			check: func(t *testing.T, d *Deal) {
				if d.Microsoft != MSAccepted {
					t.Errorf("Microsoft = %q, want accepted", d.Microsoft)
				}
			}},
		{name: "microsoft answer after an invite: declined", deal: invitedIP, changes: Changes{Microsoft: ptr(MSDeclined)}},
		{name: "microsoft answer after an invite: won", deal: invitedIP, changes: Changes{Microsoft: ptr(MSWon)}},
		{name: "microsoft answer must be accepted, declined or won", deal: invitedIP, changes: Changes{Microsoft: ptr(MSInvited)}, want: []string{"microsoft/microsoft_answer"}},
		{name: "nothing to change is refused", deal: ipDeal, changes: Changes{}, want: []string{"field/edit_nothing"}},
		{name: "the same values are nothing to change", deal: ipDeal, changes: Changes{Name: ptr(validIP().Name), Value: ptr(validIP().Value)}, want: []string{"name/edit_nothing"}},
		{name: "no change given is nothing to change", deal: ipDeal, changes: Changes{}, want: []string{"field/edit_nothing"}},
		{name: "edit cannot break invariants: clearing notes", deal: ipDeal, changes: Changes{Notes: ptr("")}, want: []string{"notes/notes_required"}},
		{name: "edit cannot break invariants: clearing the name", deal: ipDeal, changes: Changes{Name: ptr(" ")}, want: []string{"name/name_required"}},
		{name: "edit cannot break invariants: zero value", deal: ipDeal, changes: Changes{Value: ptr(Money(0))}, want: []string{"value/value_required"}},
		{name: "edit cannot break invariants: unknown currency", deal: ipDeal, changes: Changes{Currency: ptr("EURO")}, want: []string{"currency/currency_code"}},
		{name: "edit cannot break invariants: close date in the past", deal: ipDeal, changes: Changes{CloseDate: ptr(t0.AddDate(0, 0, -1))}, want: []string{"close/close_in_future"}},
		{name: "edit cannot break invariants: empty team on an outbound deal", deal: ipDeal, changes: Changes{Team: []Person{}}, want: []string{"team/team_required"}},
		{name: "edit cannot break invariants: invalid team member", deal: ipDeal, changes: Changes{Team: []Person{{Name: "Bob", Email: "bob@contoso.com", Phone: "call me"}}}, want: []string{"team/person_phone"}},
		{name: "edit cannot break invariants: removing every IP solution", deal: ipDeal, changes: Changes{Solutions: []Solution{}}, want: []string{"solution/solution_required_ip"}},
		{name: "edit cannot break invariants: adding an assessment to an IP deal", deal: ipDeal,
			changes: Changes{Solutions: []Solution{azureSolution(), assessmentSolution()}}, want: []string{"solution/assessment_only_in_sa"}},
		{name: "edit cannot break invariants: MACC customer keeps a MACC-eligible solution",
			deal: func(t *testing.T) *Deal {
				dr := validIP()
				dr.Customer.MACC, dr.Solutions[0].MACC = true, true
				return mustNew(t, dr)
			},
			changes: Changes{Solutions: []Solution{azureSolution()}}, want: []string{"solution/macc_needs_macc_solution"}},
		{name: "edit of other fields is allowed after the close date has passed",
			deal: func(t *testing.T) *Deal {
				dr := validIP()
				dr.CloseDate = day(t0).AddDate(0, 0, 1)
				return mustNew(t, dr)
			},
			at: t0.AddDate(0, 0, 10), changes: Changes{Notes: ptr("Slipped; updating notes")}},
		{name: "services co-sell: solutions may be emptied (optional)",
			deal: func(t *testing.T) *Deal {
				dr := validServices()
				dr.Solutions = []Solution{{Name: "Azure SQL", Source: Microsoft}}
				return mustNew(t, dr)
			},
			changes: Changes{Solutions: []Solution{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.deal(t)
			at := tc.at
			if at.IsZero() {
				at = t0.Add(time.Hour)
			}
			before := d.Clone()
			ev, err := d.Edit(tc.changes, at)
			expectRules(t, err, tc.want...)
			if err != nil {
				if !reflect.DeepEqual(before, d) {
					t.Errorf("a refused edit changed the deal:\nbefore %+v\nafter  %+v", before, d)
				}
				return
			}
			if ev.Action != "edited" {
				t.Errorf("event action = %q, want edited", ev.Action)
			}
			if !d.UpdatedAt.Equal(at) {
				t.Errorf("UpdatedAt = %v, want %v", d.UpdatedAt, at)
			}
			if tc.check != nil {
				tc.check(t, d)
			}
		})
	}
}

// invitedIP is a created IP co-sell deal with Microsoft invited (help asked).
func invitedIP(t *testing.T) *Deal {
	t.Helper()
	dr := validIP()
	dr.Help, dr.Customer.Contact, dr.Customer.Consent = HelpTechnical, customerContact(), true
	return mustNew(t, dr)
}

// TestLocationNeverEditable checks that location, kind and customer have no
// edit key and no field in Changes: "location ... never editable afterwards".
// (account= is the one customer key, and it only records Microsoft's account
// matching of an "other" account: see TestAccountMatchRecorded.)
func TestLocationNeverEditable(t *testing.T) {
	for _, key := range []string{"location", "kind", "customer", "customer_location", "direction", "assessment_location"} {
		t.Run("location is never editable: no "+key+" key", func(t *testing.T) {
			if slices.Contains(Editable, key) {
				t.Errorf("deal.Editable contains %q: it is fixed at creation", key)
			}
		})
	}
	ct := reflect.TypeOf(Changes{})
	for _, field := range []string{"Location", "Kind", "Customer", "Direction", "AssessmentLocation", "Help"} {
		t.Run("location is never editable: Changes has no "+field, func(t *testing.T) {
			if _, ok := ct.FieldByName(field); ok {
				t.Errorf("deal.Changes has a %s field: it is fixed at creation", field)
			}
		})
	}
	t.Run("editable keys are the DOMAIN.md list", func(t *testing.T) {
		for _, key := range []string{"name", "notes", "crm_id", "campaign_id", "value", "close", "team", "solution", "intent"} {
			if !slices.Contains(Editable, key) {
				t.Errorf("deal.Editable lacks %q", key)
			}
		}
	})
}

// Microsoft's answer is Microsoft's to give: it can still be recorded once the
// partner marked the deal won, and then registration's criterion passes.
func TestMicrosoftAnswerAfterWon(t *testing.T) {
	d := invitedIP(t)
	if _, err := d.Win(t0); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Edit(Changes{Microsoft: ptr(MSWon)}, t0); err != nil {
		t.Fatalf("recording Microsoft's win on a won deal: %v", err)
	}
	if _, err := d.Edit(Changes{Microsoft: ptr(MSWon), Notes: ptr("x")}, t0); err == nil {
		t.Fatal("a won deal accepted an edit beyond Microsoft's answer")
	}
	for _, c := range d.Registration(DefaultRates()).Criteria {
		if c.Name == "microsoft_accepted" && !c.OK {
			t.Fatalf("microsoft_accepted after Microsoft won: %+v", c)
		}
	}
}

// No path removes a deal's last team member: an edit to an empty team is
// refused like RemoveMember, inbound deals too.
func TestEditKeepsTheLastMember(t *testing.T) {
	inbound := acceptedReferral(t)
	if _, err := inbound.AddMember(Person{Name: "Bo Ek", Email: "bo@contoso.com", Phone: "+46 70 000 00 00"}, t0); err != nil && len(inbound.Team) == 0 {
		t.Fatal(err)
	}
	for _, d := range []*Deal{mustNew(t, validIP()), inbound} {
		before := d.Clone()
		if _, err := d.Edit(Changes{Team: []Person{}}, t0.Add(time.Hour)); err == nil {
			t.Errorf("%s deal: emptied its team", d.Direction)
		}
		if !reflect.DeepEqual(before, d) {
			t.Errorf("a refused edit changed the deal")
		}
	}
}
