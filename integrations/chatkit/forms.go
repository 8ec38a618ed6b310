package chatkit

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
)

// Input is how a form field is typed.
type Input int

// Inputs a form field can take; each platform draws them its own way.
const (
	Text Input = iota // one line
	Long              // several lines
	Date              // a date, YYYY-MM-DD (Slack shows a date picker)
)

// Field is one input of a form. Key is the chat key it fills, so the
// command's refusals, which name chat keys, land under the right input.
type Field struct {
	Key string
	// Also is a second key the same input fills with its last word, when
	// that word is a currency code: "60000 EUR" is value=60000 currency=EUR.
	// Discord modals hold five inputs; Accept needs six keys.
	Also        string
	Label, Hint string
	Input       Input
	Optional    bool
	Value       string // what the form opens with
	Max         int    // characters the input takes
}

// Form asks for what an action needs before it runs. Its submission becomes
// a command line (Line) run through the same command service as typed
// commands, so it is checked by the same rules with the same messages, and
// the refusal's problems are shown under the fields they concern (Errors).
type Form struct {
	Kind    string // accept, decline, reason, snooze, invite, ask
	Title   string
	Submit  string
	Command string // the action's command line, "deal accept 12"
	Fields  []Field
	// keys is the Ask list of a generic form, kept in its reference.
	keys []string
}

// Limits every platform's form takes: Discord holds five inputs, labels of
// 45 characters and titles of 45; Slack's are wider.
const (
	MaxFields  = 5
	LabelLimit = 45
	TitleLimit = 45
	HintLimit  = 100
	ValueLimit = 3000 // Slack's plain_text_input max_length; Discord's is 4,000
	// DateLimit is the characters a date input takes where it is typed
	// (Discord; Slack shows a date picker): every form the grammar reads,
	// not only YYYY-MM-DD: "1er mars 2027", "Wednesday, April 14, 2027",
	// 2027-03-01T00:00:00+01:00.
	DateLimit = 40
)

var dealVerb = regexp.MustCompile(`^deal (accept|decline|lost|error|snooze|invite) #?([0-9]+)( microsoft)?$`)

// FormFor is the form an action needs, if any: Accept, Decline, Lost,
// Close as error, Snooze and Invite on a deal always open one (a click must
// never run a command bound to fail for lack of input), and so does any
// action that names keys to ask. An action whose command is complete runs
// as it is.
func FormFor(a chat.Action) (Form, bool) {
	if f, ok := formOf(a.Command); ok {
		return f, true
	}
	if len(a.Ask) == 0 {
		return Form{}, false
	}
	return askForm(a.Command, a.Ask), true
}

// Ref is how a button names the form it opens, to be read back by
// ParseRef: the command for a known form, "ask:KEY,KEY:COMMAND" otherwise.
func (f Form) Ref() string {
	if f.Kind == "ask" {
		return "ask:" + strings.Join(f.keys, ",") + ":" + f.Command
	}
	return f.Command
}

// retryPrefix starts the reference of a form reopened with the values of a
// refused submission (RetryRef).
const retryPrefix = "retry:"

// RetryRef names f reopened with the inputs of a refused submission, by
// field key: Discord cannot keep a modal open to show what was wrong, so
// its refusal offers a button that reopens the form as it was sent, to be
// fixed rather than typed again. The reference is long; Discord keeps it
// server-side like any long button.
func (f Form) RetryRef(inputs map[string]string) string {
	q := url.Values{}
	for k, v := range inputs {
		if strings.TrimSpace(v) != "" {
			q.Set(k, v)
		}
	}
	return retryPrefix + q.Encode() + "\n" + f.Ref()
}

// ParseRef reads a form reference back.
func ParseRef(ref string) (Form, bool) {
	if rest, ok := strings.CutPrefix(ref, retryPrefix); ok {
		enc, inner, ok := strings.Cut(rest, "\n")
		q, err := url.ParseQuery(enc)
		if !ok || err != nil {
			return Form{}, false
		}
		f, ok := ParseRef(inner)
		if !ok {
			return Form{}, false
		}
		values := map[string]string{}
		for k := range q {
			values[k] = q.Get(k)
		}
		f.PrefillValues(values)
		return f, true
	}
	if rest, ok := strings.CutPrefix(ref, "ask:"); ok {
		k, cmd, ok := strings.Cut(rest, ":")
		if !ok || k == "" || strings.TrimSpace(cmd) == "" {
			return Form{}, false
		}
		if f, ok := formOf(cmd); ok { // "ask:reason:deal decline 12" of older messages
			return f, true
		}
		return askForm(cmd, strings.Split(k, ",")), true
	}
	return formOf(ref)
}

// formVerbs are the deal verbs that always open a form (dealVerb).
var formVerbs = [...]string{"accept", "decline", "lost", "error", "snooze", "invite"}

