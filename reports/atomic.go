package reports

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// AtomicFile is an output file written under a temporary name in the same
// folder and renamed into place by Commit, so an interrupted or failed run
// never leaves a half-written result under the real name.
//
// A path that is a symbolic link is followed: the file it points to is
// replaced, the link stays. A path that is a device or a named pipe
// (/dev/null, /dev/stdout, a FIFO) is written in place, never replaced;
// a FIFO with no reader is an error, not a wait. A folder is an error.
type AtomicFile struct {
	*os.File
	path    string
	done    bool
	inPlace bool // a device or FIFO, written directly
}

// CreateAtomic opens a temporary file beside path (see AtomicFile).
func CreateAtomic(path string) (*AtomicFile, error) {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	if fi, err := os.Stat(path); err == nil {
		switch {
		case fi.IsDir():
			return nil, &fs.PathError{Op: "write", Path: path, Err: errors.New("is a directory, expected a file name")}
		case !fi.Mode().IsRegular():
			f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
			if err != nil {
				if errors.Is(err, syscall.ENXIO) {
					return nil, fmt.Errorf("%s: a named pipe with no reader", path)
				}
				return nil, err
			}
			return &AtomicFile{File: f, path: path, inPlace: true}, nil
		}
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	removeStaleTemps(dir, base)
	f, err := os.CreateTemp(dir, "."+base+".tmp-"+strconv.Itoa(os.Getpid())+"-*")
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
	if a.inPlace {
		return a.File.Close()
	}
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
	if !a.inPlace {
		os.Remove(a.File.Name())
	}
}

// CheckWritable reports, before any work is done, whether CreateAtomic
// and Commit could write path: its folder takes a new file (one is made
// and removed), or path is a device or a FIFO (written in place). A
// folder is an error.
func CheckWritable(path string) error {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return &fs.PathError{Op: "write", Path: path, Err: errors.New("is a directory, expected a file name")}
		}
		if !fi.Mode().IsRegular() {
			return nil
		}
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// removeStaleTemps removes the temporary files of base in dir that runs
// killed before Commit left (".base.tmp-PID-RAND", PID no longer alive),
// so they do not pile up.
func removeStaleTemps(dir, base string) {
	matches, _ := filepath.Glob(filepath.Join(dir, "."+globEscape(base)+".tmp-*-*"))
	for _, m := range matches {
		rest := strings.TrimPrefix(filepath.Base(m), "."+base+".tmp-")
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if ok && err == nil && !alive(pid) {
			os.Remove(m)
		}
	}
}

// globEscape quotes the pattern characters of a file name for Glob.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
