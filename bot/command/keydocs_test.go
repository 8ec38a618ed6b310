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
