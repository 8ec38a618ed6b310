package command

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/chat"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/faq"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// FAQRecord is what the FAQ capability needs of the durable record: the
// admins' entries and the questions nobody could answer.
type FAQRecord interface {
	// ReplaceFAQ stores e in place of the admin entry was as read (nil:
	// none), or fails with ledger.ErrConflict when it changed meanwhile.
	ReplaceFAQ(ctx context.Context, e faq.Entry, was *faq.Entry, le ledger.Entry) error
	FAQOverrides(ctx context.Context) ([]faq.Entry, error)
	FAQVersion(ctx context.Context) (string, error)
	RecordFAQMisses(ctx context.Context, ms ...ledger.FAQMiss) error
	FAQMisses(ctx context.Context, since time.Time, limit int) ([]ledger.FAQMiss, error)
}

// WithFAQ answers `faq QUESTION`, and any text that is no command, from the
// shipped knowledge base merged with the entries admins add from chat;
// opts configure the index's builds (faq.WithModelCache).
func WithFAQ(base []faq.Entry, rec FAQRecord, opts ...faq.Option) Option {
	return func(s *Service) {
		s.faq = &faqBook{Live: faq.NewLive(base, rec, opts...), rec: rec, misses: newMissQueue()}
	}
}

// faqBook is the FAQ capability: the live index (bot/faq), the record
// that stores admins' entries and misses, and the misses on their way to
// it.
type faqBook struct {
	*faq.Live
	rec    FAQRecord
	misses *missQueue
}

// WarmFAQ builds the FAQ index now, so that the first question does not
// wait for it; serve calls it in the background at start. Without the FAQ
// capability it does nothing.
func (s *Service) WarmFAQ(ctx context.Context) error {
	if s.faq == nil {
		return nil
	}
	return s.faq.Warm(ctx, s.clock.Now())
}

// faqWordSet are a reply's fixed phrases in one language; unasked and
// unaskedMany introduce the questions of a message asking more than two
// things that are left unanswered (one, several); notAsked labels the
// button under an answer that says it was not what was asked, and
// notAskedThanks answers its press. offTopic and offTopicHint replace
// unknown and addHint for a question that reads as out of scope
// (faq.Result.OffTopic).
type faqWordSet struct {
	unknown, closest, related, addHint string
	unasked, unaskedMany               string
	notAsked, notAskedThanks           string
	offTopic, offTopicHint             string
}

// faqWords are a reply's fixed phrases in the asker's language.
var faqWords = map[faq.Lang]faqWordSet{
	faq.EN: {"I don't have an answer to that yet.", "Closest topics:", "Related:", "An admin can teach me: faq misses lists this question.",
		"I answer at most two questions per message, so this one has no answer above; ask it on its own:",
		"I answer at most two questions per message, so these have no answer above; ask each on its own:",
		"Not what I asked",
		"Thanks: an admin will see in faq misses that this answer was not what you asked, and can teach me the right one. Meanwhile, try asking in other words.",
		"That looks outside what I know: I answer questions about co-selling with Microsoft in Partner Center (referrals, deals, solutions, CPOR, partner programs).",
		"If it belongs here, an admin can teach me: faq misses lists this question."},
	faq.FR: {"Je n'ai pas encore de réponse à cette question.", "Sujets les plus proches :", "Voir aussi :", "Un administrateur peut m'apprendre la réponse : faq misses liste cette question.",
		"Je réponds au plus à deux questions par message : celle-ci reste sans réponse ci-dessus, posez-la à part :",
		"Je réponds au plus à deux questions par message : celles-ci restent sans réponse ci-dessus, posez-les une par une :",
		"Ce n'est pas ma question",
		"Merci : un administrateur verra dans faq misses que cette réponse ne correspondait pas à votre question, et pourra m'apprendre la bonne. En attendant, essayez de la formuler autrement.",
		"Cela semble sortir de mon domaine : je réponds aux questions sur la co-vente avec Microsoft dans l'Espace partenaires (références, transactions, solutions, CPOR, programmes partenaires).",
		"Si elle a sa place ici, un administrateur peut m'apprendre la réponse : faq misses liste cette question."},
	faq.SV: {"Jag har inget svar på det ännu.", "Närmaste ämnen:", "Se även:", "En administratör kan lära mig svaret: faq misses listar frågan.",
		"Jag svarar på högst två frågor per meddelande, så den här frågan är obesvarad ovan; ställ den för sig:",
		"Jag svarar på högst två frågor per meddelande, så de här frågorna är obesvarade ovan; ställ dem var för sig:",
		"Inte det jag frågade",
		"Tack! En administratör ser i faq misses att svaret inte var det du frågade efter och kan lära mig rätt svar. Pröva under tiden att fråga med andra ord.",
		"Det verkar ligga utanför det jag kan: jag svarar på frågor om säljsamarbete med Microsoft i Partnercenter (hänvisningar, affärer, lösningar, CPOR, partnerprogram).",
		"Hör frågan hit kan en administratör lära mig svaret: faq misses listar frågan."},
}

