package access

import (
	"errors"
	"slices"
	"testing"

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
