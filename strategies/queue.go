package strategies

import "github.com/fleetsim/fleetsim/sim"

// Queue policies order the pending queue of a central scheduler
// (cluster.queueing: central). They are strategies of kind QueuePolicy and
// are chosen per entry of the scenario's strategies list with `queue:`.
var queuePolicies = []Info{
	{Name: "fifo", New: newFIFO, Kind: QueuePolicy,
		Description: "first come, first served"},
	{Name: "priority", New: newPriority, Kind: QueuePolicy,
		Description: "highest task priority first, arrival order among equals"},
	{Name: "sjf-oracle", New: newSJF, Kind: QueuePolicy,
		Description: "shortest job first by the true duration (an oracle: no real scheduler knows it)"},
	{Name: "drf", New: newDRF, Kind: QueuePolicy,
		Description: "dominant resource fairness across tenants (Ghodsi et al., NSDI '11)"},
}

func init() {
	for _, info := range queuePolicies {
		MustRegister(info)
	}
}

// FIFO keeps arrival order.
type FIFO struct{}

func newFIFO(Args, *sim.Rand) (sim.Strategy, error) { return FIFO{}, nil }

// Name implements sim.Strategy.
func (FIFO) Name() string { return "fifo" }

// Less implements sim.QueueSorter: no task goes before an earlier one.
func (FIFO) Less(a, b *sim.Task) bool { return false }

// Priority orders by Task.Priority, larger first.
type Priority struct{}

func newPriority(Args, *sim.Rand) (sim.Strategy, error) { return Priority{}, nil }

// Name implements sim.Strategy.
func (Priority) Name() string { return "priority" }

// Less implements sim.QueueSorter.
func (Priority) Less(a, b *sim.Task) bool { return a.Priority > b.Priority }

// SJFOracle orders by true duration, shortest first. It reads Task.Work,
// the future no real scheduler sees, and says so in its name: it is the
// bound that estimate-based policies are compared against.
type SJFOracle struct{}

func newSJF(Args, *sim.Rand) (sim.Strategy, error) { return SJFOracle{}, nil }

// Name implements sim.Strategy.
func (SJFOracle) Name() string { return "sjf-oracle" }

// Less implements sim.QueueSorter.
func (SJFOracle) Less(a, b *sim.Task) bool { return a.Work < b.Work }

// DRF is dominant resource fairness (Ghodsi, Zaharia, Hindman, Konwinski,
// Shenker, Stoica: "Dominant Resource Fairness: Fair Allocation of Multiple
// Resource Types", NSDI '11). A tenant's dominant share is the largest, over
// cpu, memory and GPUs, of its running tasks' allocation divided by the
// cluster's capacity; the queue serves the tenant with the smallest
// dominant share first (progressive filling, the paper's Algorithm 1), in
// arrival order within a tenant and among equal shares.
type DRF struct {
	capacity [3]float64
	use      map[string]*tenantUse
}

// tenantUse is what a tenant's running tasks hold, and the dominant share
// it makes, kept up to date so that comparisons do no arithmetic.
type tenantUse struct {
	held  [3]float64
	share float64
}

var (
	_ sim.Reorderer   = (*DRF)(nil)
	_ sim.Observer    = (*DRF)(nil)
	_ sim.Initializer = (*DRF)(nil)
)

func newDRF(Args, *sim.Rand) (sim.Strategy, error) {
	return &DRF{use: map[string]*tenantUse{}}, nil
}

// Name implements sim.Strategy.
func (*DRF) Name() string { return "drf" }

// Reorders implements sim.Reorderer: shares change as tasks start and end.
func (*DRF) Reorders() {}

// Init implements sim.Initializer: the capacity shares are measured against.
func (d *DRF) Init(v *sim.View) error {
	d.capacity = [3]float64{}
	for i := 0; i < v.Len(); i++ {
		sp := v.Spec(i)
		d.capacity[0] += float64(sp.CPU)
		d.capacity[1] += float64(sp.Memory)
		d.capacity[2] += float64(float64(sp.GPUs) * sim.GPUMilliPerGPU)
	}
	return nil
}

func demand(t *sim.Task) [3]float64 {
	return [3]float64{float64(t.CPU), float64(t.Memory), float64(t.GPURequest())}
}

// Share is tenant's dominant share now.
func (d *DRF) Share(tenant string) float64 {
	if u := d.use[tenant]; u != nil {
		return u.share
	}
	return 0
}

func (d *DRF) add(t *sim.Task, sign float64) {
	u := d.use[t.Tenant]
	if u == nil {
		u = &tenantUse{}
		d.use[t.Tenant] = u
	}
	u.share = 0
	for r, x := range demand(t) {
		u.held[r] += float64(sign * x)
		if c := d.capacity[r]; c > 0 {
			u.share = max(u.share, u.held[r]/c)
		}
	}
}

// Less implements sim.QueueSorter.
func (d *DRF) Less(a, b *sim.Task) bool {
	return a.Tenant != b.Tenant && d.Share(a.Tenant) < d.Share(b.Tenant)
}

// Started implements sim.Observer.
func (d *DRF) Started(_ *sim.View, t *sim.Task, _ int) { d.add(t, 1) }

// Finished implements sim.Observer.
func (d *DRF) Finished(_ *sim.View, t *sim.Task, _ int, _ sim.Time) { d.add(t, -1) }

// Failed implements sim.Observer.
func (d *DRF) Failed(_ *sim.View, t *sim.Task, _ int) { d.add(t, -1) }
