package realexec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	cgroup1 "github.com/containerd/cgroups/v3/cgroup1/stats"
	cgroup2 "github.com/containerd/cgroups/v3/cgroup2/stats"
	apievents "github.com/containerd/containerd/api/events"
	"github.com/containerd/containerd/api/types/runc/options"
	containerd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/contrib/seccomp"
	"github.com/containerd/containerd/v2/pkg/cio"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/containerd/v2/pkg/oci"
	"github.com/containerd/errdefs"
	"google.golang.org/protobuf/proto"
)

// DefaultNamespace is the containerd namespace fleetsim works in.
const DefaultNamespace = "fleetsim"

// Labels on everything fleetsim creates: LabelOwner marks it as fleetsim's
// (Clean deletes only containers carrying it), LabelRun names the run.
const (
	LabelOwner = "fleetsim"
	LabelRun   = "fleetsim.run"
)

// NodeConfig is one real node: a containerd daemon and the share of its
// machine fleetsim may use.
type NodeConfig struct {
	Name      string // the cluster node it plays (scenario node name)
	Address   string // unix:///path/containerd.sock or /path/containerd.sock
	Namespace string // "" is DefaultNamespace
	Slots     int    // tasks at once (>= 1)
	CPU       int64  // milli-cores fleetsim may use there (0: one core per slot)
	Memory    int64  // bytes fleetsim may use there (0: 256 MiB per slot)
	// GPUs are this machine's GPUs (NVML) the node may hand out; the
	// strategy's GPU i of this node is GPUs[i].
	GPUs []GPU
	// FIFODir is where the containers' stdio FIFOs are made ("": a new
	// temporary folder, removed by Close). containerd 1.6's default,
	// /run/containerd/fifo, is outside fleetsim's folder.
	FIFODir string
	// RuncRoot is runc's state folder for fleetsim's containers ("": the
	// runtime's default, /run/containerd/runc/NAMESPACE).
	RuncRoot string
}

// CFSPeriod is the CFS bandwidth period of every container's CPU quota, in
// µs: 10 ms rather than the kernel's default 100 ms, so that a task with
// half a core runs 5 ms in every 10 and not 50 in every 100. With the
// default, a task needing less CPU than one period's quota runs at full
// speed and longer ones at the quota's, and a short task's time depends
// on where in a period it starts: far from the simulator's model of a
// node that serves work at a steady speed. The quota is at least 1 ms
// (the kernel's minimum), i.e. 100 milli-cores.
const CFSPeriod = 10000

// A Node is a connection to one containerd daemon.
type Node struct {
	cfg         NodeConfig
	client      *containerd.Client
	ctx         context.Context // carries the namespace
	snapshotter string
	image       containerd.Image
	fifoDir     string
	ownFIFO     bool
}

// Connect dials a node's daemon (ctx bounds the dial) and returns it.
// snapshotter "" tries overlayfs and falls back to native when the image
// cannot be unpacked with it (EnsureImage decides).
func Connect(ctx context.Context, cfg NodeConfig, snapshotter string) (*Node, error) {
	if cfg.Namespace == "" {
		cfg.Namespace = DefaultNamespace
	}
	addr := strings.TrimPrefix(cfg.Address, "unix://")
	if !strings.HasPrefix(addr, "/") {
		return nil, fmt.Errorf("node %s: address %q: expected unix:///absolute/path/containerd.sock", cfg.Name, cfg.Address)
	}
	if _, err := os.Stat(addr); err != nil {
		return nil, fmt.Errorf("node %s: %s: no socket there (is the daemon up? fleetsim real up N starts private ones)", cfg.Name, addr)
	}
	c, err := containerd.New(addr, containerd.WithDefaultNamespace(cfg.Namespace), containerd.WithTimeout(10*time.Second))
	if err != nil {
		return nil, fmt.Errorf("node %s: connecting to %s: %w", cfg.Name, addr, err)
	}
	n := &Node{cfg: cfg, client: c, ctx: namespaces.WithNamespace(context.Background(), cfg.Namespace), snapshotter: snapshotter}
	vctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := c.Version(namespaces.WithNamespace(vctx, cfg.Namespace)); err != nil {
		c.Close()
		return nil, fmt.Errorf("node %s: %s does not answer: %w", cfg.Name, addr, err)
	}
	n.fifoDir = cfg.FIFODir
	if n.fifoDir == "" {
		if n.fifoDir, err = os.MkdirTemp("", "fleetsim-fifo-"); err != nil {
			c.Close()
			return nil, err
		}
		n.ownFIFO = true
	}
	return n, nil
}

