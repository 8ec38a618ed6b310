// Package access decides who may do what: Partner Center's referrals and
// incentives roles, and the location scopes that limit what a referrals user
// sees.
package access

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
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
type Denied struct {
	Reason string
	// Field is the input the denial is about (a location someone may not
	// create in), so that a form shows it there; "" for the whole command.
	Field string
	// Key names a denial whose wording chat keeps in French and Swedish
	// too (AdminsOnly); "" for the others.
	Key string
}

func (e *Denied) Error() string { return "not allowed: " + e.Reason }

// MessageKey is the key of the denial's translations (Key).
func (e *Denied) MessageKey() string { return e.Key }

// AdminsOnly is the key of the denial of a verb only admins run.
const AdminsOnly = "admins-only"

// Deny builds a Denied error.
func Deny(format string, args ...any) error { return &Denied{Reason: fmt.Sprintf(format, args...)} }

// DenyField builds a Denied error about one input.
func DenyField(field, format string, args ...any) error {
	return &Denied{Reason: fmt.Sprintf(format, args...), Field: field}
}

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

// Permission is what a verb of the command table needs; the runner checks
// it once, before the verb runs, with May.
type Permission string

// Permissions of the command table.
const (
	// Anyone: help, questions to the FAQ.
	Anyone Permission = "anyone"
	// Deals: read and work the deals one can see (referrals-admin or -user).
	Deals Permission = "deals"
	// Claims: CPOR claims (incentives-admin or -user).
	Claims Permission = "claims"
	// Users: grant and remove roles, each admin only the roles of their
	// own family (see MayGrant).
	Users Permission = "users"
	// Admin: either admin role (FAQ entries, the solution catalog's
	// maintenance, …).
	Admin Permission = "admin"
	// Alerts: subscriptions; anyone with a role may subscribe their own
	// direct messages, a channel needs a referrals admin (see MayRoute;
	// CPOR claim news has its own rule, MayRouteClaims).
	Alerts Permission = "alerts"
	// Catalog: change the partner's solution catalog (referrals admin).
	Catalog Permission = "catalog"
)

// May is the role check of a permission: nil, or a Denied saying which
// roles the verb needs.
func (u User) May(p Permission) error {
	switch p {
	case Anyone:
		return nil
	case Deals:
		if u.Referrals() {
			return nil
		}
		return Deny("%s has no referrals role: deals need referrals-admin or referrals-user", u.ID)
	case Claims:
		if u.Has(IncentivesAdmin) || u.Has(IncentivesUser) {
			return nil
		}
		return Deny("%s has no incentives role: CPOR claims need incentives-admin or incentives-user", u.ID)
	case Users, Admin:
		if u.Admin() {
			return nil
		}
		return &Denied{Reason: "only a referrals admin or an incentives admin may do this", Key: AdminsOnly}
	case Alerts:
		if len(u.Roles) > 0 {
			return nil
		}
		return Deny("%s has no role: ask an admin for one", u.ID)
	case Catalog:
		if u.Has(ReferralsAdmin) {
			return nil
		}
		return Deny("only a referrals admin manages the solution catalog")
	}
	// Fail closed: a verb the command table gives no permission is refused.
	return Deny("this command has no permission in the command table")
}

// Decide is the one rule of what a user may see and do with a deal: the
// verb's permission, then Partner Center's visibility. A deal the user may
// not see is reported exactly as a deal that does not exist (Hidden), so a
// refusal never tells that it exists.
func Decide(u User, p Permission, d *deal.Deal) error {
	if err := u.May(p); err != nil {
		return err
	}
	if d != nil && !u.CanSee(d) {
		return &Hidden{ID: d.ID}
	}
	return nil
}

// Hidden is a deal the user may not see; it reads as "no deal #N", the
// same words as a deal that does not exist.
type Hidden struct{ ID int64 }

func (e *Hidden) Error() string { return NoDeal(e.ID) }

// NoDeal is the one wording of both a missing and a hidden deal.
func NoDeal(id int64) string { return fmt.Sprintf("no deal #%d", id) }

// Family is the roles one admin role manages.
func Family(r Role) []Role {
	switch r {
	case ReferralsAdmin, ReferralsUser:
		return []Role{ReferralsAdmin, ReferralsUser}
	case IncentivesAdmin, IncentivesUser:
		return []Role{IncentivesAdmin, IncentivesUser}
	}
	return nil
}

// MayGrant reports whether the user may grant or take away role r: a
// referrals admin manages the referrals roles, an incentives admin the
// incentives roles, and neither the other's.
func (u User) MayGrant(r Role) bool {
	switch r {
	case ReferralsAdmin, ReferralsUser:
		return u.Has(ReferralsAdmin)
	case IncentivesAdmin, IncentivesUser:
		return u.Has(IncentivesAdmin)
	}
	return false
}

