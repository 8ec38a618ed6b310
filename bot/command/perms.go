package command

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/vocab"
)

// perms is the permission each verb of the command table needs. The runner
// checks it once, before the verb runs (Service.permit), so no handler can
// forget it; a verb missing here is refused to everyone (access.May fails
// closed) and TestEveryVerbHasAPermission names it.
var perms = map[string]access.Permission{
	"help": access.Anyone,
	"faq":  access.Anyone,

	"deal new": access.Deals, "deal receive": access.Deals, "deal list": access.Deals,
	"deal show": access.Deals, "deal history": access.Deals, "deal accept": access.Deals,
	"deal decline": access.Deals, "deal edit": access.Deals, "deal team add": access.Deals,
	"deal team remove": access.Deals, "deal stage": access.Deals, "deal won": access.Deals,
	"deal lost": access.Deals, "deal error": access.Deals, "deal invite": access.Deals,
	"deal upgrade": access.Deals, "deal fav": access.Deals, "deal register": access.Deals,
	"deal snooze": access.Deals,

	"solution add":  access.Catalog,
	"solution list": access.Deals,

	"user add": access.Users, "user list": access.Users, "user remove": access.Users,

	"subscribe": access.Alerts, "unsubscribe": access.Alerts,

	"cpor claim": access.Claims, "cpor list": access.Claims, "cpor show": access.Claims,
	"cpor confirm": access.Claims, "cpor info": access.Claims, "cpor decline": access.Claims,

	"web": access.Anyone, // the page shows each person what they may see, by the same rules

	"faq add": access.Admin, "faq edit": access.Admin, "faq remove": access.Admin, "faq misses": access.Admin, "faq teach": access.Admin,
	"faq wrong-answer": access.Anyone, // as a question is: it records a miss
}

// permit is the one permission check of a verb, run before its handler.
func (s *Service) permit(_ context.Context, who access.User, sp *spec) error {
	return who.May(perms[sp.verb])
}

// Permits refuses, as Run would, a line whose verb who may not run, or
// whose deal is in a state the verb cannot act on (a referral answered or
// expired, a deal closed); nil when the verb is allowed or the line is no
// command. A button checks it before opening a form, so that nobody types
// into a form whose submission can only be refused. It writes only what
// the click, an action, meets that is due and not recorded yet (an expiry),
// as the command would.
func (s *Service) Permits(ctx context.Context, who access.User, line string) *Reply {
	args, err := Parse(line)
	if err != nil || len(args.Words) == 0 {
		return nil
	}
	sp, n, words := s.find(args.Words)
	if sp == nil {
		return nil
	}
	if err := s.permit(ctx, who, sp); err != nil {
		r := fail(err)
		return &r
	}
	if err := s.stateRefusal(ctx, who, sp, words, n); err != nil {
		r := fail(err)
		return &r
	}
	return nil
}

// stateRefusal is the refusal the deal a verb names meets whatever keys
// come with it (its status: a referral answered, a deal closed, one that
// has no reminders to snooze), or that it does not exist; nil when the
// verb has no state check or the deal allows it. Buttons ask it before a
// form opens (Permits), and a command missing keys before asking for them,
// so that nobody is asked for what can only be refused.
func (s *Service) stateRefusal(ctx context.Context, who access.User, sp *spec, words []string, n int) error {
	check, ok := stateChecks[sp.verb]
	if !ok || len(words) <= n {
		return nil
	}
	if sp.verb == "deal invite" && len(words) > n+1 && strings.EqualFold(words[n+1], "microsoft") {
		check = func(d *deal.Deal, now time.Time) error {
			_, err := d.InviteMicrosoft(deal.MicrosoftInvite{Help: deal.HelpOther}, now)
			return err
		}
	}
	if sp.verb == "deal upgrade" && len(words) > n+1 {
		if t, err := vocab.SaleTypes.Match(words[n+1]); err == nil && t.Slug != string(deal.Private) {
			check = func(d *deal.Deal, now time.Time) error { // to the sale type the button names
				_, err := d.Upgrade(deal.SaleType(t.Slug), deal.MicrosoftInvite{Help: deal.HelpOther}, now)
				return err
			}
		}
	}
	c := &call{who: who, verb: sp.verb, now: s.clock.Now(), pos: words[n:]}
	d, err := s.visibleDeal(ctx, c)
	if errors.Is(err, ledger.ErrNotFound) {
		return err // no deal #N (or hidden), for a button as for the command
	}
	if err != nil {
		return nil // unreadable: the opening or the submission says so
	}
	var re *deal.RuleError
	if err := check(asOf(d, c.now), c.now); errors.As(err, &re) && (re.Field == "status" || stateRules[re.Rule]) {
		// A click is an action: an expiry (or a lapsed Microsoft window)
		// it meets that the sweep has not recorded yet is recorded now,
		// dated when it happened, with its news, as the command would.
		// (Refused without it, the history and the channel went on saying
		// "received" until the next sweep.)
		if _, err := s.recordDue(ctx, c, d); err != nil {
			return err
		}
		return re
	}
	return nil
}