// mayOpenForm is a necessary condition of dealVerb matching cmd, checked
// without allocating: every button of every rendered reply asks, and few are
// one of these verbs.
func mayOpenForm(cmd string) bool {
	rest, ok := cutWord(cmd, "deal")
	if !ok {
		return false
	}
	for _, v := range formVerbs {
		if _, ok := cutWord(rest, v); ok {
			return true
		}
	}
	return false
}

// cutWord reports whether s, past leading spaces, starts with the word w
// (any case) followed by a space or the end, and returns what follows.
func cutWord(s, w string) (string, bool) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	end := strings.IndexFunc(s, unicode.IsSpace)
	if end < 0 {
		end = len(s)
	}
	if !strings.EqualFold(s[:end], w) {
		return "", false
	}
	return s[end:], true
}

func formOf(cmd string) (Form, bool) {
	if !mayOpenForm(cmd) {
		return Form{}, false
	}
	m := dealVerb.FindStringSubmatch(strings.Join(strings.Fields(strings.ToLower(cmd)), " "))
	if m == nil {
		return Form{}, false
	}
	id := m[2]
	cmd = "deal " + m[1] + " " + id
	if m[3] != "" {
		if m[1] != "invite" {
			return Form{}, false
		}
		return Form{Kind: "invite-microsoft", Title: "Invite Microsoft #" + id, Submit: "Invite", Command: cmd + " microsoft", Fields: []Field{
			{Key: "help", Label: "Help wanted from Microsoft", Hint: "technical, architecture, pricing, funding, executive, customer-engagement or other", Max: 40},
			// Microsoft needs the customer's contact; Prefill drops these
			// two when the deal holds one already.
			{Key: "contact", Label: "Customer contact", Hint: `"Name <email> +phone": the person Microsoft may reach`, Optional: true, Max: 300},
			{Key: "consent", Label: "The customer agreed to share it", Hint: "yes or no", Optional: true, Max: 3},
		}}, true
	}
	reason := Field{Key: "reason", Label: "Reason", Hint: "Why, in a few words", Max: 500}
	notes := Field{Key: "notes", Label: "Notes", Input: Long, Max: 2000}
	switch m[1] {
	case "accept":
		return Form{Kind: "accept", Title: "Accept referral #" + id, Submit: "Accept", Command: cmd, Fields: []Field{
			{Key: "name", Label: "Deal name", Max: 200},
			{Key: "value", Also: "currency", Label: "Value and currency", Hint: "A number, then the currency: 60000 EUR (USD when left out)", Max: 40},
			{Key: "close", Label: "Estimated close date", Hint: "YYYY-MM-DD", Input: Date, Max: DateLimit},
			{Key: "notes", Label: "Notes", Hint: "What the customer needs", Input: Long, Max: 2000},
			// Optional, as in Partner Center's accept form: a team can be
			// added later (deal team add).
			{Key: "team", Label: "Team", Hint: `Optional: "Name <email> +phone"; several separated by ;`, Input: Long, Max: 1000, Optional: true},
		}}, true
	case "decline":
		// Sent with the reason to the sender's system; the referral's own
		// notes stay as the sender wrote them.
		notes.Label, notes.Hint, notes.Optional = "Decline notes", "Optional: your answer to the sender, with the reason", true
		return Form{Kind: "decline", Title: "Decline referral #" + id, Submit: "Decline", Command: cmd, Fields: []Field{reason, notes}}, true
	case "lost":
		return Form{Kind: "reason", Title: "Deal #" + id + " lost", Submit: "Mark lost", Command: cmd, Fields: []Field{reason}}, true
	case "error":
		reason.Hint = "Duplicate deal, wrong customer selected…"
		return Form{Kind: "reason", Title: "Close #" + id + " as error", Submit: "Close", Command: cmd, Fields: []Field{reason}}, true
	case "snooze":
		return Form{Kind: "snooze", Title: "Snooze reminders #" + id, Submit: "Snooze", Command: cmd, Fields: []Field{
			{Key: "until", Label: "Until", Hint: "YYYY-MM-DD, a date in the future: reminders stay quiet until 00:00 UTC that day", Input: Date, Max: DateLimit},
		}}, true
	case "invite":
		return Form{Kind: "invite", Title: "Invite a partner #" + id, Submit: "Invite", Command: cmd, Fields: []Field{
			{Key: "partner", Label: "Partner", Hint: "The invited partner's name", Max: 200},
			{Key: "solution", Label: "Their solutions", Hint: "Names from your catalog, comma-separated", Max: 500},
			{Key: "value", Also: "currency", Label: "Their value and currency", Hint: "A number, then the currency: 60000 EUR", Max: 40},
			{Key: "close", Label: "Their close date", Hint: "YYYY-MM-DD", Input: Date, Max: DateLimit},
			{Key: "notes", Label: "Notes for the partner", Input: Long, Max: 2000},
		}}, true
	}
	return Form{}, false
}

