package crm_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// A CRM user reopening a closed deal (HubSpot's dealstage from closedlost
// to an ordinary stage): the deal stays lost, the history says what HubSpot
// did, and HubSpot is sent the outcome back, whether the stage it was
// reopened at equals the deal's last stage (which read as "already says
// so", and nothing went back) or not (refused, and nothing went back).
func TestReopenedInACRMIsRefusedAndSentBack(t *testing.T) {
	for _, stage := range []string{"appointmentscheduled", "contractsent"} {
		t.Run(stage, func(t *testing.T) {
			storetest.Dialects(t, func(t *testing.T, st *store.Store) {
				w := newWorld(t, st, 1)
				w.chat(`deal lost %d reason="No budget"`)
				w.settle()
				if got := w.hs.Record(hsID)["dealstage"]; got != "closedlost" {
					t.Fatalf("HubSpot's dealstage %q after the loss, want closedlost", got)
				}
				w.clock.Set(w.clock.Now().Add(time.Minute))
				w.hs.Edit(hsID, "dealstage", stage)
				w.settle()
				d, _ := st.GetDeal(t.Context(), w.dealID)
				if d.Status != deal.Lost {
					t.Fatalf("deal %s, want lost kept", d.Status)
				}
				if got := w.hs.Record(hsID)["dealstage"]; got != "closedlost" {
					t.Errorf("HubSpot's dealstage %q, want closedlost sent back", got)
				}
				es, _ := st.History(t.Context(), w.dealID)
				found := false
				for _, e := range es {
					found = found || e.Actor == "hubspot" && e.Action == "refused" && strings.Contains(e.Detail, "HubSpot reopened it")
				}
				if !found {
					t.Errorf("no history line says HubSpot reopened the deal: %+v", es)
				}
				w.converged("after HubSpot reopened the deal")
			})
		})
	}
}

// A HubSpot value that lost a conflict (older than the stage marked in
// chat) and is set again later in HubSpot is applied: the second setting is
// a person's, not an echo of the first. (The stage a deal starts at has no
// time: any stage a system tells is newer than it.)
func TestValueSetAgainAfterLosingIsApplied(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.chat(`deal stage %d qualified`)
		back := w.clock.Now()
		w.clock.Set(back.Add(-time.Hour)) // HubSpot's event predates the chat's stage
		w.hs.Edit(hsID, "dealstage", "presentationscheduled")
		w.clock.Set(back)
		w.settle()
		d, _ := st.GetDeal(t.Context(), w.dealID)
		if d.Stage == deal.StageDeveloped {
			t.Fatalf("deal at %s: the older HubSpot stage should have lost", d.Stage)
		}
		// Later the HubSpot user sets Developed again.
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.hs.mu.Lock()
		w.hs.records[hsID]["dealstage"] = "" // the fake notifies only a change
		w.hs.mu.Unlock()
		w.hs.Edit(hsID, "dealstage", "presentationscheduled")
		w.settle()
		d, _ = st.GetDeal(t.Context(), w.dealID)
		if d.Stage != deal.StageDeveloped {
			t.Errorf("deal at %s, want Developed: HubSpot's user set it again, later", d.Stage)
		}
		w.converged("after HubSpot set the stage again")
	})
}

// A HubSpot user's edit told after cosellbot's newer write of the same
// field (one event per property, out of order) loses, and the history keeps
// it as a conflict instead of dropping it as stale.
func TestLateCRMEditIsKeptInTheHistory(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.hs.Edit(hsID, "description", "typed in HubSpot first")
		typed := w.hs.take() // HubSpot holds this event back
		w.clock.Set(w.clock.Now().Add(time.Second))
		w.chat(`deal edit %d notes="typed in chat later"`)
		w.settle() // cosellbot writes HubSpot, whose notification of it arrives first
		w.hs.mu.Lock()
		w.hs.owed = append(w.hs.owed, typed...)
		w.hs.mu.Unlock()
		w.settle()
		d, _ := st.GetDeal(t.Context(), w.dealID)
		if d.Notes != "typed in chat later" {
			t.Fatalf("notes %q, want chat's (newer)", d.Notes)
		}
		es, _ := st.History(t.Context(), w.dealID)
		last := es[len(es)-1]
		if last.Action != "conflict" || !strings.Contains(last.Detail, "typed in HubSpot first") {
			t.Errorf("last history line %+v, want the HubSpot edit kept as a conflict", last)
		}
		w.converged("after the late HubSpot edit")
	})
}

