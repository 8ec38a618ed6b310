package change

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/deal"
)

// Advance carries values a system changed onto a deal, step by step through
// the deal rules, and returns what each step did. It is the stage-driving
// policy of every outside system:
//   - a received referral that the system moved on (accepted, a stage, won
//     or lost) is accepted first, with the fields that came along;
//   - the sender's own updates to a received referral (Partner Center) are
//     taken as they are, its expiry too, since the partner has not
//     answered it yet; a CRM's, the partner's side, meet deal.Edit's rule,
//     as chat's do: no edit before the referral is accepted;
//   - field edits go through deal.Edit, then a stage (forward only: a
//     system moving a stage back changes nothing; a solution assessment's
//     stages one at a time, as in chat, except from Partner Center, which
//     marks them so itself), then the outcome;
//   - a terminal deal changes no more: an outcome that differs is an error.
//
// d is changed in place only when every step succeeds.
func Advance(d *deal.Deal, v Values, system string, at time.Time) ([]deal.Event, error) {
	next := d.Clone()
	var evs []deal.Event
	step := func(ev deal.Event, err error) error {
		if err != nil {
			return err
		}
		evs = append(evs, ev)
		return nil
	}
	ch, err := changes(next, v)
	if err != nil {
		return nil, err
	}
	target := deal.Status(v[Status])
	stage := deal.Stage(v[Stage])
	reason := v[Reason]
	if reason == "" && target != "" {
		reason = DefaultReason(target, system)
	}
	if next.Status.Terminal() {
		if r, ok := v[Reason]; ok && r == "" && next.Reason != "" && next.Reason != DefaultReason(next.Status, system) && empty(ch) && stage == "" {
			// A reason emptied in the system after the close: a closed
			// deal keeps it (and the system is sent it back). One cosellbot
			// made up for want of the system's is no reason to keep there.
			return nil, &deal.RuleError{Field: "reason", Rule: "terminal_immutable",
				Message: fmt.Sprintf("deal #%d is %s: its reason stays %q (%s emptied it)", d.ID, next.Status, next.Reason, Label(system))}
		}
		if r := v[Reason]; r != "" && r != next.Reason && next.Reason == DefaultReason(next.Status, system) &&
			(target == "" || target == next.Status) && empty(ch) && (stage == "" || stage == next.Stage) {
			// The system closed the deal and tells its reason apart (HubSpot:
			// one event per property, the stage first): its reason takes the
			// place of the one cosellbot wrote for want of it.
			next.Reason = r
			*d = *next
			return []deal.Event{{Action: "reason", Detail: fmt.Sprintf("%s reason: %s", next.Status, r)}}, nil
		}
		if target != "" && target != next.Status {
			if system == PartnerCenter && next.Status != deal.Error {
				// Partner Center's close stands: it takes no change to a
				// closed referral (see the engine's receive).
				if err := step(next.ClosedThereFirst(target, reason, stage, at)); err != nil {
					return nil, err
				}
				*d = *next
				return evs, nil
			}
			return nil, &deal.RuleError{Field: "status", Rule: "terminal_immutable",
				Message: fmt.Sprintf("deal #%d is %s in cosellbot but %s in %s: it is left as is", d.ID, next.Status, target, Label(system))}
		}
		if closed, ok := next.Changed[string(Status)]; ok && !at.After(closed) && !empty(ch) && (stage == "" || stage == next.Stage) && (target == "" || target == next.Status) {
			// Changed in the same save as the close (one time to the
			// millisecond: HubSpot's events of one save, in any order), or
			// before it and told after it (Dataverse's asynchronous steps
			// keep no order; a CRM edit made before a deal won in chat): the
			// deal was closed with these values, not the older ones, which
			// writing back would have put over the CRM user's. (A change
			// older than the field's own last change elsewhere never gets
			// here: it lost a conflict.)
			if err := step(next.AmendClose(ch, at, at.Before(closed))); err != nil {
				return nil, err
			}
			*d = *next
			return evs, nil
		}
		if !empty(ch) || stage != "" {
			return nil, &deal.RuleError{Field: "status", Rule: "terminal_immutable",
				Message: fmt.Sprintf("deal #%d is %s: nothing can change once a deal is terminal (%s changed %s)", d.ID, next.Status, Label(system), strings.Join(fieldNames(v), ", "))}
		}
		*d = *next
		return nil, nil
	}
	if next.Status == deal.Received {
		switch {
		case target == deal.Declined:
			if err := step(next.Decline(reason, "", at)); err != nil {
				return nil, err
			}
			// Said where it happened: "written back to Partner Center" is
			// untrue of what came from there.
			evs[len(evs)-1].Detail = fmt.Sprintf("declined in %s: %s", Label(system), reason)
			*d = *next
			return evs, nil
		case target == deal.Expired:
			if at.Before(next.ExpiresAt) {
				next.ExpiresAt = at // the system's word on when it expired wins
			}
			if err := step(next.Expire(at)); err != nil {
				return nil, err
			}
			// Partner Center expires a referral at its own time (its
			// expirationDateTime), not always 14 days after cosellbot heard
			// of it, and tells the sender itself.
			evs[len(evs)-1].Detail = fmt.Sprintf("expired in %s, unanswered", Label(system))
			*d = *next
			return evs, nil
		case target == "" && stage == "" && system != PartnerCenter:
			// A CRM is the partner's side: Partner Center lets the partner
			// change a referral only once accepted, so its edit meets the
			// rule a chat edit meets (deal.Edit, below), and is refused.
		case target == "" && stage == "":
			// The sender updated the referral before the partner answered.
			if !empty(ch) {
				what := refresh(next, ch, at)
				evs = append(evs, deal.Event{Action: "updated", Detail: "updated by " + Label(system) + ": " + strings.Join(what, ", ")})
			}
			if s, ok := v[Expires]; ok && s != "" {
				// Partner Center moved the window (it is the one that
				// refuses a late answer): the sweep, the reminders and the
				// replies follow its date from now on.
				to, err := time.Parse(time.RFC3339Nano, s)
				if err != nil {
					return nil, &deal.RuleError{Field: "expires_at", Rule: "expires_format", Message: fmt.Sprintf("%s expiry %q is not a time (RFC 3339)", Label(system), s)}
				}
				if !to.Equal(next.ExpiresAt) {
					if err := step(next.MoveExpiry(to, at)); err != nil {
						return nil, err
					}
					evs[len(evs)-1].Detail += " by " + Label(system)
				}
			}
			*d = *next
			return evs, nil
		default:
			acc := ch
			acc.Team = nil // the accepting system's team is applied after, when it has members
			if err := step(next.Accept(acc, at)); err != nil {
				return nil, err
			}
			ch = deal.Changes{Team: ch.Team}
		}
	}
	if !empty(ch) {
		if err := step(next.Edit(ch, at)); err != nil {
			return nil, err
		}
	}
	if stage != "" && stage != next.Stage && stage != deal.StageWon {
		markable := deal.Markable(next.Kind)
		i, cur := slices.Index(markable, stage), slices.Index(markable, next.Stage)
		switch {
		case i < 0 && stage != deal.StageAccepted && stage != deal.StageCreated:
			return nil, &deal.RuleError{Field: "stage", Rule: "stage_known", Message: fmt.Sprintf("%s stage %q is not a stage of %s deals", Label(system), stage, deal.KindLabel(next.Kind))}
		case i > cur:
			if next.Kind == deal.SolutionAssessment && system == PartnerCenter {
				// Partner Center marks every assessment stage, in order, before
				// the next: a later one there (a missed notification) means the
				// ones between were marked too. A CRM enforces no such thing:
				// its jump is refused, as in chat.
				for _, s := range markable[cur+1 : i+1] {
					if err := step(next.MarkStage(s, at)); err != nil {
						return nil, err
					}
				}
			} else if err := step(next.MarkStage(stage, at)); err != nil {
				return nil, err
			}
		}
	}
	switch target {
	case "", deal.Accepted, deal.Created, next.Status:
	case deal.Won:
		if err := step(next.Win(at)); err != nil {
			return nil, err
		}
	case deal.Lost:
		if err := step(next.Lose(reason, at)); err != nil {
			return nil, err
		}
	case deal.Error:
		if err := step(next.CloseAsError(reason, at)); err != nil {
			return nil, err
		}
	case deal.Declined, deal.Expired:
		if system == PartnerCenter && next.Status == deal.Accepted && next.Direction == deal.Inbound {
			if err := step(next.ClosedUnanswered(target, reason, at)); err != nil {
				return nil, err
			}
			break
		}
		return nil, &deal.RuleError{Field: "status", Rule: "status_" + string(target),
			Message: fmt.Sprintf("deal #%d is %s: only a received referral can be %s (%s says so)", d.ID, next.Status, target, Label(system))}
	default:
		return nil, &deal.RuleError{Field: "status", Rule: "status_known", Message: fmt.Sprintf("%s status %q is not a deal status", Label(system), target)}
	}
	*d = *next
	return evs, nil
}

