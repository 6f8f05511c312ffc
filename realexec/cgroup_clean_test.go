package realexec

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestRemoveCgroupsReal: removeCgroups removes a fleetsim container's
// cgroup from every hierarchy, killing the process still in it (what a
// task whose shim was killed mid-deletion leaves: the leak a kill -9 test
// of real run found), and leaves a cgroup of the same namespace whose name
// is not one fleetsim gives alone.
func TestRemoveCgroupsReal(t *testing.T) {
	if os.Geteuid() != 0 {
		needReal(t)
		t.Skip("not root: cannot make cgroups")
	}
	roots := cgroupRoots()
	if len(roots) == 0 {
		t.Fatal("no cgroup file system mounted")
	}
	ns := "fleetsim-test-ns-" + strconv.Itoa(os.Getpid())
	ours, theirs := "fleetsim-abc-1", "someone-else"
	sleep := exec.Command("sleep", "600")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sleep.Wait() }()
	t.Cleanup(func() {
		_ = sleep.Process.Kill()
		for _, r := range roots {
			os.Remove(filepath.Join(r, ns, theirs))
			os.Remove(filepath.Join(r, ns, ours))
			os.Remove(filepath.Join(r, ns))
		}
	})
	moved := 0
	for _, r := range roots {
		for _, id := range []string{ours, theirs} {
			if err := os.MkdirAll(filepath.Join(r, ns, id), 0o755); err != nil {
				t.Fatalf("mkdir in %s: %v", r, err)
			}
		}
		if os.WriteFile(filepath.Join(r, ns, ours, "cgroup.procs"), []byte(strconv.Itoa(sleep.Process.Pid)), 0o644) == nil {
			moved++
		}
	}
	if moved == 0 {
		t.Fatal("could not move a process into any of the test cgroups")
	}
	if err := removeCgroups(ns, []string{ours, theirs}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the process in the container's cgroup is still running")
	}
	for _, r := range roots {
		if _, err := os.Stat(filepath.Join(r, ns, ours)); !os.IsNotExist(err) {
			t.Errorf("%s: still there (%v)", filepath.Join(r, ns, ours), err)
		}
		if _, err := os.Stat(filepath.Join(r, ns, theirs)); err != nil {
			t.Errorf("%s: a cgroup fleetsim does not own was touched: %v", filepath.Join(r, ns, theirs), err)
		}
	}
}