// Quick edits in chat, each written to HubSpot before HubSpot's
// notifications of the earlier ones arrive: those notifications are
// cosellbot's own writes, not conflicts, and nothing is sent again.
func TestBurstOfWritesMakesNoConflicts(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.settle()
		before, _ := st.History(t.Context(), w.dealID)
		// HubSpot notifies each write after cosellbot wrote the next one.
		var late []owed
		for _, n := range []string{"66000", "67000", "68000"} {
			w.clock.Set(w.clock.Now().Add(300 * time.Millisecond))
			w.chat(`deal edit %d value=` + n + ` notes="note ` + n + `"`)
			if _, err := w.syncer[0].Pass(t.Context()); err != nil {
				t.Fatal(err)
			}
			this := w.hs.take()
			if len(late) > 0 {
				w.hs.mu.Lock()
				w.hs.owed = append(w.hs.owed, late...)
				w.hs.mu.Unlock()
				w.deliverHubSpot()
				w.h.Process(t)
			}
			late = this
		}
		w.hs.mu.Lock()
		w.hs.owed = append(w.hs.owed, late...)
		wrote := w.hs.writes
		w.hs.mu.Unlock()
		w.settle()
		w.hs.mu.Lock()
		again := w.hs.writes - wrote
		w.hs.mu.Unlock()
		if again != 0 {
			t.Errorf("HubSpot was written %d more times after its notifications of cosellbot's own writes", again)
		}
		es, _ := st.History(t.Context(), w.dealID)
		for _, e := range es[len(before):] {
			if e.Action == "conflict" {
				t.Errorf("history: %s %s — %s: cosellbot's own writes are no conflict", e.Action, e.Detail, e.Actor)
			}
		}
		w.converged("after a burst of writes")
	})
}

// A received referral linked to a Salesforce record is not accepted by
// the record's first notification, which holds whatever stage the new
// opportunity has: only a stage that changed there answers the referral.
func TestWholeRecordsFirstStageDoesNotAccept(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		const id = "0065g00000QRS77"
		d := w.referral(id)
		w.sf.mu.Lock()
		w.sf.set(id, "Name", "Coho ERP")
		w.sf.set(id, "Amount", "20000")
		w.sf.set(id, "CloseDate", "2027-02-01")
		w.sf.set(id, "CurrencyIsoCode", "USD")
		w.sf.set(id, "StageName", "Prospecting")
		w.sf.owed = nil // the opportunity was made before the referral was linked
		w.sf.mu.Unlock()
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.sf.Edit(id, "Description", "Wine ERP, 3 sites") // an edit of the notes only
		w.settle()
		got, _ := st.GetDeal(t.Context(), d.ID)
		if got.Status != deal.Received {
			t.Fatalf("deal %s after an edit of the notes, want received: no stage moved in Salesforce", got.Status)
		}
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.sf.Edit(id, "StageName", "Needs Analysis")
		w.settle()
		got, _ = st.GetDeal(t.Context(), d.ID)
		if got.Status != deal.Accepted || got.Stage != deal.StageDeveloped {
			t.Errorf("deal %s at %s after the stage moved in Salesforce, want accepted at Developed", got.Status, got.Stage)
		}
	})
}

