package command_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// TestSnoozeOnlyWhatHasReminders: only a referral waiting for an answer
// has reminders. A tester snoozed an accepted referral and outbound deals
// (answered "they resume on …", with a snoozed line in the history), and an
// old card's Snooze button opened its form on an answered referral. Each
// is refused at once, typed with or without until= or clicked, with why,
// and nothing changes.
func TestSnoozeOnlyWhatHasReminders(t *testing.T) {
	st := storetest.Open(t)
	e := newAlertEnv(t, st)
	e.seedCatalog()
	e.run(`deal receive kind=services customer=Fabrikam customer_location=SE location=1234567 from=microsoft`) // 1: waiting for an answer
	e.run(`deal receive kind=services customer=Northwind customer_location=SE location=1234567 from=microsoft`)
	e.run(`deal accept 2 name=Northwind value=10000 close=2027-01-01 notes=n`) // 2: accepted
	outbound := `deal new kind=ip name=Alpha customer=Contoso customer_location=FR location=1234567 value=30000 close=2027-01-01 notes=n solution="Contoso Insight" ` + team
	e.run(outbound) // 3: created
	e.run(outbound)
	e.run(`deal won 4`) // 4: won
	for _, tc := range []struct{ line, want string }{
		{"deal snooze 2 until=2026-12-05", "deal 2 is accepted: only a referral waiting for an answer has reminders"},
		{"deal snooze 2", "deal 2 is accepted: only a referral waiting for an answer has reminders"},
		{"deal snooze 2 until=someday", "deal 2 is accepted"},
		{"deal snooze 3 until=+3m", "deal 3 is an outbound deal: only a referral waiting for an answer has reminders"},
		{"deal snooze 3", "deal 3 is an outbound deal"},
		{"deal snooze 4 until=+3d", "deal 4 is won: it has no reminders left to snooze"},
	} {
		before := snapshot(t, st)
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, tc.line)
		if r.OK() || r.Err.Field != "status" || !strings.Contains(r.Text, tc.want) {
			t.Errorf("%s → %q, want a refusal saying %q", tc.line, r.Text, tc.want)
		}
		// An old card's Snooze button asks the same before its form opens.
		click := strings.Fields(tc.line)
		if p := e.svc.Permits(context.Background(), access.LocalAdmin, strings.Join(click[:3], " ")); p == nil || !strings.Contains(p.Text, tc.want) {
			t.Errorf("%s clicked → %v, want a refusal saying %q", strings.Join(click[:3], " "), p, tc.want)
		}
		if snapshot(t, st) != before {
			t.Errorf("%s changed the database", tc.line)
		}
	}
	if got, _ := st.Snoozed(context.Background(), []string{"deal:2", "deal:3", "deal:4"}, start); len(got) != 0 {
		t.Errorf("refused snoozes stored %v", got)
	}
	// The referral waiting for an answer (expiring 2026-12-06 09:00, its
	// reminders 7, 3 and 1 days before) is snoozed; a snooze that swallows
	// its last reminder says that none comes before it expires.
	for _, tc := range []struct{ line, want, not string }{
		{"deal snooze 1 until=2026-12-05", "the next one comes 2026-12-05 09:00 UTC", "no reminder"},
		{"deal snooze 1 until=2026-12-06", "no reminder comes before it expires on 2026-12-06 09:00 UTC: answer it before then (deal accept 1 or deal decline 1)", "resume"},
	} {
		if r := e.run(tc.line); !strings.Contains(r.Text, tc.want) || strings.Contains(r.Text, tc.not) {
			t.Errorf("%s → %q, want %q", tc.line, r.Text, tc.want)
		}
	}
	if p := e.svc.Permits(context.Background(), access.LocalAdmin, "deal snooze 1"); p != nil {
		t.Errorf("Snooze on a referral waiting for an answer refused at the click: %s", p.Text)
	}
}

// A snooze says the moments it means, in UTC as every moment cosellbot
// prints: a date is its start, 00:00 UTC, and the reply names when the next
// reminder goes, since reminders due while snoozed are skipped, not held
// (a tester's until=2026-12-03 was taken as midnight UTC without a word,
// and "they resume on" a day when no reminder came). A moment with its
// zone is taken to the minute. The referral received at start expires
// 2026-12-06 09:00 UTC; its reminders go 7, 3 and 1 days before.
func TestSnoozeSaysItsMoments(t *testing.T) {
	for _, tc := range []struct{ until, want, history, at, next string }{
		{"2026-12-01",
			"Deal #1: reminders snoozed until 2026-12-01 00:00 UTC; the next one comes 2026-12-03 09:00 UTC, 3 days before it expires on 2026-12-06 09:00 UTC.",
			"reminders snoozed until 2026-12-01 00:00 UTC", "2026-12-01T00:00:00Z", "2026-12-03T09:00:00Z"},
		{`"2026-12-03 10:00 +01:00"`,
			"Deal #1: reminders snoozed until 2026-12-03 09:00 UTC; the next one comes 2026-12-03 09:00 UTC, 3 days before it expires on 2026-12-06 09:00 UTC.",
			"reminders snoozed until 2026-12-03 09:00 UTC", "2026-12-03T09:00:00Z", "2026-12-03T09:00:00Z"},
		{"2026-12-03T09:01:00Z",
			"Deal #1: reminders snoozed until 2026-12-03 09:01 UTC; the next one comes 2026-12-05 09:00 UTC, 1 day before it expires on 2026-12-06 09:00 UTC.",
			"reminders snoozed until 2026-12-03 09:01 UTC", "2026-12-03T09:01:00Z", "2026-12-05T09:00:00Z"},
		{"2026-12-06",
			"Deal #1: reminders snoozed until 2026-12-06 00:00 UTC; no reminder comes before it expires on 2026-12-06 09:00 UTC: answer it before then (deal accept 1 or deal decline 1).",
			"reminders snoozed until 2026-12-06 00:00 UTC", "2026-12-06T00:00:00Z", ""},
	} {
		st := storetest.Open(t)
		e := newAlertEnv(t, st)
		e.run(`deal receive kind=services customer=Fabrikam customer_location=SE location=1234567 from=microsoft`)
		r := e.run("deal snooze 1 until=" + tc.until)
		if r.Text != tc.want {
			t.Errorf("until=%s →\n%s\nwant\n%s", tc.until, r.Text, tc.want)
		}
		if got, _ := r.Data["snoozed_until_at"].(string); got != tc.at {
			t.Errorf("until=%s: snoozed_until_at = %q, want %q", tc.until, got, tc.at)
		}
		if got, _ := r.Data["next_reminder_at"].(string); got != tc.next {
			t.Errorf("until=%s: next_reminder_at = %q, want %q", tc.until, got, tc.next)
		}
		if h := e.run("deal history 1").Text; !strings.Contains(h, tc.history) {
			t.Errorf("until=%s: history\n%s\nwant %q", tc.until, h, tc.history)
		}
	}
}