func askForm(cmd string, keys []string) Form {
	f := Form{Kind: "ask", Title: cmd, Submit: "Run", Command: strings.TrimSpace(cmd), keys: keys}
	for _, k := range keys {
		if k == "" || len(f.Fields) == MaxFields || slices.ContainsFunc(f.Fields, func(fd Field) bool { return fd.Key == k }) {
			continue
		}
		f.Fields = append(f.Fields, Field{Key: k, Label: strings.ToUpper(k[:1]) + k[1:], Max: 500})
	}
	return f
}

// Prefill fills the form from the deal it acts on (deal show's data) and
// from the person clicking, as a Person value "Name <email> +phone": Accept
// opens with what the referral already says and the clicker on the team.
func (f *Form) Prefill(d *command.DealView, me string) {
	set := func(key, v string) {
		for i := range f.Fields {
			fd := &f.Fields[i]
			if fd.Key != key || fd.Value != "" {
				continue
			}
			// A value longer than the input holds (long notes, a big
			// team) is not cut to fit: submitted unchanged, the cut
			// value would replace the whole one. The input opens empty,
			// and left empty keeps what the deal holds.
			if n := utf8.RuneCountInString(v); fd.Max > 0 && n > fd.Max {
				fd.Optional = true
				fd.Hint = fmt.Sprintf("Leave empty to keep the current %d characters, or type to replace them", n)
				continue
			}
			fd.Value = v
		}
	}
	if d != nil && f.Kind == "invite-microsoft" && d.Customer.Contact != nil {
		f.Fields = slices.DeleteFunc(f.Fields, func(fd Field) bool { return fd.Key == "contact" || fd.Key == "consent" })
	}
	if d != nil && (f.Kind == "accept" || f.Kind == "invite") {
		if f.Kind == "accept" {
			set("name", d.Name)
			set("notes", d.Notes)
		}
		if d.Value != nil {
			set("value", strings.TrimSpace(strconv.FormatFloat(*d.Value, 'f', -1, 64)+" "+d.Currency))
		}
		set("close", d.CloseDate)
	}
	if f.Kind == "accept" {
		var team []string
		mine := false
		if d != nil {
			for _, p := range d.Team {
				team = append(team, p.Name+" <"+p.Email+"> "+p.Phone)
				mine = mine || (me != "" && strings.Contains(strings.ToLower(me), "<"+strings.ToLower(p.Email)+">"))
			}
		}
		// The clicker joins the team only with a phone: a member without
		// one is refused, and would make a form left as it opened fail.
		if p, err := command.ParsePerson(me); me != "" && !mine && err == nil && p.Phone != "" {
			team = append(team, me)
		}
		set("team", strings.Join(team, "; "))
	}
}

// PrefillValues fills the form with values submitted before (to fix a
// refused submission).
func (f *Form) PrefillValues(values map[string]string) {
	for i := range f.Fields {
		if v, ok := values[f.Fields[i].Key]; ok {
			if f.Fields[i].Also != "" && values[f.Fields[i].Also] != "" {
				v += " " + values[f.Fields[i].Also]
			}
			f.Fields[i].Value = chipTo(v, f.Fields[i].Max)
		}
	}
}

func chipTo(v string, n int) string {
	if n <= 0 || len([]rune(v)) <= n {
		return v
	}
	return string([]rune(v)[:n])
}

var currency = regexp.MustCompile(`^[A-Za-z]{3}$`)

// Values reads a submission into chat keys: an input with Also gives its
// last word to that key when it is a currency code.
func (f Form) Values(inputs map[string]string) map[string]string {
	out := map[string]string{}
	for _, fd := range f.Fields {
		v := strings.TrimSpace(inputs[fd.Key])
		if v == "" {
			continue
		}
		if fd.Also != "" {
			if i := strings.LastIndexAny(v, " \t"); i > 0 && currency.MatchString(v[i+1:]) {
				out[fd.Also] = strings.ToUpper(v[i+1:])
				v = strings.TrimSpace(v[:i])
			} else if currency.MatchString(v) && deal.ValidCurrency(strings.ToUpper(v)) {
				// A currency alone ("EUR") changes the currency; any other
				// lone word is the value, for its parser to name ("abc" is
				// not an amount, not an unknown currency).
				out[fd.Also], v = strings.ToUpper(v), ""
			}
		}
		if v != "" {
			out[fd.Key] = v
		}
	}
	return out
}

