package traces

import (
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/fleetsim/fleetsim/sim"
)

// DAGShape is the structure of generated workflows.
type DAGShape string

// Shapes of DAGGen.
const (
	// Layered: Tasks tasks in Layers layers of (nearly) equal width; each
	// task of layer l > 0 has every task of layer l-1 as a parent with
	// probability EdgeProb, and at least one (chosen uniformly).
	Layered DAGShape = "layered"
	// ForkJoin: Stages stages, each a fork task, Width parallel tasks and a
	// join task; the join of a stage is the fork's parent in the next
	// (Tasks is then Stages × (Width + 2)).
	ForkJoin DAGShape = "fork-join"
)

// DAGGen generates a stream of random workflows for synthetic studies:
// Workflows DAGs of the given shape, arriving Interarrival apart on
// average (exponential gaps; 0: all at time 0). Task work is uniform on
// [0.5, 1.5] × MeanWork; every edge carries uniform [0.5, 1.5] × CCR ×
// MeanWork × Bandwidth bytes, so that at Bandwidth bytes per second the
// mean transfer time over the mean work is the communication-to-
// computation ratio CCR (Topcuoglu et al. 2002's parameter). Each task
// asks for one core. Draws come from the stream (Seed, "dag").
type DAGGen struct {
	Shape        DAGShape
	Tasks        int     // layered: tasks per workflow
	Layers       int     // layered: layers
	EdgeProb     float64 // layered: probability of each edge between adjacent layers
	Width        int     // fork-join: parallel tasks per stage
	Stages       int     // fork-join: stages
	MeanWork     sim.Time
	CCR          float64
	Bandwidth    float64 // bytes per second the CCR is stated at
	Workflows    int
	Interarrival sim.Time
	Seed         uint64
}

// Validate reports the first bad parameter.
func (g *DAGGen) Validate() error {
	switch {
	case g.Shape != Layered && g.Shape != ForkJoin:
		return fmt.Errorf("dag shape: expected %s or %s, got %q", Layered, ForkJoin, g.Shape)
	case g.Shape == Layered && (g.Tasks < 1 || g.Layers < 1 || g.Layers > g.Tasks):
		return fmt.Errorf("dag: layered needs tasks >= layers >= 1, got tasks %d, layers %d", g.Tasks, g.Layers)
	case g.Shape == Layered && !(g.EdgeProb >= 0 && g.EdgeProb <= 1):
		return fmt.Errorf("dag: edge_prob must be in [0, 1], got %v", g.EdgeProb)
	case g.Shape == ForkJoin && (g.Width < 1 || g.Stages < 1):
		return fmt.Errorf("dag: fork-join needs width >= 1 and stages >= 1, got %d and %d", g.Width, g.Stages)
	case g.MeanWork <= 0:
		return fmt.Errorf("dag: mean work must be > 0")
	case !(g.CCR >= 0) || math.IsInf(g.CCR, 0):
		return fmt.Errorf("dag: ccr must be a finite number >= 0, got %v", g.CCR)
	case g.CCR > 0 && !(g.Bandwidth > 0):
		return fmt.Errorf("dag: ccr > 0 needs a bandwidth > 0")
	case g.Workflows < 1:
		return fmt.Errorf("dag: workflows must be >= 1")
	case g.Interarrival < 0:
		return fmt.Errorf("dag: interarrival must be >= 0")
	}
	return nil
}

// Source returns the generated stream, or the Validate error.
func (g *DAGGen) Source() (sim.Source, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	return &dagSource{g: *g, rng: sim.NewRand(g.Seed, "dag")}, nil
}

type dagSource struct {
	g     DAGGen
	rng   *sim.Rand
	buf   []sim.Task
	i     int
	made  int
	at    sim.Time
	nextI int64
}

func (s *dagSource) Next(t *sim.Task) error {
	if s.i >= len(s.buf) {
		if s.made >= s.g.Workflows {
			return io.EOF
		}
		if s.made > 0 && s.g.Interarrival > 0 {
			s.at += sim.Time(s.rng.ExpFloat64() * float64(s.g.Interarrival))
		}
		s.generate()
		s.made++
	}
	*t = s.buf[s.i]
	s.i++
	return nil
}

func (s *dagSource) uniform(mean float64) float64 { return float64(mean * (0.5 + s.rng.Float64())) }

// generate builds the next workflow into buf.
func (s *dagSource) generate() {
	g := &s.g
	s.buf, s.i = s.buf[:0], 0
	name := "dag-" + strconv.Itoa(s.made)
	base := s.nextI
	add := func() int64 {
		w := sim.Time(s.uniform(float64(g.MeanWork)))
		s.buf = append(s.buf, sim.Task{ID: s.nextI, Arrival: s.at, Work: max(w, 1), Estimate: max(w, 1), CPU: 1000, Workflow: name, Class: g.Shape.class()})
		s.nextI++
		return s.nextI - 1
	}
	edge := func(parent, child int64) {
		t := &s.buf[child-base]
		if t.Deps == nil {
			t.Deps = &sim.Deps{}
		}
		b := int64(math.Round(s.uniform(g.CCR * g.MeanWork.Seconds() * g.Bandwidth)))
		t.Deps.Parents = append(t.Deps.Parents, sim.Edge{Parent: parent, Bytes: b})
		s.buf[parent-base].OutputBytes = max(s.buf[parent-base].OutputBytes, b)
	}
	switch g.Shape {
	case Layered:
		var prev []int64
		for l := 0; l < g.Layers; l++ {
			w := g.Tasks/g.Layers + boolInt(l < g.Tasks%g.Layers)
			cur := make([]int64, 0, w)
			for k := 0; k < w; k++ {
				id := add()
				cur = append(cur, id)
				if len(prev) == 0 {
					continue
				}
				n := 0
				for _, p := range prev {
					if s.rng.Float64() < g.EdgeProb {
						edge(p, id)
						n++
					}
				}
				if n == 0 {
					edge(prev[s.rng.IntN(len(prev))], id)
				}
			}
			prev = cur
		}
	case ForkJoin:
		join := int64(-1)
		for st := 0; st < g.Stages; st++ {
			fork := add()
			if join >= 0 {
				edge(join, fork)
			}
			mids := make([]int64, g.Width)
			for k := range mids {
				mids[k] = add()
				edge(fork, mids[k])
			}
			join = add()
			for _, m := range mids {
				edge(m, join)
			}
		}
	}
}

func (sh DAGShape) class() string { return string(sh) }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
