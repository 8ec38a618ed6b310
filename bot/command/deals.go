package command

import (
	"github.com/cosellbot/cosellbot/bot/spell"

	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/vocab"
)

func isNotFound(err error) bool { return errors.Is(err, ledger.ErrNotFound) }

// form collects every malformed value of a command, so the user fixes all of
// them in one go.
type form struct {
	c     *call
	probs deal.Problems
}

func (f *form) bad(key, format string, args ...any) {
	f.probs = append(f.probs, &deal.RuleError{Field: key, Rule: "format", Message: fmt.Sprintf(format, args...)})
}

func (f *form) str(key string) string { return strings.TrimSpace(f.c.get(key)) }

func (f *form) strp(key string) *string {
	if !f.c.has(key) {
		return nil
	}
	v := f.str(key)
	return &v
}

func (f *form) money(key string) (deal.Money, bool) {
	m, _, ok := f.amount(key)
	return m, ok
}

// amount reads a value as people write it (45,000 · "45 000" · €45k ·
// "45000 EUR"), with the currency it named, if any.
func (f *form) amount(key string) (deal.Money, string, bool) {
	if !f.c.has(key) {
		return 0, "", false
	}
	a, err := vocab.ParseAmount(f.c.get(key))
	if err != nil {
		f.bad(key, "%v", err)
		return 0, "", false
	}
	return a.Value, a.Currency, true
}

func (f *form) date(key string) (time.Time, bool) {
	if !f.c.has(key) {
		return time.Time{}, false
	}
	t, err := vocab.ParseDate(f.c.get(key), f.c.now)
	if err != nil {
		f.bad(key, "%v", err)
		return time.Time{}, false
	}
	return t, true
}

// moment reads key as a moment or a date: a moment (as Partner Center's
// createdDateTime gives it, or as cosellbot prints one, "2026-11-28 09:15
// UTC") is kept, so that a referral's 14 days run from it, not from the
// day's midnight.
func (f *form) moment(key string) (time.Time, bool) {
	if !f.c.has(key) {
		return time.Time{}, false
	}
	t, err := vocab.ParseMoment(f.c.get(key), f.c.now)
	if err != nil {
		f.bad(key, "%v", err)
		return time.Time{}, false
	}
	return t, true
}

func (f *form) people(key string) []deal.Person {
	if !f.c.has(key) {
		return nil
	}
	ps, err := ParsePeople(f.c.get(key))
	if err != nil {
		f.bad(key, "%v", err)
	}
	return ps
}

func (f *form) yes(key string) bool {
	if !f.c.has(key) {
		return false
	}
	b, err := ParseBool(f.c.get(key))
	if err != nil {
		f.bad(key, "%v", err)
	}
	return b
}

func (f *form) kind() deal.Kind { return deal.Kind(f.term("kind", vocab.Kinds)) }

func (f *form) help() deal.Help {
	if !f.c.has("help") {
		return ""
	}
	if f.str("help") == "" {
		f.bad("help", "help= is empty: %s", "help takes "+vocab.Helps.Accepts())
		return ""
	}
	return deal.Help(f.term("help", vocab.Helps))
}

func (f *form) err() error {
	if len(f.probs) == 0 {
		return nil
	}
	return f.probs
}

// solutions resolves catalog names; source is what a name missing from the
// catalog is to be added as (empty: your own). An assessment type must be
// in the catalog as source=assessment, which only a vetted partner adds.
func (s *Service) solutions(ctx context.Context, f *form, key string, source deal.SolutionSource) []deal.Solution {
	names := ParseList(f.c.get(key))
	if len(names) == 0 {
		return nil
	}
	catalog, err := s.rec.Solutions(ctx)
	if err != nil {
		f.probs = nil
		f.bad(key, "the solution catalog could not be read: %v", err)
		return nil
	}
	var known []string
	for _, sol := range catalog {
		known = append(known, strings.ToLower(sol.Name))
	}
	var out []deal.Solution
	for _, name := range names {
		find := func(name string) int {
			return slices.IndexFunc(catalog, func(sol deal.Solution) bool { return strings.EqualFold(sol.Name, name) })
		}
		i := find(name)
		if bare, ok := vocab.WithoutNote(name); i < 0 && ok {
			// As the card prints it, with its note.
			if j := find(bare); j >= 0 {
				i, name = j, bare
			}
		}
		switch {
		case i < 0 && source == deal.Assessment:
			f.bad(key, "%s is not an assessment type in your catalog: only partners vetted for solution assessments create them; once vetted, add it with solution add name=%s source=assessment", cite(name), cite(name))
		case i < 0:
			if guess, ok := spell.Closest(strings.ToLower(name), known); ok {
				f.bad(key, "no solution %s in your catalog: did you mean %q?", cite(name), guess)
			} else {
				add := "mine"
				if source == deal.ThirdParty {
					// The invited partner's solution: yours would count
					// as a solution of yours for registration.
					add = "third-party"
				}
				f.bad(key, "no solution %s in your catalog: add it with solution add name=%s source=%s", cite(name), cite(name), add)
			}
		case source == deal.Assessment && catalog[i].Source != deal.Assessment:
			f.bad(key, "%s is not an assessment type (its source is %s)", cite(name), vocab.SolutionSources.Label(string(catalog[i].Source)))
		default:
			out = append(out, catalog[i])
		}
	}
	return out
}

