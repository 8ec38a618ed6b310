package command_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/cpor"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// incentivesAdmin adds an incentives admin to e and returns them.
func incentivesAdmin(t *testing.T, e *env) access.User {
	t.Helper()
	e.run("user add inc@x.example role=incentives-admin")
	who, err := e.svc.Resolve(context.Background(), "inc@x.example")
	if err != nil {
		t.Fatal(err)
	}
	return who
}

// cpor confirm notified= is judged in the customer's calendar days: at
// 07:35 UTC on 29 November, a claim made then and confirmed notified=today
// (or the date) is taken for a customer east of UTC (FR, SE) as for one
// west of it (US), though midnight in Paris or Stockholm is still the 28th
// in UTC. The day before the claim is refused, naming the customer's dates,
// and so is the customer's tomorrow; near midnight the customer's day
// decides, not the UTC one.
func TestCPORConfirmNotifiedInCustomerDays(t *testing.T) {
	repro := time.Date(2026, 11, 29, 7, 35, 0, 0, time.UTC)
	tests := []struct {
		name, country string
		claimAt, at   time.Time // when the claim is made, and confirmed
		notified      string
		day           string // the notification day recorded, in the customer's zone
		rule, says    string // when refused
	}{
		{"FR today", "FR", repro, repro, "today", "2026-11-29", "", ""},
		{"FR the claim's date", "FR", repro, repro, "2026-11-29", "2026-11-29", "", ""},
		{"FR the day before", "FR", repro, repro, "2026-11-28", "", "notified_after_claim", "notified on 2026-11-28, before the claim was made on 2026-11-29 (Europe/Paris time)"},
		{"FR tomorrow", "FR", repro, repro, "tomorrow", "", "notified_not_future", "2026-11-30 is in the future"},
		{"SE today", "SE", repro, repro, "today", "2026-11-29", "", ""},
		{"SE the claim's date", "SE", repro, repro, "2026-11-29", "2026-11-29", "", ""},
		{"SE the day before", "SE", repro, repro, "2026-11-28", "", "notified_after_claim", "before the claim was made on 2026-11-29"},
		{"US today", "US", repro, repro, "today", "2026-11-29", "", ""},
		{"US the claim's date", "US", repro, repro, "2026-11-29", "2026-11-29", "", ""},
		{"US the day before", "US", repro, repro, "2026-11-28", "", "notified_after_claim", "before the claim was made on 2026-11-29"},
		{"US no notified=: now", "US", repro, repro, "", "2026-11-29", "", ""},
		{"FR no notified=: now", "FR", repro, repro, "", "2026-11-29", "", ""},

		// Near midnight: 00:20 in Paris is still the 29th in UTC; 22:00 in
		// New York is already the 30th in UTC.
		{"FR claimed 23:30 Paris, today after midnight Paris", "FR", time.Date(2026, 11, 29, 22, 30, 0, 0, time.UTC), time.Date(2026, 11, 29, 23, 20, 0, 0, time.UTC), "today", "2026-11-30", "", ""},
		{"FR claimed 23:30 Paris, notified that day", "FR", time.Date(2026, 11, 29, 22, 30, 0, 0, time.UTC), time.Date(2026, 11, 29, 23, 20, 0, 0, time.UTC), "2026-11-29", "2026-11-29", "", ""},
		{"FR claimed 00:30 Paris (the 28th in UTC), the 28th refused", "FR", time.Date(2026, 11, 28, 23, 30, 0, 0, time.UTC), repro, "2026-11-28", "", "notified_after_claim", "before the claim was made on 2026-11-29"},
		{"US claimed 22:00 New York, today", "US", time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 3, 30, 0, 0, time.UTC), "today", "2026-11-29", "", ""},
		{"US claimed 22:00 New York, the 30th is tomorrow there", "US", time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 3, 30, 0, 0, time.UTC), "2026-11-30", "", "notified_not_future", "2026-11-30 is in the future"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newAlertEnv(t, storetest.Open(t))
			inc := incentivesAdmin(t, e)
			e.clk.t = tt.claimAt
			if r := e.at(slackHere, inc, "cpor claim customer=3fa85f64-5717-4562-b3fc-2c963f66afa8 country="+tt.country+" engagement=modern-work workload=Teams"); !r.OK() {
				t.Fatalf("claim refused: %s", r.Text)
			}
			e.clk.t = tt.at
			line := "cpor confirm 1"
			if tt.notified != "" {
				line += " notified=" + tt.notified
			}
			r := e.at(slackHere, inc, line)
			cl, err := e.st.GetClaim(t.Context(), 1)
			if err != nil {
				t.Fatal(err)
			}
			if tt.rule != "" {
				if r.OK() || r.Err.Rule != tt.rule || !strings.Contains(r.Text, tt.says) {
					t.Fatalf("%s → %q; want refused (%s) saying %q", line, r.Text, tt.rule, tt.says)
				}
				if cl.Status != cpor.Submitted || !cl.NotifiedAt.IsZero() {
					t.Errorf("a refused confirm changed the claim: %+v", cl)
				}
				return
			}
			if !r.OK() {
				t.Fatalf("%s → refused: %s", line, r.Text)
			}
			if got := cl.NotifiedAt.In(cpor.Zone(tt.country)).Format(time.DateOnly); cl.Status != cpor.Notified || got != tt.day {
				t.Errorf("%s recorded %s, notified %s (%s); want notified on %s", line, cl.Status, got, cl.NotifiedAt, tt.day)
			}
			if !strings.Contains(r.Text, "notified the customer on "+tt.day) {
				t.Errorf("reply %q does not name %s", r.Text, tt.day)
			}
			// The last day to decline is one date everywhere: the text, the
			// JSON and the export (a date in the customer's zone, which is
			// the day before in UTC east of it).
			last := cl.LastDay().Format(time.DateOnly)
			show := e.at(slackHere, inc, "cpor show 1")
			view, _ := show.Data["claim"].(command.ClaimView)
			if view.LastDay != last || !strings.Contains(r.Text, last) {
				t.Errorf("last day %s; the JSON says %q, the reply %q", last, view.LastDay, r.Text)
			}
		})
	}
}

