package scenario

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The real section: how to run the scenario on live containerd daemons,
// one per cluster node. This package only reads and checks it; the
// executor lives elsewhere.

var (
	realFields     = []string{"namespace", "snapshotter", "nodes"}
	realNodeFields = []string{"address", "namespace", "cpu", "memory", "gpus", "slots"}
)

// DefaultNamespace is the containerd namespace fleetsim uses when the real
// section names none.
const DefaultNamespace = "fleetsim"

// Snapshotters are the values real.snapshotter may take: "" is overlayfs,
// falling back to native where overlayfs is not available.
var Snapshotters = []string{"", "overlayfs", "native"}

// namespaceName is what containerd accepts as a namespace: letters and
// digits in runs separated by one '.', '_' or '-', at most 76 characters.
var namespaceName = regexp.MustCompile(`^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$`)

const maxNamespace = 76

// Real is the real section: the containerd namespace and snapshotter to
// use on every node, and, when Nodes is not empty, the daemon of each
// cluster node, in node order (one entry per node).
type Real struct {
	Namespace   string // DefaultNamespace unless set
	Snapshotter string // one of Snapshotters
	Nodes       []RealNode
	Line        int // line of the real field, for later errors
}

// RealNode is one cluster node's daemon and what fleetsim may use there.
// Zero CPU, Memory and Slots, and GPUs without HasGPUs, keep the cluster
// node's values.
type RealNode struct {
	Address   string // unix:// URL of the daemon's socket
	Namespace string // overrides Real.Namespace when set
	CPU       int64  // milli-cores
	Memory    int64  // bytes
	GPUs      int
	Slots     int
	HasGPUs   bool // gpus was given (0 overrides too)
	Line      int  // line of the entry
}

// real reads the real section, whose key is on line.
func (r *reader) real(n *yaml.Node, line int) *Real {
	rl := &Real{Namespace: DefaultNamespace, Line: line}
	m := r.mapping(n, "real", "a mapping with namespace, snapshotter and nodes")
	m.allow(realFields...)
	if v := m.get("namespace"); v != nil {
		rl.Namespace = r.namespace(v, m.field("namespace"))
	}
	if v := m.get("snapshotter"); v != nil && r.err == nil {
		if v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" || !slices.Contains(Snapshotters, v.Value) {
			r.failf(v, m.field("snapshotter"), `expected overlayfs, native, or "" (overlayfs, else native), got %s`, describe(v))
		}
		rl.Snapshotter = v.Value
	}
	v := m.get("nodes")
	if v == nil || r.err != nil {
		return rl
	}
	if v.Kind != yaml.SequenceNode {
		r.failf(v, "real.nodes", "expected a list of node daemons like [{address: unix:///run/containerd/containerd.sock}], got %s", describe(v))
		return rl
	}
	rl.Nodes = []RealNode{} // given, even empty: checked against the cluster
	for i, en := range v.Content {
		p := index("real.nodes", i)
		em := r.mapping(en, p, "a node daemon like {address: unix:///run/containerd/containerd.sock}")
		em.allow(realNodeFields...)
		nd := RealNode{Line: en.Line}
		for _, k := range em.keys {
			f := em.get(k)
			switch field := em.field(k); k {
			case "address":
				nd.Address = r.address(f, field)
			case "namespace":
				nd.Namespace = r.namespace(f, field)
			case "cpu":
				nd.CPU = r.quantity(f, field, "a number of cores", cpuUnits, "cores like 16 or 0.5, or milli-cores like 250m")
			case "memory":
				nd.Memory = r.quantity(f, field, "a size", SizeUnits, "bytes, or a number with a suffix "+sizeSuffixes)
			case "gpus":
				nd.GPUs, nd.HasGPUs = int(r.int(f, field, 0, maxInt)), true
			case "slots":
				nd.Slots = int(r.int(f, field, 1, maxInt))
			}
		}
		em.require("address", "the daemon's socket, a unix:// URL or an absolute path")
		if r.err != nil {
			return rl
		}
		rl.Nodes = append(rl.Nodes, nd)
	}
	return rl
}

// namespace reads a containerd namespace.
func (r *reader) namespace(n *yaml.Node, field string) string {
	s := r.string(n, field, "a containerd namespace")
	if r.err == nil && (len(s) > maxNamespace || !namespaceName.MatchString(s)) {
		r.failf(n, field, "expected a containerd namespace (letters and digits in runs separated by one '.', '_' or '-', at most %d characters), got %s", maxNamespace, describe(n))
	}
	return s
}

// address reads a daemon's socket, a unix:// URL or an absolute path, and
// returns it as a unix:// URL.
func (r *reader) address(n *yaml.Node, field string) string {
	s := r.string(n, field, "a unix:// URL or an absolute socket path")
	if r.err != nil {
		return ""
	}
	p, url := strings.CutPrefix(s, "unix://")
	if !path.IsAbs(p) || strings.ContainsAny(p, "\x00") {
		want := "an absolute socket path"
		if url {
			want = "unix:// followed by an absolute socket path, like unix:///run/containerd/containerd.sock"
		} else if strings.Contains(s, "://") {
			want = "a unix:// URL (only unix sockets are supported) or an absolute socket path"
		}
		r.failf(n, field, "expected %s, got %s", want, describe(n))
		return ""
	}
	return "unix://" + p
}

// realNodes checks, once the whole file is read, that real.nodes has one
// entry per cluster node.
func (r *reader) realNodes(top *mapping, s *Scenario) {
	if r.err != nil || s.Real == nil || s.Real.Nodes == nil {
		return
	}
	if got, want := len(s.Real.Nodes), s.NodeCount(); got != want {
		rm := r.mapping(top.get("real"), "real", "")
		r.failf(rm.keyNode("nodes"), "real.nodes", "expected one entry per cluster node, in node order (%d), got %d", want, got)
	}
}
