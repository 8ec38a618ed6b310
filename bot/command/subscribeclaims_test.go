package command_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// TestSubscribeClaims: kind=cpor routes CPOR claim news, after MayRoute's
// pattern: an incentives role for one's own direct messages, a referrals or
// incentives admin for a channel; claims have no location (vis #11).
func TestSubscribeClaims(t *testing.T) {
	e := newAlertEnv(t, storetest.Open(t))
	e.run(`user add vic@contoso.com role=incentives-user`)
	e.run(`user add ina@contoso.com role=incentives-admin`)
	e.run(`user add ana@contoso.com role=referrals-user locations=1111111`)
	e.run(`user add rad@contoso.com role=referrals-admin`)
	who := func(id string) access.User {
		u, err := e.svc.Resolve(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	vicDM := chat.Place{Platform: "slack", Channel: "D0VIC0001"}
	anaDM := chat.Place{Platform: "slack", Channel: "D0ANA0001"}
	channel := chat.Place{Platform: "slack", Channel: "C0CLAIMS1"}

	if r := e.at(vicDM, who("vic@contoso.com"), "subscribe"); !r.OK() || !strings.Contains(r.Text, "subscribe kind=cpor") {
		t.Errorf("an incentives user's empty list should say how to subscribe to claims: %q %+v", r.Text, r.Err)
	}
	for _, tc := range []struct {
		name  string
		where chat.Place
		who   string
		line  string
		code  string // "" when subscribed
		field string
		says  string
	}{
		{"an incentives user, her DM", vicDM, "vic@contoso.com", "subscribe kind=cpor", "", "", "Subscribed slack:D0VIC0001: CPOR claim news. CPOR claim news goes there"},
		{"case does not matter", vicDM, "vic@contoso.com", "subscribe #D0VIC0001 kind=CPOR", "exists", "", "subscribed already"},
		{"an incentives user, a channel", channel, "vic@contoso.com", "subscribe kind=cpor", "forbidden", "", "needs a referrals or incentives admin"},
		{"a referrals user, her DM", anaDM, "ana@contoso.com", "subscribe kind=cpor", "forbidden", "", "no incentives role"},
		{"claims have no location", vicDM, "vic@contoso.com", "subscribe kind=cpor location=1111111", "invalid", "location", "no deal location"},
		{"cpor is no location", anaDM, "ana@contoso.com", "subscribe location=cpor", "invalid", "location", "subscribe kind=cpor"},
		{"a wrong kind names cpor too", anaDM, "ana@contoso.com", "subscribe kind=enterprise", "invalid", "kind", "kind=cpor for CPOR claim news"},
		{"an incentives admin, a channel", channel, "ina@contoso.com", "subscribe kind=cpor", "", "", "Subscribed slack:C0CLAIMS1: CPOR claim news"},
		{"a referrals admin, a channel", chat.Place{Platform: "slack", Channel: "C0CLAIMS2"}, "rad@contoso.com", "subscribe kind=cpor", "", "", "CPOR claim news"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.at(tc.where, who(tc.who), tc.line)
			switch {
			case tc.code == "" && !r.OK():
				t.Fatalf("%s: refused %+v", tc.line, r.Err)
			case tc.code == "" && !strings.Contains(r.Text, tc.says):
				t.Errorf("%s: %q, want %q", tc.line, r.Text, tc.says)
			case tc.code != "" && (r.OK() || r.Err.Code != tc.code || r.Err.Field != tc.field && !hasProblem(r.Err, tc.field) || !strings.Contains(r.Err.Message+problemText(r.Err), tc.says)):
				t.Errorf("%s: %+v, want %s on %q saying %q", tc.line, r.Err, tc.code, tc.field, tc.says)
			}
		})
	}
	// subscribe alone lists them: hers to her, every claim route to an
	// incentives admin.
	r := e.at(vicDM, who("vic@contoso.com"), "subscribe")
	if !r.OK() || !strings.Contains(r.Text, "1 subscription:\nslack:D0VIC0001: CPOR claim news") {
		t.Errorf("vic's list: %q", r.Text)
	}
	r = e.at(channel, who("ina@contoso.com"), "subscribe")
	if !r.OK() || len(r.Data["subscriptions"].([]command.SubscriptionView)) != 3 {
		t.Errorf("an incentives admin's list: %q", r.Text)
	}
}

// TestOrphanSubscriptionsAreShown: a channel subscribed by a referrals
// admin who is later removed keeps its deal news (by design), and the list
// says so and how to end or take it over; subscribing it again takes it
// over (vis #7).
func TestOrphanSubscriptionsAreShown(t *testing.T) {
	e := newAlertEnv(t, storetest.Open(t))
	e.run(`user add rad@contoso.com role=referrals-admin,incentives-admin`)
	e.run(`user add ana@contoso.com role=referrals-user locations=3333333`)
	rad, err := e.svc.Resolve(context.Background(), "rad@contoso.com")
	if err != nil {
		t.Fatal(err)
	}
	c4444 := chat.Place{Platform: "slack", Channel: "C4444AAAA"}
	for _, line := range []string{"subscribe location=3333333", "subscribe kind=cpor"} {
		if r := e.at(c4444, rad, line); !r.OK() {
			t.Fatalf("%s: %+v", line, r.Err)
		}
	}
	if r := e.at(c4444, access.LocalAdmin, "subscribe"); strings.Contains(r.Text, "no longer a user") {
		t.Errorf("a subscription of a user is marked as orphaned:\n%s", r.Text)
	}
	e.run(`user remove rad@contoso.com`)
	r := e.at(c4444, access.LocalAdmin, "subscribe")
	for _, want := range []string{
		"slack:C4444AAAA: location 3333333, every kind (made by rad@contoso.com, no longer a user: unsubscribe or subscribe again to take it over)",
		"slack:C4444AAAA: CPOR claim news (made by rad@contoso.com, no longer a user, so it gets no claim news: unsubscribe or subscribe again to take it over)",
	} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("the list lacks %q:\n%s", want, r.Text)
		}
	}
	for _, v := range r.Data["subscriptions"].([]command.SubscriptionView) {
		if !v.MakerGone {
			t.Errorf("%+v: maker_gone not set", v)
		}
	}
	// Taking it over: the new maker's, no longer marked.
	r = e.at(c4444, access.LocalAdmin, "subscribe location=3333333")
	if !r.OK() || !strings.Contains(r.Text, "Took over slack:C4444AAAA: location 3333333, every kind from rad@contoso.com") {
		t.Fatalf("taking over: %q %+v", r.Text, r.Err)
	}
	r = e.at(c4444, access.LocalAdmin, "subscribe")
	if !strings.Contains(r.Text, "slack:C4444AAAA: location 3333333, every kind\n") && !strings.HasSuffix(r.Text, "slack:C4444AAAA: location 3333333, every kind") {
		t.Errorf("the taken-over subscription is still marked:\n%s", r.Text)
	}
	for _, v := range r.Data["subscriptions"].([]command.SubscriptionView) {
		if v.Location == "3333333" && (v.MakerGone || v.CreatedBy != access.LocalAdmin.ID) {
			t.Errorf("after taking over: %+v", v)
		}
	}
	// A subscription of a user is not taken over: it is there already.
	if r := e.at(c4444, access.LocalAdmin, "subscribe location=3333333"); r.OK() || r.Err.Code != "exists" {
		t.Errorf("subscribing again what a user made: %+v", r)
	}
	// Unsubscribing the orphan ends it.
	if r := e.at(c4444, access.LocalAdmin, "unsubscribe kind=cpor"); !r.OK() {
		t.Errorf("unsubscribing the orphan: %+v", r.Err)
	}
}

