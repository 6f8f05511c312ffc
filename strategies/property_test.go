package strategies_test

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

// randomCluster draws a small heterogeneous GPU cluster and its target
// workload.
func randomCluster(r *sim.Rand) ([]sim.NodeSpec, []sim.TaskShape) {
	n := 1 + r.IntN(12)
	nodes := make([]sim.NodeSpec, n)
	for i := range nodes {
		g := []int{0, 1, 2, 4, 8}[r.IntN(5)]
		model := ""
		if g > 0 {
			model = []string{"A", "B", "C"}[r.IntN(3)]
		}
		nodes[i] = sim.NodeSpec{Name: fmt.Sprintf("n%d", i), Slots: 1, Speed: 1,
			CPU: int64(4000 * (1 + r.IntN(16))), Memory: int64(8*(1+r.IntN(32))) * gib, GPUs: g, GPUModel: model}
	}
	var c sim.ShapeCounter
	for k := 0; k < 200; k++ {
		t := randomTask(r, int64(k))
		c.Add(&t)
	}
	return nodes, c.Shapes(0.9)
}

// randomTask draws a task: CPU only, a share of one GPU, or whole GPUs,
// sometimes restricted to GPU models.
func randomTask(r *sim.Rand, id int64) sim.Task {
	t := sim.Task{ID: id, CPU: int64(500 * (1 + r.IntN(32))), Memory: int64(r.IntN(33)) * gib}
	switch x := r.IntN(100); {
	case x < 25:
	case x < 65:
		t.GPUMilli = int32(50 * (1 + r.IntN(19)))
	default:
		t.GPUs = []int32{1, 1, 1, 2, 4, 8}[r.IntN(6)]
	}
	if (t.GPUs > 0 || t.GPUMilli > 0) && r.IntN(5) == 0 {
		t.GPUSpec = []string{"A", "B", "A|B", "C|A"}[r.IntN(4)]
	}
	return t
}

type running struct {
	node int
	task sim.Task
	gpus []int
}

// churn drives a placement strategy on a random cluster: tasks arrive and
// some leave; it calls check before each placement and returns every
// decision (node, GPUs).
func churn(t *testing.T, name string, args strategies.Args, seed uint64, steps int,
	check func(v *sim.View, task *sim.Task, ok bool, p *sim.Placement)) []string {
	t.Helper()
	r := sim.NewRand(seed, "property")
	nodes, shapes := randomCluster(r)
	v := sim.NewView(nodes)
	v.SetShapes(shapes)
	st, err := strategies.New(name, args, sim.NewRand(seed, "strategy/"+name))
	if err != nil {
		t.Fatal(err)
	}
	placer := st.(sim.Placer)
	obs, _ := st.(sim.Observer)
	var run []running
	var out []string
	var p sim.Placement
	for k := 0; k < steps; k++ {
		if len(run) > 0 && r.IntN(10) < 3 {
			j := r.IntN(len(run))
			d := run[j]
			v.Release(d.node, &d.task, d.gpus)
			if obs != nil {
				obs.Finished(v, &d.task, d.node, 0)
			}
			run = append(run[:j], run[j+1:]...)
			continue
		}
		task := randomTask(r, int64(k))
		p.Node, p.GPUs = -1, p.GPUs[:0]
		ok := placer.Place(v, &task, &p)
		check(v, &task, ok, &p)
		if !ok {
			out = append(out, "-")
			continue
		}
		out = append(out, fmt.Sprint(p.Node, p.GPUs))
		if err := v.Allocate(p.Node, &task, p.GPUs); err != nil {
			t.Fatalf("%s seed %d step %d: placement does not fit: %v", st.Name(), seed, k, err)
		}
		if obs != nil {
			obs.Started(v, &task, p.Node)
		}
		run = append(run, running{p.Node, task, slices.Clone(p.GPUs)})
	}
	return out
}

