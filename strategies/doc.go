// Package strategies holds every built-in strategy, one file per family,
// and the registry that maps a name to a constructor with documented,
// validated parameters.
//
// # Extension points
//
// A strategy implements the sim interfaces it needs (the Kubernetes
// scheduling framework's split):
//
//   - sim.Picker: choose a node for each arriving task (load balancers);
//   - sim.QueueSorter: order a central pending queue (job placement);
//   - sim.Filter and sim.Scorer: feasible nodes and their score in
//     [sim.MinScore, sim.MaxScore];
//   - sim.Observer: hooks on task start, finish and failure, for adaptive
//     strategies;
//   - sim.Initializer: size state from the cluster before the first task.
//
// Each strategy file asserts at compile time what it implements.
//
// # Built-in load balancers
//
//	random                 uniform node; M/M/1 per node behind Poisson arrivals
//	round-robin            nodes in turn; E_n/M/1 per node
//	weighted-round-robin   nginx smooth WRR, weights = speed × slots by default
//	least-connections      fewest outstanding, ties in turn; weighted: true divides by capacity
//	jsq                    join the shortest queue, ties at random
//	power-of-d, p2c        shortest of d random nodes (supermarket model)
//	geo                    nearest region by RTT, spilling over above a load threshold
//	resource-based         random ∝ free cpu/memory/gpu as last scraped (a sim.Ticker)
//	adaptive               p2c on peak-EWMA latency × (outstanding+1) (Finagle, Linkerd)
//	least-request          full scan for least (outstanding+1) × EWMA latency (Envoy, NGINX Plus)
//	consistent-hash        session affinity by tenant, class, region or id (Maglev or ring)
//	queue                  a broker queue that free nodes pull from; M/M/c
//
// Health: round-robin and weighted-round-robin model DNS round robin and
// skip only nodes out of the pool (sim.View.Member) unless health: true;
// every other balancer chooses only healthy nodes (sim.View.Healthy) and
// drops a task only when none is. The randomised ones redraw an unhealthy
// node (health.go), so with every node healthy their draws are unchanged.
// docs/balancers.md gives each balancer, its parameters and its source;
// MeasureDecision measures a strategy's time per decision and state per
// node.
//
// # Built-in job placement (central queueing)
//
// Kind Placement, sim.Placer: first-fit, best-fit, worst-fit, dot-product,
// gpu-packing, gpu-clustering, fgd (fragmentation gradient descent, Weng
// et al., ATC '23), least-allocated, most-allocated, balanced-allocation
// (kube-scheduler's scores), and random. docs/placement.md gives each
// definition, its source and where it departs from it.
//
// Kind QueuePolicy, sim.QueueSorter: fifo, priority, sjf-oracle (reads true
// durations), drf (dominant resource fairness; a sim.Reorderer).
//
// # Adding a strategy
//
// Implement the interfaces in any module and register a Factory under a new
// name (a duplicate name is an error); the CLI and scenario files then know
// it. See the package example.
package strategies
