package crm_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// referralWith is testdata/referral_new.json with edit applied to its
// decoded JSON.
func referralWith(t *testing.T, edit func(map[string]any)) string {
	t.Helper()
	raw, err := os.ReadFile("../partnercenter/testdata/referral_new.json")
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	edit(r)
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// An inbound referral whose customer agreed to be contacted, with no
// contact the rules can take (a tester's: one without a phone; or none),
// is recorded without one. It was refused ("consent=yes … and there is
// none"), marked ignored where the default inbox listing does not show,
// and expired in Partner Center unseen.
func TestInboundReferralWithoutUsableContactIsRecorded(t *testing.T) {
	for _, tt := range []struct {
		name string
		team []any
	}{
		{"contact without a phone", []any{map[string]any{"firstName": "Greta", "lastName": "Kunde", "email": "greta.kunde@tailspin.example", "phoneNumber": ""}}},
		{"no contact", []any{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Dialects(t, func(t *testing.T, st *store.Store) {
				w := pcChatWorld(t, st)
				w.pc.Put(referralWith(t, func(r map[string]any) {
					r["customerProfile"].(map[string]any)["team"] = tt.team
				}))
				w.deliverPC()
				if rep := w.h.Process(t); rep.Processed != 1 {
					t.Fatalf("report %+v, want the referral applied", rep)
				}
				d, err := st.DealByExternalID(t.Context(), referralID)
				if err != nil {
					t.Fatalf("the referral made no deal: %v", err)
				}
				if d.Status != deal.Received || d.Customer.Contact != nil || d.Customer.Consent {
					t.Errorf("deal %s, contact %v, consent %v: want received, with neither", d.Status, d.Customer.Contact, d.Customer.Consent)
				}
			})
		})
	}
}

// A Partner Center referral the deal rules refuse all the same fails, so
// that `cosellbot inbox` lists it and replay takes it once fixed: no later
// event completes a Partner Center record, as one does a CRM's.
func TestRefusedPartnerCenterReferralFails(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := pcChatWorld(t, st)
		w.pc.Put(referralWith(t, func(r map[string]any) {
			r["customerProfile"].(map[string]any)["address"].(map[string]any)["country"] = "Narnia"
		}))
		w.deliverPC()
		rep := w.h.Process(t)
		if rep.Failed != 1 || !strings.Contains(rep.Failures[0].Error, "makes no deal") {
			t.Fatalf("report %+v, want the referral failed", rep)
		}
		rows, err := st.ListInbox(t.Context(), store.InboxFilter{Statuses: []store.InboxStatus{store.InboxFailed}})
		if err != nil || len(rows) != 1 {
			t.Fatalf("failed rows %d (%v), want 1", len(rows), err)
		}
	})
}

// A deal made before cosellbot wrote to Partner Center (run first, Partner
// Center connected later) gets its referral from its next change, said in
// its history: a tester's stayed out of Partner Center for good while new
// deals went there.
func TestDealMadeBeforePartnerCenterIsCreatedThereOnItsNextChange(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := pcChatWorld(t, st)
		d, ev, err := deal.New(deal.Draft{
			Kind: deal.ServicesCoSell, Name: "Before PC", Customer: deal.Customer{Name: "Old AB", Location: "SE", Account: deal.Managed},
			Location: "1234567", Value: 40_000_00, Currency: "EUR", CloseDate: time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC), Notes: "made first",
			Team: []deal.Person{{Name: "Ana Diaz", Email: "ana@contoso.example", Phone: "+46 70 123 45 67"}},
			Role: "transaction", SolutionArea: "Security", SolutionPlay: "Cloud security",
		}, w.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateDeal(t.Context(), d, ledger.Entry{At: w.clock.Now(), Actor: "ana@contoso.example", Action: ev.Action, Detail: ev.Detail}); err != nil {
			t.Fatal(err)
		}
		w.dealID = d.ID
		w.settle()
		if n := w.pc.Created(); n != 0 {
			t.Fatalf("%d referrals created before any change", n)
		}
		w.chat("deal edit %d notes=\"after Partner Center\"")
		w.settle()
		if n := w.pc.Created(); n != 1 {
			t.Errorf("%d referrals created after the change, want 1", n)
		}
		if !w.historySays("linked", "to be created in Partner Center") {
			t.Errorf("history: %v", w.history())
		}
	})
}