// TestPlacementProperties: on random clusters under random arrivals and
// departures, every placement strategy places only where the task fits
// (View.Allocate accepts it: no node or GPU is over-committed), reports
// false only when no node fits, and makes the same decisions for the same
// seed.
func TestPlacementProperties(t *testing.T) {
	for _, name := range placementNames() {
		for _, args := range []strategies.Args{nil, {"ties": "random"}, {"ties": "index"}} {
			if args != nil {
				if info, _ := strategies.Lookup(name); !hasParam(info, "ties") {
					continue
				}
			}
			for seed := uint64(1); seed <= 25; seed++ {
				check := func(v *sim.View, task *sim.Task, ok bool, p *sim.Placement) {
					fits := false
					for i := 0; i < v.Len(); i++ {
						fits = fits || v.Fits(i, task)
					}
					if ok != fits {
						t.Fatalf("%s %v seed %d task %+v: Place says %v, a node fits: %v", name, args, seed, *task, ok, fits)
					}
					if ok && (p.Node < 0 || p.Node >= v.Len() || !v.Fits(p.Node, task)) {
						t.Fatalf("%s %v seed %d: node %d does not fit task %+v", name, args, seed, p.Node, *task)
					}
				}
				a := churn(t, name, args, seed, 300, check)
				b := churn(t, name, args, seed, 300, check)
				if !slices.Equal(a, b) {
					t.Fatalf("%s %v seed %d: different decisions for the same seed", name, args, seed)
				}
			}
		}
	}
}

func hasParam(info strategies.Info, name string) bool {
	for _, p := range info.Params {
		if p.Name == name {
			return true
		}
	}
	return false
}

func TestPlacementParamErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		args strategies.Args
		want string
	}{
		{"best-fit", strategies.Args{"ties": "sometimes"}, "strategy best-fit: parameter ties: expected one of order, random, index; got sometimes"},
		{"fgd", strategies.Args{"ties": 1}, "strategy fgd: parameter ties: expected one of order, random, index; got 1"},
		{"fgd", strategies.Args{"exact": "yes"}, "strategy fgd: parameter exact: expected true or false, got yes"},
		{"least-allocated", strategies.Args{"cpu_weight": 101}, "strategy least-allocated: parameter cpu_weight: expected an integer in [0, 100], got 101"},
		{"most-allocated", strategies.Args{"cpu_weight": 0, "memory_weight": 0}, "strategy most-allocated: parameter cpu_weight: at least one of cpu_weight, memory_weight and gpu_weight must be > 0"},
		{"balanced-allocation", strategies.Args{"gpu": 1}, "strategy balanced-allocation: parameter gpu: expected true or false, got 1"},
		{"first-fit", strategies.Args{"ties": "index"}, "strategy first-fit: parameter ties: unknown parameter (allowed: scan)"},
	} {
		_, err := strategies.New(c.name, c.args, nil)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s %v: error %v, want %q", c.name, c.args, err, c.want)
		}
	}
}

// TestRandomPlacement: random draws uniformly among the nodes that fit,
// and for a share uniformly among the GPUs with enough free share.
func TestRandomPlacement(t *testing.T) {
	st, _ := strategies.New("random", nil, sim.NewRand(7, "strategy/random"))
	v := goldenCluster(t, st)
	const draws = 40000
	count := map[[2]int]int{}
	var p sim.Placement
	for k := 0; k < draws; k++ {
		task := share
		if !st.(sim.Placer).Place(v, &task, &p) || len(p.GPUs) != 1 {
			t.Fatalf("placed %v", p)
		}
		count[[2]int{p.Node, p.GPUs[0]}]++
	}
	// share fits n0 (GPUs 0, 1), n1 (GPUs 2, 3), n2 (GPUs 0..3), n4 (GPUs
	// 0, 1): each node 1/4, each of its GPUs an equal part of that.
	want := map[[2]int]float64{
		{0, 0}: 1.0 / 8, {0, 1}: 1.0 / 8, {1, 2}: 1.0 / 8, {1, 3}: 1.0 / 8,
		{2, 0}: 1.0 / 16, {2, 1}: 1.0 / 16, {2, 2}: 1.0 / 16, {2, 3}: 1.0 / 16,
		{4, 0}: 1.0 / 8, {4, 1}: 1.0 / 8,
	}
	for k, c := range count {
		w, ok := want[k]
		if !ok {
			t.Errorf("node %d GPU %d drawn %d times, never allowed", k[0], k[1], c)
			continue
		}
		// Five binomial standard deviations.
		if sd := 5 * math.Sqrt(draws*w*(1-w)); math.Abs(float64(c)-draws*w) > sd {
			t.Errorf("node %d GPU %d drawn %d times of %d, want %.0f ± %.0f", k[0], k[1], c, draws, draws*w, sd)
		}
	}
	if len(count) != len(want) {
		t.Errorf("drew %d (node, GPU) pairs, want %d", len(count), len(want))
	}
}

