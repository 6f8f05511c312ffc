package scenario

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/fleetsim/fleetsim/sim"
)

// Limits on what a scenario file may ask for, so that no input can make
// the loader (or a run) exhaust memory.
const (
	MaxFileSize = 1 << 20      // bytes of YAML
	MaxNodes    = sim.MaxNodes // nodes in all groups together
)

// Field lists, in the order the documentation gives them; error messages
// print them as they are.
var (
	topFields      = []string{"name", "description", "seed", "stop", "warmup", "cluster", "workload", "strategies", "network", "faults", "client", "health", "real", "workflows"}
	clusterFields  = []string{"queueing", "nodes", "nodes_from", "startup", "queue", "backfill", "pending_timeout", "sample_every", "inference", "rack_slowdown"}
	groupFields    = []string{"group", "count", "region", "slots", "speed", "cpu", "memory", "gpus", "gpu_model", "cost_per_hour", "background", "power", "autoscale", "rack", "labels", "taints"}
	workloadFields = []string{"arrivals", "service", "trace", "shapes", "inflation", "origins", "sessions", "tokens", "procs_per_node", "kubernetes", "memory_use", "estimates", "requests"}
	shapeFields    = []string{"cpu", "memory", "gpus", "gpu_milli", "gpu_spec", "weight"}
	limitFields    = []string{"tasks", "time"}
	startupFields  = []string{"mean", "cv"}
	traceFields    = []string{"path", "format"}

	arrivalFields = map[string][]string{
		ArrivalsPoisson:       {"process", "rate"},
		ArrivalsDeterministic: {"process", "rate"},
		ArrivalsBursty:        {"process", "rates", "hold"},
		ArrivalsDiurnal:       {"process", "rate", "amplitude", "period", "peak", "bursts"},
	}
	serviceFields = map[string][]string{
		ServiceExponential:      {"dist", "mean"},
		ServiceDeterministic:    {"dist", "mean"},
		ServiceLognormal:        {"dist", "mean", "cv"},
		ServiceBoundedPareto:    {"dist", "alpha", "min", "max"},
		ServiceHyperexponential: {"dist", "mean", "cv"},
		ServiceEmpirical:        {"dist", "quantiles"},
	}
)

// maxInt is the largest int, as an int64.
const maxInt = int64(math.MaxInt)

// Parse parses and validates a scenario. file names it in errors (and gives
// the default name); dir is the folder relative paths in it are resolved
// against. Every error it returns is an *Error.
func Parse(file string, data []byte, dir string) (*Scenario, error) {
	return ParseWith(file, data, dir, nil)
}

// ParseWith is Parse with sets applied to the YAML tree, in order, before
// it is validated (see Set): a set's value is checked as if it were
// written in the file, and an error at it names the set. A set whose path
// does not lead to a scalar is an *Error naming the set:
//
//	web.yaml:12:5: --set cluster.nodes[3].count=4: cluster.nodes has 2 entries (0..1)
//
// The Scenario keeps data (as YAML, before the sets) and sets.
func ParseWith(file string, data []byte, dir string, sets []Set) (*Scenario, error) {
	if len(data) > MaxFileSize {
		return nil, &Error{File: file, Msg: fmt.Sprintf("expected a file of at most %d bytes, got %d bytes", MaxFileSize, len(data))}
	}
	root, err := parseYAML(file, data)
	if err != nil {
		return nil, err
	}
	r := &reader{file: file, dir: dir}
	if len(sets) > 0 && root.Kind == yaml.MappingNode {
		// (Anything but a mapping gets the reader's own error.)
		done, err := applySets(file, root, sets)
		if err != nil {
			return nil, err
		}
		r.sets = done
	}
	r.noAnchors(root)
	s := r.scenario(root)
	if r.err != nil {
		return nil, r.err
	}
	s.YAML = bytes.Clone(data)
	s.Sets = slices.Clone(sets)
	return s, nil
}

// parseYAML parses data into a tree and returns the root node of its one
// document.
func parseYAML(file string, data []byte) (root *yaml.Node, err error) {
	defer func() {
		// The parser reports malformed input by returning errors, but
		// a parser bug must not take the program down with it.
		if p := recover(); p != nil {
			root, err = nil, &Error{File: file, Msg: fmt.Sprintf("invalid YAML: %v", p)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, &Error{File: file, Msg: "expected a scenario (a mapping with cluster, workload and strategies), got an empty file"}
		}
		return nil, yamlError(file, data, err)
	}
	for {
		var extra yaml.Node
		err := dec.Decode(&extra)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, yamlError(file, data, err)
		}
		if len(extra.Content) == 1 && extra.Content[0].ShortTag() == "!!null" && extra.Content[0].Value == "" {
			continue // a trailing "---" with nothing after it
		}
		return nil, &Error{File: file, Line: extra.Line, Column: extra.Column, Msg: "expected one YAML document, got a second one here"}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, &Error{File: file, Msg: "expected one YAML document"}
	}
	return doc.Content[0], nil
}

var yamlLine = regexp.MustCompile(`^line ([0-9]+): (.*)$`)

// yamlError turns the parser's "yaml: line 3: did not find expected key"
// into an *Error at that line.
//
// yaml.v3 numbers lines from 1 for scanner errors but from 0 for parser
// errors (those in parserProblems), and leaves the line out when its
// number is 0. So parser lines get 1 added, and an error without a line
// is located by parsing again one line lower: if the same problem then
// shows a line, it was on the first.
func yamlError(file string, data []byte, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	e := &Error{File: file, Msg: "invalid YAML: " + msg}
	if line, text, ok := yamlErrorLine(msg); ok {
		if parserProblems[text] {
			line++
		}
		e.Line, e.Msg = line, "invalid YAML: "+text
	} else if _, text, ok := yamlErrorLine(reparse(data)); ok && text == msg {
		e.Line = 1
	}
	return e
}

