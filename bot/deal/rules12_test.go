package deal

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// Issue 12, part 1: a received referral past expires_at is expired at the
// moment anyone acts on it, whether or not a sweep recorded it.
func TestExpiryAtTheMomentOfAction(t *testing.T) {
	expired := t0.Add(ReferralWindow - 48*time.Hour) // referral() was received 48 h before t0
	late := expired.Add(time.Minute)
	tests := []struct {
		name string
		op   func(d *Deal) (Event, error)
	}{
		{"expiry at action: accept", func(d *Deal) (Event, error) { return d.Accept(acceptChanges(), late) }},
		{"expiry at action: decline", func(d *Deal) (Event, error) { return d.Decline("no capacity", "", late) }},
		{"expiry at action: edit", func(d *Deal) (Event, error) { return d.Edit(Changes{Notes: ptr("x")}, late) }},
		{"expiry at action: team add", func(d *Deal) (Event, error) { return d.AddMember(bjorn(), late) }},
		{"expiry at action: team remove", func(d *Deal) (Event, error) { return d.RemoveMember(alice().Email, late) }},
		{"expiry at action: close as error", func(d *Deal) (Event, error) { return d.CloseAsError("duplicate", late) }},
		{"expiry at action: invite Microsoft", func(d *Deal) (Event, error) { return d.InviteMicrosoft(MicrosoftInvite{Help: HelpTechnical}, late) }},
		{"expiry at action: upgrade", func(d *Deal) (Event, error) { return d.Upgrade(CoSell, MicrosoftInvite{Help: HelpTechnical}, late) }},
		{"expiry at action: stage", func(d *Deal) (Event, error) { return d.MarkStage(StageQualified, late) }},
		{"expiry at action: won", func(d *Deal) (Event, error) { return d.Win(late) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustReceive(t, referral())
			d.ID = 7
			before := d.Clone()
			_, err := tc.op(d)
			expectRules(t, err, "status/referral_expired")
			if err != nil && !strings.Contains(err.Error(), "expired on "+expired.Format(time.DateOnly)) {
				t.Errorf("refusal %q does not say when it expired", err)
			}
			if !reflect.DeepEqual(before, d) {
				t.Errorf("a refused action changed the deal")
			}
		})
	}
	t.Run("expiry at action: a minute before expires_at the referral is still answered", func(t *testing.T) {
		d := mustReceive(t, referral())
		if _, err := d.Accept(acceptChanges(), expired.Add(-time.Minute)); err != nil {
			t.Fatalf("Accept a minute before expiry: %v", err)
		}
	})
}

// Issue 12, part 1: the expiry event is dated at the real expiry, not when
// somebody noticed it (after an outage, say), and it is offered once.
func TestExpiryEventDatedAtRealExpiry(t *testing.T) {
	tests := []struct {
		name   string
		now    time.Time
		wantOK bool
	}{
		{"expiry event: not due a second before", t0.Add(ReferralWindow - 49*time.Hour), false},
		{"expiry event: due exactly at expires_at", t0.Add(ReferralWindow - 48*time.Hour), true},
		{"expiry event: three days of outage later, still dated at expires_at", t0.Add(ReferralWindow + 24*time.Hour), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustReceive(t, referral())
			ev, ok := d.ExpireIfDue(tc.now)
			if ok != tc.wantOK {
				t.Fatalf("ExpireIfDue ok = %v, want %v", ok, tc.wantOK)
			}
			if !ok {
				if d.Status != Received {
					t.Errorf("status = %s, want received", d.Status)
				}
				return
			}
			if !ev.At.Equal(d.ExpiresAt) || !d.UpdatedAt.Equal(d.ExpiresAt) || d.Status != Expired {
				t.Errorf("event at %v, updated %v, status %s; want both at expires_at %v and expired", ev.At, d.UpdatedAt, d.Status, d.ExpiresAt)
			}
			if _, again := d.ExpireIfDue(tc.now); again {
				t.Errorf("ExpireIfDue offered the expiry twice")
			}
		})
	}
}

