package traces

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
)

// Columns of an openb node list.
const (
	onName = iota
	onCPU
	onMemory
	onGPUs
	onModel
	numOpenbNodeCols
)

var openbNodeColumns = [numOpenbNodeCols]string{
	onName:   "sn",
	onCPU:    "cpu_milli",
	onMemory: "memory_mib",
	onGPUs:   "gpu",
	onModel:  "model",
}

const openbNodeHeader = "sn,cpu_milli,memory_mib,gpu,model"

// MaxOpenbNodeGPUs is the most GPUs ReadOpenbNodes accepts on one node.
// The model keeps every GPU's free share, so a hostile count must not
// make it allocate without bound; real nodes have up to 8.
const MaxOpenbNodeGPUs = 4096

// ReadOpenbNodes reads an openb node list (the Alibaba GPU cluster trace
// 2023's openb_node_list_*.csv) into node specs; a ".gz" suffix means gzip
// compression. See ReadOpenbNodesFrom.
func ReadOpenbNodes(path string) ([]sim.NodeSpec, error) {
	r, c, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return ReadOpenbNodesFrom(r, path)
}

// ReadOpenbNodesFrom reads an openb node list from r; file names it in
// errors. The header names the columns, in any order (unknown ones are
// ignored):
//
//	sn,cpu_milli,memory_mib,gpu,model
//
// Each row is one node: Name sn, Group model (or "cpu" when model is
// empty), CPU cpu_milli, Memory memory_mib × 2^20 bytes, GPUs gpu,
// GPUModel model, Slots 1, Speed 1. Sizes are non-negative whole numbers;
// a node with GPUs must name their model; gpu is at most
// MaxOpenbNodeGPUs; names are unique. Every error is an *Error naming the
// line, the column and what was expected.
func ReadOpenbNodesFrom(r io.Reader, file string) ([]sim.NodeSpec, error) {
	cr := newOpenbCSV(r, file)
	header, hline, err := readOpenbHeader(cr, file, "an openb node list's header, "+openbNodeHeader)
	if err != nil {
		return nil, err
	}
	var idx [numOpenbNodeCols]int
	if err := findColumns(idx[:], openbNodeColumns[:], header, file, hline); err != nil {
		return nil, err
	}
	for c, i := range idx {
		if i < 0 {
			return nil, &Error{File: file, Line: hline, Column: openbNodeColumns[c],
				Msg: "missing required column; an openb node list's header is " + openbNodeHeader}
		}
	}
	var (
		nodes    []sim.NodeSpec
		first    = map[string]int{} // line of each name
		in       interner
		lastLine = hline
	)
	for {
		rec, line, err := readRecord(cr, file, lastLine, len(header))
		if err == io.EOF {
			if len(nodes) == 0 {
				return nil, &Error{File: file, Line: hline, Msg: "no nodes: expected at least one row after the header"}
			}
			return nodes, nil
		}
		if len(nodes) >= sim.MaxNodes {
			return nil, &Error{File: file, Line: line, Msg: fmt.Sprintf("expected at most %d nodes", sim.MaxNodes)}
		}
		if err != nil {
			return nil, err
		}
		c := openbCells{file: file, cr: cr, rec: rec, idx: idx[:], names: openbNodeColumns[:]}
		name := trimSpace(c.raw(onName))
		if name == "" {
			return nil, c.fail(onName, "expected a node name, got an empty cell")
		}
		if l, dup := first[name]; dup {
			return nil, c.fail(onName, fmt.Sprintf("duplicate node name %s (first on line %d)", quote(name), l))
		}
		cpu, ok := c.whole(onCPU, "milli-cores", math.MaxInt64)
		if !ok {
			return nil, c.err
		}
		mib, ok := c.whole(onMemory, "MiB", math.MaxInt64>>20)
		if !ok {
			return nil, c.err
		}
		gpus, ok := c.whole(onGPUs, "GPUs", MaxOpenbNodeGPUs)
		if !ok {
			return nil, c.err
		}
		model := in.intern(trimSpace(c.raw(onModel)))
		if gpus > 0 && model == "" {
			return nil, c.fail(onModel, fmt.Sprintf("expected the model of the node's %d GPUs, got an empty cell", gpus))
		}
		group := model
		if group == "" {
			group = "cpu"
		}
		name = strings.Clone(name) // rec's storage is reused
		first[name] = line
		lastLine = line
		nodes = append(nodes, sim.NodeSpec{
			Name: name, Group: group, Slots: 1, Speed: 1,
			CPU: cpu, Memory: mib << 20, GPUs: int(gpus), GPUModel: model,
		})
	}
}
