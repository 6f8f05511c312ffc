package traces

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
)

// WfCommons WfFormat (https://github.com/wfcommons/WfFormat), schema
// versions 1.4 and 1.5: one workflow instance per JSON file.
//
// 1.5 splits a workflow into workflow.specification (tasks with parents,
// children, inputFiles and outputFiles by id; files with sizeInBytes) and
// workflow.execution (tasks with runtimeInSeconds, coreCount, avgCPU,
// memoryInBytes, machines; machines with nodeName, cpu.coreCount,
// cpu.speedInMHz; makespanInSeconds). 1.4 keeps one list, workflow.tasks,
// each with its parents and children (by name or id), files with a link
// (input or output), name and sizeInBytes, and runtimeInSeconds, cores,
// memoryInBytes and machine; workflow.machines and
// workflow.makespanInSeconds beside it.
//
// Each task becomes a sim.Task of one workflow: work = the recorded
// runtime (seconds at speed 1, speed 1 being the recorded machine's),
// estimate = the same, cpu = its cores (1 when not recorded), memory =
// memoryInBytes, class = the program (command.program, else the name up to
// "_ID"). The data on the edge parent → child is the size of the files the
// parent writes and the child reads; a task's output_bytes is the size of
// all the files it writes. Tasks are put in topological order (file order
// among tasks that are ready together); a cycle is an error.

// WfInstance is one WfFormat workflow instance.
type WfInstance struct {
	Name          string
	SchemaVersion string
	Tasks         []sim.Task // topological order; ids 0..len-1, workflow = Name
	TaskNames     []string   // the instance's task ids, index by Task.ID
	Machines      []WfMachine
	TaskMachine   []int   // index in Machines of the machine each task ran on, -1 when not recorded
	MakespanS     float64 // recorded makespan, 0 when not recorded
}

// WfMachine is a machine the instance ran on.
type WfMachine struct {
	Name     string
	Cores    int
	SpeedMHz int
	Memory   int64
}

// wfVersions are the schema versions ReadWfFormat reads.
var wfVersions = []string{"1.4", "1.5"}

type wfFile struct {
	Name          string `json:"name"`
	SchemaVersion string `json:"schemaVersion"`
	Workflow      *struct {
		// 1.5
		Specification *struct {
			Tasks []wfSpecTask `json:"tasks"`
			Files []struct {
				ID   string   `json:"id"`
				Size *float64 `json:"sizeInBytes"`
			} `json:"files"`
		} `json:"specification"`
		Execution *struct {
			Makespan *float64     `json:"makespanInSeconds"`
			Tasks    []wfExecTask `json:"tasks"`
			Machines []wfMachine  `json:"machines"`
		} `json:"execution"`
		// 1.4
		Makespan *float64    `json:"makespanInSeconds"`
		Tasks    []wf14Task  `json:"tasks"`
		Machines []wfMachine `json:"machines"`
	} `json:"workflow"`
}

type wfSpecTask struct {
	Name     string   `json:"name"`
	ID       string   `json:"id"`
	Parents  []string `json:"parents"`
	Children []string `json:"children"`
	Inputs   []string `json:"inputFiles"`
	Outputs  []string `json:"outputFiles"`
}

type wfExecTask struct {
	ID       string   `json:"id"`
	Runtime  *float64 `json:"runtimeInSeconds"`
	Cores    *float64 `json:"coreCount"`
	Memory   *float64 `json:"memoryInBytes"`
	Machines []string `json:"machines"`
	Machine  string   `json:"machine"`
	Command  *struct {
		Program string `json:"program"`
	} `json:"command"`
}

type wf14Task struct {
	Name     string   `json:"name"`
	ID       string   `json:"id"`
	Parents  []string `json:"parents"`
	Children []string `json:"children"`
	Runtime  *float64 `json:"runtimeInSeconds"`
	Cores    *float64 `json:"cores"`
	Memory   *float64 `json:"memoryInBytes"`
	Machine  string   `json:"machine"`
	Files    []struct {
		Link string   `json:"link"`
		Name string   `json:"name"`
		Path string   `json:"path"`
		Size *float64 `json:"sizeInBytes"`
	} `json:"files"`
	Command *struct {
		Program string `json:"program"`
	} `json:"command"`
}

type wfMachine struct {
	NodeName string   `json:"nodeName"`
	Memory   *float64 `json:"memoryInBytes"`
	CPU      *struct {
		CoreCount  *float64 `json:"coreCount"`
		Count      *float64 `json:"count"` // 1.4
		SpeedInMHz *float64 `json:"speedInMHz"`
		Speed      *float64 `json:"speed"` // 1.4
	} `json:"cpu"`
}

