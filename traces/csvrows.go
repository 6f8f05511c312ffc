package traces

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"io"
	"math/bits"
	"unsafe"
)

// csvRows reads the records of a CSV file as encoding/csv reads them
// (FieldsPerRecord -1, no lazy quotes, blank lines skipped, line ends
// already LF from the lineReader below it), without allocating for a
// record that holds no quote: its fields are views of the line in the
// buffer, valid until the next call to read. A record with a quote is
// handed to an encoding/csv Reader fed one line at a time, so quoting,
// fields over several lines and every parse error are exactly the
// package's, with line numbers of the file.
type csvRows struct {
	file   string
	br     *bufio.Reader
	line   int      // line number of the next line to read
	big    []byte   // a line longer than br's buffer, assembled
	fields []string // the last record's fields
	lines  []int    // line of each field of the last record; empty: all on line one
	one    int      // the line of every field when lines is empty
	last   int      // line of the last record read well (for errors)
	nl     bool     // the last line read ended with LF
	err    error    // sticky
	// A reader that scans whole lines itself takes them from win, the
	// bytes br held buffered when it looked (look), up to off (took);
	// they are discarded from br before it is read again (sync).
	win []byte
	off int
}

func newCSVRows(r io.Reader, file string, max int) *csvRows {
	return &csvRows{file: file, br: bufio.NewReaderSize(newLineReader(r, file, max), 64<<10), line: 1}
}

// look sets the window, win, to the bytes buffered and not yet read (none
// after an error), for a caller that takes whole lines from its start
// itself (took). They are valid until the next call of any other method;
// when none are left, read lines as usual (nextLine), which refills the
// buffer.
func (c *csvRows) look() {
	if c.err == nil {
		c.win, _ = c.br.Peek(c.br.Buffered()) // (no read: at most what is buffered)
	}
}

// took says that the caller of look took the window's first n bytes, one
// line with its LF (not blank, no quote), as record line ln.
func (c *csvRows) took(n, ln int) {
	c.off += n
	c.line++
	c.last = ln
}

// sync discards the bytes taken from the window from br, before br is
// read again, and closes the window.
func (c *csvRows) sync() {
	if c.win != nil {
		c.br.Discard(c.off) // (never fails: they are buffered)
		c.win, c.off = nil, 0
	}
}

// readLine returns the next line without its LF (nil and io.EOF at the
// end). The bytes are valid until the next readLine.
func (c *csvRows) readLine() ([]byte, error) {
	c.sync()
	b, err := c.br.ReadSlice('\n')
	if err != nil && errors.Is(err, bufio.ErrBufferFull) {
		c.big = append(c.big[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = c.br.ReadSlice('\n')
			c.big = append(c.big, b...)
		}
		b = c.big
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	if len(b) == 0 && err == io.EOF {
		return nil, io.EOF
	}
	c.nl = false
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b, c.nl = b[:n-1], true
	}
	return b, nil
}

// read returns the next record's fields and the line it starts on,
// io.EOF after the last, or an *Error.
func (c *csvRows) read() ([]string, int, error) {
	b, ln, err := c.nextLine()
	if err != nil {
		return nil, 0, err
	}
	return c.record(b, ln)
}

// nextLine returns the next line that is not blank (encoding/csv skips
// those) and its number, io.EOF after the last, or an *Error. Its bytes
// are valid until the next call; b[:cap(b)] may be read past len(b) (the
// line's LF and what follows in the buffer).
func (c *csvRows) nextLine() ([]byte, int, error) {
	if c.err != nil {
		return nil, 0, c.err
	}
	for {
		b, err := c.readLine()
		if err != nil {
			if err != io.EOF {
				err = csvReadError(err, c.file, c.last)
			}
			c.err = err
			return nil, 0, err
		}
		ln := c.line
		c.line++
		if len(b) > 0 {
			return b, ln, nil
		}
	}
}

// record returns the fields of the record that starts with line b (line
// ln), which nextLine returned: b split in place, or, with a quote,
// the record as encoding/csv reads it.
func (c *csvRows) record(b []byte, ln int) ([]string, int, error) {
	if bytes.IndexByte(b, '"') >= 0 {
		return c.quoted(b, ln)
	}
	c.fields, c.lines, c.one = c.fields[:0], c.lines[:0], ln
	c.split(b)
	c.last = ln
	return c.fields, ln, nil
}

// split appends the comma-separated fields of b to c.fields as views of
// b. It looks at eight bytes at a time: fields are short, and a loop over
// bytes, or a call of IndexByte per field, costs more.
func (c *csvRows) split(b []byte) {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	f := c.fields // (a local slice header stays in registers)
	start, i := 0, 0
	for ; i+8 <= len(b); i += 8 {
		// The high bit of each byte of m is set where b holds a comma
		// (exact: no borrow crosses bytes, as (x&0x7f..)+0x7f.. cannot
		// carry out of a byte).
		x := binary.LittleEndian.Uint64(b[i:]) ^ (',' * ones)
		m := ^(((x &^ high) + (high - ones)) | x) & high
		for m != 0 {
			j := i + bits.TrailingZeros64(m)>>3
			f = append(f, view(b[start:j]))
			start = j + 1
			m &= m - 1
		}
	}
	for ; i < len(b); i++ {
		if b[i] == ',' {
			f = append(f, view(b[start:i]))
			start = i + 1
		}
	}
	c.fields = append(f, view(b[start:]))
}

// lineOf is the line field i of the last record starts on.
func (c *csvRows) lineOf(i int) int {
	if len(c.lines) == 0 {
		return c.one
	}
	return c.lines[i]
}

// view is b as a string without copying: valid while b's bytes are.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// quoted reads the record that starts with line first (line ln) through
// encoding/csv.
func (c *csvRows) quoted(first []byte, ln int) ([]string, int, error) {
	pending := append([]byte(nil), first...)
	if c.nl {
		pending = append(pending, '\n')
	}
	feed := &lineFeed{c: c, pending: pending}
	cr := csv.NewReader(feed)
	cr.FieldsPerRecord = -1
	rec, err := cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			pe.StartLine += ln - 1
			pe.Line += ln - 1
		}
		c.err = csvReadError(err, c.file, c.last)
		return nil, 0, c.err
	}
	c.fields, c.lines = append(c.fields[:0], rec...), c.lines[:0]
	for i := range rec {
		l, _ := cr.FieldPos(i)
		c.lines = append(c.lines, l+ln-1)
	}
	c.last = ln
	return c.fields, ln, nil
}

// lineFeed gives encoding/csv the record's first line, then the file's
// following lines one per Read, so that it never reads past the record:
// its buffer asks for more only while it has no line end.
type lineFeed struct {
	c       *csvRows
	pending []byte
	more    int // lines read after the first
	eof     bool
}

func (f *lineFeed) Read(p []byte) (int, error) {
	if len(f.pending) == 0 {
		if f.eof {
			return 0, io.EOF
		}
		b, err := f.c.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			err = nil // the rest of the line comes with the next Read
		} else if err == nil || len(b) > 0 && b[len(b)-1] == '\n' {
			f.more++
			f.c.line++
		}
		if err == io.EOF {
			f.eof = true
			if len(b) == 0 {
				return 0, io.EOF
			}
			err = nil
		}
		if err != nil {
			return 0, err
		}
		f.pending = b
	}
	n := copy(p, f.pending)
	f.pending = f.pending[n:]
	return n, nil
}
