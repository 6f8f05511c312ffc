package kube

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// The scheduler memoises the built-in resource scores per node (memo in
// scheduler.go). Property: on a cluster that changes under it (binds,
// unbinds, a node's allocatable edited in place, pods of several request
// shapes interleaved, the scorer swapped), every score it gives equals the
// score a scheduler computes afresh, one whose resource scorer is a
// wrapper the memo does not recognise.
func TestResourceScoreMemoMatchesFresh(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	var nodes []*Node
	for i := range 40 {
		n := mkNode(fmt.Sprintf("n%d", i)).cap(1000+rng.Int64N(8000), (1+rng.Int64N(32))*gi)
		nodes = append(nodes, n.Node)
	}
	c, err := NewCluster(nodes)
	if err != nil {
		t.Fatal(err)
	}
	memo, err := NewScheduler(c, DefaultProfile(), rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := NewScheduler(c, DefaultProfile(), rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	shapes := []podW{mkPod("a").req(100, gi/4), mkPod("b").req(500, 2*gi), mkPod("c").req(0, 0), mkPod("d").req(2000, gi/8)}
	var bound []*Pod
	for step := range 3000 {
		if step == 1500 {
			memo.prof.Resource = MostAllocated
		}
		scorer := memo.prof.Resource
		fresh.prof.Resource = func(c *Cluster, p *Pod, i int) int64 { return scorer(c, p, i) }
		if memo.memoizable(); memo.memoFor == 0 {
			t.Fatal("the built-in scorer is not memoised: the test checks nothing")
		}
		switch r := rng.IntN(10); {
		case r < 5 || len(bound) == 0:
			p := *shapes[rng.IntN(len(shapes))].Pod
			p.Name = fmt.Sprintf("p%d", step)
			got, want := scoresOf(memo, &p), scoresOf(fresh, &p)
			if !slices.Equal(got, want) {
				t.Fatalf("step %d: memoised scores %v, fresh %v", step, got, want)
			}
			if len(memo.feasible) > 0 {
				if err := c.Bind(&p, memo.feasible[rng.IntN(len(memo.feasible))]); err != nil {
					t.Fatal(err)
				}
				bound = append(bound, &p)
			}
		case r < 9:
			k := rng.IntN(len(bound))
			if err := c.Unbind(bound[k]); err != nil {
				t.Fatal(err)
			}
			bound = slices.Delete(bound, k, k+1)
		default:
			n := nodes[rng.IntN(len(nodes))]
			n.Allocatable.MilliCPU += 500
		}
	}
}