// parserProblems are the messages of yaml.v3's parser (parserc.go), as
// opposed to its scanner.
var parserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found undefined tag handle":             true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

// yamlErrorLine splits "line 3: did not find expected key".
func yamlErrorLine(msg string) (int, string, bool) {
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return 0, "", false
	}
	line, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, "", false
	}
	return line, m[2], true
}

// reparse parses data after an extra blank line and returns the error,
// without "yaml: ", or "".
func reparse(data []byte) (msg string) {
	defer func() {
		if recover() != nil {
			msg = ""
		}
	}()
	dec := yaml.NewDecoder(io.MultiReader(strings.NewReader("\n"), bytes.NewReader(data)))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if err == io.EOF {
			return ""
		}
		if err != nil {
			return strings.TrimPrefix(err.Error(), "yaml: ")
		}
	}
}

// scenario reads the top level. Fields are read in file order, so the
// first error reported is the first in the file; missing fields come after.
func (r *reader) scenario(root *yaml.Node) *Scenario {
	m := r.mapping(root, "", "a mapping of scenario fields ("+strings.Join(topFields, ", ")+")")
	s := &Scenario{File: r.file, Dir: r.dir, Seed: 1, Name: defaultName(r.file), shapes: &shapeCache{}}
	for _, k := range m.keys {
		v := m.get(k)
		switch k {
		case "name":
			s.Name = r.string(v, "name", "a name")
		case "description":
			s.Description = strings.Join(strings.Fields(r.string(v, "description", "a one-line description")), " ")
		case "seed":
			s.Seed = r.uint64(v, "seed")
		case "stop":
			s.Stop = r.limit(v, "stop", true)
		case "warmup":
			s.Warmup = r.limit(v, "warmup", false)
		case "cluster":
			s.Cluster = r.cluster(v)
		case "workload":
			s.Workload = r.workload(v)
		case "strategies":
			s.Strategies = r.strategies(v)
		case "network":
			s.Network = r.network(v)
		case "faults":
			s.Faults = r.faults(v)
		case "client":
			s.Client = r.client(v)
		case "health":
			s.Health = r.health(v)
		case "real":
			s.Real = r.real(v, m.keyNode(k).Line)
		case "workflows":
			s.Workflows = r.workflows(v)
		default:
			m.unknown(k, topFields)
		}
		if r.err != nil {
			return s
		}
	}
	m.require("cluster", "a mapping with nodes")
	if s.Workflows != nil {
		r.workflowsOnly(m, s)
	} else {
		m.require("workload", "a mapping with arrivals and service, or a trace")
	}
	if s.Workload.Trace == nil && s.Workload.Inflation == nil && s.Workflows == nil {
		m.require("stop", "a limit like {tasks: 100000} or {time: 1h} (required unless the workload is a trace)")
	}
	m.require("strategies", "a list of strategies, like [random, p2c]")
	if m.has("warmup") {
		r.warmupBeforeStop(m, s.Warmup, s.Stop)
	}
	r.central(m, s)
	r.gangsCheck(m, s)
	r.dynamics(m, s)
	r.realNodes(m, s)
	r.kubernetes(m, s)
	r.checkRequests(m, s)
	return s
}

// defaultName is a file's base name without extension ("embedded:NAME"
// gives NAME).
func defaultName(file string) string {
	if name, ok := strings.CutPrefix(file, embeddedPrefix); ok && name != "" {
		return name
	}
	base := filepath.Base(file)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	if base == "" || base == "." || base == string(filepath.Separator) {
		return "scenario"
	}
	return base
}

// limit reads {tasks: N} or {time: D}. A stop needs a positive limit; a
// warm-up may be zero.
func (r *reader) limit(n *yaml.Node, path string, stop bool) Limit {
	m := r.mapping(n, path, "a mapping like {tasks: 100000} or {time: 1h}")
	m.allow(limitFields...)
	min, b := int64(0), nonNegative
	if stop {
		min, b = 1, positive
	}
	var l Limit
	switch {
	case m.has("tasks") && m.has("time"):
		r.failf(m.keyNode("time"), m.field("time"), "expected tasks or time, got both")
	case m.has("tasks"):
		l.Tasks = r.int(m.get("tasks"), m.field("tasks"), min, math.MaxInt64)
	case m.has("time"):
		l.Time = r.duration(m.get("time"), m.field("time"), b)
	case m.node != nil:
		r.failf(m.node, path, "expected a mapping like {tasks: 100000} or {time: 1h}, got an empty mapping")
	}
	return l
}

// warmupBeforeStop checks that a warm-up ends before arrivals stop, when
// both are counted the same way.
func (r *reader) warmupBeforeStop(top *mapping, warmup, stop Limit) {
	if r.err != nil {
		return
	}
	m := r.mapping(top.get("warmup"), "warmup", "")
	switch {
	case warmup.Tasks > 0 && stop.Tasks > 0 && warmup.Tasks >= stop.Tasks:
		r.failf(m.get("tasks"), "warmup.tasks", "expected fewer tasks than stop.tasks (%d), got %d", stop.Tasks, warmup.Tasks)
	case warmup.Time > 0 && stop.Time > 0 && warmup.Time >= stop.Time:
		r.failf(m.get("time"), "warmup.time", "expected less time than stop.time (%s), got %s", fmtDuration(stop.Time), describe(m.get("time")))
	}
}

// fmtDuration prints d as a Go duration ("10m0s").
func fmtDuration(d sim.Time) string { return time.Duration(d).String() }
