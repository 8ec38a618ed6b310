package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// sqliteFileProblem explains why SQLite could not open path, when the file
// system says so: the driver's own words ("unable to open database file
// (14)") name neither the file nor what to do. It returns nil when the
// file system shows nothing wrong (the driver's error is then the news).
func sqliteFileProblem(path string) error {
	if path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil
	}
	path, _, _ = strings.Cut(path, "?")
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	dir := filepath.Dir(abs)
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("the folder %s does not exist: create it (mkdir -p %s) or set DATABASE_URL=sqlite:PATH to a file in an existing folder", dir, dir)
	case err != nil:
		return fmt.Errorf("the folder %s cannot be read: %w", dir, err)
	case !info.IsDir():
		return fmt.Errorf("%s is not a folder: set DATABASE_URL=sqlite:PATH to a file in a folder", dir)
	}
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a folder: DATABASE_URL=sqlite:PATH names a file, as in sqlite:%s", abs, filepath.Join(abs, "cosellbot.db"))
	} else if errors.Is(err, fs.ErrNotExist) {
		if createIn(dir) != nil {
			return fmt.Errorf("%s cannot be created: the folder %s is not writable by this user (make it writable, or set DATABASE_URL=sqlite:PATH elsewhere)", abs, dir)
		}
		return nil
	}
	f, err := os.OpenFile(abs, os.O_RDONLY, 0)
	if err != nil {
		return fmt.Errorf("%s cannot be opened: %w", abs, err)
	}
	f.Close()
	return nil
}

// Writable reports whether the SQLite file and its folder can be written
// (WritableFile); nil for PostgreSQL and an in-memory database.
func (s *Store) Writable() error {
	if s.file == "" {
		return nil
	}
	return WritableFile(s.file)
}

// WritableFile reports whether the SQLite file at path and its folder can
// be written, changing neither: the file opened for writing and closed, a
// scratch file made in the folder and removed (SQLite keeps its -wal and
// -shm files beside the database). A file SQLite cannot write reads fine
// and fails every change.
func WritableFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("SQLite cannot write %s: %w", path, err)
	}
	f.Close()
	if err := createIn(filepath.Dir(path)); err != nil {
		return fmt.Errorf("SQLite cannot write in the folder of %s: %w", path, err)
	}
	return nil
}

// createIn reports whether a file can be made in dir: a scratch file, made
// and removed.
func createIn(dir string) error {
	tmp, err := os.CreateTemp(dir, ".cosellbot-probe-*")
	if err != nil {
		return err
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}
