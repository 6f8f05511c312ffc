package traces

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
)

// CSVReader reads the native CSV format as a stream (see the package
// documentation). It implements sim.Source.
type CSVReader struct {
	file     string
	rows     *csvRows
	cols     []column  // column of each header field
	zero     []bool    // the field's column reads "0" as its zero value
	native   bool      // the header is the native writer's: rows go to nativeRow first
	lastText [4]string // nativeRow: the last tenant, region, class, gpu_spec read
	nextID   textGuess // nativeRow: the id after the last row's
	second   textGuess // nativeRow: the last arrival's whole seconds
	mp       *mapped   // the rows are read in place (mapped.go)
	seq      int64     // tasks returned so far: the id of a task without one
	prev     sim.Time  // arrival of the previous task
	prevLine int
	err      error // sticky: io.EOF or the first *Error
	in       interner
	dag      dagCheck // workflow rows: parents before children
}

var _ sim.Source = (*CSVReader)(nil)

// NewCSVReader reads the header row of a native CSV trace from r and
// returns a reader for its rows. file names the input in errors.
func NewCSVReader(r io.Reader, file string) (*CSVReader, error) {
	rd := &CSVReader{file: file, rows: newCSVRows(r, file, MaxLine)}
	header, line, err := rd.rows.read()
	if err == io.EOF {
		return nil, &Error{File: file, Line: 1, Msg: "empty file: expected a header row naming at least the columns arrival and duration"}
	}
	if err != nil {
		return nil, err
	}
	if err := rd.parseHeader(header, line); err != nil {
		return nil, err
	}
	return rd, nil
}

func (rd *CSVReader) parseHeader(header []string, line int) error {
	var seen [numColumns]int // 1-based field of each column, 0 when absent
	rd.cols = make([]column, len(header))
	for i, name := range header {
		if i == 0 {
			name = strings.TrimPrefix(name, "\uFEFF") // a byte-order mark
		}
		name = trimSpace(name)
		c, ok := lookupColumn(name)
		if !ok {
			msg := "unknown column; allowed columns: " + allowedColumns
			if name == "" {
				msg = fmt.Sprintf("field %d of the header is empty; allowed columns: %s", i+1, allowedColumns)
			} else if looksLikeData(header) {
				msg = "unknown column; the first row must be a header naming the columns (allowed: " + allowedColumns + ")"
			}
			return &Error{File: rd.file, Line: line, Column: name, Msg: msg}
		}
		if seen[c] != 0 {
			return &Error{File: rd.file, Line: line, Column: name,
				Msg: fmt.Sprintf("duplicate column (fields %d and %d of the header)", seen[c], i+1)}
		}
		seen[c] = i + 1
		rd.cols[i] = c
	}
	rd.zero = make([]bool, len(rd.cols))
	for i, c := range rd.cols {
		rd.zero[i] = c.zeroIsDefault()
	}
	for _, c := range []column{colArrival, colDuration} {
		if seen[c] == 0 {
			return &Error{File: rd.file, Line: line, Column: c.String(), Msg: "missing required column"}
		}
	}
	rd.native = isNativeHeader(rd.cols)
	return nil
}

// looksLikeData reports whether every header field is a number, the sign
// of a file without a header row.
func looksLikeData(header []string) bool {
	for _, h := range header {
		if _, ok := parseDecimal(trimSpace(h)); !ok {
			return false
		}
	}
	return true
}

// csvReadError turns an error of the csv package reading file into an
// *Error; prevLine is the line of the last row read well, 0 for none.
func csvReadError(err error, file string, prevLine int) error {
	var pe *csv.ParseError
	var le *Error
	if errors.As(err, &le) {
		return le // the line reader's: a line too long
	}
	if errors.As(err, &pe) {
		return &Error{File: file, Line: pe.Line, Err: err,
			Msg: fmt.Sprintf("malformed CSV at byte %d of the line: %v", pe.Column, pe.Err)}
	}
	msg := "read failed: " + err.Error()
	if prevLine > 0 {
		msg = fmt.Sprintf("read failed after line %d: %v", prevLine, err)
	}
	return &Error{File: file, Msg: msg, Err: err}
}

// readRecord reads the next row of a CSV file whose header has nfields
// fields: the row and its line, io.EOF after the last row, or an *Error
// (prevLine is the line of the last row read well, 0 for none).
func readRecord(cr *csv.Reader, file string, prevLine, nfields int) ([]string, int, error) {
	rec, err := cr.Read()
	if err == io.EOF {
		return nil, 0, io.EOF
	}
	if err != nil {
		return nil, 0, csvReadError(err, file, prevLine)
	}
	line, _ := cr.FieldPos(0)
	if len(rec) != nfields {
		return nil, line, &Error{File: file, Line: line,
			Msg: fmt.Sprintf("expected %d fields, as in the header, got %d", nfields, len(rec))}
	}
	return rec, line, nil
}

