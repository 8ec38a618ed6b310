package command_test

import (
	"context"
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/cpor"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/remind"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// as runs a line as the user with that id (resolved as the adapters do).
func (e *env) as(id string, where chat.Place, line string) command.Reply {
	e.t.Helper()
	u, err := e.svc.Resolve(context.Background(), id)
	if err != nil {
		e.t.Fatalf("resolve %s: %v", id, err)
	}
	return e.svc.Run(context.Background(), u, where, line)
}

// Issue 12, part 2: the command table says which permission each verb
// needs, and the runner enforces it once.
func TestEveryVerbHasAPermission(t *testing.T) {
	e := newAlertEnv(t, storetest.Open(t))
	for _, v := range e.svc.Verbs() {
		if !v.Has {
			t.Errorf("verb %q has no permission in the command table (perms.go): it is refused to everyone", v.Verb)
		}
	}
	e.run("user add inc@x.example role=incentives-user")
	for _, tc := range []struct{ line, code string }{
		{"deal show 1", "forbidden"}, {"deal list", "forbidden"}, {"solution list", "forbidden"},
		{"user list", "forbidden"}, {"help", ""}, {"cpor list", ""},
	} {
		r := e.as("inc@x.example", slackHere, tc.line)
		if (tc.code == "") != r.OK() || (!r.OK() && r.Err.Code != tc.code) {
			t.Errorf("%s by an incentives user → %q, want code %q", tc.line, r.Text, tc.code)
		}
	}
}

// dealState is a deal as stored, its history and the outbox, to prove a
// refused command changed nothing.
type dealState struct {
	Deal    *deal.Deal
	History []ledger.Entry
	Outbox  int
}

func (e *env) stateOf(id int64) dealState {
	e.t.Helper()
	ctx := context.Background()
	d, err := e.st.GetDeal(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	h, err := e.st.History(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	rows, err := e.st.Outbox(ctx, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	return dealState{d, h, len(rows)}
}

var dealRef = regexp.MustCompile(`#?\b(\d+)\b`)

// Issue 12, part 2 and 8: every verb and every button, run by a user who
// may not see the deal, is refused exactly as for a deal that does not
// exist, and changes nothing: not the deal, not its history, not the
// outbox (not even an expiry that fell due).
func TestHiddenDealIsRefusedLikeAMissingOne(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newAlertEnv(t, st)
		e.seedCatalog()
		e.at(slackHere, access.LocalAdmin, "subscribe location=1000001")
		e.run("user add eve@contoso-partner.com role=referrals-user locations=1000001")
		e.run("user add inc@contoso-partner.com role=incentives-user")
		// #1 received (it will have expired by the time eve acts), #2 accepted, #3 won; all in 1000001, eve on none.
		e.run(`deal receive kind=ip customer=Fabrikam customer_location=SE location=1000001 from=microsoft name="Fabrikam BI" value=50000 close=2027-04-01 notes="BI" solution="Contoso Insight"`)
		e.run(`deal receive kind=ip customer=Litware customer_location=SE location=1000001 from="partner:Northwind" name="Litware BI" value=50000 close=2027-04-01 notes="BI" solution="Contoso Insight"`)
		e.run(`deal accept 2`)
		e.run(`deal new kind=ip name=Won customer=Contoso customer_location=FR account=managed location=1000001 value=30000 close=2027-01-01 notes=n solution="Contoso Insight" share=yes contact="Kim <kim@contoso.com> +33 1 00 00 00 00" consent=yes ` + team)
		e.run(`deal invite 3 microsoft help=technical`)

		// The buttons the bot offers on these deals, in replies and notices.
		var buttons []chat.Action
		ctx := context.Background()
		for id := int64(1); id <= 3; id++ {
			d, err := st.GetDeal(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			buttons = append(buttons, command.Next(d)...)
			buttons = append(buttons, remind.ReminderNotice(d, 24*time.Hour, e.clk.t).Actions...)
			buttons = append(buttons, remind.DecisionDueNotice(d).Actions...)
		}
		e.run("deal won 3")
		if d, _ := st.GetDeal(ctx, 3); true {
			buttons = append(buttons, command.Next(d)...)
		}
		e.clk.t = e.clk.t.Add(20 * 24 * time.Hour) // #1's 14 days ran out; no sweep ran

		// One line per verb that names a deal; a new such verb must add its line.
		lines := map[string]string{
			"deal show":        "deal show ID",
			"deal history":     "deal history ID",
			"deal accept":      "deal accept ID",
			"deal decline":     "deal decline ID reason=x",
			"deal edit":        "deal edit ID notes=x",
			"deal team add":    `deal team add ID "Eve <eve@contoso-partner.com> +33 1 23 45 67 89"`,
			"deal team remove": "deal team remove ID ana@contoso-partner.com",
			"deal stage":       "deal stage ID qualified",
			"deal won":         "deal won ID",
			"deal lost":        "deal lost ID reason=x",
			"deal error":       "deal error ID reason=x",
			"deal invite":      `deal invite ID partner=Northwind value=1000 close=2027-03-01 notes=n solution="Contoso Insight"`,
			"deal upgrade":     "deal upgrade ID cosell help=technical",
			"deal fav":         "deal fav ID",
			"deal register":    "deal register ID",
			"deal snooze":      "deal snooze ID until=2027-06-01",
		}
		var all []string
		for _, v := range e.svc.Verbs() {
			if len(v.Args) == 0 || v.Args[0] != "ID" || !strings.HasPrefix(v.Verb, "deal ") {
				continue
			}
			line, ok := lines[v.Verb]
			if !ok {
				t.Errorf("verb %q names a deal but this test has no line for it", v.Verb)
				continue
			}
			all = append(all, line)
		}
		all = append(all, "deal invite ID microsoft help=technical")
		for _, b := range buttons {
			line := dealRef.ReplaceAllString(b.Command, "ID")
			for _, k := range b.Ask {
				line += " " + k + "=x"
			}
			all = append(all, line)
		}
		all = slices.Compact(slices.Sorted(slices.Values(all)))
		for _, user := range []string{"eve@contoso-partner.com", "inc@contoso-partner.com"} {
			for id := int64(1); id <= 3; id++ {
				for _, line := range all {
					name := user + ": " + strings.ReplaceAll(line, "ID", strconv.FormatInt(id, 10))
					t.Run(name, func(t *testing.T) {
						before := e.stateOf(id)
						hidden := e.as(user, slackHere, strings.ReplaceAll(line, "ID", strconv.FormatInt(id, 10)))
						missing := e.as(user, slackHere, strings.ReplaceAll(line, "ID", "999"))
						if hidden.OK() {
							t.Fatalf("a user who may not see deal #%d ran %q: %s", id, line, hidden.Text)
						}
						norm := func(r command.Reply) string {
							b, _ := json.Marshal(r.Envelope())
							return strings.NewReplacer("#"+strconv.FormatInt(id, 10), "#N", "#999", "#N").Replace(string(b))
						}
						if norm(hidden) != norm(missing) {
							t.Errorf("refusals differ:\n hidden  %s\n missing %s", norm(hidden), norm(missing))
						}
						if after := e.stateOf(id); !reflect.DeepEqual(before, after) {
							t.Errorf("a refused command changed deal #%d:\n before %+v\n after  %+v", id, before, after)
						}
					})
				}
			}
		}
	})
}

// Issue 12, part 1: an action on a referral past its 14 days stores the
// expiry once (dated when it happened, with its news) and is refused
// saying when it expired.
func TestActionOnExpiredReferralRecordsTheExpiryOnce(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newAlertEnv(t, st)
		e.at(slackHere, access.LocalAdmin, "subscribe location=1234567")
		e.run(`deal receive kind=services customer=Fabrikam customer_location=SE location=1234567 from=microsoft`)
		expires := start.Add(deal.ReferralWindow)
		e.clk.t = expires.Add(3 * 24 * time.Hour) // the sweep was down
		for _, line := range []string{`deal accept 1 name=x value=1 close=2027-01-01 notes=n`, "deal decline 1 reason=late", "deal edit 1 notes=x"} {
			r := e.at(slackHere, access.LocalAdmin, line)
			if r.OK() || r.Err.Code != "invalid" || !strings.Contains(r.Text, "expired on "+expires.Format(time.DateOnly)) {
				t.Errorf("%s → %q; want refused as expired on %s", line, r.Text, expires.Format(time.DateOnly))
			}
		}
		h, _ := st.History(context.Background(), 1)
		var expiries []ledger.Entry
		for _, en := range h {
			if en.Action == "expired" {
				expiries = append(expiries, en)
			}
		}
		if len(expiries) != 1 || !expiries[0].At.Equal(expires) || expiries[0].Actor != command.ClockActor {
			t.Fatalf("expiry entries %+v; want one, at %s", expiries, expires)
		}
		rows, _ := st.Outbox(context.Background(), 100)
		n := 0
		for _, row := range rows {
			if row.Kind == remind.KindExpired {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d expiry notices, want 1", n)
		}
		if rep, err := remind.NewSweeper(st, remind.DefaultConfig(), nil).Run(context.Background(), e.clk.t); err != nil || strings.Contains(strings.Join(rep.Lines, "\n"), "expired: deal #1") {
			t.Errorf("the sweep expired deal #1 again: %v %v", rep.Lines, err)
		}
		if r := e.run("deal show 1"); !strings.Contains(r.Text, "Status: Expired") {
			t.Errorf("deal show: %s", r.Text)
		}
	})
}

// Issue 12, part 1: Microsoft's answer after its window is refused in chat,
// and the lapse is recorded dated at the window's end.
func TestMicrosoftAnswerAfterWindowRefusedInChat(t *testing.T) {
	e := newAlertEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`deal new kind=ip name=W customer=Contoso customer_location=FR account=managed location=1000001 value=30000 close=2027-06-01 notes=n solution="Contoso Insight" help=technical contact="Kim <kim@contoso.com> +33 1 00 00 00 00" consent=yes ` + team)
	due := start.Add(deal.MicrosoftDecisionWindow)
	e.clk.t = due.Add(time.Hour)
	r := e.svc.Run(context.Background(), access.LocalAdmin, here, "deal edit 1 microsoft=accepted")
	if r.OK() || r.Err.Rule != "microsoft_window_closed" || !strings.Contains(r.Text, due.Format(time.DateOnly)) {
		t.Fatalf("late Microsoft answer → %+v %q", r.Err, r.Text)
	}
	h, _ := e.st.History(context.Background(), 1)
	if last := h[len(h)-1]; last.Action != "microsoft_lapsed" || !last.At.Equal(due) {
		t.Errorf("history ends %+v, want the lapse at %s", last, due)
	}
}

// Issue 12, part 4: one unit per quantity in JSON: amounts in units with
// their currency (an invited partner's too), dates YYYY-MM-DD, moments
// RFC 3339 UTC, and nothing nobody set.
func TestJSONOneUnitPerQuantity(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`deal new kind=ip name=P customer=Contoso customer_location=FR account=managed location=1000001 value=48000 currency=EUR close=2027-06-01 notes=n solution="Contoso Insight" ` + team)
	r := e.run(`deal invite 1 partner=Northwind value=20000 close=2027-03-01 notes=n solution="Azure OpenAI"`)
	raw, err := json.Marshal(r.Envelope())
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Data struct {
			Deal map[string]any `json:"deal"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatal(err)
	}
	d := env.Data.Deal
	inv := d["partners"].([]any)[0].(map[string]any)
	stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
	date := regexp.MustCompile(`^\d{4}-\d\d-\d\d$`)
	tests := []struct {
		name string
		ok   bool
		got  any
	}{
		{"one unit: deal value in units", d["value"] == 48000.0, d["value"]},
		{"one unit: invited value in units, like the deal's", inv["value"] == 20000.0, inv["value"]},
		{"one unit: invited value has its currency", inv["currency"] == "EUR", inv["currency"]},
		{"one unit: close date is a date", date.MatchString(d["close_date"].(string)), d["close_date"]},
		{"one unit: invited close date is a date", date.MatchString(inv["close_date"].(string)), inv["close_date"]},
		{"one unit: invited_at is RFC 3339 UTC", stamp.MatchString(inv["invited_at"].(string)), inv["invited_at"]},
		{"one unit: created_at is RFC 3339 UTC", stamp.MatchString(d["created_at"].(string)), d["created_at"]},
		{"one unit: updated_at is RFC 3339 UTC", stamp.MatchString(d["updated_at"].(string)), d["updated_at"]},
		{"nothing unset shown: no help on an invitation nobody asked help for", inv["help"] == nil, inv["help"]},
		{"sale type kept: inviting a partner leaves a private deal private", d["sale_type"] == "private", d["sale_type"]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.ok {
				t.Errorf("got %v", tc.got)
			}
		})
	}
	if strings.Contains(r.Text, "help: other") {
		t.Errorf("reply shows help nobody set: %s", r.Text)
	}
	rec := e.run(`deal receive kind=services customer=F customer_location=SE location=1000001 from=microsoft`)
	b, _ := json.Marshal(rec.Envelope())
	if strings.Contains(string(b), `"help"`) {
		t.Errorf("a received referral shows a help nobody asked: %s", b)
	}
	for _, v := range []string{"expires_at", "received_at"} {
		m := regexp.MustCompile(`"` + v + `":"([^"]+)"`).FindStringSubmatch(string(b))
		if m == nil || !stamp.MatchString(m[1]) {
			t.Errorf("%s = %v, want RFC 3339 UTC", v, m)
		}
	}
}