// refusal is the "I don't know" of a refused result and the hint for
// admins under it. A question that reads as out of scope ("what's the
// weather in stockholm") is told what cosellbot knows about rather than
// that it has no answer "yet", which promised one an admin should not
// teach; its miss is still recorded, for the rare one in scope after all.
func (w faqWordSet) refusal(res faq.Result) (unknown, hint string) {
	if res.OffTopic {
		return w.offTopic, w.offTopicHint
	}
	return w.unknown, w.addHint
}

// notAskedAction is the button under an answer (of entry id, to question,
// in lang) that tells it was not what was asked: it records the question
// as a miss answered wrongly by that entry (faq wrong-answer), so that a
// wrong answer reaches faq misses as a refusal does. part names the half
// of a message asking two things it is about ("" for a whole message).
func notAskedAction(words faqWordSet, id, question, part string, lang faq.Lang) Action {
	label := words.notAsked
	if part != "" {
		label += sep(lang) + part
	}
	return Action{Label: chat.Clip(label, buttonLabelMax), Command: "faq wrong-answer " + id + " " + Quote(clipMiss(question)) + " lang=" + string(lang)}
}

// sep joins a label and what it is about, as each language writes a colon.
func sep(lang faq.Lang) string {
	if lang == faq.FR {
		return " : "
	}
	return ": "
}

// unasked says which questions of a message asking more than two things
// no answer above covers (faq.Result.Unasked), each quoted, and returns a
// button asking each alone: the reply never reads as if it answered them.
func unasked(b *strings.Builder, res faq.Result, words faqWordSet) []Action {
	if len(res.Unasked) == 0 {
		return nil
	}
	intro := words.unasked
	if len(res.Unasked) > 1 {
		intro = words.unaskedMany
	}
	b.WriteString("\n\n" + intro)
	var actions []Action
	for _, q := range res.Unasked {
		b.WriteString("\n> " + q)
		actions = append(actions, Action{Label: chat.Clip(q, buttonLabelMax), Command: "faq " + Quote(q)})
	}
	return actions
}

func (s *Service) faqSpecs() []*spec {
	if s.faq == nil {
		return nil
	}
	entryKeys := []string{"seed", "related"}
	var texts, alternates []string // a new entry needs every language's question and answer
	for _, l := range faq.Langs {
		entryKeys = append(entryKeys, string(l)+"_question", string(l)+"_answer", string(l)+"_alternates")
		texts = append(texts, string(l)+"_question", string(l)+"_answer")
		alternates = append(alternates, string(l)+"_alternates")
	}
	return []*spec{
		// reads: a question changes nothing but a miss's record, as a
		// bare question (ReadOnly), so a replay is answered again and no
		// delivery key is written before it is.
		{verb: "faq", reads: true, args: []string{"QUESTION"}, variadic: true, summary: "ask a question about Partner Center, co-sell, CPOR… in English, French or Swedish (any text that is no command works too)", run: s.faqAsk},
		{verb: "faq add", args: []string{"ID"}, required: texts, optional: append([]string{"seed", "related"}, alternates...), usage: "(alternates separated by |)", summary: "admins: add an FAQ entry", run: s.faqPut},
		{verb: "faq edit", args: []string{"ID"}, optional: entryKeys, summary: "admins: change an FAQ entry (shipped or added)", run: s.faqPut},
		{verb: "faq remove", args: []string{"ID"}, summary: "admins: remove an FAQ entry", run: s.faqRemove},
		{verb: "faq teach", args: []string{"ID", "QUESTION"}, variadic: true, optional: []string{"lang"}, summary: "admins: teach an entry another way people ask it (faq misses suggests these)", run: s.faqTeach},
		{verb: "faq misses", optional: []string{"days"}, summary: "admins: the questions nobody could answer lately, with the entry each is closest to", run: s.faqMisses},
		{verb: "faq wrong-answer", args: []string{"ID", "QUESTION"}, variadic: true, optional: []string{"lang"}, summary: "say that FAQ entry ID's answer was not what QUESTION asked (the Not what I asked button): admins see it in faq misses", run: s.faqWrong},
	}
}

func (s *Service) faqAsk(ctx context.Context, c *call) (Reply, error) {
	return s.answer(ctx, c, strings.Join(c.pos, " "))
}

