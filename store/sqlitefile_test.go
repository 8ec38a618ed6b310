package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenNamesTheSQLiteFileProblem checks that a file SQLite cannot open
// is reported with its path and what to do, not the driver's "unable to
// open database file (14)" alone.
func TestOpenNamesTheSQLiteFileProblem(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, path string
		want       []string
	}{
		{"missing folder", filepath.Join(dir, "no", "such", "x.db"), []string{filepath.Join(dir, "no", "such") + " does not exist", "mkdir -p"}},
		{"a folder", dir, []string{dir + " is a folder", "sqlite:" + filepath.Join(dir, "cosellbot.db")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(context.Background(), "sqlite:"+tt.path)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%s) succeeded", tt.path)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	t.Run("unwritable folder", func(t *testing.T) {
		// Nobody, root included, creates files in /proc.
		_, err := Open(context.Background(), "sqlite:/proc/cosellbot-test.db")
		if err == nil || !strings.Contains(err.Error(), "the folder /proc is not writable") {
			t.Fatalf("got %v, want the folder named as not writable", err)
		}
	})
	t.Run("nothing wrong with the folder", func(t *testing.T) {
		if err := sqliteFileProblem(filepath.Join(dir, "fine.db")); err != nil {
			t.Fatalf("a writable folder: %v", err)
		}
	})
}

// TestPingFailsOnAFileItCannotWrite checks that readiness (Ping) fails when
// the SQLite file can no longer be written: it reads fine and every change
// fails. Root writes any ordinary file, so the file is made to be one no
// user writes: a folder of procfs's, as on a read-only mount.
func TestPingFailsOnAFileItCannotWrite(t *testing.T) {
	s, err := Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("a writable file: %v", err)
	}
	s.file = "/proc/version"
	if err := s.Ping(context.Background()); err == nil || !strings.Contains(err.Error(), "SQLite cannot write") {
		t.Fatalf("Ping = %v, want SQLite cannot write", err)
	}
}