func (s *Service) draft(ctx context.Context, c *call) (deal.Draft, error) {
	f := &form{c: c}
	dr := deal.Draft{
		Kind: f.kind(), Name: f.str("name"), Location: f.str("location"),
		Notes: f.str("notes"), Role: deal.Role(f.term("role", vocab.PartnerRoles)), Program: f.str("program"),
		SolutionArea: f.term("area", vocab.Areas), SolutionPlay: f.term("play", vocab.Plays), Intent: deal.Intent(f.term("intent", vocab.Intents)),
		AssessmentLocation: strings.ToUpper(f.str("assessment_location")), Help: f.help(), Share: f.yes("share"),
		CRMID: f.str("crm_id"), CampaignID: f.str("campaign_id"),
		Customer: deal.Customer{
			Name: f.str("customer"), Location: strings.ToUpper(f.str("customer_location")),
			Account: deal.AccountClass(f.term("account", vocab.Accounts)), MACC: f.yes("customer_macc"), Consent: f.yes("consent"),
		},
	}
	if from := f.str("from"); strings.EqualFold(from, "microsoft") {
		dr.From = "microsoft"
	} else if len(from) > len("partner:") && strings.EqualFold(from[:len("partner:")], "partner:") {
		dr.From = "partner:" + strings.TrimSpace(from[len("partner:"):])
	} else {
		dr.From = from
	}
	var typed string
	dr.Value, typed, _ = f.amount("value")
	dr.Currency = f.currencyOf("value", typed)
	dr.CloseDate, _ = f.date("close")
	dr.ReceivedAt, _ = f.moment("received")
	dr.Team = f.people("team")
	dr.Customer.Contact = f.contact()
	dr.Solutions = s.solutions(ctx, f, "solution", "")
	if c.has("assessment") {
		dr.Solutions = append(dr.Solutions, s.solutions(ctx, f, "assessment", deal.Assessment)...)
	}
	if dr.Kind == deal.SolutionAssessment && !c.has("assessment") {
		f.bad("assessment", "a solution assessment deal needs its assessment type: assessment=TYPE assessment_location=CC")
	}
	return dr, f.err()
}

// mayWorkDeals is the deals permission, for callers outside the runner's
// check (the runner already enforced it for every deal verb).
func (s *Service) mayWorkDeals(who access.User) error { return who.May(access.Deals) }

func (s *Service) dealNew(ctx context.Context, c *call) (Reply, error) {
	return s.createDeal(ctx, c, deal.New, "Created")
}

func (s *Service) dealReceive(ctx context.Context, c *call) (Reply, error) {
	return s.createDeal(ctx, c, deal.Receive, "Recorded inbound referral")
}

func (s *Service) createDeal(ctx context.Context, c *call, make func(deal.Draft, time.Time) (*deal.Deal, deal.Event, error), headline string) (Reply, error) {
	dr, formErr := s.draft(ctx, c)
	if !c.who.InLocation(dr.Location) {
		return Reply{}, access.DenyField("location", "%s may create deals only in %s, not in location %s", c.who.ID, strings.Join(c.who.Locations, ", "), dr.Location)
	}
	// A user with a location scope sees a deal only while on its team
	// (access.CanSee): created without them, it would vanish from them at
	// once, after a reply full of actions they could no longer take. A
	// malformed team= is left to its own problem, which says more.
	var form deal.Problems
	errors.As(formErr, &form)
	teamBad := slices.ContainsFunc(form, func(p *deal.RuleError) bool { return p.Field == "team" })
	if !teamBad && !c.who.CanSee(&deal.Deal{Location: dr.Location, Team: dr.Team}) {
		return Reply{}, access.DenyField("team", "%s has a location scope and sees only the deals they are on the team of, so a deal without them on its team would be hidden from them as soon as it is made: add yourself to team= (team=\"Your Name <%s> +PHONE\", more people separated by ;), or ask a referrals admin to create it", c.who.ID, c.who.ID)
	}
	d, ev, err := make(dr, c.now)
	if formErr != nil || err != nil {
		return Reply{}, merge(formErr, err)
	}
	if err := s.path.Create(ctx, d, ev, c.who.ID, nil); err != nil {
		return Reply{}, fmt.Errorf("saving the new deal: %w", err)
	}
	r := s.dealReply(d, c.now, fmt.Sprintf("%s deal #%d: %s.", headline, d.ID, ev.Detail))
	if _, ok := s.rates.Latest().USD(d.Value, d.Currency); d.Registrable() && d.Value > 0 && !ok {
		// Said now, not first when deal register refuses the won deal.
		r.Text += fmt.Sprintf("\nNo registration rate for %s: registering it once won converts the value to USD, so an admin adds the currency's rate to the rates table (COSELLBOT_RATES_FILE, in the README's Configuration).", d.Currency)
	}
	return r, nil
}