// answer looks a question up and words the reply in the asker's language.
func (s *Service) answer(ctx context.Context, c *call, question string) (Reply, error) {
	ix, err := s.faq.Index(ctx, c.now)
	if err != nil {
		return Reply{}, err
	}
	res := ix.AskAs(question, usualLang(ctx))
	if res.SmallTalk != "" {
		// Thanks, a greeting: a reply in kind, no "I don't know" and no miss.
		return Reply{Text: res.Answer, Data: map[string]any{"answered": false, "small_talk": res.SmallTalk, "lang": string(res.Lang)}}, nil
	}
	words := faqWords[res.Lang]
	if words.unknown == "" {
		words = faqWords[faq.EN]
	}
	if res.Also != nil {
		return s.answerTwo(ctx, c, question, res, words, ix)
	}
	var b strings.Builder
	var actions []Action
	if res.Answered {
		if res.Part != "" {
			// A longer message answered by one of its question sentences
			// (faq's sentences.go): quoted, the reply says what it answers.
			b.WriteString("> " + res.Part + "\n")
		}
		b.WriteString(res.Answer)
		actions = unasked(&b, res, words)
		if len(res.Related) > 0 {
			// The titles go in the actions only (buttons, or the commands the
			// shell prints): listing them in the text as well showed each twice.
			b.WriteString("\n" + words.related)
			for _, r := range res.Related {
				actions = append(actions, askAction(r))
			}
		}
		actions = append(actions, notAskedAction(words, res.EntryID, question, "", res.Lang))
	} else {
		unknown, hint := words.refusal(res)
		b.WriteString(unknown)
		// Only a question with a word the knowledge base knows is a miss:
		// "?", "lol" or "asdfgh" filled faq misses with nothing to teach.
		if ix.Knows(question) {
			b.WriteString("\n" + hint)
			s.recordMiss(ctx, c, question, res.Lang)
		}
		actions = unasked(&b, res, words)
		if len(res.Suggestions) > 0 {
			// Last, right above the buttons it introduces (the titles are in
			// the actions only, as for related ones).
			b.WriteString("\n" + words.closest)
			for _, r := range res.Suggestions {
				actions = append(actions, askAction(r))
			}
		}
	}
	return Reply{Text: b.String(), Data: resultData(res), Actions: actions}, nil
}

// answerTwo words the reply to a message asking two things (faq.Result.Also):
// each half quoted, in the order asked, then its answer or "I don't know";
// below, the buttons of both: related entries of the answers, closest
// topics of a half not answered, each once and none already answered. A
// half not answered is a miss of its own, when ix knows a word of it
// (asked only then: both halves answered need no second reading).
func (s *Service) answerTwo(ctx context.Context, c *call, question string, res faq.Result, words faqWordSet, ix *faq.Index) (Reply, error) {
	halves := res.Halves()
	knows := sync.OnceValue(func() bool { return ix.Knows(question) })
	var b strings.Builder
	var more []faq.Suggestion
	answered := map[string]bool{}
	for _, r := range halves {
		if r.Answered {
			answered[r.EntryID] = true
		}
	}
	closest := false
	for i, r := range halves {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString("> " + r.Part + "\n")
		if r.Answered {
			b.WriteString(r.Answer)
			more = append(more, r.Related...)
			continue
		}
		unknown, _ := words.refusal(r)
		b.WriteString(unknown)
		more = append(more, r.Suggestions...)
		closest = closest || len(r.Suggestions) > 0
		// The whole message is the miss: its half alone may read as
		// another question ("and how do I create one"), which faq
		// misses, asking again, would find answered.
		if knows() {
			s.recordMiss(ctx, c, question, r.Lang)
		}
	}
	actions := unasked(&b, res, words)
	n := len(actions)
	seen := map[string]bool{}
	for _, sg := range more {
		if answered[sg.EntryID] || seen[sg.EntryID] {
			continue
		}
		seen[sg.EntryID] = true
		actions = append(actions, askAction(sg))
	}
	switch {
	case len(actions) == n:
	case closest && len(res.Related)+len(res.Also.Related) == 0:
		b.WriteString("\n" + words.closest)
	default:
		b.WriteString("\n" + words.related)
	}
	for _, r := range halves {
		if r.Answered {
			actions = append(actions, notAskedAction(words, r.EntryID, r.Part, r.Part, res.Lang))
		}
	}
	return Reply{Text: b.String(), Data: resultData(res), Actions: actions}, nil
}

// maxMissRunes bounds a miss as kept and as faq misses prints it: a
// tester's 3,500-character paste was kept and listed whole.
const maxMissRunes = 300

// clipMiss is a miss's question cut to maxMissRunes, the cut marked "…".
func clipMiss(q string) string { return chat.Clip(q, maxMissRunes) }