// A customer can decline only once Microsoft has notified them: cpor
// decline on a submitted claim, or one Microsoft asked more about, is
// refused saying to record the notification first, writes nothing, and no
// button offers it; once the notification is recorded, the decline (typed
// or from the button) is taken.
func TestCPORDeclineNeedsNotification(t *testing.T) {
	e := newAlertEnv(t, storetest.Open(t))
	inc := incentivesAdmin(t, e)
	e.clk.t = time.Date(2026, 11, 29, 7, 35, 0, 0, time.UTC)
	r := e.at(slackHere, inc, "cpor claim customer="+tenant+" country=FR engagement=modern-work workload=Teams")
	if !r.OK() {
		t.Fatalf("claim refused: %s", r.Text)
	}
	noDeclineButton := func(r command.Reply) {
		t.Helper()
		for _, a := range r.Actions {
			if strings.HasPrefix(a.Command, "cpor decline") {
				t.Errorf("a claim not yet notified offers %q", a.Command)
			}
		}
	}
	noDeclineButton(r)
	refuse := func(status string) {
		t.Helper()
		before, _ := e.st.ClaimHistory(t.Context(), 1)
		r := e.at(slackHere, inc, `cpor decline 1 reason="not our partner"`)
		if r.OK() || r.Err.Rule != "decline_needs_notification" || r.Err.Field != "status" ||
			!strings.Contains(r.Text, "while it is "+status) || !strings.Contains(r.Text, "cpor confirm 1 notified=DATE") {
			t.Fatalf("cpor decline 1 while %s → %q; want refused, saying to record the notification with cpor confirm 1 notified=DATE", status, r.Text)
		}
		cl, err := e.st.GetClaim(t.Context(), 1)
		if err != nil || cl.Status == cpor.Declined || cl.Reason != "" {
			t.Errorf("a refused decline changed the claim: %+v, %v", cl, err)
		}
		if after, _ := e.st.ClaimHistory(t.Context(), 1); len(after) != len(before) {
			t.Errorf("a refused decline wrote history: %d entries, was %d", len(after), len(before))
		}
	}
	refuse("submitted")
	r = e.at(slackHere, inc, `cpor info 1 notes="proof of the Teams rollout"`)
	if !r.OK() {
		t.Fatalf("cpor info refused: %s", r.Text)
	}
	noDeclineButton(r)
	refuse("more information requested")

	// Record the notification, then the decline from the button.
	r = e.at(slackHere, inc, "cpor confirm 1 notified=today")
	if !r.OK() {
		t.Fatalf("cpor confirm 1 notified=today refused: %s", r.Text)
	}
	if len(r.Actions) != 1 || r.Actions[0].Command != "cpor decline 1" {
		t.Fatalf("a notified claim offers %+v; want the decline button", r.Actions)
	}
	r = e.at(slackHere, inc, r.Actions[0].Command+` reason="not our partner"`)
	if !r.OK() {
		t.Fatalf("decline once notified refused: %s", r.Text)
	}
	if cl, err := e.st.GetClaim(t.Context(), 1); err != nil || cl.Status != cpor.Declined || cl.Reason != "not our partner" {
		t.Errorf("after the decline: %+v, %v", cl, err)
	}
	// A declined claim is never official: its view has no official_at (the
	// last day to decline stays).
	if v := r.Data["claim"].(command.ClaimView); v.OfficialAt != nil || v.LastDay == "" {
		t.Errorf("declined claim view: official_at %v, last day %q; want none, and the last day", v.OfficialAt, v.LastDay)
	}
}

// CPOR events that happened before they are typed here: a claim submitted
// in Partner Center last week, a customer notified then, and a decline
// within the window told after it closed (a tester could record neither
// the claim's date nor the decline's, and recorded the opposite of what
// happened).
func TestCPOREventsOfThePast(t *testing.T) {
	e := newAlertEnv(t, storetest.Open(t)) // now: 2026-11-22 09:00 UTC
	e.runSteps([]step{
		{"cpor claim customer=" + tenant + " country=FR engagement=modern-work workload=Teams claimed=+3d", false, "in the future"},
		{"cpor claim customer=" + tenant + " country=FR engagement=modern-work workload=Teams claimed=2026-11-02", true, "Submitted CPOR claim #1"},
		{"cpor confirm 1 notified=2026-11-06", true, "notified the customer on 2026-11-06"},
		{"cpor decline 1 reason=late", false, "if they declined before, give the day: cpor decline 1 declined=DATE"},
		{"cpor decline 1 declined=2026-11-05 reason=x", false, "before they were notified on 2026-11-06"},
		{"cpor decline 1 declined=2026-11-10 reason=\"not our partner\"", true, "the customer declined"},
	})
}
