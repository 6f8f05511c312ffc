package traces

import (
	"fmt"
	"math"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
)

// column is one field of the native format, in the order the writers use.
type column uint8

const (
	colID column = iota
	colArrival
	colDuration
	colCPU
	colMemory
	colGPUs
	colGPUMilli
	colPriority
	colTenant
	colRegion
	colClass
	colGPUSpec
	colEstimate
	colPromptTokens
	colOutputTokens
	// Workflow columns (workflow.go), written by CSVWriter only when asked
	// (CSVWriter.Workflows), so its output stays as it was.
	colWorkflow
	colParents
	colOutputBytes
	colNodes // a gang's node count (sim.Task.Nodes)
	numColumns

	numWritten = colWorkflow // the columns every writer emits
)

var columnNames = [numColumns]string{
	colID:           "id",
	colArrival:      "arrival",
	colDuration:     "duration",
	colCPU:          "cpu",
	colMemory:       "memory",
	colGPUs:         "gpus",
	colGPUMilli:     "gpu_milli",
	colPriority:     "priority",
	colTenant:       "tenant",
	colRegion:       "region",
	colClass:        "class",
	colGPUSpec:      "gpu_spec",
	colEstimate:     "estimate",
	colPromptTokens: "prompt_tokens",
	colOutputTokens: "output_tokens",
	colWorkflow:     "workflow",
	colParents:      "parents",
	colOutputBytes:  "output_bytes",
	colNodes:        "nodes",
}

// Columns returns the names of the native format's columns (JSONL keys), in
// the order the writers emit them.
func Columns() []string { return append([]string(nil), columnNames[:numWritten]...) }

var allowedColumns = strings.Join(columnNames[:], ", ")

func (c column) String() string { return columnNames[c] }

// isString reports whether the column holds free text rather than a number.
func (c column) isString() bool {
	return c == colTenant || c == colRegion || c == colClass || c == colGPUSpec || c == colWorkflow || c == colParents
}

// required reports whether every row must give the column a value.
func (c column) required() bool { return c == colArrival || c == colDuration }

// zeroIsDefault reports whether the cell "0" sets the column's field of
// a Task to its zero value and nothing else, so that a reader may skip it:
// every number column but id (whose default is the sequence number) and
// the required ones.
func (c column) zeroIsDefault() bool {
	return !c.isString() && c != colID && !c.required()
}

func lookupColumn(name string) (column, bool) {
	switch name {
	case "id":
		return colID, true
	case "arrival":
		return colArrival, true
	case "duration":
		return colDuration, true
	case "cpu":
		return colCPU, true
	case "memory":
		return colMemory, true
	case "gpus":
		return colGPUs, true
	case "gpu_milli":
		return colGPUMilli, true
	case "priority":
		return colPriority, true
	case "tenant":
		return colTenant, true
	case "region":
		return colRegion, true
	case "class":
		return colClass, true
	case "gpu_spec":
		return colGPUSpec, true
	case "estimate":
		return colEstimate, true
	case "prompt_tokens":
		return colPromptTokens, true
	case "output_tokens":
		return colOutputTokens, true
	case "workflow":
		return colWorkflow, true
	case "parents":
		return colParents, true
	case "output_bytes":
		return colOutputBytes, true
	case "nodes":
		return colNodes, true
	}
	return 0, false
}

// expected says, in the column's own words, what a valid value looks like.
func (c column) expected() string {
	switch c {
	case colID:
		return "an integer"
	case colArrival, colDuration, colEstimate:
		return "a non-negative number of seconds"
	case colCPU:
		return "a non-negative number of cores"
	case colParents:
		return "task ids separated by ';', each optionally followed by ':bytes' (the data that edge carries)"
	case colMemory, colOutputBytes:
		return "a non-negative number of bytes, optionally with a suffix K, M, G, T (powers of 1000) or Ki, Mi, Gi, Ti (powers of 1024)"
	case colGPUs:
		return "a non-negative whole number of GPUs"
	case colNodes:
		return "a non-negative whole number of nodes (a gang runs on that many at once)"
	case colGPUMilli:
		return "an integer from 0 to 1000 (thousandths of one GPU)"
	case colPriority:
		return "an integer"
	case colPromptTokens, colOutputTokens:
		return "a non-negative whole number of tokens"
	}
	return "a string"
}

