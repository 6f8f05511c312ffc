package reports

import (
	"bufio"
	"io"
	"strconv"

	"github.com/fleetsim/fleetsim/sim"
)

// RecordsHeader is the first line of a records file.
const RecordsHeader = "id,arrival,start,finish,node,wait,latency,status,warmup,gpus\n"

// RecordWriter streams per-task records as CSV: one row per task as it
// ends, times in seconds with nanosecond precision, node by name ("" when
// the task was never placed), and the indexes of the node's GPUs the task
// held, separated by ';' (empty when none). The simulator and the real executor write the
// same file.
type RecordWriter struct {
	w      *bufio.Writer
	nodes  []sim.NodeSpec
	prefix []byte
	buf    []byte
	err    error
}

// NewRecordWriter writes the header and returns a writer; nodes name the
// node indexes of the records.
func NewRecordWriter(w io.Writer, nodes []sim.NodeSpec) *RecordWriter {
	rw := &RecordWriter{w: bufio.NewWriterSize(w, 1<<16), nodes: nodes}
	_, rw.err = rw.w.WriteString(RecordsHeader)
	return rw
}

// LabeledRecordsHeader is the first line of the records.csv of --out DIR,
// which holds every run of a comparison: the strategy and seed first.
const LabeledRecordsHeader = "strategy,seed," + RecordsHeader

// NewLabeledRecordWriter returns a writer of rows that start with the
// strategy and seed, and writes no header: each run writes its own part
// and the parts are joined under one LabeledRecordsHeader.
func NewLabeledRecordWriter(w io.Writer, nodes []sim.NodeSpec, strategy string, seed uint64) *RecordWriter {
	rw := &RecordWriter{w: bufio.NewWriterSize(w, 1<<16), nodes: nodes}
	rw.prefix = appendCSVField(nil, strategy)
	rw.prefix = append(rw.prefix, ',')
	rw.prefix = strconv.AppendUint(rw.prefix, seed, 10)
	rw.prefix = append(rw.prefix, ',')
	return rw
}

// Write adds one record. Errors stick: once a write fails, later calls do
// nothing and Flush reports the first error.
func (rw *RecordWriter) Write(r *sim.Record) error {
	if rw.err != nil {
		return rw.err
	}
	b := append(rw.buf[:0], rw.prefix...)
	b = strconv.AppendInt(b, r.Task.ID, 10)
	b = append(b, ',')
	b = sim.AppendSeconds(b, r.Task.Arrival)
	b = append(b, ',')
	b = sim.AppendSeconds(b, r.Start)
	b = append(b, ',')
	b = sim.AppendSeconds(b, r.Finish)
	b = append(b, ',')
	if r.Node >= 0 && r.Node < len(rw.nodes) {
		b = append(b, rw.nodes[r.Node].Name...)
	}
	b = append(b, ',')
	b = sim.AppendSeconds(b, r.Wait())
	b = append(b, ',')
	b = sim.AppendSeconds(b, r.Latency())
	b = append(b, ',')
	b = append(b, r.Status.String()...)
	b = append(b, ',')
	b = strconv.AppendBool(b, r.Warmup)
	b = append(b, ',')
	for k, g := range r.GPUs {
		if k > 0 {
			b = append(b, ';')
		}
		b = strconv.AppendInt(b, int64(g), 10)
	}
	b = append(b, '\n')
	rw.buf = b
	_, rw.err = rw.w.Write(b)
	return rw.err
}

// Flush writes buffered records and returns the first error seen.
func (rw *RecordWriter) Flush() error {
	if rw.err != nil {
		return rw.err
	}
	return rw.w.Flush()
}
