// Package command turns what people type after /cosell into typed commands,
// runs them against the domain rules and the durable record, and answers with
// a platform-neutral Reply. Every chat adapter and the CLI go through here, so
// the grammar, the permissions and the wording are the same everywhere.
package command

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/change"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/spell"
)

// Record is what the commands need of the durable record; deals change
// only through the change path (bot/change), which it also serves.
type Record interface {
	change.Record
	ListDeals(ctx context.Context, f ledger.DealFilter) ([]*deal.Deal, error)
	History(ctx context.Context, dealID int64) ([]ledger.Entry, error)
	AddSolution(ctx context.Context, s deal.Solution, e ledger.Entry) error
	Solutions(ctx context.Context) ([]deal.Solution, error)
	PutUser(ctx context.Context, u access.User, e ledger.Entry) error
	User(ctx context.Context, id string) (access.User, error)
	Users(ctx context.Context) ([]access.User, error)
	RemoveUser(ctx context.Context, id string, e ledger.Entry) error
}

// Clock tells the time; tests pass a fixed one.
type Clock interface{ Now() time.Time }

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// Service runs commands.
type Service struct {
	rec   Record
	clock Clock
	rates deal.Rates
	log   *slog.Logger
	specs []*spec

	// The change path every deal change takes (bot/change): rules, audit,
	// news and sync work in one transaction. WithChanges sets the one
	// that knows the configured systems; New makes one that syncs nothing.
	path *change.Engine

	// Reminders, subscriptions and CPOR claims (issue 5): set by WithAlerts and WithCPOR.
	alerts       AlertRecord
	platforms    []string
	remindBefore []time.Duration
	claims       ClaimRecord

	// FAQ answers (issue 6): set by WithFAQ.
	faq *faqBook

	// Observability (issue 7): told of every command's verb, outcome and duration; set by WithObserver.
	observe Observer

	// Pipeline page (issue 17): makes one-time sign-in links; set by WithWebLinks.
	web WebLinks
}

// Option adds an optional capability to a Service (FAQ answers, CPOR
// claims, subscriptions…), each with the dependencies it needs.
type Option func(*Service)

// New builds a Service over a record, a clock and the registration rates.
func New(rec Record, clock Clock, rates deal.Rates, log *slog.Logger, opts ...Option) *Service {
	if log == nil {
		log = slog.Default()
	}
	s := &Service{rec: rec, clock: clock, rates: rates, log: log}
	for _, o := range opts {
		o(s)
	}
	if s.path == nil {
		s.path = change.New(rec, clock, nil, nil, log)
	}
	s.specs = s.table()
	for _, sp := range s.specs {
		sp.words = strings.Fields(sp.verb)
	}
	return s
}

// spec describes one verb: its words, arguments and keys, and its handler.
// Help, suggestions and validation are all generated from this table.
type spec struct {
	verb     string   // "deal team add"
	words    []string // the verb's words, split once (lookup runs for every line)
	args     []string // positional arguments after the verb, e.g. "ID"
	optArgs  int      // how many trailing args may be omitted
	variadic bool     // the last argument takes every remaining word
	reads    bool     // changes nothing: a replayed request may be answered again
	// checksAll: the verb's own checks refuse a missing required key
	// along with every other problem of the line, and change nothing
	// when they refuse: with a key missing it runs all the same, and its
	// refusal is said when it finds a given value wrong too.
	checksAll bool
	required  []string // keys that must be given
	optional  []string // keys that may be given
	usage     string   // extra usage shown after the generated synopsis
	summary   string
	run       func(ctx context.Context, c *call) (Reply, error)
}

// call is one invocation being carried out.
type call struct {
	who   access.User
	where chat.Place // where it was typed: subscriptions and replies use it
	verb  string
	now   time.Time
	args  Args     // words after the verb, and pairs
	pos   []string // positional arguments
}

func (c *call) has(key string) bool { _, ok := c.args.Pairs[key]; return ok }