// Close closes the connection (the daemon keeps running) and removes the
// FIFO folder Connect made.
func (n *Node) Close() error {
	if n.ownFIFO {
		_ = os.RemoveAll(n.fifoDir)
	}
	return n.client.Close()
}

// Config is the node's configuration as connected.
func (n *Node) Config() NodeConfig { return n.cfg }

// Version is the daemon's version string.
func (n *Node) Version(ctx context.Context) (string, error) {
	v, err := n.client.Version(namespaces.WithNamespace(ctx, n.cfg.Namespace))
	return v.Version, err
}

// Snapshotter is the snapshotter containers are created with.
func (n *Node) Snapshotter() string { return n.snapshotter }

// Clean deletes every container fleetsim made in the node's namespace (those
// labelled LabelOwner) with its task and snapshot: what an interrupted or
// crashed run left. Their cgroups go too, with any process still in them,
// should a task's deletion have been cut short. Containers without the
// label are left alone.
func (n *Node) Clean(ctx context.Context) error {
	ctx = namespaces.WithNamespace(ctx, n.cfg.Namespace)
	cs, err := n.client.Containers(ctx, "labels."+strconv.Quote(LabelOwner))
	if err != nil {
		return err
	}
	var errs []error
	ids := make([]string, 0, len(cs))
	for _, c := range cs {
		ids = append(ids, c.ID())
		if err := remove(ctx, c); err != nil {
			errs = append(errs, err)
		}
	}
	// What a deleted task leaves when its deletion was cut short.
	errs = append(errs, removeCgroups(n.cfg.Namespace, ids))
	return errors.Join(errs...)
}

// Containers lists the IDs of fleetsim's containers on the node (those
// carrying LabelOwner), sorted.
func (n *Node) Containers(ctx context.Context) ([]string, error) {
	ctx = namespaces.WithNamespace(ctx, n.cfg.Namespace)
	cs, err := n.client.Containers(ctx, "labels."+strconv.Quote(LabelOwner))
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID()
	}
	sort.Strings(ids)
	return ids, nil
}

// remove kills c's task if it has one, deletes it, then deletes c and its
// snapshot.
func remove(ctx context.Context, c containerd.Container) error {
	if t, err := c.Task(ctx, nil); err == nil {
		if st, err := t.Status(ctx); err == nil && st.Status != containerd.Stopped {
			wc, werr := t.Wait(ctx)
			_ = t.Kill(ctx, syscall.SIGKILL)
			if werr == nil {
				select {
				case <-wc:
				case <-time.After(10 * time.Second):
				}
			}
		}
		if _, err := t.Delete(ctx, containerd.WithProcessKill); err != nil && !errdefs.IsNotFound(err) {
			return fmt.Errorf("container %s: deleting task: %w", c.ID(), err)
		}
	}
	if err := c.Delete(ctx, containerd.WithSnapshotCleanup); err != nil && !errdefs.IsNotFound(err) {
		return fmt.Errorf("container %s: %w", c.ID(), err)
	}
	return nil
}