// Issue 12, part 1: Microsoft's 14-day decision window holds at the moment
// its answer is recorded, and its lapse is dated at the window's end.
func TestMicrosoftWindowAtTheMomentOfAction(t *testing.T) {
	due := t0.Add(MicrosoftDecisionWindow)
	tests := []struct {
		name string
		at   time.Time
		want []string
	}{
		{"microsoft window: an answer within 14 days is recorded", due.Add(-time.Minute), nil},
		{"microsoft window: an answer at the end of the window is refused", due, []string{"microsoft/microsoft_window_closed"}},
		{"microsoft window: an answer a week late is refused", due.Add(7 * 24 * time.Hour), []string{"microsoft/microsoft_window_closed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := invitedIP(t)
			_, err := d.Edit(Changes{Microsoft: ptr(MSAccepted)}, tc.at)
			expectRules(t, err, tc.want...)
		})
	}
	t.Run("microsoft window: the lapse is dated at the end of the window, once", func(t *testing.T) {
		d := invitedIP(t)
		if _, ok := d.LapseIfDue(due.Add(-time.Second)); ok {
			t.Fatalf("lapsed before the window closed")
		}
		ev, ok := d.LapseIfDue(due.Add(72 * time.Hour))
		if !ok || !ev.At.Equal(due) || d.Microsoft != MSLapsed {
			t.Fatalf("LapseIfDue = %+v, %v, Microsoft %s; want an event at %v and lapsed", ev, ok, d.Microsoft, due)
		}
		if _, again := d.LapseIfDue(due.Add(96 * time.Hour)); again {
			t.Errorf("lapse offered twice")
		}
		if evs := d.DueEvents(due.Add(100 * time.Hour)); len(evs) != 0 {
			t.Errorf("DueEvents after the lapse = %+v, want none", evs)
		}
	})
}

// Issue 12, part 3: inviting a partner does not change what Microsoft sees.
func TestInvitingAPartnerKeepsSaleType(t *testing.T) {
	for _, share := range []bool{false, true} {
		t.Run("sale type kept on invite: share="+map[bool]string{false: "no", true: "yes"}[share], func(t *testing.T) {
			dr := validIP()
			dr.Share = share
			d := mustNew(t, dr)
			was := d.SaleType
			if _, err := d.InvitePartner(validInvitation(), t0); err != nil {
				t.Fatal(err)
			}
			if d.SaleType != was {
				t.Errorf("sale type %s → %s after inviting a partner", was, d.SaleType)
			}
			reg := d.Registration(DefaultRates())
			for _, c := range reg.Criteria {
				if c.Name == "sale_type" && c.OK != (was == PartnerLed) {
					t.Errorf("registration sale_type ok = %v for a %s deal", c.OK, was)
				}
			}
		})
	}
}

// Issue 12, part 3: nothing adds a solution to an SA deal (seeds 002, 004).
func TestNoSolutionAddedToAnSADeal(t *testing.T) {
	sa := func(t *testing.T) *Deal { return mustNew(t, validSA()) }
	tests := []struct {
		name string
		op   func(d *Deal) (Event, error)
		want []string
	}{
		{"SA integrity: invite a partner with a solution is refused", func(d *Deal) (Event, error) { return d.InvitePartner(validInvitation(), t0) },
			[]string{"solution/assessment_no_other_solution"}},
		{"SA integrity: edit solution is refused", func(d *Deal) (Event, error) {
			return d.Edit(Changes{Solutions: []Solution{azureSolution()}}, t0)
		}, []string{"solution/assessment_solution_fixed"}},
		{"SA integrity: invite a partner without a solution is allowed", func(d *Deal) (Event, error) {
			inv := validInvitation()
			inv.Solutions = nil
			return d.InvitePartner(inv, t0)
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := sa(t)
			_, err := tc.op(d)
			expectRules(t, err, tc.want...)
			n := len(d.Solutions)
			for _, inv := range d.Partners {
				n += len(inv.Solutions)
			}
			if n != 1 {
				t.Errorf("SA deal carries %d solutions, want exactly its assessment", n)
			}
		})
	}
}

