package traces

import (
	"errors"
	"io"

	"github.com/fleetsim/fleetsim/sim"
)

// Inflation is the workload of the FGD paper's inflation experiment (Weng
// et al., ATC '23, Sec. 6.1, "workload inflation"): the tasks of a pool in
// a seeded random order, then tasks drawn from the pool with replacement,
// until the arrived GPU request reaches Until times the cluster's GPU
// capacity. Tasks arrive one a second and carry no duration: the scheduler
// runs them with no departures (sim.Central.Hold).
//
// The pool is held in memory (a pod list of the openb trace is 8,152
// tasks), the one exception to streaming: sampling with replacement needs
// all of it.
type Inflation struct {
	pool     []sim.Task
	draw     func(*sim.Task) // a fresh task, when the pool is empty
	rng      *sim.Rand
	target   int64 // GPU milli to reach
	arrived  int64
	n        int64
	shuffled int // pool tasks already emitted in shuffled order
}

// NewInflation inflates pool until the arrived GPU request reaches until x
// capacityMilli (thousandths of a GPU). The pool must ask for some GPU.
func NewInflation(pool []sim.Task, capacityMilli int64, until float64, rng *sim.Rand) (*Inflation, error) {
	var gpu int64
	for i := range pool {
		gpu += pool[i].GPURequest()
	}
	if gpu == 0 {
		return nil, errors.New("traces: inflation needs tasks that ask for GPUs; none in the pool does")
	}
	target, err := inflationTarget(capacityMilli, until)
	if err != nil {
		return nil, err
	}
	return &Inflation{pool: pool, rng: rng, target: target}, nil
}

// NewShapeInflation inflates a synthetic workload: every task is drawn from
// the shape distribution (weights need not be normalised).
func NewShapeInflation(shapes []sim.TaskShape, capacityMilli int64, until float64, rng *sim.Rand) (*Inflation, error) {
	d, err := newShapeDraw(shapes, rng)
	if err != nil {
		return nil, err
	}
	var gpu float64
	for _, s := range shapes {
		gpu += float64(s.Weight * float64(s.GPUs) * float64(s.GPUMilli))
	}
	if gpu == 0 {
		return nil, errors.New("traces: inflation needs shapes that ask for GPUs; none does")
	}
	target, err := inflationTarget(capacityMilli, until)
	if err != nil {
		return nil, err
	}
	return &Inflation{draw: d.apply, rng: rng, target: target}, nil
}

// inflationTarget is the arrived GPU request (thousandths) to stop at.
func inflationTarget(capacityMilli int64, until float64) (int64, error) {
	if capacityMilli <= 0 || !(until > 0) {
		return 0, errors.New("traces: inflation needs a cluster with GPUs and a target share > 0")
	}
	return int64(until * float64(capacityMilli)), nil
}

// Next implements sim.Source.
func (f *Inflation) Next(t *sim.Task) error {
	if f.arrived >= f.target {
		return io.EOF
	}
	switch {
	case f.draw != nil:
		*t = sim.Task{}
		f.draw(t)
	case f.shuffled < len(f.pool):
		// Fisher–Yates, one step per task: the pool in a seeded order.
		j := f.shuffled + f.rng.IntN(len(f.pool)-f.shuffled)
		f.pool[f.shuffled], f.pool[j] = f.pool[j], f.pool[f.shuffled]
		*t = f.pool[f.shuffled]
		f.shuffled++
	default:
		*t = f.pool[f.rng.IntN(len(f.pool))]
	}
	t.ID = f.n
	t.Arrival = sim.Time(f.n) * sim.Second
	t.Work, t.Estimate = 0, 0
	f.arrived += t.GPURequest()
	f.n++
	return nil
}

// shapeDraw draws task shapes by weight (inverse transform on the
// cumulative weights).
type shapeDraw struct {
	shapes []sim.TaskShape
	cum    []float64
	rng    *sim.Rand
}

func newShapeDraw(shapes []sim.TaskShape, rng *sim.Rand) (*shapeDraw, error) {
	d := &shapeDraw{shapes: shapes, rng: rng, cum: make([]float64, len(shapes))}
	sum := 0.0
	for i, s := range shapes {
		if !(s.Weight >= 0) {
			return nil, errors.New("traces: shape weights must be >= 0")
		}
		sum += s.Weight
		d.cum[i] = sum
	}
	if !(sum > 0) {
		return nil, errors.New("traces: the shapes' weights sum to 0")
	}
	return d, nil
}

func (d *shapeDraw) apply(t *sim.Task) {
	u := d.rng.Float64() * d.cum[len(d.cum)-1]
	i := 0
	for i < len(d.cum)-1 && u >= d.cum[i] {
		i++
	}
	s := &d.shapes[i]
	t.CPU, t.Memory, t.GPUSpec = s.CPU, s.Memory, s.GPUSpec
	t.GPUs, t.GPUMilli = 0, 0
	if s.GPUMilli >= sim.GPUMilliPerGPU {
		t.GPUs = s.GPUs
	} else if s.GPUs > 0 {
		t.GPUMilli = s.GPUMilli
	}
}

// WithShapes gives every task of src a resource shape drawn from shapes,
// so a synthetic arrival process and service distribution make jobs.
type WithShapes struct {
	src  sim.Source
	draw *shapeDraw
}

// NewWithShapes wraps src; rng should be a stream of its own.
func NewWithShapes(src sim.Source, shapes []sim.TaskShape, rng *sim.Rand) (*WithShapes, error) {
	d, err := newShapeDraw(shapes, rng)
	if err != nil {
		return nil, err
	}
	return &WithShapes{src: src, draw: d}, nil
}

// Next implements sim.Source.
func (w *WithShapes) Next(t *sim.Task) error {
	if err := w.src.Next(t); err != nil {
		return err
	}
	w.draw.apply(t)
	return nil
}
