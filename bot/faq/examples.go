package faq

import (
	"crypto/sha256"
	"encoding/hex"
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
	cases := slices.Concat(parsed...)
	data, err := testdataFS.ReadFile(path.Join("testdata", InScopeFile))
	if err != nil {
		return nil, fmt.Errorf("faq: examples: %w", err)
	}
	in, err := parseInScope(data)
	if err != nil {
		return nil, fmt.Errorf("faq: examples: %w", err)
	}
	inScope(cases, in)
	return cases, nil
})

// embeddedExamples groups the embedded tuning set's in-scope questions.
var embeddedExamples = sync.OnceValues(func() (examples, error) {
	cases, err := embeddedTuning()
	if err != nil {
		return nil, err
	}
	return examplesOf(cases), nil
})

// tuningFormat names the model cache's copy of the parsed tuning set
// (cachedTuning).
const tuningFormat = "faq-tuning-v2"

// learnedSet is the tuning set with its learned examples, as the model
// cache keeps them.
type learnedSet struct {
	Cases    []Case
	Examples examples
}

// cachedTuning is the embedded tuning set and its learned examples, read
// from model cache c when this executable put them there. Parsing the YAML
// files and grouping their questions took 93 ms of a one-shot ask's 360;
// decoding the cache's copy takes about 15. The files are embedded, so the
// executable's identity alone keys the copy; where it is unknown nothing
// is read or kept, since another build's copy could then pass for this
// one's. Without a cache it is embeddedTuning and embeddedExamples. A torn
// copy is parsed again and written anew, as the cache's other files are.
func cachedTuning(c ModelCache) ([]Case, examples, error) {
	id := executableID()
	var key string
	if c != nil && id != "" {
		sum := sha256.Sum256([]byte(id))
		key = tuningFormat + "-" + hex.EncodeToString(sum[:12])
		if b, ok := c.Get(key); ok {
			var set learnedSet
			if unseal(tuningFormat, b, &set) == nil && len(set.Cases) > 0 {
				return set.Cases, set.Examples, nil
			}
		}
	}
	cases, err := embeddedTuning()
	if err != nil {
		return nil, nil, err
	}
	ex, err := embeddedExamples()
	if err != nil {
		return nil, nil, err
	}
	if key != "" {
		if b, err := seal(tuningFormat, learnedSet{Cases: cases, Examples: ex}); err == nil {
			c.Put(key, b)
		}
	}
	return cases, ex, nil
}

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
