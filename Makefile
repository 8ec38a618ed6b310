# cosellbot — the two commands a newcomer needs are `make run` and `make test`.
GO        ?= go
PKGS      ?= ./...
TESTFLAGS ?=
BENCHTIME ?= 1s
# -race needs cgo (a C compiler); without one the tests still run, just without it.
RACE      := $(if $(filter 1,$(shell $(GO) env CGO_ENABLED)),-race,)
VERSION   := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: run test bench bench-e2e lint build faq-eval load clean fuzz soak

run: ## start the bot: SQLite file cosellbot.db, HTTP on :8080, and the local shell
	$(GO) run ./cmd/cosellbot serve --shell

# The FAQ's accuracy tests score thousands of questions and refit the
# calibration: numerical work the race detector slows sevenfold (5 of
# bot/faq's 7.5 minutes on 2 cores) while the concurrency they share with
# other tests (the index build, cross-fitting) is raced there. They run once,
# without -race, beside the race run of everything else. So do the three that
# train the learned ranker again and again (a cache round trip, overrides,
# determinism: 76 of bot/faq's race seconds with 3,245 tuning questions);
# the training's concurrency is raced by the shared index's build.
# TestCalibrationIsCurrent refits only when calibration.go's recorded inputs
# (bot/faq/digest.go) changed; FAQ_REFIT=1 make test forces the refit.
# TestIntentPrefilters matches every tuning question against every intent's
# pattern, sequential work with nothing to race: 12.5 s of bot/faq's race
# run for a third of the questions, a few seconds here for all of them.
# TestPhraseHitsMatchPhraseF scores millions of phrasings two ways, sequential
# arithmetic too. TestEvalTwo asks the two-question sets, 370 messages.
FAQ_EVAL_TESTS := TestEval|TestEvalTwo|TestCalibrationIsCurrent|TestCrossFit|TestModelCacheReusesTheTrainedRanker|TestOverridesEndToEnd|TestAskIsDeterministic|TestIntentPrefilters|TestPhraseHitsMatchPhraseF

# bot/command's tests of answers over the whole knowledge base (how a
# question is read and answered, its halves and sentences, refusals, hints)
# ask dozens of questions each through the command, sequential work; under
# -race they took 73 of bot/command's CPU seconds against 21 without, and
# the first of them trained the whole ranker under -race (20 s). They run
# beside the FAQ's accuracy tests. The same paths' concurrency (the live
# index's rebuilds, misses handed to the store, admins' edits from two
# replicas) is raced by the tests over faqtest.Small, which stay.
COMMAND_FAQ_TESTS := TestFAQ|TestFAQOffTopicSaysWhatItKnows|TestFAQRefusalHeadsItsSuggestions|TestFAQTwoQuestions|TestFAQQuestionSentence|TestFAQMoreThanTwoQuestions|TestFAQHintOnCommandLikeQuestions|TestFAQMissesOfferNoTeachingOfOffTopicQuestions|TestNaturalWordOrder|TestSentencesInFrenchAndSwedish

# The tests run without -race, and where: test names are unique in the
# module, so one pattern runs them here and skips them in the race run.
NORACE_TESTS := ^($(FAQ_EVAL_TESTS)|$(COMMAND_FAQ_TESTS))$$
NORACE_PKGS  := ./bot/faq ./bot/command

# go test starts the packages' test binaries in the order it is given them,
# two at a time on 2 cores, and ./... gives them by name: integrations/crm
# and store, two of the longest, started last and ran on alone at the end.
# With PKGS left at ./..., the longest (under -race, on 2 cores) go first,
# the rest after in their usual order (go test lists a package once).
# web/pipeline (its browser test, 30 s) is among them: last by name, it
# ran alone at the end.
SLOW_PKGS := ./bot/command ./integrations/crm ./cmd/cosellbot ./bot/faq ./store \
	./integrations/crm/partnercenter ./integrations/slack ./integrations/discord \
	./integrations/web/pipeline
TEST_PKGS := $(if $(filter ./...,$(PKGS)),$(SLOW_PKGS) $(PKGS),$(PKGS))

# The builds without -race (the FAQ's accuracy run, the binaries
# cmd/cosellbot's end-to-end tests run, make build) all use the image's
# settings, CGO off and -trimpath, so that they share one another's
# compiled packages in the build cache.
# go vet, which runs first and compiles every dependency (for their export
# data), builds with the race run's settings instead ($(RACE) $(RACEFLAGS)),
# so that the race run finds every package compiled and only links. Built
# with the image's settings, go vet and the race run each compiled the
# whole module graph: on a clean machine (CI's), 415 + 340 CPU seconds
# against 346 + 84 now, with the static build of cosellbot alone (184 s,
# without the test-only dependencies: Kubernetes' types, chromedp,
# vegeta) left to the end-to-end tests. The race run's own go vet is off:
# make lint has vetted the same code with every analyzer.
STATIC      := CGO_ENABLED=0
STATICFLAGS := -trimpath

