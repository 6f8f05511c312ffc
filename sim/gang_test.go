package sim_test

import (
	"math"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// gangJobs is jobs with a gang size per job.
func gangJobs(sizes []int32, js ...job) []sim.Task {
	ts := jobs(js...)
	for i := range ts {
		ts[i].Nodes = sizes[i]
	}
	return ts
}

// TestGangBackfill checks EASY backfilling over gangs on five one-CPU
// nodes against the schedule worked by hand. Jobs (arrival, CPUs per node,
// run, estimate) and gang sizes:
//
//	J1  0  1 10 10  gang 2: nodes 0-1, 0-10
//	J2  1  1  5  5  gang 4: only nodes 2-4 free; the head. Reservation: when
//	                J1 ends (10) four nodes are free: nodes 0-3 from 10
//	J3  2  1 20 20  gang 2: fits now on nodes 2-3, but both are reserved and it
//	                would end at 22 > 10: it must not backfill (it would delay J2)
//	J4  3  1  4  4  gang 2: nodes 2-3, ends at 7 <= 10: backfills, 3-7
//	at 10 J2 starts on 0-3 (10-15); J3 then needs two nodes, only node 4 is
//	free until 15: 15-35
//
// With greedy backfilling (no reservation) J3 starts at once on nodes 2-3
// (2-22), J4 finds one free node and waits for J3 or J1, and J2 waits until
// four nodes are free at 22.
func TestGangBackfill(t *testing.T) {
	nodes := make([]sim.NodeSpec, 5)
	for i := range nodes {
		nodes[i] = sim.NodeSpec{Name: "n" + string(rune('0'+i)), Slots: 1, Speed: 1, CPU: 1000}
	}
	tasks := gangJobs([]int32{2, 4, 2, 2}, job{0, 1, 10, 10}, job{1, 1, 5, 5}, job{2, 1, 20, 20}, job{3, 1, 4, 4})
	for _, c := range []struct {
		backfill sim.Backfill
		want     string
	}{
		{sim.EASY, "1:0-10 2:10-15 3:15-35 4:3-7"},
		// Conservative: J2 reserved 10-15 on nodes 0-3; J3 may not start
		// on 2-3 (it would overlap J2's reservation) and is reserved at 15
		// on nodes 0-1; J4 fits before J2's reservation on 2-3: the same
		// schedule as EASY.
		{sim.Conservative, "1:0-10 2:10-15 3:15-35 4:3-7"},
		// Greedy: J4 at 10 (nodes 0-1 free when J1 ends), 10-14; J2 needs
		// four: at 14 nodes 0,1,4 free, at 22 all: 22-27.
		{sim.Greedy, "1:0-10 2:22-27 3:2-22 4:10-14"},
	} {
		cfg := sim.Config{Nodes: nodes, Central: sim.Central{Backfill: c.backfill}}
		var res sim.Result
		if got := scheduleWith(t, cfg, tasks, firstFit(), &res); got != c.want {
			t.Errorf("%v: got %s, want %s", c.backfill, got, c.want)
		}
		// Under EASY, idle nodes while the head waits: 3 nodes over 1-3,
		// 1 over 3-7 (J4 runs), 3 over 7-10, then J3 at the head with node
		// 4 idle over 10-15: 6 + 4 + 9 + 5 = 24 node-s of 5 nodes x 35 s.
		if got := res.Placement.IdleWhileHeadWaits; c.backfill == sim.EASY && math.Abs(got-24.0/175) > 1e-12 {
			t.Errorf("idle while the head waits %v, want 24/175", got)
		}
	}
}

// TestGangConservative checks conservative backfilling against EASY on
// four one-CPU nodes, first-fit, estimates exact, worked by hand. Jobs
// (arrival, CPUs per node, run, estimate) and gang sizes:
//
//	A  0  1 10 10  gang 3: nodes 0-2, 0-10
//	B  1  1  5  5  gang 3: only node 3 free; reserved 10-15 on nodes 0-2
//	C  2  1 10 10  gang 4
//	D  3  1 20 20  one node: node 3 is free now
//	E  4  1  5  5  one node
//
// EASY protects the head alone: D starts on node 3 at 3 (B's reservation
// is on nodes 0-2), so C, needing all four nodes, waits for D: 23-33. E
// finds no free node until B ends at 15; C, now the head, is reserved at
// 23 and E ends by then: 15-20.
//
// Conservative reserves for every task in queue order: B 10-15 on nodes
// 0-2, C 15-25 on all four. D on node 3 from 3 would run into C's
// reservation at 15, so it waits, reserved at 25 (25-45). E on node 3
// from 4 ends at 9, before C's reservation: it backfills, 4-9.
func TestGangConservative(t *testing.T) {
	nodes := make([]sim.NodeSpec, 4)
	for i := range nodes {
		nodes[i] = sim.NodeSpec{Name: "n" + string(rune('0'+i)), Slots: 1, Speed: 1, CPU: 1000}
	}
	tasks := gangJobs([]int32{3, 3, 4, 1, 1}, job{0, 1, 10, 10}, job{1, 1, 5, 5}, job{2, 1, 10, 10}, job{3, 1, 20, 20}, job{4, 1, 5, 5})
	for _, c := range []struct {
		backfill sim.Backfill
		want     string
	}{
		{sim.EASY, "1:0-10 2:10-15 3:23-33 4:3-23 5:15-20"},
		{sim.Conservative, "1:0-10 2:10-15 3:15-25 4:25-45 5:4-9"},
	} {
		cfg := sim.Config{Nodes: nodes, Central: sim.Central{Backfill: c.backfill}}
		var res sim.Result
		if got := scheduleWith(t, cfg, tasks, firstFit(), &res); got != c.want {
			t.Errorf("%v: got %s, want %s", c.backfill, got, c.want)
		}
	}
}

// TestConservativeOneNode checks conservative backfilling against EASY on
// one node of 4 CPUs, estimates exact, worked by hand. Jobs (arrival,
// CPUs, run):
//
//	J1  0  2 10   runs 0-10
//	J2  1  3  5   the head: 2 CPUs free; reserved 10-15
//	J3  2  4 10
//	J4  3  1 20   fits now
//	J5  4  1  5   fits now, ends at 9
//
// EASY: J4 fits beside the head (3 + 1 CPUs from 10), so it starts at 3
// and runs to 23; J3 needs the whole node and waits for it: 23-33. J5
// ends before the head's reservation: 4-9.
//
// Conservative: J3 is reserved 15-25 behind J2; J4 from 3 would hold a
// CPU at 15 beside J3's four, so it is reserved after J3, 25-45; J5 fits
// beside every reservation: 4-9.
func TestConservativeOneNode(t *testing.T) {
	nodes := []sim.NodeSpec{{Name: "n", Slots: 1, Speed: 1, CPU: 4000}}
	tasks := jobs(job{0, 2, 10, 10}, job{1, 3, 5, 5}, job{2, 4, 10, 10}, job{3, 1, 20, 20}, job{4, 1, 5, 5})
	for _, c := range []struct {
		backfill sim.Backfill
		want     string
	}{
		{sim.EASY, "1:0-10 2:10-15 3:23-33 4:3-23 5:4-9"},
		{sim.Conservative, "1:0-10 2:10-15 3:15-25 4:25-45 5:4-9"},
	} {
		cfg := sim.Config{Nodes: nodes, Central: sim.Central{Backfill: c.backfill}}
		if got := schedule(t, cfg, tasks, firstFit()); got != c.want {
			t.Errorf("%v: got %s, want %s", c.backfill, got, c.want)
		}
	}
}

// TestGangLargerThanCluster checks that a gang asking for more nodes than
// the cluster has stops the run with an error naming the task.
func TestGangLargerThanCluster(t *testing.T) {
	nodes := []sim.NodeSpec{{Name: "a", Slots: 1, Speed: 1, CPU: 1000}, {Name: "b", Slots: 1, Speed: 1, CPU: 1000}}
	tasks := gangJobs([]int32{3}, job{0, 1, 1, 1})
	e, err := sim.NewScheduler(sim.Config{Nodes: nodes}, &sliceSource{tasks: tasks}, firstFit())
	if err == nil {
		err = e.Run()
	}
	if err == nil || !strings.Contains(err.Error(), "task 1 asks for a gang of 3 nodes; the cluster has 2") {
		t.Errorf("error %v", err)
	}
}

// TestGangTopology checks topology-aware gang placement and the rack
// slowdown model (1 + 0.5 per extra rack) against schedules worked by
// hand. Racks: A = nodes 0-3, B = nodes 4-5, one CPU each. J1 (gang 2,
// 10 s) and J2 (gang 4, 10 s) arrive together:
//
//	first-fit: J1 on nodes 0-1 (rack A) 0-10; J2 on nodes 2-5, two racks:
//	           10 x 1.5 = 15 s, 0-15
//	topology:  J1 on the smallest rack that holds it, B (nodes 4-5) 0-10;
//	           J2 on rack A 0-10
//
// Then J3 (gang 5, 10 s) at 20, all nodes free: no rack holds it, so
// topology takes the biggest rack (A) and one node of B, as first-fit
// does (nodes 0-4): two racks, 20-35 in both.
func TestGangTopology(t *testing.T) {
	nodes := make([]sim.NodeSpec, 6)
	for i := range nodes {
		nodes[i] = sim.NodeSpec{Name: "n" + string(rune('0'+i)), Slots: 1, Speed: 1, CPU: 1000, Rack: "A"}
		if i >= 4 {
			nodes[i].Rack = "B"
		}
	}
	tasks := gangJobs([]int32{2, 4, 5}, job{0, 1, 10, 10}, job{0, 1, 10, 10}, job{20, 1, 10, 10})
	for _, c := range []struct {
		topology bool
		want     string
	}{
		{false, "1:0-10 2:0-15 3:20-35"},
		{true, "1:0-10 2:0-10 3:20-35"},
	} {
		cfg := sim.Config{Nodes: nodes, Central: sim.Central{Backfill: sim.Greedy, TopologyGangs: c.topology, RackSlowdown: 0.5}}
		if got := schedule(t, cfg, tasks, firstFit()); got != c.want {
			t.Errorf("topology %v: got %s, want %s", c.topology, got, c.want)
		}
	}
}
