package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// needRealCLI skips a test of the real verbs where containerd cannot run
// (not root, no containerd or runc), or fails it when FLEETSIM_REAL=1
// (make test as root) demands they run.
func needRealCLI(t *testing.T) {
	t.Helper()
	why := ""
	switch {
	case os.Geteuid() != 0:
		why = "not root: containerd needs root"
	default:
		for _, b := range []string{"containerd", "runc"} {
			if _, err := exec.LookPath(b); err != nil {
				why = b + " not on PATH (apt-get install containerd runc)"
			}
		}
	}
	if why == "" {
		return
	}
	if os.Getenv("FLEETSIM_REAL") == "1" {
		t.Fatalf("FLEETSIM_REAL=1 but the real tests cannot run: %s", why)
	}
	t.Skipf("real execution not available: %s", why)
}

// TestUpRunDownReal: real up starts daemons in the folder it prints, real
// run uses them and writes records in the simulator's format plus the
// container timeline, real down stops them and removes the folder.
func TestUpRunDownReal(t *testing.T) {
	needRealCLI(t)
	dir := filepath.Join(t.TempDir(), "d")
	code, out, errs := fleetsim(t, "real", "up", "3", "--dir", dir)
	if code != 0 || !strings.Contains(out, dir) || strings.Count(out, "containerd.sock") != 3 {
		t.Fatalf("real up: %d %s %s", code, out, errs)
	}
	defer fleetsim(t, "real", "down", "--dir", dir)
	res := filepath.Join(t.TempDir(), "out")
	code, out, errs = fleetsim(t, "real", "run", "--tasks", "6", "-s", "round-robin", "--dir", dir, "-o", res)
	if code != 0 || !strings.Contains(out, "2/2/2") {
		t.Fatalf("real run: %d\n%s\n%s", code, out, errs)
	}
	if strings.Contains(errs, "temporary") {
		t.Fatalf("real run started its own daemons instead of using %s: %s", dir, errs)
	}
	// Three daemons, a scenario of four nodes: one clear line, exit 2.
	four := filepath.Join(t.TempDir(), "four.yaml")
	if err := os.WriteFile(four, []byte("name: four\ncluster:\n  nodes: [{group: node, count: 4, slots: 2, cpu: 1, memory: 256Mi}]\n"+
		"workload:\n  arrivals: {process: poisson, rate: 4}\n  service: {dist: exponential, mean: 100ms}\nstop: {tasks: 4}\nstrategies: [round-robin]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = fleetsim(t, "real", "run", four, "--dir", dir, "-o", filepath.Join(t.TempDir(), "x"))
	if code != 2 || !strings.Contains(errs, "3 running daemons") || !strings.Contains(errs, "has 4 nodes") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("real run with 3 daemons for 4 nodes: exit %d, stderr %q", code, errs)
	}
	recs, _ := os.ReadFile(filepath.Join(res, "records.csv"))
	extra, _ := os.ReadFile(filepath.Join(res, "real.csv"))
	if n := strings.Count(string(recs), "\n"); n != 7 || strings.Count(string(recs), ",completed,") != 6 {
		t.Fatalf("records.csv:\n%s", recs)
	}
	if n := strings.Count(string(extra), "\n"); n != 7 {
		t.Fatalf("real.csv:\n%s", extra)
	}
	code, out, errs = fleetsim(t, "real", "down", "--dir", dir)
	if code != 0 || !strings.Contains(out, "stopped 3 daemons") {
		t.Fatalf("real down: %d %s %s", code, out, errs)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("%s left after real down: %v", dir, err)
	}
}

// TestValidateCLIReal runs a shortened validation (temporary daemons) and
// checks the table's rows and the files of --out.
func TestValidateCLIReal(t *testing.T) {
	needRealCLI(t)
	dir := filepath.Join(t.TempDir(), "v")
	code, out, errs := fleetsim(t, "validate", "--tasks", "15", "--probe-tasks", "9", "-s", "round-robin", "--dir", filepath.Join(t.TempDir(), "none"), "-o", dir)
	if code != 0 {
		t.Fatalf("validate: %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"[1/3] calibration probe: 9 tasks", "[2/3] real run round-robin: 15 tasks", "[3/3] simulation round-robin"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks the phase line %q:\n%s", want, errs)
		}
	}
	for _, want := range []string{"start-up: mean", "round-robin │   scenario", "round-robin │ calibrated", "5/5/5", "overhead per task (15 tasks)", "steps, slot to exit", "containerd 1.6", "machine: "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	var v struct {
		Comparisons []struct {
			Model   string
			Matched int
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "validation.json"))
	if err != nil || json.Unmarshal(b, &v) != nil || len(v.Comparisons) != 2 || v.Comparisons[1].Model != "calibrated" || v.Comparisons[1].Matched != 15 {
		t.Fatalf("validation.json: %v %s", err, b)
	}
	for _, f := range []string{"records-real.csv", "calibrated.yaml", "cdf.svg"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestRealRunFullDiskReal: real run -o on a disk that fills up during the
// run must fail (exit 2, naming the file and "no space left"), not exit 0
// with records cut short. The disk is a 1 MiB tmpfs filled to its last
// 4 KiB before the run.
func TestRealRunFullDiskReal(t *testing.T) {
	needRealCLI(t)
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatalf("mounting a tmpfs: %v", err)
	}
	defer syscall.Unmount(mnt, syscall.MNT_DETACH)
	var st syscall.Statfs_t
	if err := syscall.Statfs(mnt, &st); err != nil {
		t.Fatal(err)
	}
	fill := int64(st.Bavail)*int64(st.Bsize) - 4096
	if err := os.WriteFile(filepath.Join(mnt, "fill"), make([]byte, fill), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := fleetsim(t, "real", "run", "--tasks", "60", "-s", "round-robin", "--dir", filepath.Join(t.TempDir(), "none"), "-o", filepath.Join(mnt, "out"))
	if code != 2 || !strings.Contains(errs, "no space left") {
		t.Fatalf("real run onto a full disk: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
}

// TestExternalStrategyReal: an external strategy runs unchanged in real
// execution (issue 21, item 4). The Python round robin on the real
// scenario's three nodes sends 6 tasks two to each node, task i to node
// i mod 3 as the built-in does; validate takes it too, real run and
// simulation; and a strategy that answers nonsense stops real run with
// one line naming it, exit 2, its process gone.
func TestExternalStrategyReal(t *testing.T) {
	needRealCLI(t)
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 is not installed: the Python package's example is the strategy under test")
	}
	rr, _ := filepath.Abs(filepath.Join("..", "..", "python", "examples", "round_robin.py"))
	dir := filepath.Join(t.TempDir(), "d")
	if code, out, errs := fleetsim(t, "real", "up", "3", "--dir", dir); code != 0 {
		t.Fatalf("real up: %d %s %s", code, out, errs)
	}
	defer fleetsim(t, "real", "down", "--dir", dir)

	res := filepath.Join(t.TempDir(), "out")
	code, out, errs := fleetsim(t, "real", "run", "--tasks", "6", "-s", "external:python3 "+rr, "--dir", dir, "-o", res)
	if code != 0 || !strings.Contains(out, "round_robin") || !strings.Contains(out, "2/2/2") {
		t.Fatalf("real run with the Python round robin: exit %d\n%s\n%s", code, out, errs)
	}
	recs, _ := os.ReadFile(filepath.Join(res, "records.csv"))
	lines := strings.Split(strings.TrimSpace(string(recs)), "\n")
	if len(lines) != 7 || strings.Count(string(recs), ",completed,") != 6 {
		t.Fatalf("records.csv:\n%s", recs)
	}
	col := -1
	for k, h := range strings.Split(lines[0], ",") {
		if h == "node" {
			col = k
		}
	}
	idc := -1
	for k, h := range strings.Split(lines[0], ",") {
		if h == "id" {
			idc = k
		}
	}
	if col < 0 || idc < 0 {
		t.Fatalf("records.csv has no id or node column: %s", lines[0])
	}
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		var id int
		fmt.Sscan(f[idc], &id)
		if want := fmt.Sprintf("node-%d", id%3); f[col] != want {
			t.Errorf("task %d ran on %s, round robin sends it to node %d:\n%s", id, f[col], id%3, recs)
		}
	}

	code, out, errs = fleetsim(t, "validate", "--tasks", "6", "--probe-tasks", "9", "-s", "external:python3 "+rr, "--dir", dir, "-o", filepath.Join(t.TempDir(), "v"))
	if code != 0 || !strings.Contains(out, "round_robin │   scenario") || !strings.Contains(out, "round_robin │ calibrated") {
		t.Fatalf("validate with the Python round robin: exit %d\n%s\n%s", code, out, errs)
	}

	pidFile := filepath.Join(t.TempDir(), "pid")
	liar := `echo $$ > ` + pidFile + `; read h; echo '{"type":"hello","protocol":1,"ops":["pick"]}'; while read l; do echo '{"seq":1,"node":7}'; done`
	script := filepath.Join(t.TempDir(), "liar.sh")
	os.WriteFile(script, []byte(liar), 0o755)
	code, out, errs = fleetsim(t, "real", "run", "--tasks", "3", "-s", "external:sh "+script, "--dir", dir, "-o", filepath.Join(t.TempDir(), "bad"))
	if code != exitBadInput || out != "" {
		t.Fatalf("real run with a lying strategy: exit %d, stdout %q", code, out)
	}
	last := strings.TrimSpace(errs)
	if i := strings.LastIndexByte(last, '\n'); i >= 0 {
		last = last[i+1:]
	}
	for _, w := range []string{"real run: external strategy liar (sh ", "message 1 (pick, task 0", "node 7 is out of range: valid nodes are 0..2"} {
		if !strings.Contains(last, w) {
			t.Errorf("the error line lacks %q:\n%s", w, errs)
		}
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
		t.Errorf("the strategy's process %d is still there (a zombie or alive)", pid)
	}
}