// EnsureImage imports img into the node unless an image of that name with
// that manifest digest is there already, and unpacks it into the node's
// snapshotter (overlayfs, else native when none was named).
func (n *Node) EnsureImage(ctx context.Context, img *Image) error {
	ctx = namespaces.WithNamespace(ctx, n.cfg.Namespace)
	ci, err := n.client.GetImage(ctx, img.Name)
	if err != nil || ci.Target().Digest.String() != img.Manifest {
		if _, err := n.client.Import(ctx, bytes.NewReader(img.Tar), containerd.WithIndexName(img.Name+"-index")); err != nil {
			return fmt.Errorf("node %s: importing the workload image: %w", n.cfg.Name, err)
		}
		if ci, err = n.client.GetImage(ctx, img.Name); err != nil {
			return fmt.Errorf("node %s: the imported workload image is missing: %w", n.cfg.Name, err)
		}
	}
	tries := []string{n.snapshotter}
	if n.snapshotter == "" {
		tries = []string{"overlayfs", "native"}
	}
	var errs []error
	for _, sn := range tries {
		ok, err := ci.IsUnpacked(ctx, sn)
		if err == nil && !ok {
			err = ci.Unpack(ctx, sn)
		}
		if err == nil {
			n.snapshotter, n.image = sn, ci
			return nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", sn, err))
	}
	return fmt.Errorf("node %s: unpacking the workload image: %w", n.cfg.Name, errors.Join(errs...))
}

// Spec is one container to run on a node.
type Spec struct {
	ID     string   // container ID, unique on the machine (runc state is shared)
	Run    string   // run label value
	Args   []string // fleetsim-work's arguments
	CPU    int64    // CFS quota in milli-cores (0: none; at least 100)
	Memory int64    // memory limit in bytes (0: none)
	GPUs   []GPU    // devices to expose (NVIDIA_VISIBLE_DEVICES lists their indexes)
}

// PidsLimit is the most processes and threads a container may have: the
// workload is one Go program (a handful of threads); a fork bomb in a
// container must not take the machine.
const PidsLimit = 128

// hardening is what every container gets, since the workload needs no
// privilege: no capabilities at all (containerd's default set has 14, among
// them NET_RAW, MKNOD and SETUID), no new privileges, containerd's default
// seccomp profile (applied after the capabilities, as it depends on them),
// the pids limit, and a read-only root filesystem (the workload writes
// only to its standard output). GPU tasks keep their device rules, which
// gpuOpts adds. A user namespace is not used: see docs/real.md.
func hardening() []oci.SpecOpts {
	return []oci.SpecOpts{
		oci.WithCapabilities(nil),
		oci.WithAmbientCapabilities(nil),
		oci.WithNoNewPrivileges,
		seccomp.WithDefaultProfile(),
		oci.WithPidsLimit(PidsLimit),
		oci.WithRootFSReadonly(),
	}
}

// Timeline is when each step of a container's life happened, as offsets
// from the run's start, and how it ended.
type Timeline struct {
	Prepared time.Duration // container and its snapshot created
	Created  time.Duration // task created (shim started, runc create done)
	Started  time.Duration // task started
	Exited   time.Duration // exit seen
	ExitCode int
	Stdout   []byte
	Killed   bool // killed by Kill (a fault), not ended by itself
}

// Running is a started container; Wait returns its exit.
type Running struct {
	n    *Node
	c    containerd.Container
	t    containerd.Task
	exit <-chan containerd.ExitStatus
	out  *bytes.Buffer
	mu   sync.Mutex
	kill bool
	// usage, sampled by Sample: the counters' highest values (CPU time,
	// throttling) and the highest memory seen.
	peak Usage
}

// Start creates spec's container with its limits and starts it; now gives
// the run's clock. On error nothing is left behind.
func (n *Node) Start(ctx context.Context, spec Spec, now func() time.Duration, tl *Timeline) (*Running, error) {
	if n.image == nil {
		return nil, fmt.Errorf("node %s: no workload image (EnsureImage first)", n.cfg.Name)
	}
	ctx = namespaces.WithNamespace(ctx, n.cfg.Namespace)
	opts := []oci.SpecOpts{oci.WithImageConfig(n.image), oci.WithProcessArgs(append([]string{"/fleetsim-work"}, spec.Args...)...)}
	opts = append(opts, hardening()...)
	if spec.CPU > 0 {
		opts = append(opts, oci.WithCPUCFS(max(spec.CPU*CFSPeriod/1000, 1000), CFSPeriod))
	}
	if spec.Memory > 0 {
		opts = append(opts, oci.WithMemoryLimit(uint64(spec.Memory)))
		if swapAccounting() {
			opts = append(opts, oci.WithMemorySwap(spec.Memory))
		}
	}
	opts = append(opts, gpuOpts(spec.GPUs)...)
	copts := []containerd.NewContainerOpts{
		containerd.WithContainerLabels(map[string]string{LabelOwner: "1", LabelRun: spec.Run}),
		containerd.WithImage(n.image),
		containerd.WithSnapshotter(n.snapshotter),
		containerd.WithNewSnapshot(spec.ID, n.image),
		containerd.WithNewSpec(opts...)}
	if n.cfg.RuncRoot != "" {
		copts = append(copts, containerd.WithRuntime("io.containerd.runc.v2", &options.Options{Root: n.cfg.RuncRoot}))
	}
	c, err := n.client.NewContainer(ctx, spec.ID, copts...)
	if err != nil {
		return nil, fmt.Errorf("node %s: creating container %s: %w", n.cfg.Name, spec.ID, err)
	}
	tl.Prepared = now()
	r := &Running{n: n, c: c, out: new(bytes.Buffer)}
	creator := cio.NewCreator(cio.WithStreams(nil, &limited{b: r.out, max: 64 << 10}, &limited{b: r.out, max: 64 << 10}), cio.WithFIFODir(n.fifoDir))
	t, err := c.NewTask(ctx, creator)
	if err != nil {
		_ = c.Delete(context.WithoutCancel(ctx), containerd.WithSnapshotCleanup)
		return nil, fmt.Errorf("node %s: creating task %s: %w", n.cfg.Name, spec.ID, err)
	}
	r.t = t
	tl.Created = now()
	if r.exit, err = t.Wait(context.WithoutCancel(ctx)); err == nil {
		err = t.Start(ctx)
	}
	if err != nil {
		r.Delete(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("node %s: starting task %s: %w", n.cfg.Name, spec.ID, err)
	}
	tl.Started = now()
	return r, nil
}

// Wait blocks until the container exits and fills tl's exit fields.
func (r *Running) Wait(now func() time.Duration, tl *Timeline) {
	st := <-r.exit
	tl.Exited = now()
	tl.ExitCode = int(st.ExitCode())
	r.mu.Lock()
	tl.Killed = r.kill
	r.mu.Unlock()
}

// Kill sends SIGKILL (a node failure, or Ctrl-C).
func (r *Running) Kill(ctx context.Context) error {
	r.mu.Lock()
	r.kill = true
	r.mu.Unlock()
	err := r.t.Kill(namespaces.WithNamespace(ctx, r.n.cfg.Namespace), syscall.SIGKILL)
	if errdefs.IsNotFound(err) {
		return nil
	}
	return err
}

// Delete removes the task, the container and its snapshot, and returns
// what the container wrote (after its streams are closed).
func (r *Running) Delete(ctx context.Context) ([]byte, error) {
	ctx = namespaces.WithNamespace(ctx, r.n.cfg.Namespace)
	var errs []error
	if r.t != nil {
		if _, err := r.t.Delete(ctx, containerd.WithProcessKill); err != nil && !errdefs.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	if err := r.c.Delete(ctx, containerd.WithSnapshotCleanup); err != nil && !errdefs.IsNotFound(err) {
		errs = append(errs, err)
	}
	r.mu.Lock()
	out := append([]byte(nil), r.out.Bytes()...)
	r.mu.Unlock()
	return out, errors.Join(errs...)
}

// WatchOOM subscribes to the daemon's task OOM events (topic /tasks/oom,
// which the runc shim publishes when the kernel's OOM killer acts in a
// container's memory cgroup, v1 or v2) in the node's namespace, and calls
// oom with each event's container ID, on a goroutine of its own, until ctx
// ends or the subscription fails.
func (n *Node) WatchOOM(ctx context.Context, oom func(containerID string)) {
	ctx = namespaces.WithNamespace(ctx, n.cfg.Namespace)
	ch, errs := n.client.Subscribe(ctx, `topic=="/tasks/oom",namespace==`+strconv.Quote(n.cfg.Namespace))
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-errs:
				return
			case e, ok := <-ch:
				if !ok {
					return
				}
				if e == nil || e.Event == nil {
					continue
				}
				var ev apievents.TaskOOM
				if proto.Unmarshal(e.Event.GetValue(), &ev) == nil && ev.ContainerID != "" {
					oom(ev.ContainerID)
				}
			}
		}
	}()
}

