package main

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fleetsim/fleetsim/realexec"
	"github.com/fleetsim/fleetsim/scenario"
	"github.com/fleetsim/fleetsim/sim"
)

// gpuCheckScenario is the GPU validation of scripts/gpu-check.sh: two
// one-GPU tasks arriving together at a node with two GPUs.
const gpuCheckScenario = "../../testdata/scenarios/gpu-check.yaml"

// gpuCheckWith returns the GPU check scenario with its node's GPUs set to
// gpus (the script sets 1 on a machine with one GPU).
func gpuCheckWith(t *testing.T, gpus int) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.ResolveWith(gpuCheckScenario, []scenario.Set{{Path: "cluster.nodes[0].gpus", Value: strconv.Itoa(gpus)}})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestGPUCheckScenario simulates the GPU check scenario and checks the
// schedule worked by hand, which TestGPUValidationReal and the script
// expect of the real run. Tasks 1 and 2 arrive at 0 with 3 s of work, one
// core and one GPU each, on a node of 2 cores and 2 slots. With 2 GPUs
// both start at 0 and finish at 3, task 1 on GPU 0 and task 2 on GPU 1
// (first-fit takes the lowest free index). With 1 GPU, task 2 waits for
// it: it starts at 3 and finishes at 6, also on GPU 0.
func TestGPUCheckScenario(t *testing.T) {
	for _, c := range []struct {
		gpus int
		want []string // id,start,finish,gpus
	}{
		{2, []string{"1,0,3,0", "2,0,3,1"}},
		{1, []string{"1,0,3,0", "2,3,6,0"}},
	} {
		sc := gpuCheckWith(t, c.gpus)
		var got []string
		onRecord := func(r *sim.Record) {
			var g []string
			for _, i := range r.GPUs {
				g = append(g, strconv.Itoa(i))
			}
			got = append(got, strings.Join([]string{strconv.FormatInt(r.Task.ID, 10), ft(r.Start), ft(r.Finish), strings.Join(g, ";")}, ","))
		}
		run, closer, err := sc.Start(sc.Strategies[0], sc.Seed, scenario.RunOptions{OnRecord: onRecord})
		if err != nil {
			t.Fatal(err)
		}
		for done := false; !done; {
			if done, err = run.Step(1 << 10); err != nil {
				t.Fatal(err)
			}
		}
		closer.Close()
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%d GPUs: records (id,start,finish,gpus) %v, want %v", c.gpus, got, c.want)
		}
	}
}

func ft(t sim.Time) string { return strconv.FormatFloat(t.Seconds(), 'f', -1, 64) }

// TestGPUValidationReal runs the GPU check scenario on a private containerd
// daemon with the machine's GPUs (two, or the one there is) and checks
// what the hardware alone can show: each task's container saw exactly the
// device node of the GPU it was given (/dev/nvidiaN for the GPU's minor
// number, and NVIDIA_VISIBLE_DEVICES its NVML index) and no other; with
// two GPUs the tasks held different GPUs at the same time (both took their
// slot at arrival, before either exited), with one GPU the second took it
// only after the first had exited; and NVML telemetry was recorded for
// every GPU of the node. Without NVML or a GPU it skips saying which, as
// TestGPUReal does; scripts/gpu-check.sh runs it on GPU machines.
func TestGPUValidationReal(t *testing.T) {
	needRealCLI(t)
	gpus, err := realexec.GPUs()
	if err != nil {
		t.Skipf("no GPU path here: %v", err)
	}
	if len(gpus) == 0 {
		t.Skip("NVML found no GPU on this machine")
	}
	n := min(2, len(gpus))
	sc := gpuCheckWith(t, n)

	dir := t.TempDir()
	daemons, err := realexec.Up(dir, sc.NodeCount(), "")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := realexec.Down(ctx, dir, scenario.DefaultNamespace); err != nil {
			t.Errorf("stopping the daemons: %v", err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := realexec.NodesFor(sc, daemons)
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes[0].GPUs) != n {
		t.Fatalf("node has %d GPUs, want %d of the machine's %d", len(nodes[0].GPUs), n, len(gpus))
	}
	bin, err := realexec.WorkBinary(filepath.Join(t.TempDir(), "work"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := realexec.BuildImage(bin)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := realexec.ConfigFor(sc, nodes, img)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var recs []realexec.Record
	samples := map[int]int{}
	cfg.OnRecord = func(r *realexec.Record) { mu.Lock(); recs = append(recs, *r); mu.Unlock() }
	cfg.OnGPU = func(g realexec.GPUSample) { mu.Lock(); samples[g.GPU]++; mu.Unlock() }
	strat, err := sc.Strategy(sc.Strategies[0], sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	src, closer, err := sc.Source(sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	res, err := realexec.Run(context.Background(), cfg, src, strat)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if res.GPUError != "" || len(recs) != 2 {
		t.Fatalf("GPU error %q, %d records, want none and 2", res.GPUError, len(recs))
	}
	slices.SortFunc(recs, func(a, b realexec.Record) int { return int(a.Task.ID - b.Task.ID) })
	for _, r := range recs {
		if r.Status != sim.Completed || len(r.GPUs) != 1 || r.GPUs[0] >= n {
			t.Fatalf("task %d: %v, GPUs %v (%s), want completed on one of the node's %d", r.Task.ID, r.Status, r.GPUs, r.Err, n)
		}
		g := nodes[0].GPUs[r.GPUs[0]]
		want := "/dev/nvidia" + strconv.Itoa(g.Minor)
		if len(r.Devices) != 1 || r.Devices[0] != want || r.Visible != strconv.Itoa(g.Index) {
			t.Errorf("task %d: container saw devices %v, NVIDIA_VISIBLE_DEVICES %q; want [%s] and %d (GPU %s, machine has %d GPUs)",
				r.Task.ID, r.Devices, r.Visible, want, g.Index, g.UUID, len(gpus))
		}
		t.Logf("task %d: GPU %d (%s, %s), saw %v; slot %.3f s, running %.3f–%.3f s", r.Task.ID, g.Index, g.Model, g.UUID, r.Devices,
			r.Start.Seconds(), r.Started.Seconds(), r.Exited.Seconds())
	}
	a, b := recs[0], recs[1]
	if n == 2 {
		if a.GPUs[0] == b.GPUs[0] || a.Start >= b.Exited || b.Start >= a.Exited {
			t.Errorf("with 2 GPUs: tasks on GPUs %v and %v, slots %v–%v and %v–%v; want different GPUs held at once", a.GPUs, b.GPUs, a.Start, a.Exited, b.Start, b.Exited)
		}
	} else if b.Start < a.Exited {
		t.Errorf("with 1 GPU: task 2 took it at %v, before task 1 exited at %v", b.Start, a.Exited)
	}
	for _, g := range nodes[0].GPUs {
		if samples[g.Index] == 0 {
			t.Errorf("no NVML telemetry of GPU %d (samples per GPU: %v)", g.Index, samples)
		}
	}
	t.Logf("NVML samples per GPU: %v", samples)
}
