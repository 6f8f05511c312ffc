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

// A Deployment on the control plane's clock: its pod is scheduled, starts
// after the image pull (5 s) and is Ready after the readiness probe's
// initial delay (3 s).
func ExampleControlPlane() {
	n := &kube.Node{Name: "n0", Labels: map[string]string{kube.LabelHostname: "n0"},
		Allocatable: kube.Resources{MilliCPU: 4000, Memory: 8 << 30, Pods: 110}}
	c, _ := kube.NewCluster([]*kube.Node{n})
	s, _ := kube.NewScheduler(c, kube.DefaultProfile(), rand.New(rand.NewPCG(1, 2)))
	cp := kube.NewControlPlane(s, kube.DefaultConfig())
	tmpl := &kube.Pod{Name: "web", Namespace: "default", Requests: kube.Resources{MilliCPU: 500, Pods: 1}}
	if _, err := cp.AddDeployment(kube.DeploymentSpec{Name: "web", Replicas: 1, Template: tmpl, Startup: 5 * kube.Second, ReadinessDelay: 3 * kube.Second}); err != nil {
		fmt.Println(err)
		return
	}
	cp.Run(60 * kube.Second)
	for _, e := range cp.Events() {
		fmt.Println(e.Time/kube.Second, e.Object, e.Reason)
	}
	// Output:
	// 0 Deployment/web ScalingReplicaSet
	// 0 Pod/web-0-0 Scheduled
	// 5 Pod/web-0-0 Started
	// 8 Pod/web-0-0 Ready
}
