package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/fleetsim/fleetsim/realexec"
)

// A guard is a child process that outlives a command working on real
// nodes and cleans up after it if it dies without doing so itself: on
// kill -9, an out-of-memory kill or a crash, nothing in this process can
// run, so the containers it started would keep running and temporary
// daemons would stay up forever. The guard runs in its own session (a
// terminal's Ctrl-C or hang-up does not reach it) and reads a pipe whose
// only writer is this process: "done" means the command cleaned up
// itself; end of file without it means the command died, and the guard
// removes fleetsim's containers on the nodes and, for temporary daemons,
// stops them and removes their folder (realexec.Down).
type guard struct {
	w   *os.File
	pid int
}

// guardDone is what the command writes when it has cleaned up itself.
const guardDone = "done\n"

// startGuard starts a guard for daemons under dir (temporary: stop them
// and remove dir too, cleaning namespace ns first) and for nodes (each
// cleaned in its own namespace). A
// guard that cannot start is reported and the command goes on: it is a
// safety net, not a precondition.
func startGuard(stderr io.Writer, dir string, temporary bool, ns string, nodes []realexec.NodeConfig) *guard {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "warning: no clean-up guard (%v): if fleetsim is killed, run fleetsim real down\n", err)
		return nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(stderr, "warning: no clean-up guard (%v): if fleetsim is killed, run fleetsim real down\n", err)
		return nil
	}
	args := []string{"real", "guard", "--namespace", ns}
	if dir != "" {
		args = append(args, "--dir", dir)
	}
	if temporary {
		args = append(args, "--temporary")
	}
	for _, n := range nodes {
		args = append(args, "--node", n.Namespace+"="+n.Address)
	}
	cmd := exec.Command(exe, args...)
	cmd.Stdin = r
	cmd.Env = append(os.Environ(), "FLEETSIM_AS_CLI=1") // the tests' binary runs the CLI too
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		fmt.Fprintf(stderr, "warning: no clean-up guard (%v): if fleetsim is killed, run fleetsim real down\n", err)
		return nil
	}
	r.Close()
	pid := cmd.Process.Pid
	go func() { _ = cmd.Wait() }() // reap it when it ends before us
	return &guard{w: w, pid: pid}
}

// Done tells the guard that the command cleaned up itself.
func (g *guard) Done() {
	if g == nil || g.w == nil {
		return
	}
	_, _ = io.WriteString(g.w, guardDone)
	g.w.Close()
	g.w = nil
}

func newRealGuardCmd() *cobra.Command {
	var dir, ns string
	var temporary bool
	var nodes []string
	c := &cobra.Command{
		Use:    "guard",
		Short:  "Clean up after a real command that dies (started by fleetsim itself)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			signal.Ignore(syscall.SIGINT, syscall.SIGHUP, syscall.SIGTERM)
			b, _ := io.ReadAll(io.LimitReader(cmd.InOrStdin(), 64))
			if strings.HasPrefix(string(b), strings.TrimSpace(guardDone)) {
				return nil
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var errs []error
			for _, a := range nodes {
				nsp, addr, _ := strings.Cut(a, "=")
				n, err := realexec.Connect(ctx, realexec.NodeConfig{Address: addr, Namespace: nsp}, "")
				if err != nil {
					continue // gone with its daemon
				}
				errs = append(errs, n.Clean(ctx))
				n.Close()
			}
			if temporary && dir != "" {
				err := realexec.Down(ctx, dir, ns)
				if err == nil {
					unregisterTemporary(dir)
				}
				errs = append(errs, err)
			}
			return errors.Join(errs...)
		},
	}
	c.Flags().StringVar(&dir, "dir", "", "folder of the daemons")
	c.Flags().BoolVar(&temporary, "temporary", false, "stop the daemons under --dir and remove it")
	c.Flags().StringVar(&ns, "namespace", "", "containerd namespace")
	c.Flags().StringArrayVar(&nodes, "node", nil, "a node to clean, NAMESPACE=ADDRESS")
	return c
}

// temporaryFile registers a folder of temporary daemons: the pids of the
// command that started them and of its guard, and the namespace. Should
// both die without cleaning up (the guard killed too), the next command
// that starts temporary daemons removes them (reapTemporaries).
const temporaryFile = ".fleetsim-temporary"

func registerTemporary(dir, ns string, g *guard) {
	gp := 0
	if g != nil {
		gp = g.pid
	}
	// Written aside and renamed: a kill -9 mid-write leaves the previous
	// registration whole, never a truncated one that reads as nobody's.
	tmp := filepath.Join(dir, temporaryFile+".tmp")
	if os.WriteFile(tmp, []byte(fmt.Sprintf("%d %d %s\n", os.Getpid(), gp, ns)), 0o600) == nil {
		_ = os.Rename(tmp, filepath.Join(dir, temporaryFile))
	}
}

// fleetsimAlive reports whether pid is a live fleetsim process (its
// command line names fleetsim), so that a recycled pid does not count.
func fleetsimAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return err == nil && strings.Contains(string(b), "fleetsim")
}

// reapTemporaries removes the registered temporary daemons whose command
// and guard are both gone.
func reapTemporaries(ctx context.Context, stderr io.Writer) {
	m, _ := filepath.Glob(filepath.Join(os.TempDir(), "fsr*", temporaryFile))
	for _, f := range m {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var owner, gp int
		var ns string
		if n, _ := fmt.Sscanf(string(b), "%d %d %s", &owner, &gp, &ns); n != 3 || fleetsimAlive(owner) || fleetsimAlive(gp) {
			continue
		}
		dir := filepath.Dir(f)
		cctx, cancel := context.WithTimeout(ctx, time.Minute)
		err = realexec.Down(cctx, dir, ns)
		cancel()
		if err == nil {
			unregisterTemporary(dir)
			fmt.Fprintf(stderr, "removed the temporary daemons of a killed run in %s\n", dir)
		}
	}
}

// unregisterTemporary removes dir's registration and dir itself once empty
// (after Down).
func unregisterTemporary(dir string) {
	_ = os.Remove(filepath.Join(dir, temporaryFile+".tmp"))
	_ = os.Remove(filepath.Join(dir, temporaryFile))
	_ = os.Remove(dir)
}
