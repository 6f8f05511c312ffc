package scenario

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fleetsim/fleetsim/traces"
)

//go:embed scenarios/*.yaml scenarios/kubernetes/*.yaml
var embedded embed.FS

// embeddedPrefix starts the File of an embedded scenario: "embedded:default".
const embeddedPrefix = "embedded:"

// Load reads, parses and validates the scenario file at path; relative
// paths in it (a trace) are resolved against the file's folder. It also
// checks that a trace file exists. Every error it returns is an *Error.
func Load(path string) (*Scenario, error) {
	return LoadWith(path, nil)
}

// LoadWith is Load with sets applied before validation (see ParseWith).
func LoadWith(path string, sets []Set) (*Scenario, error) {
	f, err := traces.OpenInput(path) // (a named pipe with no writer reads as empty, not a hang)
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot open scenario file: " + ioErr(err, false)}
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, &Error{File: path, Msg: "expected a scenario file, got a directory"}
	}
	// Read one byte past the limit so Parse sees the file is too big
	// without reading all of it (or all of /dev/zero).
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot read scenario file: " + ioErr(err, false)}
	}
	s, err := ParseWith(path, data, filepath.Dir(path), sets)
	if err != nil {
		return nil, err
	}
	if t := s.Workload.Trace; t != nil {
		if fi, err := os.Stat(t.Path); err != nil {
			return nil, &Error{File: path, Line: t.Line, Field: "workload.trace.path", Msg: "cannot open trace file: " + ioErr(err, true)}
		} else if fi.IsDir() {
			return nil, &Error{File: path, Line: t.Line, Field: "workload.trace.path", Msg: fmt.Sprintf("expected a trace file, got a directory (%s)", t.Path)}
		}
	}
	return s, nil
}

// ioErr words an I/O error without the operation ("open"), and with the
// path only when asked (when it is not the file the error already names).
func ioErr(err error, withPath bool) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if withPath {
			return pe.Path + ": " + pe.Err.Error()
		}
		return pe.Err.Error()
	}
	return err.Error()
}

// Embedded returns the names of the scenarios built into the program,
// sorted: "default" and a few others.
func Embedded() []string {
	entries, err := fs.ReadDir(embedded, "scenarios")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && !e.IsDir() {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// LoadEmbedded parses the built-in scenario called name. Its File is
// "embedded:NAME" and its Dir is empty.
func LoadEmbedded(name string) (*Scenario, error) {
	return LoadEmbeddedWith(name, nil)
}

// LoadEmbeddedWith is LoadEmbedded with sets applied before validation
// (see ParseWith).
func LoadEmbeddedWith(name string, sets []Set) (*Scenario, error) {
	if !slices.Contains(Embedded(), name) {
		return nil, &Error{File: embeddedPrefix + name, Msg: "no embedded scenario of that name (embedded: " + strings.Join(Embedded(), ", ") + ")"}
	}
	data, err := embedded.ReadFile("scenarios/" + name + ".yaml")
	if err != nil {
		return nil, &Error{File: embeddedPrefix + name, Msg: err.Error()}
	}
	return ParseWith(embeddedPrefix+name, data, "", sets)
}

// Resolve loads a scenario named on the command line: an existing file
// wins, then an embedded scenario of that name; anything else is an error
// that lists the embedded names.
func Resolve(nameOrPath string) (*Scenario, error) {
	return ResolveWith(nameOrPath, nil)
}

// ResolveWith is Resolve with sets applied before validation (see
// ParseWith).
func ResolveWith(nameOrPath string, sets []Set) (*Scenario, error) {
	if nameOrPath == "" {
		return nil, &Error{Msg: "expected a scenario file or an embedded scenario name, got nothing (embedded: " + strings.Join(Embedded(), ", ") + ")"}
	}
	fi, err := os.Stat(nameOrPath)
	switch {
	case err == nil && !fi.IsDir():
		return LoadWith(nameOrPath, sets)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return LoadWith(nameOrPath, sets) // reports why it cannot be read
	case slices.Contains(Embedded(), nameOrPath):
		return LoadEmbeddedWith(nameOrPath, sets)
	case err == nil:
		return nil, &Error{File: nameOrPath, Msg: "expected a scenario file or an embedded scenario name, got a directory (embedded: " + strings.Join(Embedded(), ", ") + ")"}
	}
	return nil, &Error{File: nameOrPath, Msg: "no such file, and no embedded scenario of that name (embedded: " + strings.Join(Embedded(), ", ") + ")"}
}

// Text returns the text of the scenario Resolve would load for nameOrPath
// (a file wins over an embedded name) and the folder its relative paths
// are resolved against ("" for an embedded one), for tools that rewrite a
// scenario (Calibrate) and read it back with Parse.
func Text(nameOrPath string) (data []byte, dir string, err error) {
	if fi, err := os.Stat(nameOrPath); err == nil && !fi.IsDir() {
		data, err := traces.ReadAllInput(nameOrPath, MaxFileSize)
		if err != nil {
			return nil, "", &Error{File: nameOrPath, Msg: "cannot read scenario file: " + ioErr(err, false)}
		}
		return data, filepath.Dir(nameOrPath), nil
	}
	if slices.Contains(Embedded(), nameOrPath) {
		data, err := embedded.ReadFile("scenarios/" + nameOrPath + ".yaml")
		return data, "", err
	}
	_, err = Resolve(nameOrPath)
	return nil, "", err
}