func (c *call) get(key string) string { return c.args.Pairs[key] }

// Resolve finds who is speaking. An empty id is the local admin of the shell
// and of ask; anyone else must have been added by an admin.
func (s *Service) Resolve(ctx context.Context, id string) (access.User, error) {
	if id == "" || strings.EqualFold(id, access.LocalAdmin.ID) {
		return access.LocalAdmin, nil
	}
	u, err := s.rec.User(ctx, strings.ToLower(id))
	if err != nil {
		if isNotFound(err) {
			return access.User{}, access.Deny("%s is not a cosellbot user: ask an admin to run user add %s role=referrals-user locations=LOC", id, id)
		}
		return access.User{}, err
	}
	return u, nil
}

// Run carries out one command line as typed after /cosell by who, in the
// chat place where.
func (s *Service) Run(ctx context.Context, who access.User, where chat.Place, line string) (reply Reply) {
	if s.observe != nil {
		defer s.observed(line, time.Now(), &reply) // wall time for metrics, never for a rule: the service clock may stand still
	}
	r, err := s.run(ctx, who, where, line)
	if err != nil {
		reply := fail(err)
		if reply.Err.Code == "unavailable" {
			s.log.ErrorContext(ctx, "command failed", "user", who.ID, "err", err)
		}
		return reply
	}
	return r
}

func (s *Service) run(ctx context.Context, who access.User, where chat.Place, line string) (Reply, error) {
	if s.faq != nil && s.isQuestion(line) {
		return s.answer(ctx, &call{who: who, where: where, verb: "faq", now: s.clock.Now()}, line)
	}
	r, err := s.command(ctx, who, where, line)
	if err != nil && s.faq != nil {
		switch asked, hint := s.answers(ctx, line, err); {
		case asked:
			// "deal registration requirements?", "cpor what is it": a
			// question that starts with a command's noun. What does not
			// read as that command and that the FAQ answers with
			// confidence is the question.
			return s.answer(ctx, &call{who: who, where: where, verb: "faq", now: s.clock.Now()}, line)
		case hint:
			// Asked without a question mark or word ("deal registration
			// requirements"), or asked but not answered with confidence
			// ("cpor claim window for customer?"): still refused as the
			// command it starts like, with the way to ask it.
			err = usage("%v (a question? ask it: faq %s)", err, strings.TrimSpace(line))
		}
	}
	return r, err
}

// answers reports whether a line refused as a command's usage reads as a
// question (a question mark or word, no key=value, no deal number) that
// the FAQ answers with confidence: asked. hint: the refusal says how to
// ask it as a question, since the FAQ answers it with confidence though
// nothing marks it a question, or it is marked a question (of three words
// or more, or with a question word) that the FAQ does not answer with
// confidence: a tester's "cpor claim window for customer?" got the usage
// alone while "deal registration requirements" got the hint. "new deal",
// "accept 1" and "deal foo?" stay commands with their own help.
func (s *Service) answers(ctx context.Context, line string, err error) (asked, hint bool) {
	var use *usageError
	if !errors.As(err, &use) || strings.Contains(line, "=") {
		return false, false
	}
	if args, perr := Parse(strings.TrimRight(strings.TrimSpace(line), "?")); perr == nil {
		sp, n, words := s.find(args.Words)
		switch {
		case sp != nil && n == len(words):
			return false, false // "cpor list?": the command, with a question mark
		case sp != nil && n >= 2 && strings.EqualFold(words[0], "faq"):
			// "faq teach partner-id-where", its question forgotten: one of
			// the FAQ's own commands, never a question to it. Since 0.47.0
			// the FAQ answers that line ("partner id where") with
			// confidence, and the admin got the entry's answer instead of
			// the usage.
			return false, false
		}
	}
	marked := strings.HasSuffix(strings.TrimSpace(line), "?")
	worded := false
	for _, w := range strings.FieldsFunc(strings.ToLower(line), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if strings.Trim(w, "0123456789") == "" {
			return false, false // a deal or claim number: a command with a slip
		}
		worded = worded || questionWords[w]
	}
	asks, long := marked || worded, len(strings.Fields(line)) >= 3
	if !asks && !long {
		return false, false // "deal foo": a slip, not a question
	}
	ix, ierr := s.faq.Index(ctx, s.clock.Now())
	if ierr != nil {
		return false, false
	}
	ok := ix.Ask(line).Answered
	return asks && ok, ok != asks && (long || worded)
}

