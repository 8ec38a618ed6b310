package cpor_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/cpor"
	"github.com/cosellbot/cosellbot/bot/deal"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, time.UTC) }

func TestWindowEnd(t *testing.T) {
	tests := []struct {
		name, country string
		notified      time.Time
		want          time.Time // official at 00:00 of this day, the customer's time
		fallback      bool
	}{
		{"plain week", "FR", date(2026, 11, 2), date(2026, 11, 10), false},                    // Mon → Tue..Mon(9): official Tue 10
		{"across a weekend", "SE", date(2026, 11, 5), date(2026, 11, 13), false},              // Thu → Fri, Mon–Thu
		{"notified on a Saturday", "FR", date(2026, 11, 7), date(2026, 11, 17), false},        // 9, 10, 12, 13, 16: 11 Nov skipped
		{"French Armistice Day", "FR", date(2026, 11, 9), date(2026, 11, 18), false},          // 11 Nov skipped
		{"Swedish All Saints' Day", "SE", date(2026, 10, 29), date(2026, 11, 6), false},       // Sat 31 Oct is Alla helgons dag, a weekend anyway
		{"French Christmas", "FR", date(2026, 12, 22), date(2026, 12, 31), false},             // 25 Dec skipped: 23, 24, 28, 29, 30
		{"Swedish Christmas and New Year", "SE", date(2026, 12, 22), date(2027, 1, 5), false}, // 24, 25, 31 Dec and 1 Jan skipped: 23, 28, 29, 30, 4 Jan
		{"US Thanksgiving", "US", date(2026, 11, 23), date(2026, 12, 2), false},               // 24, 25, 27, 30, 1 Dec: 26 Nov skipped
		{"no calendar: weekends only", "IN", date(2026, 12, 22), date(2026, 12, 30), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, fallback := cpor.WindowEnd(tt.country, tt.notified)
			want := time.Date(tt.want.Year(), tt.want.Month(), tt.want.Day(), 0, 0, 0, 0, cpor.Zone(tt.country))
			if !got.Equal(want) || fallback != tt.fallback {
				t.Errorf("WindowEnd(%s, %s) = %s, %v; want %s, %v", tt.country, tt.notified.Format("Mon 2006-01-02"),
					got.Format("Mon 2006-01-02"), fallback, want.Format("Mon 2006-01-02"), tt.fallback)
			}
		})
	}
}

const tenant = "8f3c2a1e-5b7d-4e9f-a0c1-2d3e4f5a6b7c"

func TestNewRefusesBadInput(t *testing.T) {
	ok := cpor.Draft{TenantID: tenant, Country: "FR", Engagement: "modern-work", Workload: "Teams"}
	tests := []struct {
		name   string
		edit   func(*cpor.Draft)
		fields []string
	}{
		{"tenant not a GUID", func(d *cpor.Draft) { d.TenantID = "contoso.onmicrosoft.com" }, []string{"customer"}},
		{"tenant too short", func(d *cpor.Draft) { d.TenantID = "8f3c2a1e-5b7d-4e9f-a0c1-2d3e4f5a6b7" }, []string{"customer"}},
		{"unknown engagement", func(d *cpor.Draft) { d.Engagement = "azure-consumption" }, []string{"engagement"}},
		{"country not a code", func(d *cpor.Draft) { d.Country = "France" }, []string{"country"}},
		{"country not a country", func(d *cpor.Draft) { d.Country = "QQ" }, []string{"country"}},
		{"nothing claimed", func(d *cpor.Draft) { d.Workload = "" }, []string{"workload"}},
		{"both claimed", func(d *cpor.Draft) { d.Subscription = tenant }, []string{"subscription"}},
		{"bad subscription", func(d *cpor.Draft) { d.Workload, d.Subscription = "", "sub-1" }, []string{"subscription"}},
		{"everything wrong", func(d *cpor.Draft) { *d = cpor.Draft{TenantID: "x", Country: "x", Engagement: "x"} },
			[]string{"customer", "country", "engagement", "workload"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dr := ok
			tt.edit(&dr)
			c, _, err := cpor.New(dr, "i@x", date(2026, 11, 2))
			if c != nil {
				t.Errorf("New returned a claim: %+v", c)
			}
			var probs deal.Problems
			if !errors.As(err, &probs) || len(probs) != len(tt.fields) {
				t.Fatalf("New = %v; want problems with %v", err, tt.fields)
			}
			for i, f := range tt.fields {
				if probs[i].Field != f {
					t.Errorf("problem %d is about %s, want %s (%v)", i, probs[i].Field, f, probs[i])
				}
			}
		})
	}
}

