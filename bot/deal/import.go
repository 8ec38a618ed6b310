package deal

import (
	"slices"
	"time"
)

// importExempt are the rules a deal imported from Partner Center need not
// meet: they ask a person creating a deal for what Partner Center's API
// does not carry (a services deal's partner role, solution area and play),
// or what was true when the deal was made there but no longer is (a close
// date now past, a team whose members lack a phone), or what only this
// partner's catalog says (whether a solution Partner Center named is
// co-sell eligible: the catalog may not flag it).
var importExempt = []string{
	"role_required_services", "area_required_services", "play_required_services",
	"close_in_future", "team_required", "solution_required_ip", "solution_ip_eligible", "received_not_expired",
	"sa_not_received", "p2p_from_partner", "location_partner_id", "help_assessment", "share_assessment", // what Partner Center says it holds, it holds
}

// Import records a deal that exists in Partner Center already, as it is
// there: outbound (the partner's own referral) or received. It keeps every
// rule but the ones of importExempt.
func Import(dr Draft, outbound bool, now time.Time) (*Deal, Event, error) {
	if outbound {
		return newDeal(dr, now, importExempt)
	}
	return receiveDeal(dr, now, importExempt)
}

// without drops the problems whose rule is exempt.
func (p Problems) without(exempt []string) Problems {
	if len(exempt) == 0 {
		return p
	}
	var out Problems
	for _, e := range p {
		if !slices.Contains(exempt, e.Rule) {
			out = append(out, e)
		}
	}
	return out
}

// newSince keeps the problems that were not there before: an edit may not
// break a rule, but it need not mend one it does not touch (a deal imported
// without a partner role can still have its value changed).
func (p Problems) newSince(before Problems) Problems {
	var out Problems
	for _, e := range p {
		if !slices.ContainsFunc(before, func(b *RuleError) bool { return b.Rule == e.Rule && b.Field == e.Field }) {
			out = append(out, e)
		}
	}
	return out
}
