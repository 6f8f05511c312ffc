package scenario

import (
	"fmt"
	"io"
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
