package kube_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/fleetsim/fleetsim/sim/kube"
)

// Three nodes, one tainted and one full: the FitError counts the reasons
// as kube-scheduler's event does.
func Example() {
	gi := int64(1 << 30)
	nodes := []*kube.Node{
		{Name: "a", Allocatable: kube.Resources{MilliCPU: 1000, Memory: 4 * gi, Pods: 110}},
		{Name: "b", Allocatable: kube.Resources{MilliCPU: 4000, Memory: 4 * gi, Pods: 110},
			Taints: []kube.Taint{{Key: "gpu", Value: "true", Effect: kube.NoSchedule}}},
		{Name: "c", Allocatable: kube.Resources{MilliCPU: 4000, Memory: 4 * gi, Pods: 110}},
	}
	c, _ := kube.NewCluster(nodes)
	s, _ := kube.NewScheduler(c, kube.DefaultProfile(), rand.New(rand.NewPCG(1, 2)))
	pod := func(name string, cpu int64) *kube.Pod {
		r := kube.Resources{MilliCPU: cpu, Memory: gi, Pods: 1}
		return &kube.Pod{Name: name, Namespace: "default", Requests: r, NonZero: r}
	}
	big := pod("big", 3000)
	i, _ := s.Schedule(big, -1)
	_ = c.Bind(big, i)
	fmt.Println("big ->", c.Node(i).Name)
	_, err := s.Schedule(pod("more", 2000), -1)
	fmt.Println(err)
	// Output:
	// big -> c
	// 0/3 nodes are available: 1 node(s) had untolerated taint {gpu: true}, 2 Insufficient cpu.
}
