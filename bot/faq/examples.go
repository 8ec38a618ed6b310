package faq

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"sync"
)

// Learned examples. The tuning set is a few hundred questions written the
// way partners type them in chat, each labelled with its entry: indexed as
// extra phrasings of that entry, they teach retrieval the everyday words,
// abbreviations and filler of real questions, which the knowledge base's
// own wording lacks. The hold-out set is never indexed, so it still
// measures unseen questions; tuning questions are scored leave-one-out
// (Calibrate and EvaluateLeaveOneOut hide the example a question matches
// itself, see langIndex.features).

// examples maps entry ID → language → tuning questions of that entry.
type examples map[string]map[Lang][]string

// embeddedTuning parses the embedded tuning files once per process, side
// by side: one after the other they were the longest step of a build that
// finds the rest in its cache (a one-shot ask: 120 of its 400 ms).
var embeddedTuning = sync.OnceValues(func() ([]Case, error) {
	parsed := make([][]Case, len(TuningFiles))
	errs := make([]error, len(TuningFiles))
	var wg sync.WaitGroup
	for i, name := range TuningFiles {
		wg.Go(func() {
			data, err := testdataFS.ReadFile(path.Join("testdata", name))
			if err != nil {
				errs[i] = fmt.Errorf("faq: examples: %w", err)
				return
			}
			if parsed[i], err = ParseCases(data); err != nil {
				errs[i] = fmt.Errorf("faq: examples: %s: %w", name, err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return slices.Concat(parsed...), nil
})

// embeddedExamples groups the embedded tuning set's in-scope questions.
var embeddedExamples = sync.OnceValues(func() (examples, error) {
	cases, err := embeddedTuning()
	if err != nil {
		return nil, err
	}
	return examplesOf(cases), nil
})

// examplesOf groups the in-scope cases by entry and language; out-of-scope
// cases have no entry to teach. Each is learned as a question is read,
// without what chat adds to it (chatText): a mention's user ID or an
// emoji's name is no word of the entry's.
func examplesOf(cases []Case) examples {
	ex := examples{}
	for _, c := range cases {
		if c.Expect == OutOfScope {
			continue
		}
		if ex[c.Expect] == nil {
			ex[c.Expect] = map[Lang][]string{}
		}
		ex[c.Expect][c.Lang] = append(ex[c.Expect][c.Lang], chatText(c.Question))
	}
	return ex
}