// Usage is a container's resource use as its cgroup reports it.
type Usage struct {
	CPUNs  uint64 // CPU time used so far, nanoseconds
	Memory uint64 // memory in use now (working set: usage less inactive file cache)
	// CFS bandwidth accounting: the periods in which the cgroup ran, those
	// in which it used up its quota and was throttled, and the time it
	// spent throttled (cpu.stat's nr_periods, nr_throttled and
	// throttled_time / throttled_usec). Zero without a quota.
	Periods, ThrottledPeriods uint64
	ThrottledNs               uint64
}

// Sample reads the container's cgroup metrics (v1 or v2, whichever the
// node has) and remembers its CPU time and highest memory.
func (r *Running) Sample(ctx context.Context) (Usage, error) {
	m, err := r.t.Metrics(namespaces.WithNamespace(ctx, r.n.cfg.Namespace))
	if err != nil {
		return Usage{}, err
	}
	u, err := decodeMetrics(m.GetData().GetTypeUrl(), m.GetData().GetValue())
	if err != nil {
		return Usage{}, err
	}
	r.mu.Lock()
	p := &r.peak
	p.CPUNs = max(p.CPUNs, u.CPUNs)
	p.Memory = max(p.Memory, u.Memory)
	p.Periods = max(p.Periods, u.Periods)
	p.ThrottledPeriods = max(p.ThrottledPeriods, u.ThrottledPeriods)
	p.ThrottledNs = max(p.ThrottledNs, u.ThrottledNs)
	r.mu.Unlock()
	return u, nil
}

