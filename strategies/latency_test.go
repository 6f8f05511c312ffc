package strategies_test

import (
	"math"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

// observed builds strategy name on n idle nodes and feeds it five latency
// samples per node, one per second: slow[i] for node i when given, else
// 10 ms.
func observed(t *testing.T, name string, n int, slow map[int]sim.Time) (sim.Picker, *sim.View) {
	t.Helper()
	v := sim.NewView(equalNodes(n))
	p := ready(t, name, nil, 8, v)
	obs := p.(sim.Observer)
	for k := 0; k < 5; k++ {
		v.SetNow(sim.Time(k) * sim.Second)
		for i := 0; i < n; i++ {
			lat, ok := slow[i]
			if !ok {
				lat = 10 * sim.Millisecond
			}
			obs.Finished(v, &sim.Task{}, i, lat)
		}
	}
	return p, v
}

// TestLatencyAwareAvoidSlowNode: after node 0 answers in 1 s and the others
// in 10 ms, adaptive and least-request send it nothing while loads are
// equal (p2c always pairs it with a faster node; the scan sees it is the
// slowest), whereas with equal latencies it gets its quarter. Once the fast
// nodes hold 200 tasks each, (outstanding+1) × latency makes node 0 the
// cheapest and it wins whenever it is a candidate.
func TestLatencyAwareAvoidSlowNode(t *testing.T) {
	for _, name := range []string{"adaptive", "least-request"} {
		t.Run(name, func(t *testing.T) {
			p, v := observed(t, name, 4, map[int]sim.Time{0: sim.Second})
			if c := countPicks(p, v, 4000); c[0] != 0 {
				t.Errorf("slow node 0 got %d of 4000 picks, want 0 (%v)", c[0], c)
			}
			q, w := observed(t, name, 4, nil)
			if c := countPicks(q, w, 4000); c[0] < 800 {
				t.Errorf("control, equal latencies: node 0 got %d of 4000 picks, want about 1000", c[0])
			}
			for i := 1; i < 4; i++ {
				v.SetLoad(i, sim.NodeLoad{Active: 1, Queued: 199})
			}
			// Node 0 now wins wherever it is a candidate: in half of
			// p2c's pairs (2000 ± 5 sd = 158), in every full scan.
			want := map[string]int{"adaptive": 1842, "least-request": 4000}[name]
			if c := countPicks(p, v, 4000); c[0] < want {
				t.Errorf("fast nodes with 200 outstanding (cost 2.01 s > 1 s): node 0 got %d of 4000 picks, want at least %d", c[0], want)
			}
		})
	}
}

const tau = 10 * sim.Second // the default decay

// TestPeakEWMAFormula checks adaptive's estimate against Finagle's PeakEwma
// update: a sample above the estimate replaces it at once (peak); after
// τ·ln 2 a lower sample is blended with w = exp(−Δt/τ) = 1/2,
// ewma·w + rtt·(1 − w); a read Δt after the last sample is decayed by
// exp(−Δt/τ); a failure raises it to the 5 s penalty. Cost is the estimate
// × (outstanding + 1), read on an idle node (× 1) and on one with 3.
func TestPeakEWMAFormula(t *testing.T) {
	v := sim.NewView(equalNodes(2))
	a := ready(t, "adaptive", nil, 1, v).(*strategies.Adaptive)
	at := func(now sim.Time) float64 { v.SetNow(now); return a.Cost(v, 0) }
	ms := float64(sim.Millisecond)

	if c := at(0); c != 0 {
		t.Errorf("no sample, idle: cost %g, want 0 (Finagle: try new nodes)", c)
	}
	v.SetLoad(0, sim.NodeLoad{Active: 1})
	if c := at(0); c != float64(math.MaxInt64>>16)+1 {
		t.Errorf("no sample, 1 in flight: cost %g, want Finagle's penalty 2^47-1 + 1", c)
	}
	v.SetLoad(0, sim.NodeLoad{})

	a.Finished(v, &sim.Task{}, 0, 100*sim.Millisecond)
	t1 := sim.Second
	v.SetNow(t1)
	a.Finished(v, &sim.Task{}, 0, 500*sim.Millisecond)
	if c := at(t1); c != 500*ms {
		t.Errorf("after a peak sample: %g ns, want 500 ms at once", c)
	}
	half := sim.FromSeconds(tau.Seconds() * math.Ln2)
	t2 := t1 + half
	w := math.Exp(-float64(half) / float64(tau))
	if math.Abs(w-0.5) > 1e-9 {
		t.Fatalf("w = %v", w)
	}
	if c, want := at(t2), 500*ms*w; math.Abs(c-want) > 1e-6 {
		t.Errorf("read τ·ln2 after the sample: %g ns, want 500 ms × w = %g", c, want)
	}
	a.Finished(v, &sim.Task{}, 0, 100*sim.Millisecond)
	want := 500*ms*w + 100*ms*(1-w)
	if c := at(t2); math.Abs(c-want) > 1e-6 || math.Abs(c-300*ms) > 1e-3*ms {
		t.Errorf("low sample τ·ln2 later: %g ns, want 500·w + 100·(1−w) ms = %g (≈ 300 ms)", c, want)
	}
	v.SetLoad(0, sim.NodeLoad{Active: 2, Queued: 1})
	if c := at(t2); math.Abs(c-4*want) > 1e-6 {
		t.Errorf("3 outstanding: cost %g, want 4 × %g", c, want)
	}
	v.SetLoad(0, sim.NodeLoad{})
	a.Failed(v, &sim.Task{}, 0)
	if c := at(t2); c != float64(5*sim.Second) {
		t.Errorf("after a failure: %g ns, want the 5 s penalty", c)
	}

	d := ready(t, "adaptive", strategies.Args{"default_rtt": 0.2}, 1, v).(*strategies.Adaptive)
	v.SetLoad(1, sim.NodeLoad{Active: 1})
	if c := d.Cost(v, 1); c != 2*float64(200*sim.Millisecond) {
		t.Errorf("default_rtt 200 ms, 1 outstanding: cost %g, want 400 ms", c)
	}
}

// TestLeastRequestEWMAFormula: least-request's average has no peak rule,
// so a high sample is blended in, ewma·w + rtt·(1 − w), w = exp(−Δt/τ);
// it does not decay on read; a node with no sample is charged the mean of
// the sampled nodes; a failure charges penalty × exp(−Δt/τ).
func TestLeastRequestEWMAFormula(t *testing.T) {
	v := sim.NewView(equalNodes(3))
	l := ready(t, "least-request", nil, 1, v).(*strategies.LeastRequest)
	ms := float64(sim.Millisecond)
	if got := l.Latency(v, 2); got != 0 {
		t.Errorf("no samples anywhere: %g, want 0", got)
	}
	l.Finished(v, &sim.Task{}, 0, 100*sim.Millisecond)
	half := sim.FromSeconds(tau.Seconds() * math.Ln2)
	w := math.Exp(-float64(half) / float64(tau))
	v.SetNow(half)
	l.Finished(v, &sim.Task{}, 0, 500*sim.Millisecond)
	want := 100*ms*w + 500*ms*(1-w)
	if got := l.Latency(v, 0); math.Abs(got-want) > 1e-6 || math.Abs(got-300*ms) > 1e-3*ms {
		t.Errorf("high sample τ·ln2 later: %g ns, want 100·w + 500·(1−w) ms = %g (no peak)", got, want)
	}
	l.Finished(v, &sim.Task{}, 1, 100*sim.Millisecond)
	v.SetNow(half + tau)
	if got := l.Latency(v, 0); math.Abs(got-want) > 1e-6 {
		t.Errorf("τ later without samples: %g ns, want %g (no decay on read)", got, want)
	}
	if got, mean := l.Latency(v, 2), (want+100*ms)/2; math.Abs(got-mean) > 1e-6 {
		t.Errorf("unsampled node: %g ns, want the mean of the sampled nodes %g", got, mean)
	}
	fail := v.Now()
	l.Failed(v, &sim.Task{}, 1)
	if got := l.Latency(v, 1); got != float64(5*sim.Second) {
		t.Errorf("at a failure: %g ns, want the 5 s penalty", got)
	}
	v.SetNow(fail + 3*tau)
	if got, want := l.Latency(v, 1), float64(5*sim.Second)*math.Exp(-3); math.Abs(got-want) > 1e-3 {
		t.Errorf("3τ after a failure: %g ns, want 5 s × e^−3 = %g", got, want)
	}
	v.SetNow(fail + 10*tau)
	if got := l.Latency(v, 1); got != 100*ms {
		t.Errorf("10τ after a failure: %g ns, want the measured 100 ms back", got)
	}
}
