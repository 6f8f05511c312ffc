package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fleetsim/fleetsim/realexec"
	"github.com/fleetsim/fleetsim/scenario"
)

// startCLI runs this test binary as the CLI (TestMain) with args and
// returns it with a scanner over its stderr.
func startCLI(t *testing.T, args ...string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "FLEETSIM_AS_CLI=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, bufio.NewScanner(stderr)
}

// waitContainers waits until the node at addr holds at least one of
// fleetsim's containers (the run is under way), within limit.
func waitContainers(t *testing.T, addr string, limit time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for ctx.Err() == nil {
		if n, err := realexec.Connect(ctx, realexec.NodeConfig{Address: addr, Namespace: scenario.DefaultNamespace}, ""); err == nil {
			cs, _ := n.Containers(ctx)
			n.Close()
			if len(cs) > 0 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no container appeared on %s within %v", addr, limit)
}

// processesNaming lists the processes whose command line contains s.
func processesNaming(s string) []string {
	var out []string
	m, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, f := range m {
		if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), s) {
			out = append(out, filepath.Base(filepath.Dir(f))+": "+strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
	return out
}

// TestKillNineTemporaryReal kills `real run` with SIGKILL while its
// containers run on temporary daemons: nothing in the process can clean
// up, so its guard must: within a minute no daemon, shim or container
// process names the temporary folder, and the folder is gone.
func TestKillNineTemporaryReal(t *testing.T) {
	needRealCLI(t)
	cmd, sc := startCLI(t, "real", "run", "--tasks", "60", "-s", "round-robin", "--dir", filepath.Join(t.TempDir(), "none"), "-o", filepath.Join(t.TempDir(), "out"))
	re := regexp.MustCompile(`temporary containerd daemons under (\S+)`)
	tmp := ""
	for tmp == "" && sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			tmp = m[1]
		}
	}
	if tmp == "" {
		t.Fatalf("real run never said where its temporary daemons are")
	}
	go func() {
		for sc.Scan() {
		}
	}()
	waitContainers(t, "unix://"+realexec.Socket(realexec.NodeDir(tmp, 0)), time.Minute)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	deadline := time.Now().Add(time.Minute)
	for {
		procs := processesNaming(tmp)
		_, err := os.Stat(tmp)
		if len(procs) == 0 && os.IsNotExist(err) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a minute after kill -9: folder %s: %v; processes naming it: %q", tmp, err, procs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestKillNineDaemonsReal kills `real run` with SIGKILL while its
// containers run on daemons of `real up`, which outlive it: its guard
// must remove its containers (within a minute) and leave the daemons up.
func TestKillNineDaemonsReal(t *testing.T) {
	needRealCLI(t)
	dir := filepath.Join(t.TempDir(), "d")
	if code, out, errs := fleetsim(t, "real", "up", "3", "--dir", dir); code != 0 {
		t.Fatalf("real up: %d %s %s", code, out, errs)
	}
	defer fleetsim(t, "real", "down", "--dir", dir)
	cmd, sc := startCLI(t, "real", "run", "--tasks", "60", "-s", "round-robin", "--dir", dir, "-o", filepath.Join(t.TempDir(), "out"))
	go func() {
		for sc.Scan() {
		}
	}()
	addr := "unix://" + realexec.Socket(realexec.NodeDir(dir, 0))
	waitContainers(t, addr, time.Minute)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := 0; i < 3; i++ {
		n, err := realexec.Connect(ctx, realexec.NodeConfig{Address: "unix://" + realexec.Socket(realexec.NodeDir(dir, i)), Namespace: scenario.DefaultNamespace}, "")
		if err != nil {
			t.Fatalf("node-%d: the daemon did not outlive the run: %v", i, err)
		}
		for {
			cs, err := n.Containers(ctx)
			if err == nil && len(cs) == 0 {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("node-%d: a minute after kill -9, containers %v (%v)", i, cs, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
		n.Close()
	}
}