// questionWords start questions in English, French and Swedish.
var questionWords = map[string]bool{
	"what": true, "how": true, "who": true, "when": true, "where": true, "why": true, "which": true, "whats": true,
	"quoi": true, "comment": true, "qui": true, "quand": true, "où": true, "pourquoi": true, "quel": true, "quelle": true, "quels": true, "quelles": true, "combien": true,
	"vad": true, "hur": true, "vem": true, "när": true, "varför": true, "vilken": true, "vilka": true, "vilket": true,
}

// command runs a line as a command (not a question).
func (s *Service) command(ctx context.Context, who access.User, where chat.Place, line string) (Reply, error) {
	args, err := Parse(line)
	if err != nil {
		return Reply{}, err
	}
	if len(args.Words) == 0 {
		if len(args.Keys) > 0 {
			return Reply{}, usage("start with a verb, like deal new; type help for the list")
		}
		return s.help(""), nil
	}
	sp, n, words := s.find(args.Words) // also "list deals", "show deal 1" (order.go)
	if sp == nil {
		return Reply{}, s.unknownVerb(args)
	}
	reworded := !slices.Equal(words, args.Words)
	args.Words = words
	if err := s.permit(ctx, who, sp); err != nil {
		return Reply{}, err
	}
	c := &call{who: who, where: where, verb: sp.verb, now: s.clock.Now(), args: Args{Pairs: args.Pairs, Keys: args.Keys}}
	rest := args.Words[n:]
	if len(rest) > len(sp.args) && !sp.variadic {
		extra := rest[len(sp.args)]
		if strings.HasPrefix(extra, "--") {
			return Reply{}, usage("%s takes no flag %s; usage: %s", sp.verb, cite(extra), sp.synopsis())
		}
		if len(sp.args) == 0 {
			return Reply{}, usage("%s takes no word %s; usage: %s", sp.verb, cite(extra), sp.synopsis())
		}
		return Reply{}, usage("%s takes no word %s after %s; usage: %s", sp.verb, cite(extra), strings.Join(rest[:len(sp.args)], " "), sp.synopsis())
	}
	if len(rest) < len(sp.args)-sp.optArgs {
		if more := helpMore[sp.verb]; more != "" {
			// "deal stage 13" alone: what the missing word may be (a
			// tester got the synopsis without the stages' names).
			return Reply{}, usage("usage: %s\n  %s", sp.synopsis(), more)
		}
		return Reply{}, usage("usage: %s", sp.synopsis())
	}
	c.pos = rest
	allowed := append(slices.Clone(sp.required), sp.optional...)
	if err := unknownKeys(sp, args, words, allowed, reworded); err != nil {
		return Reply{}, err
	}
	var missing []string
	var probs deal.Problems
	for _, k := range sp.required {
		if strings.TrimSpace(c.get(k)) == "" {
			missing = append(missing, k+"=")
			probs = append(probs, &deal.RuleError{Field: k, Rule: "required", Message: "required: " + keyDocFor(sp.verb, k)})
		}
	}
	if len(missing) > 0 && sp.checksAll {
		// "deal new … notes=\"\"" said only that notes= was missing,
		// hiding a bad country, a negative value and a past date on the
		// same line (a tester): when the verb's own checks find a value
		// given wrong too, their refusal names every problem at once.
		r, err := sp.run(ctx, c)
		switch {
		case err == nil:
			return r, nil // the verb's checks found nothing missing after all: its answer stands
		case givenWrong(err, c):
			return Reply{}, err
		}
	}
	if len(missing) > 0 {
		// A deal the verb cannot act on is refused for that first:
		// "deal snooze 8" on an outbound deal asked for until=, only to
		// refuse the snooze once it came. (A deal number that names no
		// deal is said when the command runs, as before.)
		if err := s.stateRefusal(ctx, who, sp, args.Words, n); err != nil && !errors.Is(err, ledger.ErrNotFound) {
			return Reply{}, err
		}
		return Reply{}, &usageError{msg: sp.verb + " needs " + strings.Join(missing, " ") + "; usage: " + sp.synopsis(), missing: probs}
	}
	return sp.run(ctx, c)
}

