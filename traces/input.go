package traces

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"syscall"
)

// MaxLine is the longest line, in bytes, any line-oriented reader here
// accepts (CSV, openb, Azure LLM, SWF; JSONL has its own, MaxJSONLLine).
// It bounds the memory a reader holds, also for a gzip stream that
// inflates to one endless line, or for /dev/zero.
const MaxLine = 1 << 20

// lineReader passes an input through with two changes that every
// line-oriented reader wants: a lone CR (old Mac line ends) becomes LF and
// CRLF becomes LF, so a file with CR-only line ends is read line by line
// instead of as one line; and a line longer than max bytes ends the input
// with an *Error naming the file and the line.
type lineReader struct {
	r      io.Reader
	file   string
	max    int
	line   int  // 1-based line being read
	cur    int  // bytes of the current line so far
	lastCR bool // the previous byte passed on was a CR (turned to LF)
	err    error
}

// newLineReader wraps r; a *lineReader is returned as is (with the smaller
// limit), so wrapping twice costs nothing.
func newLineReader(r io.Reader, file string, max int) io.Reader {
	if lr, ok := r.(*lineReader); ok {
		lr.max = min(lr.max, max)
		return lr
	}
	return &lineReader{r: r, file: file, max: max, line: 1}
}

var newline = []byte{'\n'}

func (lr *lineReader) Read(p []byte) (int, error) {
	if lr.err != nil {
		return 0, lr.err
	}
	for {
		n, err := lr.r.Read(p)
		n = lr.filter(p[:n])
		if lr.err != nil {
			return 0, lr.err // (not the long line's end: the reader must not see it as a whole line)
		}
		if err != nil {
			lr.err = err
		}
		if n > 0 || err != nil {
			return n, err
		}
	}
}

// filter rewrites line ends of b in place, checks line lengths, and
// returns how many bytes of b remain (all of them but the LFs of CRLFs).
func (lr *lineReader) filter(b []byte) int {
	if lr.lastCR || bytes.IndexByte(b, '\r') >= 0 {
		b = b[:lr.fixCR(b)]
	}
	n := len(b)
	if lr.cur+len(b) <= lr.max {
		// No line of b can pass max: count its line ends at once (the
		// loop below would find each and check nothing more).
		if last := bytes.LastIndexByte(b, '\n'); last >= 0 {
			lr.line += bytes.Count(b, newline)
			lr.cur = len(b) - 1 - last
		} else {
			lr.cur += len(b)
		}
		return n
	}
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			lr.cur += len(b)
			break
		}
		if lr.cur+i > lr.max {
			lr.cur += i
			break
		}
		lr.cur = 0
		lr.line++
		b = b[i+1:]
	}
	if lr.cur > lr.max {
		lr.err = &Error{File: lr.file, Line: lr.line, Msg: fmt.Sprintf("line longer than %d bytes (is this a text trace file?)", lr.max)}
	}
	return n
}

// fixCR turns CRLF into LF and a lone CR into LF in b, in place, and
// returns the new length.
func (lr *lineReader) fixCR(b []byte) int {
	w := 0
	for _, c := range b {
		if c == '\n' && lr.lastCR {
			lr.lastCR = false
			continue
		}
		lr.lastCR = c == '\r'
		if lr.lastCR {
			c = '\n'
		}
		b[w] = c
		w++
	}
	return w
}

// OpenInput opens a user's input file for reading. It never blocks in the
// open: a named pipe is opened without waiting for a writer (one with no
// writer then reads as empty), and reads of a pipe or a device go through
// Go's poller, so an interrupt is not held up by them. (A folder opens;
// reading it fails, and callers that want a better word check first.)
func OpenInput(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// ReadAllInput reads at most max bytes of path (opened with OpenInput); a
// longer input is an error saying the limit, without reading past it.
// what names the input in that error ("summary.json").
func ReadAllInput(path string, max int64) ([]byte, error) {
	f, err := OpenInput(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := ReadCapped(f, max)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: larger than %d bytes, the most this reads", path, max)
	}
	return data, nil
}

// ReadCapped reads f to its end or to max+1 bytes: a regular file into a
// buffer of its size (one allocation), anything else (a pipe, a device)
// through a growing one. A result longer than max tells the caller the
// input is over its limit, without having read past it.
func ReadCapped(f *os.File, max int64) ([]byte, error) {
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() <= max {
		buf := make([]byte, fi.Size()+1)
		n, err := io.ReadFull(f, buf)
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			err = nil
		}
		if n == len(buf) { // it grew since: read the rest up to the cap
			rest, err := io.ReadAll(io.LimitReader(f, max+1-int64(n)))
			return append(buf, rest...), err
		}
		return buf[:n], err
	}
	return io.ReadAll(io.LimitReader(f, max+1))
}
