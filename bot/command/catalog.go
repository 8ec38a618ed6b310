package command

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/vocab"
)

func (s *Service) solutionAdd(ctx context.Context, c *call) (Reply, error) {
	if !c.who.Has(access.ReferralsAdmin) {
		return Reply{}, access.Deny("only a referrals admin manages the solution catalog")
	}
	f := &form{c: c}
	sol := deal.Solution{Name: f.str("name"), MACC: f.yes("macc"), Incentivized: f.yes("incentivized")}
	sol.Source = deal.SolutionSource(f.term("source", vocab.SolutionSources))
	if c.has("ip") {
		sol.IP = deal.IPKind(f.term("ip", vocab.IPKinds))
		if sol.Source != deal.Mine {
			f.bad("ip", "only your own solutions (source=mine) carry an IP co-sell eligibility")
		}
	}
	if strings.ContainsAny(sol.Name, ",;") {
		f.bad("name", "a solution name cannot contain , or ; (they separate lists)")
	}
	if err := f.err(); err != nil {
		return Reply{}, err
	}
	e := ledger.Entry{At: c.now, Actor: c.who.ID, Action: "added", Detail: "added solution " + solutionText(sol)}
	if err := s.rec.AddSolution(ctx, sol, e); errors.Is(err, ledger.ErrExists) {
		// The store's own wording named the solution twice and no way on.
		return Reply{}, fmt.Errorf("solution %q %w in your catalog (names are unique, in any case): solution list shows it; add this one under another name", sol.Name, ledger.ErrExists)
	} else if err != nil {
		return Reply{}, fmt.Errorf("solution %q: %w", sol.Name, err)
	}
	return Reply{Text: "Added to your catalog: " + solutionText(sol), Data: map[string]any{"solution": sol}}, nil
}

func (s *Service) solutionList(ctx context.Context, c *call) (Reply, error) {
	if err := s.mayWorkDeals(c.who); err != nil {
		return Reply{}, err
	}
	sols, err := s.rec.Solutions(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("reading the solution catalog: %w", err)
	}
	if len(sols) == 0 {
		return Reply{Text: "Your solution catalog is empty: solution add name=… source=mine ip=azure", Data: map[string]any{"solutions": []deal.Solution{}}}, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d solution%s in your catalog:", len(sols), plural(len(sols)))
	for _, sol := range sols {
		b.WriteString("\n• " + solutionText(sol))
	}
	return Reply{Text: b.String(), Data: map[string]any{"solutions": sols}}, nil
}

// UserView is a user as JSON shows it.
type UserView struct {
	ID        string        `json:"id"`
	Roles     []access.Role `json:"roles"`
	Locations []string      `json:"locations"`
	Global    bool          `json:"global"`
}

func userView(u access.User) UserView {
	v := UserView{ID: u.ID, Roles: u.Roles, Locations: u.Locations, Global: u.Global}
	if v.Locations == nil {
		v.Locations = []string{}
	}
	return v
}

func userText(u access.User) string {
	roles := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		roles[i] = vocab.UserRoles.Label(string(r))
	}
	scope := "global"
	if !u.Global {
		scope = "locations " + strings.Join(u.Locations, ", ")
	}
	return fmt.Sprintf("%s — %s — %s", u.ID, strings.Join(roles, ", "), scope)
}

func (s *Service) mayManageUsers(who access.User) error {
	if !who.Admin() {
		return access.Deny("only a referrals admin or an incentives admin manages users")
	}
	return nil
}

// userAdd grants roles; see grant (users.go) for who may grant what.
func (s *Service) userAdd(ctx context.Context, c *call) (Reply, error) { return s.grant(ctx, c) }

func (s *Service) userList(ctx context.Context, c *call) (Reply, error) {
	if err := s.mayManageUsers(c.who); err != nil {
		return Reply{}, err
	}
	users, err := s.rec.Users(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("listing users: %w", err)
	}
	views := []UserView{}
	var b strings.Builder
	fmt.Fprintf(&b, "%d user%s (the local shell acts as %s):", len(users), plural(len(users)), access.LocalAdmin.ID)
	for _, u := range users {
		views = append(views, userView(u))
		b.WriteString("\n• " + userText(u))
	}
	return Reply{Text: b.String(), Data: map[string]any{"users": views}}, nil
}

// userRemove takes roles away; see revoke (users.go).
func (s *Service) userRemove(ctx context.Context, c *call) (Reply, error) { return s.revoke(ctx, c) }