// merge reports malformed values together with the rules the rest of the
// draft broke, leaving out rule findings about a field that was malformed
// (its value was not read, so the rule spoke about a blank).
func merge(formErr, ruleErr error) error {
	var form, rules deal.Problems
	errors.As(formErr, &form)
	if !errors.As(ruleErr, &rules) {
		var one *deal.RuleError
		if errors.As(ruleErr, &one) {
			rules = deal.Problems{one}
		} else if ruleErr != nil && formErr == nil {
			return ruleErr
		}
	}
	out := slices.Clone(form)
	for _, r := range rules {
		if !slices.ContainsFunc(form, func(f *deal.RuleError) bool { return f.Field == r.Field }) {
			out = append(out, r)
		}
	}
	return out
}

func (s *Service) entry(c *call, ev deal.Event) ledger.Entry {
	return ledger.Entry{At: c.now, Actor: c.who.ID, Action: ev.Action, Detail: ev.Detail}
}

func (c *call) dealID() (int64, error) {
	raw := strings.TrimPrefix(c.pos[0], "#")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, usage("%s is not a deal ID: deal IDs are numbers, like 12", cite(c.pos[0]))
	}
	return id, nil
}

// visibleDeal loads a deal the caller may see (access.Decide). A deal they
// may not see is refused with the very words and code of a deal that does
// not exist, so that nobody learns what exists outside their scope.
func (s *Service) visibleDeal(ctx context.Context, c *call) (*deal.Deal, error) {
	id, err := c.dealID()
	if err != nil {
		return nil, err
	}
	d, err := s.rec.GetDeal(ctx, id)
	if err != nil {
		if isNotFound(err) {
			return nil, noDeal(id)
		}
		return nil, fmt.Errorf("loading deal #%d: %w", id, err)
	}
	var hidden *access.Hidden
	if err := access.Decide(c.who, perms[c.verb], d); errors.As(err, &hidden) {
		return nil, noDeal(id)
	} else if err != nil {
		return nil, err
	}
	return d, nil
}

// noDeal is the one refusal for a deal that is missing or hidden.
func noDeal(id int64) error { return refused(ledger.ErrNotFound, "%s", access.NoDeal(id)) }

func scopeText(u access.User) string {
	if u.Global || u.Has(access.ReferralsAdmin) {
		return "global"
	}
	return "locations " + strings.Join(u.Locations, ", ") + ", deals you are on the team of"
}

// mutate applies one domain operation to a deal the caller may see,
// through the change path: the rules, the audit entry, the news and the
// sync to every linked system (Partner Center, CRMs) are one transaction. A
// concurrent change makes the store refuse, and the user is told.
//
// The clock's rules come first: a referral whose 14 days ran out, or a
// Microsoft window that closed, since the sweep last looked is recorded
// now (dated when it happened, with its news, once) before the action runs
// against the deal as it really stands, so that the action is refused
// because the referral expired.
func (s *Service) mutate(ctx context.Context, c *call, op func(d *deal.Deal) (deal.Event, error)) (Reply, error) {
	var (
		d, next *deal.Deal
		ev      deal.Event
		err     error
	)
	for attempt := 0; ; attempt++ {
		if d, err = s.visibleDeal(ctx, c); err != nil {
			return Reply{}, err
		}
		if d, err = s.recordDue(ctx, c, d); err != nil {
			return Reply{}, err
		}
		if trial := d.Clone(); opHides(op, trial, c.who) {
			// A location-scoped user taking themselves off a deal's team
			// would lose sight of it at once, after a reply full of
			// actions they could no longer take.
			return Reply{}, access.DenyField("team", "%s sees a deal only while on its team: after this, deal #%d would be hidden from them. Ask a colleague on the team or a referrals admin to do it", c.who.ID, d.ID)
		}
		next, ev, err = s.path.Apply(ctx, d, c.who.ID, op)
		if !errors.Is(err, ledger.ErrConflict) || attempt == maxRetries {
			break
		}
		// The deal changed between the read and the write (a notification
		// of Partner Center or a CRM applied meanwhile, as a rule): the
		// command is applied again to the deal as it is now, and its rules
		// judged again, rather than refused to a person who did nothing
		// wrong.
	}
	if err != nil {
		if errors.Is(err, ledger.ErrConflict) {
			return Reply{}, refused(ledger.ErrConflict, "deal #%d changed while you were working on it, so nothing of yours was saved: look at deal show %d and try again", d.ID, d.ID)
		}
		var rule *deal.RuleError
		var rules deal.Problems
		if errors.As(err, &rule) || errors.As(err, &rules) {
			return Reply{}, err
		}
		return Reply{}, fmt.Errorf("saving deal #%d: %w", d.ID, err)
	}
	return s.dealReply(next, c.now, fmt.Sprintf("Deal #%d: %s.", next.ID, ev.Detail)), nil
}