// Correcting a deal's CRM ID to another record of the same CRM: once that
// record is linked, the old one is unlinked (the history says so), and
// the old record's edits no longer land on the deal.
func TestNewCRMIDReplacesTheOldRecordOfThatCRM(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.settle()
		const newID = "9555"
		w.chat(`deal edit %d crm_id=` + newID)
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.hs.Edit(newID, "description", "from the right record")
		w.settle()
		links, err := st.LinksOf(t.Context(), w.dealID)
		if err != nil {
			t.Fatal(err)
		}
		var hs []string
		for _, l := range links {
			if l.System == "hubspot" {
				hs = append(hs, l.RecordID)
			}
		}
		if len(hs) != 1 || hs[0] != newID {
			t.Fatalf("HubSpot links %v, want only %s", hs, newID)
		}
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.hs.Edit(hsID, "description", "edited in the old record")
		w.settle()
		d, _ := st.GetDeal(t.Context(), w.dealID)
		if d.Notes != "from the right record" {
			t.Errorf("notes %q: the old record's edit landed on the deal", d.Notes)
		}
		if !w.historySays("unlinked", "HubSpot record "+hsID) {
			t.Error("no history line says the old HubSpot record was unlinked")
		}
	})
}

// A CRM ID another deal holds is refused, on creation and on edit, and
// changes nothing.
func TestCRMIDOfAnotherDealIsRefused(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		for _, line := range []string{
			`deal new kind=services name="Second" customer=Contoso customer_location=FR location=1234567 value=50000 close=2027-06-30 notes=x role="Deployment services" area=Security play="Data Security" team="Ann <ann@contoso.com> +33 1 00 00 00 01" crm_id=` + hsID,
		} {
			r := w.svc.Run(t.Context(), access.LocalAdmin, chat.Place{Platform: "shell"}, line)
			if r.OK() || !strings.Contains(r.Text, "another deal already has CRM ID "+hsID) {
				t.Errorf("%s:\n%s\nwant refused: another deal has the CRM ID", line, r.Text)
			}
		}
		w.chat(`deal new kind=services name="Third" customer=Contoso customer_location=FR location=1234567 value=50000 close=2027-06-30 notes=x role="Deployment services" area=Security play="Data Security" team="Ann <ann@contoso.com> +33 1 00 00 00 01" crm_id=7777`)
		third, err := st.DealByCRMID(t.Context(), "7777")
		if err != nil {
			t.Fatal(err)
		}
		r := w.svc.Run(t.Context(), access.LocalAdmin, chat.Place{Platform: "shell"}, fmt.Sprintf("deal edit %d crm_id=%s", third.ID, hsID))
		if r.OK() || !strings.Contains(r.Text, "another deal already has CRM ID") {
			t.Errorf("edit to a taken CRM ID:\n%s", r.Text)
		}
		if d, _ := st.GetDeal(t.Context(), third.ID); d.CRMID != "7777" {
			t.Errorf("the refused edit changed the CRM ID to %s", d.CRMID)
		}
		// One record in another spelling is the same record: a Dynamics GUID
		// in upper case or braces, a Salesforce id in 15 or 18 characters
		// (else a seller could take another team's opportunity over).
		for _, tc := range []struct{ held, typed string }{
			{"e18e7399-8c2e-f111-8a4c-6045bd0a1c09", "{E18E7399-8C2E-F111-8A4C-6045BD0A1C09}"},
			{"001A0000006Vm9rIAC", "001A0000006Vm9r"},
			{"001B0000006Vm9r", "001B0000006Vm9rIAC"},
		} {
			w.chat(fmt.Sprintf("deal edit %d crm_id=%s", third.ID, tc.held))
			r := w.svc.Run(t.Context(), access.LocalAdmin, chat.Place{Platform: "shell"}, fmt.Sprintf("deal edit %d crm_id=%s", w.dealID, tc.typed))
			if r.OK() || !strings.Contains(r.Text, "another deal already has CRM ID") {
				t.Errorf("%s while another deal holds %s:\n%s", tc.typed, tc.held, r.Text)
			}
		}
	})
}

