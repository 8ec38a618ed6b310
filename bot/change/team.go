package change

import "github.com/cosellbot/cosellbot/bot/deal"

// mergeTeam merges two teams that changed from one base (what cosellbot and
// the system last exchanged), member by member, by e-mail: ours, with the
// members theirs added, without those theirs removed (unless ours edited
// them since), and with theirs' edits of the members ours left as they
// were. A team is a set of people, not one value: when one person adds a
// member in chat and another adds one in Partner Center before the first
// reached it, both are on the team, where keeping the newer whole list
// dropped the other addition. ok is false when a team cannot be read.
func mergeTeam(base, ours, theirs string) (merged string, ok bool) {
	b, err := ParseTeam(base)
	if err != nil {
		return "", false
	}
	o, err := ParseTeam(ours)
	if err != nil {
		return "", false
	}
	t, err := ParseTeam(theirs)
	if err != nil {
		return "", false
	}
	inBase, inTheirs, inOurs := byEmail(b), byEmail(t), byEmail(o)
	out := make([]deal.Person, 0, len(o)+len(t))
	for _, p := range o {
		was, based := inBase[p.Email]
		now, kept := inTheirs[p.Email]
		switch {
		case based && !kept && p == was:
			continue // removed there, untouched here
		case based && kept && now != was && p == was:
			out = append(out, now) // edited there, untouched here
		default:
			out = append(out, p)
		}
	}
	for _, p := range t {
		_, based := inBase[p.Email]
		_, ours := inOurs[p.Email]
		if !based && !ours {
			out = append(out, p) // added there
		}
	}
	return TeamText(out), true
}

func byEmail(team []deal.Person) map[string]deal.Person {
	out := make(map[string]deal.Person, len(team))
	for _, p := range team {
		out[p.Email] = p
	}
	return out
}
