package traces

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
)

// MaxSWFLine is the longest line, in bytes, the SWF reader accepts.
const MaxSWFLine = 1 << 20

// SWFHeader is what the header comments of an SWF file say about the log
// (lines such as "; MaxProcs: 100" before the first job). A number the
// header does not give is 0; so is one given as -1.
type SWFHeader struct {
	Version        string // "; Version: 2.2"
	Computer       string // "; Computer: IBM SP2"
	Installation   string
	MaxJobs        int64
	MaxRecords     int64
	MaxNodes       int64
	MaxProcs       int64
	UnixStartTime  int64  // when the log's time 0 is, seconds since 1970 UTC
	TimeZoneString string // "; TimeZoneString: Europe/Stockholm"
}

// SWF job fields, numbered from 0 (the format numbers them from 1).
const (
	swfJob      = 0
	swfSubmit   = 1
	swfRun      = 3
	swfAlloc    = 4
	swfReqProcs = 7
	swfReqTime  = 8
	swfReqMem   = 9
	swfUser     = 11
	swfQueue    = 14
	swfNFields  = 18
)

// Kinds of SWF field values: -1 means unknown in all but swfID.
const (
	swfID   = iota // a job number, >= 0
	swfInt         // a whole number >= 0
	swfTime        // seconds >= 0, an exact decimal, kept in nanoseconds
	swfNum         // a number >= 0, checked and not kept
)

var swfFieldSpecs = [swfNFields]struct {
	name string
	kind uint8
	what string // what a valid value is, for errors
}{
	{"job_number", swfID, "a job number >= 0"},
	{"submit_time", swfTime, "a number of seconds >= 0"},
	{"wait_time", swfNum, "a number of seconds >= 0"},
	{"run_time", swfTime, "a number of seconds >= 0"},
	{"allocated_processors", swfInt, "a whole number of processors >= 0"},
	{"average_cpu_time", swfNum, "a number of seconds >= 0"},
	{"used_memory", swfNum, "a number of KB >= 0"},
	{"requested_processors", swfInt, "a whole number of processors >= 0"},
	{"requested_time", swfTime, "a number of seconds >= 0"},
	{"requested_memory", swfInt, "a whole number of KB >= 0"},
	{"status", swfInt, "a status code >= 0"},
	{"user_id", swfInt, "a user number >= 0"},
	{"group_id", swfInt, "a group number >= 0"},
	{"executable_number", swfInt, "an application number >= 0"},
	{"queue_number", swfInt, "a queue number >= 0"},
	{"partition_number", swfInt, "a partition number >= 0"},
	{"preceding_job_number", swfInt, "a job number >= 0"},
	{"think_time", swfNum, "a number of seconds >= 0"},
}

// SWFReader reads a log in the Standard Workload Format (version 2.2) of
// the Parallel Workloads Archive as a stream of tasks. It implements
// sim.Source and Positioner.
//
// Lines starting with ';' are comments; those before the first job form
// the header, read when the reader is made (Header). Every other line is
// one job: 18 fields separated by spaces or tabs, numbers where -1 means
// unknown. A job becomes a task:
//
//	ID        job number (field 1)
//	Arrival   submit time (field 2), seconds
//	Work      run time (field 4), seconds
//	CPU       1000 milli-cores per processor: requested processors (field 8),
//	          or allocated processors (field 5) when the request is -1
//	Estimate  requested time (field 9), seconds; 0 when -1
//	Memory    requested memory (field 10, KB per processor) × processors × 1024
//	          bytes; 0 when -1
//	Tenant    "u" and the user id (field 12); empty when -1
//	Class     "q" and the queue number (field 15); empty when -1
//
// A job whose processors (both fields), run time or submit time are
// unknown cannot be simulated: it is skipped, and Skipped counts it. A
// line with other than 18 fields, a field that is not a number, and a
// negative value other than -1 are errors naming the line, the byte column
// and the field. Times may be exact decimals; processor counts, memory and
// ids must be whole. Submit times are not checked for order here (the
// engine reports a task that arrives before its predecessor). Blank lines
// are skipped; CRLF line ends and a byte-order mark are accepted.
type SWFReader struct {
	file     string
	sc       *bufio.Scanner
	line     int  // lines scanned
	pending  bool // the scanner holds the first job line, read with the header
	hdr      SWFHeader
	skipped  int64
	taskLine int // line of the last task returned
	err      error
	in       interner
	buf      []byte
	val      [swfNFields]int64 // the fields of the current line; -1: unknown
	start    [swfNFields]int   // byte offset of each field
}

var _ sim.Source = (*SWFReader)(nil)