// Next reads the next row into t. It returns io.EOF after the last row and
// an *Error for bad input; after an error it keeps returning it.
func (rd *CSVReader) Next(t *sim.Task) error {
	if m := rd.mp; m != nil && (m.bi < m.bn || rd.scanMapped(t)) {
		// A plain row read ahead in place (mapped.go), unless scanMapped
		// read the next row, not a plain one, into t.
		if m.bi < m.bn {
			p := &m.batch[m.bi]
			*t = sim.Task{} // (then field by field: a literal is built aside and copied)
			t.ID, t.Arrival, t.Work = p.id, p.arrival, p.work
			rd.prevLine = m.bline + m.bi
			m.bi++
		}
		return nil
	}
	if rd.err != nil {
		return rd.err
	}
	if rd.native {
		// Rows straight from the read buffer, while they are there
		// (rows.window, written out: it is too big to be inlined).
		c := rd.rows
		if c.win == nil {
			c.look()
		}
		if b := c.win[c.off:]; len(b) > 0 {
			if n := rd.nativeRow(b, c.line, t); n > 0 {
				c.took(n, c.line)
				return nil
			}
		}
	}
	b, line, err := rd.rows.nextLine()
	if err != nil {
		rd.err = err
		return err
	}
	if rd.native && rd.rows.nl {
		// (b's LF is still there after it: the line ends at it.)
		if n := rd.nativeRow(b[:len(b)+1], line, t); n > 0 {
			rd.rows.last = line
			return nil
		}
	}
	rec, line, err := rd.rows.record(b, line)
	if err != nil {
		rd.err = err
		return err
	}
	if len(rec) != len(rd.cols) {
		rd.err = &Error{File: rd.file, Line: line,
			Msg: fmt.Sprintf("expected %d fields, as in the header, got %d", len(rd.cols), len(rec))}
		return rd.err
	}
	*t = sim.Task{ID: rd.seq}
	for i, raw := range rec {
		// An empty optional cell and a "0" where 0 is the zero value leave
		// t as it is: setText would set what is already there.
		if len(raw) <= 1 && (raw == "" && !rd.cols[i].required() || raw == "0" && rd.zero[i]) {
			continue
		}
		c := rd.cols[i]
		if e := setText(t, c, raw, &rd.in); e != numOK {
			rd.err = &Error{File: rd.file, Line: rd.rows.lineOf(i), Column: c.String(), Msg: c.message(e, raw)}
			return rd.err
		}
	}
	if t.Arrival < rd.prev {
		rd.err = &Error{File: rd.file, Line: line, Column: colArrival.String(), Msg: orderMessage(t.Arrival, rd.prev, rd.prevLine)}
		return rd.err
	}
	if col, msg := rd.dag.check(t); msg != "" {
		rd.err = &Error{File: rd.file, Line: line, Column: col, Msg: msg}
		return rd.err
	}
	rd.prev = t.Arrival
	rd.prevLine = line
	rd.seq++
	return nil
}

// CSVWriter writes tasks in the native CSV format, every column, times and
// cores as exact decimals. Its output reads back to the same tasks.
type CSVWriter struct {
	w      *bufio.Writer
	buf    []byte
	header bool
	check  writeCheck
	// Workflows adds the workflow and gang columns (workflow, parents,
	// output_bytes, nodes) after the others; set it before the first
	// Write.
	Workflows bool
}

// csvHeader is the header row the writers emit; csvWorkflowHeader with
// the workflow and gang columns.
var (
	csvHeader         = strings.Join(columnNames[:numWritten], ",") + "\n"
	csvWorkflowHeader = strings.Join(columnNames[:], ",") + "\n"
)

// appendParents appends t's parents as the parents column writes them:
// ids separated by ';', each with ':bytes' when the edge carries its own
// amount.
func appendParents(b []byte, t *sim.Task) []byte {
	for k, e := range t.ParentEdges() {
		if k > 0 {
			b = append(b, ';')
		}
		b = appendInt(b, e.Parent)
		if e.Bytes >= 0 {
			b = append(b, ':')
			b = appendInt(b, e.Bytes)
		}
	}
	return b
}

func (w *CSVWriter) headerRow() string {
	if w.Workflows {
		return csvWorkflowHeader
	}
	return csvHeader
}

// NewCSVWriter returns a writer to w. Call Flush when done: the header is
// written even when no task is.
func NewCSVWriter(w io.Writer) *CSVWriter {
	return &CSVWriter{w: bufio.NewWriter(w)}
}