// A HubSpot user closing a deal as lost with a reason: HubSpot sends the
// stage and the reason as two events of one time, in either order. The
// deal is lost with the user's reason, which is not overwritten in HubSpot
// with one cosellbot made up.
func TestLostReasonFromHubSpotInEitherOrder(t *testing.T) {
	for _, order := range [][]string{{"dealstage", "closed_lost_reason"}, {"closed_lost_reason", "dealstage"}} {
		t.Run(order[0]+" first", func(t *testing.T) {
			storetest.Dialects(t, func(t *testing.T, st *store.Store) {
				w := newWorld(t, st, 1)
				w.settle()
				w.clock.Set(w.clock.Now().Add(time.Minute))
				values := map[string]string{"dealstage": "closedlost", "closed_lost_reason": "Concurrent moins cher"}
				w.saveInHubSpot(hsID, order, values)
				w.settle()
				d, _ := st.GetDeal(t.Context(), w.dealID)
				if d.Status != deal.Lost || d.Reason != "Concurrent moins cher" {
					t.Errorf("deal %s, reason %q; want lost with HubSpot's reason", d.Status, d.Reason)
				}
				if got := w.hs.Record(hsID)["closed_lost_reason"]; got != "Concurrent moins cher" {
					t.Errorf("HubSpot's reason is now %q: overwritten", got)
				}
			})
		})
	}
}

// Salesforce closing a deal as lost with no reason: the deal needs one and
// records "lost in Salesforce", which is never written into Salesforce's
// reason field (often a restricted picklist), and its later messages, which
// repeat the empty field, change nothing.
func TestMadeUpReasonIsNotWrittenBack(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.settle()
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.sf.Edit(sfID, "StageName", "Closed Lost")
		w.settle()
		d, _ := st.GetDeal(t.Context(), w.dealID)
		if d.Status != deal.Lost || d.Reason != "lost in Salesforce" {
			t.Fatalf("deal %s %q", d.Status, d.Reason)
		}
		if got := w.sf.Record(sfID)["Loss_Reason__c"]; got != "" {
			t.Errorf("Salesforce's reason field was written %q", got)
		}
		before, _ := st.History(t.Context(), w.dealID)
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.sf.Edit(sfID, "NextStep", "call the customer") // a field cosellbot does not map: the message repeats the rest
		w.settle()
		if got := w.sf.Record(sfID)["Loss_Reason__c"]; got != "" {
			t.Errorf("Salesforce's reason field was written %q after a later save", got)
		}
		es, _ := st.History(t.Context(), w.dealID)
		for _, e := range es[len(before):] {
			if strings.Contains(e.Detail, "reason") {
				t.Errorf("history after a later save: %s %s", e.Action, e.Detail)
			}
		}
	})
}

// A HubSpot user closing a deal as won with its final amount and close
// date in one save: three events of one time, in any order. The deal is
// won at the new amount, and HubSpot is not sent the old values back.
func TestWonWithItsFinalFiguresInOneSave(t *testing.T) {
	for _, first := range []string{"dealstage", "amount"} {
		t.Run(first+" first", func(t *testing.T) {
			storetest.Dialects(t, func(t *testing.T, st *store.Store) {
				w := newWorld(t, st, 1)
				w.settle()
				w.clock.Set(w.clock.Now().Add(time.Minute))
				props := []string{"dealstage", "amount", "closedate"}
				if first == "amount" {
					props = []string{"amount", "closedate", "dealstage"}
				}
				values := map[string]string{"dealstage": "closedwon", "amount": "70000", "closedate": "2026-12-01"}
				w.saveInHubSpot(hsID, props, values)
				w.settle()
				d, _ := st.GetDeal(t.Context(), w.dealID)
				if d.Status != deal.Won || d.Value != deal.Money(7000000) || d.CloseDate.Format(time.DateOnly) != "2026-12-01" {
					t.Errorf("deal %s at %s closing %s; want won at 70,000 closing 2026-12-01", d.Status, d.Value, d.CloseDate.Format(time.DateOnly))
				}
				if got := w.hs.Record(hsID)["amount"]; got != "70000" && got != "70000.00" {
					t.Errorf("HubSpot's amount is %q: the user's was overwritten", got)
				}
			})
		})
	}
}