// NewSWFReader returns a reader of the SWF log r; file names it in errors.
// It reads the header comments at once, up to the first job line.
func NewSWFReader(r io.Reader, file string) (*SWFReader, error) {
	sc := bufio.NewScanner(newLineReader(r, file, MaxSWFLine))
	sc.Buffer(make([]byte, 0, 64<<10), MaxSWFLine)
	rd := &SWFReader{file: file, sc: sc}
	for rd.scan() {
		b, off := rd.text()
		i := skipBlanks(b, 0)
		if i == len(b) {
			continue
		}
		if b[i] != ';' {
			rd.pending = true
			break
		}
		if err := rd.header(b, i+1, off); err != nil {
			return nil, err
		}
	}
	if !rd.pending {
		if err := rd.scanError(); err != io.EOF {
			return nil, err
		}
	}
	return rd, nil
}

// Header returns what the header comments say about the log.
func (rd *SWFReader) Header() SWFHeader { return rd.hdr }

// Skipped returns how many jobs were skipped so far because their
// processors, run time or submit time are unknown (-1).
func (rd *SWFReader) Skipped() int64 { return rd.skipped }

// Position returns the file and the line of the task last returned by
// Next (see Positioner).
func (rd *SWFReader) Position() (file string, line int) { return rd.file, rd.taskLine }

func (rd *SWFReader) scan() bool {
	if rd.sc.Scan() {
		rd.line++
		return true
	}
	return false
}

// text returns the current line, without a byte-order mark on line 1, and
// the number of bytes cut from its start.
func (rd *SWFReader) text() ([]byte, int) {
	b := rd.sc.Bytes()
	if rd.line == 1 && bytes.HasPrefix(b, []byte("\uFEFF")) {
		return b[3:], 3
	}
	return b, 0
}

// scanError is the error that ended the scan: io.EOF or an *Error.
func (rd *SWFReader) scanError() error {
	err := rd.sc.Err()
	var le *Error
	switch {
	case err == nil:
		return io.EOF
	case errors.As(err, &le):
		return le
	case errors.Is(err, bufio.ErrTooLong):
		return &Error{File: rd.file, Line: rd.line + 1, Err: err,
			Msg: fmt.Sprintf("line longer than %d bytes", MaxSWFLine)}
	}
	msg := "read failed: " + err.Error()
	if rd.line > 0 {
		msg = fmt.Sprintf("read failed after line %d: %v", rd.line, err)
	}
	return &Error{File: rd.file, Msg: msg, Err: err}
}

func skipBlanks(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return i
}

// header records a header comment "Key: value", whose text starts at
// b[i]; off is the byte column offset of b in the line.
func (rd *SWFReader) header(b []byte, i, off int) error {
	c := bytes.IndexByte(b[i:], ':')
	if c < 0 {
		return nil
	}
	key := string(bytes.TrimSpace(b[i : i+c]))
	vstart := skipBlanks(b, i+c+1)
	value := string(bytes.TrimSpace(b[vstart:]))
	var num *int64
	switch strings.ToLower(key) {
	case "version":
		rd.hdr.Version = value
	case "computer":
		rd.hdr.Computer = value
	case "installation":
		rd.hdr.Installation = value
	case "timezonestring":
		rd.hdr.TimeZoneString = value
	case "maxjobs":
		num = &rd.hdr.MaxJobs
	case "maxrecords":
		num = &rd.hdr.MaxRecords
	case "maxnodes":
		num = &rd.hdr.MaxNodes
	case "maxprocs":
		num = &rd.hdr.MaxProcs
	case "unixstarttime":
		num = &rd.hdr.UnixStartTime
	}
	if num == nil {
		return nil
	}
	// The first word is the number; a remark may follow it.
	var word string
	if w := strings.Fields(value); len(w) > 0 {
		word = w[0]
	}
	v, err := strconv.ParseInt(word, 10, 64)
	switch {
	case err == nil && v >= 0:
		*num = v
	case err == nil && v == -1:
		*num = 0
	default:
		return &Error{File: rd.file, Line: rd.line, Col: off + vstart + 1,
			Msg: fmt.Sprintf("header field %s: expected a whole number >= 0, got %s", key, quote(value))}
	}
	return nil
}

// Next reads the next job that can be simulated into t, skipping the
// others. It returns io.EOF after the last line and an *Error for bad
// input; after an error it keeps returning it.
func (rd *SWFReader) Next(t *sim.Task) error {
	if rd.err != nil {
		return rd.err
	}
	for {
		if rd.pending {
			rd.pending = false
		} else if !rd.scan() {
			rd.err = rd.scanError()
			return rd.err
		}
		b, off := rd.text()
		if i := skipBlanks(b, 0); i == len(b) || b[i] == ';' {
			continue
		}
		ok, err := rd.parse(t, b, off)
		if err != nil {
			rd.err = err
			return err
		}
		if ok {
			rd.taskLine = rd.line
			return nil
		}
		rd.skipped++
	}
}

// fail returns an *Error at field f of the current line.
func (rd *SWFReader) fail(off, f int, msg string) error {
	return &Error{File: rd.file, Line: rd.line, Col: off + rd.start[f] + 1,
		Column: swfFieldSpecs[f].name, Msg: fmt.Sprintf("field %d: %s", f+1, msg)}
}

