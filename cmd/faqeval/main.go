// Command faqeval scores the FAQ engine on its evaluation sets and prints,
// for the tuning set (leave-one-out: its questions are indexed as learned
// examples), the measured-only sets (hold-out, the three fresh sets) and the
// development sets, accuracy per language, wrong answers and the
// out-of-scope refusal rate; then, for the sets of messages asking two
// things, how many of their questions are answered right. Run it from the
// repository root after editing bot/faq/kb or the scoring.
//
//	go run ./cmd/faqeval              # tuning, hold-out and fresh reports
//	go run ./cmd/faqeval -failures    # also list every miss of the tuning and development sets
//	go run ./cmd/faqeval -calibrate   # refit bot/faq/calibration.go on the tuning set
//	go run ./cmd/faqeval -cv          # cross-validate the learned ranker's settings on the tuning set
//	go run ./cmd/faqeval -curve       # right answers at fixed wrong counts, on the tuning set
//	go run ./cmd/faqeval -two         # only the sets of messages asking two things (with -failures, the development set's misses)
//	go run ./cmd/faqeval -replay      # the measured sets' totals under other confidence fit settings
//
// The hold-out and fresh sets are only ever measured: -failures lists
// tuning and development misses, never theirs, and -calibrate, -cv and
// -curve read the tuning set alone; -replay fits on the tuning set alone
// and prints the measured sets' totals only.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cosellbot/cosellbot/bot/faq"
)

func main() {
	dir := flag.String("dir", "bot/faq/testdata", "directory of the evaluation sets")
	failures := flag.Bool("failures", false, "list the tuning set's and the deciding development sets' (ReadDevFiles) failures")
	calibrate := flag.Bool("calibrate", false, "refit the confidence model on the tuning set and rewrite calibration.go")
	out := flag.String("out", "bot/faq/calibration.go", "file -calibrate writes")
	cv := flag.Bool("cv", false, "cross-validate the learned ranker's settings on the tuning set")
	curve := flag.Bool("curve", false, "print right answers at fixed numbers of wrong ones for the confidence model, fitted and cross-validated on the tuning set")
	two := flag.Bool("two", false, "score only the sets of messages asking two things")
	replay := flag.Bool("replay", false, "refit the confidence under other settings (wrong winners' weight, wrong answers' cost, out-of-scope share) and print the measured sets' totals under each")
	flag.Parse()
	if *two {
		ix, _, err := open(*dir)
		if err == nil {
			err = evalTwo(ix, *dir, *failures)
			ix.Close()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "faqeval:", err)
			os.Exit(1)
		}
		return
	}
	if *replay {
		if err := replayConfidence(*dir); err != nil {
			fmt.Fprintln(os.Stderr, "faqeval:", err)
			os.Exit(1)
		}
		return
	}
	if *curve {
		ix, tuning, err := open(*dir)
		if err == nil {
			err = faq.ConfidenceCurve(ix, tuning, os.Stdout)
			ix.Close()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "faqeval:", err)
			os.Exit(1)
		}
		return
	}
	if *cv {
		if err := crossValidate(*dir); err != nil {
			fmt.Fprintln(os.Stderr, "faqeval:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*dir, *failures, *calibrate, *out); err != nil {
		fmt.Fprintln(os.Stderr, "faqeval:", err)
		os.Exit(1)
	}
}

// open builds the index of the shipped knowledge base and reads the tuning
// set.
func open(dir string) (*faq.Index, []faq.Case, error) {
	entries, err := faq.Load()
	if err != nil {
		return nil, nil, err
	}
	ix, err := faq.NewIndex(entries)
	if err != nil {
		return nil, nil, err
	}
	tuning, err := faq.LoadCaseFiles(dir, faq.TuningFiles...)
	if err != nil {
		_ = ix.Close()
		return nil, nil, err
	}
	return ix, tuning, nil
}

func run(dir string, failures, calibrate bool, out string) error {
	ix, tuning, err := open(dir)
	if err != nil {
		return err
	}
	defer ix.Close()
	if calibrate {
		m, err := faq.Calibrate(ix, tuning)
		if err != nil {
			return err
		}
		digest, err := faq.CalibrationDigest(filepath.Dir(out), m)
		if err != nil {
			return err
		}
		src, err := m.GoSource(strings.Join(faq.TuningFiles, ", "), digest)
		if err != nil {
			return err
		}
		if err := os.WriteFile(out, src, 0o644); err != nil {
			return err
		}
		fmt.Printf("wrote %s (threshold %.3f); rebuild to use it\n", out, m.Threshold)
		return nil
	}
	fmt.Printf("%d entries\n", ix.Len())
	tr := faq.EvaluateLeaveOneOut(ix, tuning)
	if !failures {
		tr.Failures = nil
	}
	fmt.Printf("\n== tuning, leave-one-out (%s): %d cases\n%s", strings.Join(faq.TuningFiles, ", "), len(tuning), tr)
	for _, name := range append([]string{faq.HoldoutFile}, faq.FreshFiles...) {
		cases, err := faq.LoadCaseFiles(dir, name)
		if err != nil {
			return err
		}
		r := faq.Evaluate(ix, cases)
		r.Failures = nil // measured, never looked into: see the file's header
		fmt.Printf("\n== measured only (%s): %d cases\n%s", name, len(cases), r)
	}
	for _, name := range faq.DevFiles {
		cases, err := faq.LoadCaseFiles(dir, name)
		if err != nil {
			return err
		}
		r := faq.Evaluate(ix, cases)
		if !failures || !slices.Contains(faq.ReadDevFiles, name) {
			r.Failures = nil // only the deciding sets' failures are read
		}
		fmt.Printf("\n== development (%s): %d cases\n%s", name, len(cases), r)
	}
	return evalTwo(ix, dir, failures)
}

// evalTwo prints the two-question sets' reports: the development set's
// failures with -failures, never the hold-out's.
func evalTwo(ix *faq.Index, dir string, failures bool) error {
	for _, set := range []struct {
		name, kind string
		read       bool // its failures may be read
	}{{faq.TwoDevFile, "development", true}, {faq.TwoHoldoutFile, "measured only", false}} {
		cases, err := faq.LoadTwoCases(dir, set.name)
		if err != nil {
			return err
		}
		r, err := faq.EvaluateTwo(ix, cases)
		if err != nil {
			return err
		}
		if !failures || !set.read {
			r.Failures = nil
		}
		fmt.Printf("\n== two questions in a message, %s (%s): %d messages\n%s", set.kind, set.name, len(cases), r)
	}
	return nil
}

// crossValidate prints the learned ranker's cross-validated top-1 accuracy
// on the tuning set for each setting compared (never on the hold-out set).
func crossValidate(dir string) error {
	ix, tuning, err := open(dir)
	if err != nil {
		return err
	}
	defer ix.Close()
	for _, r := range faq.CrossValidate(ix, tuning) {
		fmt.Println(r)
	}
	return nil
}

// replayConfidence prints faq.ReplayConfidence over the hold-out, fresh and
// development sets.
func replayConfidence(dir string) error {
	ix, tuning, err := open(dir)
	if err != nil {
		return err
	}
	defer ix.Close()
	names := append(append([]string{faq.HoldoutFile}, faq.FreshFiles...), faq.DevFiles...)
	sets := make([][]faq.Case, len(names))
	for i, name := range names {
		if sets[i], err = faq.LoadCaseFiles(dir, name); err != nil {
			return err
		}
	}
	return faq.ReplayConfidence(ix, tuning, names, sets, os.Stdout)
}