func TestEngagements(t *testing.T) {
	for _, e := range cpor.Engagements {
		for _, in := range []string{string(e), strings.ToUpper(string(e)), e.Label()} {
			if got, ok := cpor.ParseEngagement(in); !ok || got != e {
				t.Errorf("ParseEngagement(%q) = %q, %v", in, got, ok)
			}
		}
	}
	if len(cpor.Engagements) != 4 {
		t.Errorf("%d engagements, DOMAIN.md has four", len(cpor.Engagements))
	}
}

func TestLifecycle(t *testing.T) {
	created := date(2026, 12, 21)
	c, _, err := cpor.New(cpor.Draft{TenantID: "{" + strings.ToUpper(tenant) + "}", Country: "se", Engagement: "MCI BizApps Presales Advisor", Subscription: tenant}, "i@x", created)
	if err != nil {
		t.Fatal(err)
	}
	c.ID = 3
	if c.TenantID != tenant || c.Country != "SE" || c.Engagement != cpor.BizAppsPresales {
		t.Errorf("claim not normalised: %+v", c)
	}
	if _, err := c.MakeOfficial(created); err == nil {
		t.Error("a submitted claim became official")
	}
	if _, err := c.RequestInfo(" ", created); err == nil {
		t.Error("a request for information without notes was taken")
	}
	if _, err := c.RequestInfo("proof of delivery", created); err != nil || c.Status != cpor.InfoRequested {
		t.Fatalf("RequestInfo: %v, %s", err, c.Status)
	}
	if _, _, err := c.Confirm(created.AddDate(0, 0, 2), created.AddDate(0, 0, 1)); err == nil {
		t.Error("a notification in the future was taken")
	}
	if _, _, err := c.Confirm(created.AddDate(0, 0, -1), created); err == nil {
		t.Error("a notification before the claim was taken")
	}
	now := date(2026, 12, 22)
	if _, fallback, err := c.Confirm(now, now); err != nil || fallback || c.Status != cpor.Notified {
		t.Fatalf("Confirm: %v, %v, %s", err, fallback, c.Status)
	}
	// Confirmed twice (a second click): said to be done already, nothing changed.
	before := *c
	if _, _, err := c.Confirm(now, now); err == nil || !strings.Contains(err.Error(), "already customer notified") || c.OfficialAt != before.OfficialAt {
		t.Errorf("Confirm twice: %v, want it to say the claim is already customer notified", err)
	}
	if want := time.Date(2027, 1, 5, 0, 0, 0, 0, cpor.Zone("SE")); !c.OfficialAt.Equal(want) {
		t.Errorf("official at %s, want %s", c.OfficialAt, want)
	}
	plans := c.Plans()
	if len(plans) != 2 || plans[0].Kind != cpor.PlanClosing || !plans[1].DueAt.Equal(c.OfficialAt) || plans[0].Subject != "claim:3" {
		t.Errorf("Plans = %+v", plans)
	}
	if _, err := c.MakeOfficial(c.OfficialAt.Add(-time.Second)); err == nil {
		t.Error("official before the window closed")
	}
	declined := *c
	if _, err := declined.Decline("no", c.OfficialAt); err == nil {
		t.Error("declined after the window closed")
	}
	if _, err := declined.Decline("not our partner", c.OfficialAt.Add(-time.Hour)); err != nil || declined.Status != cpor.Declined {
		t.Errorf("Decline in the window: %v, %s", err, declined.Status)
	}
	if _, err := c.MakeOfficial(c.OfficialAt); err != nil || c.Status != cpor.Official {
		t.Errorf("MakeOfficial: %v, %s", err, c.Status)
	}
	if _, err := c.Decline("late", c.OfficialAt); err == nil {
		t.Error("an official claim was declined")
	}
	if _, err := declined.Decline("again", c.OfficialAt.Add(-time.Hour)); err == nil || !strings.Contains(err.Error(), "already declined") {
		t.Errorf("Decline twice: %v, want it to say the claim is already declined", err)
	}
}