// Issue 12, part 3: nothing adds a solution to an SA deal, in chat either.
func TestSADealTakesNoOtherSolutionInChat(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`deal new kind=sa name=R customer=N customer_location=US location=1000001 value=15000 close=2027-01-31 notes=n assessment="Readiness Assessment" assessment_location=US contact="Eva Kund <eva@kund.example> +46 70 111 22 33" consent=yes ` + team)
	for _, tc := range []struct{ line, rule string }{
		{`deal invite 1 partner=Northwind value=1000 close=2027-01-01 notes=n solution="Azure OpenAI"`, "assessment_no_other_solution"},
		{`deal edit 1 solution="Azure OpenAI"`, "assessment_solution_fixed"},
	} {
		r := e.svc.Run(context.Background(), access.LocalAdmin, here, tc.line)
		if r.OK() || r.Err.Rule != tc.rule {
			t.Errorf("%s → %q, want rule %s", tc.line, r.Text, tc.rule)
		}
	}
	if r := e.run("deal show 1"); len(r.Data["deal"].(command.DealView).Solutions) != 1 {
		t.Errorf("SA deal solutions: %+v", r.Data["deal"].(command.DealView).Solutions)
	}
}

// Issue 12, part 6: replies never claim that someone is notified when
// nothing is sent; a referral recorded by hand says who should be told.
func TestHonestRepliesInChat(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.run(`deal receive kind=services customer=F customer_location=SE location=1000001 from="partner:Litware"`)
	r := e.run("deal decline 1 reason=busy")
	if strings.Contains(r.Text, "is notified") || !strings.Contains(r.Text, "nothing reaches partner Litware: tell them yourself") {
		t.Errorf("decline reply: %s", r.Text)
	}
}

