package main

import (
	"fmt"
	"os"

	"github.com/cosellbot/cosellbot/bot/faq"
)

// defaultQuestions is the FAQ's hold-out set: questions as partners type
// them, in English, French and Swedish, near misses included, so that a
// load of "faq {question}" costs what real questions cost rather than one
// question answered again and again.
const defaultQuestions = "bot/faq/testdata/holdout.yaml"

// loadQuestions reads the questions of an FAQ evaluation file, sent as a
// user types them after "faq".
func loadQuestions(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (run from the repository's root, or name an evaluation file such as %s)", err, defaultQuestions)
	}
	cases, err := faq.ParseCases(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	qs := make([]string, 0, len(cases))
	for _, c := range cases {
		qs = append(qs, c.Question)
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("%s holds no questions", path)
	}
	return qs, nil
}
