package realexec

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A Daemon is one private containerd started by Up: its folder (root,
// state, opt path, socket and log all inside it) and process.
type Daemon struct {
	Index   int
	Dir     string // DIR/node-i
	Address string // unix://DIR/node-i/containerd.sock
	PID     int
}

// Node is the NodeConfig for the cluster node called name played by d:
// its stdio FIFOs and runc's state live in d's folder, so that nothing is
// left outside it.
func (d Daemon) Node(name string) NodeConfig {
	return NodeConfig{Name: name, Address: d.Address, FIFODir: filepath.Join(d.Dir, "fifo"), RuncRoot: filepath.Join(d.Dir, "runc")}
}

// Socket is the path of daemon folder d's gRPC socket.
func Socket(d string) string { return filepath.Join(d, "containerd.sock") }

// NodeDir is the folder of node i under the folder Up was given.
func NodeDir(dir string, i int) string { return filepath.Join(dir, "node-"+strconv.Itoa(i)) }

// config is containerd 1.6's configuration (version 2) for one private
// daemon: everything it writes is under d. The CRI plugin and the
// snapshotters fleetsim never uses are disabled, so the daemon starts in a
// second and needs no CNI.
func config(d string) string {
	q := strconv.Quote
	return fmt.Sprintf(`version = 2
root = %s
state = %s
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]

[grpc]
  address = %s

[ttrpc]
  address = %s

[plugins."io.containerd.internal.v1.opt"]
  path = %s
`, q(filepath.Join(d, "root")), q(filepath.Join(d, "state")), q(Socket(d)), q(Socket(d)+".ttrpc"), q(filepath.Join(d, "opt")))
}

// Up starts n private containerd daemons under dir (DIR/node-0 …
// DIR/node-(n-1)), each with its own root, state, socket and opt path, and
// returns once every socket answers. containerd is the daemon's binary
// ("" looks it up on PATH). The daemons run in their own process groups and
// outlive the caller; Down stops them. Up needs root (containerd does).
//
// containerd 1.6 still puts shim sockets and runc state under
// /run/containerd whatever its state folder is; Down removes what fleetsim's
// own containers left there by deleting them before the daemons stop.
func Up(dir string, n int, containerd string) ([]Daemon, error) {
	if n < 1 {
		return nil, fmt.Errorf("real up: expected at least 1 node, got %d", n)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for i := 0; i < n; i++ {
		if err := ownable(NodeDir(abs, i)); err != nil {
			return nil, err
		}
	}
	if containerd == "" {
		p, err := exec.LookPath("containerd")
		if err != nil {
			return nil, errors.New("real up: containerd is not on PATH (Debian: apt-get install containerd runc)")
		}
		containerd = p
	}
	if os.Geteuid() != 0 {
		return nil, errors.New("real up: containerd needs root; run as root")
	}
	dir = abs
	// A unix socket path is at most 107 bytes.
	if l := len(Socket(NodeDir(dir, n-1))) + len(".ttrpc"); l > 107 {
		return nil, fmt.Errorf("real up: %s is too deep: socket paths would be %d bytes, the limit is 107", dir, l)
	}
	var ds []Daemon
	for i := 0; i < n; i++ {
		d := NodeDir(dir, i)
		if pid := readPID(d); pid > 0 && alive(pid, d) {
			ds = append(ds, Daemon{Index: i, Dir: d, Address: "unix://" + Socket(d), PID: pid})
			continue
		}
		if err := os.MkdirAll(d, 0o700); err != nil {
			return ds, err
		}
		if err := os.WriteFile(filepath.Join(d, MarkerFile), []byte(marker), 0o600); err != nil {
			return ds, err
		}
		for _, sub := range []string{"root", "state", "opt"} {
			if err := os.MkdirAll(filepath.Join(d, sub), 0o700); err != nil {
				return ds, err
			}
		}
		cfg := filepath.Join(d, "config.toml")
		if err := os.WriteFile(cfg, []byte(config(d)), 0o600); err != nil {
			return ds, err
		}
		log, err := os.OpenFile(filepath.Join(d, "containerd.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return ds, err
		}
		cmd := exec.Command(containerd, "--config", cfg)
		cmd.Stdout, cmd.Stderr = log, log
		cmd.Dir = d
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		err = cmd.Start()
		log.Close()
		if err != nil {
			return ds, fmt.Errorf("real up: starting %s: %w", containerd, err)
		}
		pid := cmd.Process.Pid
		_ = cmd.Process.Release()
		if err := os.WriteFile(filepath.Join(d, "containerd.pid"), []byte(strconv.Itoa(pid)+"\n"), 0o600); err != nil {
			return ds, err
		}
		ds = append(ds, Daemon{Index: i, Dir: d, Address: "unix://" + Socket(d), PID: pid})
	}
	for _, dm := range ds {
		if err := waitSocket(Socket(dm.Dir), dm.PID, 30*time.Second); err != nil {
			return ds, fmt.Errorf("real up: node-%d: %w (see %s)", dm.Index, err, filepath.Join(dm.Dir, "containerd.log"))
		}
	}
	return ds, nil
}

// MarkerFile marks a node folder as made by Up: Daemons and Down consider
// only marked folders, and Up refuses an existing folder without one, so
// that a user's folder that happens to be called node-0 (or to hold a
// config.toml) is never taken over or deleted.
const MarkerFile = ".fleetsim-daemon"

// marker is MarkerFile's content: its format and version.
const marker = `{"format":"fleetsim-daemon","version":1}` + "\n"

// marked reports whether d holds Up's marker.
func marked(d string) bool {
	b, err := os.ReadFile(filepath.Join(d, MarkerFile))
	return err == nil && string(b) == marker
}

// ownable says why Up may not use d (nil: it may): d exists, is not empty
// and is not marked as fleetsim's.
func ownable(d string) error {
	st, err := os.Lstat(d)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("real up: %s exists and is not a folder; choose another --dir", d)
	}
	if marked(d) {
		return nil
	}
	if es, _ := os.ReadDir(d); len(es) > 0 {
		return fmt.Errorf("real up: %s exists and was not made by fleetsim (no %s in it); choose another --dir", d, MarkerFile)
	}
	return nil
}

func waitSocket(path string, pid int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil
		}
		if syscall.Kill(pid, 0) != nil {
			return fmt.Errorf("containerd (pid %d) exited", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("containerd socket %s did not answer within %v", path, limit)
}

func readPID(d string) int {
	b, err := os.ReadFile(filepath.Join(d, "containerd.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// alive reports whether pid is a running containerd started with d's
// configuration (so a recycled PID is never signalled).
func alive(pid int, d string) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	return strings.Contains(string(b), filepath.Join(d, "config.toml"))
}

// Daemons lists the node folders under dir that Up made, in index order.
func Daemons(dir string) ([]Daemon, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	m, _ := filepath.Glob(filepath.Join(dir, "node-*"))
	var ds []Daemon
	for _, d := range m {
		i, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(d), "node-"))
		if err != nil {
			continue
		}
		if !marked(d) {
			continue
		}
		pid := readPID(d)
		if pid > 0 && !alive(pid, d) {
			pid = 0
		}
		ds = append(ds, Daemon{Index: i, Dir: d, Address: "unix://" + Socket(d), PID: pid})
	}
	sort.Slice(ds, func(a, b int) bool { return ds[a].Index < ds[b].Index })
	return ds, nil
}

// Down stops the daemons Up started under dir and removes what they left:
// fleetsim's containers, tasks and snapshots are deleted through each
// daemon first (namespace ns), then the daemon gets SIGTERM (SIGKILL after
// 10 s), leftover shims of that daemon are killed, mounts under its folder
// are detached, and the folder is removed. dir itself is removed when it
// is then empty. Nothing outside dir is touched but the shims' own files,
// which the shims remove as they exit.
func Down(ctx context.Context, dir, ns string) error {
	ds, err := Daemons(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, d := range ds {
		// The containers this daemon ran, by their task bundles (there
		// whether or not the daemon still answers) and by the daemon.
		ids := bundleIDs(d.Dir, ns)
		if d.PID > 0 {
			cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			if n, err := Connect(cctx, NodeConfig{Address: d.Address, Namespace: ns}, ""); err == nil {
				if cs, err := n.Containers(cctx); err == nil {
					ids = append(ids, cs...)
				}
				if err := n.Clean(cctx); err != nil {
					errs = append(errs, fmt.Errorf("node-%d: cleaning namespace %s: %w", d.Index, ns, err))
				}
				n.Close()
			}
			cancel()
			stop(d.PID)
		}
		killShims(Socket(d.Dir))
		// A task whose deletion did not finish (its command killed
		// mid-way, its shim killed just now) leaves its cgroups, and may
		// leave its process running without a shim.
		if err := removeCgroups(ns, ids); err != nil {
			errs = append(errs, fmt.Errorf("node-%d: %w", d.Index, err))
		}
		unmountUnder(d.Dir)
		if err := os.RemoveAll(d.Dir); err != nil {
			errs = append(errs, err)
		}
	}
	if abs, err := filepath.Abs(dir); err == nil {
		_ = os.Remove(abs) // only when empty
	}
	return errors.Join(errs...)
}

// stop sends SIGTERM to pid and SIGKILL after 10 s, and waits for it.
func stop(pid int) {
	_ = syscall.Kill(pid, syscall.SIGTERM)
	for i := 0; i < 1000; i++ {
		if gone(pid) {
			return
		}
		if i == 200 {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// gone reports whether pid has exited. A daemon started by this process
// (Up in the same process, as in tests) stays a zombie until reaped, so it
// is reaped here; for any other process the reap fails harmlessly.
func gone(pid int) bool {
	if p, err := syscall.Wait4(pid, nil, syscall.WNOHANG, nil); p == pid && err == nil {
		return true
	}
	return syscall.Kill(pid, 0) != nil
}

// killShims kills containerd-shim processes started for the daemon whose
// socket is sock (their command line names it with -address).
func killShims(sock string) {
	m, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, f := range m {
		b, err := os.ReadFile(f)
		if err != nil || !strings.Contains(string(b), "containerd-shim") {
			continue
		}
		args := strings.Split(string(b), "\x00")
		for i := 0; i+1 < len(args); i++ {
			if args[i] == "-address" && args[i+1] == sock {
				if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(f))); err == nil {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
	}
}

// bundleIDs lists the IDs of fleetsim's containers (named fleetsim-…) that
// have a task bundle in node folder d's state, namespace ns.
func bundleIDs(d, ns string) []string {
	m, _ := filepath.Glob(filepath.Join(d, "state", "io.containerd.runtime.v2.task", ns, "fleetsim-*"))
	ids := make([]string, 0, len(m))
	for _, p := range m {
		ids = append(ids, filepath.Base(p))
	}
	return ids
}

// cgroupRoots lists the mount points of the cgroup (v1, one per
// controller hierarchy) and cgroup2 file systems.
func cgroupRoots() []string {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	var roots []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		// ... mount-point(4) ... optional fields, "-", fstype, source, options
		for i := 6; i+1 < len(f); i++ {
			if f[i] == "-" {
				if f[i+1] == "cgroup" || f[i+1] == "cgroup2" {
					roots = append(roots, f[4])
				}
				break
			}
		}
	}
	return roots
}

// removeCgroups removes the cgroups of fleetsim's containers ids in
// namespace ns (NS/ID below each cgroup root, where runc puts them), first
// killing any process still in one. Only names fleetsim gives its
// containers are touched.
func removeCgroups(ns string, ids []string) error {
	var errs []error
	roots := cgroupRoots()
	for _, id := range ids {
		if !strings.HasPrefix(id, "fleetsim-") || strings.ContainsAny(id, "/\x00") || ns == "" || strings.ContainsAny(ns, "/\x00") || ns == "." || ns == ".." {
			continue
		}
		for _, r := range roots {
			p := filepath.Join(r, ns, id)
			var err error
			for try := 0; try < 100; try++ {
				if err = os.Remove(p); err == nil || errors.Is(err, fs.ErrNotExist) {
					err = nil
					break
				}
				if b, rerr := os.ReadFile(filepath.Join(p, "cgroup.procs")); rerr == nil {
					for _, f := range strings.Fields(string(b)) {
						if pid, perr := strconv.Atoi(f); perr == nil && pid > 1 {
							_ = syscall.Kill(pid, syscall.SIGKILL)
						}
					}
				}
				time.Sleep(10 * time.Millisecond)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("removing cgroup %s: %w", p, err))
			}
		}
	}
	// NS itself stays: runc makes it as the parent of every container's
	// cgroup in the namespace, and another run may be creating one there.
	return errors.Join(errs...)
}

// unmountUnder detaches every mount point below d, deepest first.
func unmountUnder(d string) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return
	}
	var mps []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) > 4 && strings.HasPrefix(fs[4], d+"/") {
			mps = append(mps, fs[4])
		}
	}
	f.Close()
	sort.Slice(mps, func(a, b int) bool { return len(mps[a]) > len(mps[b]) })
	for _, mp := range mps {
		_ = syscall.Unmount(mp, syscall.MNT_DETACH)
	}
}