// opHides reports whether op, carried out on d (a copy), leaves a deal who
// may no longer see.
func opHides(op func(d *deal.Deal) (deal.Event, error), d *deal.Deal, who access.User) bool {
	_, err := op(d)
	return err == nil && !who.CanSee(d)
}

// maxRetries bounds how often a command is applied again after the deal
// changed under it.
const maxRetries = 3

// recordDue stores what fell due on d by the call's time (change.RecordDue).
func (s *Service) recordDue(ctx context.Context, c *call, d *deal.Deal) (*deal.Deal, error) {
	return s.path.RecordDue(ctx, d, c.now)
}

// ClockActor is who the history names for what the clock decided.
const ClockActor = change.ClockActor

func (s *Service) dealReply(d *deal.Deal, now time.Time, headline string) Reply {
	return Reply{
		Text:    headline + "\n" + Card(d, now),
		Data:    map[string]any{"deal": View(d)},
		Actions: NextAt(d, now),
	}
}

// Next lists the actions that make sense for a deal, as NextAt does
// without the time (so without advice that depends on it).
func Next(d *deal.Deal) []Action { return NextAt(d, time.Time{}) }

// NextAt lists the actions that make sense for a deal at now.
func NextAt(d *deal.Deal, now time.Time) []Action {
	id := strconv.FormatInt(d.ID, 10)
	switch {
	case d.Status == deal.Received:
		return []Action{
			{Label: "Accept", Command: "deal accept " + id, Style: "primary", Ask: deal.AcceptAsks(d)},
			{Label: "Decline", Command: "deal decline " + id, Style: "danger", Ask: []string{"reason"}},
			{Label: "Close as error", Command: "deal error " + id, Ask: []string{"reason"}}, // a duplicate referral
			favAction(d), // a tester could heart a referral only by typing deal fav
		}
	case d.Status.Active():
		var out []Action
		if next, ok := d.NextStage(); ok {
			info, _ := deal.StageOf(d.Kind, next)
			out = append(out, Action{Label: "Next stage: " + info.Label, Command: "deal stage " + id + " " + string(next), Style: "primary"})
		}
		if _, more := d.NextStage(); d.Kind != deal.SolutionAssessment || !more {
			q := confirmation("deal won " + id)
			if advice := d.WinAdvice(now); advice != "" {
				q += " " + advice // before the step that cannot be undone
			}
			out = append(out, Action{Label: "Won", Command: "deal won " + id, Style: "primary", Confirm: q})
		}
		out = append(out, Action{Label: "Lost", Command: "deal lost " + id, Style: "danger", Ask: []string{"reason"}})
		// A duplicate or a deal made by mistake is closed as error at any
		// stage (DOMAIN): its form asks why.
		out = append(out, Action{Label: "Close as error", Command: "deal error " + id, Ask: []string{"reason"}})
		if d.SaleType == deal.Private && d.Kind != deal.SolutionAssessment { // no sale type to choose (seed 004)
			out = append(out, Action{Label: "Upgrade to partner-led", Command: "deal upgrade " + id + " partner-led",
				Confirm: confirmation("deal upgrade " + id + " partner-led")})
		}
		// Chat opens a form for each, asking for these keys.
		if d.Microsoft == deal.MSNone && d.Kind != deal.SolutionAssessment { // no sale type to choose (seed 004)
			ask := []string{"help"}
			if d.Customer.Contact == nil { // Microsoft needs one: it is given with the invitation
				ask = append(ask, "contact", "consent")
			}
			out = append(out, Action{Label: "Invite Microsoft", Command: "deal invite " + id + " microsoft", Ask: ask})
		}
		out = append(out, Action{Label: "Invite a partner", Command: "deal invite " + id, Ask: []string{"partner", "solution", "value", "close", "notes"}})
		return append(out, favAction(d))
	case d.Status == deal.Won && d.Kind == deal.IPCoSell:
		return []Action{{Label: "Check registration", Command: "deal register " + id}, favAction(d)}
	case d.Status == deal.Won:
		return []Action{favAction(d)}
	}
	return nil
}

