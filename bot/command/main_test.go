package command_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/cosellbot/cosellbot/bot/faq"
	"github.com/cosellbot/cosellbot/bot/faq/faqtest"
)

// faqCache keeps the FAQ ranker trained by the first test that builds the
// knowledge base's index for the others, as COSELLBOT_CACHE_DIR does for a
// restarted server: training is most of a build, and under -race it took
// 15–25 s per test on 2 cores. Only the full knowledge base's builds use it:
// a DirCache holds one key, and the small index of the admin tests, whose
// texts change with every edit, would evict it.
var faqCache faq.DirCache

// smallFAQCache keeps every ranker trained for smallFAQEnv's indexes (a
// key per set of texts): the tests of the admin verbs start from the same
// index, and their sqlite and postgres variants make the same edits. Under
// -race each build of the small index took 2.2 s, nearly all training.
var smallFAQCache faqtest.Cache

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
