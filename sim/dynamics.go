package sim

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// This file holds the configuration of what changes during a run under node
// queueing: the network between regions, node failures and maintenance,
// the clients' retries, health checks and autoscaling. ext.go runs them.

// Network models the delay between a task's origin region and the node that
// serves it. RTT is a round-trip matrix: half of it is spent before the task
// reaches the node, half after it ends, so a task's latency includes the
// whole round trip.
//
// Under central queueing the network carries workflow data instead
// (dag.go): a transfer between nodes of regions a and b takes half the
// round trip, RTT[a][b]/2, plus the bytes over Bandwidth[a][b]. Spikes
// apply under node queueing only.
type Network struct {
	Regions []string
	// RTT[from*len(Regions)+to] is the round-trip time between regions.
	RTT []Time
	// Bandwidth[from*len(Regions)+to] is the bandwidth of workflow
	// transfers between nodes of the two regions (bytes per second; the
	// diagonal is within a region); 0, or a nil matrix, leaves it to
	// Central.Transfer.Bandwidth. Node queueing ignores it.
	Bandwidth []float64
	Spikes    []Spike
}

// Spike adds Add to the round-trip time of every path with Region at one
// end (once, also within the region) during [At, At+For).
type Spike struct {
	Region  int
	At, For Time
	Add     Time
}

// Fault is a scheduled failure of one node: at At it stops, losing the
// tasks it serves and queues, and it comes back empty after For. With Drain
// it is maintenance instead: the node leaves the pool at At (strategies see
// that at once), finishes what it holds, and rejoins after For.
type Fault struct {
	Node    int
	At, For Time
	Drain   bool
}

// RandomFaults fail each of Nodes independently: up for a time with mean
// MTBF, then down for a time with mean MTTR, again and again. Times are
// exponential, or Weibull with shape Weibull when it is > 0 (shape < 1:
// infant mortality, > 1: wear-out), scaled to the same means. Each node
// draws from its own stream (seed, "faults/"+node name).
type RandomFaults struct {
	Nodes      []int
	MTBF, MTTR Time
	Weibull    float64
}

// Client is how clients retry: an attempt is given up after Timeout (0:
// never, and a lost attempt is noticed at once, as a reset connection is),
// and a task is retried up to Retries times, waiting Backoff × Multiplier^k
// before retry k+1 (at most BackoffMax when it is > 0). A task whose
// attempts are all lost ends as failed.
type Client struct {
	Retries    int
	Timeout    Time
	Backoff    Time
	BackoffMax Time
	Multiplier float64
}

// Health is an active health checker: it probes each node every Interval
// (each node at its own phase, drawn from the stream (seed, "health")),
// reports a node down after Threshold failed probes in a row and up again
// after Rise passed ones. Strategies see only what it reports (View.Healthy).
type Health struct {
	Interval  Time
	Threshold int
	Rise      int
}

// Autoscaler is a target-tracking horizontal autoscaler for one group:
// every Interval it sets the group's size to ceil(n × u / Target), where n
// is the number of members and u their mean utilization over the interval,
// within [Min, Max]. A new node is billed from its request and joins the
// pool Provision later; a removed node leaves the pool at once, finishes
// its work and is then released. Scale-in waits Cooldown after any
// scaling.
type Autoscaler struct {
	Group string
	// Nodes are the group's node indexes, Max of them; the first Initial
	// are in the pool at the start.
	Nodes     []int
	Initial   int
	Min, Max  int
	Target    float64
	Interval  Time
	Cooldown  Time
	Provision Time
}

// dynamic reports whether cfg asks for any of the features of this file,
// or has inference replicas.
func (cfg *Config) dynamic() bool {
	if cfg.Network != nil || len(cfg.Faults) > 0 || len(cfg.RandomFaults) > 0 ||
		cfg.Client != (Client{}) || cfg.Health != nil || len(cfg.Autoscale) > 0 {
		return true
	}
	for _, nd := range cfg.Nodes {
		if nd.PrefillPerToken > 0 || nd.DecodePerToken > 0 {
			return true
		}
	}
	return false
}

