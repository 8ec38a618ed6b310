package crm_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/deal"
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
