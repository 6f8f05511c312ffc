package traces

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/fleetsim/fleetsim/sim"
)

// Format is a trace format Open can read.
type Format struct {
	Name       string   // as given to Open and in scenario files: "csv"
	Extensions []string // file name extensions, with the dot, that imply it: ".csv"
	// New returns a source reading r; file names the input in errors.
	New func(r io.Reader, file string) (sim.Source, error)
}

var (
	formatsMu sync.RWMutex
	formats   = map[string]Format{
		"csv": {Name: "csv", Extensions: []string{".csv"},
			New: func(r io.Reader, file string) (sim.Source, error) { return NewCSVReader(r, file) }},
		"jsonl": {Name: "jsonl", Extensions: []string{".jsonl", ".ndjson"},
			New: func(r io.Reader, file string) (sim.Source, error) { return NewJSONLReader(r, file) }},
		"openb": {Name: "openb", // CSV like any other: named, never inferred
			New: func(r io.Reader, file string) (sim.Source, error) { return NewOpenbReader(r, file) }},
		"swf": {Name: "swf", Extensions: []string{".swf"},
			New: func(r io.Reader, file string) (sim.Source, error) { return NewSWFReader(r, file) }},
		"fsc": {Name: "fsc", Extensions: []string{".fsc"}, // the trace cache (cache.go)
			New: func(r io.Reader, file string) (sim.Source, error) { return NewCacheReader(r, file) }},
		"azure-llm": {Name: "azure-llm", // CSV like any other: named, never inferred
			New: func(r io.Reader, file string) (sim.Source, error) {
				return NewAzureLLMReader(r, file, DefaultTokenModel)
			}},
	}
)

// RegisterFormat adds a trace format, so that Open reads it by name and by
// extension. Registering a name or an extension twice is an error.
func RegisterFormat(f Format) error {
	if f.Name == "" || f.New == nil {
		return fmt.Errorf("traces: RegisterFormat needs a name and a New function")
	}
	formatsMu.Lock()
	defer formatsMu.Unlock()
	if _, dup := formats[f.Name]; dup {
		return fmt.Errorf("traces: format %q is already registered", f.Name)
	}
	for _, ext := range f.Extensions {
		if other, ok := formatByExt(ext); ok {
			return fmt.Errorf("traces: extension %q of format %q is already format %q's", ext, f.Name, other.Name)
		}
	}
	f.Extensions = append([]string(nil), f.Extensions...)
	formats[f.Name] = f
	return nil
}

