package realexec

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// The real tests run against private containerd daemons that TestMain
// starts under a temporary folder (fleetsim real up, in process) and stops
// at the end. They need root, containerd and runc. Where those are missing
// the tests skip, saying why, unless FLEETSIM_REAL=1 (set by .ci/run),
// which turns a missing part into a failure: CI must run them.
var real struct {
	dir   string
	nodes []NodeConfig
	image *Image
	why   string // non-empty: why the real tests cannot run
}

func TestMain(m *testing.M) {
	code := func() int {
		if err := setupReal(3); err != nil {
			real.why = err.Error()
		}
		defer teardownReal()
		return m.Run()
	}()
	os.Exit(code)
}

func setupReal(n int) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("not root: containerd needs root")
	}
	if _, err := exec.LookPath("containerd"); err != nil {
		return fmt.Errorf("containerd not on PATH (apt-get install containerd runc)")
	}
	if _, err := exec.LookPath("runc"); err != nil {
		return fmt.Errorf("runc not on PATH (apt-get install runc)")
	}
	dir, err := os.MkdirTemp("/tmp", "fsr")
	if err != nil {
		return err
	}
	real.dir = dir
	ds, err := Up(dir, n, "")
	if err != nil {
		return err
	}
	for i, d := range ds {
		nc := d.Node(fmt.Sprintf("node-%d", i))
		nc.Slots, nc.CPU, nc.Memory = 2, 1000, 256<<20
		real.nodes = append(real.nodes, nc)
	}
	bin, err := BuildWork(filepath.Join(dir, "bin"))
	if err != nil {
		return err
	}
	real.image, err = BuildImage(bin)
	return err
}

func teardownReal() {
	if real.dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := Down(ctx, real.dir, DefaultNamespace); err != nil {
		fmt.Fprintln(os.Stderr, "realexec tests: down:", err)
	}
	_ = os.RemoveAll(real.dir)
}

// needReal skips t when the real tests cannot run here, or fails it when
// FLEETSIM_REAL=1 demands they run.
func needReal(t *testing.T) {
	t.Helper()
	if real.why == "" {
		return
	}
	if os.Getenv("FLEETSIM_REAL") == "1" {
		t.Fatalf("FLEETSIM_REAL=1 but the real tests cannot run: %s", real.why)
	}
	t.Skipf("real execution not available: %s", real.why)
}

// readyNode connects to test node i and makes sure it has the workload
// image; the connection closes when t ends.
func readyNode(t *testing.T, i int) *Node {
	t.Helper()
	n, err := Connect(context.Background(), real.nodes[i], "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	if err := n.EnsureImage(context.Background(), real.image); err != nil {
		t.Fatal(err)
	}
	return n
}
