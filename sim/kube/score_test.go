package kube

import (
	"slices"
	"testing"
)

// scoresOf runs PreFilter/Filter on all nodes and returns the total
// weighted scores of the feasible ones.
func scoresOf(s *Scheduler, p *Pod) []int64 {
	s.c.preFilter(p, &s.cs)
	s.feasible = s.feasible[:0]
	for i := 0; i < s.c.Len(); i++ {
		if s.c.filter(&s.cs, i, &s.status[i]) {
			s.feasible = append(s.feasible, i)
		}
	}
	return slices.Clone(s.score(p))
}

// Default weights on two nodes of 4 cores and 16 GiB, worked by hand.
// n1 runs 3000m/4Gi; n2 is empty but has an untolerated PreferNoSchedule
// taint. The pod asks 500m/2Gi.
//
//	LeastAllocated n1: cpu (4000-3500)·100/4000 = 12, mem (16-6)·100/16 = 62, (12+62)/2 = 37
//	               n2: cpu 3500·100/4000 = 87, mem 14·100/16 = 87 -> 87
//	Balanced       n1: |0.875-0.375|/2 = 0.25 -> 75;  n2: |0.125-0.125|/2 = 0 -> 100
//	TaintToleration raw n1 0, n2 1 -> reversed 100, 0; weight 3: 300, 0
//	totals         n1 37+75+300 = 412;  n2 87+100+0 = 187
func TestDefaultWeightsHandWorked(t *testing.T) {
	s := newTestScheduler(t, mkNode("n1"), mkNode("n2").taint("spot", "true", PreferNoSchedule))
	bindTo(t, s, mkPod("old").req(3000, 4*gi), "n1")
	p := mkPod("p").req(500, 2*gi)
	if got := scoresOf(s, p.Pod); !slices.Equal(got, []int64{412, 187}) {
		t.Fatalf("scores %v, want [412 187]", got)
	}
	// Tolerating the taint: n2 gets 300 too and wins (87+100+300 = 487).
	p.tolerate(Toleration{Key: "spot", Operator: "Exists"})
	if got := scoresOf(s, p.Pod); !slices.Equal(got, []int64{412, 487}) {
		t.Fatalf("scores %v, want [412 487]", got)
	}
	// MostAllocated instead of LeastAllocated: n1 (3500·100/4000 = 87,
	// 6·100/16 = 37) -> 62; n2 (12, 12) -> 12: totals 62+75+300 = 437,
	// 12+100+300 = 412.
	s.prof.Resource = MostAllocated
	if got := scoresOf(s, p.Pod); !slices.Equal(got, []int64{437, 412}) {
		t.Fatalf("MostAllocated scores %v, want [437 412]", got)
	}
}

// A pod without requests is scored with the non-zero defaults (100m,
// 200Mi) by LeastAllocated, and BalancedAllocation skips it.
func TestBestEffortScoring(t *testing.T) {
	s := newTestScheduler(t, mkNode("n1").cap(1000, 1000*DefaultMemoryRequest/100))
	p := mkPod("be")
	// cpu (1000-100)·100/1000 = 90; memory: capacity 10 × 200Mi, so
	// (10-1)·100/10 = 90. (90+90)/2 = 90, plus TaintToleration 3·100.
	s.feasible = []int{0}
	s.c.preFilter(p.Pod, &s.cs)
	if got := s.score(p.Pod); got[0] != 390 {
		t.Fatalf("score %d, want 390", got[0])
	}
}

// PodTopologySpread scoring, worked by hand: zoneA = {n1: 2 app=web,
// n2}, zoneB = {n3}; soft maxSkew 1 over zones. Two domains: weight
// ln(2+2) = 1.386. n1, n2: 2·1.386 + 0 = 2.77 -> 3; n3: 0. Normalised
// 100·(max+min-s)/max: n1, n2 0; n3 100.
func TestSpreadScoreHandWorked(t *testing.T) {
	s := newTestScheduler(t, mkNode("n1").zone("A"), mkNode("n2").zone("A"), mkNode("n3").zone("B"))
	bindTo(t, s, mkPod("w1").label("app", "web"), "n1")
	bindTo(t, s, mkPod("w2").label("app", "web"), "n1")
	p := mkPod("p").label("app", "web").spread(1, LabelZone, ScheduleAnyway, sel("app", "web"))
	s.feasible = []int{0, 1, 2}
	raw := make([]int64, 3)
	if !s.spreadScore(p.Pod, raw) || !slices.Equal(raw, []int64{0, 0, 100}) {
		t.Fatalf("spread scores %v, want [0 0 100]", raw)
	}
	// A ScheduleAnyway constraint never filters.
	wantFeasible(t, s, p, "n1", "n2", "n3")
}