// A received referral moved on in HubSpot in one save with its name and
// figures: the stage event, told before them, is refused for want of
// them, and a figure told before the stage is refused too (a referral is
// not edited before it is accepted); the event that completes the save
// accepts the referral at that stage with those figures, whatever the
// order HubSpot sends them in.
func TestReferralMovedOnInOneSaveIsAccepted(t *testing.T) {
	for _, order := range [][]string{
		{"dealstage", "dealname", "amount", "closedate", "deal_currency_code"},
		{"dealname", "amount", "closedate", "deal_currency_code", "dealstage"},
		{"amount", "deal_currency_code", "dealstage", "closedate", "dealname"},
	} {
		t.Run(strings.Join(order, ","), func(t *testing.T) {
			storetest.Dialects(t, func(t *testing.T, st *store.Store) {
				w := newWorld(t, st, 1)
				const id = "18400300"
				d := w.referral(id)
				w.clock.Set(w.clock.Now().Add(time.Minute))
				values := map[string]string{"dealstage": "presentationscheduled", "dealname": "Pharma lab", "amount": "64000", "closedate": "2027-05-31", "deal_currency_code": "CHF"}
				w.saveInHubSpot(id, order, values)
				got, _ := st.GetDeal(t.Context(), d.ID)
				if got.Status != deal.Accepted || got.Stage != deal.StageDeveloped {
					t.Errorf("referral %s at %s, want accepted at Developed", got.Status, got.Stage)
				}
				if got.Name != "Pharma lab" || got.Value != 6400000 || got.Currency != "CHF" || got.CloseDate.Format(time.DateOnly) != "2027-05-31" {
					t.Errorf("accepted as %q, %s %s, close %s: want HubSpot's figures", got.Name, got.Value, got.Currency, got.CloseDate.Format(time.DateOnly))
				}
			})
		})
	}
}

// Linking a received referral to a record the sales team already works in
// HubSpot: cosellbot writes nothing empty nor zero over the record (the
// referral has no name, value or close date yet), whatever the first
// event is about.
func TestLinkingAReferralBlanksNothing(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		const id = "18400701"
		w.hs.mu.Lock()
		w.hs.set(id, "dealname", "Coho wine ERP")
		w.hs.set(id, "amount", "30000")
		w.hs.set(id, "closedate", "2027-06-01")
		w.hs.owed = nil // the record existed before
		w.hs.mu.Unlock()
		w.chat(`deal receive kind=ip customer="Coho Winery" customer_location=US location=1234567 from=microsoft notes="Wine ERP" crm_id=` + id)
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.hs.Edit(id, "hs_next_step", "call them") // a property cosellbot does not map
		w.settle()
		for p, want := range map[string]string{"dealname": "Coho wine ERP", "amount": "30000", "closedate": "2027-06-01"} {
			if got := w.hs.Record(id)[p]; got != want {
				t.Errorf("HubSpot's %s is %q after linking, want %q kept", p, got, want)
			}
		}
	})
}