// wfTask is a task in the reader's common form.
type wfTask struct {
	name, class      string
	parents          []string
	children         []string
	in, out          []string
	runtime          float64
	cores, memory    float64
	machine          string
	path             string // JSON path of its execution data, for errors
	spec             string // JSON path of its specification (parents, children)
	hasRuntime, seen bool
}

// maxWfBytes bounds what ReadWfFormat reads: the largest instances in
// WfInstances are tens of megabytes.
const maxWfBytes = 1 << 30

// ReadWfFormat reads one WfFormat instance. Errors name file and line for
// bad JSON, and file and JSON path for bad content.
func ReadWfFormat(r io.Reader, file string) (*WfInstance, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxWfBytes+1))
	if err != nil {
		return nil, &Error{File: file, Msg: "read failed: " + err.Error(), Err: err}
	}
	if len(data) > maxWfBytes {
		return nil, &Error{File: file, Msg: fmt.Sprintf("larger than %d bytes", maxWfBytes)}
	}
	var f wfFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, jsonError(file, data, err)
	}
	fail := func(path, format string, a ...any) error {
		return &Error{File: file, Column: path, Msg: fmt.Sprintf(format, a...)}
	}
	switch f.SchemaVersion {
	case "1.4", "1.5":
	case "":
		return nil, fail("schemaVersion", "missing; expected one of %s", strings.Join(wfVersions, ", "))
	default:
		return nil, fail("schemaVersion", "unsupported WfFormat schema version %s; this reader knows %s (wfcommons-migrate-instance.py converts older ones)",
			quote(f.SchemaVersion), strings.Join(wfVersions, ", "))
	}
	if f.Workflow == nil {
		return nil, fail("workflow", "missing")
	}
	w := f.Workflow
	inst := &WfInstance{Name: f.Name, SchemaVersion: f.SchemaVersion}
	if inst.Name == "" {
		inst.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	var tasks []wfTask
	sizes := map[string]float64{}
	var machines []wfMachine
	var machinesPath string
	if f.SchemaVersion == "1.5" {
		if w.Specification == nil {
			return nil, fail("workflow.specification", "missing (schema 1.5 puts the tasks there)")
		}
		for k, fl := range w.Specification.Files {
			p := fmt.Sprintf("workflow.specification.files[%d]", k)
			if fl.ID == "" {
				return nil, fail(p+".id", "missing or empty")
			}
			if fl.Size == nil || *fl.Size < 0 || *fl.Size > math.MaxInt64/2 {
				return nil, fail(p+".sizeInBytes", "expected a non-negative number of bytes")
			}
			sizes[fl.ID] = *fl.Size
		}
		byID := map[string]int{}
		for k, st := range w.Specification.Tasks {
			p := fmt.Sprintf("workflow.specification.tasks[%d]", k)
			if st.ID == "" {
				return nil, fail(p+".id", "missing or empty")
			}
			if _, dup := byID[st.ID]; dup {
				return nil, fail(p+".id", "task id %s appears twice", quote(st.ID))
			}
			byID[st.ID] = k
			tasks = append(tasks, wfTask{name: st.ID, class: programOf(st.Name, st.ID), parents: st.Parents, children: st.Children,
				in: st.Inputs, out: st.Outputs, path: p, spec: p, cores: 1})
		}
		if w.Execution != nil {
			if w.Execution.Makespan != nil {
				inst.MakespanS = *w.Execution.Makespan
			}
			machines, machinesPath = w.Execution.Machines, "workflow.execution.machines"
			for k, et := range w.Execution.Tasks {
				p := fmt.Sprintf("workflow.execution.tasks[%d]", k)
				i, ok := byID[et.ID]
				if !ok {
					return nil, fail(p+".id", "task %s is not in workflow.specification.tasks", quote(et.ID))
				}
				t := &tasks[i]
				if t.seen {
					return nil, fail(p+".id", "task %s has two execution entries", quote(et.ID))
				}
				t.seen = true
				if et.Runtime != nil {
					t.runtime, t.hasRuntime = *et.Runtime, true
				}
				if et.Cores != nil {
					t.cores = *et.Cores
				}
				if et.Memory != nil {
					t.memory = *et.Memory
				}
				if et.Command != nil && et.Command.Program != "" {
					t.class = et.Command.Program
				}
				t.machine = et.Machine
				if len(et.Machines) > 0 {
					t.machine = et.Machines[0]
				}
				t.path = p
			}
		}
	} else {
		if w.Makespan != nil {
			inst.MakespanS = *w.Makespan
		}
		machines, machinesPath = w.Machines, "workflow.machines"
		for k, t14 := range w.Tasks {
			p := fmt.Sprintf("workflow.tasks[%d]", k)
			name := t14.Name
			if name == "" {
				return nil, fail(p+".name", "missing or empty")
			}
			t := wfTask{name: name, class: programOf(name, t14.ID), parents: t14.Parents, children: t14.Children,
				machine: t14.Machine, path: p, spec: p, cores: 1}
			if t14.Runtime != nil {
				t.runtime, t.hasRuntime = *t14.Runtime, true
			}
			if t14.Cores != nil {
				t.cores = *t14.Cores
			}
			if t14.Memory != nil {
				t.memory = *t14.Memory
			}
			if t14.Command != nil && t14.Command.Program != "" {
				t.class = t14.Command.Program
			}
			for j, fl := range t14.Files {
				fp := fmt.Sprintf("%s.files[%d]", p, j)
				if fl.Size == nil || *fl.Size < 0 || *fl.Size > math.MaxInt64/2 {
					return nil, fail(fp+".sizeInBytes", "expected a non-negative number of bytes")
				}
				id := fl.Path + fl.Name
				sizes[id] = *fl.Size
				switch strings.ToLower(fl.Link) {
				case "input":
					t.in = append(t.in, id)
				case "output":
					t.out = append(t.out, id)
				default:
					return nil, fail(fp+".link", "expected \"input\" or \"output\", got %s", quote(fl.Link))
				}
			}
			tasks = append(tasks, t)
		}
	}
	if len(tasks) == 0 {
		return nil, fail("workflow", "no tasks")
	}
	for k, m := range machines {
		p := fmt.Sprintf("%s[%d]", machinesPath, k)
		if m.NodeName == "" {
			return nil, fail(p+".nodeName", "missing or empty")
		}
		wm := WfMachine{Name: m.NodeName, Cores: 1}
		if m.Memory != nil && *m.Memory > 0 && *m.Memory < math.MaxInt64/2 {
			wm.Memory = int64(*m.Memory)
		}
		if c := m.CPU; c != nil {
			if n := firstOf(c.CoreCount, c.Count); n != nil {
				if *n < 1 || *n > 1<<20 {
					return nil, fail(p+".cpu.coreCount", "expected a whole number of cores from 1 to %d", 1<<20)
				}
				wm.Cores = int(*n)
			}
			if s := firstOf(c.SpeedInMHz, c.Speed); s != nil && *s > 0 && *s < 1e9 {
				wm.SpeedMHz = int(*s)
			}
		}
		inst.Machines = append(inst.Machines, wm)
	}
	return inst, inst.build(tasks, sizes, fail)
}