// Peak is the highest of each counter (CPU time, throttling) and of the
// memory that Sample saw.
func (r *Running) Peak() Usage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.peak
}

// decodeMetrics reads a task's metrics: containerd sends cgroup v1 or v2
// statistics as a protobuf Any whose type URL names which. The wire format
// of containerd 1.6's messages and cgroups/v3's is the same, so they are
// decoded by name rather than through a type registry.
func decodeMetrics(typeURL string, b []byte) (Usage, error) {
	switch {
	case strings.HasSuffix(typeURL, "cgroups.v1.Metrics"):
		var m cgroup1.Metrics
		if err := proto.Unmarshal(b, &m); err != nil {
			return Usage{}, fmt.Errorf("cgroup v1 metrics: %w", err)
		}
		mem := m.GetMemory().GetUsage().GetUsage()
		if inact := m.GetMemory().GetTotalInactiveFile(); inact < mem {
			mem -= inact
		}
		th := m.GetCPU().GetThrottling()
		return Usage{CPUNs: m.GetCPU().GetUsage().GetTotal(), Memory: mem,
			Periods: th.GetPeriods(), ThrottledPeriods: th.GetThrottledPeriods(), ThrottledNs: th.GetThrottledTime()}, nil
	case strings.HasSuffix(typeURL, "cgroups.v2.Metrics"):
		var m cgroup2.Metrics
		if err := proto.Unmarshal(b, &m); err != nil {
			return Usage{}, fmt.Errorf("cgroup v2 metrics: %w", err)
		}
		mem := m.GetMemory().GetUsage()
		if inact := m.GetMemory().GetInactiveFile(); inact < mem {
			mem -= inact
		}
		c := m.GetCPU()
		return Usage{CPUNs: c.GetUsageUsec() * 1000, Memory: mem,
			Periods: c.GetNrPeriods(), ThrottledPeriods: c.GetNrThrottled(), ThrottledNs: c.GetThrottledUsec() * 1000}, nil
	}
	return Usage{}, fmt.Errorf("task metrics of unknown type %q", typeURL)
}

// limited is a writer that keeps at most max bytes (a container's output is
// one JSON line; a runaway one must not grow the runner's memory).
type limited struct {
	mu  sync.Mutex
	b   *bytes.Buffer
	max int
}

func (l *limited) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := l.max - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// swapAccounting reports whether the memory cgroup can limit swap (v1 needs
// memory.memsw.*, v2 has memory.swap.max), so that a memory limit is not
// escaped by swapping.
func swapAccounting() bool {
	for _, f := range []string{"/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", "/sys/fs/cgroup/memory.swap.max"} {
		if _, err := os.Stat(f); err == nil {
			return true
		}
	}
	// v2: the root has no memory.swap.max; a child's shows support.
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		m, _ := os.ReadFile("/sys/fs/cgroup/cgroup.subtree_control")
		return strings.Contains(string(m), "memory") && swapOn()
	}
	return false
}

func swapOn() bool {
	b, err := os.ReadFile("/proc/swaps")
	return err == nil && strings.Count(string(b), "\n") > 1
}