func FuzzNew(f *testing.F) {
	f.Add(tenant, "FR", "modern-work", "Teams", "")
	f.Add("{"+tenant+"}", "se", "Usage recognition – Biz Apps", "", tenant)
	f.Add("", "", "", "", "")
	f.Fuzz(func(t *testing.T, tenantID, country, engagement, workload, sub string) {
		c, _, err := cpor.New(cpor.Draft{TenantID: tenantID, Country: country, Engagement: engagement, Workload: workload, Subscription: sub}, "i@x", date(2026, 1, 5))
		if (c == nil) == (err == nil) {
			t.Fatalf("New gave claim %v and error %v", c, err)
		}
		if c != nil && (!cpor.ValidGUID(c.TenantID) || !cpor.ValidCountry(c.Country)) {
			t.Fatalf("accepted an invalid claim %+v", c)
		}
	})
}

// Issue 12, part 5: the CPOR window runs in the customer's time. A US
// customer notified on Monday 2026-11-02 has until the end of Monday
// 2026-11-09 in New York; at 19:00 there (00:00 UTC on the 10th) a decline
// is still taken, and a refusal names the 9th, the last day.
func TestCPORWindowInCustomerTime(t *testing.T) {
	ny := cpor.Zone("US")
	notified := time.Date(2026, 11, 2, 9, 0, 0, 0, ny)
	lastDay := time.Date(2026, 11, 9, 0, 0, 0, 0, ny)
	tests := []struct {
		name    string
		at      time.Time
		wantErr bool
	}{
		{"CPOR customer time: 19:00 New York on the last day (next day in UTC) declines", time.Date(2026, 11, 9, 19, 0, 0, 0, ny), false},
		{"CPOR customer time: 23:59 New York on the last day declines", time.Date(2026, 11, 9, 23, 59, 0, 0, ny), false},
		{"CPOR customer time: midnight New York after the last day is too late", time.Date(2026, 11, 10, 0, 0, 0, 0, ny), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := cpor.New(cpor.Draft{TenantID: tenant, Country: "US", Engagement: "modern-work", Workload: "Teams"}, "i@x", notified.Add(-time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := c.Confirm(notified, notified); err != nil {
				t.Fatal(err)
			}
			if !c.LastDay().Equal(lastDay) {
				t.Fatalf("last day %s, want %s", c.LastDay(), lastDay)
			}
			_, err = c.Decline("not our partner", tt.at.UTC())
			if (err != nil) != tt.wantErr {
				t.Fatalf("Decline at %s: %v, want error %v", tt.at, err, tt.wantErr)
			}
			if err != nil && (!strings.Contains(err.Error(), "last day to decline was 2026-11-09") || strings.Contains(err.Error(), "2026-11-10")) {
				t.Errorf("refusal %q must name 2026-11-09 as the last day", err)
			}
		})
	}
	t.Run("CPOR customer time: notified Monday 20:00 New York is Monday there, Tuesday in UTC", func(t *testing.T) {
		end, _ := cpor.WindowEnd("US", time.Date(2026, 11, 2, 20, 0, 0, 0, ny))
		if want := time.Date(2026, 11, 10, 0, 0, 0, 0, ny); !end.Equal(want) {
			t.Errorf("window end %s, want %s", end, want)
		}
	})
	t.Run("CPOR customer time: every country with holidays has a zone", func(t *testing.T) {
		for _, cc := range []string{"AR", "AT", "BE", "BG", "BR", "CA", "CH", "CZ", "DE", "DK", "ES", "FR", "GB", "GR", "HR", "IE", "IT", "JP", "LT", "LV", "MW", "NC", "NL", "NO", "NZ", "PL", "RO", "RU", "SE", "SI", "SK", "UA", "US", "ZA"} {
			if !cpor.HasCalendar(cc) || cpor.Zone(cc) == time.UTC {
				t.Errorf("%s: calendar %v, zone %s", cc, cpor.HasCalendar(cc), cpor.Zone(cc))
			}
		}
	})
}

// Issue 12, part 1: the CPOR window holds at the moment of action, and the
// official event is dated when the window closed.
func TestCPOROfficialDatedAtWindowEnd(t *testing.T) {
	c, _, err := cpor.New(cpor.Draft{TenantID: tenant, Country: "FR", Engagement: "modern-work", Workload: "Teams"}, "i@x", date(2026, 11, 2))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Confirm(date(2026, 11, 2), date(2026, 11, 2)); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.MakeOfficialIfDue(c.OfficialAt.Add(-time.Second)); ok {
		t.Fatal("official before the window closed")
	}
	late := c.OfficialAt.Add(5 * 24 * time.Hour) // a sweep down for five days
	ev, ok := c.MakeOfficialIfDue(late)
	if !ok || !ev.At.Equal(c.OfficialAt) || !c.UpdatedAt.Equal(c.OfficialAt) || c.Status != cpor.Official {
		t.Fatalf("MakeOfficialIfDue = %+v, %v; claim %+v", ev, ok, c)
	}
	if _, again := c.MakeOfficialIfDue(late); again {
		t.Error("official twice")
	}
}

// TestRepeats: a claim of what a standing claim already claims is refused,
// naming it; another workload, engagement or tenant is not a repeat, and a
// declined claim may be made again.
func TestRepeats(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	mk := func(id int64, tenantID, engagement, workload string, st cpor.Status) *cpor.Claim {
		c, _, err := cpor.New(cpor.Draft{TenantID: tenantID, Country: "SE", Engagement: engagement, Workload: workload}, "ana", now)
		if err != nil {
			t.Fatal(err)
		}
		c.ID, c.Status = id, st
		return c
	}
	existing := []*cpor.Claim{mk(1, tenant, "modern-work", "Teams", cpor.InfoRequested), mk(2, tenant, "modern-work", "Exchange", cpor.Declined)}
	err := cpor.Repeats(existing, mk(0, "{"+strings.ToUpper(tenant)+"}", "modern-work", "teams", cpor.Submitted))
	var re *deal.RuleError
	if !errors.As(err, &re) || re.Rule != "claim_once" || !strings.Contains(re.Message, "claim #1 already claims") || !strings.Contains(re.Message, "cpor show 1") {
		t.Errorf("a repeat of claim #1: %v", err)
	}
	for name, c := range map[string]*cpor.Claim{
		"another workload":            mk(0, tenant, "modern-work", "SharePoint", cpor.Submitted),
		"another engagement":          mk(0, tenant, "bizapps-usage", "Teams", cpor.Submitted),
		"another tenant":              mk(0, "1b2c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d", "modern-work", "Teams", cpor.Submitted),
		"again after it was declined": mk(0, tenant, "modern-work", "Exchange", cpor.Submitted),
	} {
		if err := cpor.Repeats(existing, c); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// midnight is the start of a calendar day in the customer's zone: what
// cpor confirm notified=DATE (or today) passes to Confirm.
func midnight(country string, y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, cpor.Zone(country))
}

// TestConfirmNotifiedDayInCustomerZone: the notification day and the claim's
// day are both the customer's calendar days. A notification on the claim's
// own day is taken east (FR, SE) and west (US) of UTC alike, even when
// midnight in the customer's zone is the day before in UTC, or when the
// claim was made late in the customer's evening (the next day in UTC); a
// day truly before the claim's is refused, and so is a day after the
// customer's today, while the customer's today is never in the future.
func TestConfirmNotifiedDayInCustomerZone(t *testing.T) {
	repro := time.Date(2026, 11, 29, 7, 35, 0, 0, time.UTC)
	tests := []struct {
		name, country string
		created, now  time.Time
		notified      time.Time
		rule          string // "" when taken
		says          string // in the refusal
	}{
		// The reported case: claimed and confirmed notified=today at 07:35 UTC.
		{"FR: notified the claim's day (Paris midnight is the day before in UTC)", "FR", repro, repro, midnight("FR", 2026, 11, 29), "", ""},
		{"SE: notified the claim's day (Stockholm midnight is the day before in UTC)", "SE", repro, repro, midnight("SE", 2026, 11, 29), "", ""},
		{"US: notified the claim's day", "US", repro, repro, midnight("US", 2026, 11, 29), "", ""},
		{"IN: no calendar, days in UTC, notified the claim's day", "IN", repro, repro, midnight("IN", 2026, 11, 29), "", ""},
		{"FR: notified the day before the claim", "FR", repro, repro, midnight("FR", 2026, 11, 28), "notified_after_claim", "notified on 2026-11-28, before the claim was made on 2026-11-29"},
		{"SE: notified the day before the claim", "SE", repro, repro, midnight("SE", 2026, 11, 28), "notified_after_claim", "before the claim was made on 2026-11-29"},
		{"US: notified the day before the claim", "US", repro, repro, midnight("US", 2026, 11, 28), "notified_after_claim", "before the claim was made on 2026-11-29"},

		// Near midnight east of UTC: 22:30 UTC on the 29th is 23:30 the
		// 29th in Paris; 23:30 UTC on the 28th is already the 29th there.
		{"FR: claimed 23:30 Paris, notified that day", "FR", time.Date(2026, 11, 29, 22, 30, 0, 0, time.UTC), time.Date(2026, 11, 29, 22, 40, 0, 0, time.UTC), midnight("FR", 2026, 11, 29), "", ""},
		{"FR: claimed 00:30 Paris (still the 28th in UTC), notified that day", "FR", time.Date(2026, 11, 28, 23, 30, 0, 0, time.UTC), repro, midnight("FR", 2026, 11, 29), "", ""},
		{"FR: claimed 00:30 Paris (still the 28th in UTC), notified the 28th", "FR", time.Date(2026, 11, 28, 23, 30, 0, 0, time.UTC), repro, midnight("FR", 2026, 11, 28), "notified_after_claim", "before the claim was made on 2026-11-29"},
		{"SE: claimed 23:50 Stockholm, notified that day", "SE", time.Date(2026, 11, 29, 22, 50, 0, 0, time.UTC), time.Date(2026, 11, 29, 22, 55, 0, 0, time.UTC), midnight("SE", 2026, 11, 29), "", ""},
		// Near midnight west of UTC: 03:00 UTC on the 30th is 22:00 the
		// 29th in New York.
		{"US: claimed 22:00 New York (the next day in UTC), notified that day", "US", time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 3, 10, 0, 0, time.UTC), midnight("US", 2026, 11, 29), "", ""},
		{"US: claimed 22:00 New York, notified the day before", "US", time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 3, 10, 0, 0, time.UTC), midnight("US", 2026, 11, 28), "notified_after_claim", "before the claim was made on 2026-11-29"},
		{"US: notified a moment of the claim's day, given in UTC", "US", time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 3, 10, 0, 0, time.UTC), time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC), "", ""},

		// Not in the future: the customer's today never is, their tomorrow is.
		{"FR: today just after midnight Paris (still yesterday in UTC)", "FR", date(2026, 11, 20), time.Date(2026, 11, 29, 23, 5, 0, 0, time.UTC), midnight("FR", 2026, 11, 30), "", ""},
		{"SE: today at 00:00 Stockholm exactly", "SE", date(2026, 11, 20), midnight("SE", 2026, 11, 30), midnight("SE", 2026, 11, 30), "", ""},
		{"US: today late evening New York (tomorrow in UTC)", "US", date(2026, 11, 20), time.Date(2026, 11, 30, 4, 55, 0, 0, time.UTC), midnight("US", 2026, 11, 29), "", ""},
		{"FR: tomorrow Paris is in the future", "FR", date(2026, 11, 20), repro, midnight("FR", 2026, 11, 30), "notified_not_future", "2026-11-30 is in the future"},
		{"US: the UTC day, tomorrow in New York, is in the future", "US", date(2026, 11, 20), time.Date(2026, 11, 30, 4, 55, 0, 0, time.UTC), midnight("US", 2026, 11, 30), "notified_not_future", "2026-11-30 is in the future"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := cpor.New(cpor.Draft{TenantID: tenant, Country: tt.country, Engagement: "modern-work", Workload: "Teams"}, "i@x", tt.created)
			if err != nil {
				t.Fatal(err)
			}
			c.ID = 3
			_, _, err = c.Confirm(tt.notified, tt.now)
			if tt.rule == "" {
				if err != nil || c.Status != cpor.Notified || !c.NotifiedAt.Equal(tt.notified) {
					t.Fatalf("Confirm(%s, now %s) on a claim of %s = %v, status %s; want it taken", tt.notified, tt.now, tt.created, err, c.Status)
				}
				return
			}
			var re *deal.RuleError
			if !errors.As(err, &re) || re.Rule != tt.rule || !strings.Contains(re.Message, tt.says) {
				t.Fatalf("Confirm(%s, now %s) on a claim of %s = %v; want %s saying %q", tt.notified, tt.now, tt.created, err, tt.rule, tt.says)
			}
			if c.Status != cpor.Submitted || !c.NotifiedAt.IsZero() {
				t.Errorf("a refused Confirm changed the claim: %+v", c)
			}
		})
	}
}

