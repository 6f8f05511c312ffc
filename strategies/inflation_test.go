package strategies_test

// The FGD paper's workload-inflation experiment (Weng et al., "Beware of
// Fragmentation", USENIX ATC '23, Sec. 6, Fig. 9(a)), run the way its
// artifact (hkust-adsl/kubernetes-scheduler-simulator) runs it, against
// the published means: the harness for checking the six placement
// strategies of the paper. The trace files live outside the module
// (../shared/traces/alibaba-gpu-2023); the test skips when they are absent.
//
//	go test ./strategies -run TestInflation -inflation.seeds 10   # the table, mean of seeds 42..51
//	go test ./strategies -run '^$' -bench 'Inflation|Place' -benchtime 1x

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/traces"
)

var inflationSeeds = flag.Int("inflation.seeds", 0, "run TestInflation over this many seeds from 42 (10 for the paper's table; 0 runs one seed of a few strategies)")

const traceDir = "../../shared/traces/alibaba-gpu-2023"

// The paper's six policies and the artifact's published GPU allocation
// ratios at 100 % and 130 % arrived GPU request, default pod list, mean of
// seeds 42..51 (experiments/analysis/expected_results/analysis_allo_discrete.csv).
var published = []struct {
	name      string
	at100     float64
	at130     float64
	published string
}{
	{"random", 86.30, 87.47, "Random"},
	{"dot-product", 90.62, 90.85, "DotProd"},
	{"gpu-clustering", 91.65, 91.88, "GpuClustering"},
	{"gpu-packing", 91.78, 92.00, "GpuPacking"},
	{"best-fit", 92.86, 93.08, "BestFit"},
	{"fgd", 95.23, 95.39, "FGD"},
}

// openb is the trace as the traces package reads it: nodes from the
// gpu_node list, pods in file (name) order.
type openb struct {
	nodes  []sim.NodeSpec
	pods   []sim.Task
	shapes []sim.TaskShape
	gpuCap int64 // thousandths
}

var openbCache *openb

