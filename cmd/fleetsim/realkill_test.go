package main

import (
	"bufio"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fleetsim/fleetsim/realexec"
	"github.com/fleetsim/fleetsim/reports"
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

// TestKillNineRandomMomentsReal kills `real run -o D` with SIGKILL at
// random moments of its whole life (killCount: 3 in make test, 20 in make
// test-kill): while it checks D, starts its temporary daemons and guard,
// builds the image, runs containers or writes D. After each kill, within
// a minute, nothing of the run is left: no process names its daemons'
// folder, the folder is gone, no mount lies under it, and no container
// cgroup it created remains; and D holds either the previous complete
// result or this run's, never a mix (records.csv holds the tasks of the
// one run its manifest vouches for). A run that finishes before its
// moment counts as the new result. The next complete run leaves no
// staging folder beside D.
func TestKillNineRandomMomentsReal(t *testing.T) {
	needRealCLI(t)
	base := t.TempDir()
	out := filepath.Join(base, "out")
	// The validation scenario in a containerd namespace of its own, so
	// that the cgroups checked are this test's (NS/ID below each cgroup
	// root), whatever else runs containers on the machine.
	text, _, err := scenario.Text("validation")
	if err != nil {
		t.Fatal(err)
	}
	ns := "fleetsim-kill-" + strconv.Itoa(os.Getpid())
	file := filepath.Join(base, "validation.yaml")
	if err := os.WriteFile(file, append(text, []byte("real:\n  namespace: "+ns+"\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	args := func(tasks int) []string {
		return []string{"real", "run", file, "--tasks", strconv.Itoa(tasks), "-s", "round-robin", "--dir", filepath.Join(base, "none"), "-o", out}
	}
	// run starts args and returns its temporary folder (once it said it),
	// a channel closed when it exits, and the process.
	type started struct {
		cmd  *exec.Cmd
		tmp  chan string
		done chan error
	}
	run := func(tasks int) *started {
		// stderr through a pipe of our own: Wait returns when the process
		// exits, while the reader goes on until every writer (daemons it
		// may have passed the pipe to) is gone.
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], args(tasks)...)
		cmd.Env = append(os.Environ(), "FLEETSIM_AS_CLI=1")
		cmd.Stderr = pw
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		pw.Close()
		s := &started{cmd: cmd, tmp: make(chan string, 1), done: make(chan error, 1)}
		re := regexp.MustCompile(`temporary containerd daemons under (\S+)`)
		go func() {
			defer pr.Close()
			sc := bufio.NewScanner(pr)
			for sc.Scan() {
				if m := re.FindStringSubmatch(sc.Text()); m != nil {
					s.tmp <- m[1]
				}
			}
		}()
		go func() { s.done <- cmd.Wait() }()
		t.Cleanup(func() { _ = cmd.Process.Kill() })
		return s
	}
	t0 := time.Now()
	first := run(12)
	if err := <-first.done; err != nil {
		t.Fatalf("a complete real run: %v", err)
	}
	span := time.Since(t0)
	checkRealOut(t, out, 12)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 17))
	complete := 12 // the tasks of the last run that finished
	killed := 0
	for i := 0; i < killCount(t); i++ {
		tasks := 13 + i
		r := run(tasks)
		wait := time.Duration(rng.Int64N(int64(span)))
		finished := false
		select {
		case <-r.done:
			finished = true
		case <-time.After(wait):
			_ = r.cmd.Process.Signal(syscall.SIGKILL)
			if err := <-r.done; err == nil {
				finished = true // it ended just before the signal
			}
		}
		tmp := ""
		select {
		case tmp = <-r.tmp:
		case <-time.After(time.Second): // (the line, if written, is read by now)
		}
		if finished {
			complete = tasks
		} else {
			killed++
		}
		t.Logf("moment %d: %v of %v, %s", i, wait.Round(time.Millisecond), span.Round(time.Millisecond), map[bool]string{true: "finished first", false: "killed"}[finished])
		if tmp != "" {
			waitGone(t, tmp, time.Minute)
		}
		if left := waitCgroups(ns, time.Minute); len(left) > 0 {
			t.Fatalf("moment %d: cgroups left a minute after the kill: %q", i, left)
		}
		checkRealOut(t, out, complete)
	}
	t.Logf("%d of %d runs killed before they finished", killed, killCount(t))
	last := run(11)
	if err := <-last.done; err != nil {
		t.Fatalf("the run after the kills: %v", err)
	}
	checkRealOut(t, out, 11)
	checkNoLeftovers(t, out)
}

// checkRealOut asserts that dir is one real run's complete output: every
// file its manifest lists, with the hashes it records, and records.csv
// and real.csv with one row per task of a run of tasks tasks.
func checkRealOut(t *testing.T, dir string, tasks int) {
	t.Helper()
	if err := reports.VerifyOutDir(dir); err != nil {
		t.Fatalf("%s is not one run's complete output: %v", dir, err)
	}
	for _, name := range []string{"records.csv", "real.csv"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if rows := strings.Count(string(data), "\n") - 1; rows != tasks {
			t.Fatalf("%s/%s has %d rows, want %d (the last run that finished)", dir, name, rows, tasks)
		}
	}
}

// waitGone waits until no process names tmp, no mount lies under it and
// the folder is gone, and fails the test after limit.
func waitGone(t *testing.T, tmp string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		procs := processesNaming(tmp)
		mounts := mountsUnder(tmp)
		_, err := os.Stat(tmp)
		if len(procs) == 0 && len(mounts) == 0 && os.IsNotExist(err) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v after kill -9: folder %s: %v; processes naming it: %q; mounts under it: %q", limit, tmp, err, procs, mounts)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// mountsUnder lists the mount points at or below dir.
func mountsUnder(dir string) []string {
	data, _ := os.ReadFile("/proc/self/mountinfo")
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 4 && strings.HasPrefix(f[4], dir) {
			out = append(out, f[4])
		}
	}
	return out
}

// nsCgroups lists the container cgroups of containerd namespace ns
// (NS/ID below each cgroup root: on cgroup v1 in every controller's
// hierarchy, on v2 in the one). NS itself, which runc makes as their
// parent, is shared by every run in the namespace and not counted.
func nsCgroups(ns string) []string {
	m, _ := filepath.Glob("/sys/fs/cgroup/" + ns + "/*/cgroup.procs")
	m1, _ := filepath.Glob("/sys/fs/cgroup/*/" + ns + "/*/cgroup.procs")
	var out []string
	for _, p := range append(m, m1...) {
		out = append(out, filepath.Dir(p))
	}
	return out
}

// waitCgroups waits up to limit for namespace ns's container cgroups to
// go, and returns those still there.
func waitCgroups(ns string, limit time.Duration) []string {
	deadline := time.Now().Add(limit)
	for {
		left := nsCgroups(ns)
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(200 * time.Millisecond)
	}
}