// Formats returns the names of the formats Open reads, sorted.
func Formats() []string {
	formatsMu.RLock()
	defer formatsMu.RUnlock()
	names := make([]string, 0, len(formats))
	for name := range formats {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// FormatExt is the extension that tells the format of the trace at path,
// lowercased: its last, or, for a gzip'd file, the one before ".gz"
// ("jobs.csv.gz": ".csv"), as Open reads it.
func FormatExt(path string) string {
	if strings.EqualFold(filepath.Ext(path), ".gz") {
		path = path[:len(path)-len(".gz")]
	}
	return strings.ToLower(filepath.Ext(path))
}

// formatByExt finds the format of an extension; formatsMu must be held.
func formatByExt(ext string) (Format, bool) {
	for _, f := range formats {
		for _, e := range f.Extensions {
			if strings.EqualFold(e, ext) {
				return f, true
			}
		}
	}
	return Format{}, false
}

// formatList describes the formats and their extensions for error
// messages: "csv (.csv), jsonl (.jsonl, .ndjson)". formatsMu must be held.
func formatList() string {
	names := make([]string, 0, len(formats))
	for name := range formats {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, name := range names {
		if exts := formats[name].Extensions; len(exts) > 0 {
			names[i] += " (" + strings.Join(exts, ", ") + ")"
		}
	}
	return strings.Join(names, ", ")
}

// Open opens the trace at path in the named format (case does not
// matter); an empty format is inferred from the file's extension, or,
// when the extension tells nothing, from a trace cache's magic bytes at the
// file's start. A ".gz" suffix means gzip compression ("jobs.csv.gz"). The caller closes the Closer when done.
func Open(path, format string) (sim.Source, io.Closer, error) {
	format = strings.ToLower(format)
	formatsMu.RLock()
	f, ok := formats[format]
	if format == "" {
		f, ok = formatByExt(FormatExt(path))
	}
	list := formatList()
	formatsMu.RUnlock()
	if !ok && format == "" && !strings.EqualFold(filepath.Ext(path), ".gz") && IsCacheFile(path) {
		f, ok = Format{Name: "fsc", New: func(r io.Reader, file string) (sim.Source, error) { return NewCacheReader(r, file) }}, true
	}
	if !ok {
		if format == "" {
			return nil, nil, fmt.Errorf("traces: cannot tell the format of %s from its extension; name one of: %s", path, list)
		}
		return nil, nil, fmt.Errorf("traces: unknown trace format %q; known formats: %s", format, list)
	}

	switch f.Name { // (the package's own: a name is registered once)
	case "csv":
		return openAhead(path, func(r io.Reader) (aheadReader, error) { return NewCSVReader(r, path) })
	case "jsonl":
		return openAhead(path, func(r io.Reader) (aheadReader, error) { return NewJSONLReader(r, path) })
	}
	r, closer, err := openFile(path)
	if err != nil {
		return nil, nil, err
	}
	src, err := f.New(r, path)
	if err != nil {
		closer.Close()
		return nil, nil, err
	}
	return src, closer, nil
}

// openFile opens path for reading, through gzip when its name ends in
// ".gz". The caller closes the Closer.
func openFile(path string) (io.Reader, io.Closer, error) {
	file, zr, err := openParts(path)
	if err != nil {
		return nil, nil, err
	}
	if zr == nil {
		return file, file, nil
	}
	return zr, closers{zr, file}, nil
}

// openParts opens path, and a gzip reader of it when its name ends in
// ".gz" (else zr is nil).
func openParts(path string) (file *os.File, zr *gzip.Reader, err error) {
	file, err = OpenInput(path)
	if err != nil {
		return nil, nil, err
	}
	if !strings.EqualFold(filepath.Ext(path), ".gz") {
		return file, nil, nil
	}
	zr, err = gzip.NewReader(file)
	if err != nil {
		file.Close()
		return nil, nil, &Error{File: path, Msg: "not a valid gzip file: " + err.Error(), Err: err}
	}
	return file, zr, nil
}

// openAhead opens a CSV or JSONL trace with newReader; the rows of a
// regular file (plain or gzip'd) a goroutine reads ahead (aheadSource)
// when Go may run two threads at once (GOMAXPROCS > 1). A pipe or a
// device is read as it comes, as by the other formats: a writer that
// pauses gets each row to the simulation at once. A CSV's header is read
// here, its errors returned at once.
func openAhead(path string, newReader func(io.Reader) (aheadReader, error)) (sim.Source, io.Closer, error) {
	file, zr, err := openParts(path)
	if err != nil {
		return nil, nil, err
	}
	var r io.Reader = file
	var c io.Closer = file
	if zr != nil {
		r, c = zr, closers{zr, file}
	}
	rd, err := newReader(r)
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	if runtime.GOMAXPROCS(0) < 2 {
		// One thread: a goroutine would only add its hand-overs. The rows
		// of a native CSV file are read in place instead (mapped.go).
		if cr, ok := rd.(*CSVReader); ok && zr == nil && cr.startMapped(file) {
			return rd, mappedCloser{cr, file}, nil
		}
		return rd, c, nil
	}
	if fi, err := file.Stat(); err != nil || !fi.Mode().IsRegular() {
		return rd, c, nil
	}
	s := newAheadSource(rd, file, zr)
	return s, aheadCloser{s}, nil
}

// closers closes each in turn and returns the first error.
type closers []io.Closer

func (cs closers) Close() error {
	var first error
	for _, c := range cs {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// IsCacheFile reports whether the file at path starts with the trace
// cache's magic bytes (false when it cannot be read).
func IsCacheFile(path string) bool {
	f, err := OpenInput(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return false // (a pipe read here would lose its first bytes)
	}
	var b [8]byte
	_, err = io.ReadFull(f, b[:])
	return err == nil && IsCache(b[:])
}
