package store_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/store"
)

// t0 is the tests' "now": the store never reads the clock, neither do they.
var t0 = time.Date(2026, 3, 2, 9, 30, 15, 123456000, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func at(actor, action, detail string) store.Audit {
	return store.Audit{At: t0, Actor: actor, Action: action, Detail: detail}
}

// fullDeal sets every field of deal.Deal and of the types nested in it to a
// non-zero value (TestFullDealSetsEverything checks), so that a round trip
// proves nothing is lost.
func fullDeal() *deal.Deal {
	alice := deal.Person{Name: "Alice Martin", Email: "alice@partner.example", Phone: "+33 1 23 45 67 89"}
	bob := deal.Person{Name: "Bob Nilsson", Email: "bob@partner.example", Phone: "+46 8 123 456 78"}
	sol := deal.Solution{Name: "Contoso Insights", Source: deal.Mine, IP: deal.IPAzure, MACC: true, Incentivized: true}
	third := deal.Solution{Name: "Fabrikam Backup", Source: deal.ThirdParty, IP: deal.IPBizAppsStd, MACC: true, Incentivized: true}
	return &deal.Deal{
		Name:      "Northwind data platform",
		Direction: deal.Outbound,
		Kind:      deal.IPCoSell,
		SaleType:  deal.CoSell,
		Status:    deal.Accepted,
		Stage:     deal.StageDeveloped,
		Marked:    []deal.Stage{deal.StageQualified, deal.StageDeveloped},
		Value:     deal.Money(2_500_000_50),
		Currency:  "EUR",
		CloseDate: day(2026, 9, 30),
		Location:  "loc-fr-01",
		Customer: deal.Customer{
			Name: "Northwind Traders", Location: "FR", Account: deal.Managed, MACC: true,
			Contact: &deal.Person{Name: "Chloé Durand", Email: "chloe@northwind.example", Phone: "+33 6 12 34 56 78"},
			Consent: true,
		},
		Team:               []deal.Person{alice, bob},
		Solutions:          []deal.Solution{sol, third},
		CRMID:              "crm-4711",
		CampaignID:         "camp-2026-q1",
		Notes:              "Customer wants a lakehouse; \"quotes\" and ünïcode survive",
		Role:               "solution-design",
		Program:            "Azure Accelerate",
		SolutionArea:       "Data & AI",
		SolutionPlay:       "Innovate with Azure AI",
		Intent:             deal.IntentYes,
		AssessmentLocation: "SE",
		Help:               deal.HelpTechnical,
		Microsoft:          deal.MSAccepted,
		InvitedAt:          t0.Add(-48 * time.Hour),
		DecisionDue:        t0.Add(12 * 24 * time.Hour),
		Partners: []deal.Invitation{{
			Partner: "Fabrikam", Value: deal.Money(50_000_00), Currency: "EUR", CloseDate: day(2026, 8, 31),
			Notes: "backup part", Help: deal.HelpArchitecture, Team: []deal.Person{bob},
			Solutions: []deal.Solution{third}, InvitedAt: t0.Add(-24 * time.Hour),
		}},
		Favorite:     true,
		From:         "partner:Litware",
		ExternalID:   "pc-ref-0001",
		ReceivedAt:   t0.Add(-72 * time.Hour),
		ExpiresAt:    t0.Add(11 * 24 * time.Hour),
		Reason:       "none yet",
		DeclineNotes: "we are full this quarter",
		CreatedAt:    t0.Add(-72 * time.Hour),
		UpdatedAt:    t0,
		WonAt:        t0.Add(time.Second),
		Changed:      map[string]time.Time{"value": t0.Add(2 * time.Second)},
	}
}

// received is a minimal inbound referral: most fields empty.
func received(name, location string) *deal.Deal {
	return &deal.Deal{
		Name: name, Direction: deal.Inbound, Kind: deal.ServicesCoSell, SaleType: deal.CoSell,
		Status: deal.Received, Stage: "", Currency: "USD", Location: location,
		Customer: deal.Customer{Name: "Contoso", Location: "SE", Account: deal.Other},
		Help:     deal.HelpNone, From: "microsoft",
		ReceivedAt: t0, ExpiresAt: t0.Add(deal.ReferralWindow), CreatedAt: t0, UpdatedAt: t0,
	}
}

// outbound is a created outbound deal that can move through the stages.
func outbound(name, location string) *deal.Deal {
	return &deal.Deal{
		Name: name, Direction: deal.Outbound, Kind: deal.ServicesCoSell, SaleType: deal.Private,
		Status: deal.Created, Stage: deal.StageCreated, Value: 10_000_00, Currency: "USD",
		CloseDate: day(2026, 12, 31), Location: location, Notes: "needs a migration",
		Customer:     deal.Customer{Name: "Adventure Works", Location: "US", Account: deal.Unmanaged},
		Team:         []deal.Person{{Name: "Dana", Email: "dana@partner.example", Phone: "+1 425 555 0100"}},
		Role:         "deployment-services",
		SolutionArea: "Infra", SolutionPlay: "Migrate", Help: deal.HelpNone,
		CreatedAt: t0, UpdatedAt: t0,
	}
}

// zeroFields lists the fields of v (a struct), recursively through structs,
// pointers and the first element of slices, that hold their zero value.
func zeroFields(prefix string, v reflect.Value) []string {
	var out []string
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return []string{prefix}
		}
		return zeroFields(prefix, v.Elem())
	case reflect.Slice:
		if v.Len() == 0 {
			return []string{prefix}
		}
		return zeroFields(prefix+"[0]", v.Index(0))
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			if v.Interface().(time.Time).IsZero() {
				return []string{prefix}
			}
			return nil
		}
		for i := range v.NumField() {
			out = append(out, zeroFields(prefix+"."+v.Type().Field(i).Name, v.Field(i))...)
		}
		return out
	default:
		if v.IsZero() {
			return []string{prefix}
		}
	}
	return out
}

// diffDeals names the top-level fields that differ.
func diffDeals(want, got *deal.Deal) string {
	var out string
	w, g := reflect.ValueOf(want).Elem(), reflect.ValueOf(got).Elem()
	for i := range w.NumField() {
		if !reflect.DeepEqual(w.Field(i).Interface(), g.Field(i).Interface()) {
			out += fmt.Sprintf("\n  %s: want %#v\n  %s   got %#v", w.Type().Field(i).Name, w.Field(i).Interface(), w.Type().Field(i).Name, g.Field(i).Interface())
		}
	}
	return out
}

func assertDeal(t *testing.T, want, got *deal.Deal) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Errorf("deal differs:%s", diffDeals(want, got))
	}
}

func TestFullDealSetsEverything(t *testing.T) {
	d := fullDeal()
	d.ID, d.Version = 1, 1 // set by the store
	if zero := zeroFields("Deal", reflect.ValueOf(d)); len(zero) > 0 {
		t.Fatalf("fullDeal leaves fields zero, so the round trip would not test them: %v", zero)
	}
}