// TestDeclineNeedsNotification: the customer declines within the window
// Microsoft's notification opens, so a claim not yet notified (submitted,
// or with more information requested) cannot be declined; the refusal says
// to record the notification first, and the claim is unchanged. Once
// notified, the decline is taken.
func TestDeclineNeedsNotification(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	for _, st := range []cpor.Status{cpor.Submitted, cpor.InfoRequested} {
		t.Run(string(st), func(t *testing.T) {
			c, _, err := cpor.New(cpor.Draft{TenantID: tenant, Country: "FR", Engagement: "modern-work", Workload: "Teams"}, "i@x", now)
			if err != nil {
				t.Fatal(err)
			}
			c.ID = 3
			if st == cpor.InfoRequested {
				if _, err := c.RequestInfo("proof of delivery", now); err != nil {
					t.Fatal(err)
				}
			}
			before := *c
			_, err = c.Decline("not our partner", now.Add(time.Hour))
			var re *deal.RuleError
			if !errors.As(err, &re) || re.Rule != "decline_needs_notification" || re.Field != "status" ||
				!strings.Contains(re.Message, "only once Microsoft has validated the claim and notified them") ||
				!strings.Contains(re.Message, "cpor confirm 3 notified=DATE") || !strings.Contains(re.Message, st.Label()) {
				t.Fatalf("Decline while %s = %v; want refused, saying to record the notification with cpor confirm 3 notified=DATE", st, err)
			}
			if *c != before {
				t.Errorf("a refused decline changed the claim: %+v", c)
			}
			// Recording the notification first, then the decline: taken.
			if _, _, err := c.Confirm(midnight("FR", 2026, 11, 24), now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Decline("not our partner", now.Add(2*time.Hour)); err != nil || c.Status != cpor.Declined || c.Reason != "not our partner" {
				t.Errorf("Decline once notified: %v, %s", err, c.Status)
			}
		})
	}
}