// Confirmation is the question chat asks before running line from a
// button, for the commands that cannot be undone: marking a deal won, and
// widening who sees a private one; and teaching an FAQ entry a question
// (faq misses' Teach buttons); and the command that shows the deal (the
// misses) again, for a Cancel where the question replaces its card. "" for
// any other line. One place for both the action's Confirm (Slack's dialog)
// and the question Discord, which has no dialog, answers the press with.
func Confirmation(line string) (question, cancel string) {
	if id, asked, ok := teachLine(line); ok {
		return teachQuestion(id, "", asked), "faq misses"
	}
	f := strings.Fields(line)
	switch {
	case len(f) == 3 && f[0] == "deal" && f[1] == "won":
		question = "Mark deal #" + f[2] + " won? A won deal is closed for good: it cannot be reopened or edited."
	case len(f) == 4 && f[0] == "deal" && f[1] == "upgrade" && f[3] == "partner-led":
		question = "Upgrade deal #" + f[2] + " to partner-led? Microsoft's sellers will see it, and it cannot be made private again."
	default:
		return "", ""
	}
	return question, "deal show " + f[2]
}

// confirmation is Confirmation's question alone, an action's Confirm.
func confirmation(line string) string {
	q, _ := Confirmation(line)
	return q
}

func favAction(d *deal.Deal) Action {
	if d.Favorite {
		return Action{Label: "Unfavorite", Command: fmt.Sprintf("deal fav %d off", d.ID)}
	}
	return Action{Label: "Favorite", Command: fmt.Sprintf("deal fav %d on", d.ID)}
}

// asOf is the deal as the clock has it at now: an expiry or a lapsed
// window not recorded yet is shown as done (reads never write; the next
// action or sweep records it).
func asOf(d *deal.Deal, now time.Time) *deal.Deal {
	c := d.Clone()
	c.DueEvents(now)
	return c
}

func (s *Service) dealShow(ctx context.Context, c *call) (Reply, error) {
	d, err := s.visibleDeal(ctx, c)
	if err != nil {
		return Reply{}, err
	}
	d = asOf(d, c.now)
	return Reply{Text: Card(d, c.now), Data: map[string]any{"deal": View(d)}, Actions: NextAt(d, c.now)}, nil
}

