package deal

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/runenames"
)

// RuleError is a refusal: which field, which rule, and what to do about it.
type RuleError struct {
	Field   string // the chat key the user can fix, e.g. "team" or "close"
	Rule    string // a stable rule name, e.g. "team_required"
	Message string
}

func (e *RuleError) Error() string { return e.Field + ": " + e.Message }

// Problems is every rule a draft or change broke, so that a form can show
// them all at once rather than one per attempt.
type Problems []*RuleError

func (p Problems) Error() string {
	msgs := make([]string, len(p))
	for i, e := range p {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap lets errors.As find the first *RuleError.
func (p Problems) Unwrap() []error {
	out := make([]error, len(p))
	for i, e := range p {
		out[i] = e
	}
	return out
}

func (p *Problems) add(field, rule, format string, args ...any) {
	*p = append(*p, &RuleError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

func refuse(field, rule, format string, args ...any) error {
	return &RuleError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)}
}

// phoneRE accepts numbers as people write them: an optional +, digits,
// spaces, dots, dashes and parentheses, an area code in parentheses first
// included ("(425) 555-0100", as American numbers are written).
var phoneRE = regexp.MustCompile(`^(\+?[0-9]|\([0-9])[0-9 ().-]{5,24}$`)

// CheckPerson validates a team member or contact; field names the chat key.
func CheckPerson(field string, p Person) Problems {
	var probs Problems
	if strings.TrimSpace(p.Name) == "" {
		probs.add(field, "person_name", "every person needs a name, written \"Name <email> +phone\"")
	}
	switch {
	case strings.TrimSpace(p.Email) == "":
		probs.add(field, "person_email", "%s has no e-mail address: write \"Name <email> +phone\", like \"Ana Diaz <ana@contoso.com> +46 70 123 45 67\"", nameOr(p.Name))
	case !wellFormedEmail(p.Email):
		probs.add(field, "person_email", "%q is not a valid e-mail address for %s", p.Email, nameOr(p.Name))
	default:
		if err := EmailScript(p.Email); err != nil {
			probs.add(field, "person_email", "%s's e-mail %v", nameOr(p.Name), err)
		}
	}
	digits := 0
	for _, r := range p.Phone {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	switch {
	case strings.TrimSpace(p.Phone) == "":
		// Partner Center asks a phone number of every person on a deal.
		probs.add(field, "person_phone", "%s has no phone number: write \"Name <email> +phone\", like \"Ana Diaz <ana@contoso.com> +46 70 123 45 67\"", nameOr(p.Name))
	case !phoneRE.MatchString(p.Phone) || digits < 6 || digits > 15:
		probs.add(field, "person_phone", "%q is not a valid phone number for %s: use international form, like +33 1 23 45 67 89", p.Phone, nameOr(p.Name))
	}
	return probs
}

// ValidEmail is the one e-mail check, for deal teams and for users (who are
// matched to teams by it): a bare address with a dotted domain, whose
// local part and domain labels are each written in one script (see
// EmailScript).
func ValidEmail(s string) bool {
	return wellFormedEmail(s) && EmailScript(s) == nil
}

// wellFormedEmail reports a bare address with a dotted domain.
func wellFormedEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndex(s, "@")+1:], ".")
}

// EmailScript refuses an address whose local part or a domain label mixes
// scripts, such as "аna@contoso.com" with a Cyrillic а (U+0430): it reads
// exactly like ana@contoso.com, so an admin granting it a role, or a
// colleague reading a team, takes it for somebody else. The error names
// the character that does not belong and says to type the address in one
// script. An address in one other script (пётр@пример.рф) is fine, and so
// are the mixes a language writes itself (UTS #39's "highly restrictive"
// level: Latin with Han and the Japanese kana, with Han and Bopomofo, or
// with Han and Hangul); digits and punctuation belong to every script.
func EmailScript(s string) error {
	parts := []string{s}
	if at := strings.LastIndex(s, "@"); at >= 0 {
		parts = append([]string{s[:at]}, strings.Split(s[at+1:], ".")...)
	}
	for _, part := range parts {
		if r, script, base, ok := mixedScript(part); ok {
			return fmt.Errorf("%q mixes scripts in %q: %U %s is %s among %s letters, so the address looks like one it is not; type the address in one script (all %s)",
				s, part, r, runeName(r), script, base, base)
		}
	}
	return nil
}