// Line is the command line a submission stands for, each value quoted as
// the grammar reads it back.
func (f Form) Line(inputs map[string]string) string {
	vals := f.Values(inputs)
	var b strings.Builder
	b.WriteString(f.Command)
	keys := make([]string, 0, len(vals))
	for _, fd := range f.Fields {
		keys = append(keys, fd.Key)
		if fd.Also != "" {
			keys = append(keys, fd.Also)
		}
	}
	for _, k := range keys {
		if v, ok := vals[k]; ok {
			b.WriteString(" " + k + "=" + command.Quote(v))
		}
	}
	return b.String()
}

// Errors maps a refused submission's problems to the form's fields, by the
// chat key each problem names. A problem about no field of the form (a
// status, a permission, a key the form lacks, or a refusal naming none) is
// left out: no input can fix it, and shown under one it would send the
// person to fix the wrong thing. Aside lists those.
func (f Form) Errors(reply command.Reply) map[string]string {
	errs, _ := SplitProblems(reply, f.field)
	return errs
}

// Aside lists a refused submission's problems that concern no field of
// the form, each as "key: message", for the platform to show with the
// form rather than under one of its inputs.
func (f Form) Aside(reply command.Reply) []string {
	_, aside := SplitProblems(reply, f.field)
	return aside
}

// field is the key of the input that key is typed in: the field itself,
// or the one whose Also it is.
func (f Form) field(key string) (string, bool) {
	for _, fd := range f.Fields {
		if key != "" && (fd.Key == key || fd.Also == key) {
			return fd.Key, true
		}
	}
	return "", false
}

// SplitProblems sorts a refusal's problems: those about an input of a form
// (field gives the input a chat key is typed in), joined by input, and the
// rest, each as "key: message" (the message alone when it names no key or
// starts with it already), in the order given.
func SplitProblems(reply command.Reply, field func(key string) (string, bool)) (map[string]string, []string) {
	errs := map[string]string{}
	var aside []string
	if reply.Err == nil {
		return errs, aside
	}
	add := func(key, msg string) {
		in, ok := field(key)
		if !ok {
			if key != "" && !strings.HasPrefix(msg, key) {
				msg = key + ": " + msg
			}
			if !slices.Contains(aside, msg) {
				aside = append(aside, msg)
			}
			return
		}
		if prev, ok := errs[in]; ok {
			if strings.Contains(prev, msg) {
				return
			}
			msg = prev + "; " + msg
		}
		errs[in] = msg
	}
	for _, p := range reply.Err.Problems {
		add(p.Field, p.Message)
	}
	if len(errs) == 0 && len(aside) == 0 {
		add(reply.Err.Field, strings.TrimPrefix(reply.Err.Message, reply.Err.Field+": "))
	}
	return errs, aside
}

// Retryable reports whether submitting the form again may succeed: some
// problem is about one of its inputs, or the refusal was a failure to
// reach the database (nothing wrong with what was typed).
func (f Form) Retryable(reply command.Reply) bool {
	if reply.Err == nil {
		return false
	}
	return len(f.Errors(reply)) > 0 || reply.Err.Code == "unavailable"
}

// Label is the label of the field a key is shown under.
func (f Form) Label(key string) string {
	if i := slices.IndexFunc(f.Fields, func(fd Field) bool { return fd.Key == key }); i >= 0 {
		return f.Fields[i].Label
	}
	return key
}

// ErrorText lists a refusal's problems by field, for platforms that cannot
// show errors under a form's inputs (Discord answers a form with a
// message); the problems about no field of the form follow, unlabelled. A
// refusal about no field at all is the command's own text: nothing in the
// form is to be fixed.
func (f Form) ErrorText(reply command.Reply) string {
	errs, aside := SplitProblems(reply, f.field)
	if len(errs) == 0 {
		if reply.Text != "" {
			return reply.Text
		}
		return "✗ " + strings.Join(aside, "; ")
	}
	var b strings.Builder
	b.WriteString("✗ Nothing was changed. Fix ")
	if len(errs)+len(aside) == 1 {
		b.WriteString("this:")
	} else {
		b.WriteString("these:")
	}
	for _, fd := range f.Fields {
		if msg, ok := errs[fd.Key]; ok {
			b.WriteString("\n• " + fd.Label + ": " + msg)
		}
	}
	for _, msg := range aside {
		b.WriteString("\n• " + msg)
	}
	return b.String()
}

// Person is how a form shows the clicker as a team member.
func Person(name, email, phone string) string {
	// A display name is whatever the person chose ("Zoë <Admin>"): the
	// angle brackets and separators that delimit a person would make the
	// value the form prefills one it refuses.
	s := strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if strings.ContainsRune("<>;", r) {
			return ' '
		}
		return r
	}, name)), " ")
	if s == "" {
		s = email
	}
	if email != "" {
		s += " <" + email + ">"
	}
	if phone = strings.TrimSpace(phone); phone != "" {
		s += " " + phone
	}
	return s
}