// Partner Center expired a referral, and a moment later (before its
// notification arrived) someone accepted it in chat: Partner Center takes
// no answer to a closed referral, so its expiry stands, the acceptance is
// void and the history says so, and every system ends expired.
func TestPartnerCenterCloseBeforeTheAcceptanceStands(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := pcChatWorld(t, st)
		d := w.referralImported()
		w.clock.Set(w.clock.Now().Add(time.Hour))
		w.pc.Set(referralID, "status", "Closed")
		w.pc.Set(referralID, "substatus", "Expired")
		w.clock.Set(w.clock.Now().Add(200 * time.Millisecond))
		if r := w.svc.Run(t.Context(), access.LocalAdmin, chat.Place{Platform: "shell"}, fmt.Sprintf(`deal accept %d name="Late" value=30000 close=2027-03-01 notes="accepting at the last minute"`, d.ID)); !r.OK() {
			t.Fatalf("accept: %s", r.Text)
		}
		w.deliverPC() // Partner Center's notification of its expiry, before any sync
		w.h.Process(t)
		w.settle()
		got, _ := st.GetDeal(t.Context(), d.ID)
		if got.Status != deal.Expired {
			t.Fatalf("deal %s, want expired as in Partner Center", got.Status)
		}
		if ref := w.pc.Referral(referralID); ref["status"] != "Closed" || ref["substatus"] != "Expired" {
			t.Errorf("Partner Center now %v/%v", ref["status"], ref["substatus"])
		}
		if !w.historySays("expired", "before the acceptance reached it") {
			t.Errorf("history does not say the acceptance is void: %v", w.history())
		}
		// The void acceptance's name and figures stay on the deal, not in
		// Partner Center: said once.
		if !w.historySays("not synced", "closed there before it took name, value, close, notes") {
			t.Errorf("history does not say what Partner Center never took: %v", w.history())
		}
	})
}

// An event about a CRM field cosellbot does not map says so in the inbox,
// rather than "already says so" as if it had been applied.
func TestUnmappedPropertySaysSo(t *testing.T) {
	st := storetest.OpenSQLite(t)
	w := newWorld(t, st, 1)
	w.settle()
	w.clock.Set(w.clock.Now().Add(time.Minute))
	w.hs.Edit(hsID, "hs_next_step", "call them")
	w.settle()
	rows, err := st.ListInbox(t.Context(), store.InboxFilter{Sources: []string{"hubspot"}})
	if err != nil {
		t.Fatal(err)
	}
	last := rows[len(rows)-1]
	if !strings.Contains(last.Error, "hubspot maps none of hs_next_step") {
		t.Errorf("inbox: %s %s", last.Status, last.Error)
	}
}

// A CRM edit made before the deal was won in chat, told after it, is part
// of the deal: not refused as a change to a closed deal, and not reverted
// in the CRM.
func TestCRMEditMadeBeforeTheCloseIsKept(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.settle()
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.hs.Edit(hsID, "amount", "81000")
		held := w.hs.take() // HubSpot is slow to tell
		w.chat(`deal won %d`)
		w.hs.mu.Lock()
		w.hs.owed = append(w.hs.owed, held...)
		w.hs.mu.Unlock()
		w.settle()
		d, _ := st.GetDeal(t.Context(), w.dealID)
		if d.Status != deal.Won || d.Value != deal.Money(8100000) {
			t.Errorf("deal %s at %s, want won at 81,000 (HubSpot's, made before the win)", d.Status, d.Value)
		}
		if got := w.hs.Record(hsID)["amount"]; got != "81000" && got != "81000.00" {
			t.Errorf("HubSpot's amount is %q: reverted", got)
		}
	})
}

// saveInHubSpot is one save of a HubSpot record's properties: each set at
// one time, HubSpot's events of them delivered one each in the order of
// props (HubSpot keeps none), each applied before the next.
func (w *world) saveInHubSpot(id string, props []string, values map[string]string) {
	w.t.Helper()
	var events []owed
	for _, p := range props {
		w.hs.Edit(id, p, values[p])
		events = append(events, w.hs.take()...)
	}
	w.deliverEach(events)
}

// deliverEach delivers HubSpot's held events one delivery each, in this
// order, applying each before the next.
func (w *world) deliverEach(events []owed) {
	w.t.Helper()
	for _, e := range events {
		w.hs.mu.Lock()
		w.hs.owed = append(w.hs.owed, e)
		w.hs.mu.Unlock()
		w.deliverHubSpot()
		w.h.Process(w.t)
	}
}

