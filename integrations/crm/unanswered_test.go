package crm_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// A second Partner Center referral, received and not answered yet, linked
// to a record of a CRM: the CRM's user changes its value. Partner Center
// lets a partner change a referral only once accepted, and chat's edit
// refuses it; so does the CRM's: the referral keeps its value here and in
// Partner Center, the history and the inbox say why, and the CRM record is
// sent the referral's value back. Once the referral is accepted, the CRM's
// edits apply.
func TestCRMEditOfAnUnansweredReferralIsRefused(t *testing.T) {
	const otherID = "0a1b2c3d-4e5f-4a60-8b71-92a3b4c5d6e7"
	tests := []struct {
		system string
		record string
		edit   func(w *world, id string) // the CRM user's change of the value to 64,000
		amount string                    // the record's value field (mapping's name)
		want   string                    // the value the record is sent back
	}{
		{"hubspot", "18400777", func(w *world, id string) { w.hs.Edit(id, "amount", "64000") }, "amount", "75000.00"},
		{"salesforce", "0065g00000QRS88", func(w *world, id string) { w.sf.Edit(id, "Amount", "64000.0") }, "Amount", "75000.00"},
	}
	for _, tt := range tests {
		t.Run(tt.system, func(t *testing.T) {
			storetest.Dialects(t, func(t *testing.T, st *store.Store) {
				w := newWorld(t, st, 1)
				fixture, err := os.ReadFile("../partnercenter/testdata/referral_new.json")
				if err != nil {
					t.Fatal(err)
				}
				w.pc.Put(strings.ReplaceAll(string(fixture), referralID, otherID))
				w.settle()
				d, err := st.DealByExternalID(t.Context(), otherID)
				if err != nil {
					t.Fatal(err)
				}
				w.dealID = d.ID
				if err := st.Commit(t.Context(), &change.Commit{Links: []change.Link{{System: tt.system, RecordID: tt.record, DealID: d.ID}}, At: w.clock.Now()}); err != nil {
					t.Fatal(err)
				}
				record := func() map[string]string {
					if tt.system == "hubspot" {
						return w.hs.Record(tt.record)
					}
					return w.sf.Record(tt.record)
				}
				w.clock.Set(w.clock.Now().Add(time.Minute))
				tt.edit(w, tt.record)
				w.settle()

				got := dealOf(t, st, d.ID)
				if got.Status != deal.Received || got.Value != 7500000 {
					t.Errorf("referral %s at %s after the %s edit, want received at 75,000 EUR", got.Status, got.Value, tt.system)
				}
				if v := w.pc.Referral(otherID)["details"].(map[string]any)["dealValue"]; v != 75000.0 {
					t.Errorf("Partner Center's referral value %v, want 75000 untouched", v)
				}
				if v := record()[tt.amount]; v != tt.want {
					t.Errorf("%s's %s is %q, want the referral's %s sent back", tt.system, tt.amount, v, tt.want)
				}
				if !w.historySays("refused", "value") || !w.historySays("refused", "cannot edit deal") || !w.historySays("refused", "while it is received (only when created or accepted): accept the referral first") {
					t.Errorf("the history does not say the edit was refused and why: %v", w.history())
				}
				refused := false
				for _, row := range w.h.Inbox(t) {
					if row.Source == tt.system && row.Status == ledger.InboxIgnored && strings.Contains(row.Error, "refused by the deal rules") && strings.Contains(row.Error, "while it is received") {
						refused = true
					}
				}
				if !refused {
					t.Errorf("no %s inbox row says the edit was refused", tt.system)
				}

				// Accepted, the referral takes the CRM's edits.
				w.chat(`deal accept %d close=2027-03-01`)
				w.settle()
				w.clock.Set(w.clock.Now().Add(time.Minute))
				tt.edit(w, tt.record)
				w.settle()
				if got := dealOf(t, st, d.ID); got.Status != deal.Accepted || got.Value != 6400000 {
					t.Errorf("accepted deal %s at %s after the %s edit, want accepted at 64,000 EUR", got.Status, got.Value, tt.system)
				}
				if v := w.pc.Referral(otherID)["details"].(map[string]any)["dealValue"]; v != 64000.0 {
					t.Errorf("Partner Center's value %v after the edit of the accepted deal, want 64000", v)
				}
			})
		})
	}
}

// history is the world's deal's history, one line each, for messages.
func (w *world) history() []string {
	w.t.Helper()
	es, err := w.st.History(w.t.Context(), w.dealID)
	if err != nil {
		w.t.Fatal(err)
	}
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Actor + " " + e.Action + ": " + e.Detail
	}
	return out
}

// A record linked by the deal's CRM ID from a system that tells one field
// per event (HubSpot) has told nothing of its other fields: the deal's are
// written over them. A tester's long HubSpot description was replaced by
// the deal's notes without a word; the history says which fields.
func TestLinkByCRMIDSaysWhatItSets(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.settle()
		if !w.historySays("linked", "linked to HubSpot record "+hsID+" by the deal's CRM ID: ") || !w.historySays("linked", "notes") {
			t.Errorf("history: %v", w.history())
		}
		if w.historySays("linked", "linked to Salesforce record") {
			t.Errorf("a whole Salesforce record told every field: %v", w.history())
		}
	})
}
