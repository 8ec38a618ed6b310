// Package faqtest gives tests of the FAQ's users (commands, chat
// platforms) a small knowledge base to build quickly.
package faqtest

import (
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/bot/faq"
)

// Small is the knowledge base's dozen entries on partner IDs and profiles,
// without follow-ups: enough to ask, miss and teach, and an index of them
// builds in a fraction of the whole one's time, which tests that rebuild it
// several times need.
func Small(tb testing.TB) []faq.Entry {
	tb.Helper()
	kb, err := faq.Load()
	if err != nil {
		tb.Fatal(err)
	}
	var small []faq.Entry
	for _, e := range kb {
		if strings.HasPrefix(e.ID, "partner-id-") || strings.HasPrefix(e.ID, "profile-") {
			e.Related = nil
			small = append(small, e)
		}
	}
	return small
}