// isQuestion tells free text from a command: a line is a command when its
// first word is a verb, or is a near miss of one in a short or key=value
// line (a typo to point out); anything else is a question for the FAQ.
func (s *Service) isQuestion(line string) bool {
	words := strings.Fields(quoteFold.Replace(line))
	if len(words) == 0 {
		return false
	}
	first := strings.ToLower(words[0])
	for _, sp := range s.specs {
		if v, _, _ := strings.Cut(sp.verb, " "); v == first {
			return false
		}
	}
	return !s.looksLikeCommand(words, line) // order.go
}

// ReadOnly reports whether a command line changes nothing, so that an
// adapter may answer a replayed request again instead of refusing it.
// FAQ questions count as read-only: a replay only records a miss twice.
func (s *Service) ReadOnly(line string) bool {
	if s.faq != nil && s.isQuestion(line) {
		return true
	}
	args, err := Parse(line)
	if err != nil || len(args.Words) == 0 {
		return err == nil // a blank line shows help
	}
	sp, _, _ := s.find(args.Words)
	return sp != nil && sp.reads
}

// lookup finds the longest verb matching the leading words.
func (s *Service) lookup(words []string) (*spec, int) {
	var best *spec
	bestN := 0
	for _, sp := range s.specs {
		vw := sp.words
		if len(vw) > len(words) || len(vw) <= bestN {
			continue
		}
		match := true
		for i, w := range vw {
			if !strings.EqualFold(words[i], w) {
				match = false
				break
			}
		}
		if match {
			best, bestN = sp, len(vw)
		}
	}
	return best, bestN
}

func (s *Service) unknownVerb(args Args) error {
	words := args.Words
	if hint, ok := s.objectHint(args); ok { // "accept 12" → did you mean deal accept 12? (order.go)
		return hint
	}
	// Suggest against verbs sharing the words that did match.
	var cands []string
	prefix := ""
	for depth := 0; depth < len(words); depth++ {
		seen := map[string]bool{}
		var next []string
		for _, sp := range s.specs {
			vw := sp.words
			if depth < len(vw) && strings.HasPrefix(sp.verb+" ", prefix) && !seen[vw[depth]] {
				seen[vw[depth]] = true
				next = append(next, vw[depth])
			}
		}
		if len(next) == 0 {
			break
		}
		w := strings.ToLower(words[depth])
		if slices.Contains(next, w) {
			prefix += w + " "
			continue
		}
		cands = next
		sort.Strings(cands)
		if guess, ok := spell.Closest(w, cands); ok {
			return usage("unknown command %s: did you mean %s?", cite(strings.TrimSpace(prefix+w)), strings.TrimSpace(prefix+guess))
		}
		if prefix == "" {
			return usage("unknown command %s; type help for the list", cite(w))
		}
		return usage("%s takes one of: %s", strings.TrimSpace(prefix), strings.Join(cands, ", "))
	}
	return usage("%s needs more: %s", strings.Join(words, " "), strings.Join(s.verbsUnder(prefix), " | "))
}

func (s *Service) verbsUnder(prefix string) []string {
	var out []string
	for _, sp := range s.specs {
		if strings.HasPrefix(sp.verb+" ", prefix) {
			out = append(out, sp.verb)
		}
	}
	return out
}

