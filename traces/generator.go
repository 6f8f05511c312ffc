package traces

import (
	"io"

	"github.com/fleetsim/fleetsim/sim"
)

// Generator is a synthetic workload: an endless stream of tasks whose gaps
// come from an Arrivals process and whose work from a Service
// distribution. It implements sim.Source.
//
// Task i (IDs count from 0) arrives at the sum of the first i+1 gaps, so
// the first task arrives after one gap, not at 0. Gaps are drawn from the
// random stream (seed, "arrivals") and work from (seed, "service"), so
// changing the service distribution never moves an arrival, and the other
// way round. Only ID, Arrival and Work are set; the other fields are zero.
//
// Next allocates nothing. The stream ends (io.EOF) only if the clock would
// pass sim.MaxTime.
type Generator struct {
	arr    Arrivals
	svc    Service
	ar, sr sim.Rand
	now    sim.Time
	id     int64
	err    error
}

var _ sim.Source = (*Generator)(nil)

// validator is implemented by this package's processes and distributions.
type validator interface{ Validate() error }

// NewGenerator returns the workload of arr and svc for the given seed. If
// arr or svc has a Validate method that reports an error, every call of
// Next returns that error.
func NewGenerator(arr Arrivals, svc Service, seed uint64) *Generator {
	g := &Generator{arr: arr, svc: svc}
	g.ar.Seed(seed, "arrivals")
	g.sr.Seed(seed, "service")
	if v, ok := arr.(validator); ok {
		g.err = v.Validate()
	}
	if v, ok := svc.(validator); ok && g.err == nil {
		g.err = v.Validate()
	}
	return g
}

// Next fills t with the next task.
func (g *Generator) Next(t *sim.Task) error {
	if g.err != nil {
		return g.err
	}
	gap := max(g.arr.Gap(&g.ar), 0) // a negative gap from a custom process would break the order
	if gap > sim.MaxTime-g.now {
		g.err = io.EOF
		return io.EOF
	}
	g.now += gap
	*t = sim.Task{ID: g.id, Arrival: g.now, Work: g.svc.Sample(&g.sr)}
	g.id++
	return nil
}

// NextPlain is Next that sets only t's ID, Arrival and Work, the fields a
// generated task has (sim.PlainSource). The commonest processes and
// distributions are called directly rather than through their interfaces;
// the numbers are the same.
func (g *Generator) NextPlain(t *sim.Task) error {
	if g.err != nil {
		return g.err
	}
	var gap sim.Time
	if p, ok := g.arr.(Poisson); ok {
		gap = p.Gap(&g.ar)
	} else {
		gap = g.arr.Gap(&g.ar)
	}
	gap = max(gap, 0)
	if gap > sim.MaxTime-g.now {
		g.err = io.EOF
		return io.EOF
	}
	g.now += gap
	t.ID, t.Arrival = g.id, g.now
	if x, ok := g.svc.(Exponential); ok {
		t.Work = x.Sample(&g.sr)
	} else {
		t.Work = g.svc.Sample(&g.sr)
	}
	g.id++
	return nil
}
