package command_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cosellbot/cosellbot/bot/access"
	"github.com/cosellbot/cosellbot/bot/command"
	"github.com/cosellbot/cosellbot/bot/deal"
	"github.com/cosellbot/cosellbot/bot/faq"
	"github.com/cosellbot/cosellbot/bot/faq/faqtest"
	"github.com/cosellbot/cosellbot/store"
	"github.com/cosellbot/cosellbot/store/storetest"
)

// TestFAQTeachFromMisses is an admin's round: a partner's question is
// refused, faq misses lists it with the entry it came closest to and the
// command to teach it, the admin clicks, the same question is answered
// from then on, and it leaves the misses.
func TestFAQTeachFromMisses(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := smallFAQEnv(t, st)
		const q = "hur vet vi vilket id som är vårt"
		r := e.run(q)
		if r.Data["answered"] != false {
			t.Fatalf("%q was answered already (%v): pick a question the small index refuses", q, r.Data["entry_id"])
		}
		r = e.run("faq misses")
		if len(r.Actions) != 1 || !strings.HasPrefix(r.Actions[0].Command, "faq teach ") || !strings.Contains(r.Text, "closest: ") {
			t.Fatalf("misses offer no teaching:\n%s\n%+v", r.Text, r.Actions)
		}
		teach := r.Actions[0].Command
		id := strings.Fields(teach)[2]
		r = e.run(teach)
		if !strings.Contains(r.Text, "FAQ entry "+id+" now answers") || !strings.Contains(r.Text, "(Swedish)") {
			t.Fatalf("teach: %s", r.Text)
		}
		if r = e.run(q); r.Data["answered"] != true || r.Data["entry_id"] != id {
			t.Fatalf("after teaching, %q → %v %v", q, r.Data["answered"], r.Data["entry_id"])
		}
		if r = e.run("faq misses"); strings.Contains(r.Text, q) || len(r.Actions) != 0 {
			t.Fatalf("a taught question is still a miss:\n%s", r.Text)
		}
		for line, want := range map[string]string{
			teach:                         "already has",
			"faq teach nosuch \"hur då\"": "no FAQ entry nosuch",
			// An ID mistyped, or guessed from a topic, names the ones meant.
			"faq teach partner-id-cost \"hur då\"":            "no FAQ entry partner-id-cost: did you mean partner-id-what, partner-id-get or partner-id-choose?",
			"faq edit partner-id-were en_answer=x":            "no FAQ entry partner-id-were: did you mean partner-id-where?",
			"faq remove partner-id-were":                      "no FAQ entry partner-id-were: did you mean partner-id-where?",
			"faq wrong-answer partner-id-were \"what is it\"": "no FAQ entry partner-id-were: did you mean partner-id-where?",
			"faq teach " + id:                                 "faq teach",
			"faq teach " + id + " hej lang=de":                "lang takes en, fr or sv",
		} {
			if r := e.svc.Run(context.Background(), access.LocalAdmin, here, line); r.OK() || !strings.Contains(r.Text, want) {
				t.Errorf("%s → %q, want a refusal saying %q", line, r.Text, want)
			}
		}
	})
}

// TestFAQMissesOfferNoTeachingOfOffTopicQuestions: a tester found faq
// misses offering a Teach button for an off-topic question, one click
// from making the FAQ answer it with its least far entry. An off-topic miss
// keeps its line and the command, says why there is no button, and an
// in-scope miss beside it keeps its button.
func TestFAQMissesOfferNoTeachingOfOffTopicQuestions(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := faqEnv(t, st)
		// The in-scope miss was "what commission does a CSA get" until
		// session 22's threshold (0.738) answered it, rightly; then
		// "referral disappeared from the list" until session 27's tuning
		// questions made "referral" common enough that the entry closest
		// to it explains under a third of it, too little to suggest; then
		// "referral disappeared from the inbound list" until session 32's
		// answered it, rightly (and a longer one than this outgrew the
		// button's label).
		const inScope, offTopic = "old referral vanished from inbound", "how much does an azure vm cost per month"
		for _, q := range []string{inScope, offTopic} {
			if r := e.run(q); r.Data["answered"] != false {
				t.Fatalf("%q was answered (%v)", q, r.Data["entry_id"])
			}
		}
		r := e.run("faq misses")
		if len(r.Actions) != 1 || !strings.Contains(r.Actions[0].Label, strings.ToLower(inScope)) {
			t.Fatalf("want one Teach button, for %q:\n%s\n%+v", inScope, r.Text, r.Actions)
		}
		_, after, _ := strings.Cut(r.Text, offTopic)
		if !strings.Contains(after, "reads as off-topic") {
			t.Errorf("the off-topic miss does not say why it has no button:\n%s", r.Text)
		}
	})
}

