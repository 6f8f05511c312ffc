package reports

import (
	"os"
	"path/filepath"
)

// AtomicFile is an output file written under a temporary name in the same
// folder and renamed into place by Commit, so an interrupted or failed run
// never leaves a half-written result under the real name.
type AtomicFile struct {
	*os.File
	path string
	done bool
}

// CreateAtomic opens a temporary file beside path.
func CreateAtomic(path string) (*AtomicFile, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, err
	}
	return &AtomicFile{File: f, path: path}, nil
}

// Commit syncs, closes and renames the file to its real name.
func (a *AtomicFile) Commit() error {
	if a.done {
		return nil
	}
	a.done = true
	if err := a.File.Sync(); err != nil {
		a.File.Close()
		os.Remove(a.File.Name())
		return err
	}
	if err := a.File.Close(); err != nil {
		os.Remove(a.File.Name())
		return err
	}
	if err := os.Chmod(a.File.Name(), 0o644); err != nil {
		os.Remove(a.File.Name())
		return err
	}
	return os.Rename(a.File.Name(), a.path)
}

// Abort closes and removes the temporary file; the real name is untouched.
// It is safe to call after Commit (it then does nothing).
func (a *AtomicFile) Abort() {
	if a.done {
		return
	}
	a.done = true
	a.File.Close()
	os.Remove(a.File.Name())
}