// mixedScript finds the first character of part whose script does not go
// with the others': against the script most of part is in (a tie goes to
// Latin, else to the first), since the lookalike is the odd one out. ok
// is false when part is in one script, or in a mix that UTS #39 allows
// (see EmailScript).
func mixedScript(part string) (odd rune, script, base string, ok bool) {
	count := map[string]int{}
	var order []string
	for _, r := range part {
		if sc := scriptOf(r); sc != "" {
			if count[sc] == 0 {
				order = append(order, sc)
			}
			count[sc]++
		}
	}
	if len(order) < 2 {
		return 0, "", "", false
	}
	base = order[0]
	if count["Latin"] > 0 {
		base = "Latin"
	}
	for _, sc := range order {
		if count[sc] > count[base] {
			base = sc
		}
	}
	seen := []string{base}
	for _, r := range part {
		sc := scriptOf(r)
		if sc == "" || slices.Contains(seen, sc) {
			continue
		}
		if !scriptsGo(append(seen, sc)) {
			return r, sc, base, true
		}
		seen = append(seen, sc)
	}
	return 0, "", "", false
}

// scriptMixes are the script sets a language writes together (UTS #39,
// highly restrictive): Japanese, Chinese with Bopomofo, Korean, each with
// Latin.
var scriptMixes = [][]string{
	{"Latin", "Han", "Hiragana", "Katakana"},
	{"Latin", "Han", "Bopomofo"},
	{"Latin", "Han", "Hangul"},
}

// scriptsGo reports whether scripts may stand together in one part.
func scriptsGo(scripts []string) bool {
	if len(scripts) < 2 {
		return true
	}
	for _, mix := range scriptMixes {
		all := true
		for _, sc := range scripts {
			all = all && slices.Contains(mix, sc)
		}
		if all {
			return true
		}
	}
	return false
}

