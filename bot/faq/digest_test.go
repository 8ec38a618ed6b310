package faq

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
)

// TestHashGoTokens: comments and layout leave the calibration digest as it
// was; a changed token, a new file or a renamed one do not.
func TestHashGoTokens(t *testing.T) {
	digest := func(files map[string]string) string {
		dir := t.TempDir()
		for name, src := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		h := sha256.New()
		if err := hashGoTokens(h, dir); err != nil {
			t.Fatal(err)
		}
		return string(h.Sum(nil))
	}
	base := digest(map[string]string{"a.go": "package faq\n\n// x is two.\nconst x = 2\n"})
	for _, tc := range []struct {
		files map[string]string
		same  bool
	}{
		{map[string]string{"a.go": "package faq\n\n// x is two, as the tuning set wants.\nconst x   =   2 // why\n"}, true},
		{map[string]string{"a.go": "package faq\n\nconst x = 2\n", "a_test.go": "package faq\n", "calibration.go": "package faq\n"}, true},
		{map[string]string{"a.go": "package faq\n\nconst x = 3\n"}, false},
		{map[string]string{"b.go": "package faq\n\nconst x = 2\n"}, false},
		{map[string]string{"a.go": "package faq\n\nconst x = 2\n", "b.go": "package faq\n"}, false},
	} {
		if got := digest(tc.files) == base; got != tc.same {
			t.Errorf("%v: same digest %v, want %v", tc.files, got, tc.same)
		}
	}
}

// TestCalibrationDigestReadsTheInputs: the digest moves with the model's
// weights, and names a missing input.
func TestCalibrationDigestReadsTheInputs(t *testing.T) {
	a, err := CalibrationDigest(".", calibrated)
	if err != nil {
		t.Fatal(err)
	}
	m := calibrated
	m.Threshold += 1e-9
	if b, err := CalibrationDigest(".", m); err != nil || b == a {
		t.Errorf("a changed threshold keeps the digest (%v)", err)
	}
	if _, err := CalibrationDigest(t.TempDir(), calibrated); err == nil {
		t.Error("a folder without the inputs gives a digest")
	}
}