// Issue 12, part 3: the contract-owner warning shows on every deal another
// partner is involved in.
func TestContractOwnerWarningOnEveryP2PDeal(t *testing.T) {
	const warn = "end-customer contract"
	tests := []struct {
		name string
		deal func(t *testing.T) *Deal
		want bool
	}{
		{"P2P warning: kind p2p", func(t *testing.T) *Deal { return mustNew(t, validP2P()) }, true},
		{"P2P warning: a partner invited", func(t *testing.T) *Deal {
			d := mustNew(t, validIP())
			if _, err := d.InvitePartner(validInvitation(), t0); err != nil {
				t.Fatal(err)
			}
			return d
		}, true},
		{"P2P warning: a referral received from a partner", func(t *testing.T) *Deal {
			dr := referral()
			dr.From = "partner:Fabrikam"
			return mustReceive(t, dr)
		}, true},
		{"P2P warning: none on a referral from Microsoft", func(t *testing.T) *Deal { return mustReceive(t, referral()) }, false},
		{"P2P warning: none on a deal of one partner", func(t *testing.T) *Deal { return mustNew(t, validIP()) }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.deal(t).Registration(DefaultRates())
			got := slices.ContainsFunc(e.Warnings, func(w string) bool { return strings.Contains(w, warn) })
			if got != tc.want {
				t.Errorf("contract-owner warning shown = %v, want %v (warnings %q)", got, tc.want, e.Warnings)
			}
		})
	}
}

// Issue 12: "won 72 hours after creation" must not print for 71 h 59 min,
// nor stay silent for it.
func TestWonAfter72HoursNotRounded(t *testing.T) {
	tests := []struct {
		name     string
		gap      time.Duration
		wantWarn string
	}{
		{"72h rule: 71 h 59 min warns, as 71 h 59 min", 71*time.Hour + 59*time.Minute, "won 71 h 59 min after creation"},
		{"72h rule: 71 h 30 min warns", 71*time.Hour + 30*time.Minute, "won 71 h 30 min after creation"},
		{"72h rule: exactly 72 h does not warn", 72 * time.Hour, ""},
		{"72h rule: 72 h 1 min does not warn", 72*time.Hour + time.Minute, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dr := validIP()
			dr.Share = true
			d := mustNew(t, dr)
			ev, err := d.Win(t0.Add(tc.gap))
			if err != nil {
				t.Fatal(err)
			}
			// The moment it is won says so too, not only deal register.
			if early := strings.Contains(ev.Detail, "registration may be rejected"); early != (tc.wantWarn != "") {
				t.Errorf("won event %q: warns = %v, want %v", ev.Detail, early, tc.wantWarn != "")
			}
			var got string
			for _, w := range d.Registration(DefaultRates()).Warnings {
				if strings.HasPrefix(w, "won ") {
					got = w
				}
			}
			if tc.wantWarn == "" && got != "" || tc.wantWarn != "" && !strings.HasPrefix(got, tc.wantWarn) {
				t.Errorf("warning = %q, want prefix %q", got, tc.wantWarn)
			}
			if strings.Contains(got, "won 72 h") {
				t.Errorf("warning rounds up to 72 h: %q", got)
			}
		})
	}
}