// Issue 12, part 7: each admin manages its own roles; a referrals user's
// scope must be said.
func TestAdminsManageTheirOwnRoles(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.run("user add ria@x.example role=referrals-admin")
	e.run("user add ina@x.example role=incentives-admin")
	e.run("user add dual@x.example role=referrals-user,incentives-user locations=1000001")
	tests := []struct {
		name, by, line, code, rule string
	}{
		{"roles: incentives admin cannot grant referrals-admin", "ina@x.example", "user add bob@x.example role=referrals-admin", "forbidden", ""},
		{"roles: incentives admin cannot grant referrals-user", "ina@x.example", "user add bob@x.example role=referrals-user locations=global", "forbidden", ""},
		{"roles: referrals admin cannot grant incentives-user", "ria@x.example", "user add bob@x.example role=incentives-user", "forbidden", ""},
		{"roles: a referrals user needs locations=", "ria@x.example", "user add bob@x.example role=referrals-user", "invalid", "locations_required"},
		{"roles: locations=global is explicit", "ria@x.example", "user add bob@x.example role=referrals-user locations=global", "", ""},
		{"roles: locations=LOC is a scope", "ria@x.example", "user add cy@x.example role=referrals-user locations=1000001", "", ""},
		{"roles: incentives admin grants incentives-user", "ina@x.example", "user add bob@x.example role=incentives-user", "", ""},
		{"roles: incentives admin cannot remove a referrals-only user", "ina@x.example", "user remove cy@x.example", "forbidden", ""},
		{"roles: referrals admin removes only the referrals role", "ria@x.example", "user remove dual@x.example", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.as(tc.by, here, tc.line)
			if tc.code == "" && !r.OK() || tc.code != "" && (r.OK() || r.Err.Code != tc.code || (tc.rule != "" && r.Err.Rule != tc.rule)) {
				t.Errorf("%s → %q", tc.line, r.Text)
			}
		})
	}
	ctx := context.Background()
	bob, _ := e.st.User(ctx, "bob@x.example")
	if !bob.Has(access.ReferralsUser) || !bob.Has(access.IncentivesUser) || !bob.Global {
		t.Errorf("bob = %+v: the incentives admin's grant must keep the referrals role and its scope", bob)
	}
	dual, _ := e.st.User(ctx, "dual@x.example")
	if dual.Has(access.ReferralsUser) || !dual.Has(access.IncentivesUser) {
		t.Errorf("dual = %+v: want the incentives role kept, the referrals one removed", dual)
	}
	// An admin of both families (the local shell) granting CPOR work keeps
	// the salesperson's deal role and scope; it replaced every role.
	e.run("user add cy@x.example role=incentives-admin")
	if cy, _ := e.st.User(ctx, "cy@x.example"); !cy.Has(access.ReferralsUser) || !cy.Has(access.IncentivesAdmin) || cy.Global || !slices.Equal(cy.Locations, []string{"1000001"}) {
		t.Errorf("cy = %+v: want referrals-user at 1000001 kept beside incentives-admin", cy)
	}
	// Within one family the grant replaces: a referrals user made admin.
	e.run("user add cy@x.example role=referrals-admin")
	if cy, _ := e.st.User(ctx, "cy@x.example"); cy.Has(access.ReferralsUser) || !cy.Has(access.ReferralsAdmin) || !cy.Has(access.IncentivesAdmin) || !cy.Global {
		t.Errorf("cy = %+v: want referrals-admin in place of referrals-user, incentives-admin kept", cy)
	}
}