// behind reports whether stage s comes before the deal's current stage:
// a system moving it there asks what the rules never do.
func behind(d *deal.Deal, s deal.Stage) bool {
	order := append([]deal.Stage{deal.StageCreated, deal.StageAccepted}, deal.Markable(d.Kind)...)
	i, cur := slices.Index(order, s), slices.Index(order, d.Stage)
	return i >= 0 && cur >= 0 && i < cur
}

// changes turns the plain fields of v into deal.Changes.
func changes(d *deal.Deal, v Values) (deal.Changes, error) {
	var c deal.Changes
	if s, ok := v[Name]; ok && s != d.Name {
		c.Name = &s
	}
	if s, ok := v[Notes]; ok && s != d.Notes {
		c.Notes = &s
	}
	if s, ok := v[Currency]; ok && !strings.EqualFold(s, d.Currency) {
		up := strings.ToUpper(s)
		c.Currency = &up
	}
	if s, ok := v[Value]; ok && s == "" && d.Value != 0 {
		// Emptied in the system: a change the rules judge (the value is
		// required), not nothing.
		zero := deal.Money(0)
		c.Value = &zero
	}
	if s, ok := v[Close]; ok && s == "" && !d.CloseDate.IsZero() {
		c.CloseDate = &time.Time{}
	}
	if s, ok := v[Value]; ok && s != "" {
		n, err := strconv.ParseInt(s, 10, 64) // a negative value: the rules refuse it
		if err != nil {
			return c, &deal.RuleError{Field: "value", Rule: "value_format", Message: fmt.Sprintf("%q is not an amount in cents", s)}
		}
		if deal.Money(n) != d.Value {
			m := deal.Money(n)
			c.Value = &m
		}
	}
	if s, ok := v[Close]; ok && s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return c, &deal.RuleError{Field: "close", Rule: "close_format", Message: fmt.Sprintf("%q is not a date (YYYY-MM-DD)", s)}
		}
		if !t.Equal(d.CloseDate) {
			c.CloseDate = &t
		}
	}
	if s, ok := v[Team]; ok && s != TeamText(d.Team) {
		team, err := ParseTeam(s)
		if err != nil {
			return c, &deal.RuleError{Field: "team", Rule: "team_format", Message: fmt.Sprintf("the team is not readable: %v", err)}
		}
		if len(team) > 0 || len(d.Team) > 0 {
			// An empty team is news only to a deal that has one (the
			// rules keep its last member); to one without, it says nothing.
			c.Team = append([]deal.Person{}, team...)
		}
	}
	return c, nil
}

