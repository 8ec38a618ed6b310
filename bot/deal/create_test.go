package deal

import (
	"testing"
	"time"
)

// TestNewRules has one case per creation rule of DOMAIN.md "Creating a deal
// (outbound)" and "Deal kinds". Each case starts from a valid draft and
// changes one thing.
func TestNewRules(t *testing.T) {
	tests := []struct {
		name  string
		base  func() Draft
		edit  func(*Draft)
		want  []string // "field/rule" pairs; none means the deal is created
		check func(*testing.T, *Deal)
	}{
		// kinds
		{name: "IP co-sell: a complete draft is created", base: validIP},
		{name: "services co-sell: a complete draft is created", base: validServices},
		{name: "SA: a complete draft is created", base: validSA},
		{name: "P2P: a complete draft is created", base: validP2P},
		{name: "kind must be a known kind", base: validIP, edit: func(d *Draft) { d.Kind = "reseller" }, want: []string{"kind/kind_known"}},

		// deal details
		{name: "deal name is required", base: validIP, edit: func(d *Draft) { d.Name = "   " }, want: []string{"name/name_required"}},
		{name: "location is required", base: validIP, edit: func(d *Draft) { d.Location = "" }, want: []string{"location/location_required"}},
		{name: "location must look like a partner location ID", base: validIP, edit: func(d *Draft) { d.Location = "Paris office!" }, want: []string{"location/location_partner_id"}},
		{name: "estimated value is required", base: validIP, edit: func(d *Draft) { d.Value = 0 }, want: []string{"value/value_required"}},
		{name: "estimated value must be above zero", base: validIP, edit: func(d *Draft) { d.Value = -100 }, want: []string{"value/value_required"}},
		{name: "estimated close date is required", base: validIP, edit: func(d *Draft) { d.CloseDate = time.Time{} }, want: []string{"close/close_required"}},
		{name: "estimated close date must not be in the past", base: validIP, edit: func(d *Draft) { d.CloseDate = day(t0).AddDate(0, 0, -1) }, want: []string{"close/close_in_future"}},
		{name: "estimated close date may be today", base: validIP, edit: func(d *Draft) { d.CloseDate = day(t0) }},
		{name: "notes are required", base: validIP, edit: func(d *Draft) { d.Notes = " \t" }, want: []string{"notes/notes_required"}},
		{name: "CRM ID and campaign ID are optional", base: validIP, edit: func(d *Draft) { d.CRMID, d.CampaignID = "OPP-1", "CAMP-7" }},

		// currency
		{name: "currency must be a three-letter ISO code", base: validIP, edit: func(d *Draft) { d.Currency = "EURO" }, want: []string{"currency/currency_code"}},
		{name: "currency must be a known ISO code", base: validIP, edit: func(d *Draft) { d.Currency = "ABC" }, want: []string{"currency/currency_code"}},
		{name: "currency defaults to USD", base: validIP, edit: func(d *Draft) { d.Currency = "" },
			check: func(t *testing.T, d *Deal) {
				if d.Currency != "USD" {
					t.Errorf("Currency = %q, want USD", d.Currency)
				}
			}},
		{name: "currency is upper-cased", base: validIP, edit: func(d *Draft) { d.Currency = "eur" },
			check: func(t *testing.T, d *Deal) {
				if d.Currency != "EUR" {
					t.Errorf("Currency = %q, want EUR", d.Currency)
				}
			}},

		// team
		{name: "team needs at least one member", base: validIP, edit: func(d *Draft) { d.Team = nil }, want: []string{"team/team_required"}},
		{name: "team member needs a name", base: validIP, edit: func(d *Draft) { d.Team[0].Name = "" }, want: []string{"team/person_name"}},
		{name: "team member needs a valid e-mail", base: validIP, edit: func(d *Draft) { d.Team[0].Email = "alice-at-contoso" }, want: []string{"team/person_email"}},
		{name: "team member needs a valid phone", base: validIP, edit: func(d *Draft) { d.Team[0].Phone = "12" }, want: []string{"team/person_phone"}},
		{name: "team member with nothing breaks name, e-mail and phone", base: validIP, edit: func(d *Draft) { d.Team = []Person{{}} },
			want: []string{"team/person_name", "team/person_email", "team/person_phone"}},
		{name: "every team member is validated, not only the first", base: validIP, edit: func(d *Draft) { d.Team = []Person{alice(), {Name: "Bob", Email: "bob@contoso.com"}} },
			want: []string{"team/person_phone"}},

		// customer
		{name: "customer name is required", base: validIP, edit: func(d *Draft) { d.Customer.Name = " " }, want: []string{"customer/customer_required"}},
		{name: "customer location is required", base: validIP, edit: func(d *Draft) { d.Customer.Location = "" }, want: []string{"customer_location/customer_location_country"}},
		{name: "customer location must be an ISO country code", base: validIP, edit: func(d *Draft) { d.Customer.Location = "France" }, want: []string{"customer_location/customer_location_country"}},
		{name: "customer location must be upper-case ISO", base: validIP, edit: func(d *Draft) { d.Customer.Location = "fr" }, want: []string{"customer_location/customer_location_country"}},
		{name: "customer location must be a real country", base: validIP, edit: func(d *Draft) { d.Customer.Location = "ZZ" }, want: []string{"customer_location/customer_location_country"}},
		{name: "account class must be managed, unmanaged or other", base: validIP, edit: func(d *Draft) { d.Customer.Account = "federal" }, want: []string{"account/account_class"}},
		{name: "account class unmanaged is accepted", base: validIP, edit: func(d *Draft) { d.Customer.Account = Unmanaged }},
		{name: "account class other (DUNS) is accepted", base: validIP, edit: func(d *Draft) { d.Customer.Account = Other }},
		{name: "account class defaults to other (DUNS)", base: validIP, edit: func(d *Draft) { d.Customer.Account = "" },
			check: func(t *testing.T, d *Deal) {
				if d.Customer.Account != Other {
					t.Errorf("Account = %q, want other", d.Customer.Account)
				}
			}},

		// customer contact
		{name: "customer contact is optional when Microsoft is not invited", base: validIP},
		{name: "customer contact with consent is accepted", base: validIP, edit: func(d *Draft) { d.Customer.Contact, d.Customer.Consent = customerContact(), true }},
		{name: "customer contact needs the customer's consent", base: validIP, edit: func(d *Draft) { d.Customer.Contact = customerContact() }, want: []string{"consent/contact_consent"}},
		{name: "consent needs a contact to consent to", base: validIP, edit: func(d *Draft) { d.Customer.Consent = true }, want: []string{"consent/consent_without_contact"}},
		{name: "an assessment location only on an assessment", base: validIP, edit: func(d *Draft) { d.AssessmentLocation = "FR" }, want: []string{"assessment_location/assessment_location_sa_only"}},
		{name: "an IP co-sell deal sells a co-sell-eligible solution", base: validIP,
			edit: func(d *Draft) { d.Solutions = []Solution{{Name: "Azure OpenAI", Source: Microsoft}} }, want: []string{"solution/solution_ip_eligible"}},
		{name: "customer contact is validated like a person", base: validIP,
			edit: func(d *Draft) {
				d.Customer.Contact, d.Customer.Consent = customerContact(), true
				d.Customer.Contact.Email = "chloe"
			},
			want: []string{"contact/person_email"}},
		{name: "customer contact is required when help is asked of Microsoft", base: validIP, edit: func(d *Draft) { d.Help = HelpTechnical }, want: []string{"contact/contact_required_for_microsoft"}},
		{name: "customer contact with consent satisfies a Microsoft invitation", base: validIP,
			edit: func(d *Draft) {
				d.Help, d.Customer.Contact, d.Customer.Consent = HelpTechnical, customerContact(), true
			}},

		// IP co-sell
		{name: "IP co-sell requires at least one solution", base: validIP, edit: func(d *Draft) { d.Solutions = nil }, want: []string{"solution/solution_required_ip"}},
		{name: "IP co-sell refuses a partner role", base: validIP, edit: func(d *Draft) { d.Role = "solution-design" }, want: []string{"role/role_hidden_for_ip"}},
		{name: "IP co-sell: solution area and play are optional", base: validIP, edit: func(d *Draft) { d.SolutionArea, d.SolutionPlay = "Data & AI", "Analytics" }},
		{name: "IP co-sell may carry Microsoft and third-party solutions", base: validIP,
			edit: func(d *Draft) {
				d.Solutions = append(d.Solutions, Solution{Name: "Azure SQL", Source: Microsoft}, Solution{Name: "Fabrikam ETL", Source: ThirdParty})
			}},

		// services co-sell
		{name: "services co-sell requires partner role", base: validServices, edit: func(d *Draft) { d.Role = "" }, want: []string{"role/role_required_services"}},
		{name: "services co-sell refuses an unknown partner role", base: validServices, edit: func(d *Draft) { d.Role = "cheerleader" }, want: []string{"role/role_known"}},
		{name: "services co-sell requires solution area", base: validServices, edit: func(d *Draft) { d.SolutionArea = "" }, want: []string{"area/area_required_services"}},
		{name: "services co-sell requires solution play", base: validServices, edit: func(d *Draft) { d.SolutionPlay = "" }, want: []string{"play/play_required_services"}},
		{name: "services co-sell: a play of another area is refused", base: validServices,
			edit: func(d *Draft) { d.SolutionArea, d.SolutionPlay = "modern-work", "data-security" }, want: []string{"play/play_in_area"}},
		{name: "services co-sell: a play of its current area", base: validServices,
			edit: func(d *Draft) { d.SolutionArea, d.SolutionPlay = "security", "data-security" }},
		{name: "services co-sell: a play of its legacy area", base: validServices,
			edit: func(d *Draft) { d.SolutionArea, d.SolutionPlay = "data-ai", "unify-data" }},
		{name: "services co-sell: solutions are optional", base: validServices, edit: func(d *Draft) { d.Solutions = nil }},
		{name: "services co-sell may carry solutions", base: validServices, edit: func(d *Draft) { d.Solutions = []Solution{{Name: "Azure SQL", Source: Microsoft}} }},

		// solution assessment
		{name: "SA: an assessment type is required", base: validSA, edit: func(d *Draft) { d.Solutions = nil }, want: []string{"assessment/assessment_exactly_one"}},
		{name: "SA: only one assessment type", base: validSA, edit: func(d *Draft) {
			d.Solutions = append(d.Solutions, Solution{Name: "Security assessment", Source: Assessment})
		}, want: []string{"assessment/assessment_exactly_one"}},
		{name: "SA: no other solution beside the assessment", base: validSA, edit: func(d *Draft) { d.Solutions = append(d.Solutions, azureSolution()) }, want: []string{"assessment/assessment_exactly_one"}},
		{name: "SA: a non-assessment solution alone is refused", base: validSA, edit: func(d *Draft) { d.Solutions = []Solution{azureSolution()} }, want: []string{"assessment/assessment_exactly_one"}},
		{name: "SA: assessment location is required", base: validSA, edit: func(d *Draft) { d.AssessmentLocation = "" }, want: []string{"assessment_location/assessment_location_required"}},
		{name: "SA: assessment location must be a country code", base: validSA, edit: func(d *Draft) { d.AssessmentLocation = "Stockholm" }, want: []string{"assessment_location/assessment_location_country"}},
		{name: "assessment solution is refused on an IP co-sell deal", base: validIP, edit: func(d *Draft) { d.Solutions = append(d.Solutions, assessmentSolution()) }, want: []string{"solution/assessment_only_in_sa"}},
		{name: "assessment solution is refused on a services co-sell deal", base: validServices, edit: func(d *Draft) { d.Solutions = []Solution{assessmentSolution()} }, want: []string{"solution/assessment_only_in_sa"}},

		// marketplace intent
		{name: "intent yes needs an incentivized solution", base: validIP, edit: func(d *Draft) { d.Intent = IntentYes }, want: []string{"intent/intent_needs_incentivized"}},
		{name: "intent yes with an incentivized solution is accepted", base: validIP, edit: func(d *Draft) { d.Intent, d.Solutions[0].Incentivized = IntentYes, true }},
		{name: "intent no is accepted", base: validIP, edit: func(d *Draft) { d.Intent = IntentNo }},
		{name: "intent must be yes, no or undecided", base: validIP, edit: func(d *Draft) { d.Intent = "maybe" }, want: []string{"intent/intent_value"}},
		{name: "intent defaults to undecided on IP co-sell", base: validIP,
			check: func(t *testing.T, d *Deal) {
				if d.Intent != IntentUndecided {
					t.Errorf("Intent = %q, want undecided", d.Intent)
				}
			}},
		{name: "intent only for IP co-sell: services intent no refused", base: validServices, edit: func(d *Draft) { d.Intent = IntentNo }, want: []string{"intent/intent_ip_only"}},
		{name: "intent only for IP co-sell: services intent yes breaks both intent rules", base: validServices, edit: func(d *Draft) { d.Intent = IntentYes },
			want: []string{"intent/intent_ip_only", "intent/intent_needs_incentivized"}},
		{name: "intent only for IP co-sell: SA intent no refused", base: validSA, edit: func(d *Draft) { d.Intent = IntentNo }, want: []string{"intent/intent_ip_only"}},

		// MACC
		{name: "MACC customer needs a MACC-eligible solution", base: validIP, edit: func(d *Draft) { d.Customer.MACC = true }, want: []string{"solution/macc_needs_macc_solution"}},
		{name: "MACC customer with a MACC-eligible solution is accepted", base: validIP, edit: func(d *Draft) {
			d.Customer.MACC = true
			d.Solutions = append(d.Solutions, Solution{Name: "Azure SQL", Source: Microsoft, MACC: true})
		}},

		// help
		{name: "help type must be a known help type", base: validIP, edit: func(d *Draft) {
			d.Help, d.Customer.Contact, d.Customer.Consent = "moral-support", customerContact(), true
		}, want: []string{"help/help_type"}},

		// outbound only
		{name: "from= is refused on a deal you create", base: validIP, edit: func(d *Draft) { d.From = "microsoft" }, want: []string{"from/from_inbound_only"}},
		{name: "received= is refused on a deal you create", base: validIP, edit: func(d *Draft) { d.ReceivedAt = t0.Add(-time.Hour) }, want: []string{"from/from_inbound_only"}},

		// all at once
		{name: "several broken rules are reported together", base: validIP, edit: func(d *Draft) { d.Name, d.Notes, d.Team, d.Solutions = "", "", nil, nil },
			want: []string{"name/name_required", "notes/notes_required", "team/team_required", "solution/solution_required_ip"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dr := tc.base()
			if tc.edit != nil {
				tc.edit(&dr)
			}
			d, ev, err := New(dr, t0)
			expectRules(t, err, tc.want...)
			if err != nil {
				if d != nil {
					t.Errorf("New returned a deal alongside an error")
				}
				return
			}
			if ev.Action != "created" {
				t.Errorf("event action = %q, want created", ev.Action)
			}
			if tc.check != nil {
				tc.check(t, d)
			}
		})
	}
}