// Admins changing one entry at once (two replicas' commands, Teach buttons
// pressed quickly, edits of different languages): every change lands,
// none undoes another (each is made again from the other's when it lands
// first).
func TestFAQChangesAtOnceAllLand(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := smallFAQEnv(t, st)
		other := smallFAQEnv(t, st) // another replica, the same database
		id := "partner-id-where"
		var wg sync.WaitGroup
		for i := range 6 {
			svc := e.svc
			if i%2 == 1 {
				svc = other.svc
			}
			wg.Go(func() {
				if r := svc.Run(context.Background(), access.LocalAdmin, here, fmt.Sprintf(`faq teach %s "zeta ask %d" lang=en`, id, i)); !r.OK() {
					t.Errorf("teach %d: %s", i, r.Text)
				}
			})
		}
		wg.Wait()
		for i := range 6 {
			r := e.svc.Run(context.Background(), access.LocalAdmin, here, fmt.Sprintf(`faq teach %s "zeta ask %d" lang=en`, id, i))
			if r.OK() || !strings.Contains(r.Text, "already has") {
				t.Errorf("taught question %d was lost: teaching it again says %s", i, r.Text)
			}
		}
	})
}

// Teaching an entry a phrasing another entry keeps (its very title) says
// so, naming that entry, instead of "now answers".
func TestFAQTeachSaysWhenAnotherEntryKeepsIt(t *testing.T) {
	e := smallFAQEnv(t, storetest.Open(t))
	title := e.run(`faq where do I find my partner id`).Data["entry_id"]
	if title != "partner-id-where" {
		t.Skipf("the small index answers %v", title)
	}
	r := e.run(`faq teach partner-id-get "Where do I find my partner ID?" lang=en`)
	if strings.Contains(r.Text, "now answers") || !strings.Contains(r.Text, "still answered by FAQ entry partner-id-where") {
		t.Errorf("teach of another entry's title: %s", r.Text)
	}
}

// A Teach button asks before it runs, naming the entry's own question
// beside the one it attaches (a tester found "Teach csa-what: what's the
// csa commission for azure" one click from answering a commission question
// with what the CSA program is): the action's Confirm (Slack's dialog) and
// the question Discord answers the press with are the same, and Cancel
// shows the misses again.
func TestFAQTeachButtonAsksFirst(t *testing.T) {
	e := smallFAQEnv(t, storetest.Open(t))
	const q = "hur vet vi vilket id som är vårt"
	e.run(q)
	r := e.run("faq misses")
	if len(r.Actions) != 1 {
		t.Fatalf("misses: %+v", r.Actions)
	}
	teach := r.Actions[0]
	id := strings.Fields(teach.Command)[2]
	entry := e.run(`faq "` + q + `"`) // refused: its closest topic is the entry, worded in Swedish
	var entryQ string
	for _, a := range entry.Actions {
		if strings.Contains(a.Command, "faq ") && entryQ == "" {
			entryQ = strings.Trim(strings.TrimPrefix(a.Command, "faq "), `"`)
		}
	}
	if entryQ == "" || !strings.Contains(teach.Confirm, "FAQ entry "+id+` answers "`+entryQ+`"`) || !strings.Contains(teach.Confirm, `"`+q+`"`) {
		t.Errorf("Teach asks %q; want the entry's question %q and the question taught", teach.Confirm, entryQ)
	}
	asked, cancel := e.svc.Confirm(t.Context(), access.LocalAdmin, teach.Command)
	if asked != teach.Confirm || cancel != "faq misses" {
		t.Errorf("Confirm(%s) = %q, %q; want the button's question and faq misses", teach.Command, asked, cancel)
	}
	if generic, _ := command.Confirmation(teach.Command); !strings.Contains(generic, "Teach FAQ entry "+id) {
		t.Errorf("Confirmation without the index: %q", generic)
	}
}

// TestFAQWrongAnswerOfAnEntryAnotherReplicaAdded: one replica's admin
// adds an entry; until the other replica's index takes it in (its next
// recheck), Not what I asked naming it there is refused as not yet in
// the FAQ, not as an unknown ID with itself as the guess, and records
// nothing.
func TestFAQWrongAnswerOfAnEntryAnotherReplicaAdded(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		a := smallFAQEnv(t, st)
		b := smallFAQEnv(t, st)
		a.run("faq partner id") // a's index is built, before b's change
		b.run(`faq add teams-phone en_question="Does co-sell cover Teams Phone?" en_answer="Yes, as a Modern Work workload." fr_question="Le co-sell couvre-t-il Teams Phone ?" fr_answer="Oui, comme charge Modern Work." sv_question="Omfattar säljsamarbete Teams Phone?" sv_answer="Ja, som Modern Work-arbetsbelastning."`)
		r := a.svc.Run(context.Background(), access.LocalAdmin, here, `faq wrong-answer teams-phone "does co-sell cover teams phone"`)
		if r.OK() || !strings.Contains(r.Text, "FAQ entry teams-phone was saved a moment ago and does not answer yet: try again in a minute") {
			t.Fatalf("wrong-answer of an entry a's index lacks yet → %q", r.Text)
		}
		if m := a.run("faq misses"); strings.Contains(m.Text, "teams phone") {
			t.Errorf("the refused wrong-answer was recorded:\n%s", m.Text)
		}
	})
}