func firstOf(a, b *float64) *float64 {
	if a != nil {
		return a
	}
	return b
}

// programOf is a task's class: the part of its name before "_ID" (the
// Pegasus naming), else its name.
func programOf(name, id string) string {
	if name == "" {
		name = id
	}
	if i := strings.Index(name, "_ID"); i > 0 {
		return name[:i]
	}
	return name
}

// build orders the tasks topologically and fills inst.
func (inst *WfInstance) build(tasks []wfTask, sizes map[string]float64, fail func(string, string, ...any) error) error {
	n := len(tasks)
	idx := make(map[string]int, n)
	for k, t := range tasks {
		if _, dup := idx[t.name]; dup {
			return fail(t.spec, "task %s appears twice", quote(t.name))
		}
		idx[t.name] = k
	}
	// Parents from both ends: parents lists and children lists.
	par := make([][]int, n)
	add := func(p, c int) {
		for _, q := range par[c] {
			if q == p {
				return
			}
		}
		par[c] = append(par[c], p)
	}
	for k, t := range tasks {
		if !t.hasRuntime {
			return fail(t.path+".runtimeInSeconds", "missing")
		}
		if !(t.runtime >= 0) || t.runtime > 9e9 {
			return fail(t.path+".runtimeInSeconds", "expected a non-negative number of seconds, got %v", t.runtime)
		}
		if !(t.cores > 0) || t.cores > 1<<20 {
			return fail(t.path+".coreCount", "expected a number of cores > 0, got %v", t.cores)
		}
		if !(t.memory >= 0) || t.memory > math.MaxInt64/2 {
			return fail(t.path+".memoryInBytes", "expected a non-negative number of bytes, got %v", t.memory)
		}
		for j, p := range t.parents {
			q, ok := idx[p]
			if !ok {
				return fail(fmt.Sprintf("%s.parents[%d]", t.spec, j), "parent %s is not a task of the workflow", quote(p))
			}
			if q == k {
				return fail(fmt.Sprintf("%s.parents[%d]", t.spec, j), "task %s is its own parent", quote(p))
			}
			add(q, k)
		}
		for j, c := range t.children {
			q, ok := idx[c]
			if !ok {
				return fail(fmt.Sprintf("%s.children[%d]", t.spec, j), "child %s is not a task of the workflow", quote(c))
			}
			if q == k {
				return fail(fmt.Sprintf("%s.children[%d]", t.spec, j), "task %s is its own child", quote(c))
			}
			add(k, q)
		}
	}
	// Kahn's algorithm, file order among ready tasks.
	left := make([]int, n)
	kids := make([][]int, n)
	for c := range par {
		left[c] = len(par[c])
		for _, p := range par[c] {
			kids[p] = append(kids[p], c)
		}
	}
	order := make([]int, 0, n)
	for k := range left {
		if left[k] == 0 {
			order = append(order, k)
		}
	}
	for h := 0; h < len(order); h++ {
		for _, c := range kids[order[h]] {
			if left[c]--; left[c] == 0 {
				order = append(order, c)
			}
		}
	}
	if len(order) < n {
		for k := range left {
			if left[k] > 0 {
				return fail(tasks[k].spec+".parents", "the workflow has a cycle through task %s", quote(tasks[k].name))
			}
		}
	}
	newID := make([]int64, n)
	for pos, k := range order {
		newID[k] = int64(pos)
	}
	machineIdx := map[string]int{}
	for k, m := range inst.Machines {
		machineIdx[m.Name] = k
	}
	outSet := make([]map[string]bool, n)
	for pos, k := range order {
		t := &tasks[k]
		st := sim.Task{ID: int64(pos), Workflow: inst.Name, Class: t.class,
			Work: sim.FromSeconds(t.runtime), Estimate: sim.FromSeconds(t.runtime),
			CPU: int64(math.Round(t.cores * 1000)), Memory: int64(t.memory)}
		var out float64
		outSet[k] = map[string]bool{}
		for _, f := range t.out {
			if !outSet[k][f] {
				outSet[k][f] = true
				out += sizes[f]
			}
		}
		st.OutputBytes = int64(out)
		if len(par[k]) > 0 {
			st.Deps = &sim.Deps{}
			for _, p := range par[k] {
				var b float64
				seen := map[string]bool{}
				for _, f := range t.in {
					if outSet[p][f] && !seen[f] {
						seen[f] = true
						b += sizes[f]
					}
				}
				st.Deps.Parents = append(st.Deps.Parents, sim.Edge{Parent: newID[p], Bytes: int64(b)})
			}
		}
		inst.Tasks = append(inst.Tasks, st)
		inst.TaskNames = append(inst.TaskNames, t.name)
		m := -1
		if t.machine != "" {
			if mi, ok := machineIdx[t.machine]; ok {
				m = mi
			}
		}
		inst.TaskMachine = append(inst.TaskMachine, m)
	}
	return nil
}