// scriptNames are Go's Unicode scripts, sorted, Common and Inherited left
// out: a character of those (a digit, a dot, a combining accent) goes with
// any script.
var scriptNames = func() []string {
	var out []string
	for name := range unicode.Scripts {
		if name != "Common" && name != "Inherited" {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}()

// scriptOf is the Unicode script of r, such as "Latin" or "Cyrillic"; ""
// for a character of every script (Common, Inherited) and "Unknown" for
// one Unicode has not assigned.
func scriptOf(r rune) string {
	switch {
	case r < 0x80:
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return "Latin"
		}
		return ""
	case unicode.Is(unicode.Common, r) || unicode.Is(unicode.Inherited, r):
		return ""
	}
	for _, name := range scriptNames {
		if unicode.Is(unicode.Scripts[name], r) {
			return name
		}
	}
	return "Unknown"
}

// runeName is the character's Unicode name, as character tables list it
// ("CYRILLIC SMALL LETTER A"), so that a message can tell two lookalikes
// apart in words.
func runeName(r rune) string {
	n := runenames.Name(r)
	if n == "" {
		return "(unnamed)"
	}
	if strings.HasPrefix(n, "<") { // a name made by rule, "<CJK Ideograph>"
		return strings.ToUpper(strings.Trim(n, "<>"))
	}
	return n
}

func nameOr(name string) string {
	if name == "" {
		return "this person"
	}
	return name
}

// reservedRegions are codes x/text accepts as regions that ISO 3166-1 only
// reserves (UN, UK, EU, …): no customer is located there.
var reservedRegions = []string{"AC", "CP", "DG", "EA", "EU", "EZ", "IC", "TA", "UK", "UN"}

// ValidCountry reports whether code is an ISO 3166-1 alpha-2 country code.
func ValidCountry(code string) bool {
	if len(code) != 2 || strings.ToUpper(code) != code || slices.Contains(reservedRegions, code) {
		return false
	}
	r, err := language.ParseRegion(code)
	return err == nil && r.IsCountry()
}

// nonMoney are ISO 4217 codes for metals, funds and testing, not for money
// a deal can be valued in.
var nonMoney = []string{"XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"}

// ValidCurrency reports whether code is an ISO 4217 currency a deal can be
// valued in.
func ValidCurrency(code string) bool {
	if len(code) != 3 || slices.Contains(nonMoney, code) {
		return false
	}
	_, err := currency.ParseISO(code)
	return err == nil && strings.ToUpper(code) == code
}

// locationRE is the shape of an MPN/partner location ID as deals stored
// before PartnerLocationID was enforced may hold it: they still change.
var locationRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// ValidLocation reports whether s can be a partner location ID.
func ValidLocation(s string) bool { return locationRE.MatchString(s) }

// partnerLocationRE is a partner location ID as Partner Center issues it:
// the Partner ID (formerly MPN ID) of one of the partner's locations, a
// number ("1234567" on a referral's mpnId; Partner Center's own examples
// run from 5 to 7 digits).
var partnerLocationRE = regexp.MustCompile(`^[0-9]{5,10}$`)

// PartnerLocationID reports whether s is a partner location ID Partner
// Center takes as a deal's location (its referral's mpnId).
func PartnerLocationID(s string) bool { return partnerLocationRE.MatchString(s) }

// LocationIDHint says what a partner location ID is and where a partner
// finds theirs, for refusals and configuration checks.
const LocationIDHint = "the number Partner Center shows for your location under Settings > Account settings > Identifiers (like 1234567)"

// LocationProblem says what is wrong with s as a new deal's location, and
// what to type, or "" when Partner Center takes it: a country code is the
// customer's (customer_location=), a name or an address is no ID.
func LocationProblem(s string) string {
	t := strings.TrimSpace(s)
	switch {
	case PartnerLocationID(s):
		return ""
	case t == "":
		return "the MPN location is required: location= takes " + LocationIDHint
	case PartnerLocationID(t):
		return fmt.Sprintf("location=%q is not a partner location ID as typed: write it without spaces, location=%s", s, t)
	case len(t) == 2 && ValidCountry(strings.ToUpper(t)):
		return fmt.Sprintf("location=%s looks like a country: location= takes your partner location ID, %s; the customer's country goes in customer_location=%s", t, LocationIDHint, strings.ToUpper(t))
	case strings.Trim(t, "0123456789") == "":
		return fmt.Sprintf("location=%q is not a partner location ID: Partner Center's are 5 to 10 digits; location= takes %s", s, LocationIDHint)
	}
	return fmt.Sprintf("location=%q is not a partner location ID: location= takes %s, not a name or an address", s, LocationIDHint)
}

// locationAtCreation holds a deal made or recorded to a location Partner
// Center takes (PartnerLocationID): check's shape is what deals stored
// before may hold, and they still change. It replaces check's location
// problem, so that one message says what to type.
func locationAtCreation(d *Deal, p Problems) Problems {
	msg := LocationProblem(d.Location)
	if msg == "" || strings.TrimSpace(d.Location) == "" {
		return p // an empty location is check's location_required
	}
	out := make(Problems, 0, len(p)+1)
	for _, e := range p {
		if e.Field != "location" {
			out = append(out, e)
		}
	}
	out.add("location", "location_partner_id", "%s", msg)
	return out
}

func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// check verifies that a deal as a whole satisfies Partner Center's creation
// rules for its kind; every state-changing operation runs it on the result so
// that no edit can leave a deal that could not have been created.
func (d *Deal) check(now time.Time, fresh bool) Problems {
	var p Problems
	inbound := d.Direction == Inbound
	waiting := d.Status == Received

	if !slices.Contains(Kinds, d.Kind) {
		p.add("kind", "kind_known", "kind must be one of ip, services, p2p, sa")
	}
	if strings.TrimSpace(d.Customer.Name) == "" {
		p.add("customer", "customer_required", "the customer's name is required")
	}
	if !ValidCountry(d.Customer.Location) {
		hint := ""
		if strings.EqualFold(strings.TrimSpace(d.Customer.Location), "UK") {
			hint = " (the United Kingdom is GB)" // ISO reserves UK: a tester typed it
		}
		p.add("customer_location", "customer_location_country", "the customer's location must be a two-letter country code like FR or SE, got %q%s", d.Customer.Location, hint)
	}
	switch d.Customer.Account {
	case Managed, Unmanaged, Other:
	default:
		p.add("account", "account_class", "account must be managed, unmanaged or other, got %q", d.Customer.Account)
	}
	if c := d.Customer.Contact; c != nil {
		p = append(p, CheckPerson("contact", *c)...)
		if !d.Customer.Consent {
			p.add("consent", "contact_consent", "sharing the customer's contact needs the customer's consent: add consent=yes")
		}
	} else if d.Help != HelpNone && d.Help != "" {
		p.add("contact", "contact_required_for_microsoft", "inviting Microsoft needs a customer contact: contact=\"Name <email> +phone\" consent=yes")
	}
	if !ValidLocation(d.Location) {
		p.add("location", "location_required", "%s", LocationProblem(d.Location))
	}
	if !ValidCurrency(d.Currency) {
		p.add("currency", "currency_code", "currency must be a three-letter ISO code like USD or EUR, got %q", d.Currency)
	}
	if !waiting {
		if strings.TrimSpace(d.Name) == "" {
			p.add("name", "name_required", "the deal name is required")
		}
		if d.Value <= 0 {
			p.add("value", "value_required", "the estimated value is required and must be above zero")
		}
		if d.CloseDate.IsZero() {
			p.add("close", "close_required", "the estimated close date is required (YYYY-MM-DD)")
		} else if fresh && d.CloseDate.Before(day(now)) {
			p.add("close", "close_in_future", "the estimated close date %s is in the past: give a later one, close=YYYY-MM-DD", d.CloseDate.Format(time.DateOnly))
		}
		if strings.TrimSpace(d.Notes) == "" {
			p.add("notes", "notes_required", "notes are required: say what the customer needs")
		}
		if !inbound && len(d.Team) == 0 { // inbound: the team is optional on accept (seed 004), and once there never emptied (RemoveMember)
			p.add("team", "team_required", "add at least one team member: team=\"Name <email> +phone\"")
		}
	}
	seen := map[string]bool{}
	for _, m := range d.Team {
		p = append(p, CheckPerson("team", m)...)
		// One member once: a second Ana could not be named by e-mail to
		// remove her ("2 members are called ana diaz: name one by e-mail").
		if e := strings.ToLower(strings.TrimSpace(m.Email)); e != "" {
			if seen[e] {
				p.add("team", "team_unique", "%s is on the team twice: give each member once", e)
			}
			seen[e] = true
		}
	}
	clear(seen)
	for _, s := range d.Solutions {
		if n := strings.ToLower(s.Name); seen[n] && d.Kind == SolutionAssessment {
			// assessment= and solution= naming the same assessment type
			// (a tester): the type is given once, as assessment=.
			p.add("solution", "solution_unique", "%s is given twice: a solution assessment deal takes its assessment type as assessment= alone; leave solution= out", s.Name)
		} else if seen[n] {
			p.add("solution", "solution_unique", "%s is given twice: give each solution once", s.Name)
		} else {
			seen[n] = true
		}
	}

	switch d.Kind {
	case IPCoSell:
		if d.Role != "" {
			p.add("role", "role_hidden_for_ip", "partner role does not apply to IP co-sell deals")
		}
		if len(d.Solutions) == 0 && !inbound {
			p.add("solution", "solution_required_ip", "IP co-sell deals need at least one solution from your catalog")
		} else if !inbound && !slices.ContainsFunc(d.Solutions, func(s Solution) bool { return s.IP != IPNone }) {
			p.add("solution", "solution_ip_eligible", "an IP co-sell deal sells at least one co-sell-eligible solution (Azure IP or Business Applications IP co-sell; solution list says which are): %s is not one", solutionNames(d.Solutions))
		}
	case ServicesCoSell:
		if !waiting && !inbound {
			if d.Role == "" {
				p.add("role", "role_required_services", "services co-sell deals need a partner role: %s", joinRoles())
			}
			if d.SolutionArea == "" {
				p.add("area", "area_required_services", "services co-sell deals need a solution area")
			}
			if d.SolutionPlay == "" {
				p.add("play", "play_required_services", "services co-sell deals need a solution play")
			}
		}
		if !inbound && !PlayFitsArea(d.SolutionArea, d.SolutionPlay) {
			// In Partner Center each play is offered under its area only
			// (a referral brings Partner Center's own pair, taken as is).
			// Said in the keys' own values, which chat takes as typed.
			p.add("play", "play_in_area", "play=%s is not a play of area=%s: it is one of area=%s", d.SolutionPlay, d.SolutionArea, strings.Join(AreasOfPlay(d.SolutionPlay), " or area="))
		}
	case SolutionAssessment:
		n := 0
		for _, s := range d.Solutions {
			if s.Source == Assessment {
				n++
			}
		}
		if n != 1 || len(d.Solutions) != 1 {
			p.add("assessment", "assessment_exactly_one", "a solution assessment deal carries exactly one assessment type and no other solution")
		}
		switch {
		case strings.TrimSpace(d.AssessmentLocation) == "":
			p.add("assessment_location", "assessment_location_required", "the assessment location (country code) is required: it decides the incentive payment")
		case !ValidCountry(d.AssessmentLocation):
			p.add("assessment_location", "assessment_location_country", "the assessment location must be a two-letter country code like DE or SE (it decides the incentive payment), got %q", d.AssessmentLocation)
		}
	}
	if d.Role != "" && !slices.Contains(Roles, d.Role) {
		p.add("role", "role_known", "unknown partner role %q: use one of %s", d.Role, joinRoles())
	}
	if d.Kind != SolutionAssessment {
		for _, s := range d.Solutions {
			if s.Source == Assessment {
				p.add("solution", "assessment_only_in_sa", "%q is a solution assessment type: only solution assessment deals (kind=sa) carry one", s.Name)
			}
		}
	}
	switch d.Intent {
	case "", IntentUndecided, IntentNo:
	case IntentYes:
		if !slices.ContainsFunc(d.Solutions, func(s Solution) bool { return s.Incentivized }) {
			p.add("intent", "intent_needs_incentivized", "marketplace intent Yes needs an incentivized marketplace solution on the deal")
		}
	default:
		p.add("intent", "intent_value", "intent must be yes, no or undecided, got %q", d.Intent)
	}
	if d.Intent != "" && d.Intent != IntentUndecided && d.Kind != IPCoSell {
		p.add("intent", "intent_ip_only", "marketplace intent applies to IP co-sell deals only")
	}
	if d.Customer.MACC && len(d.Solutions) > 0 && !slices.ContainsFunc(d.Solutions, func(s Solution) bool { return s.MACC }) {
		p.add("solution", "macc_needs_macc_solution", "the customer is MACC-eligible: pick at least one MACC-eligible solution")
	}
	if !slices.Contains(Helps, d.Help) {
		p.add("help", "help_type", "help must be one of %s", joinHelps())
	}
	// An invited partner's share is its part of the deal (seed 004), on
	// every path that changes the deal's value or currency, not only at the
	// invitation; and the parts of several, together, are no more than the
	// whole (a tester invited 50,000 and 40,000 EUR into an 80,000 EUR deal).
	for _, inv := range d.Partners {
		if !strings.EqualFold(inv.Currency, d.Currency) {
			p.add("currency", "invite_currency", "%s's share of deal %d is %s %s: the deal's value stays in %s while partners are invited in it", inv.Partner, d.ID, inv.Value, inv.Currency, inv.Currency)
		}
	}
	if total, parts := shares(d); d.Value > 0 && total > d.Value {
		p.add("value", "invite_value_share", "%s more than the whole deal (%s %s): the deal is worth at least its invited partners' shares", parts, d.Value, d.Currency)
	}
	return p
}

// invited is the invited partners' shares together (shares).
func invited(d *Deal) Money {
	total, _ := shares(d)
	return total
}

// shares adds up the invited partners' shares in the deal's currency (one
// in another is refused on its own), and says them: "Adatum's share
// (50,000 EUR) is" or "the invited partners' shares (Adatum 50,000 + Litware
// 40,000 = 90,000 EUR) are".
func shares(d *Deal) (Money, string) {
	var total Money
	var named []string
	var one string
	for _, inv := range d.Partners {
		if strings.EqualFold(inv.Currency, d.Currency) {
			total += inv.Value
			named = append(named, fmt.Sprintf("%s %s", inv.Partner, inv.Value))
			one = fmt.Sprintf("%s's share (%s %s) is", inv.Partner, inv.Value, d.Currency)
		}
	}
	if len(named) == 1 {
		return total, one
	}
	return total, fmt.Sprintf("the invited partners' shares (%s = %s %s) are", strings.Join(named, " + "), total, d.Currency)
}

func joinRoles() string {
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

func joinHelps() string {
	names := make([]string, len(Helps))
	for i, h := range Helps {
		names[i] = string(h)
	}
	return strings.Join(names, ", ")
}

// solutionNames lists solutions' names as a refusal quotes them.
func solutionNames(ss []Solution) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = strconv.Quote(s.Name)
	}
	return strings.Join(names, ", ")
}