// resultData is an FAQ answer as JSON shows it; a message asking two things
// has the other half's in "also", and each half says which it answers.
func resultData(res faq.Result) map[string]any {
	data := map[string]any{
		"answered": res.Answered, "entry_id": res.EntryID, "lang": string(res.Lang),
		"confidence": res.Confidence, "suggestions": suggestionViews(res.Suggestions), "related": suggestionViews(res.Related),
	}
	if res.Part != "" {
		data["part"] = res.Part
	}
	if res.Also != nil {
		data["also"] = resultData(*res.Also)
	}
	if len(res.Unasked) > 0 {
		data["unasked"] = res.Unasked
	}
	if res.OffTopic {
		data["off_topic"] = true
	}
	return data
}

// SuggestionView is an FAQ suggestion as JSON shows it.
type SuggestionView struct {
	EntryID  string `json:"entry_id"`
	Question string `json:"question"`
}

func suggestionViews(ss []faq.Suggestion) []SuggestionView {
	out := make([]SuggestionView, len(ss))
	for i, sg := range ss {
		out[i] = SuggestionView{sg.EntryID, sg.Question}
	}
	return out
}

// buttonLabelMax fits the shorter of Slack's (75) and Discord's (80) limits.
const buttonLabelMax = 75

func askAction(sg faq.Suggestion) Action {
	return Action{Label: chat.Clip(sg.Question, buttonLabelMax), Command: "faq " + Quote(sg.Question)}
}

func (s *Service) mayEditFAQ(who access.User) error {
	if !who.Admin() {
		return access.Deny("only admins (referrals-admin or incentives-admin) change the FAQ")
	}
	return nil
}

// faqPut adds an entry (faq add) or changes one (faq edit): edit starts from
// the entry as it stands, add from nothing.
func (s *Service) faqPut(ctx context.Context, c *call) (Reply, error) {
	if err := s.mayEditFAQ(c.who); err != nil {
		return Reply{}, err
	}
	id := strings.ToLower(c.pos[0])
	adding := c.verb == "faq add"
	if len(c.args.Keys) == 0 {
		return Reply{}, usage("say what to change, e.g. %s %s en_answer=\"…\"", c.verb, id)
	}
	action := map[bool]string{true: "faq-added", false: "faq-edited"}[adding]
	e, fresh, err := s.saveEntry(ctx, c, id, action, func(all []faq.Entry, i int, was *faq.Entry) (faq.Entry, error) {
		var e faq.Entry
		switch {
		case adding && i >= 0:
			return e, refused(ledger.ErrExists, "FAQ entry %s exists already: use faq edit %s", id, id)
		case !adding && i < 0:
			return e, noEntry(id, all, was)
		case adding:
			e = faq.Entry{ID: id, Seed: "admin", Text: map[faq.Lang]faq.Text{}}
		default:
			e = all[i]
			e.Text = maps(e.Text)
		}
		if c.has("seed") {
			e.Seed = c.get("seed")
		}
		if c.has("related") {
			e.Related = relatedIDs(c.get("related"))
		}
		for _, l := range faq.Langs {
			t := e.Text[l]
			if k := string(l) + "_question"; c.has(k) {
				t.Question = strings.TrimSpace(c.get(k))
			}
			if k := string(l) + "_answer"; c.has(k) {
				t.Answer = strings.TrimSpace(c.get(k))
			}
			if k := string(l) + "_alternates"; c.has(k) {
				t.Alternates = nil
				for _, a := range strings.Split(c.get(k), "|") {
					// Each once: a phrasing listed twice counts twice in
					// the entry's term profile (profile.go).
					if a = strings.TrimSpace(a); a != "" && !slices.ContainsFunc(t.Alternates, func(b string) bool { return strings.EqualFold(a, b) }) {
						t.Alternates = append(t.Alternates, a)
					}
				}
			}
			e.Text[l] = t
		}
		return e, nil
	}, func(faq.Entry) string { return fmt.Sprintf("%s FAQ entry %s", strings.TrimPrefix(action, "faq-"), id) })
	if err != nil {
		return Reply{}, err
	}
	when := "it answers from now on"
	if !fresh {
		when = takingIn
	}
	return Reply{Text: fmt.Sprintf("FAQ entry %s saved; %s.\n%s", id, when, e.Text[faq.EN].Question), Data: map[string]any{"entry_id": id}}, nil
}

