package command_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/cosellbot/cosellbot/store/storetest"
)

// TestEveryKeyIsDocumented: help VERB lists every key with what it takes;
// a key listed bare ("seed=" and nothing after it) tells an admin nothing.
func TestEveryKeyIsDocumented(t *testing.T) {
	e := smallFAQEnv(t, storetest.Open(t))
	verbLine := regexp.MustCompile(`^  ([a-z]+(?: [a-z]+){0,2}) {2,}\S`)
	bareKey := regexp.MustCompile(`^    (\S+=)\s*$`)
	verbs := 0
	for _, line := range strings.Split(e.run("help").Text, "\n") {
		m := verbLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		verbs++
		for _, l := range strings.Split(e.run("help "+m[1]).Text, "\n") {
			if k := bareKey.FindStringSubmatch(l); k != nil {
				t.Errorf("help %s: %s has no description", m[1], k[1])
			}
		}
	}
	if verbs < 30 {
		t.Fatalf("read %d verbs from help; the listing's layout changed", verbs)
	}
}

// A key that takes a day that has happened documents the forms of a past
// day (yesterday, -3d), never tomorrow or +7d, which it always refuses:
// help deal receive offered received=tomorrow, refused as in the future.
func TestPastDayKeysDocumentPastDays(t *testing.T) {
	e := newAlertEnv(t, storetest.Open(t)) // with CPOR claims
	for _, tt := range []struct{ verb, key string }{
		{"deal receive", "received"},
		{"cpor claim", "claimed"},
		{"cpor confirm", "notified"},
		{"cpor decline", "declined"},
	} {
		t.Run(tt.verb, func(t *testing.T) {
			var doc string
			for _, l := range strings.Split(e.run("help "+tt.verb).Text, "\n") {
				if strings.HasPrefix(strings.TrimSpace(l), tt.key+"=") {
					doc = l
				}
			}
			if !strings.Contains(doc, "yesterday") || !strings.Contains(doc, "-3d") || strings.Contains(doc, "tomorrow") || strings.Contains(doc, "+7d") {
				t.Errorf("help %s: %s= says %q, want the past forms (yesterday, -3d) and no future ones", tt.verb, tt.key, doc)
			}
		})
	}
}