func loadOpenb(tb testing.TB) *openb {
	tb.Helper()
	if openbCache != nil {
		return openbCache
	}
	nodesPath := filepath.Join(traceDir, "openb_node_list_gpu_node.csv")
	if _, err := os.Stat(nodesPath); os.IsNotExist(err) {
		tb.Skipf("trace %s absent (expected beside the repository, see shared/traces/alibaba-gpu-2023/README.md)", nodesPath)
	}
	nodes, err := traces.ReadOpenbNodes(nodesPath)
	if err != nil {
		tb.Fatal(err)
	}
	o := &openb{nodes: nodes}
	for _, n := range nodes {
		o.gpuCap += int64(n.GPUs) * sim.GPUMilliPerGPU
	}
	src, closer, err := traces.Open(filepath.Join(traceDir, "openb_pod_list_default.csv"), "openb")
	if err != nil {
		tb.Fatal(err)
	}
	defer closer.Close()
	var c sim.ShapeCounter
	err = traces.ForEach(src, func(t *sim.Task) error {
		t.Work = sim.Second
		o.pods = append(o.pods, *t)
		c.Add(t)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	// The artifact's typical pods: the most frequent shapes covering 95 %
	// of the pod list, CPU-only pods included (generate_config_and_run.py
	// defaults: isInvolvedCpuPods true, podPopularityThreshold 95, step 1).
	o.shapes = c.Shapes(0.95)
	openbCache = o
	return o
}

// workload is the artifact's arrival sequence for a seed
// (pkg/simulator/core.go Simulate, SortClusterPods, tuneUpPods): the pod
// list sorted by name and shuffled, then pods drawn uniformly with
// replacement from the name-sorted list and appended until the next one
// would take the arrived GPU request past 1.3 × capacity. Like the
// artifact, that check adds the drawn pod's per-GPU share (not its total),
// and the first pod that fails it ends the list.
func (o *openb) workload(seed uint64) []sim.Task {
	rng := sim.NewRand(seed, "inflation")
	w := append([]sim.Task(nil), o.pods...)
	for i := len(w) - 1; i > 0; i-- { // Fisher–Yates, as Go's rand.Shuffle
		j := rng.IntN(i + 1)
		w[i], w[j] = w[j], w[i]
	}
	var total int64
	for i := range w {
		total += w[i].GPURequest()
	}
	target := 1.3 * float64(o.gpuCap)
	for {
		t := o.pods[rng.IntN(len(o.pods))]
		_, milli := t.GPUDemand()
		if float64(total+int64(milli)) > target {
			break
		}
		total += t.GPURequest()
		t.ID = int64(len(w))
		w = append(w, t)
	}
	return w
}

type inflationResult struct {
	at100, at130 float64 // GPU allocation ratio, %
	placed       int
	failed       int
	failedGPU    int64 // thousandths requested by failed tasks
}

// inflate places the workload one task at a time on an empty cluster,
// never releasing anything; a task that fits nowhere is dropped. After
// each task it records (arrived GPU request, allocated GPU), and the
// ratio at X % is the mean allocation ratio over the records whose arrived
// request rounds to X % of capacity (±1 % when none does), as the
// artifact's merge_alloc_discrete script computes it.
func inflate(tb testing.TB, o *openb, st sim.Strategy, w []sim.Task) inflationResult {
	v := sim.NewView(o.nodes)
	v.SetShapes(o.shapes)
	placer := st.(sim.Placer)
	obs, _ := st.(sim.Observer)
	var p sim.Placement
	var res inflationResult
	var arrived, used int64
	type rec struct{ arrived, used int64 }
	recs := make([]rec, 0, len(w))
	for i := range w {
		t := &w[i]
		g := t.GPURequest()
		arrived += g
		p.Node = -1
		if placer.Place(v, t, &p) {
			if err := v.Allocate(p.Node, t, p.GPUs); err != nil {
				tb.Fatalf("%s: task %d: %v", st.Name(), t.ID, err)
			}
			if obs != nil {
				obs.Started(v, t, p.Node)
			}
			used += g
			res.placed++
		} else {
			res.failed++
			res.failedGPU += g
		}
		recs = append(recs, rec{arrived, used})
	}
	at := func(pct float64) float64 {
		for _, tol := range []float64{0, 1} {
			var sum float64
			n := 0
			for _, r := range recs {
				a := math.RoundToEven(float64(r.arrived) / float64(o.gpuCap) * 100)
				if a >= pct-tol && a <= pct+tol {
					sum += float64(r.used) / float64(o.gpuCap) * 100
					n++
				}
			}
			if n > 0 {
				return sum / float64(n)
			}
		}
		return math.NaN()
	}
	res.at100, res.at130 = at(100), at(130)
	return res
}

func newStrategy(tb testing.TB, name string, args strategies.Args, seed uint64) sim.Strategy {
	tb.Helper()
	st, err := strategies.New(name, args, sim.NewRand(seed, "strategy/"+name))
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// TestInflation runs the experiment and prints the table. With
// -inflation.seeds 10 it checks every strategy against the published mean
// within 1.5 percentage points and the published order; by default it runs
// seed 42 of best-fit and fgd only and checks fgd beats best-fit (the
// artifact's seed-42 run gives 95.29 % and 93.13 % at 130 %).
func TestInflation(t *testing.T) {
	o := loadOpenb(t)
	seeds := *inflationSeeds
	rows := published
	if seeds == 0 {
		if testing.Short() {
			t.Skip("short: the inflation experiment takes a few seconds")
		}
		seeds = 1
		rows = []struct {
			name      string
			at100     float64
			at130     float64
			published string
		}{published[4], published[5]}
	}
	t.Logf("openb gpu_node list: %d nodes, %d GPUs; default pod list: %d pods, %d target shapes",
		len(o.nodes), o.gpuCap/1000, len(o.pods), len(o.shapes))
	t.Logf("%-15s %8s %8s %8s %6s %8s %7s %8s %7s", "strategy", "at 100%", "pub.", "at 130%", "sd", "pub.", "diff", "failed", "s/run")
	var got []float64
	for _, row := range rows {
		var a100, a130, sq, failed float64
		start := time.Now()
		for s := 0; s < seeds; s++ {
			seed := uint64(42 + s)
			r := inflate(t, o, newStrategy(t, row.name, nil, seed), o.workload(seed))
			a100 += r.at100 / float64(seeds)
			a130 += r.at130 / float64(seeds)
			sq += r.at130 * r.at130 / float64(seeds)
			failed += float64(r.failed) / float64(seeds)
		}
		el := time.Since(start).Seconds() / float64(seeds)
		sd := math.Sqrt(max(sq-a130*a130, 0) * float64(seeds) / float64(max(seeds-1, 1)))
		t.Logf("%-15s %7.2f%% %7.2f%% %7.2f%% %6.2f %7.2f%% %+6.2f %8.1f %7.2f", row.name, a100, row.at100, a130, sd, row.at130, a130-row.at130, failed, el)
		got = append(got, a130)
		if *inflationSeeds >= 10 && math.Abs(a130-row.at130) > 1.5 {
			t.Errorf("%s: %.2f%% at 130%% arrived, published %.2f%% (more than 1.5 points apart)", row.name, a130, row.at130)
		}
	}
	if !sort.Float64sAreSorted(got) {
		var order []string
		for _, row := range rows {
			order = append(order, row.name)
		}
		t.Errorf("allocation ratios at 130%% %.2f are not in the published order %v", got, order)
	}
}

// BenchmarkInflation times the whole experiment, one seed, per strategy.
func BenchmarkInflation(b *testing.B) {
	o := loadOpenb(b)
	w := o.workload(42)
	for _, name := range placementNames() {
		b.Run(name, func(b *testing.B) {
			var r inflationResult
			for b.Loop() {
				r = inflate(b, o, newStrategy(b, name, nil, 42), w)
			}
			b.ReportMetric(r.at130, "alloc130%")
			b.ReportMetric(float64(len(w))*float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
		})
	}
}

// BenchmarkPlace times single decisions on the openb cluster as it fills:
// each iteration places the next task of the inflated workload and
// allocates it; the cluster starts afresh (untimed) when the workload ends.
func BenchmarkPlace(b *testing.B) {
	o := loadOpenb(b)
	w := o.workload(42)
	for _, name := range placementNames() {
		b.Run(name, func(b *testing.B) {
			var v *sim.View
			var st sim.Strategy
			var p sim.Placement
			k := len(w)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if k == len(w) {
					b.StopTimer()
					v = sim.NewView(o.nodes)
					v.SetShapes(o.shapes)
					st = newStrategy(b, name, nil, 42)
					k = 0
					b.StartTimer()
				}
				t := &w[k]
				k++
				if st.(sim.Placer).Place(v, t, &p) {
					if err := v.Allocate(p.Node, t, p.GPUs); err != nil {
						b.Fatal(err)
					}
					if obs, ok := st.(sim.Observer); ok {
						obs.Started(v, t, p.Node)
					}
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
		})
	}
}

// placementNames lists the registered placement strategies.
func placementNames() []string {
	var out []string
	for _, n := range strategies.Names() {
		if info, _ := strategies.Lookup(n); info.Of()&strategies.Placement != 0 {
			out = append(out, n)
		}
	}
	return out
}

// replicated is the openb cluster with its node list repeated r times
// (names suffixed), the same pods and target shapes: the inflation
// workload then draws pods until 1.3 × the r-fold capacity.
func (o *openb) replicated(r int) *openb {
	c := &openb{pods: o.pods, shapes: o.shapes, gpuCap: o.gpuCap * int64(r)}
	for k := 0; k < r; k++ {
		for _, n := range o.nodes {
			n.Name = n.Name + "-" + strconv.Itoa(k)
			c.nodes = append(c.nodes, n)
		}
	}
	return c
}

// BenchmarkPlacementScale times the inflation experiment (seed 42) on the
// openb node list replicated 1×, 10× and 50×: first-fit, best-fit, fgd,
// worst-fit, dot-product and gpu-packing on their indexes and with their
// scans (the oracles) (the scans only to 10×: 50× of them takes many
// minutes; set FLEETSIM_BENCH_50X=1 to run them).
func BenchmarkPlacementScale(b *testing.B) {
	base := loadOpenb(b)
	for _, r := range []int{1, 10, 50} {
		o := base.replicated(r)
		w := o.workload(42)
		for _, c := range []struct {
			name string
			args strategies.Args
		}{{"first-fit", nil}, {"first-fit", strategies.Args{"scan": true}}, {"best-fit", nil}, {"best-fit", strategies.Args{"scan": true}}, {"fgd", nil}, {"fgd", strategies.Args{"scan": true}},
			{"worst-fit", nil}, {"worst-fit", strategies.Args{"scan": true}}, {"dot-product", nil}, {"dot-product", strategies.Args{"scan": true}},
			{"gpu-packing", nil}, {"gpu-packing", strategies.Args{"scan": true}}} {
			label := c.name
			if c.args != nil {
				label += "{scan=true}"
			}
			if r == 50 && c.args != nil && os.Getenv("FLEETSIM_BENCH_50X") == "" {
				continue
			}
			b.Run(fmt.Sprintf("%s/x%d", label, r), func(b *testing.B) {
				var res inflationResult
				cpu0 := processCPU()
				for b.Loop() {
					res = inflate(b, o, newStrategy(b, c.name, c.args, 42), w)
				}
				b.ReportMetric(float64(processCPU()-cpu0)/1e9/float64(b.N), "cpu-s/op")
				b.ReportMetric(res.at130, "alloc130%")
				b.ReportMetric(float64(len(o.nodes)), "nodes")
				b.ReportMetric(float64(len(w))*float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
			})
		}
	}
}
