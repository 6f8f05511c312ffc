package traces

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
)

// The Alibaba GPU cluster trace 2023 ("openb", the traces of Weng et al.,
// "Beware of Fragmentation", USENIX ATC '23) comes as CSV files: pod lists
// (read by OpenbReader, format "openb") and node lists (ReadOpenbNodes).
// Both find their columns by the header's names, in any order; columns
// they do not know are ignored.

// Columns of an openb pod list the reader uses.
const (
	obCPU = iota
	obMemory
	obNumGPU
	obGPUMilli
	obGPUSpec
	obQoS
	obCreation
	obDeletion
	obScheduled
	numOpenbCols
)

var openbPodColumns = [numOpenbCols]string{
	obCPU:       "cpu_milli",
	obMemory:    "memory_mib",
	obNumGPU:    "num_gpu",
	obGPUMilli:  "gpu_milli",
	obGPUSpec:   "gpu_spec",
	obQoS:       "qos",
	obCreation:  "creation_time",
	obDeletion:  "deletion_time",
	obScheduled: "scheduled_time",
}

const openbPodHeader = "name,cpu_milli,memory_mib,num_gpu,gpu_milli[,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time]"

// OpenbReader reads an openb pod list as a stream of tasks. It implements
// sim.Source and Positioner.
//
// The header names the columns, in any order:
//
//	name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time
//
// cpu_milli, memory_mib, num_gpu and gpu_milli are required; the others
// are optional, and unknown columns (name, pod_phase, ...) are ignored. Each row is one task:
//
//	ID        the row's position among the data rows, from 0
//	CPU       cpu_milli (milli-cores)
//	Memory    memory_mib × 2^20 bytes
//	GPUs, GPUMilli  num_gpu 0 (gpu_milli must be 0): no GPU;
//	          num_gpu 1 and 0 < gpu_milli < 1000: a share, GPUMilli = gpu_milli;
//	          num_gpu k ≥ 1 and gpu_milli 1000: GPUs = k
//	GPUSpec   gpu_spec as written ('|' between allowed models); empty or "nan": any model
//	Class     qos
//	Arrival   creation_time, seconds
//	Work      deletion_time − scheduled_time, or deletion_time − creation_time
//	          when scheduled_time is empty (pending pods) or absent
//
// Sizes are non-negative whole numbers (a fraction such as 0.5 is an
// error); times are non-negative seconds, integers or exact decimals. Any
// other GPU combination (num_gpu > 1 with a share, gpu_milli over 1000,
// num_gpu 1 with gpu_milli 0) is an error, as is a negative work.
//
// The multigpu files have only the first five columns and no timestamps:
// without creation_time and deletion_time every task arrives at 0 with
// work 0 (HasTimes reports false); a scenario gives them times of its own.
//
// The reader does not check that arrivals are in order: gpushare40 is not
// sorted by creation_time. The engine reports a task that arrives before
// its predecessor; sort such a file first, or let the scenario draw pods
// from it (as the FGD experiments do).
type OpenbReader struct {
	file    string
	cr      *csv.Reader
	idx     [numOpenbCols]int // field of each column, -1 when absent
	nfields int
	times   bool
	seq     int64
	line    int // line of the last task returned
	err     error
	in      interner
}

var _ sim.Source = (*OpenbReader)(nil)

// NewOpenbReader reads the header row of an openb pod list from r and
// returns a reader for its rows. file names the input in errors.
func NewOpenbReader(r io.Reader, file string) (*OpenbReader, error) {
	cr := newOpenbCSV(r, file)
	rd := &OpenbReader{file: file, cr: cr}
	header, line, err := readOpenbHeader(cr, file, "an openb pod list's header, "+openbPodHeader)
	if err != nil {
		return nil, err
	}
	rd.nfields = len(header)
	if err := findColumns(rd.idx[:], openbPodColumns[:], header, file, line); err != nil {
		return nil, err
	}
	for _, c := range []int{obCPU, obMemory, obNumGPU, obGPUMilli} {
		if rd.idx[c] < 0 {
			return nil, &Error{File: file, Line: line, Column: openbPodColumns[c],
				Msg: "missing required column; an openb pod list's header is " + openbPodHeader}
		}
	}
	switch hasC, hasD := rd.idx[obCreation] >= 0, rd.idx[obDeletion] >= 0; {
	case hasC && !hasD:
		return nil, &Error{File: file, Line: line, Column: "deletion_time", Msg: "missing column: creation_time is there, and work is deletion_time minus scheduled_time or creation_time"}
	case hasD && !hasC:
		return nil, &Error{File: file, Line: line, Column: "creation_time", Msg: "missing column: deletion_time is there, and the arrival is creation_time"}
	case rd.idx[obScheduled] >= 0 && !hasC:
		return nil, &Error{File: file, Line: line, Column: "creation_time", Msg: "missing column: scheduled_time is there, and the arrival is creation_time"}
	}
	rd.times = rd.idx[obCreation] >= 0
	return rd, nil
}

