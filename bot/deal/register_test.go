package deal

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// registrable is a won, partner-led IP co-sell deal that meets every
// registration criterion of DOMAIN.md "Deal registration", won 96 hours after
// it was created.
func registrable(t *testing.T) *Deal {
	t.Helper()
	dr := validIP()
	dr.Share = true
	d := mustNew(t, dr)
	if _, err := d.Win(t0.Add(96 * time.Hour)); err != nil {
		t.Fatalf("Win: %v", err)
	}
	return d
}

var criteriaNames = []string{"ip_cosell", "won", "eligible_solution", "sale_type", "microsoft_accepted", "value", "managed_account"}

func TestRegistrationCriteria(t *testing.T) {
	rates := DefaultRates()
	tests := []struct {
		name     string
		edit     func(*Deal)
		wantFail []string // criteria expected to fail; none means eligible
	}{
		{name: "registration: every criterion holds"},

		{name: "registration: ip kind: services co-sell is not registrable", edit: func(d *Deal) { d.Kind = ServicesCoSell }, wantFail: []string{"ip_cosell"}},
		{name: "registration: ip kind: solution assessment is not registrable", edit: func(d *Deal) { d.Kind = SolutionAssessment }, wantFail: []string{"ip_cosell"}},

		{name: "registration: won: a created deal is not registrable", edit: func(d *Deal) { d.Status = Created }, wantFail: []string{"won"}},
		{name: "registration: won: a lost deal is not registrable", edit: func(d *Deal) { d.Status = Lost }, wantFail: []string{"won"}},

		{name: "registration: eligible solution: Azure IP co-sell", edit: func(d *Deal) { d.Solutions = []Solution{{Name: "S", Source: Mine, IP: IPAzure}} }},
		{name: "registration: eligible solution: Biz Apps premium", edit: func(d *Deal) { d.Solutions = []Solution{{Name: "S", Source: Mine, IP: IPBizAppsPremium}} }},
		{name: "registration: eligible solution: Biz Apps standard", edit: func(d *Deal) { d.Solutions = []Solution{{Name: "S", Source: Mine, IP: IPBizAppsStd}} }},
		{name: "registration: eligible solution found among others", edit: func(d *Deal) {
			d.Solutions = []Solution{{Name: "Azure SQL", Source: Microsoft}, {Name: "S", Source: Mine, IP: IPBizAppsPremium}}
		}},
		{name: "registration: eligible solution: own solution without an IP kind fails", edit: func(d *Deal) { d.Solutions = []Solution{{Name: "S", Source: Mine}} }, wantFail: []string{"eligible_solution"}},
		{name: "registration: eligible solution: only Source mine counts (Microsoft's)", edit: func(d *Deal) { d.Solutions = []Solution{{Name: "S", Source: Microsoft, IP: IPAzure}} }, wantFail: []string{"eligible_solution"}},
		{name: "registration: eligible solution: only Source mine counts (third party)", edit: func(d *Deal) { d.Solutions = []Solution{{Name: "S", Source: ThirdParty, IP: IPAzure}} }, wantFail: []string{"eligible_solution"}},
		{name: "registration: eligible solution: none on the deal", edit: func(d *Deal) { d.Solutions = nil }, wantFail: []string{"eligible_solution"}},

		{name: "registration: sale type private fails", edit: func(d *Deal) { d.SaleType = Private }, wantFail: []string{"sale_type"}},
		{name: "registration: sale type co-sell with Microsoft accepted", edit: func(d *Deal) { d.SaleType, d.Microsoft = CoSell, MSAccepted }},
		{name: "registration: co-sell with Microsoft marking the deal won", edit: func(d *Deal) { d.SaleType, d.Microsoft = CoSell, MSWon }},
		{name: "registration: co-sell with Microsoft only invited fails", edit: func(d *Deal) { d.SaleType, d.Microsoft = CoSell, MSInvited }, wantFail: []string{"microsoft_accepted"}},
		{name: "registration: co-sell with Microsoft declined fails", edit: func(d *Deal) { d.SaleType, d.Microsoft = CoSell, MSDeclined }, wantFail: []string{"microsoft_accepted"}},
		{name: "registration: co-sell with Microsoft never invited fails", edit: func(d *Deal) { d.SaleType, d.Microsoft = CoSell, MSNone }, wantFail: []string{"microsoft_accepted"}},
		{name: "registration: partner-led needs no Microsoft answer", edit: func(d *Deal) { d.SaleType, d.Microsoft = PartnerLed, MSNone }},

		{name: "registration: value exactly 25,000 USD passes", edit: func(d *Deal) { d.Value, d.Currency = 2_500_000, "USD" }},
		{name: "registration: value 24,999.99 USD fails", edit: func(d *Deal) { d.Value, d.Currency = 2_499_999, "USD" }, wantFail: []string{"value"}},
		{name: "registration: value in EUR just above 25,000 USD passes (23,148.15 EUR)", edit: func(d *Deal) { d.Value, d.Currency = 2_314_815, "EUR" }},
		{name: "registration: value in EUR just below 25,000 USD fails (23,148.14 EUR)", edit: func(d *Deal) { d.Value, d.Currency = 2_314_814, "EUR" }, wantFail: []string{"value"}},
		{name: "registration: value in SEK converted (300,000 SEK)", edit: func(d *Deal) { d.Value, d.Currency = 30_000_000, "SEK" }},
		{name: "registration: value in SEK under the minimum (200,000 SEK)", edit: func(d *Deal) { d.Value, d.Currency = 20_000_000, "SEK" }, wantFail: []string{"value"}},
		{name: "registration: value in an unknown currency fails", edit: func(d *Deal) { d.Value, d.Currency = 10_000_000_000, "KRW" }, wantFail: []string{"value"}},

		{name: "registration: managed account passes", edit: func(d *Deal) { d.Customer.Account = Managed }},
		{name: "registration: unmanaged account fails", edit: func(d *Deal) { d.Customer.Account = Unmanaged }, wantFail: []string{"managed_account"}},
		{name: "registration: other (DUNS) account fails until matched", edit: func(d *Deal) { d.Customer.Account = Other }, wantFail: []string{"managed_account"}},

		{name: "registration: several failures reported together", edit: func(d *Deal) {
			d.Kind, d.Status, d.SaleType, d.Customer.Account, d.Solutions = ServicesCoSell, Accepted, Private, Unmanaged, nil
			d.Value = 100
		}, wantFail: []string{"ip_cosell", "won", "eligible_solution", "sale_type", "value", "managed_account"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := registrable(t)
			if tc.edit != nil {
				tc.edit(d)
			}
			e := d.Registration(rates)
			var names, failed []string
			for _, c := range e.Criteria {
				names = append(names, c.Name)
				if !c.OK {
					failed = append(failed, c.Name)
				}
				if c.Why == "" {
					t.Errorf("criterion %s has no explanation", c.Name)
				}
			}
			if !slices.Equal(names, criteriaNames) {
				t.Errorf("criteria = %v, want all of %v", names, criteriaNames)
			}
			want := slices.Clone(tc.wantFail)
			slices.Sort(want)
			slices.Sort(failed)
			if !slices.Equal(failed, want) {
				t.Errorf("failed criteria = %v, want %v", failed, want)
			}
			if e.Eligible != (len(tc.wantFail) == 0) {
				t.Errorf("Eligible = %v with failed criteria %v: eligible only when all pass", e.Eligible, failed)
			}
		})
	}
}