// limit names the largest value of a numeric column, for range errors.
func (c column) limit() string {
	switch c {
	case colID:
		return "from -9223372036854775808 to 9223372036854775807"
	case colArrival, colDuration, colEstimate:
		return "at most 9223372036.854775807 seconds"
	case colCPU:
		return "at most 9223372036854775.807 cores"
	case colMemory, colOutputBytes:
		return "at most 9223372036854775807 bytes"
	case colGPUs, colPromptTokens, colOutputTokens, colNodes:
		return "at most 2147483647"
	case colGPUMilli:
		return "from 0 to 1000"
	case colPriority:
		return "from -2147483648 to 2147483647"
	}
	return ""
}

// message turns a number error into the text of an Error.
func (c column) message(e numErr, raw string) string {
	if trimSpace(raw) == "" {
		return fmt.Sprintf("expected %s, got an empty cell", c.expected())
	}
	switch e {
	case numNotFinite:
		return fmt.Sprintf("expected %s, got %s (not a finite number)", c.expected(), quote(raw))
	case numRange:
		if c == colGPUMilli {
			break
		}
		return fmt.Sprintf("value %s is out of range (%s)", quote(raw), c.limit())
	case numFraction:
		if c == colMemory || c == colOutputBytes {
			return fmt.Sprintf("value %s is not a whole number of bytes", quote(raw))
		}
	}
	return fmt.Sprintf("expected %s, got %s", c.expected(), quote(raw))
}

// setText parses the text of cell c into t. An empty cell leaves the zero
// value (the caller has already set the id to the sequence number); for a
// required column it is an error.
func setText(t *sim.Task, c column, raw string, in *interner) numErr {
	if c == colParents {
		return parseParents(t, raw)
	}
	if c.isString() {
		s := in.intern(raw)
		switch c {
		case colWorkflow:
			t.Workflow = s
		case colTenant:
			t.Tenant = s
		case colRegion:
			t.Region = s
		case colGPUSpec:
			t.GPUSpec = s
		default:
			t.Class = s
		}
		return numOK
	}
	s := trimSpace(raw)
	if s == "" {
		if c.required() {
			return numSyntax
		}
		return numOK
	}
	var v int64
	var e numErr
	switch c {
	case colID:
		v, e = parseInt(s, math.MinInt64, math.MaxInt64)
		t.ID = v
	case colArrival:
		v, e = parseFixed(s, 9)
		t.Arrival = sim.Time(v)
	case colDuration:
		v, e = parseFixed(s, 9)
		t.Work = sim.Time(v)
	case colEstimate:
		v, e = parseFixed(s, 9)
		t.Estimate = sim.Time(v)
	case colCPU:
		v, e = parseFixed(s, 3)
		t.CPU = v
	case colMemory:
		v, e = parseSize(s)
		t.Memory = v
	case colOutputBytes:
		v, e = parseSize(s)
		t.OutputBytes = v
	case colNodes:
		v, e = parseInt(s, 0, math.MaxInt32)
		t.Nodes = int32(v)
	case colGPUs:
		v, e = parseInt(s, 0, math.MaxInt32)
		t.GPUs = int32(v)
	case colGPUMilli:
		v, e = parseInt(s, 0, 1000)
		t.GPUMilli = int32(v)
	case colPriority:
		v, e = parseInt(s, math.MinInt32, math.MaxInt32)
		t.Priority = int32(v)
	case colPromptTokens:
		v, e = parseInt(s, 0, math.MaxInt32)
		t.PromptTokens = int32(v)
	case colOutputTokens:
		v, e = parseInt(s, 0, math.MaxInt32)
		t.OutputTokens = int32(v)
	}
	return e
}

// maxInterned bounds the interner, so a trace with a new tenant on every
// row cannot grow it without limit.
const maxInterned = 4096

// interner shares the storage of repeated strings (tenants, regions,
// classes), so tasks in flight do not each pin their input line.
type interner struct{ m map[string]string }

func (in *interner) intern(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := in.m[s]; ok {
		return v
	}
	v := strings.Clone(s)
	if in.m == nil {
		in.m = make(map[string]string)
	}
	if len(in.m) < maxInterned {
		in.m[v] = v
	}
	return v
}

// internBytes is intern for a byte slice, allocating only for a string
// it has not seen.
func (in *interner) internBytes(b []byte) string {
	if v, ok := in.m[string(b)]; ok {
		return v
	}
	return in.intern(string(b))
}

// orderMessage explains an arrival earlier than the previous task's, which
// was on line prevLine.
func orderMessage(t, prev sim.Time, prevLine int) string {
	return fmt.Sprintf("arrival %s is earlier than the previous task's %s (line %d); tasks must be sorted by arrival",
		FormatSeconds(t), FormatSeconds(prev), prevLine)
}