// HasTimes reports whether the pod list has timestamps (creation_time and
// deletion_time). Without them every task arrives at 0 with work 0.
func (rd *OpenbReader) HasTimes() bool { return rd.times }

// Position returns the file and the line of the task last returned by
// Next (see Positioner).
func (rd *OpenbReader) Position() (file string, line int) { return rd.file, rd.line }

// Next reads the next row into t. It returns io.EOF after the last row and
// an *Error for bad input; after an error it keeps returning it.
func (rd *OpenbReader) Next(t *sim.Task) error {
	if rd.err != nil {
		return rd.err
	}
	if err := rd.next(t); err != nil {
		rd.err = err
		return err
	}
	return nil
}

func (rd *OpenbReader) next(t *sim.Task) error {
	rec, line, err := readRecord(rd.cr, rd.file, rd.line, rd.nfields)
	if err != nil {
		return err
	}
	c := openbCells{file: rd.file, cr: rd.cr, rec: rec, idx: rd.idx[:], names: openbPodColumns[:]}
	*t = sim.Task{ID: rd.seq}
	var ok bool
	if t.CPU, ok = c.whole(obCPU, "milli-cores", math.MaxInt64); !ok {
		return c.err
	}
	mib, ok := c.whole(obMemory, "MiB", math.MaxInt64>>20)
	if !ok {
		return c.err
	}
	t.Memory = mib << 20
	n, ok := c.whole(obNumGPU, "GPUs", math.MaxInt32)
	if !ok {
		return c.err
	}
	if err := rd.gpus(t, &c, n); err != nil {
		return err
	}
	if i := rd.idx[obGPUSpec]; i >= 0 {
		if s := trimSpace(rec[i]); !strings.EqualFold(s, "nan") {
			t.GPUSpec = rd.in.intern(s)
		}
	}
	if i := rd.idx[obQoS]; i >= 0 {
		t.Class = rd.in.intern(trimSpace(rec[i]))
	}
	if rd.times {
		if err := rd.timesOf(t, &c); err != nil {
			return err
		}
	}
	rd.line = line
	rd.seq++
	return nil
}

// gpus sets t's GPU request from num_gpu n and the gpu_milli cell.
func (rd *OpenbReader) gpus(t *sim.Task, c *openbCells, n int64) error {
	raw := c.raw(obGPUMilli)
	m, e := parseInt(trimSpace(raw), 0, math.MaxInt64)
	switch {
	case e == numRange || e == numOK && m > sim.GPUMilliPerGPU:
		return c.fail(obGPUMilli, fmt.Sprintf("GPU share over 1000 milli: got %s; a pod asks for k whole GPUs with num_gpu k and gpu_milli 1000", quote(raw)))
	case e != numOK:
		return c.fail(obGPUMilli, wholeMessage(e, raw, "milli-GPUs (thousandths of one GPU)", 1000))
	case n == 0 && m != 0:
		return c.fail(obGPUMilli, fmt.Sprintf("expected 0 when num_gpu is 0, got %s", quote(raw)))
	case n == 1 && m == 0:
		return c.fail(obGPUMilli, fmt.Sprintf("expected 1 to 1000 when num_gpu is 1, got %s", quote(raw)))
	case n > 1 && m != sim.GPUMilliPerGPU:
		return c.fail(obGPUMilli, fmt.Sprintf("expected 1000 when num_gpu is %d (a GPU share is of one GPU), got %s", n, quote(raw)))
	case m == sim.GPUMilliPerGPU:
		t.GPUs = int32(n)
	default:
		t.GPUMilli = int32(m)
	}
	return nil
}