// jsonError turns an encoding/json error into an *Error with a line.
func jsonError(file string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &Error{File: file, Line: lineAt(data, se.Offset), Msg: "invalid JSON: " + se.Error()}
	case errors.As(err, &te):
		return &Error{File: file, Line: lineAt(data, te.Offset), Column: te.Field,
			Msg: fmt.Sprintf("expected %s, got a JSON %s", jsonTypeName(te.Type.String()), te.Value)}
	}
	return &Error{File: file, Msg: "invalid JSON: " + err.Error()}
}

func jsonTypeName(goType string) string {
	switch {
	case strings.Contains(goType, "float64"):
		return "a number"
	case strings.Contains(goType, "[]"):
		return "an array"
	case strings.Contains(goType, "string"):
		return "a string"
	}
	return "an object"
}

// lineAt is the 1-based line of byte offset off.
func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return 1 + bytes.Count(data[:max(off, 0)], []byte{'\n'})
}

// WfSource streams the instance's tasks as one workflow arriving at
// arrival, ids offset by base, named workflow ("" keeps the instance name).
func (inst *WfInstance) WfSource(arrival sim.Time, base int64, workflow string) sim.Source {
	return &wfSource{inst: inst, at: arrival, base: base, name: workflow}
}

type wfSource struct {
	inst *WfInstance
	at   sim.Time
	base int64
	name string
	i    int
}

func (s *wfSource) Next(t *sim.Task) error {
	if s.i >= len(s.inst.Tasks) {
		return io.EOF
	}
	*t = s.inst.Tasks[s.i]
	s.i++
	t.Arrival = s.at
	t.ID += s.base
	if s.name != "" {
		t.Workflow = s.name
	}
	if t.Deps != nil {
		d := &sim.Deps{Parents: append([]sim.Edge(nil), t.Deps.Parents...)}
		for k := range d.Parents {
			d.Parents[k].Parent += s.base
		}
		t.Deps = d
	}
	return nil
}