func hasProblem(f *command.Failure, field string) bool {
	for _, p := range f.Problems {
		if p.Field == field {
			return true
		}
	}
	return false
}

func problemText(f *command.Failure) string {
	var b strings.Builder
	for _, p := range f.Problems {
		b.WriteString(" " + p.Message)
	}
	return b.String()
}

// A direct message named from elsewhere may be someone else's: nobody
// subscribes or unsubscribes it but from inside it.
func TestNobodySubscribesAnotherPersonsDM(t *testing.T) {
	e := newAlertEnv(t, storetest.Open(t))
	e.run(`user add ana@contoso.com role=referrals-user locations=1111111`)
	ana, err := e.svc.Resolve(context.Background(), "ana@contoso.com")
	if err != nil {
		t.Fatal(err)
	}
	anaDM := chat.Place{Platform: "slack", Channel: "D0ANA0001"}
	for _, line := range []string{"subscribe D0BOB12345 location=1111111", "unsubscribe D0BOB12345", "subscribe slack:D0BOB12345"} {
		for _, who := range []access.User{ana, access.LocalAdmin} {
			if r := e.at(anaDM, who, line); r.OK() || !strings.Contains(r.Text, "a person's direct messages") {
				t.Errorf("%s by %s: %q", line, who.ID, r.Text)
			}
		}
	}
	if r := e.at(anaDM, ana, "subscribe location=1111111"); !r.OK() {
		t.Errorf("her own DM: %q", r.Text)
	}
}
