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

// A node cordoned by editing it in place: after Cluster.NodeUpdated the
// scheduler sees the change (it caches each node's outcome for pods like
// these, keyed by the cluster's record of changes), and the pods that
// follow go to the other node.
func ExampleCluster_NodeUpdated() {
	mk := func(name string) *kube.Node {
		return &kube.Node{Name: name, Allocatable: kube.Resources{MilliCPU: 4000, Memory: 8 << 30, Pods: 110}}
	}
	c, _ := kube.NewCluster([]*kube.Node{mk("a"), mk("b")})
	s, _ := kube.NewScheduler(c, kube.DefaultProfile(), rand.New(rand.NewPCG(1, 2)))
	place := func(name string) {
		r := kube.Resources{MilliCPU: 100, Memory: 1 << 28, Pods: 1}
		p := &kube.Pod{Name: name, Namespace: "default", Requests: r, NonZero: r}
		i, err := s.Schedule(p, -1)
		if err != nil {
			fmt.Println(err)
			return
		}
		_ = c.Bind(p, i)
		fmt.Println(name, "->", c.Node(i).Name)
	}
	place("p0")
	place("p1")
	a := c.NodeIndex("a")
	c.Node(a).Unschedulable = true // cordon, in place
	c.NodeUpdated(a)
	place("p2")
	place("p3")
	// Output:
	// p0 -> a
	// p1 -> b
	// p2 -> b
	// p3 -> b
}

// A pod the control plane did not create (a Job's pod placed by another
// engine) bound to a node whose machine fails: at NotReady the control
// plane hands it to OnNotReady with its toleration of the unreachable
// taint (the default 300 s), and its owner evicts it then, logging the
// eviction with LogEvent.
func ExampleControlPlane_OnNotReady() {
	n := &kube.Node{Name: "n0", Labels: map[string]string{kube.LabelHostname: "n0"},
		Allocatable: kube.Resources{MilliCPU: 4000, Memory: 8 << 30, Pods: 110}}
	c, _ := kube.NewCluster([]*kube.Node{n})
	s, _ := kube.NewScheduler(c, kube.DefaultProfile(), rand.New(rand.NewPCG(1, 2)))
	cp := kube.NewControlPlane(s, kube.DefaultConfig())
	job := &kube.Pod{Name: "train-0", Namespace: "default", Requests: kube.Resources{MilliCPU: 1000, Pods: 1}}
	_ = c.Bind(job, 0)
	cp.OnNotReady = func(p *kube.Pod, i int, stay int64) {
		cp.Clock.After(stay, func() {
			cp.LogEvent("Pod/"+p.Name, "TaintManagerEviction", "Marking for deletion Pod "+p.Namespace+"/"+p.Name)
			_ = c.Unbind(p)
		})
	}
	cp.Clock.At(103*kube.Second, func() { cp.FailNode(0) })
	cp.Run(600 * kube.Second)
	for _, e := range cp.Events() {
		fmt.Println(e.Time/kube.Second, e.Object, e.Reason)
	}
	fmt.Println("pods on n0:", len(c.Pods(0)))
	// Output:
	// 103 Node/n0 NodeFailed
	// 155 Node/n0 NodeNotReady
	// 455 Pod/train-0 TaintManagerEviction
	// pods on n0: 0
}