// timesOf sets t's arrival and work from the timestamps.
func (rd *OpenbReader) timesOf(t *sim.Task, c *openbCells) error {
	created, ok := c.seconds(obCreation)
	if !ok {
		return c.err
	}
	deleted, ok := c.seconds(obDeletion)
	if !ok {
		return c.err
	}
	start, from := created, obCreation
	if i := rd.idx[obScheduled]; i >= 0 && trimSpace(c.rec[i]) != "" {
		if start, ok = c.seconds(obScheduled); !ok {
			return c.err
		}
		from = obScheduled
	}
	if deleted < start {
		return c.fail(obDeletion, fmt.Sprintf("deletion_time %s is earlier than %s %s: the work would be negative",
			FormatSeconds(deleted), openbPodColumns[from], FormatSeconds(start)))
	}
	t.Arrival = created
	t.Work = deleted - start
	return nil
}

// openbCells reads the cells of one row by column, and builds the error
// for a bad one.
type openbCells struct {
	file  string
	cr    *csv.Reader
	rec   []string
	idx   []int    // field of each column
	names []string // name of each column
	err   error
}

func (c *openbCells) raw(col int) string { return c.rec[c.idx[col]] }

// fail returns an *Error at column col of the row (and keeps it in c.err).
func (c *openbCells) fail(col int, msg string) error {
	line, pos := c.cr.FieldPos(c.idx[col])
	c.err = &Error{File: c.file, Line: line, Col: pos, Column: c.names[col], Msg: msg}
	return c.err
}

// whole parses a non-negative integer of at most max; fractions are errors.
func (c *openbCells) whole(col int, unit string, max int64) (int64, bool) {
	raw := c.raw(col)
	v, e := parseInt(trimSpace(raw), 0, max)
	if e != numOK {
		c.fail(col, wholeMessage(e, raw, unit, max))
		return 0, false
	}
	return v, true
}

// seconds parses a non-negative number of seconds.
func (c *openbCells) seconds(col int) (sim.Time, bool) {
	raw := c.raw(col)
	s := trimSpace(raw)
	v, e := parseFixed(s, 9)
	switch {
	case e == numOK:
		return sim.Time(v), true
	case s == "":
		c.fail(col, "expected a non-negative number of seconds, got an empty cell")
	case e == numRange:
		c.fail(col, fmt.Sprintf("value %s is out of range (at most 9223372036.854775807 seconds)", quote(raw)))
	default:
		c.fail(col, fmt.Sprintf("expected a non-negative number of seconds, got %s", quote(raw)))
	}
	return 0, false
}

// wholeMessage explains why raw is not a non-negative whole number of
// unit, at most max.
func wholeMessage(e numErr, raw, unit string, max int64) string {
	what := "a non-negative whole number of " + unit
	switch {
	case trimSpace(raw) == "":
		return fmt.Sprintf("expected %s, got an empty cell", what)
	case e == numNegative:
		return fmt.Sprintf("expected %s, got %s (negative)", what, quote(raw))
	case e == numFraction:
		return fmt.Sprintf("expected %s, got %s (fractions are not allowed)", what, quote(raw))
	case e == numRange:
		return fmt.Sprintf("value %s is out of range (at most %d)", quote(raw), max)
	}
	return fmt.Sprintf("expected %s, got %s", what, quote(raw))
}

// newOpenbCSV returns a CSV reader for an openb file: fields counted by
// the caller, for a precise message.
func newOpenbCSV(r io.Reader, file string) *csv.Reader {
	cr := csv.NewReader(newLineReader(r, file, MaxLine))
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	return cr
}

// readOpenbHeader reads the header row and returns it with its line.
// want describes the expected header, for the empty-file message.
func readOpenbHeader(cr *csv.Reader, file, want string) ([]string, int, error) {
	header, err := cr.Read()
	if err == io.EOF {
		return nil, 0, &Error{File: file, Line: 1, Msg: "empty file: expected " + want}
	}
	if err != nil {
		return nil, 0, csvReadError(err, file, 0)
	}
	line, _ := cr.FieldPos(0)
	return header, line, nil
}

// findColumns sets idx[c] to the field of header that names names[c], or
// -1. Other fields are ignored; a known name given twice is an error.
func findColumns(idx []int, names []string, header []string, file string, line int) error {
	for c := range idx {
		idx[c] = -1
	}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF")
		}
		h = trimSpace(h)
		for c, name := range names {
			if !strings.EqualFold(h, name) {
				continue
			}
			if idx[c] >= 0 {
				return &Error{File: file, Line: line, Column: name,
					Msg: fmt.Sprintf("duplicate column (fields %d and %d of the header)", idx[c]+1, i+1)}
			}
			idx[c] = i
		}
	}
	return nil
}