// referral records a referral from Microsoft linked to CRM record id, as a
// person does in chat, and returns it.
func (w *world) referral(id string) *deal.Deal {
	w.t.Helper()
	w.chat(`deal receive kind=ip customer="Coho Winery" customer_location=US location=1234567 from=microsoft notes="Wine ERP" crm_id=` + id)
	d, err := w.st.DealByCRMID(w.t.Context(), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return d
}

// Right after a deal's CRM ID is corrected in chat, before the newly named
// record has said anything, a chat edit must not land on the old record:
// the correction itself unlinks it (the deal names another record now).
func TestCorrectedCRMIDStopsWritesToTheOldRecord(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, 1)
		w.settle()
		w.chat(`deal edit %d crm_id=9556`)
		w.settle()
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.chat(`deal edit %d notes="meant for the right record"`)
		w.settle()
		if got := w.hs.Record(hsID)["description"]; got == "meant for the right record" {
			t.Errorf("the old HubSpot record %s was written the edit made after the CRM ID was corrected", hsID)
		}
		links, err := st.LinksOf(t.Context(), w.dealID)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range links {
			if l.System == "hubspot" && l.RecordID == hsID {
				t.Errorf("deal still linked to HubSpot record %s after its CRM ID became 9556", hsID)
			}
		}
		if !w.historySays("unlinked", "HubSpot record "+hsID) {
			t.Error("no history line says the old HubSpot record was unlinked")
		}
		// The newly named record links when it speaks, and takes later edits.
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.hs.Edit("9556", "description", "from the right record")
		w.settle()
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.chat(`deal edit %d notes="second edit"`)
		w.settle()
		if got := w.hs.Record("9556")["description"]; got != "second edit" {
			t.Errorf("HubSpot record 9556 description %q, want the chat edit", got)
		}
	})
}

// historySays reports whether a line of the deal's history has action and
// a detail containing part.
func (w *world) historySays(action, part string) bool {
	w.t.Helper()
	es, err := w.st.History(w.t.Context(), w.dealID)
	if err != nil {
		w.t.Fatal(err)
	}
	return slices.ContainsFunc(es, func(e ledger.Entry) bool { return e.Action == action && strings.Contains(e.Detail, part) })
}

// A value edited in chat a second after a Partner Center user closed the
// referral (its notification not yet there) cannot reach Partner Center,
// which takes no change to a closed referral: the history and the deal's
// channels say so (a tester found the edit silently never sent, and `sync`
// saying there was no work left).
func TestEditAfterPartnerCenterCloseIsSaidNotSynced(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		w := pcChatWorld(t, st)
		d := w.referralImported()
		w.chat(`deal accept %d name="Tailspin rollout" value=95000 close=2027-03-01 notes="accepted"`)
		w.settle()
		w.clock.Set(w.clock.Now().Add(time.Hour))
		w.pc.Set(referralID, "status", "Closed")
		w.pc.Set(referralID, "substatus", "Lost")
		w.pc.Set(referralID, "statusReason", "Customer went elsewhere")
		w.chat("deal edit %d value=99000")
		w.settle()
		got, _ := st.GetDeal(t.Context(), d.ID)
		if got.Status != deal.Lost {
			t.Fatalf("deal %s, want lost as in Partner Center", got.Status)
		}
		if v := w.pcValue(); fmt.Sprint(v) != "95000" {
			t.Errorf("Partner Center value %v, want its own 95000", v)
		}
		if !w.historySays("not synced", "closed there before it took value") {
			t.Errorf("history says nothing of the value Partner Center never took: %v", w.history())
		}
		w.chat("deal show %d") // no work, no second line
		w.settle()
		n := 0
		for _, line := range w.history() {
			if strings.Contains(line, "not synced") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d not-synced lines, want 1: %v", n, w.history())
		}
	})
}
