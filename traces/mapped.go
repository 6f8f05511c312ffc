package traces

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"unsafe"

	"github.com/fleetsim/fleetsim/sim"
)

// With one thread (GOMAXPROCS=1), where no goroutine can read ahead, Open
// reads the rows of a native CSV trace that is a regular file (not
// gzip'd) in place: the file is mapped into memory (on Linux) and the
// native scanner reads its rows there, without the copy of every byte
// that read makes. Only rows the native scanner takes are read so;
// at the first other line (a blank line, a quote, a CR, a row of another
// form or in error, a line longer than MaxLine, the end of the mapping),
// the reader goes on from that line's start by reading the file, as it
// would have from the beginning: the same tasks, lines and errors
// (TestMappedSame).
//
// A mapped file that shrinks under the reader (another program truncates
// it) faults where read would have ended early. The rows are scanned with
// debug.SetPanicOnFault set, and such a fault becomes an *Error naming
// the file and the line (TestMappedTruncated). Pages the reader has gone
// past are released as it goes (mappedDrop), so its resident set does not
// grow to the file's size.

const (
	// mappedBatch is how many plain rows (plainRow) one scan takes ahead:
	// the fault guard, a deferred recover, is paid once per scan.
	mappedBatch = 64
)

// mappedDrop is how many bytes the reader leaves behind before it
// releases their pages (a variable for the tests).
var mappedDrop = 8 << 20

// mapped is the state of a CSVReader that reads its rows in place.
type mapped struct {
	file *os.File
	b    []byte // the file's bytes, mapped read-only
	pos  int    // the start of line line, the next to scan
	line int
	drop int // the pages of b[:drop] are released
	err  error

	// Plain rows taken ahead: batch[bi:bn], the first on line bline+bi.
	batch  [mappedBatch]plainFields
	bline  int
	bi, bn int
}

// plainFields are the fields of a plain row's task, which has no other.
type plainFields struct {
	id            int64
	arrival, work sim.Time
}

// scanMapped takes the next plain rows into the batch, for Next, and
// reports true; or, where the next row is not a plain one, reads that row
// into t itself (true, the batch empty), or ends the mapped rows
// (endMapped: false).
func (rd *CSVReader) scanMapped(t *sim.Task) bool {
	m := rd.mp
	m.bi, m.bn, m.bline = 0, 0, m.line
	if m.err == nil && (rd.scanGuarded(t) || m.bn > 0) {
		return true
	}
	rd.endMapped()
	return false
}

// scanGuarded is scan under the fault guard: a fault in the mapping (the
// file shrank) ends the rows with m.err, after the rows taken before it.
func (rd *CSVReader) scanGuarded(t *sim.Task) (one bool) {
	m := rd.mp
	if m.guard(func() { one = rd.scan(t) }) {
		m.err = &Error{File: rd.file, Line: m.line,
			Msg: "the file changed while it was read (truncated, or its storage failed)"}
		return false
	}
	return one
}

// guard runs f with debug.SetPanicOnFault set, and reports whether f
// faulted in the mapping; any other panic goes on.
func (m *mapped) guard(f func()) (faulted bool) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			if e, ok := r.(interface{ Addr() uintptr }); !ok || !m.inside(e.Addr()) {
				panic(r)
			}
			faulted = true
		}
	}()
	f()
	return false
}

// scan takes plain rows into the batch, or, where the next row is not
// one, reads that row into t and reports true.
func (rd *CSVReader) scan(t *sim.Task) bool {
	m := rd.mp
	if m.pos-m.drop >= mappedDrop {
		m.release()
	}
	for m.bn < mappedBatch && len(m.b)-m.pos >= plainLen {
		// (A plain row holds no CR and is shorter than MaxLine: it is the
		// line the line reader would pass on.)
		id, arrival, work, n := rd.plainRow((*[plainLen]byte)(m.b[m.pos:]))
		if n == 0 {
			break
		}
		m.batch[m.bn] = plainFields{id, arrival, work}
		m.bn++
		m.pos += n
		m.line++
	}
	if m.bn > 0 {
		return false
	}
	// The next line, if it ends within MaxLine bytes and its LF (a longer
	// one is the line reader's error, which the general path reports) and
	// holds no CR (which the line reader turns into a line end).
	row := m.b[m.pos:min(len(m.b), m.pos+MaxLine+1)]
	i := bytes.IndexByte(row, '\n')
	if i < 0 || bytes.IndexByte(row[:i], '\r') >= 0 {
		return false
	}
	if rd.nativeRow(row[:i+1], m.line, t) == 0 {
		return false
	}
	m.pos += i + 1
	m.line++
	return true
}

// inside reports whether address a is in the mapping.
func (m *mapped) inside(a uintptr) bool {
	if len(m.b) == 0 {
		return false
	}
	base := uintptr(unsafe.Pointer(&m.b[0]))
	return a >= base && a-base < uintptr(len(m.b))
}

// endMapped ends the mapped rows and releases the mapping: the general
// path reads on from m.pos, the start of line m.line, through a new line
// reader over the file, or Next returns m.err.
func (rd *CSVReader) endMapped() {
	m := rd.mp
	rd.mp = nil
	m.unmap()
	c := rd.rows
	c.win, c.off = nil, 0
	c.line, c.last = m.line, rd.prevLine
	if m.err != nil {
		rd.err = m.err
		return
	}
	if _, err := m.file.Seek(int64(m.pos), io.SeekStart); err != nil {
		rd.err = &Error{File: rd.file, Msg: fmt.Sprintf("read failed after line %d: %v", rd.prevLine, err), Err: err}
		return
	}
	c.br.Reset(&lineReader{r: m.file, file: rd.file, max: MaxLine, line: m.line})
}

// startMapped makes rd read its rows from file in place, and reports
// whether it does: when rd has the native header, the system maps the
// file, and the lines read so far hold no CR (the lines after them are
// then where the line reader passed them on).
func (rd *CSVReader) startMapped(file *os.File) bool {
	if !rd.native || rd.err != nil {
		return false
	}
	b, err := mapFile(file)
	if err != nil {
		return false
	}
	m := &mapped{file: file, b: b, line: rd.rows.line}
	if !m.skipLines(m.line - 1) {
		m.unmap()
		return false
	}
	m.drop = m.pos &^ (pageSize - 1)
	rd.mp = m
	rd.rows.br.Reset(strings.NewReader("")) // (the rows it buffered are read again, in place)
	return true
}

// skipLines moves pos past the first k lines and reports whether they are
// there and hold no CR (false too on a fault: the file shrank).
func (m *mapped) skipLines(k int) bool {
	ok := false
	m.guard(func() { // (a fault leaves ok false)
		for range k {
			i := bytes.IndexByte(m.b[m.pos:], '\n')
			if i < 0 {
				return
			}
			m.pos += i + 1
		}
		ok = bytes.IndexByte(m.b[:m.pos], '\r') < 0
	})
	return ok
}

// closeMapped releases the mapping, if any, for Open's Closer: Next then
// returns an error.
func (rd *CSVReader) closeMapped() {
	if m := rd.mp; m != nil {
		rd.mp = nil
		m.unmap()
		rd.err = &Error{File: rd.file, Msg: "read after the trace was closed"}
	}
}

// mappedCloser releases a CSVReader's mapping, then closes its file.
type mappedCloser struct {
	rd   *CSVReader
	file io.Closer
}

func (c mappedCloser) Close() error {
	c.rd.closeMapped()
	return c.file.Close()
}