func (s *Service) dealHistory(ctx context.Context, c *call) (Reply, error) {
	d, err := s.visibleDeal(ctx, c)
	if err != nil {
		return Reply{}, err
	}
	events, err := s.rec.History(ctx, d.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("reading the history of deal #%d: %w", d.ID, err)
	}
	views := make([]EventView, len(events))
	for i, e := range events {
		views[i] = EventView{At: Timestamp(e.At), Actor: e.Actor, Action: e.Action, Detail: e.Detail}
	}
	return Reply{Text: History(d.ID, events), Data: map[string]any{"events": views}}, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (s *Service) changes(ctx context.Context, c *call) (deal.Changes, error) {
	f := &form{c: c}
	ch := deal.Changes{
		Name: f.strp("name"), Notes: f.strp("notes"), CRMID: f.strp("crm_id"), CampaignID: f.strp("campaign_id"),
		Currency: f.strp("currency"),
	}
	if v, typed, ok := f.amount("value"); ok {
		ch.Value = &v
		if typed != "" {
			cur := f.currencyOf("value", typed)
			ch.Currency = &cur
		}
	}
	if t, ok := f.date("close"); ok {
		ch.CloseDate = &t
	}
	ch.Team = f.people("team")
	if c.has("solution") {
		ch.Solutions = s.solutions(ctx, f, "solution", "")
		if ch.Solutions == nil {
			ch.Solutions = []deal.Solution{}
		}
	}
	if c.has("intent") {
		in := deal.Intent(f.term("intent", vocab.Intents))
		ch.Intent = &in
	}
	if c.has("microsoft") {
		ms := deal.MicrosoftState(strings.ToLower(f.str("microsoft")))
		ch.Microsoft = &ms
	}
	if c.has("account") {
		// The label the card prints ("Microsoft managed") as well as the
		// short form; the deal rules say which class may be recorded.
		a := deal.AccountClass(f.term("account", vocab.Accounts))
		ch.Account = &a
	}
	return ch, f.err()
}

// withRules adds to a command's unreadable values the rules that what it
// could read breaks, checked on a copy of the deal (nothing is saved), as
// createDeal does for a draft (merge): one refusal names every problem, so
// a form shows each under its input instead of one more per submission.
func (s *Service) withRules(ctx context.Context, c *call, unreadable error, op func(d *deal.Deal) (deal.Event, error)) error {
	var probs deal.Problems
	if !errors.As(unreadable, &probs) {
		return unreadable
	}
	d, err := s.visibleDeal(ctx, c)
	if err != nil {
		return unreadable
	}
	_, broken := op(d.Clone())
	var rules deal.Problems
	var one *deal.RuleError
	if !errors.As(broken, &rules) && !errors.As(broken, &one) {
		return unreadable // no rule said anything (or something else failed)
	}
	if one != nil && one.Rule == "edit_nothing" {
		return unreadable // nothing left to change because what was given could not be read
	}
	return merge(unreadable, broken)
}

func (s *Service) dealAccept(ctx context.Context, c *call) (Reply, error) {
	ch, err := s.changes(ctx, c)
	op := func(d *deal.Deal) (deal.Event, error) { return d.Accept(ch, c.now) }
	if err != nil {
		return Reply{}, s.withRules(ctx, c, err, op)
	}
	r, err := s.mutate(ctx, c, op)
	if err == nil {
		d := r.Data["deal"].(DealView)
		if len(d.Team) == 0 {
			r.Text += fmt.Sprintf("\nNo team yet: add who works on it with deal team add %d \"Name <email> +phone\".", d.ID)
		}
		r.Text += noRegistrableSolution(d)
	}
	var re *deal.RuleError
	if errors.As(err, &re) && re.Rule == "status_accept" && len(c.args.Keys) > 0 {
		// Someone accepted it first (two people at once, an old form):
		// "nothing to do" read as if the values given were kept.
		return r, &deal.RuleError{Field: re.Field, Rule: re.Rule, Message: fmt.Sprintf("%s; the %s you gave %s not applied: change them with deal edit %s %s",
			re.Message, strings.Join(c.args.Keys, ", "), map[bool]string{true: "was", false: "were"}[len(c.args.Keys) == 1], c.pos[0], strings.Join(givenPairs(c), " "))}
	}
	return r, err
}

// givenPairs writes back the key=value pairs of a call as typed.
func givenPairs(c *call) []string {
	out := make([]string, len(c.args.Keys))
	for i, k := range c.args.Keys {
		out[i] = k + "=" + vocab.Quoted(c.args.Pairs[k])
	}
	return out
}

// noRegistrableSolution warns, on an IP co-sell deal with no solution that
// registration takes, that it needs one before it is won (a won deal
// cannot change); "" otherwise. Microsoft's referral may name none, and
// nothing else says so until deal register refuses for good.
func noRegistrableSolution(d DealView) string {
	if d.Kind != deal.IPCoSell || deal.RegistrableSolution(d.Solutions) {
		return ""
	}
	return fmt.Sprintf("\nNo co-sell-eligible solution of yours yet: registering the deal once won needs one (Azure IP or Business Applications IP co-sell). Add it before the deal is won, which it cannot be after: deal edit %d solution=\"…\".", d.ID)
}

func (s *Service) dealEdit(ctx context.Context, c *call) (Reply, error) {
	ch, err := s.changes(ctx, c)
	op := func(d *deal.Deal) (deal.Event, error) { return d.Edit(ch, c.now) }
	if err != nil {
		return Reply{}, s.withRules(ctx, c, err, op)
	}
	return s.mutate(ctx, c, op)
}

func (s *Service) dealDecline(ctx context.Context, c *call) (Reply, error) {
	return s.mutate(ctx, c, func(d *deal.Deal) (deal.Event, error) { return d.Decline(c.get("reason"), c.get("notes"), c.now) })
}

func (s *Service) dealTeamAdd(ctx context.Context, c *call) (Reply, error) {
	if strings.Contains(c.pos[1], ";") {
		// Several people, as team= takes them: parsed as one, the refusal
		// spoke of an invalid phone number ("+46 70 …; Bob").
		return Reply{}, &deal.RuleError{Field: "team", Rule: "format",
			Message: fmt.Sprintf("deal team add adds one person: add them one at a time (deal team add %s \"Name <email> +phone\"), or give the whole team with deal edit %s team=\"A <a@x.com> +1 …; B <b@x.com> +1 …\"", c.pos[0], c.pos[0])}
	}
	p, err := ParsePerson(c.pos[1])
	if err != nil {
		return Reply{}, &deal.RuleError{Field: "team", Rule: "format", Message: err.Error()}
	}
	return s.mutate(ctx, c, func(d *deal.Deal) (deal.Event, error) { return d.AddMember(p, c.now) })
}

func (s *Service) dealTeamRemove(ctx context.Context, c *call) (Reply, error) {
	return s.mutate(ctx, c, func(d *deal.Deal) (deal.Event, error) { return d.RemoveMember(strings.Join(c.pos[1:], " "), c.now) })
}

func (s *Service) dealStage(ctx context.Context, c *call) (Reply, error) {
	name := strings.Join(c.pos[1:], " ") // "Collecting data" typed without quotes is still one stage
	return s.mutate(ctx, c, func(d *deal.Deal) (deal.Event, error) { return markStage(d, name, c.now) })
}

// markStage carries out deal stage on d: name is the stage as typed. A
// name that no stage of the deal's kind bears is refused with what to type
// instead (ux #9): the verb that ends a deal for Lost, Closed as error or
// Won, the stages deal stage takes for that kind otherwise; and, with it,
// any rule the deal's status breaks (a won deal takes no stage), so that
// one refusal names every problem.
func markStage(d *deal.Deal, name string, now time.Time) (deal.Event, error) {
	if t, ok := vocab.Stages(d.Kind).Lookup(name); ok {
		return d.MarkStage(deal.Stage(t.Slug), now)
	}
	unknown := &deal.RuleError{Field: "stage", Rule: "stage_known", Message: stageRefusal(d, name).Error()}
	var status *deal.RuleError
	if err := d.StageStatus(now); errors.As(err, &status) {
		return deal.Event{}, deal.Problems{status, unknown}
	}
	return deal.Event{}, unknown
}

// stageRefusal says why name is no stage of d and what to type instead.
func stageRefusal(d *deal.Deal, name string) error {
	verbs := fmt.Sprintf("a deal ends with deal won %d, deal lost %d reason=… or deal error %d reason=…", d.ID, d.ID, d.ID)
	if t, ok := vocab.Statuses.Lookup(name); ok {
		switch deal.Status(t.Slug) {
		case deal.Lost:
			return fmt.Errorf("%s is not a sales stage: mark the deal lost with deal lost %d reason=…", cite(name), d.ID)
		case deal.Error:
			return fmt.Errorf("%s is not a sales stage: close the deal as error with deal error %d reason=… (a duplicate, the wrong customer…)", cite(name), d.ID)
		case deal.Won:
			return fmt.Errorf("%s is not a sales stage: mark the deal won with deal won %d", cite(name), d.ID)
		case deal.Declined:
			return fmt.Errorf("%s is not a sales stage: a received referral is declined with deal decline %d reason=…; a deal you work ends with deal lost %d reason=…", cite(name), d.ID, d.ID)
		}
	}
	if f := vocab.Fold(name); f == "closed" || f == "close" {
		return fmt.Errorf("%s is not a sales stage: %s", cite(name), verbs)
	}
	// Match refuses name (Lookup missed it in the kind's whole table, of
	// which these are a part), with a did-you-mean and what deal stage takes.
	_, err := vocab.MarkableStages(d.Kind).Match(name)
	return fmt.Errorf("%v; %s", err, verbs)
}

func (s *Service) dealWon(ctx context.Context, c *call) (Reply, error) {
	r, err := s.mutate(ctx, c, func(d *deal.Deal) (deal.Event, error) { return d.Win(c.now) })
	// Only IP co-sell deals are registered: pointing another kind there
	// would send the person to a check that can only say no.
	if d, ok := r.Data["deal"].(DealView); err == nil && ok && d.Kind == deal.IPCoSell {
		if deal.RegistrableSolution(d.Solutions) {
			r.Text += "\nNext: deal register " + strconv.FormatInt(d.ID, 10) + " checks whether it can be registered."
		} else {
			r.Text += "\nIt cannot be registered: no co-sell-eligible solution of yours is on it, and a won deal cannot change."
		}
	}
	return r, err
}

func (s *Service) dealLost(ctx context.Context, c *call) (Reply, error) {
	return s.mutate(ctx, c, func(d *deal.Deal) (deal.Event, error) { return d.Lose(c.get("reason"), c.now) })
}

func (s *Service) dealError(ctx context.Context, c *call) (Reply, error) {
	return s.mutate(ctx, c, func(d *deal.Deal) (deal.Event, error) { return d.CloseAsError(c.get("reason"), c.now) })
}

func (s *Service) dealInvite(ctx context.Context, c *call) (Reply, error) {
	f := &form{c: c}
	switch {
	case len(c.pos) == 2 && strings.EqualFold(c.pos[1], "microsoft"):
		if c.has("partner") {
			return Reply{}, usage("invite either microsoft or partner=NAME, one at a time")
		}
		if k := firstKey(c, "notes", "value", "close", "solution", "team", "currency"); k != "" {
			// Taken and dropped, the invitation went out without them.
			return Reply{}, usage("%s= goes with deal invite ID partner=NAME (a partner's share of the deal); Microsoft is invited with help=, and contact= consent= when the deal has no customer contact. To change the deal itself: deal edit %s %s=…", k, c.pos[0], k)
		}
		inv := f.microsoftInvite()
		if err := f.err(); err != nil {
			return Reply{}, err
		}
		return s.mutate(ctx, c, func(d *deal.Deal) (deal.Event, error) { return d.InviteMicrosoft(inv, c.now) })
	case len(c.pos) == 1 && c.has("partner"):
		if firstKey(c, "contact", "consent") != "" {
			return Reply{}, usage("contact= and consent= go with deal invite ID microsoft: a partner is invited without the customer's contact")
		}
		inv := deal.Invitation{Partner: f.str("partner"), Notes: f.str("notes"), Currency: strings.ToUpper(f.str("currency")), Help: f.help()}
		var typed string
		inv.Value, typed, _ = f.amount("value")
		inv.Currency = f.currencyOf("value", typed)
		inv.CloseDate, _ = f.date("close")
		inv.Team = f.people("team")
		inv.Solutions = s.solutions(ctx, f, "solution", deal.ThirdParty)
		if formErr := f.err(); formErr != nil {
			// Every problem at once, as deal new says them: the rules the
			// rest of the invitation breaks (a past close date, no notes),
			// tried on a copy of the deal, beside the malformed values.
			d, err := s.visibleDeal(ctx, c)
			if err != nil {
				return Reply{}, formErr
			}
			_, ruleErr := asOf(d, c.now).InvitePartner(inv, c.now)
			return Reply{}, merge(formErr, ruleErr)
		}
		return s.mutate(ctx, c, func(d *deal.Deal) (deal.Event, error) { return d.InvitePartner(inv, c.now) })
	case len(c.pos) == 1 && (c.has("solution") || c.has("value") || c.has("close") || c.has("notes") || c.has("team")):
		// A partner's invitation without the partner (a blank Partner
		// input): say so under that input, not with both usages.
		return Reply{}, &usageError{msg: "inviting a partner needs partner=NAME: deal invite " + c.pos[0] + " partner=NAME value=… close=… notes=… solution=…",
			missing: deal.Problems{{Field: "partner", Rule: "required", Message: "required: the invited partner's name"}}}
	}
	return Reply{}, usage("usage: deal invite ID microsoft help=… [contact=\"Name <email> +phone\" consent=yes] | deal invite ID partner=NAME value=… close=… notes=… solution=…")
}

func (s *Service) dealUpgrade(ctx context.Context, c *call) (Reply, error) {
	t, err := vocab.SaleTypes.Match(c.pos[1])
	if err != nil || t.Slug == string(deal.Private) {
		return Reply{}, usage("upgrade to Partner-led or Co-sell, not %s", cite(c.pos[1]))
	}
	to := deal.SaleType(t.Slug)
	if k := firstKey(c, "help", "contact", "consent"); k != "" && to == deal.PartnerLed {
		// Taken and dropped, the deal became partner-led, for good, while
		// help was asked: co-sell is what asking Microsoft for help makes.
		return Reply{}, usage("%s= invites Microsoft, which makes the deal co-sell: deal upgrade %s co-sell help=… (partner-led only shows the deal to Microsoft's sellers, without asking help)", k, c.pos[0])
	}
	f := &form{c: c}
	inv := f.microsoftInvite()
	if err := f.err(); err != nil {
		return Reply{}, err
	}
	return s.mutate(ctx, c, func(d *deal.Deal) (deal.Event, error) { return d.Upgrade(to, inv, c.now) })
}

// firstKey is the first of keys the command was given, or "".
func firstKey(c *call, keys ...string) string {
	for _, k := range keys {
		if c.has(k) {
			return k
		}
	}
	return ""
}

// microsoftInvite reads what inviting Microsoft takes: help=, and the
// customer's contact= with consent= when the deal has none yet.
func (f *form) microsoftInvite() deal.MicrosoftInvite {
	return deal.MicrosoftInvite{Help: f.help(), Contact: f.contact(), Consent: f.yes("consent")}
}

// contact reads contact=, one person, or nil when not given.
func (f *form) contact() *deal.Person {
	if !f.c.has("contact") {
		return nil
	}
	p, err := ParsePerson(f.c.get("contact"))
	if err != nil {
		f.bad("contact", "%v", err)
		return nil
	}
	return &p
}

// dealFav switches the heart, or sets it as on or off says: the buttons
// say which, so that a card's old Favorite (or a double click) never takes
// away a tag someone set since.
func (s *Service) dealFav(ctx context.Context, c *call) (Reply, error) {
	want := ""
	if len(c.pos) > 1 {
		switch want = strings.ToLower(c.pos[1]); want {
		case "on", "off":
		default:
			return Reply{}, &deal.RuleError{Field: "favorite", Rule: "favorite_on_off", Message: fmt.Sprintf("deal fav ID takes on or off (or nothing, to switch), got %q", c.pos[1])}
		}
	}
	return s.mutate(ctx, c, func(d *deal.Deal) (deal.Event, error) {
		if want != "" && d.Favorite == (want == "on") {
			state := map[bool]string{true: "a favorite", false: "not a favorite"}[d.Favorite]
			return deal.Event{}, &deal.RuleError{Field: "favorite", Rule: "favorite_already", Message: fmt.Sprintf("deal %d is already %s: nothing to do", d.ID, state)}
		}
		return d.ToggleFavorite(c.now), nil
	})
}

func (s *Service) dealRegister(ctx context.Context, c *call) (Reply, error) {
	d, err := s.visibleDeal(ctx, c)
	if err != nil {
		return Reply{}, err
	}
	d = asOf(d, c.now)
	e := d.Registration(s.rates)
	return Reply{Text: Registration(d, e), Data: map[string]any{"registration": e, "deal": View(d)}}, nil
}
