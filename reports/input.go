package reports

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/fleetsim/fleetsim/traces"
)

// Limits on what this package reads: a results file (summary.json, run
// --json, compare --format json), a series.csv line, and the rows of a
// series.csv kept in memory.
const (
	MaxResultsBytes = 64 << 20
	MaxSeriesLine   = 64 << 10
	MaxSeriesRows   = 5_000_000
)

// openInput opens path for reading without blocking on a named pipe (one
// with no writer reads as empty) and refuses a folder.
func openInput(path string) (*os.File, error) {
	f, err := traces.OpenInput(path)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: path, Err: errors.New("is a directory, expected a file")}
	}
	return f, nil
}

// readInput reads all of path, up to max bytes; a longer file is an error
// saying the limit, found without reading past it.
func readInput(path string, max int64) ([]byte, error) {
	f, err := openInput(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := traces.ReadCapped(f, max)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: larger than %d bytes, the most fleetsim reads of a results file", path, max)
	}
	return data, nil
}

// OpenInput is openInput for the CLI's readers of output files.
func OpenInput(path string) (*os.File, error) { return openInput(path) }

// capLines passes r through, failing once a line is longer than max bytes.
type capLines struct {
	r    io.Reader
	name string
	max  int
	cur  int
	line int
}

func (c *capLines) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for _, b := range p[:n] {
		if b == '\n' {
			c.cur = 0
			c.line++
			continue
		}
		c.cur++
		if c.cur > c.max {
			return 0, fmt.Errorf("%s: line %d: longer than %d bytes", c.name, c.line+1, c.max)
		}
	}
	return n, err
}
