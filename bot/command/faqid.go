package command

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/cosellbot/cosellbot/bot/faq"
	"github.com/cosellbot/cosellbot/bot/ledger"
	"github.com/cosellbot/cosellbot/bot/spell"
)

// noEntryHint says where an FAQ entry's ID is shown: an admin types faq
// edit, remove, teach or wrong-answer with an ID read there.
const noEntryHint = "every answer's Not what I asked names its entry's ID, and faq misses the entry closest to each unanswered question"

// maxIDGuesses is how many IDs a refusal of an unknown one offers.
const maxIDGuesses = 3

// noEntry is the refusal of a command naming FAQ entry id, which none of
// all has; was is the admins' override of id as read, nil when none. A
// tester typed faq teach deal-registration-fee and read only "no FAQ
// entry deal-registration-fee": nothing said which entries there are. It
// says how to bring back an entry an admin removed; else it offers the ID
// a typo away, else the IDs sharing most of id's words
// (deal-registration-when, -value), else where IDs are shown.
func noEntry(id string, all []faq.Entry, was *faq.Entry) error {
	if was != nil && was.Removed {
		return refused(ledger.ErrNotFound, "FAQ entry %s was removed: faq add %s with its questions and answers brings it back", id, id)
	}
	return refused(ledger.ErrNotFound, "no FAQ entry %s: %s", id, idGuess(id, all))
}

// idGuess says which of all's entries an unknown ID id meant: "did you
// mean X?" for the ID a typo away; else the IDs sharing the most of its
// words, with where IDs are shown; else only where they are shown.
func idGuess(id string, all []faq.Entry) string {
	ids := make([]string, 0, len(all))
	for _, e := range all {
		if !e.Removed {
			ids = append(ids, e.ID)
		}
	}
	if guess, ok := spell.Closest(id, ids); ok {
		return "did you mean " + guess + "?"
	}
	if guesses := idsLike(id, ids); len(guesses) > 0 {
		return fmt.Sprintf("did you mean %s? (%s)", orList(guesses), noEntryHint)
	}
	return noEntryHint
}

// relatedIDs reads related=: the IDs as FAQ entries spell them (lower
// case), each once, in the order given. "Cosell-What" was refused as an
// unknown entry, and a repeated ID showed its follow-up button twice.
func relatedIDs(v string) []string {
	var out []string
	for _, id := range ParseList(v) {
		if id = strings.ToLower(id); !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// idsLike returns at most maxIDGuesses of the ids sharing the most of
// id's hyphen-separated words, if that is at least half of them:
// "cosell-fee-amount" shares only "cosell" with a dozen entries, which say
// nothing of a fee. Ties go to the ID nearer letter for letter, then to
// the earlier one.
func idsLike(id string, ids []string) []string {
	want := strings.Split(id, "-")
	type guess struct {
		id           string
		shared, dist int
		at           int
	}
	var gs []guess
	for i, c := range ids {
		n := 0
		for w := range strings.SplitSeq(c, "-") {
			if slices.Contains(want, w) {
				n++
			}
		}
		if n > 0 && 2*n >= len(want) {
			gs = append(gs, guess{c, n, spell.Distance(id, c, len(id)+len(c)), i})
		}
	}
	slices.SortFunc(gs, func(a, b guess) int {
		return cmp.Or(b.shared-a.shared, a.dist-b.dist, a.at-b.at)
	})
	out := make([]string, 0, maxIDGuesses)
	for _, g := range gs[:min(len(gs), maxIDGuesses)] {
		if g.shared < gs[0].shared {
			break
		}
		out = append(out, g.id)
	}
	return out
}

// orList joins "a", "a or b", "a, b or c".
func orList(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return fmt.Sprintf("%s or %s", strings.Join(xs[:len(xs)-1], ", "), xs[len(xs)-1])
}