func (sp *spec) synopsis() string {
	parts := []string{sp.verb}
	for i, a := range sp.args {
		if i >= len(sp.args)-sp.optArgs {
			a = "[" + a + "]"
		}
		parts = append(parts, a)
	}
	for _, k := range sp.required {
		parts = append(parts, k+"=…")
	}
	if len(sp.optional) > 0 {
		parts = append(parts, "["+strings.Join(sp.optional, "= ")+"=]")
	}
	if sp.usage != "" {
		parts = append(parts, sp.usage)
	}
	return strings.Join(parts, " ")
}

func (s *Service) help(verb string) Reply {
	var b strings.Builder
	if verb != "" {
		var found []*spec
		for _, sp := range s.specs {
			if sp.verb == verb || strings.HasPrefix(sp.verb, verb+" ") {
				found = append(found, sp)
			}
		}
		if len(found) > 0 {
			for _, sp := range found {
				// Its own help need not point at itself ("help deal new
				// lists every key", inside help deal new).
				summary, _, _ := strings.Cut(sp.summary, " (help "+sp.verb+" ")
				b.WriteString(sp.synopsis() + "\n    " + summary)
				if len(found) == 1 || sp.verb == verb {
					b.WriteString(sp.keyHelp()) // keys with their values (keydocs.go)
				}
				b.WriteString("\n")
			}
			return Reply{Text: strings.TrimRight(b.String(), "\n")}
		}
		// A mistyped verb ("help deal stge") got the whole help with no
		// word of the typo: say which verb it nearly is.
		verbs := make([]string, len(s.specs))
		var nouns []string // the first words ("deal"), for "help dael"
		for i, sp := range s.specs {
			verbs[i] = sp.verb
			if n, _, _ := strings.Cut(sp.verb, " "); !slices.Contains(nouns, n) {
				nouns = append(nouns, n)
			}
		}
		guess, ok := spell.Closest(verb, verbs)
		if first, rest, _ := strings.Cut(verb, " "); !ok {
			if n, near := spell.Closest(first, nouns); near {
				guess, ok = strings.TrimSpace(n+" "+rest), true
			}
		}
		if ok {
			fmt.Fprintf(&b, "No command %s: did you mean help %s?\n", cite(verb), guess)
		} else {
			fmt.Fprintf(&b, "No command %s.\n", cite(verb))
		}
	}
	b.WriteString("cosellbot: your Partner Center co-sell pipeline, from chat. Commands:\n")
	for _, sp := range s.specs {
		b.WriteString("  " + sp.verb + strings.Repeat(" ", max(1, 18-len(sp.verb))) + sp.summary + "\n")
	}
	b.WriteString("Type help VERB for the keys of a command, e.g. help deal new.\n")
	b.WriteString("Values with spaces go in double quotes; lists are comma-separated; people are \"Name <email> +phone\", separated by ;.")
	return Reply{Text: b.String()}
}

// givenWrong reports whether a refusal names a problem with a key the call
// gave a value for.
func givenWrong(err error, c *call) bool {
	var probs deal.Problems
	var one *deal.RuleError
	switch {
	case errors.As(err, &probs):
	case errors.As(err, &one):
		probs = deal.Problems{one}
	}
	for _, p := range probs {
		if strings.TrimSpace(c.get(p.Field)) != "" {
			return true
		}
	}
	return false
}