// parse fills t from a job line, or reports false for a job that must be
// skipped.
func (rd *SWFReader) parse(t *sim.Task, b []byte, off int) (bool, error) {
	var ends [swfNFields]int
	n := 0
	for i := skipBlanks(b, 0); i < len(b); i = skipBlanks(b, i) {
		if n == swfNFields {
			return false, &Error{File: rd.file, Line: rd.line, Col: off + i + 1,
				Msg: fmt.Sprintf("expected %d fields separated by spaces, got more", swfNFields)}
		}
		rd.start[n] = i
		for i < len(b) && b[i] != ' ' && b[i] != '\t' {
			i++
		}
		ends[n] = i
		n++
	}
	if n != swfNFields {
		return false, &Error{File: rd.file, Line: rd.line,
			Msg: fmt.Sprintf("expected %d fields separated by spaces, got %d", swfNFields, n)}
	}
	for f := range swfNFields {
		raw := b[rd.start[f]:ends[f]]
		v, e := swfValue(raw, swfFieldSpecs[f].kind)
		if e != numOK {
			return false, rd.fail(off, f, swfMessage(f, e, string(raw)))
		}
		rd.val[f] = v
	}
	procs, pf := rd.val[swfReqProcs], swfReqProcs
	if procs < 0 {
		procs, pf = rd.val[swfAlloc], swfAlloc
	}
	if procs < 0 || rd.val[swfRun] < 0 || rd.val[swfSubmit] < 0 {
		return false, nil
	}
	if procs > math.MaxInt64/1000 {
		return false, rd.fail(off, pf, fmt.Sprintf("%d processors are more than this model counts (at most %d)", procs, int64(math.MaxInt64/1000)))
	}
	*t = sim.Task{
		ID:      rd.val[swfJob],
		Arrival: sim.Time(rd.val[swfSubmit]),
		Work:    sim.Time(rd.val[swfRun]),
		CPU:     procs * 1000,
	}
	if est := rd.val[swfReqTime]; est > 0 {
		t.Estimate = sim.Time(est)
	}
	if kb := rd.val[swfReqMem]; kb > 0 && procs > 0 {
		if kb > math.MaxInt64/1024/procs {
			return false, rd.fail(off, swfReqMem, fmt.Sprintf("%d KB per processor × %d processors is more than %d bytes", kb, procs, int64(math.MaxInt64)))
		}
		t.Memory = kb * 1024 * procs
	}
	if u := rd.val[swfUser]; u >= 0 {
		rd.buf = strconv.AppendInt(append(rd.buf[:0], 'u'), u, 10)
		t.Tenant = rd.in.internBytes(rd.buf)
	}
	if q := rd.val[swfQueue]; q >= 0 {
		rd.buf = strconv.AppendInt(append(rd.buf[:0], 'q'), q, 10)
		t.Class = rd.in.internBytes(rd.buf)
	}
	return true, nil
}

// swfValue parses one field of the given kind: -1 for unknown (except for
// a job number), else the value, in nanoseconds for times.
func swfValue(raw []byte, kind uint8) (int64, numErr) {
	// Fast path: a plain integer, as nearly every SWF field is.
	if v, ok := plainInt(raw); ok {
		switch {
		case v == -1 && kind != swfID:
			return -1, numOK
		case v < 0:
			return 0, numNegative
		case kind == swfTime:
			if v > math.MaxInt64/int64(sim.Second) {
				return 0, numRange
			}
			return v * int64(sim.Second), numOK
		}
		return v, numOK
	}
	s := string(raw)
	d, e := readDecimal(s)
	if e != numOK {
		return 0, e
	}
	if d.neg && !d.isZero() {
		if u, exact, ok := d.scaled(0); ok && exact && u == 1 && kind != swfID {
			return -1, numOK
		}
		return 0, numNegative
	}
	switch kind {
	case swfTime:
		return d.fixed(9)
	case swfNum:
		if _, _, ok := d.scaled(0); !ok {
			return 0, numRange
		}
		return 0, numOK
	}
	return parseInt(s, 0, math.MaxInt64)
}

// plainInt parses -?[0-9]{1,18}, which cannot overflow.
func plainInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// swfMessage explains why raw is not a valid value of field f.
func swfMessage(f int, e numErr, raw string) string {
	spec := &swfFieldSpecs[f]
	want := spec.what
	if spec.kind != swfID {
		want += ", or -1 for unknown"
	}
	switch e {
	case numRange:
		return fmt.Sprintf("value %s is out of range", quote(raw))
	case numFraction:
		return fmt.Sprintf("expected %s, got %s (fractions are not allowed)", want, quote(raw))
	}
	return fmt.Sprintf("expected %s, got %s", want, quote(raw))
}
