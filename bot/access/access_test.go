package access

import (
	"errors"
	"slices"
	"testing"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/deal"
)

// parisDeal is a deal in location "contoso-fr-01" whose team is Alice, with
// Nils on an invited partner's team.
func parisDeal() *deal.Deal {
	return &deal.Deal{
		Location: "contoso-fr-01",
		Team:     []deal.Person{{Name: "Alice", Email: "alice@contoso.com", Phone: "+33 1 23 45 67 89"}},
		Partners: []deal.Invitation{{Partner: "Northwind", Team: []deal.Person{{Name: "Nils", Email: "nils@northwind.se", Phone: "+46 70 123 45 67"}}}},
	}
}

// TestCanSee is DOMAIN.md "Roles": a location-scoped referrals user sees a
// deal only if it is in the location AND they are on its team; admins and
// global users see every deal.
func TestCanSee(t *testing.T) {
	tests := []struct {
		name string
		user User
		want bool
	}{
		{name: "referrals admin sees all, whatever the location", user: User{ID: "boss@contoso.com", Roles: []Role{ReferralsAdmin}}, want: true},
		{name: "referrals admin with another location scope still sees all", user: User{ID: "boss@contoso.com", Roles: []Role{ReferralsAdmin}, Locations: []string{"contoso-se-01"}}, want: true},
		{name: "global referrals user sees all, even off the team", user: User{ID: "eve@contoso.com", Roles: []Role{ReferralsUser}, Global: true}, want: true},
		{name: "location user sees a deal in the location when on the team", user: User{ID: "alice@contoso.com", Roles: []Role{ReferralsUser}, Locations: []string{"contoso-fr-01"}}, want: true},
		{name: "location user: location and e-mail match case-insensitively", user: User{ID: "ALICE@Contoso.com", Roles: []Role{ReferralsUser}, Locations: []string{"CONTOSO-FR-01"}}, want: true},
		{name: "location user on an invited partner's team sees the deal", user: User{ID: "nils@northwind.se", Roles: []Role{ReferralsUser}, Locations: []string{"contoso-fr-01"}}, want: true},
		{name: "location user in the location but not on the team sees nothing", user: User{ID: "eve@contoso.com", Roles: []Role{ReferralsUser}, Locations: []string{"contoso-fr-01"}}, want: false},
		{name: "location user on the team but in another location sees nothing", user: User{ID: "alice@contoso.com", Roles: []Role{ReferralsUser}, Locations: []string{"contoso-se-01"}}, want: false},
		{name: "location user with no location scope sees nothing", user: User{ID: "alice@contoso.com", Roles: []Role{ReferralsUser}}, want: false},
		{name: "location user with several scopes sees the deal in one of them", user: User{ID: "alice@contoso.com", Roles: []Role{ReferralsUser}, Locations: []string{"contoso-se-01", "contoso-fr-01"}}, want: true},
		{name: "incentives-only user sees no deal", user: User{ID: "alice@contoso.com", Roles: []Role{IncentivesUser}, Locations: []string{"contoso-fr-01"}}, want: false},
		{name: "incentives admin sees no deal, even with global scope", user: User{ID: "alice@contoso.com", Roles: []Role{IncentivesAdmin}, Global: true}, want: false},
		{name: "user without roles sees no deal", user: User{ID: "alice@contoso.com", Global: true}, want: false},
		{name: "local admin sees all", user: LocalAdmin, want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.user.CanSee(parisDeal()); got != tc.want {
				t.Errorf("CanSee = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestInLocation(t *testing.T) {
	tests := []struct {
		name string
		user User
		loc  string
		want bool
	}{
		{name: "InLocation: referrals admin covers every location", user: User{Roles: []Role{ReferralsAdmin}}, loc: "anywhere", want: true},
		{name: "InLocation: global user covers every location", user: User{Roles: []Role{ReferralsUser}, Global: true}, loc: "anywhere", want: true},
		{name: "InLocation: scoped user covers its location", user: User{Roles: []Role{ReferralsUser}, Locations: []string{"contoso-fr-01"}}, loc: "contoso-fr-01", want: true},
		{name: "InLocation: scope matches case-insensitively", user: User{Roles: []Role{ReferralsUser}, Locations: []string{"Contoso-FR-01"}}, loc: "contoso-fr-01", want: true},
		{name: "InLocation: scoped user does not cover another location", user: User{Roles: []Role{ReferralsUser}, Locations: []string{"contoso-fr-01"}}, loc: "contoso-se-01", want: false},
		{name: "InLocation: no scope covers nothing", user: User{Roles: []Role{ReferralsUser}}, loc: "contoso-fr-01", want: false},
		{name: "InLocation: incentives admin is not a referrals admin", user: User{Roles: []Role{IncentivesAdmin}}, loc: "contoso-fr-01", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.user.InLocation(tc.loc); got != tc.want {
				t.Errorf("InLocation(%q) = %v, want %v", tc.loc, got, tc.want)
			}
		})
	}
}

func TestAdminAndReferrals(t *testing.T) {
	tests := []struct {
		roles            []Role
		admin, referrals bool
	}{
		{[]Role{ReferralsAdmin}, true, true},
		{[]Role{IncentivesAdmin}, true, false},
		{[]Role{ReferralsUser}, false, true},
		{[]Role{IncentivesUser}, false, false},
		{[]Role{ReferralsUser, IncentivesUser}, false, true},
		{nil, false, false},
	}
	for _, tc := range tests {
		u := User{Roles: tc.roles}
		t.Run("Admin and Referrals for roles "+joinRoles(tc.roles), func(t *testing.T) {
			if u.Admin() != tc.admin || u.Referrals() != tc.referrals {
				t.Errorf("Admin() = %v, Referrals() = %v; want %v, %v", u.Admin(), u.Referrals(), tc.admin, tc.referrals)
			}
		})
	}
}

func joinRoles(rs []Role) string {
	s := ""
	for i, r := range rs {
		if i > 0 {
			s += ","
		}
		s += string(r)
	}
	if s == "" {
		return "none"
	}
	return s
}

func TestParseRoles(t *testing.T) {
	tests := []struct {
		name    string
		in      []string
		want    []Role
		wantErr bool
	}{
		{name: "ParseRoles: one role", in: []string{"referrals-user"}, want: []Role{ReferralsUser}},
		{name: "ParseRoles: several roles in order", in: []string{"referrals-admin", "incentives-user"}, want: []Role{ReferralsAdmin, IncentivesUser}},
		{name: "ParseRoles: all four roles", in: []string{"referrals-admin", "referrals-user", "incentives-admin", "incentives-user"}, want: Roles},
		{name: "ParseRoles: case and spaces are ignored", in: []string{" Referrals-Admin ", "INCENTIVES-USER"}, want: []Role{ReferralsAdmin, IncentivesUser}},
		{name: "ParseRoles: duplicates are dropped", in: []string{"referrals-user", "referrals-user"}, want: []Role{ReferralsUser}},
		{name: "ParseRoles: unknown role is refused", in: []string{"referrals-user", "superuser"}, wantErr: true},
		{name: "ParseRoles: empty role is refused", in: []string{""}, wantErr: true},
		{name: "ParseRoles: no role is refused", in: nil, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseRoles(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseRoles(%q) = %v, %v; want error %v", tc.in, got, err, tc.wantErr)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("ParseRoles(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestDeny(t *testing.T) {
	err := Deny("referrals-user needed to %s", "edit deals")
	var d *Denied
	if !errors.As(err, &d) || d.Reason != "referrals-user needed to edit deals" {
		t.Fatalf("Deny = %#v", err)
	}
	if err.Error() != "not allowed: referrals-user needed to edit deals" {
		t.Errorf("Error() = %q", err.Error())
	}
	if !(User{Roles: []Role{ReferralsUser}}).Has(ReferralsUser) || (User{}).Has(ReferralsUser) {
		t.Errorf("Has is wrong")
	}
}

// Issue 12, part 2: Decide is the one rule of what a user may see and do;
// a hidden deal is refused with the words of a missing one.
func TestDecideOneRule(t *testing.T) {
	d := parisDeal()
	d.ID = 7
	tests := []struct {
		name      string
		user      User
		perm      Permission
		wantErr   bool
		wantHides bool
	}{
		{"decide: on the team in the location", User{ID: "alice@contoso.com", Roles: []Role{ReferralsUser}, Locations: []string{"contoso-fr-01"}}, Deals, false, false},
		{"decide: off the team the deal is hidden", User{ID: "eve@contoso.com", Roles: []Role{ReferralsUser}, Locations: []string{"contoso-fr-01"}}, Deals, true, true},
		{"decide: no referrals role is forbidden, before visibility", User{ID: "inc@contoso.com", Roles: []Role{IncentivesUser}}, Deals, true, false},
		{"decide: a verb without a permission is refused", LocalAdmin, "", true, false},
		{"decide: anyone may ask for help", User{ID: "x@contoso.com"}, Anyone, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			target := d
			if tc.perm == Anyone {
				target = nil
			}
			err := Decide(tc.user, tc.perm, target)
			var hidden *Hidden
			if (err != nil) != tc.wantErr || errors.As(err, &hidden) != tc.wantHides {
				t.Fatalf("Decide = %v; want error %v, hidden %v", err, tc.wantErr, tc.wantHides)
			}
			if tc.wantHides && err.Error() != NoDeal(7) {
				t.Errorf("hidden reads %q, want %q like a missing deal", err, NoDeal(7))
			}
		})
	}
}

// Issue 12, part 7: each admin role manages its own family of roles.
func TestAdminManagesItsOwnRoles(t *testing.T) {
	ref := User{ID: "r@x", Roles: []Role{ReferralsAdmin}}
	inc := User{ID: "i@x", Roles: []Role{IncentivesAdmin}}
	tests := []struct {
		name string
		by   User
		role Role
		want bool
	}{
		{"roles: referrals admin grants referrals-admin", ref, ReferralsAdmin, true},
		{"roles: referrals admin grants referrals-user", ref, ReferralsUser, true},
		{"roles: referrals admin cannot grant incentives-user", ref, IncentivesUser, false},
		{"roles: incentives admin cannot grant referrals-admin", inc, ReferralsAdmin, false},
		{"roles: incentives admin grants incentives-admin", inc, IncentivesAdmin, true},
		{"roles: a referrals user grants nothing", User{Roles: []Role{ReferralsUser}}, ReferralsUser, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.by.MayGrant(tc.role); got != tc.want {
				t.Errorf("MayGrant(%s) = %v, want %v", tc.role, got, tc.want)
			}
		})
	}
}

// Issue 12, part 2: a channel needs a referrals admin, a person's own
// direct messages only a role; news reaches a subscriber only about what
// they may see.
func TestSubscriptionsRouteOnlyWhatTheSubscriberMaySee(t *testing.T) {
	scoped := User{ID: "eve@contoso.com", Roles: []Role{ReferralsUser}, Locations: []string{"contoso-fr-01"}}
	alice := User{ID: "alice@contoso.com", Roles: []Role{ReferralsUser}, Locations: []string{"contoso-fr-01"}}
	admin := User{ID: "boss@contoso.com", Roles: []Role{ReferralsAdmin}}
	channel := chat.Place{Platform: "slack", Channel: "C0SALES01"}
	dm := chat.Place{Platform: "slack", Channel: "D0EVE0001"}
	route := []struct {
		name  string
		user  User
		place chat.Place
		ok    bool
	}{
		{"subscribe: a scoped user may not route a channel", scoped, channel, false},
		{"subscribe: a scoped user routes their own DM", scoped, dm, true},
		{"subscribe: a referrals admin routes a channel", admin, channel, true},
		{"subscribe: the shell is its user's own", scoped, chat.Place{Platform: "shell", Channel: "local"}, true},
		{"subscribe: a Discord channel is a channel", scoped, chat.Place{Platform: "discord", Channel: "123456789012345678"}, false},
		{"subscribe: no role, no subscription", User{ID: "x@x"}, dm, false},
		// Deal news reaches only who may see deals: kept, it was dead.
		{"subscribe: an incentives role alone sees no deal news", User{ID: "ivy@contoso.com", Roles: []Role{IncentivesUser}}, dm, false},
		{"subscribe: an incentives admin routes no deal news", User{ID: "ian@contoso.com", Roles: []Role{IncentivesAdmin}}, channel, false},
	}
	for _, tc := range route {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.user.MayRoute(tc.place); (err == nil) != tc.ok {
				t.Errorf("MayRoute = %v, want ok %v", err, tc.ok)
			}
		})
	}
	d := parisDeal()
	news := []struct {
		name  string
		maker *User
		place chat.Place
		claim bool
		want  bool
	}{
		{"news: a scoped subscriber off the team gets nothing of the deal", &scoped, dm, false, false},
		{"news: a subscriber on the team gets it", &alice, dm, false, true},
		{"news: an admin's channel gets it", &admin, channel, false, true},
		{"news: a DM whose maker is gone gets nothing", nil, dm, false, false},
		{"news: a channel whose maker is gone keeps its news", nil, channel, false, true},
		{"news: claim news not to a referrals user", &alice, dm, true, false},
	}
	for _, tc := range news {
		t.Run(tc.name, func(t *testing.T) {
			if got := Receives(tc.maker, tc.place, tc.claim, d); got != tc.want {
				t.Errorf("Receives = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestPersonalAndRouting: a person's own direct messages with the bot are
// recognised on each platform, and a person with a role may subscribe them
// but not a channel.
func TestPersonalAndRouting(t *testing.T) {
	t.Parallel()
	seller := User{ID: "bo@partner.example", Roles: []Role{ReferralsUser}}
	for _, c := range []struct {
		place    chat.Place
		personal bool
	}{
		{chat.Place{Platform: "slack", Channel: "D0123"}, true},
		{chat.Place{Platform: "slack", Channel: "C0123"}, false},
		{chat.Place{Platform: "discord", Channel: DiscordDM + "9001"}, true},
		{chat.Place{Platform: "discord", Channel: "9001"}, false},
		{chat.Place{Platform: "shell"}, true},
		{chat.Place{Platform: "log", Channel: "dm:1"}, false},
	} {
		if got := Personal(c.place); got != c.personal {
			t.Errorf("Personal(%s) = %v", c.place, got)
		}
		if err := seller.MayRoute(c.place); (err == nil) != c.personal {
			t.Errorf("a referrals user subscribing %s: %v", c.place, err)
		}
	}
}

// TestClaimNewsOnlyThroughClaimRoutes: CPOR claim news reaches a
// subscription only while its maker could make it (subscribe kind=cpor):
// an incentives role for their own DMs, a referrals or incentives admin for
// a channel; never a channel whose maker is gone, which keeps only its deal
// news (vis #7, #11).
func TestClaimNewsOnlyThroughClaimRoutes(t *testing.T) {
	t.Parallel()
	vic := User{ID: "vic@contoso.com", Roles: []Role{IncentivesUser}}
	incAdmin := User{ID: "ina@contoso.com", Roles: []Role{IncentivesAdmin}}
	refAdmin := User{ID: "rad@contoso.com", Roles: []Role{ReferralsAdmin}}
	seller := User{ID: "ana@contoso.com", Roles: []Role{ReferralsUser}, Global: true}
	channel := chat.Place{Platform: "slack", Channel: "C0CLAIMS1"}
	dm := chat.Place{Platform: "slack", Channel: "D0VIC0001"}
	for _, tc := range []struct {
		name  string
		maker *User
		place chat.Place
		ok    bool
	}{
		{"an incentives user, her own DM", &vic, dm, true},
		{"an incentives user, a channel", &vic, channel, false},
		{"an incentives admin, a channel", &incAdmin, channel, true},
		{"a referrals admin, a channel", &refAdmin, channel, true},
		{"a referrals user, her own DM", &seller, dm, false},
		{"a referrals user, a channel", &seller, channel, false},
		{"no role", &User{ID: "x@x"}, dm, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.maker.MayRouteClaims(tc.place); (err == nil) != tc.ok {
				t.Errorf("MayRouteClaims = %v, want ok %v", err, tc.ok)
			}
			if got := Receives(tc.maker, tc.place, true, nil); got != tc.ok {
				t.Errorf("claim news received = %v, want %v (the same as may route)", got, tc.ok)
			}
		})
	}
	if Receives(nil, channel, true, nil) {
		t.Error("a channel whose maker is gone received claim news")
	}
	if !Receives(nil, channel, false, parisDeal()) {
		t.Error("a channel whose maker is gone lost its deal news")
	}
}