func TestNewAcceptsEveryPartnerRole(t *testing.T) {
	if len(Roles) != 8 {
		t.Errorf("services co-sell has 8 partner roles in DOMAIN.md, engine lists %d", len(Roles))
	}
	for _, r := range Roles {
		t.Run("services co-sell accepts partner role "+string(r), func(t *testing.T) {
			dr := validServices()
			dr.Role = r
			_, _, err := New(dr, t0)
			expectRules(t, err)
		})
	}
}

func TestNewAcceptsEveryHelpType(t *testing.T) {
	for _, h := range Helps {
		t.Run("help type "+string(h)+" is accepted", func(t *testing.T) {
			dr := validIP()
			dr.Help, dr.Customer.Contact, dr.Customer.Consent = h, customerContact(), true
			_, _, err := New(dr, t0)
			expectRules(t, err)
		})
	}
}

// TestNewSaleType covers the derivation of the sale type from Partner
// Center's two questions, and the state of a freshly created deal.
func TestNewSaleType(t *testing.T) {
	tests := []struct {
		name          string
		help          Help
		share         bool
		want          SaleType
		wantMicrosoft MicrosoftState
	}{
		{name: "no help, not shared: private", help: HelpNone, want: Private},
		{name: "no help given defaults to none: private", help: "", want: Private},
		{name: "no help, shared with Microsoft sellers: partner-led", help: HelpNone, share: true, want: PartnerLed},
		{name: "help asked: co-sell with Microsoft invited", help: HelpTechnical, want: CoSell, wantMicrosoft: MSInvited},
		{name: "help asked and shared: co-sell wins over partner-led", help: HelpPricing, share: true, want: CoSell, wantMicrosoft: MSInvited},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dr := validIP()
			dr.Help, dr.Share = tc.help, tc.share
			dr.Customer.Contact, dr.Customer.Consent = customerContact(), true
			d := mustNew(t, dr)
			if d.SaleType != tc.want {
				t.Errorf("SaleType = %q, want %q", d.SaleType, tc.want)
			}
			if d.Microsoft != tc.wantMicrosoft {
				t.Errorf("Microsoft = %q, want %q", d.Microsoft, tc.wantMicrosoft)
			}
			if tc.wantMicrosoft == MSInvited {
				if !d.InvitedAt.Equal(t0) {
					t.Errorf("InvitedAt = %v, want %v", d.InvitedAt, t0)
				}
				if want := t0.Add(14 * 24 * time.Hour); !d.DecisionDue.Equal(want) {
					t.Errorf("Microsoft invite opens a 14-day decision window: DecisionDue = %v, want %v", d.DecisionDue, want)
				}
			} else if !d.DecisionDue.IsZero() || !d.InvitedAt.IsZero() {
				t.Errorf("no invitation, yet InvitedAt = %v, DecisionDue = %v", d.InvitedAt, d.DecisionDue)
			}
			if d.Status != Created || d.Stage != StageCreated || d.Direction != Outbound {
				t.Errorf("new deal is %s/%s/%s, want created/created/outbound", d.Status, d.Stage, d.Direction)
			}
			if d.Percent() != 10 {
				t.Errorf("stage Created is 10%%, got %d", d.Percent())
			}
			if !d.CreatedAt.Equal(t0) || !d.UpdatedAt.Equal(t0) {
				t.Errorf("CreatedAt/UpdatedAt = %v/%v, want %v", d.CreatedAt, d.UpdatedAt, t0)
			}
		})
	}
}

func TestMicrosoftDecisionWindowIs14Days(t *testing.T) {
	if MicrosoftDecisionWindow != 14*24*time.Hour {
		t.Errorf("Microsoft invite opens a 14-day decision window, got %v", MicrosoftDecisionWindow)
	}
	if ReferralWindow != 14*24*time.Hour {
		t.Errorf("a referral expires after 14 days, got %v", ReferralWindow)
	}
}