// refresh sets a received referral's fields as its sender changed them.
func refresh(d *deal.Deal, c deal.Changes, at time.Time) []string {
	var what []string
	if c.Name != nil {
		d.Name = *c.Name
		what = append(what, "name")
	}
	if c.Notes != nil {
		d.Notes = *c.Notes
		what = append(what, "notes")
	}
	if c.Currency != nil {
		d.Currency = *c.Currency
		what = append(what, "currency "+d.Currency)
	}
	if c.Value != nil {
		d.Value = *c.Value
		what = append(what, "value "+d.Value.String())
	}
	if c.CloseDate != nil {
		d.CloseDate = *c.CloseDate
		what = append(what, "close date "+d.CloseDate.Format(time.DateOnly))
	}
	if c.Team != nil {
		d.Team = c.Team
		what = append(what, "team")
	}
	d.UpdatedAt = at
	return what
}

func empty(c deal.Changes) bool {
	return c.Name == nil && c.Notes == nil && c.Currency == nil && c.Value == nil && c.CloseDate == nil &&
		c.Team == nil && c.Solutions == nil && c.Intent == nil && c.Microsoft == nil && c.CRMID == nil && c.CampaignID == nil
}

func fieldNames(v Values) []string {
	var out []string
	for _, f := range v.Sorted() {
		out = append(out, string(f))
	}
	return out
}

// Label names a system for people.
func Label(system string) string {
	switch system {
	case "partnercenter":
		return "Partner Center"
	case "dynamics":
		return "Dynamics 365"
	case "salesforce":
		return "Salesforce"
	case "hubspot":
		return "HubSpot"
	case "generic":
		return "the CRM"
	case "", "chat":
		return "chat"
	}
	return system
}

// DefaultReason is the reason cosellbot records when a system closes a deal
// (lost, declined) without one: the rules want a reason, and the system's
// own, told later, replaces it.
func DefaultReason(status deal.Status, system string) string {
	return string(status) + " in " + Label(system)
}