# The race run's test binaries carry no DWARF (compiled with -dwarf=false,
# linked with -s -w): nobody attaches a debugger to them, and panics and
# race reports name files and lines from the symbol table, which stays.
# Compiling and linking them from an empty build cache took 221 s, now
# 194 s (go test -race -run '^$$' ./... on 2 cores).
RACEFLAGS := -gcflags=all=-dwarf=false -ldflags='-s -w'

# The run without -race goes alongside the race run rather than after it:
# the race run's last minutes keep one core busy with the longest package
# (bot/command) while the other idles, and the accuracy run took two
# minutes on its own at the end (.ci/run: 11 min 7 s on a slow hour of the
# VM). Its output is held and printed once it is done, whole.
test: lint ## vet, format check, and every test (store tests also on Postgres when TEST_DATABASE_URL is set)
	@norace=$$(mktemp); \
	$(STATIC) $(GO) test $(STATICFLAGS) -vet=off -count=1 -timeout 15m $(TESTFLAGS) -run '$(NORACE_TESTS)' $(NORACE_PKGS) >$$norace 2>&1 & pid=$$!; \
	echo "$(GO) test $(RACE) $(RACEFLAGS) -vet=off -count=1 -timeout 15m $(TESTFLAGS) -skip '$(NORACE_TESTS)' $(TEST_PKGS)"; \
	$(GO) test $(RACE) $(RACEFLAGS) -vet=off -count=1 -timeout 15m $(TESTFLAGS) -skip '$(NORACE_TESTS)' $(TEST_PKGS); race=$$?; \
	wait $$pid; plain=$$?; \
	echo "$(STATIC) $(GO) test $(STATICFLAGS) -vet=off -count=1 -timeout 15m $(TESTFLAGS) -run '$(NORACE_TESTS)' $(NORACE_PKGS)"; \
	cat $$norace; rm -f $$norace; \
	test $$race -eq 0 && test $$plain -eq 0

bench: ## benchmarks (SQLite always; Postgres too when TEST_DATABASE_URL is set)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS)

lint: ## go vet and gofmt must be clean
	$(GO) vet $(RACE) $(RACEFLAGS) $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

build: ## a static binary in bin/
	$(STATIC) $(GO) build $(STATICFLAGS) -ldflags "-s -w -X main.version=$(VERSION)" -o bin/cosellbot ./cmd/cosellbot

faq-eval: ## FAQ accuracy per language, wrong answers and refusals, on the tuning, hold-out, fresh, development and two-question sets
	$(GO) run ./cmd/faqeval

# LOAD: cosellload's flags, e.g. LOAD="-kind discord -rate 500 -duration 30s".
LOAD ?= -kind slack -rate 200 -duration 10s
load: ## signed traffic against a running server (loopback only by default); see cmd/cosellload
	$(GO) run ./cmd/cosellload $(LOAD)

# BENCH_E2E: cosellload bench's flags, e.g. BENCH_E2E="-duration 60s -cases webhooks,mixed".
BENCH_E2E ?=
bench-e2e: build ## the built server under signed HTTP load on SQLite and PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL), with its baselines
	$(GO) build -o bin/cosellload ./cmd/cosellload
	bin/cosellload bench -bin bin/cosellbot $(BENCH_E2E)

# FUZZTIME: how long each fuzz target runs (CI length by default).
# A target that fails without writing a crasher is run once more: before Go
# 1.27 the fuzzing coordinator can report its own -fuzztime deadline as a
# failure ("context deadline exceeded", go.dev/issue/75804).
FUZZTIME ?= 5s
fuzz: ## run every fuzz target for FUZZTIME each; a crasher is saved in the package's testdata/fuzz (check it in)
	@failed=""; for dir in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for target in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go | sed 's/^func //'); do \
	    echo "fuzz $$dir $$target"; \
	    before=$$(ls $$dir/testdata/fuzz/$$target 2>/dev/null | wc -l); \
	    if ! $(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $$dir; then \
	      if [ "$$(ls $$dir/testdata/fuzz/$$target 2>/dev/null | wc -l)" = "$$before" ]; then \
	        echo "fuzz $$dir $$target: failed without a crasher (go.dev/issue/75804); once more"; \
	        $(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $$dir || failed="$$failed $$dir:$$target"; \
	      else failed="$$failed $$dir:$$target"; fi; \
	    fi; \
	  done; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz failures:$$failed"; exit 1; fi

# SOAK_N: deliveries per fault test (make test runs them with a few hundred).
SOAK_N ?= 20000
soak: ## the fault tests at length: kill -9 of the built server, PostgreSQL backends terminated under load (set TEST_DATABASE_URL)
	COSELLBOT_SOAK_N=$(SOAK_N) $(GO) test -count=1 -timeout 60m -v -run 'TestServerFaults|TestTerminatedBackendsUnderLoad' ./cmd/cosellbot ./integrations/crm

clean:
	rm -rf bin cosellbot.db cosellbot.db-wal cosellbot.db-shm