// Managed splits a user's roles into those the admin manages and the
// others, which an add or remove by that admin must leave as they are.
func (u User) Managed(roles []Role) (mine, others []Role) {
	for _, r := range roles {
		if u.MayGrant(r) {
			mine = append(mine, r)
		} else {
			others = append(others, r)
		}
	}
	return mine, others
}

// ClaimNews is the kind of a subscription made for CPOR claim news
// (subscribe kind=cpor). A claim has no deal location or kind, so claim
// notices carry ClaimNews as their kind and ClaimLocation as their
// location: a subscription by location or by deal kind never matches them
// (ledger.Subscription.Matches), a kind=cpor one does.
const ClaimNews = ledger.ClaimNews

// ClaimLocation is the location claim notices carry so that no location
// subscription matches them; subscribe refuses it as a location.
const ClaimLocation = "cpor"

// SeesNews reports whether news about a subject reaches a subscriber:
// deal news (loc and team set from the deal) only if the subscriber may see
// the deal; CPOR claim news (claim true) only to incentives roles and to
// referrals admins, who route a whole channel.
func (u User) SeesNews(claim bool, d *deal.Deal) bool {
	if claim {
		return u.Has(IncentivesAdmin) || u.Has(IncentivesUser) || u.Has(ReferralsAdmin)
	}
	if d == nil {
		return u.Referrals()
	}
	return u.CanSee(d)
}

// DiscordDM prefixes the channel of a Discord place that is a person's
// direct messages with the bot ("dm:CHANNEL"): Discord's channel ids do not
// tell a DM from a guild channel, so the Discord adapter marks the place
// from the interaction's context, and its notifier posts to the id after it.
const DiscordDM = "dm:"

// Personal reports whether a chat place is one person's direct messages
// with the bot, as far as its id tells: a Slack conversation id starting
// with D is a direct message, a Discord place the adapter marked DiscordDM
// is one; the local shell is its user's own.
func Personal(p chat.Place) bool {
	switch p.Platform {
	case "slack":
		return strings.HasPrefix(p.Channel, "D")
	case "discord":
		return strings.HasPrefix(p.Channel, DiscordDM)
	case "shell":
		return true
	}
	return false
}

// Receives is the one rule of who gets news through a subscription: the
// subscriber (the user who made it; nil when no longer a user) must be
// allowed to see what the news is about (d, nil for news about no deal;
// claim for CPOR claim news).
//
// A deal-news subscription whose maker is gone keeps a channel informed,
// as the referrals admin who routed it decided, so that a route does not
// die silently when its maker leaves (subscribe lists it as orphaned, to
// be taken over or ended), but never a person's direct messages. CPOR
// claim news, which only incentives roles may read, reaches a subscription
// only while its maker could still make it (MayRouteClaims): never an
// orphan, never a channel whose maker lost the admin role.
func Receives(subscriber *User, place chat.Place, claim bool, d *deal.Deal) bool {
	if claim {
		return subscriber != nil && subscriber.MayRouteClaims(place) == nil
	}
	if subscriber == nil {
		return !Personal(place)
	}
	return subscriber.SeesNews(false, d)
}

// MayRoute says whether the user may subscribe place to deal news: anyone
// with a referrals role their own direct messages, a referrals admin any
// channel. An incentives role alone sees no deal, so the subscription's
// news would never reach it (Receives): refused rather than kept dead.
func (u User) MayRoute(place chat.Place) error {
	if err := u.May(Alerts); err != nil {
		return err
	}
	if !u.Referrals() {
		return Deny("%s has no referrals role: deal news reaches only who may see deals. For CPOR claim news, subscribe kind=cpor", u.ID)
	}
	if u.Has(ReferralsAdmin) || Personal(place) {
		return nil
	}
	return Deny("subscribing a channel needs a referrals admin: everyone in %s would read its news. Subscribe your own direct messages with cosellbot instead: type the same subscribe command there", place)
}

// MayRouteClaims says whether the user may subscribe place to CPOR claim
// news (subscribe kind=cpor), after MayRoute's pattern: anyone with an
// incentives role their own direct messages, a referrals or incentives
// admin any channel. A referrals user without an incentives role may not:
// claims are not theirs to read.
func (u User) MayRouteClaims(place chat.Place) error {
	if err := u.May(Alerts); err != nil {
		return err
	}
	if u.Has(ReferralsAdmin) || u.Has(IncentivesAdmin) {
		return nil
	}
	if !u.Has(IncentivesUser) {
		return Deny("%s has no incentives role: CPOR claim news goes to incentives-admin or incentives-user, and to channels a referrals or incentives admin routes (subscribe kind=cpor there)", u.ID)
	}
	if Personal(place) {
		return nil
	}
	return Deny("subscribing a channel to CPOR claim news needs a referrals or incentives admin: everyone in %s would read the claims. Subscribe your own direct messages with cosellbot instead (type subscribe kind=cpor there)", place)
}