// Issue 12, part 7: deal edit account=managed records the account match of
// an "other" account, with history, and the deal becomes registrable on
// that count.
func TestAccountMatchInChat(t *testing.T) {
	e := newEnv(t, storetest.Open(t))
	e.seedCatalog()
	e.run(`deal new kind=ip name=D customer=Duns customer_location=FR account=other location=1000001 value=30000 close=2027-01-01 notes=n solution="Contoso Insight" share=yes ` + team)
	e.clk.t = start.Add(96 * time.Hour)
	e.run("deal won 1")
	e.run("deal edit 1 account=managed")
	h, _ := e.st.History(context.Background(), 1)
	if last := h[len(h)-1]; !strings.Contains(last.Detail, "matched to a Microsoft managed account") {
		t.Errorf("history ends %+v", last)
	}
	r := e.run("deal register 1")
	if !r.Data["registration"].(deal.Eligibility).Eligible {
		t.Errorf("not registrable after the match: %s", r.Text)
	}
	if r := e.svc.Run(context.Background(), access.LocalAdmin, here, "deal edit 1 account=unmanaged"); r.OK() {
		t.Errorf("account=unmanaged accepted: %s", r.Text)
	}
}

// Issue 12, parts 1 and 5: a customer's decline after their window, typed
// in chat, records the claim official once (dated when the window closed)
// and is refused naming the customer's last day to decline.
func TestCPORDeclineAfterWindowInChat(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := newAlertEnv(t, st)
		e.run("cpor claim customer=" + tenant + " country=US engagement=modern-work workload=Teams")
		e.clk.t = time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
		e.run("cpor confirm 1 notified=2026-11-23") // a Monday in New York: 24, 25, 27, 30 Nov and 1 Dec (Thanksgiving on the 26th)
		cl, err := st.GetClaim(context.Background(), 1)
		if err != nil {
			t.Fatal(err)
		}
		last := "2026-12-01"
		if got := cl.OfficialAt.Add(-time.Hour).In(time.FixedZone("EST", -5*3600)).Format(time.DateOnly); got != last {
			t.Fatalf("window ends after %s, want after %s (official at %s)", got, last, cl.OfficialAt)
		}
		e.clk.t = cl.OfficialAt.Add(2 * 24 * time.Hour)
		r := e.at(slackHere, access.LocalAdmin, "cpor decline 1 reason=late")
		if r.OK() || r.Err.Rule != "window_closed" || !strings.Contains(r.Text, "last day to decline was "+last) {
			t.Fatalf("late decline → %q; want refused naming %s", r.Text, last)
		}
		h, _ := st.ClaimHistory(context.Background(), 1)
		n := 0
		for _, en := range h {
			if en.Action == "official" {
				n++
				if !en.At.Equal(cl.OfficialAt) {
					t.Errorf("official dated %s, want %s", en.At, cl.OfficialAt)
				}
			}
		}
		if n != 1 {
			t.Errorf("%d official entries, want 1", n)
		}
		if r := e.at(slackHere, access.LocalAdmin, "cpor decline 1 reason=late"); r.OK() {
			t.Errorf("second late decline taken")
		}
		if h2, _ := st.ClaimHistory(context.Background(), 1); len(h2) != len(h) {
			t.Errorf("a second refusal wrote history")
		}
	})
}