// Issue 12, part 6: replies say how the sender learns of a decline or an
// expiry, never "is notified" where nothing is sent.
func TestHonestDeclineAndExpiryNotices(t *testing.T) {
	tests := []struct {
		name     string
		external string
		from     string
		want     string
	}{
		{"honest notice: linked to Partner Center", "pc-123", "microsoft", "written back to Partner Center, which tells Microsoft"},
		{"honest notice: recorded by hand from Microsoft", "", "microsoft", "recorded by hand, so nothing reaches Microsoft: tell them yourself"},
		{"honest notice: recorded by hand from a partner", "", "partner:Fabrikam", "nothing reaches partner Fabrikam: tell them yourself"},
	}
	for _, tc := range tests {
		for _, what := range []string{"decline", "expiry"} {
			t.Run(tc.name+" ("+what+")", func(t *testing.T) {
				dr := referral()
				dr.From = tc.from
				d := mustReceive(t, dr)
				d.ExternalID = tc.external
				var ev Event
				var err error
				if what == "decline" {
					ev, err = d.Decline("no capacity", "", t0)
				} else {
					ev, err = d.Expire(d.ExpiresAt)
				}
				if err != nil {
					t.Fatal(err)
				}
				want := tc.want
				if what == "expiry" && tc.external != "" {
					// Partner Center expires its referrals itself: nothing
					// is written back.
					want = "Partner Center expires the referral itself and tells Microsoft"
				}
				if !strings.Contains(ev.Detail, want) || strings.Contains(ev.Detail, "is notified") {
					t.Errorf("detail %q, want it to contain %q and never \"is notified\"", ev.Detail, want)
				}
			})
		}
	}
}

