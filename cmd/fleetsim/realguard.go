package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
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
	w *os.File
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
	go func() { _ = cmd.Wait() }() // reap it when it ends before us
	return &guard{w: w}
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
				errs = append(errs, realexec.Down(ctx, dir, ns))
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
