package kube

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// BenchmarkControlPlaneZoneOutage times the control loops at scale (issue
// 19's performance item): 5,000 nodes in three zones, 1,000 Deployments of
// 50 replicas (50,000 pods of 200m), a zone outage at 10 minutes (about
// 16,700 pods evicted after 300 s and rescheduled on the other zones), an
// hour of simulated time. x-realtime is simulated seconds per wall
// second; x-realtime-cpu per second of the process's cpu time (user +
// system) over the same timed part, the figure to read on a machine other
// jobs share, where wall time includes waiting for the cpu. One core:
//
//	go test ./sim/kube/ -run '^$' -bench ControlPlaneZoneOutage -cpu 1 -benchtime 1x
func BenchmarkControlPlaneZoneOutage(b *testing.B) {
	const nodes, deps, replicas = 5000, 1000, 50
	const horizon = 3600 * Second
	b.ReportAllocs()
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		ns := make([]*Node, nodes)
		for i := range ns {
			name := fmt.Sprintf("n%d", i)
			ns[i] = &Node{Name: name, Labels: map[string]string{LabelHostname: name, LabelZone: fmt.Sprintf("z%d", i%3)},
				Allocatable: Resources{MilliCPU: 4000, Memory: 16 << 30, Pods: 110}}
		}
		c, err := NewCluster(ns)
		if err != nil {
			b.Fatal(err)
		}
		s, err := NewScheduler(c, DefaultProfile(), rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			b.Fatal(err)
		}
		cp := NewControlPlane(s, DefaultConfig())
		b.StartTimer()
		cpu0 := cpuTime()
		for d := range deps {
			name := fmt.Sprintf("d%d", d)
			tmpl := &Pod{Name: name, Namespace: "default", Labels: map[string]string{"app": name},
				Requests: Resources{MilliCPU: 200, Memory: 256 << 20, Pods: 1}, NonZero: Resources{MilliCPU: 200, Memory: 256 << 20, Pods: 1}}
			if _, err := cp.AddDeployment(DeploymentSpec{Name: name, Replicas: replicas, Template: tmpl, Startup: 10 * Second, ReadinessDelay: 5 * Second}); err != nil {
				b.Fatal(err)
			}
		}
		cp.Clock.At(600*Second, func() { cp.FailZone("z1") })
		cp.Run(horizon)
		cpu += cpuTime() - cpu0
		var ready int32
		for _, d := range cp.deployments {
			ready += cp.Counts(d).Ready
		}
		if ready != deps*replicas {
			b.Fatalf("%d of %d pods Ready at the end", ready, deps*replicas)
		}
	}
	b.ReportMetric(float64(horizon/Second)*float64(b.N)/b.Elapsed().Seconds(), "x-realtime")
	if cpu > 0 {
		b.ReportMetric(float64(horizon/Second)*float64(b.N)/cpu.Seconds(), "x-realtime-cpu")
	}
}

// cpuTime is the process's user plus system cpu time so far (0 where
// getrusage fails).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