// Issue 12, part 7: account=managed records Microsoft's matching of an
// "other" (DUNS) account, which makes the deal registrable on that count.
func TestAccountMatchRecorded(t *testing.T) {
	tests := []struct {
		name  string
		from  AccountClass
		to    AccountClass
		won   bool
		want  []string
		match bool
	}{
		{"account match: other → managed", Other, Managed, false, nil, true},
		{"account match: recorded on a won deal too", Other, Managed, true, nil, true},
		{"account match: unmanaged is not matched", Unmanaged, Managed, false, []string{"account/account_match_other"}, false},
		{"account match: only managed is a match", Other, Unmanaged, false, []string{"account/account_match_managed"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dr := validIP()
			dr.Share, dr.Customer.Account = true, tc.from
			d := mustNew(t, dr)
			if tc.won {
				if _, err := d.Win(t0.Add(96 * time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			ev, err := d.Edit(Changes{Account: ptr(tc.to)}, t0.Add(100*time.Hour))
			expectRules(t, err, tc.want...)
			if tc.match {
				if d.Customer.Account != Managed || !strings.Contains(ev.Detail, "matched to a Microsoft managed account") {
					t.Errorf("account %s, event %q", d.Customer.Account, ev.Detail)
				}
				for _, c := range d.Registration(DefaultRates()).Criteria {
					if c.Name == "managed_account" && !c.OK {
						t.Errorf("managed_account still fails after the match: %s", c.Why)
					}
				}
			}
		})
	}
}

// Issue 12, part 7: a deal converts at the rates of the month it was won.
func TestRegistrationRateOfTheMonthWon(t *testing.T) {
	rates, err := ParseRates([]byte(`{"months":[
		{"month":"2026-10","usd_per_unit":{"USD":1,"EUR":1.00}},
		{"month":"2026-12","usd_per_unit":{"USD":1,"EUR":1.20}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		wonAt  time.Time
		wantOK bool
		why    string
	}{
		{"rate of month won: December at 1.20 passes", time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), true, "the rates of 2026-12, the month it was won"},
		{"rate of month won: November falls back to October at 1.00", time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), false, "the rates of 2026-10, the latest published before it was won in 2026-11"},
		{"rate of month won: before the table there is no rate", time.Date(2026, 9, 28, 0, 0, 0, 0, time.UTC), false, "no rate for EUR in the rates of 2026-09, the month it was won"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dr := validIP()
			dr.Share, dr.Value, dr.Currency = true, 2_200_000, "EUR" // 22,000 EUR
			d := mustNew(t, dr)
			d.Status, d.WonAt = Won, tc.wonAt
			for _, c := range d.Registration(rates).Criteria {
				if c.Name != "value" {
					continue
				}
				if c.OK != tc.wantOK || !strings.Contains(c.Why, tc.why) {
					t.Errorf("value criterion ok=%v %q; want ok=%v mentioning %q", c.OK, c.Why, tc.wantOK, tc.why)
				}
			}
		})
	}
}

// FuzzParseRates: a rates file is outside input (COSELLBOT_RATES_FILE);
// whatever it holds, ParseRates returns a usable table or an error.
func FuzzParseRates(f *testing.F) {
	f.Add(defaultRates)
	f.Add([]byte(`{"month":"2026-11","usd_per_unit":{"USD":1,"EUR":1.08}}`))
	f.Add([]byte(`{"months":[{"month":"2026-11","usd_per_unit":{"USD":1}}]}`))
	f.Add([]byte(`{"months":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRates(data)
		if err != nil {
			return
		}
		if len(r.Months) == 0 {
			t.Fatalf("a table without months was accepted: %s", data)
		}
		for i, m := range r.Months {
			if m.USDPerUnit["USD"] != 1 || (i > 0 && r.Months[i-1].Month >= m.Month) {
				t.Fatalf("accepted an unusable table: %+v", r)
			}
		}
		if _, _, ok := r.For(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)); !ok {
			t.Fatalf("For finds no month in a non-empty table")
		}
	})
}

// The 72-hour advice concerns registration, which only IP co-sell and P2P
// deals have (a tester's P2P deal, won at once, said nothing of it):
// winning another kind early says nothing of it.
func TestEarlyWinWarnsOnlyForRegistrableKinds(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			d := Deal{ID: 1, Kind: kind, Status: Created, Stage: StageCreated, CreatedAt: t0, Value: 3000000, Currency: "EUR"}
			if kind == SolutionAssessment {
				d.Marked = Markable(kind)
			}
			ev, err := d.Win(t0.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			want := kind == IPCoSell || kind == P2P
			if got := strings.Contains(ev.Detail, "1 h after creation: registration may be rejected"); got != want {
				t.Errorf("won event %q: warns = %v, want %v", ev.Detail, got, want)
			}
		})
	}
}

// History and news show a deal's name as typed: Go's %q escaping (\" and
// \u) is for programmers, not for the people reading a channel.
func TestEventsNameTheDealAsTyped(t *testing.T) {
	dr := validIP()
	dr.Name = `Øresund "Phase 2"`
	_, ev, err := New(dr, t0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ev.Detail, `"Øresund "Phase 2""`) || strings.Contains(ev.Detail, `\`) {
		t.Errorf("created event %q, want the name as typed", ev.Detail)
	}
}

// Partner Center's close replaces one made here otherwise, never a close as
// error (the partner's own, which Partner Center cannot say), and only
// closes: an open deal is not closed by it.
func TestClosedThereFirst(t *testing.T) {
	at := t0.Add(time.Hour)
	for _, tc := range []struct {
		from, to Status
		ok       bool
	}{
		{Won, Lost, true}, {Lost, Won, true}, {Won, Declined, true},
		{Error, Lost, false}, {Won, Error, false}, {Won, Won, false}, {Accepted, Lost, false},
	} {
		d := &Deal{ID: 1, Kind: IPCoSell, Status: tc.from, Stage: StageWon, WonAt: t0}
		_, err := d.ClosedThereFirst(tc.to, "customer chose a competitor", StageProposed, at)
		if (err == nil) != tc.ok || tc.ok && d.Status != tc.to {
			t.Errorf("%s → %s: %v, status %s; want ok %v", tc.from, tc.to, err, d.Status, tc.ok)
		}
		if tc.ok && tc.to == Lost && (d.Stage != StageProposed || !d.WonAt.IsZero() || d.Reason == "") {
			t.Errorf("%s → lost: stage %s, won at %v, reason %q", tc.from, d.Stage, d.WonAt, d.Reason)
		}
	}
}
