package command

import (
	"context"
	"fmt"

	"slices"
	"strings"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/vocab"
)

// grant carries out user add. Each admin role manages its own family of
// roles only (access.MayGrant): a referrals admin the referrals roles, an
// incentives admin the incentives roles. The roles of the other family that
// the person already holds, and their location scope when the caller does
// not manage referrals roles, are kept as they are. A referrals user's scope
// is never implied: locations=LOC,… or locations=global must say it.
func (s *Service) grant(ctx context.Context, c *call) (Reply, error) {
	f := &form{c: c}
	id := strings.ToLower(strings.TrimSpace(c.pos[0]))
	// The same checks as team members', since users are matched to teams
	// by their e-mail: a lookalike (a Cyrillic а in ana@…) would be given
	// the roles an admin meant for somebody else.
	// The refusal is under "email", the argument as user add's usage names
	// it (user add EMAIL): nobody types an id=.
	if err := deal.EmailScript(id); err != nil {
		f.bad("email", "%v", err)
	} else if !deal.ValidEmail(id) {
		f.bad("email", "%s is not an e-mail address like ana@contoso.com: users are known by the e-mail that puts them on deal teams", cite(c.pos[0]))
	}
	before := len(f.probs)
	roles, err := access.ParseRoles(f.terms("role", vocab.UserRoles)) // labels too: role="Referrals admin"
	if err != nil && len(f.probs) == 0 {
		f.bad("role", "%v: role takes %s", err, vocab.UserRoles.Accepts())
	}
	// Whether locations= fits the roles is only known once the roles are
	// read: with a mistyped role it said a rule nobody broke.
	rolesRead := err == nil && len(f.probs) == before
	for _, r := range roles {
		if !c.who.MayGrant(r) {
			return Reply{}, access.Deny("%s is managed by a %s: you manage %s", r, familyAdmin(r), managedText(c.who))
		}
	}
	referralsUser := slices.Contains(roles, access.ReferralsUser) && !slices.Contains(roles, access.ReferralsAdmin)
	locs := ParseList(c.get("locations"))
	global := len(locs) == 1 && strings.EqualFold(locs[0], "global")
	switch {
	case c.has("locations") && len(locs) == 0:
		f.bad("locations", "give location IDs separated by commas, or global")
	case rolesRead && referralsUser && !c.has("locations"):
		f.probs = append(f.probs, &deal.RuleError{Field: "locations", Rule: "locations_required",
			Message: "a referrals user sees deals by location: add locations=LOC,… (the deals of those locations whose team they are on) or locations=global (every deal)"})
	case rolesRead && c.has("locations") && !referralsUser:
		f.probs = append(f.probs, &deal.RuleError{Field: "locations", Rule: "locations_referrals_user",
			Message: "locations= scopes referrals users only: referrals admins see every location, and incentives roles do not work deals"})
	case !global:
		for _, l := range locs {
			if !deal.ValidLocation(l) {
				f.bad("locations", "%s is not a partner location ID", cite(l))
			}
		}
	}
	if err := f.err(); err != nil {
		return Reply{}, err
	}
	u := access.User{ID: id, Roles: roles, Global: true}
	if referralsUser && !global {
		u.Global, u.Locations = false, locs
	}
	// The roles given replace the user's roles of their families only:
	// granting CPOR work (an incentives role) keeps a salesperson's deal
	// role and locations, whoever grants it (an admin of both families
	// replaced them all). Roles of a family the caller does not manage are
	// never touched: the caller cannot grant them (checked above).
	old, err := s.rec.User(ctx, id)
	switch {
	case err == nil:
		given := map[access.Role]bool{}
		for _, r := range roles {
			given[familyOf(r)] = true
		}
		for _, r := range old.Roles {
			if !given[familyOf(r)] && !slices.Contains(u.Roles, r) {
				u.Roles = append(u.Roles, r)
			}
		}
		if !given[access.ReferralsAdmin] {
			u.Global, u.Locations = old.Global, old.Locations
		}
	case !isNotFound(err):
		return Reply{}, fmt.Errorf("reading user %s: %w", id, err)
	}
	e := ledger.Entry{At: c.now, Actor: c.who.ID, Action: "granted", Detail: "granted " + userText(u)}
	if err := s.rec.PutUser(ctx, u, e); err != nil {
		return Reply{}, fmt.Errorf("saving user %s: %w", u.ID, err)
	}
	return Reply{Text: "User saved: " + userText(u), Data: map[string]any{"user": userView(u)}}, nil
}

// revoke carries out user remove: the caller takes away the roles they
// manage; a person who keeps roles of the other family stays a user.
func (s *Service) revoke(ctx context.Context, c *call) (Reply, error) {
	id := strings.ToLower(strings.TrimSpace(c.pos[0]))
	u, err := s.rec.User(ctx, id)
	if err != nil {
		if isNotFound(err) {
			return Reply{}, refused(ledger.ErrNotFound, "no user %s", id)
		}
		return Reply{}, fmt.Errorf("reading user %s: %w", id, err)
	}
	mine, others := c.who.Managed(u.Roles)
	if len(mine) == 0 {
		return Reply{}, access.Deny("%s holds only roles a %s manages: you manage %s", id, familyAdmin(u.Roles[0]), managedText(c.who))
	}
	if len(others) == 0 {
		e := ledger.Entry{At: c.now, Actor: c.who.ID, Action: "removed", Detail: "removed user " + id}
		if err := s.rec.RemoveUser(ctx, id, e); err != nil {
			return Reply{}, fmt.Errorf("user %s: %w", id, err)
		}
		return Reply{Text: "Removed user " + id + "."}, nil
	}
	u.Roles = others
	detail := fmt.Sprintf("removed %s from %s, who keeps %s", rolesText(mine), id, rolesText(others))
	if err := s.rec.PutUser(ctx, u, ledger.Entry{At: c.now, Actor: c.who.ID, Action: "revoked", Detail: detail}); err != nil {
		return Reply{}, fmt.Errorf("saving user %s: %w", id, err)
	}
	return Reply{Text: "Removed " + rolesText(mine) + " from " + id + "; they keep " + rolesText(others) + " (managed by a " + familyAdmin(others[0]) + ").",
		Data: map[string]any{"user": userView(u)}}, nil
}

// familyOf is a role's family, named by the admin role that manages it.
func familyOf(r access.Role) access.Role {
	if slices.Contains(access.Family(access.IncentivesAdmin), r) {
		return access.IncentivesAdmin
	}
	return access.ReferralsAdmin
}

func familyAdmin(r access.Role) string {
	if familyOf(r) == access.IncentivesAdmin {
		return "incentives admin"
	}
	return "referrals admin"
}

func managedText(who access.User) string {
	var fams []string
	if who.MayGrant(access.ReferralsUser) {
		fams = append(fams, "referrals-admin and referrals-user")
	}
	if who.MayGrant(access.IncentivesUser) {
		fams = append(fams, "incentives-admin and incentives-user")
	}
	if len(fams) == 0 {
		return "no roles"
	}
	return strings.Join(fams, ", ")
}

func rolesText(rs []access.Role) string {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