// Write writes one task with every column; gpu_spec, estimate,
// prompt_tokens and output_tokens, the last four, are empty or 0 when
// unknown. It refuses a task the readers would reject (negative values,
// gpu_milli over 1000, an arrival before the previous task's) and one whose
// text holds a carriage return, which a CSV line cannot carry.
func (w *CSVWriter) Write(t *sim.Task) error {
	if col := crColumn(t); col != "" {
		// The CSV readers end a line at a lone CR (files from old Macs),
		// so no CSV text field can hold one: refuse rather than write a
		// file that reads back as something else.
		return fmt.Errorf("traces: task %d (id %d): %s holds a carriage return, which the CSV format cannot carry; write JSONL", w.check.n, t.ID, col)
	}
	if err := w.check.task(t); err != nil {
		return err
	}
	b := w.buf[:0]
	if !w.header {
		b = append(b, w.headerRow()...)
		w.header = true
	}
	b = appendNumbers(b, t, ',')
	b = append(b, ',')
	b = appendCSVField(b, t.Tenant)
	b = append(b, ',')
	b = appendCSVField(b, t.Region)
	b = append(b, ',')
	b = appendCSVField(b, t.Class)
	b = append(b, ',')
	b = appendCSVField(b, t.GPUSpec)
	b = append(b, ',')
	b = appendFixed(b, int64(t.Estimate), 9)
	b = append(b, ',')
	b = appendInt(b, int64(t.PromptTokens))
	b = append(b, ',')
	b = appendInt(b, int64(t.OutputTokens))
	if w.Workflows {
		b = append(b, ',')
		b = appendCSVField(b, t.Workflow)
		b = append(b, ',')
		b = appendParents(b, t)
		b = append(b, ',')
		b = appendInt(b, t.OutputBytes)
		b = append(b, ',')
		b = appendInt(b, int64(t.Nodes))
	}
	b = append(b, '\n')
	w.buf = b
	_, err := w.w.Write(b)
	return err
}

// crColumn names the first text column of t holding a carriage return, or
// is "".
func crColumn(t *sim.Task) string {
	for _, f := range [...]struct{ name, v string }{{"tenant", t.Tenant}, {"region", t.Region}, {"class", t.Class}, {"gpu_spec", t.GPUSpec}, {"workflow", t.Workflow}} {
		if strings.IndexByte(f.v, '\r') >= 0 {
			return f.name
		}
	}
	return ""
}

// Flush writes the header if no task was written, then any buffered data.
func (w *CSVWriter) Flush() error {
	if !w.header {
		w.header = true
		if _, err := w.w.WriteString(w.headerRow()); err != nil {
			return err
		}
	}
	return w.w.Flush()
}

// appendNumbers appends the numeric columns id … priority, separated by sep.
func appendNumbers(b []byte, t *sim.Task, sep byte) []byte {
	b = appendInt(b, t.ID)
	b = append(b, sep)
	b = appendFixed(b, int64(t.Arrival), 9)
	b = append(b, sep)
	b = appendFixed(b, int64(t.Work), 9)
	b = append(b, sep)
	b = appendFixed(b, t.CPU, 3)
	b = append(b, sep)
	b = appendInt(b, t.Memory)
	b = append(b, sep)
	b = appendInt(b, int64(t.GPUs))
	b = append(b, sep)
	b = appendInt(b, int64(t.GPUMilli))
	b = append(b, sep)
	return appendInt(b, int64(t.Priority))
}

// appendCSVField appends s, quoted the way encoding/csv quotes when needed.
func appendCSVField(b []byte, s string) []byte {
	if !csvNeedsQuotes(s) {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

func csvNeedsQuotes(s string) bool {
	if s == "" {
		return false
	}
	if s == `\.` || s[0] == ' ' || s[0] == '\t' {
		return true
	}
	return strings.ContainsAny(s, ",\"\r\n")
}

// writeCheck is what both writers check before writing a task.
type writeCheck struct {
	n    int64 // tasks written
	prev sim.Time
}

func (c *writeCheck) task(t *sim.Task) error {
	var what string
	var v int64
	switch {
	case t.Arrival < 0:
		what, v = "arrival", int64(t.Arrival)
	case t.Work < 0:
		what, v = "duration", int64(t.Work)
	case t.CPU < 0:
		what, v = "cpu", t.CPU
	case t.Memory < 0:
		what, v = "memory", t.Memory
	case t.GPUs < 0:
		what, v = "gpus", int64(t.GPUs)
	case t.Estimate < 0:
		what, v = "estimate", int64(t.Estimate)
	case t.PromptTokens < 0:
		what, v = "prompt_tokens", int64(t.PromptTokens)
	case t.OutputTokens < 0:
		what, v = "output_tokens", int64(t.OutputTokens)
	case t.GPUMilli < 0 || t.GPUMilli > 1000:
		return fmt.Errorf("traces: task %d (id %d): gpu_milli %d is outside 0..1000", c.n, t.ID, t.GPUMilli)
	case c.n > 0 && t.Arrival < c.prev:
		return fmt.Errorf("traces: task %d (id %d): arrival %s is earlier than the previous task's %s",
			c.n, t.ID, FormatSeconds(t.Arrival), FormatSeconds(c.prev))
	}
	if what != "" {
		return fmt.Errorf("traces: task %d (id %d): negative %s %d", c.n, t.ID, what, v)
	}
	c.n++
	c.prev = t.Arrival
	return nil
}
