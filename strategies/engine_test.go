package strategies_test

// End-to-end runs of the new balancers through the engine's dynamics
// (network, failures with health checks, scrapes, the broker queue).

import (
	"fmt"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/traces"
)

// regionSource gives every task an origin region in turn.
type regionSource struct {
	src     sim.Source
	regions []string
}

func (s regionSource) Next(t *sim.Task) error {
	if err := s.src.Next(t); err != nil {
		return err
	}
	t.Region = s.regions[t.ID%int64(len(s.regions))]
	return nil
}

func runEngine(t *testing.T, name string, args strategies.Args, cfg sim.Config, src sim.Source) sim.Result {
	t.Helper()
	st := mustNew(t, name, args, 3)
	e, err := sim.NewEngine(cfg, src, st)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	return e.Result()
}

// TestGeoEndToEnd: three regions 40–80 ms apart, two 2-slot nodes each, at
// 30 % load: geo serves at least 95 % of tasks in their own region (a
// region spills only when all 4 of its slots are taken, rare at this load),
// where round robin serves a third there.
func TestGeoEndToEnd(t *testing.T) {
	regions := []string{"eu", "us", "ap"}
	var nodes []sim.NodeSpec
	for _, r := range regions {
		for k := 0; k < 2; k++ {
			nodes = append(nodes, sim.NodeSpec{Name: fmt.Sprintf("%s-%d", r, k), Region: r, Slots: 2, Speed: 1})
		}
	}
	ms := sim.Millisecond
	net := &sim.Network{Regions: regions, RTT: []sim.Time{0, 80 * ms, 60 * ms, 80 * ms, 0, 40 * ms, 60 * ms, 40 * ms, 0}}
	for _, c := range []struct {
		name     string
		min, max float64
	}{{"geo", 0.95, 1}, {"round-robin", 0.3, 0.37}} {
		own, total := 0, 0
		cfg := sim.Config{Nodes: nodes, StopTasks: 20000, Network: net, OnRecord: func(r *sim.Record) {
			total++
			if r.Node >= 0 && nodes[r.Node].Region == r.Task.Region {
				own++
			}
		}}
		// 12 slots at 30 %: 3.6 busy slots, 1 s mean service.
		src := regionSource{traces.NewGenerator(traces.Poisson{Rate: 3.6}, traces.Exponential{Mean: sim.Second}, 4), regions}
		runEngine(t, c.name, nil, cfg, src)
		if f := float64(own) / float64(total); f < c.min || f > c.max {
			t.Errorf("%s: %.3f of tasks served in their own region, want %.2f..%.2f", c.name, f, c.min, c.max)
		}
	}
}

// TestHealthEndToEnd: node 0 of 4 fails from 20 s to 220 s; health checks
// (every second, down after 2 failed probes) report it within about 2 s.
// DNS-style round robin keeps sending it a quarter of the tasks, which all
// fail; the health-aware balancers, and round robin with health: true,
// lose only the tasks sent during the detection lag and those it held.
func TestHealthEndToEnd(t *testing.T) {
	nodes := equalNodes(4)
	cfg := sim.Config{Nodes: nodes, StopTasks: 5000, Seed: 1,
		Faults: []sim.Fault{{Node: 0, At: 20 * sim.Second, For: 200 * sim.Second}},
		Health: &sim.Health{Interval: sim.Second, Threshold: 2, Rise: 2}}
	failed := map[string]int64{}
	for _, c := range []struct {
		name string
		args strategies.Args
	}{
		{"round-robin", nil}, {"round-robin", strategies.Args{"health": true}}, {"random", nil}, {"p2c", nil},
		{"least-connections", nil}, {"adaptive", nil}, {"least-request", nil}, {"resource-based", nil},
		{"consistent-hash", strategies.Args{"key": "id"}}, {"queue", nil},
	} {
		// 10 tasks/s, 0.2 s each: 50 % load; the run lasts about 500 s.
		src := traces.NewGenerator(traces.Poisson{Rate: 10}, traces.Exponential{Mean: 200 * sim.Millisecond}, 5)
		r := runEngine(t, c.name, c.args, cfg, src)
		failed[mustNew(t, c.name, c.args, 1).Name()] = r.Tasks.Failed
	}
	// Round robin: a quarter of the ≈ 2000 tasks of the outage.
	if f := failed["round-robin"]; f < 400 {
		t.Errorf("round-robin lost %d tasks, want a quarter of those arriving while node 0 was down (≈ 500)", f)
	}
	for name, f := range failed {
		if name != "round-robin" && f > 40 {
			t.Errorf("%s lost %d tasks, want only those of the detection lag (≈ 10)", name, f)
		}
	}
}

// TestResourceBasedScrapesInEngine: with a one-hour scrape interval the
// strategy never scrapes in a 500 s run and routes by capacity alone
// (4 : 1 here), so the slow node is overloaded and queues grow; scraping
// every 100 ms lets it see the backlog and balance better.
func TestResourceBasedScrapesInEngine(t *testing.T) {
	nodes := []sim.NodeSpec{{Name: "big", Slots: 4, Speed: 1}, {Name: "small", Slots: 1, Speed: 1}}
	mean := map[sim.Time]float64{}
	for _, every := range []sim.Time{sim.Hour, 100 * sim.Millisecond} {
		src := traces.NewGenerator(traces.Poisson{Rate: 4}, traces.Exponential{Mean: sim.Second}, 6)
		r := runEngine(t, "resource-based", strategies.Args{"scrape": every}, sim.Config{Nodes: nodes, StopTasks: 2000}, src)
		mean[every] = r.Latency.Mean
	}
	if !(mean[100*sim.Millisecond] < mean[sim.Hour]) {
		t.Errorf("mean sojourn %.2f s scraping every 100 ms, %.2f s never scraping; want scraping to help", mean[100*sim.Millisecond], mean[sim.Hour])
	}
}

// TestQueueIsMMc: the broker keeps every node busy while work waits, so on
// 4 single-slot nodes at 80 % load its mean wait is the M/M/4 one (Erlang C:
// 0.5964 × 1 s / (4 − 3.2) = 0.745 s), far below random routing's M/M/1
// (ρ/(μ − λ) = 4 s); checked within 25 %, the run being 20000 tasks.
func TestQueueIsMMc(t *testing.T) {
	wait := map[string]float64{}
	for _, name := range []string{"queue", "random"} {
		var sum float64
		var n int
		cfg := sim.Config{Nodes: equalNodes(4), StopTasks: 20000, WarmupTasks: 2000, OnRecord: func(r *sim.Record) {
			if !r.Warmup && r.Status == sim.Completed {
				sum += r.Wait().Seconds()
				n++
			}
		}}
		src := traces.NewGenerator(traces.Poisson{Rate: 3.2}, traces.Exponential{Mean: sim.Second}, 7)
		runEngine(t, name, nil, cfg, src)
		wait[name] = sum / float64(n)
	}
	if w := wait["queue"]; w < 0.745*0.75 || w > 0.745*1.25 {
		t.Errorf("queue: mean wait %.3f s, want Erlang C's 0.745 s ± 25 %%", w)
	}
	if wait["random"] < 2 {
		t.Errorf("random: mean wait %.3f s, want about 4 s (M/M/1)", wait["random"])
	}
}