// stateRules are the refusals of stateChecks that, like any about the
// deal's status, hold whatever the form or question would be answered: the
// deal, not the stand-in values, breaks them.
var stateRules = map[string]bool{
	"assessment_stages_before_won": true, // a stage left to mark first
	"upgrade_forward":              true, // already partner-led or co-sell
	"microsoft_once":               true, // Microsoft already invited
	"invite_microsoft_assessment":  true, // a solution assessment: no sale type (an old card's button)
	"upgrade_assessment":           true,
}

// stateChecks try a verb that changes a deal on a copy of it, with stand-in
// values for what its form asks: a refusal about the deal's status is what
// the submission would give whatever is typed in the form.
var stateChecks = map[string]func(d *deal.Deal, now time.Time) error{
	"deal accept":  func(d *deal.Deal, now time.Time) error { _, err := d.Accept(deal.Changes{}, now); return err },
	"deal decline": func(d *deal.Deal, now time.Time) error { _, err := d.Decline("-", "", now); return err },
	"deal lost":    func(d *deal.Deal, now time.Time) error { _, err := d.Lose("-", now); return err },
	"deal error":   func(d *deal.Deal, now time.Time) error { _, err := d.CloseAsError("-", now); return err },
	"deal won":     func(d *deal.Deal, now time.Time) error { _, err := d.Win(now); return err },
	"deal upgrade": func(d *deal.Deal, now time.Time) error {
		_, err := d.Upgrade(deal.CoSell, deal.MicrosoftInvite{Help: deal.HelpOther}, now)
		return err
	},
	"deal edit": func(d *deal.Deal, now time.Time) error { _, err := d.Edit(deal.Changes{}, now); return err },
	"deal invite": func(d *deal.Deal, now time.Time) error {
		_, err := d.InvitePartner(deal.Invitation{}, now)
		return err
	},
	"deal team add": func(d *deal.Deal, now time.Time) error {
		_, err := d.AddMember(deal.Person{Name: "-", Email: "-@example.com", Phone: "+1"}, now)
		return err
	},
	"deal snooze": func(d *deal.Deal, now time.Time) error { return d.Snoozable(now) },
}

// Confirm is the question chat asks before running line from a button
// (Confirmation's), with what who should know of the deal at this moment:
// before a registrable deal is won, that a private one can then never be
// registered, or that registration may be rejected for one younger than 72
// hours (deal.WinAdvice), since a won deal is
// never unwon. A deal who cannot see, or none, gets the plain question. A
// Teach button's question names the entry's own question (confirmTeach).
func (s *Service) Confirm(ctx context.Context, who access.User, line string) (question, cancel string) {
	if q, c, ok := s.confirmTeach(ctx, line); ok {
		return q, c
	}
	question, cancel = Confirmation(line)
	f := strings.Fields(line)
	if question == "" || len(f) != 3 || f[1] != "won" {
		return question, cancel
	}
	c := &call{who: who, verb: "deal won", now: s.clock.Now(), pos: f[2:]}
	if d, err := s.visibleDeal(ctx, c); err == nil {
		if advice := d.WinAdvice(c.now); advice != "" {
			question += " " + advice
		}
	}
	return question, cancel
}
