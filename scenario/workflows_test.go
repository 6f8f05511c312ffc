package scenario

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

const wfHead = "cluster:\n  queueing: central\n  nodes: [{group: a, count: 2, cpu: 2, memory: 1Gi}]\nstrategies: [heft]\n"

// TestWorkflowsSection checks the workflows section: a generated stream
// with its transfer model reaches the source and the central config, and
// bad sections are refused with file, line and field.
func TestWorkflowsSection(t *testing.T) {
	s, err := Parse("t.yaml", []byte(wfHead+"workflows:\n  generate: {shape: fork-join, width: 3, stages: 2, mean_work: 2s, ccr: 0.5, count: 4, interarrival: 10s}\n  transfer: {latency: 1ms, bandwidth: 1Mi, serial: true}\n  runtimes: {fork-join: {a: 3s}}\n  dispatch: 1.5s\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	src, _, err := s.Source(7)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		var task sim.Task
		if err := src.Next(&task); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 4*2*5 {
		t.Errorf("%d tasks, want 4 workflows x 2 stages x (3+2)", n)
	}
	c, err := s.central(s.Strategies[0], 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Transfer.Latency != sim.Millisecond || c.Transfer.Bandwidth != 1<<20 || !c.Transfer.Serial || c.Runtimes["fork-join"]["a"] != 3*sim.Second || c.Dispatch != 1500*sim.Millisecond {
		t.Errorf("central config %+v", c)
	}
	for _, bad := range []struct{ doc, want string }{
		{wfHead + "workflows: {transfer: {latency: 1s}}\n", "t.yaml:5:12: workflows: expected either generate (random DAGs) or instances (WfFormat files), not neither"},
		{wfHead + "workflows:\n  generate: {shape: layered}\n  dispatch: -1s\n", "t.yaml:7:13: workflows.dispatch: expected a duration >= 0"},
		{wfHead + "workflows:\n  generate: {shape: ring}\n", "t.yaml:6:21: workflows.generate.shape: expected one of layered, fork-join"},
		{wfHead + "workflows:\n  generate: {shape: layered, ccr: 1}\n", "workflows.generate.ccr: expected workflows.transfer.bandwidth with ccr > 0"},
		{wfHead + "workload: {trace: {path: x.csv}}\nworkflows:\n  generate: {shape: layered}\n", "workload: expected no workload with workflows"},
		{strings.Replace(wfHead, "central", "node", 1) + "workflows:\n  generate: {shape: layered}\n", "workflows: expected cluster.queueing: central with workflows"},
		{strings.Replace(strings.Replace(wfHead, "central", "node", 1), "[heft]", "[random]", 1) + "workload: {trace: {path: x.swf}, procs_per_node: 1}\n", "workload.procs_per_node: expected cluster.queueing: central with procs_per_node"},
		{wfHead + "workload: {trace: {path: x.swf}, procs_per_node: 0}\n", "workload.procs_per_node: expected an integer in [1, 1048576], got 0"},
	} {
		_, err := Parse("t.yaml", []byte(bad.doc), "")
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("error %v, want one with %q", err, bad.want)
		}
	}
}

// TestWorkflowsNetwork checks network under central queueing: the
// bandwidth matrix is read with a direction left out taking the other's
// and a pair left out both ways staying 0, and the model is the one of
// dag.go: a network whose every pair has the transfer section's figures
// (RTT = 2 × latency, bandwidth = transfer.bandwidth) gives heft the
// schedule the transfer section alone gives, task for task, while a slow
// link between the regions lengthens it.
func TestWorkflowsNetwork(t *testing.T) {
	const head = "cluster:\n  queueing: central\n  nodes:\n    - {group: e, count: 3, cpu: 2, memory: 1Gi, region: east}\n    - {group: w, count: 3, cpu: 2, memory: 1Gi, speed: 2, region: west}\nstrategies: [heft]\n" +
		"workflows:\n  generate: {shape: layered, tasks: 30, layers: 5, mean_work: 10s, ccr: 1, count: 3, interarrival: 60s}\n  transfer: {latency: 50ms, bandwidth: 1Mi}\n"
	run := func(doc string) (string, *sim.Network) {
		t.Helper()
		s, err := Parse("t.yaml", []byte(doc), "")
		if err != nil {
			t.Fatal(err)
		}
		var sched []string
		r, c, err := s.Start(s.Strategies[0], 1, RunOptions{OnRecord: func(rec *sim.Record) {
			sched = append(sched, fmt.Sprintf("%d:%d@%d-%d", rec.Task.ID, rec.Node, rec.Start, rec.Finish))
		}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for done := false; !done; {
			if done, err = r.Step(1 << 16); err != nil {
				t.Fatal(err)
			}
		}
		if n := r.Result().Tasks.Completed; n != 90 {
			t.Fatalf("%d tasks completed, want 90", n)
		}
		sort.Strings(sched)
		return strings.Join(sched, " "), s.Network
	}
	plain, _ := run(head)
	same, nw := run(head + "network:\n  rtt: {east: {east: 100ms, west: 100ms}, west: {west: 100ms}}\n  bandwidth:\n    east: {east: 1Mi, west: 1Mi}\n    west: {west: 1Mi}\n")
	if nw == nil || len(nw.Regions) != 2 || !slices.Equal(nw.Bandwidth, []float64{1 << 20, 1 << 20, 1 << 20, 1 << 20}) {
		t.Fatalf("network %+v, want regions east, west and every bandwidth 1Mi", nw)
	}
	if same != plain {
		t.Errorf("a network with the transfer section's figures changed the schedule:\n%s\nagainst\n%s", same, plain)
	}
	slow, nw := run(head + "network:\n  rtt: {east: {east: 100ms, west: 100ms}, west: {west: 100ms}}\n  bandwidth: {west: {east: 10Ki}}\n")
	if !slices.Equal(nw.Bandwidth, []float64{0, 10 << 10, 10 << 10, 0}) {
		t.Errorf("bandwidth matrix %v, want east–west 10Ki both ways and the diagonal unset", nw.Bandwidth)
	}
	if slow == plain {
		t.Error("a 10 KiB/s link between the regions left the schedule unchanged")
	}
}

// TestWfNodesFrom checks nodes_from format wfformat on a hand-written
// instance (testdata/wf-machines.json): machines m1 (1 core, 1000 MHz), m2
// (2 cores, 2000 MHz, 8 GB) and m3 (4 cores, no speed, 16 GB); three of
// the four tasks ran on m2, so m2 is the reference: speeds m1 1000/2000 =
// 0.5, m2 1, m3 1 (none recorded). The instance then runs on them under
// heft with free transfers, worked by hand: runtimes a 4, b 2, c 6, d 1 at
// speed 1 (twice that on m1). a 0-4 on m2 (8 s on m1); b and c ready at 4,
// each on a free core of speed 1: b 4-6, c 4-10; d 10-11. Nothing runs on
// m1, and the makespan is the critical path a, c, d: 11 s.
func TestWfNodesFrom(t *testing.T) {
	doc := "cluster:\n  queueing: central\n  nodes_from: {path: wf-machines.json, format: wfformat}\nstrategies: [heft]\nworkflows: {instances: [wf-machines.json]}\n"
	s, err := Parse("t.yaml", []byte(doc), "testdata")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range s.Nodes() {
		got = append(got, fmt.Sprintf("%s/%s cpu %d slots %d memory %d speed %g", n.Name, n.Group, n.CPU, n.Slots, n.Memory, n.Speed))
	}
	want := []string{"m1/wf cpu 1000 slots 1 memory 1125899906842624 speed 0.5", "m2/wf cpu 2000 slots 2 memory 8000000000 speed 1", "m3/wf cpu 4000 slots 4 memory 16000000000 speed 1"}
	if !slices.Equal(got, want) {
		t.Errorf("nodes\n got %q\nwant %q", got, want)
	}
	sched := map[int64]string{}
	r, c, err := s.Start(s.Strategies[0], 1, RunOptions{OnRecord: func(rec *sim.Record) {
		sched[rec.Task.ID] = fmt.Sprintf("%g-%g", rec.Start.Seconds(), rec.Finish.Seconds())
		if rec.Node == 0 {
			t.Errorf("task %d ran on m1, the half-speed machine", rec.Task.ID)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for done := false; !done; {
		if done, err = r.Step(1 << 16); err != nil {
			t.Fatal(err)
		}
	}
	if g := fmt.Sprint(sched[0], " ", sched[1], " ", sched[2], " ", sched[3]); g != "0-4 4-6 4-10 10-11" {
		t.Errorf("a, b, c, d ran %s, want 0-4 4-6 4-10 10-11", g)
	}
	if w := r.Result().Workflow; w == nil || w.MaxResponseS != 11 || w.CriticalPathS != 11 {
		t.Errorf("workflow figures %+v, want response and critical path 11 s", w)
	}

	for _, bad := range []struct{ doc, want string }{
		{"cluster:\n  queueing: central\n  nodes_from: {path: missing.json, format: wfformat}\nstrategies: [heft]\nworkflows: {instances: [wf-machines.json]}\n",
			"t.yaml:3:22: cluster.nodes_from.path: open testdata/missing.json: no such file or directory"},
		{"cluster:\n  queueing: central\n  nodes_from: {path: ../../testdata/cli/wf-old-schema.json, format: wfformat}\nstrategies: [heft]\nworkflows: {instances: [wf-machines.json]}\n",
			`cluster.nodes_from.path: ../testdata/cli/wf-old-schema.json: column schemaVersion: unsupported WfFormat schema version "1.3"`},
		{"cluster:\n  queueing: central\n  nodes_from: {path: wf-machines.json, format: wfformat, speed: 2}\nstrategies: [heft]\nworkflows: {instances: [wf-machines.json]}\n",
			"cluster.nodes_from.speed: unknown field (allowed: path, format)"},
	} {
		_, err := Parse("t.yaml", []byte(bad.doc), "testdata")
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("error %v, want one with %q", err, bad.want)
		}
	}
	// An instance that recorded no machines cannot give nodes.
	dir := t.TempDir()
	noMachines := `{"name": "w", "schemaVersion": "1.5", "workflow": {"specification": {"tasks": [{"name": "a", "id": "a", "parents": [], "children": []}], "files": []}, "execution": {"tasks": [{"id": "a", "runtimeInSeconds": 1}]}}}`
	if err := os.WriteFile(filepath.Join(dir, "w.json"), []byte(noMachines), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Parse("t.yaml", []byte("cluster:\n  queueing: central\n  nodes_from: {path: w.json, format: wfformat}\nstrategies: [heft]\nworkflows: {instances: [w.json]}\n"), dir)
	if want := "t.yaml:3:22: cluster.nodes_from.path: expected recorded machines (workflow.execution.machines, or workflow.machines in 1.4), w.json has none"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

// sharedWf is where the four shared WfCommons instances are (read in
// place, never copied into the repository).
const sharedWf = "../../shared/traces/wfcommons"

// TestWfNodesFromShared runs each of the four shared WfCommons instances on
// its recorded machines (nodes_from format wfformat) under ready-fifo:
// one node per machine with its 48 cores, every task completes, and no
// workflow responds faster than its critical path (the longest chain of
// runtimes at the fastest node's speed). Seismology ran on three machines,
// 52 tasks on compute-5 (1575 MHz, the reference), 48 on compute-7 (1825
// MHz) and 1 on compute-3 (1200 MHz): speeds 1, 1825/1575 and 1200/1575.
// The simulated and recorded makespans are logged (go test -v).
func TestWfNodesFromShared(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(sharedWf, "*.json"))
	if len(files) == 0 {
		t.Skipf("the shared WfCommons instances are not in %s", sharedWf)
	}
	if len(files) != 4 {
		t.Fatalf("%d instances in %s, want the four of its README", len(files), sharedWf)
	}
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := ReadInstance(abs)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(f)
		doc := fmt.Sprintf("cluster:\n  queueing: central\n  nodes_from: {path: %q, format: wfformat}\nstrategies: [ready-fifo]\nworkflows: {instances: [%q]}\n", abs, abs)
		s, err := Parse("t.yaml", []byte(doc), "")
		if err != nil {
			t.Fatal(err)
		}
		nodes := s.Nodes()
		if len(nodes) != len(inst.Machines) {
			t.Fatalf("%s: %d nodes, want one per recorded machine (%d)", name, len(nodes), len(inst.Machines))
		}
		for k, n := range nodes {
			if n.Name != inst.Machines[k].Name || n.CPU != 48000 || n.Slots != 48 {
				t.Errorf("%s: node %d is %s with %d milli-cores and %d slots, want machine %s with 48 cores", name, k, n.Name, n.CPU, n.Slots, inst.Machines[k].Name)
			}
		}
		if strings.HasPrefix(name, "seismology") {
			want := map[string]float64{"compute-5": 1, "compute-7": 1825.0 / 1575, "compute-3": 1200.0 / 1575}
			for _, n := range nodes {
				if n.Speed != want[n.Name] {
					t.Errorf("seismology: %s speed %g, want %g", n.Name, n.Speed, want[n.Name])
				}
			}
		} else if nodes[0].Speed != 1 {
			t.Errorf("%s: its only machine has speed %g, want 1", name, nodes[0].Speed)
		}
		r, c, err := s.Start(s.Strategies[0], 1, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for done := false; !done; {
			if done, err = r.Step(1 << 16); err != nil {
				t.Fatal(err)
			}
		}
		c.Close()
		res := r.Result()
		w := res.Workflow
		if res.Tasks.Completed != int64(len(inst.Tasks)) || w == nil || w.Workflows != 1 {
			t.Fatalf("%s: %d of %d tasks completed, workflow figures %+v", name, res.Tasks.Completed, len(inst.Tasks), w)
		}
		if w.MaxResponseS < w.CriticalPathS-1e-9 {
			t.Errorf("%s: simulated makespan %.1f s below the critical path %.1f s", name, w.MaxResponseS, w.CriticalPathS)
		}
		t.Logf("%s: %d machines, recorded makespan %.1f s, critical path %.1f s, simulated %.1f s", name, len(nodes), inst.MakespanS, w.CriticalPathS, w.MaxResponseS)
	}
}
