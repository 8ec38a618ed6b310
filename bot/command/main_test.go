package command_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/cosellbot/cosellbot/bot/faq"
)

// faqCache keeps the FAQ ranker trained by the first test that builds the
// knowledge base's index for the others, as COSELLBOT_CACHE_DIR does for a
// restarted server: training is most of a build, and under -race it took
// 15–25 s per test on 2 cores. Only the full knowledge base's builds use it:
// a DirCache holds one key, so the small index of the admin tests, whose
// texts change with every edit, trains as before and does not evict it.
var faqCache faq.DirCache

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cosellbot-command-faq-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "command tests: a folder for the FAQ cache:", err)
		os.Exit(1)
	}
	faqCache = faq.DirCache(dir)
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}