func TestRegistrationWarnings(t *testing.T) {
	rates := DefaultRates()
	has := func(ws []string, sub string) bool {
		return slices.ContainsFunc(ws, func(w string) bool { return strings.Contains(w, sub) })
	}
	tests := []struct {
		name    string
		deal    func(*testing.T) *Deal
		want72h bool
		wantP2P bool
	}{
		{name: "72h warning: won 96 hours after creation, none", deal: registrable},
		{name: "72h warning: won 71 hours after creation, present", deal: func(t *testing.T) *Deal {
			d := mustNew(t, validIP())
			if _, err := d.Win(t0.Add(71 * time.Hour)); err != nil {
				t.Fatal(err)
			}
			return d
		}, want72h: true},
		{name: "72h warning: won exactly 72 hours after creation, none", deal: func(t *testing.T) *Deal {
			d := mustNew(t, validIP())
			if _, err := d.Win(t0.Add(72 * time.Hour)); err != nil {
				t.Fatal(err)
			}
			return d
		}},
		{name: "72h warning: won the same minute, present", deal: func(t *testing.T) *Deal {
			d := mustNew(t, validIP())
			if _, err := d.Win(t0); err != nil {
				t.Fatal(err)
			}
			return d
		}, want72h: true},
		{name: "72h warning: not won, none", deal: func(t *testing.T) *Deal { return mustNew(t, validIP()) }},
		{name: "P2P warning: partner-to-partner deal", deal: func(t *testing.T) *Deal {
			d := mustNew(t, validP2P())
			if _, err := d.Win(t0.Add(100 * time.Hour)); err != nil {
				t.Fatal(err)
			}
			return d
		}, wantP2P: true},
		{name: "P2P warning: IP deal with an invited partner", deal: func(t *testing.T) *Deal {
			d := mustNew(t, validIP())
			if _, err := d.InvitePartner(validInvitation(), t0); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Win(t0.Add(100 * time.Hour)); err != nil {
				t.Fatal(err)
			}
			return d
		}, wantP2P: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.deal(t).Registration(rates)
			if got := has(e.Warnings, "72 hours"); got != tc.want72h {
				t.Errorf("72h warning present = %v, want %v (warnings %q)", got, tc.want72h, e.Warnings)
			}
			if got := has(e.Warnings, "partner-to-partner"); got != tc.wantP2P {
				t.Errorf("P2P warning present = %v, want %v (warnings %q)", got, tc.wantP2P, e.Warnings)
			}
			if len(e.Warnings) != btoi(tc.want72h)+btoi(tc.wantP2P) {
				t.Errorf("unexpected warnings %q", e.Warnings)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestParseRates(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		wantErr bool
	}{
		{name: "ParseRates: valid table", json: `{"month":"2026-11","usd_per_unit":{"USD":1,"EUR":1.08}}`},
		{name: "ParseRates: invalid JSON", json: `{"month":`, wantErr: true},
		{name: "ParseRates: not an object", json: `[]`, wantErr: true},
		{name: "ParseRates: month is required", json: `{"usd_per_unit":{"USD":1}}`, wantErr: true},
		{name: "ParseRates: lower-case currency refused", json: `{"month":"2026-11","usd_per_unit":{"usd":1}}`, wantErr: true},
		{name: "ParseRates: unknown currency refused", json: `{"month":"2026-11","usd_per_unit":{"EURO":1.08}}`, wantErr: true},
		{name: "ParseRates: zero rate refused", json: `{"month":"2026-11","usd_per_unit":{"EUR":0}}`, wantErr: true},
		{name: "ParseRates: negative rate refused", json: `{"month":"2026-11","usd_per_unit":{"EUR":-1.08}}`, wantErr: true},
		{name: "ParseRates: rate must be a number", json: `{"month":"2026-11","usd_per_unit":{"EUR":"1.08"}}`, wantErr: true},
		{name: "ParseRates: dated table of several months", json: `{"months":[{"month":"2026-11","usd_per_unit":{"USD":1}},{"month":"2026-10","usd_per_unit":{"USD":1,"EUR":1.1}}]}`},
		{name: "ParseRates: a month twice refused", json: `{"months":[{"month":"2026-11","usd_per_unit":{"USD":1}},{"month":"2026-11","usd_per_unit":{"USD":1}}]}`, wantErr: true},
		{name: "ParseRates: empty table refused", json: `{"months":[]}`, wantErr: true},
		{name: "ParseRates: a bad month in a table refused", json: `{"months":[{"month":"2026-11","usd_per_unit":{"USD":1,"EUR":-1}}]}`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRates([]byte(tc.json))
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseRates error = %v, want error %v", err, tc.wantErr)
			}
			if err == nil && r.Latest().Month != "2026-11" {
				t.Errorf("Month = %q", r.Latest().Month)
			}
		})
	}
}

func TestDefaultRates(t *testing.T) {
	table := DefaultRates()
	if len(table.Months) < 2 {
		t.Errorf("DefaultRates ships %d months, want a dated table of several", len(table.Months))
	}
	r := table.Latest()
	if r.Month == "" {
		t.Errorf("DefaultRates loads: month missing")
	}
	for _, cur := range []string{"USD", "EUR", "GBP", "SEK"} {
		if _, ok := r.USDPerUnit[cur]; !ok {
			t.Errorf("DefaultRates lacks %s", cur)
		}
	}
	if r.USDPerUnit["USD"] != 1 {
		t.Errorf("USD rate = %v, want 1", r.USDPerUnit["USD"])
	}
	usd, ok := r.USD(2_500_000, "usd")
	if !ok || usd != 25000 {
		t.Errorf("USD(25,000, usd) = %v, %v; want 25000, true (currency looked up case-insensitively)", usd, ok)
	}
	if _, ok := r.USD(100, "KRW"); ok {
		t.Errorf("USD(KRW) ok = true for a currency the table lacks")
	}
}

// A referral Microsoft sent has Microsoft engaged from the start, so its later
// answers (won) can be recorded and registration's microsoft_accepted
// criterion can pass. DOMAIN.md "Deal registration"; seed 004: inbound co-sell
// opportunities come from Microsoft sellers who invite the partner.
func TestMicrosoftReferralCanRecordMicrosoftAnswer(t *testing.T) {
	dr := referral()
	dr.Kind, dr.Solutions = IPCoSell, []Solution{azureSolution()}
	d := mustReceive(t, dr)
	if _, err := d.Accept(acceptChanges(), t0); err != nil {
		t.Fatalf("Accept: %v", err)
	}
	_, err := d.Edit(Changes{Microsoft: ptr(MSWon)}, t0.Add(time.Hour))
	expectRules(t, err)
}

// The converted value is rounded to the cent: 27,000 CHF at 1.13 is 30,510
// USD, not the 30,509.99 a float product truncates to.
func TestRegistrationValueRounds(t *testing.T) {
	rates, err := ParseRates([]byte(`{"months":[{"month":"2020-01","usd_per_unit":{"USD":1,"CHF":1.13}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	d := registrable(t)
	d.Value, d.Currency = 27_000_00, "CHF"
	for _, c := range d.Registration(rates).Criteria {
		if c.Name == "value" && !strings.Contains(c.Why, "about 30,510 USD") {
			t.Errorf("value criterion: %q", c.Why)
		}
	}
}

// A private deal's way to qualify is an upgrade while it is open; once won
// the criterion says it can no longer be (it pointed to deal upgrade,
// which a won deal refuses).
func TestRegistrationSaleTypeWay(t *testing.T) {
	d := registrable(t)
	d.SaleType = Private
	why := func() string {
		for _, c := range d.Registration(DefaultRates()).Criteria {
			if c.Name == "sale_type" {
				return c.Why
			}
		}
		return ""
	}
	if got := why(); !strings.Contains(got, "can no longer be upgraded") || strings.Contains(got, "deal upgrade") {
		t.Errorf("won private deal: %q", got)
	}
	d.Status = Accepted
	if got := why(); !strings.Contains(got, "deal upgrade") {
		t.Errorf("open private deal: %q", got)
	}
}
