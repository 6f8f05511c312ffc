package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
