package main

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
	"syscall"

	"github.com/fleetsim/fleetsim/scenario"
	"github.com/fleetsim/fleetsim/sim"
)

// Bounds on the counts that size what the CLI allocates; each is also
// checked against an estimate of the memory it takes (sim.MemoryBudget).
const (
	maxSeeds       = 100_000   // --seeds
	maxRuns        = 1_000_000 // runs of a compare or sweep, and a merged sweep's
	maxSweepPoints = 100_000   // points of a sweep's cross product
	// bytesPerResult is a generous estimate of a finished run's result
	// kept until the end (its latency histograms and CDF).
	bytesPerResult = 64 << 10
	// bytesPerSample is a sample's share per node of a run's time series.
	bytesPerSample = 32
)

// setMemoryBudget takes sim.MemoryBudget from FLEETSIM_MAX_MEMORY (a size
// like 16Gi or a number of bytes) when it is set, else lowers the default
// to half the address-space limit (ulimit -v) when there is one.
func setMemoryBudget() error {
	v := os.Getenv("FLEETSIM_MAX_MEMORY")
	if v == "" {
		var rl syscall.Rlimit
		if syscall.Getrlimit(syscall.RLIMIT_AS, &rl) == nil && rl.Cur != ^uint64(0) && rl.Cur/2 < uint64(sim.MemoryBudget) {
			sim.MemoryBudget = int64(rl.Cur / 2)
		}
		return nil
	}
	b, err := scenario.ParseSize(v)
	if err != nil || b <= 0 {
		return fmt.Errorf("FLEETSIM_MAX_MEMORY: expected a size like 16Gi, got %q", v)
	}
	sim.MemoryBudget = b
	return nil
}

// checkSeeds bounds --seeds before a seed list is made.
func checkSeeds(seeds int) error {
	if seeds < 1 || seeds > maxSeeds {
		return fmt.Errorf("--seeds: expected an integer in [1, %d], got %d", maxSeeds, seeds)
	}
	return nil
}

// checkSweepSize bounds a sweep's points and runs before its cross product
// is built or any scenario is loaded.
func checkSweepSize(params []sweepParam, seeds int, sh shard) error {
	if err := checkSeeds(seeds); err != nil {
		return err
	}
	pts := 1
	var counts []string
	for _, p := range params {
		counts = append(counts, fmt.Sprint(len(p.Values)))
		if len(p.Values) > 0 && pts > maxSweepPoints/len(p.Values) {
			pts = maxSweepPoints + 1
			break
		}
		pts *= len(p.Values)
	}
	if pts > maxSweepPoints {
		return fmt.Errorf("--set: %s values make more than %d points; sweep fewer values", strings.Join(counts, " × "), maxSweepPoints)
	}
	if pts > maxRuns/seeds {
		return fmt.Errorf("--seeds %d × %d points: more than %d runs; lower --seeds or the --set values", seeds, pts, maxRuns)
	}
	if sh.n > maxRuns {
		return fmt.Errorf("--shard: expected at most %d shards, got %d", maxRuns, sh.n)
	}
	return nil
}

// checkRuns checks runs of sc against maxRuns and the memory they would
// take: every result kept to the end, and one cluster model per core.
// lower says what to lower.
func checkRuns(sc *scenario.Scenario, runs int, lower string) error {
	if runs > maxRuns {
		return fmt.Errorf("%d runs: expected at most %d; lower %s", runs, maxRuns, lower)
	}
	nodes, gpus := clusterSize(sc)
	par := int64(min(runs, runtime.GOMAXPROCS(0)))
	est := int64(runs)*bytesPerResult + par*sim.ClusterBytes(nodes, gpus)
	if est > sim.MemoryBudget {
		return fmt.Errorf("%d runs of %d nodes would take about %s of memory, more than the budget of %s: lower %s (or raise FLEETSIM_MAX_MEMORY)",
			runs, nodes, sim.FormatBytes(est), sim.FormatBytes(sim.MemoryBudget), lower)
	}
	return nil
}

// clusterSize is the number of nodes and of GPUs of sc's cluster.
func clusterSize(sc *scenario.Scenario) (nodes int, gpus int64) {
	for _, g := range sc.Cluster.Groups {
		gpus += int64(g.GPUs) * int64(g.Count)
		if g.Autoscale != nil {
			gpus += int64(g.GPUs) * int64(g.Autoscale.Max-g.Count)
		}
	}
	for _, n := range sc.Cluster.FileNodes {
		gpus += int64(n.GPUs)
	}
	return sc.NodeCount(), gpus
}

// boundSampling checks an explicit --sample-every against the memory its
// series would take. When the run's length is known the estimate is made
// up front and a too fine interval refused; when it is not (a trace), the
// sampler's Max is set so the series never outgrows the budget (its
// interval then doubles, as under auto).
func boundSampling(sc *scenario.Scenario, s *sim.Sampling, runs int) error {
	if s.Every <= 0 || s.Max > 0 {
		return nil
	}
	par := float64(max(1, min(runs, runtime.GOMAXPROCS(0))))
	perSample := float64(sc.NodeCount()+1) * bytesPerSample * par
	var expected float64 // seconds
	switch {
	case sc.Stop.Time > 0:
		expected = sc.Stop.Time.Seconds()
	case sc.Stop.Tasks > 0 && sc.Workload.Arrivals != nil && sc.Workload.Arrivals.Rate > 0:
		expected = float64(sc.Stop.Tasks) / sc.Workload.Arrivals.Rate
	}
	budget := float64(sim.MemoryBudget) / 2 // the rest for the model and results
	if expected > 0 {
		if est := expected / s.Every.Seconds() * perSample; est > budget {
			return fmt.Errorf("--sample-every %v: about %.3g samples of %d nodes, %s of memory, more than the budget of %s: raise --sample-every (or use auto)",
				s.Every, expected/s.Every.Seconds(), sc.NodeCount(), sim.FormatBytes(int64(math.Min(est, math.MaxInt64/2))), sim.FormatBytes(int64(budget)))
		}
	}
	s.Max = max(1, int(budget/perSample/2))
	return nil
}