// check validates the network's matrices and spikes (a nil network is
// valid).
func (nw *Network) check() error {
	if nw == nil {
		return nil
	}
	r := len(nw.Regions)
	if r == 0 || len(nw.RTT) != r*r {
		return fmt.Errorf("sim: network: %d regions need a %d×%d RTT matrix, got %d entries", r, r, r, len(nw.RTT))
	}
	for k, d := range nw.RTT {
		if d < 0 {
			return fmt.Errorf("sim: network: negative RTT from %s to %s", nw.Regions[k/r], nw.Regions[k%r])
		}
	}
	if nw.Bandwidth != nil && len(nw.Bandwidth) != r*r {
		return fmt.Errorf("sim: network: %d regions need a %d×%d bandwidth matrix, got %d entries", r, r, r, len(nw.Bandwidth))
	}
	for k, b := range nw.Bandwidth {
		if !(b >= 0) || math.IsInf(b, 0) {
			return fmt.Errorf("sim: network: bandwidth from %s to %s must be a finite number >= 0, got %v", nw.Regions[k/r], nw.Regions[k%r], b)
		}
	}
	for _, s := range nw.Spikes {
		if s.Region < 0 || s.Region >= r || s.At < 0 || s.For < 0 || s.Add < 0 {
			return fmt.Errorf("sim: network: spike %+v: region must be in [0, %d), times >= 0", s, r)
		}
	}
	return nil
}

// checkCentral validates the network of a central-queueing run: the
// matrices, every node's region listed, and no spikes (they apply to node
// queueing).
func (nw *Network) checkCentral(nodes []NodeSpec) error {
	if nw == nil {
		return nil
	}
	if err := nw.check(); err != nil {
		return err
	}
	if len(nw.Spikes) > 0 {
		return errors.New("sim: network: spikes apply to node queueing only")
	}
	for _, nd := range nodes {
		if nd.Region != "" && !slices.Contains(nw.Regions, nd.Region) {
			return fmt.Errorf("sim: node %s is in region %q, which the network does not list (%s)", nd.Name, nd.Region, strings.Join(nw.Regions, ", "))
		}
	}
	return nil
}