// saveEntry makes an entry's change and stores it with its audit line: the
// knowledge base as it stands, the entry made by change from it (i: the
// entry's place in all, or -1), checked whole, then stored only if the
// admin entry is still what it was read as; if another admin's change landed
// meanwhile, the change is made again from it rather than undoing it. The
// index follows before it returns, unless ctx ends first: fresh reports
// whether it did, so that a reply says "it answers from now on" only when
// true. faq add, edit, teach and remove all save this way.
func (s *Service) saveEntry(ctx context.Context, c *call, id, action string, change func(all []faq.Entry, i int, was *faq.Entry) (faq.Entry, error), detail func(faq.Entry) string) (e faq.Entry, fresh bool, err error) {
	for try := 0; ; try++ {
		over, err := s.faq.rec.FAQOverrides(ctx)
		if err != nil {
			return faq.Entry{}, false, fmt.Errorf("reading the FAQ: %w", err)
		}
		var was *faq.Entry
		if j := slices.IndexFunc(over, func(e faq.Entry) bool { return e.ID == id }); j >= 0 {
			was = &over[j]
		}
		all, err := s.faq.Entries(ctx)
		if err != nil {
			return faq.Entry{}, false, fmt.Errorf("reading the FAQ: %w", err)
		}
		i := slices.IndexFunc(all, func(e faq.Entry) bool { return e.ID == id })
		e, err := change(all, i, was)
		if err != nil {
			return faq.Entry{}, false, err
		}
		if !e.Removed {
			if i < 0 {
				all = append(all, e)
			} else {
				all[i] = e
			}
			if err := faq.Validate(all); err != nil {
				return faq.Entry{}, false, faqProblems(err, e, all)
			}
		}
		le := ledger.Entry{At: c.now, Actor: c.who.ID, Action: action, Detail: detail(e)}
		err = s.faq.rec.ReplaceFAQ(ctx, e, was, le)
		if errors.Is(err, ledger.ErrConflict) && try < 8 {
			continue // another admin's change landed: make this one again from it
		}
		if err != nil {
			return faq.Entry{}, false, fmt.Errorf("saving FAQ entry %s: %w", e.ID, err)
		}
		s.faq.Invalidate()
		// The admin waits for the index that holds the change (everyone
		// else is answered by the old one meanwhile), so that "it answers
		// from now on" is true when they read it.
		if _, err := s.faq.Fresh(ctx, c.now); err != nil {
			s.log.WarnContext(ctx, "FAQ entry saved, its index not rebuilt yet: the next question tries again", "entry", e.ID, "err", err)
			return e, false, nil
		}
		return e, true, nil
	}
}

// faqProblems turns the knowledge base's validation errors about entry e,
// to be saved among all, into refusals naming the chat key to fix; an
// unknown related ID is told the IDs meant, as commands naming one are.
func faqProblems(err error, e faq.Entry, all []faq.Entry) error {
	id := e.ID
	var probs deal.Problems
	var joined interface{ Unwrap() []error }
	list := []error{err}
	if errors.As(err, &joined) {
		list = joined.Unwrap()
	}
	for _, one := range list {
		var ve *faq.ValidationError
		if !errors.As(one, &ve) || (ve.EntryID != id && ve.EntryID != "") {
			continue
		}
		key := strings.ReplaceAll(ve.Field, ".", "_")
		if i := strings.IndexByte(key, '['); i >= 0 {
			key = key[:i]
		}
		if len(key) == 2 {
			key += "_question"
		}
		msg := ve.Problem
		if r, ok := unknownRelated(ve.Field, e, all); ok {
			msg += ": " + idGuess(r, all)
		}
		probs = append(probs, &deal.RuleError{Field: key, Rule: "faq_entry", Message: msg})
	}
	if len(probs) == 0 {
		return err
	}
	return probs
}

// unknownRelated is the ID of e's related list that a validation problem
// of field names, when it is no entry of all.
func unknownRelated(field string, e faq.Entry, all []faq.Entry) (string, bool) {
	var i int
	if _, err := fmt.Sscanf(field, "related[%d]", &i); err != nil || i < 0 || i >= len(e.Related) {
		return "", false
	}
	r := e.Related[i]
	return r, !slices.ContainsFunc(all, func(o faq.Entry) bool { return o.ID == r })
}