// unknownKeys refuses the keys the verb does not take, every one of them at
// once with its suggestion: "deal new nam=X clse=2027-01-01" said nam= only,
// and once fixed, clse=.
func unknownKeys(sp *spec, args Args, words, allowed []string, reworded bool) error {
	type unknown struct{ key, fix string } // fix "": nothing near
	var found []unknown
	for _, k := range args.Keys {
		if slices.Contains(allowed, k) {
			continue
		}
		if k == "location" && sp.verb == "deal edit" {
			return usage("location= cannot change once a deal exists (Partner Center fixes it at creation); a deal made at the wrong location is closed as error (deal error ID reason=\"wrong location\") and created again")
		}
		if len(allowed) == 0 {
			return usage("%s takes no key=value pairs; usage: %s", sp.verb, sp.synopsis())
		}
		fix, ok := keyFor(k, allowed)
		if ok && reworded {
			// Typed in words ("accepter la transaction 4 nom=Test"):
			// the command as the table writes it, keys and all.
			return usage("unknown key %s= for %s: did you mean %s?", k, sp.verb, commandLine(words, args, allowed))
		}
		found = append(found, unknown{k, fix})
	}
	if len(found) == 0 {
		return nil
	}
	takes := ""
	if slices.ContainsFunc(found, func(u unknown) bool { return u.fix == "" }) {
		takes = "; it takes " + strings.Join(allowed, "= ") + "="
	}
	if len(found) == 1 {
		if u := found[0]; u.fix != "" {
			return usage("unknown key %s= for %s: did you mean %s=?", u.key, sp.verb, u.fix)
		}
		return usage("unknown key %s= for %s%s", found[0].key, sp.verb, takes)
	}
	parts := make([]string, len(found))
	for i, u := range found {
		parts[i] = u.key + "="
		if u.fix != "" {
			parts[i] += " (did you mean " + u.fix + "=?)"
		}
	}
	return usage("%d unknown keys for %s: %s%s", len(found), sp.verb, strings.Join(parts, ", "), takes)
}

// keyFor is the key of allowed that k stands for: by its alias, or as a
// typo of it.
func keyFor(k string, allowed []string) (string, bool) {
	if alias, ok := keyAliases[k]; ok && slices.Contains(allowed, alias) {
		return alias, true
	}
	return spell.Closest(k, allowed)
}

// commandLine writes words and pairs back as one command, each key that
// allowed lacks as the key it stands for.
func commandLine(words []string, args Args, allowed []string) string {
	parts := make([]string, 0, len(words)+len(args.Keys))
	for _, w := range words {
		parts = append(parts, quoteIfNeeded(w))
	}
	for _, k := range args.Keys {
		key := k
		if !slices.Contains(allowed, k) {
			if fix, ok := keyFor(k, allowed); ok {
				key = fix
			}
		}
		parts = append(parts, key+"="+quoteIfNeeded(args.Pairs[k]))
	}
	return strings.Join(parts, " ")
}

// keyAliases are the names people give a key from other tools' forms
// (Partner Center's labels, a CRM's fields) or in French and Swedish,
// which no spelling distance finds: "country" for customer_location=,
// "amount" for value=, "nom" for name=.
var keyAliases = map[string]string{
	"country": "customer_location", "customer_country": "customer_location",
	"amount": "value", "price": "value", "deal_value": "value",
	"date": "close", "close_date": "close", "closing": "close", "closedate": "close", "purchase_date": "close",
	"note": "notes", "description": "notes",
	"member": "team", "members": "team",
	"type": "kind", "title": "name", "deal_name": "name",
	"mpn": "location", "mpn_id": "location", "partner_location": "location",
	"solutions": "solution", "customer_contact": "contact",
	"tenant": "customer", "tenant_id": "customer",
	// French and Swedish, as keys are typed: without accents.
	"nom": "name", "namn": "name", "valeur": "value", "montant": "value", "varde": "value", "belopp": "value",
	"devise": "currency", "valuta": "currency", "cloture": "close", "echeance": "close", "datum": "close", "slutdatum": "close",
	"equipe": "team", "raison": "reason", "motif": "reason", "orsak": "reason", "anledning": "reason",
	"anteckning": "notes", "anteckningar": "notes", "client": "customer", "kund": "customer",
	"pays": "customer_location", "land": "customer_location", "emplacement": "location", "plats": "location",
}