// System default spreading for a ReplicaSet's pods (hostname maxSkew 3,
// zone maxSkew 5): a replica on n1 makes n1 the least preferred.
// Hostname: 3 scored nodes, weight ln(5) = 1.609: n1 1.609+2, n2, n3 2.
// Zone (A: n1, n2; B: n3), weight ln(4): A 1.386+4, B 4. Sums: n1 9.0 -> 9,
// n2 7.4 -> 7, n3 6. Normalised: n1 100·(9+6-9)/9 = 66, n2 88, n3 100.
func TestSpreadScoreSystemDefault(t *testing.T) {
	s := newTestScheduler(t, mkNode("n1").zone("A"), mkNode("n2").zone("A"), mkNode("n3").zone("B"))
	rs := sel("app", "web")
	w := mkPod("w1").label("app", "web")
	w.OwnerSelector = rs
	bindTo(t, s, w, "n1")
	p := mkPod("p").label("app", "web")
	p.OwnerSelector = rs
	s.feasible = []int{0, 1, 2}
	raw := make([]int64, 3)
	if !s.spreadScore(p.Pod, raw) || !slices.Equal(raw, []int64{66, 88, 100}) {
		t.Fatalf("spread scores %v, want [66 88 100]", raw)
	}
}

// InterPodAffinity scoring: preferred anti-affinity (weight 100) to
// app=web per hostname with one web pod on n1: raw n1 -100, n2 0;
// min-max normalised: 0, 100. An existing pod's preferred affinity
// (weight 30) to app=api pulls an api pod to its zone.
func TestInterPodScoreHandWorked(t *testing.T) {
	s := newTestScheduler(t, mkNode("n1").zone("A"), mkNode("n2").zone("B"))
	bindTo(t, s, mkPod("w").label("app", "web"), "n1")
	p := mkPod("p")
	p.aff().PodAntiAffinity = &PodAffinity{Preferred: []WeightedPodAffinityTerm{{Weight: 100, Term: &PodAffinityTerm{Selector: sel("app", "web"), TopologyKey: LabelHostname}}}}
	s.feasible = []int{0, 1}
	raw := make([]int64, 2)
	if !s.interPodScore(p.Pod, raw) || !slices.Equal(raw, []int64{0, 100}) {
		t.Fatalf("scores %v, want [0 100]", raw)
	}
	q := mkPod("cache")
	q.aff().PodAffinity = &PodAffinity{Preferred: []WeightedPodAffinityTerm{{Weight: 30, Term: &PodAffinityTerm{Selector: sel("app", "api"), TopologyKey: LabelZone}}}}
	bindTo(t, s, q, "n2")
	api := mkPod("api").label("app", "api")
	if !s.interPodScore(api.Pod, raw) || !slices.Equal(raw, []int64{0, 100}) {
		t.Fatalf("scores %v, want [0 100]", raw)
	}
	if s.interPodScore(mkPod("plain").Pod, raw) {
		t.Fatal("a pod no term concerns must skip InterPodAffinity")
	}
}

// A placement strategy of another family in NodeResourcesFit's place:
// its raw scores 10, 20, 30 are normalised min-max to 0, 50, 100.
func TestRawResourceNormalised(t *testing.T) {
	s := newTestScheduler(t, mkNode("n1"), mkNode("n2"), mkNode("n3"))
	s.prof.Weights = Weights{NodeResourcesFit: 1}
	s.SetRawResource(func(_ *Pod, i int) float64 { return float64(10 * (i + 1)) })
	if got := scoresOf(s, mkPod("p").req(100, gi).Pod); !slices.Equal(got, []int64{0, 50, 100}) {
		t.Fatalf("scores %v, want [0 50 100]", got)
	}
}
