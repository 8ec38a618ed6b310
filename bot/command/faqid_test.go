package command

import (
	"errors"
	"testing"

	"github.com/cosellbot/cosellbot/bot/faq"
	"github.com/cosellbot/cosellbot/bot/ledger"
)

// TestNoEntry: a refused FAQ ID names the ID a typo away, else the IDs
// sharing at least half its words (most shared first, then the nearer),
// else where IDs are shown; a removed entry is never offered.
func TestNoEntry(t *testing.T) {
	var all []faq.Entry
	for _, id := range []string{"cosell-what", "cosell-types", "cosell-page", "deal-registration-criteria",
		"deal-registration-value", "deal-registration-solutions", "deal-registration-p2p", "deal-team", "csp-what", "old-entry"} {
		all = append(all, faq.Entry{ID: id})
	}
	all[len(all)-1].Removed = true
	const hint = " (" + noEntryHint + ")"
	for _, tc := range []struct{ id, want string }{
		{"cosel-what", "no FAQ entry cosel-what: did you mean cosell-what?"},
		{"deal-registration-fee", "no FAQ entry deal-registration-fee: did you mean deal-registration-p2p, deal-registration-value or deal-registration-criteria?" + hint},
		{"registration-deal-criteria", "no FAQ entry registration-deal-criteria: did you mean deal-registration-criteria?" + hint},
		{"deal-fee", "no FAQ entry deal-fee: did you mean deal-team, deal-registration-p2p or deal-registration-value?" + hint},
		{"csp-cost", "no FAQ entry csp-cost: did you mean csp-what?" + hint},
		{"cosell-fee-amount", "no FAQ entry cosell-fee-amount: " + noEntryHint},
		{"old-entr", "no FAQ entry old-entr: " + noEntryHint},
		{"x", "no FAQ entry x: " + noEntryHint},
	} {
		err := noEntry(tc.id, all, nil)
		if err == nil || err.Error() != tc.want {
			t.Errorf("noEntry(%q)\n got %v\nwant %s", tc.id, err, tc.want)
		}
		if !errors.Is(err, ledger.ErrNotFound) {
			t.Errorf("noEntry(%q) is not ledger.ErrNotFound: %v", tc.id, err)
		}
	}
	removed := &faq.Entry{ID: "cosell-what", Removed: true}
	if err := noEntry("cosell-what", all[1:], removed); err == nil || err.Error() != "FAQ entry cosell-what was removed: faq add cosell-what with its questions and answers brings it back" {
		t.Errorf("noEntry of a removed entry: %v", err)
	}
}

// TestOrList words two and more choices.
func TestOrList(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{{nil, ""}, {[]string{"a"}, "a"}, {[]string{"a", "b"}, "a or b"}, {[]string{"a", "b", "c"}, "a, b or c"}} {
		if got := orList(tc.in); got != tc.want {
			t.Errorf("orList(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