func maps(m map[faq.Lang]faq.Text) map[faq.Lang]faq.Text {
	out := make(map[faq.Lang]faq.Text, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (s *Service) faqRemove(ctx context.Context, c *call) (Reply, error) {
	if err := s.mayEditFAQ(c.who); err != nil {
		return Reply{}, err
	}
	id := strings.ToLower(c.pos[0])
	_, fresh, err := s.saveEntry(ctx, c, id, "faq-removed", func(all []faq.Entry, i int, was *faq.Entry) (faq.Entry, error) {
		if i < 0 {
			return faq.Entry{}, noEntry(id, all, was)
		}
		return faq.Entry{ID: id, Removed: true}, nil
	}, func(faq.Entry) string { return "removed FAQ entry " + id })
	if err != nil {
		return Reply{}, err
	}
	text := "FAQ entry " + id + " removed."
	if !fresh {
		text = "FAQ entry " + id + " removed; it may still answer for up to a minute, while the FAQ's index is rebuilt."
	}
	return Reply{Text: text, Data: map[string]any{"entry_id": id}}, nil
}

func (s *Service) faqMisses(ctx context.Context, c *call) (Reply, error) {
	if err := s.mayEditFAQ(c.who); err != nil {
		return Reply{}, err
	}
	days := 30
	if c.has("days") {
		n, err := strconv.Atoi(c.get("days"))
		if err != nil || n <= 0 || n > 3650 {
			return Reply{}, &deal.RuleError{Field: "days", Rule: "format", Message: fmt.Sprintf("%q is not a number of days (1 to 3650)", c.get("days"))}
		}
		days = n
	}
	s.faq.misses.flush(ctx) // the questions refused before this command are listed
	misses, err := s.faq.rec.FAQMisses(ctx, c.now.AddDate(0, 0, -days), maxMissesRead)
	if err != nil {
		return Reply{}, fmt.Errorf("listing FAQ misses: %w", err)
	}
	ix, err := s.faq.Index(ctx, c.now)
	if err != nil {
		return Reply{}, err
	}
	type view struct {
		Question string    `json:"question"`
		Lang     string    `json:"lang"`
		Count    int       `json:"count"`
		Last     time.Time `json:"last_asked"`
		Closest  string    `json:"closest_entry_id,omitempty"`
		// Unanswered is the half of a message asking two things that is
		// still not answered (the other is).
		Unanswered string `json:"unanswered,omitempty"`
		// AnsweredWrongly is the entry that still answers the question
		// and that WrongReports of its askers said was not what they
		// asked (the Not what I asked button); Closest is then the best
		// of the others.
		AnsweredWrongly string `json:"answered_wrongly_by,omitempty"`
		WrongReports    int    `json:"wrong_reports,omitempty"`
		// OffTopic: the question reads as out of scope; Closest is only
		// the least far entry, and no Teach button is offered.
		OffTopic bool `json:"off_topic,omitempty"`
	}
	views := []view{}
	var b strings.Builder
	var actions []Action
	more := 0 // still unanswered, beyond what is shown
	for _, m := range misses {
		// Asked again now: a question taught since, or answered by an entry
		// added since, is no longer a miss. As its asker asked it: in the
		// language it was missed in where its words do not tell.
		res := ix.AskAs(m.Question, faq.Lang(m.Lang))
		if res.Also != nil && !res.Also.Answered {
			res = *res.Also // answered in part: the half nobody answers is the miss
		}
		// Said to be answered wrongly, it is a miss while that entry
		// still answers it; taught to another, it is not.
		wrong := m.Wrong != "" && res.Answered && res.EntryID == m.Wrong
		if wrong {
			res = faq.Result{Lang: res.Lang, Suggestions: ix.Others(m.Question, m.Wrong, res.Lang, 3)}
		}
		if res.Answered || res.SmallTalk != "" {
			continue
		}
		if len(views) == maxMissesShown {
			more++
			continue
		}
		// Kept before misses were clipped, a paste is still listed cut.
		shown := clipMiss(m.Question)
		v := view{Question: shown, Lang: m.Lang, Count: m.Count, Last: m.At, Unanswered: res.Part, OffTopic: res.OffTopic}
		fmt.Fprintf(&b, "\n%3d× [%s] %s", m.Count, m.Lang, shown)
		asked := shown
		if res.Part != "" {
			asked = clipMiss(res.Part) // what to teach is the half, not two questions as one
			fmt.Fprintf(&b, "\n      unanswered: %s", asked)
		}
		if wrong {
			v.AnsweredWrongly, v.WrongReports = m.Wrong, m.Wrongs
			q, _ := ix.Question(m.Wrong, ix.Language(asked))
			fmt.Fprintf(&b, "\n      answered by %s (%s), not what %d of its askers asked", m.Wrong, q, m.Wrongs)
		}
		if len(res.Suggestions) > 0 {
			v.Closest = res.Suggestions[0].EntryID
			teach := "faq teach " + v.Closest + " " + Quote(asked)
			closest := "closest"
			if wrong {
				closest = "closest other"
			}
			fmt.Fprintf(&b, "\n      %s: %s → %s", closest, v.Closest, teach)
			if res.OffTopic {
				// A button would make attaching an off-topic question to
				// its least far entry one click: the command stays, typed
				// on purpose.
				b.WriteString("\n      reads as off-topic: teach it only if that entry answers it, or faq add an entry that does")
			} else if len(actions) < maxTeachButtons {
				entryQ, _ := ix.Question(v.Closest, ix.Language(asked))
				actions = append(actions, Action{Label: chat.Clip("Teach "+v.Closest+": "+asked, buttonLabelMax), Command: teach,
					Confirm: teachQuestion(v.Closest, entryQ, asked)})
			}
		}
		views = append(views, v)
	}
	head := fmt.Sprintf("No unanswered questions in the last %d days.", days)
	if len(views) > 0 {
		head = fmt.Sprintf("Unanswered questions in the last %d days (most asked first):", days)
	}
	if more > 0 {
		// Said, not silently cut: the list shows the most asked first.
		plus := ""
		if len(misses) == maxMissesRead {
			plus = " or more"
		}
		fmt.Fprintf(&b, "\n… and %d%s asked fewer times, not shown: teach these first, or narrow the window with days=", more, plus)
	}
	return Reply{Text: head + b.String(), Data: map[string]any{"misses": views, "not_shown": more}, Actions: actions}, nil
}

// maxMissesShown is how many misses faq misses lists (most asked first);
// maxMissesRead how many it reads to count the rest.
const (
	maxMissesShown = 50
	maxMissesRead  = 500
)

// maxTeachButtons bounds the buttons under faq misses: the most asked
// misses get one each, the rest their command in the text.
const maxTeachButtons = 5

// teachQuestion is what a Teach button asks before it runs (Slack's
// confirm dialog, Discord's question with Yes and Cancel): the entry's own
// question beside the one to attach, so that the admin sees a wrong match
// before making it. A tester found "Teach csa-what: what's the csa
// commission for azure" one click from answering a commission question
// with what the CSA program is. entryQuestion "" when not known.
func teachQuestion(id, entryQuestion, asked string) string {
	if entryQuestion == "" {
		return fmt.Sprintf("Teach FAQ entry %s to answer %q? Whoever asks it will get that entry's answer.", id, asked)
	}
	return fmt.Sprintf("FAQ entry %s answers %q. Teach it to answer %q too? Whoever asks that will get this entry's answer: go ahead only if it answers the question.", id, entryQuestion, asked)
}

// teachLine reads a faq teach command line: the entry and the question.
func teachLine(line string) (id, question string, ok bool) {
	args, err := Parse(line)
	if err != nil || len(args.Words) < 4 || !strings.EqualFold(args.Words[0], "faq") || !strings.EqualFold(args.Words[1], "teach") {
		return "", "", false
	}
	return strings.ToLower(args.Words[2]), strings.TrimSpace(strings.Join(args.Words[3:], " ")), true
}

// confirmTeach is the question asked before a faq teach line runs from a
// button, with the entry's question in the language the teach will use,
// and what Cancel shows (the misses again).
func (s *Service) confirmTeach(ctx context.Context, line string) (question, cancel string, ok bool) {
	id, asked, ok := teachLine(line)
	if !ok {
		return "", "", false
	}
	entryQ := ""
	if s.faq != nil {
		if ix, err := s.faq.Index(ctx, s.clock.Now()); err == nil {
			entryQ, _ = ix.Question(id, ix.Language(asked))
		}
	}
	return teachQuestion(id, entryQ, asked), "faq misses", true
}

// faqTeach adds a question as another way to ask an entry, in the
// question's language (lang= when detection would guess wrong): what an
// admin does with a miss whose entry exists but did not match.
func (s *Service) faqTeach(ctx context.Context, c *call) (Reply, error) {
	if err := s.mayEditFAQ(c.who); err != nil {
		return Reply{}, err
	}
	id := strings.ToLower(c.pos[0])
	question := strings.TrimSpace(strings.Join(c.pos[1:], " "))
	if question == "" {
		return Reply{}, usage("say the question to teach: faq teach %s \"how people ask it\"", id)
	}
	var lang faq.Lang
	if c.has("lang") {
		lang = faq.Lang(strings.ToLower(c.get("lang")))
		if !slices.Contains(faq.Langs, lang) {
			return Reply{}, &deal.RuleError{Field: "lang", Rule: "format", Message: fmt.Sprintf("%q is not a language of the FAQ: lang takes en, fr or sv", c.get("lang"))}
		}
	}
	e, fresh, err := s.saveEntry(ctx, c, id, "faq-edited", func(all []faq.Entry, i int, was *faq.Entry) (faq.Entry, error) {
		if i < 0 {
			return faq.Entry{}, noEntry(id, all, was)
		}
		if lang == "" {
			ix, err := s.faq.Index(ctx, c.now)
			if err != nil {
				return faq.Entry{}, err
			}
			lang = ix.Language(question)
		}
		e := all[i]
		e.Text = maps(e.Text)
		t := e.Text[lang]
		if strings.EqualFold(t.Question, question) || slices.ContainsFunc(t.Alternates, func(a string) bool { return strings.EqualFold(a, question) }) {
			return faq.Entry{}, refused(ledger.ErrExists, "FAQ entry %s already has %q in %s", id, question, langNames[lang])
		}
		t.Alternates = append(slices.Clone(t.Alternates), question)
		e.Text[lang] = t
		return e, nil
	}, func(faq.Entry) string { return fmt.Sprintf("taught FAQ entry %s: %q (%s)", id, question, lang) })
	if err != nil {
		return Reply{}, err
	}
	if !fresh {
		return Reply{Text: fmt.Sprintf("FAQ entry %s learnt %q (%s); %s: ask it again then.", id, question, langNames[lang], takingIn), Data: map[string]any{"entry_id": id, "lang": string(lang)}}, nil
	}
	// Said only when true: the new phrasing competes with every entry's,
	// and another (an entry whose title it is, say) may keep the question.
	ix, err := s.faq.Index(ctx, c.now)
	if err != nil {
		return Reply{}, err
	}
	if res := ix.Ask(question); !res.Answered || res.EntryID != id {
		text := fmt.Sprintf("FAQ entry %s learnt %q (%s), but the question is still ", id, question, langNames[lang])
		if res.Answered {
			text += fmt.Sprintf("answered by FAQ entry %s (%s): edit that entry, or teach %s a phrasing of its own.", res.EntryID, res.Question, id)
		} else {
			text += fmt.Sprintf("not answered (confidence %.2f): teach %s more ways people ask it.", res.Confidence, id)
		}
		return Reply{Text: text, Data: map[string]any{"entry_id": id, "lang": string(lang), "answered_by": res.EntryID}}, nil
	}
	return Reply{Text: fmt.Sprintf("FAQ entry %s now answers %q (%s): %s", id, question, langNames[lang], e.Text[lang].Question), Data: map[string]any{"entry_id": id, "lang": string(lang)}}, nil
}

// takingIn is what an admin's change reply says when the FAQ's index did
// not take the change in before the command had to answer (a build on a
// loaded server outlasted it): the build goes on, detached (faq.Live).
const takingIn = "the FAQ takes it in within a minute (its index is being rebuilt)"

// langNames name the FAQ's languages in replies.
var langNames = map[faq.Lang]string{faq.EN: "English", faq.FR: "French", faq.SV: "Swedish"}

// faqWrong records that entry ID's answer was not what QUESTION asked (the
// Not what I asked button under an answer): a miss kept with that entry,
// which faq misses lists while the entry still answers the question, with
// the entries ranked after it to teach instead. Anyone may say so, as
// anyone may ask; the answer thanks them in their language and offers the
// closest other topics.
func (s *Service) faqWrong(ctx context.Context, c *call) (Reply, error) {
	id := strings.ToLower(c.pos[0])
	question := clipMiss(strings.TrimSpace(strings.Join(c.pos[1:], " ")))
	if question == "" {
		return Reply{}, usage("say the question that was answered: faq wrong-answer %s \"the question\"", id)
	}
	ix, err := s.faq.Index(ctx, c.now)
	if err != nil {
		return Reply{}, err
	}
	lang := ix.Language(question)
	if c.has("lang") {
		lang = faq.Lang(strings.ToLower(c.get("lang")))
		if !slices.Contains(faq.Langs, lang) {
			return Reply{}, &deal.RuleError{Field: "lang", Rule: "format", Message: fmt.Sprintf("%q is not a language of the FAQ: lang takes en, fr or sv", c.get("lang"))}
		}
	}
	if _, ok := ix.Question(id, lang); !ok {
		over, err := s.faq.rec.FAQOverrides(ctx)
		if err != nil {
			return Reply{}, fmt.Errorf("reading the FAQ: %w", err)
		}
		all, err := s.faq.Entries(ctx)
		if err != nil {
			return Reply{}, fmt.Errorf("reading the FAQ: %w", err)
		}
		if slices.ContainsFunc(all, func(e faq.Entry) bool { return e.ID == id && !e.Removed }) {
			// Saved a moment ago: the index answering questions is rebuilt
			// beside the old one (faq.Live) and does not hold it yet.
			return Reply{}, refused(ledger.ErrConflict, "FAQ entry %s was saved a moment ago and does not answer yet: try again in a minute", id)
		}
		var was *faq.Entry
		if j := slices.IndexFunc(over, func(e faq.Entry) bool { return e.ID == id }); j >= 0 {
			was = &over[j]
		}
		return Reply{}, noEntry(id, all, was)
	}
	miss := ledger.FAQMiss{Question: question, Lang: string(lang), Actor: c.who.ID, At: c.now, Wrong: id}
	if err := s.faq.rec.RecordFAQMisses(ctx, miss); err != nil {
		return Reply{}, fmt.Errorf("recording that FAQ entry %s did not answer %q: %w", id, question, err)
	}
	words := faqWords[lang]
	var b strings.Builder
	b.WriteString(words.notAskedThanks)
	var actions []Action
	if others := ix.Others(question, id, lang, 3); len(others) > 0 {
		b.WriteString("\n" + words.closest)
		for _, o := range others {
			actions = append(actions, askAction(o))
		}
	}
	return Reply{Text: b.String(), Data: map[string]any{"entry_id": id, "question": question, "lang": string(lang), "reported": true}, Actions: actions}, nil
}