// check validates the dynamic configuration against n nodes.
func (cfg *Config) checkDynamic() error {
	n := len(cfg.Nodes)
	if err := cfg.Network.check(); err != nil {
		return err
	}
	for _, f := range cfg.Faults {
		if f.Node < 0 || f.Node >= n {
			return fmt.Errorf("sim: fault on node %d: nodes are 0..%d", f.Node, n-1)
		}
		if f.At < 0 || f.For <= 0 || f.At > MaxTime-f.For {
			return fmt.Errorf("sim: fault on node %s: at must be >= 0 and for > 0", cfg.Nodes[f.Node].Name)
		}
	}
	for _, rf := range cfg.RandomFaults {
		if rf.MTBF <= 0 || rf.MTTR <= 0 || rf.Weibull < 0 || math.IsNaN(rf.Weibull) || math.IsInf(rf.Weibull, 0) {
			return errors.New("sim: random faults need mtbf > 0, mttr > 0 and a finite Weibull shape >= 0")
		}
		for _, i := range rf.Nodes {
			if i < 0 || i >= n {
				return fmt.Errorf("sim: random faults on node %d: nodes are 0..%d", i, n-1)
			}
		}
	}
	c := cfg.Client
	if c.Retries < 0 || c.Timeout < 0 || c.Backoff < 0 || c.BackoffMax < 0 || !(c.Multiplier >= 0) || math.IsInf(c.Multiplier, 0) {
		return errors.New("sim: client: retries, timeout, backoff and backoff_max must be >= 0 and the multiplier a finite number >= 0")
	}
	if h := cfg.Health; h != nil && (h.Interval <= 0 || h.Threshold < 1 || h.Rise < 1) {
		return errors.New("sim: health checks need interval > 0, threshold >= 1 and rise >= 1")
	}
	owner := make(map[int]string)
	for _, a := range cfg.Autoscale {
		switch {
		case a.Min < 0 || a.Max < 1 || a.Min > a.Max || len(a.Nodes) != a.Max || a.Initial < a.Min || a.Initial > a.Max:
			return fmt.Errorf("sim: autoscaler %s: need 0 <= min <= initial <= max, max >= 1 and max nodes (min %d, initial %d, max %d, %d nodes)", a.Group, a.Min, a.Initial, a.Max, len(a.Nodes))
		case !(a.Target > 0 && a.Target <= 1):
			return fmt.Errorf("sim: autoscaler %s: target utilization must be in (0, 1], got %v", a.Group, a.Target)
		case a.Interval <= 0 || a.Cooldown < 0 || a.Provision < 0:
			return fmt.Errorf("sim: autoscaler %s: interval must be > 0, cooldown and provisioning delay >= 0", a.Group)
		}
		for _, i := range a.Nodes {
			if i < 0 || i >= n {
				return fmt.Errorf("sim: autoscaler %s: node %d: nodes are 0..%d", a.Group, i, n-1)
			}
			if g, dup := owner[i]; dup {
				return fmt.Errorf("sim: node %s belongs to autoscalers %s and %s", cfg.Nodes[i].Name, g, a.Group)
			}
			owner[i] = a.Group
		}
	}
	for _, nd := range cfg.Nodes {
		if !(nd.Background >= 0 && nd.Background < 1) {
			return fmt.Errorf("sim: node %s: background load must be in [0, 1), got %v", nd.Name, nd.Background)
		}
		if nd.PrefillPerToken < 0 || nd.DecodePerToken < 0 {
			return fmt.Errorf("sim: node %s: per-token times must be >= 0", nd.Name)
		}
		if !(nd.PowerIdle >= 0 && nd.PowerPeak >= nd.PowerIdle) || math.IsInf(nd.PowerPeak, 0) {
			return fmt.Errorf("sim: node %s: power needs 0 <= idle <= peak, finite", nd.Name)
		}
		if !(nd.CostPerHour >= 0) || math.IsInf(nd.CostPerHour, 0) {
			return fmt.Errorf("sim: node %s: cost per hour must be a finite number >= 0", nd.Name)
		}
	}
	return nil
}

// backoff is the wait before retry k (k >= 1).
func (c *Client) backoff(k int) Time {
	d := float64(c.Backoff)
	if c.Multiplier > 0 {
		d *= math.Pow(c.Multiplier, float64(k-1))
	}
	if c.BackoffMax > 0 && d > float64(c.BackoffMax) {
		return c.BackoffMax
	}
	if d >= float64(MaxTime/4) {
		return MaxTime / 4
	}
	return Time(d)
}

// FaultTime is one up or down time of mean m as RandomFaults draws them:
// exponential, or Weibull of shape k > 0 scaled to mean m (scale
// m/Γ(1+1/k)); at least 1 ns. The node-queueing engine draws node i's
// times from NewRand(seed, "faults/"+name) in the order up, down, up, ...;
// a model that draws the same way fails the same machines at the same
// times.
func FaultTime(r *Rand, m Time, k float64) Time { return draw(r, m, k) }

// draw is one up or down time of mean m: exponential, or Weibull of shape
// k with scale m/Γ(1+1/k).
func draw(r *Rand, m Time, k float64) Time {
	var x float64
	if k == 0 || k == 1 {
		x = r.ExpFloat64()
	} else {
		x = math.Pow(r.ExpFloat64(), 1/k) / math.Gamma(1+1/k)
	}
	d := x * float64(m)
	if d >= float64(MaxTime/4) {
		return MaxTime / 4
	}
	return max(Time(d), 1)
}