// TestFAQCommandsOnARemovedEntry: after faq remove, the commands naming
// the entry say it was removed and how to bring it back, rather than
// guessing at other IDs; faq add brings it back.
func TestFAQCommandsOnARemovedEntry(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		e := smallFAQEnv(t, st)
		e.run("faq remove partner-id-where")
		const want = "FAQ entry partner-id-where was removed: faq add partner-id-where with its questions and answers brings it back"
		for _, line := range []string{
			"faq edit partner-id-where en_answer=x",
			"faq remove partner-id-where",
			`faq teach partner-id-where "var hittar jag id"`,
			`faq wrong-answer partner-id-where "where is my id"`,
		} {
			if r := e.svc.Run(context.Background(), access.LocalAdmin, here, line); r.OK() || !strings.Contains(r.Text, want) {
				t.Errorf("%s → %q, want a refusal saying %q", line, r.Text, want)
			}
		}
		e.run(`faq add partner-id-where en_question="Where is my partner ID?" en_answer="In Account settings." fr_question="Où est mon ID partenaire ?" fr_answer="Dans les paramètres du compte." sv_question="Var finns mitt partner-id?" sv_answer="I kontoinställningarna."`)
		if r := e.run("where is my partner id"); r.Data["entry_id"] != "partner-id-where" {
			t.Errorf("after faq add, the entry does not answer: %v %q", r.Data["entry_id"], r.Text)
		}
	})
}

// heldCache is a model cache whose Get, once armed, ends the command
// waiting for the build (cancel) and holds the build until release is
// closed: a rebuild on a loaded server that outlasts the command.
type heldCache struct {
	faq.ModelCache
	armed   atomic.Bool
	cancel  context.CancelFunc
	release chan struct{}
}

func (c *heldCache) Get(key string) ([]byte, bool) {
	if c.armed.CompareAndSwap(true, false) {
		c.cancel()
		<-c.release
	}
	return c.ModelCache.Get(key)
}

// TestFAQChangeRepliesWhileTheIndexRebuilds: a tester's faq teach on a
// loaded server said "now answers" after the command gave up waiting for
// the rebuild. An admin's change whose index is not rebuilt when the
// command must answer says that the FAQ takes it in within a minute; the
// build goes on, and the change answers once it is done.
func TestFAQChangeRepliesWhileTheIndexRebuilds(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{`faq edit partner-id-where en_answer="In Account settings, under Identifiers."`, "FAQ entry partner-id-where saved; the FAQ takes it in within a minute (its index is being rebuilt).\nWhere do I find my partner ID?"},
		{`faq remove partner-id-get`, "FAQ entry partner-id-get removed; it may still answer for up to a minute, while the FAQ's index is rebuilt."},
		{`faq teach partner-id-where "hur vet vi vilket id som är vårt"`, `FAQ entry partner-id-where learnt "hur vet vi vilket id som är vårt" (Swedish); the FAQ takes it in within a minute (its index is being rebuilt): ask it again then.`},
	} {
		st := storetest.Open(t)
		held := &heldCache{ModelCache: &smallFAQCache, release: make(chan struct{})}
		e := newEnv(t, st)
		e.svc = command.New(st, e.clk, deal.DefaultRates(), nil, command.WithFAQ(faqtest.Small(t), st, faq.WithModelCache(held)))
		e.run("faq partner id") // the first index, built: no build runs now
		ctx, cancel := context.WithCancel(context.Background())
		held.cancel = cancel
		held.armed.Store(true)
		r := e.svc.Run(ctx, access.LocalAdmin, here, tc.line)
		if !r.OK() || r.Text != tc.want {
			t.Errorf("%s →\n %q (%+v)\nwant %q", tc.line, r.Text, r.Err, tc.want)
		}
		close(held.release)
		cancel()
		if !strings.HasPrefix(tc.line, "faq teach") {
			continue
		}
		// The build goes on, detached from the command: the question
		// taught is answered once it is done (the old index answers it
		// meanwhile).
		const q = "hur vet vi vilket id som är vårt"
		for range 200 {
			if r = e.run(q); r.Data["entry_id"] == "partner-id-where" {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if r.Data["entry_id"] != "partner-id-where" {
			t.Errorf("after the rebuild, %q → %v %q", q, r.Data["entry_id"], r.Text)
		}
	}
}
