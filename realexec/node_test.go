package realexec

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/containerd/containerd/v2/pkg/namespaces"
)

func TestContainerRunsReal(t *testing.T) {
	needReal(t)
	ctx := context.Background()
	n := readyNode(t, 0)
	t0 := time.Now()
	now := func() time.Duration { return time.Since(t0) }
	var tl Timeline
	r, err := n.Start(ctx, Spec{ID: "fleetsim-test-runs", Run: "test", Args: []string{"-work", "100ms", "-memory", "8Mi", "-exit", "3"}, CPU: 1000, Memory: 64 << 20}, now, &tl)
	if err != nil {
		t.Fatal(err)
	}
	r.Wait(now, &tl)
	out, err := r.Delete(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("created %v started %v exited %v code %d snapshotter %s out %s", tl.Created, tl.Started, tl.Exited, tl.ExitCode, n.Snapshotter(), out)
	if tl.ExitCode != 3 {
		t.Fatalf("exit code %d, want 3", tl.ExitCode)
	}
	var rep struct {
		WorkS  float64 `json:"work_s"`
		Memory int64   `json:"memory"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("workload report %q: %v", out, err)
	}
	if rep.Memory != 8<<20 || rep.WorkS <= 0 {
		t.Fatalf("report %+v", rep)
	}
}

// TestSpecHardenedReal reads a container's spec back from containerd: no
// capabilities in any set, no new privileges, containerd's default seccomp
// profile (default action an error, with a syscall allow list), the pids
// limit and a read-only root; and the workload still runs under it.
func TestSpecHardenedReal(t *testing.T) {
	needReal(t)
	ctx := context.Background()
	n := readyNode(t, 0)
	t0 := time.Now()
	now := func() time.Duration { return time.Since(t0) }
	var tl Timeline
	r, err := n.Start(ctx, Spec{ID: "fleetsim-test-spec", Run: "test", Args: []string{"-work", "10ms", "-memory", "1Mi"}, CPU: 500, Memory: 32 << 20}, now, &tl)
	if err != nil {
		t.Fatal(err)
	}
	s, err := r.c.Spec(namespaces.WithNamespace(ctx, n.cfg.Namespace))
	r.Wait(now, &tl)
	if _, derr := r.Delete(ctx); derr != nil {
		t.Fatal(derr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if tl.ExitCode != 0 {
		t.Fatalf("the workload failed under the hardened spec: exit %d", tl.ExitCode)
	}
	c := s.Process.Capabilities
	if c == nil {
		t.Fatalf("no capabilities section")
	}
	for name, set := range map[string][]string{"bounding": c.Bounding, "effective": c.Effective, "permitted": c.Permitted, "inheritable": c.Inheritable, "ambient": c.Ambient} {
		if len(set) != 0 {
			t.Errorf("%s capabilities %v, want none", name, set)
		}
	}
	if !s.Process.NoNewPrivileges {
		t.Errorf("no new privileges not set")
	}
	if sc := s.Linux.Seccomp; sc == nil || sc.DefaultAction == "SCMP_ACT_ALLOW" || len(sc.Syscalls) == 0 {
		t.Errorf("seccomp %+v, want containerd's default profile", sc)
	}
	if p := s.Linux.Resources.Pids; p == nil || p.Limit == nil || *p.Limit != PidsLimit {
		t.Errorf("pids %+v, want limit %d", p, PidsLimit)
	}
	if s.Root == nil || !s.Root.Readonly {
		t.Errorf("root %+v, want read-only", s.Root)
	}
}