// TestWorstFitGPU: worst-fit puts a second share on another free GPU
// where best-fit GPU selection would fill the first one.
func TestWorstFitGPU(t *testing.T) {
	st, _ := strategies.New("worst-fit", nil, sim.NewRand(1, "golden"))
	v := goldenCluster(t, st)
	var p sim.Placement
	for k, want := range [][]int{{0}, {1}} {
		task := share
		task.ID = int64(10 + k)
		// L on n2: .93125 first, then ½·28000/32000+½·3400/4000 = .8625, still the largest.
		if !st.(sim.Placer).Place(v, &task, &p) || p.Node != 2 || !slices.Equal(p.GPUs, want) {
			t.Fatalf("share %d: node %d GPUs %v, want node 2 GPUs %v (GPU 0 has 700 free, 1..3 have 1000)", k, p.Node, p.GPUs, want)
		}
		if err := v.Allocate(p.Node, &task, p.GPUs); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTieOrder: with ties: order every tie goes to the same node, the first
// in a random order drawn from the strategy's stream, so different seeds
// prefer different nodes; ties: index takes the lowest index.
func TestTieOrder(t *testing.T) {
	nodes := make([]sim.NodeSpec, 16)
	for i := range nodes {
		nodes[i] = sim.NodeSpec{Name: fmt.Sprint(i), CPU: 1 << 20, Memory: 1 << 40}
	}
	task := sim.Task{CPU: 1, Memory: 1}
	firsts := map[int]bool{}
	for seed := uint64(1); seed <= 8; seed++ {
		st, _ := strategies.New("gpu-packing", nil, sim.NewRand(seed, "ties")) // CPU tasks score 0 everywhere
		v := sim.NewView(nodes)
		var p sim.Placement
		first := -1
		for k := 0; k < 20; k++ {
			st.(sim.Placer).Place(v, &task, &p)
			if first >= 0 && p.Node != first {
				t.Fatalf("seed %d: tie went to node %d, then %d", seed, first, p.Node)
			}
			first = p.Node
			if err := v.Allocate(p.Node, &task, nil); err != nil {
				t.Fatal(err)
			}
		}
		firsts[first] = true
	}
	if len(firsts) < 3 {
		t.Errorf("8 seeds preferred only nodes %v", firsts)
	}
	st, _ := strategies.New("gpu-packing", strategies.Args{"ties": "index"}, nil)
	var p sim.Placement
	if st.(sim.Placer).Place(sim.NewView(nodes), &task, &p); p.Node != 0 {
		t.Errorf("ties: index chose node %d", p.Node)
	}
}

// TestPlacementEmptyCluster: nothing fits an empty cluster, nothing panics.
func TestPlacementEmptyCluster(t *testing.T) {
	for _, name := range placementNames() {
		st, err := strategies.New(name, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		var p sim.Placement
		task := share
		if st.(sim.Placer).Place(sim.NewView(nil), &task, &p) {
			t.Errorf("%s placed a task on an empty cluster: %+v", name, p)
		}
	}
}

// TestPlacementParamDefaults: every documented parameter, given its
// documented default, is accepted and changes nothing.
func TestPlacementParamDefaults(t *testing.T) {
	for _, name := range placementNames() {
		info, _ := strategies.Lookup(name)
		plain, _ := strategies.New(name, nil, nil)
		for _, p := range info.Params {
			var val any = p.Default
			switch p.Type {
			case "bool":
				val = p.Default == "true"
			case "int":
				n, err := strconv.Atoi(p.Default)
				if err != nil {
					t.Fatalf("%s: parameter %s: default %q is not an int", name, p.Name, p.Default)
				}
				val = n
			}
			st, err := strategies.New(name, strategies.Args{p.Name: val}, nil)
			if err != nil {
				t.Errorf("%s: documented default %s = %v refused: %v", name, p.Name, val, err)
				continue
			}
			if st.Name() != plain.Name() {
				t.Errorf("%s: %s = %v (the default) names the strategy %q, not %q", name, p.Name, val, st.Name(), plain.Name())
			}
		}
	}
}
