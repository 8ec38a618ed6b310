package faq

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/scanner"
	"go/token"
	"hash"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// Calibration digest. Refitting the model on the tuning set takes minutes
// (five of the FAQ accuracy run's eight on a 2-core VM, the longest step
// of make test), and the fit is deterministic: the same inputs give the
// same model. CalibrationDigest names those inputs, so that
// TestCalibrationIsCurrent refits only when one of them changed: the
// package's code and bot/spell's (their tokens, so an edited comment
// changes nothing), go.sum (the analyzers and stemmers are dependencies),
// the knowledge base, the tuning files, AlsoFile and InScopeFile, and the
// fitted weights themselves (a hand edit of calibration.go is a change too). The Go version and
// architecture (floating point may differ between them) are recorded
// apart, as Platform: another toolchain refits too, but a fit that
// matches there is current, not a digest to record.

// CalibrationDigest is the hex SHA-256 of what model m, fitted by
// Calibrate, was fitted from; pkgDir is bot/faq's directory.
func CalibrationDigest(pkgDir string, m Model) (string, error) {
	h := sha256.New()
	for _, d := range []string{pkgDir, filepath.Join(pkgDir, "..", "spell")} {
		if err := hashGoTokens(h, d); err != nil {
			return "", err
		}
	}
	files := []string{filepath.Join(pkgDir, "..", "..", "go.sum")}
	kb, err := filepath.Glob(filepath.Join(pkgDir, "kb", "*.yaml"))
	if err != nil {
		return "", err
	}
	slices.Sort(kb)
	files = append(files, kb...)
	for _, n := range append(slices.Clone(TuningFiles), AlsoFile, InScopeFile) {
		files = append(files, filepath.Join(pkgDir, "testdata", n))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("calibration digest: %w", err)
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(f), len(data))
		h.Write(data)
	}
	fmt.Fprintf(h, "%v %v %v %v\n", m.Rank, m.Rerank, m.Conf, m.Threshold)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Platform is the Go version and architecture a calibration is fitted on.
func Platform() string { return runtime.Version() + " " + runtime.GOARCH }

// hashGoTokens writes the tokens of dir's Go files (not tests, not
// calibration.go, which the digest describes), comments left out.
func hashGoTokens(h hash.Hash, dir string) error {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return err
	}
	slices.Sort(names)
	for _, name := range names {
		base := filepath.Base(name)
		if strings.HasSuffix(base, "_test.go") || base == "calibration.go" {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("calibration digest: %w", err)
		}
		fset := token.NewFileSet()
		var s scanner.Scanner
		var failed error
		s.Init(fset.AddFile(name, -1, len(src)), src, func(pos token.Position, msg string) {
			failed = fmt.Errorf("calibration digest: %s: %s", pos, msg)
		}, 0)
		fmt.Fprintf(h, "%s\n", base)
		for {
			_, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			fmt.Fprintf(h, "%s %s\n", tok, lit)
		}
		if failed != nil {
			return failed
		}
	}
	return nil
}
