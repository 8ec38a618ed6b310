// Package access decides who may do what: Partner Center's referrals and
// incentives roles, and the location scopes that limit what a referrals user
// sees.
package access

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cosellbot/cosellbot/bot/deal"
)

// Role is a Partner Center role as cosellbot grants it.
type Role string

// The four roles: referrals roles work deals, incentives roles work CPOR claims.
const (
	ReferralsAdmin  Role = "referrals-admin"
	ReferralsUser   Role = "referrals-user"
	IncentivesAdmin Role = "incentives-admin"
	IncentivesUser  Role = "incentives-user"
)

// Roles lists every role.
var Roles = []Role{ReferralsAdmin, ReferralsUser, IncentivesAdmin, IncentivesUser}

// User is a person known to cosellbot. ID is the e-mail, which is how users
// are matched to deal teams.
type User struct {
	ID        string
	Roles     []Role
	Global    bool     // sees every location
	Locations []string // location scopes when not global
}

// LocalAdmin is who the local shell and ask act as unless --user is given.
var LocalAdmin = User{ID: "admin@localhost", Roles: []Role{ReferralsAdmin, IncentivesAdmin}, Global: true}

// Has reports whether the user holds a role.
func (u User) Has(r Role) bool { return slices.Contains(u.Roles, r) }

// Admin reports whether the user may manage users.
func (u User) Admin() bool { return u.Has(ReferralsAdmin) || u.Has(IncentivesAdmin) }

// Referrals reports whether the user works deals at all.
func (u User) Referrals() bool { return u.Has(ReferralsAdmin) || u.Has(ReferralsUser) }

// InLocation reports whether the user's scope covers a location.
func (u User) InLocation(loc string) bool {
	return u.Has(ReferralsAdmin) || u.Global || slices.ContainsFunc(u.Locations, func(l string) bool { return strings.EqualFold(l, loc) })
}

// CanSee is Partner Center's visibility rule: referrals admins and users with
// a global scope see every deal; a user with a location scope sees a deal
// only if it is in that location and they are on its team.
func (u User) CanSee(d *deal.Deal) bool {
	if !u.Referrals() {
		return false
	}
	if u.Has(ReferralsAdmin) || u.Global {
		return true
	}
	return u.InLocation(d.Location) && d.OnTeam(u.ID)
}

// Denied is a refusal for lack of a role or scope.
type Denied struct{ Reason string }

func (e *Denied) Error() string { return "not allowed: " + e.Reason }

// Deny builds a Denied error.
func Deny(format string, args ...any) error { return &Denied{fmt.Sprintf(format, args...)} }

// ParseRoles reads "referrals-admin,incentives-user".
func ParseRoles(list []string) ([]Role, error) {
	var out []Role
	for _, s := range list {
		r := Role(strings.ToLower(strings.TrimSpace(s)))
		if !slices.Contains(Roles, r) {
			return nil, fmt.Errorf("unknown role %q: use %s", s, "referrals-admin, referrals-user, incentives-admin, incentives-user")
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("give at least one role")
	}
	return out, nil
}
