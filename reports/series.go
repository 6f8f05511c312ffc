package reports

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// SeriesHeader is the first line of series.csv.
const SeriesHeader = "strategy,seed,t_s,node,utilization,active,queued,state\n"

// seriesColumns are series.csv's columns. Files written before the state
// column existed have the first seven and read with State "".
var seriesColumns = []string{"strategy", "seed", "t_s", "node", "utilization", "active", "queued", "state"}

// NodeStates are the values of series.csv's state column for a node row
// (a cluster row's is empty): up, down (failed), off (not provisioned,
// provisioning, or scaled in), drained (out of the pool for maintenance,
// or scaled in and finishing its tasks).
var NodeStates = []string{"up", "down", "off", "drained"}

// ClusterNode is the node column of series.csv's cluster-wide rows.
const ClusterNode = "*"

// SeriesRow is one row of series.csv: at simulated time T (seconds from
// the start of the run), one node's state, or the cluster's when Node is
// ClusterNode. Utilization is the busy share of the node's capacity
// averaged over the sampling interval ending at T (of its slots under node
// queueing; of its dominant resource under central queueing); Active and
// Queued are the tasks running on it and waiting for it at T (the
// cluster-wide Queued counts a central scheduler's pending queue). State
// is the node's state at T, one of NodeStates ("" for the cluster).
type SeriesRow struct {
	Strategy    string
	Seed        uint64
	T           float64
	Node        string
	Utilization float64
	Active      int64
	Queued      int64
	State       string
}

// SeriesWriter streams series.csv.
type SeriesWriter struct {
	w   *bufio.Writer
	buf []byte
	err error
}

// NewSeriesWriter writes the header and returns a writer.
func NewSeriesWriter(w io.Writer) *SeriesWriter {
	sw := &SeriesWriter{w: bufio.NewWriterSize(w, 1<<16)}
	_, sw.err = sw.w.WriteString(SeriesHeader)
	return sw
}

// NewSeriesPartWriter returns a writer that writes no header: for one
// run's part of a series.csv joined under one SeriesHeader.
func NewSeriesPartWriter(w io.Writer) *SeriesWriter {
	return &SeriesWriter{w: bufio.NewWriterSize(w, 1<<16)}
}

// Write adds one row; errors stick and Flush reports the first.
func (sw *SeriesWriter) Write(r *SeriesRow) error {
	if sw.err != nil {
		return sw.err
	}
	b := sw.buf[:0]
	b = appendCSVField(b, r.Strategy)
	b = append(b, ',')
	b = strconv.AppendUint(b, r.Seed, 10)
	b = append(b, ',')
	b = strconv.AppendFloat(b, r.T, 'g', -1, 64)
	b = append(b, ',')
	b = appendCSVField(b, r.Node)
	b = append(b, ',')
	b = strconv.AppendFloat(b, r.Utilization, 'g', 6, 64)
	b = append(b, ',')
	b = strconv.AppendInt(b, r.Active, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, r.Queued, 10)
	b = append(b, ',')
	b = append(b, r.State...)
	b = append(b, '\n')
	sw.buf = b
	_, sw.err = sw.w.Write(b)
	return sw.err
}

// Flush writes what is buffered and returns the first error.
func (sw *SeriesWriter) Flush() error {
	if sw.err != nil {
		return sw.err
	}
	return sw.w.Flush()
}

// appendCSVField appends s, quoted when it holds a comma, quote or newline.
func appendCSVField(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
			b = append(b, '"')
			for j := 0; j < len(s); j++ {
				if s[j] == '"' {
					b = append(b, '"')
				}
				b = append(b, s[j])
			}
			return append(b, '"')
		}
	}
	return append(b, s...)
}

// ReadSeries reads a series.csv; name names it in errors. When keep is
// not nil, only the rows it accepts are returned (the file is read as a
// stream, so a large series can be filtered without holding it all).
func ReadSeries(r io.Reader, name string, keep func(*SeriesRow) bool) ([]SeriesRow, error) {
	cr := csv.NewReader(bufio.NewReader(&capLines{r: r, name: name, max: MaxSeriesLine}))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: expected the header %q, got an empty file", name, SeriesHeader[:len(SeriesHeader)-1])
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	want := seriesColumns
	if len(head) == len(want)-1 {
		want = want[:len(want)-1] // written before the state column
	}
	if len(head) != len(want) {
		return nil, fmt.Errorf("%s: line 1: expected the header %q, got %d columns", name, SeriesHeader[:len(SeriesHeader)-1], len(head))
	}
	for i := range want {
		if head[i] != want[i] {
			return nil, fmt.Errorf("%s: line 1: column %d: expected %q, got %q", name, i+1, want[i], head[i])
		}
	}
	var rows []SeriesRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(want) {
			return nil, fmt.Errorf("%s: line %d: expected %d fields as in the header, got %d", name, line, len(want), len(rec))
		}
		row := SeriesRow{Strategy: rec[0], Node: rec[3]}
		bad := func(col int, what string) error {
			return fmt.Errorf("%s: line %d: field %s: expected %s, got %q", name, line, want[col], what, rec[col])
		}
		if row.Seed, err = strconv.ParseUint(rec[1], 10, 64); err != nil {
			return nil, bad(1, "an unsigned integer")
		}
		if row.T, err = strconv.ParseFloat(rec[2], 64); err != nil {
			return nil, bad(2, "a number of seconds")
		}
		if row.Utilization, err = strconv.ParseFloat(rec[4], 64); err != nil {
			return nil, bad(4, "a number")
		}
		if row.Active, err = strconv.ParseInt(rec[5], 10, 64); err != nil {
			return nil, bad(5, "an integer")
		}
		if row.Queued, err = strconv.ParseInt(rec[6], 10, 64); err != nil {
			return nil, bad(6, "an integer")
		}
		if len(rec) > 7 {
			switch st := rec[7]; {
			case row.Node == ClusterNode && st == "":
			case row.Node != ClusterNode && slices.Contains(NodeStates, st):
				row.State = NodeStates[slices.Index(NodeStates, st)]
			case row.Node == ClusterNode:
				return nil, bad(7, "nothing on the cluster's row")
			default:
				return nil, bad(7, "one of up, down, off, drained")
			}
		}
		if keep == nil || keep(&row) {
			if len(rows) == MaxSeriesRows {
				return nil, fmt.Errorf("%s: line %d: more than %d rows to keep, the most fleetsim reads", name, line, MaxSeriesRows)
			}
			rows = append(rows, row)
		}
	}
}