// cpor confirm's notified= reads dates as deal dates do, and today is the
// customer's today: at 03:00 UTC on 24 November it is still the 23rd in
// New York. A date with slashes is refused with its ISO readings, and
// changes nothing.
func TestCPORConfirmNotifiedDates(t *testing.T) {
	e := newAlertEnv(t, storetest.Open(t))
	e.run("cpor claim customer=" + tenant + " country=US engagement=modern-work workload=Teams")
	e.clk.t = time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	r := e.at(slackHere, access.LocalAdmin, "cpor confirm 1 notified=11/23/2026")
	if r.OK() || !strings.Contains(r.Text, "2026-11-23") {
		t.Fatalf("notified=11/23/2026 → %q; want refused, offering 2026-11-23", r.Text)
	}
	if cl, err := e.st.GetClaim(t.Context(), 1); err != nil || !cl.NotifiedAt.IsZero() {
		t.Fatalf("a refused confirm changed the claim: %+v, %v", cl, err)
	}
	e.run("cpor confirm 1 notified=today")
	cl, err := e.st.GetClaim(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := cl.NotifiedAt.In(cpor.Zone("US")).Format(time.DateOnly); got != "2026-11-23" {
		t.Fatalf("notified=today recorded %s (%s), want 2026-11-23, New York's today", got, cl.NotifiedAt)
	}
}
