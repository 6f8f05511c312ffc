package realexec

import (
	"context"
	"encoding/json"
	"testing"
	"time"
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
