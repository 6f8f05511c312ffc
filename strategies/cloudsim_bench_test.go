package strategies_test

import (
	"fmt"
	"io"
	"syscall"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

// vmSource hands out the VMs of the CloudSim-like benchmark.
type vmSource struct {
	vms []sim.Task
	i   int
}

func (s *vmSource) Next(t *sim.Task) error {
	if s.i >= len(s.vms) {
		return io.EOF
	}
	*t = s.vms[s.i]
	s.i++
	return nil
}

// cloudSimLike is a CloudSim-Plus-like data centre: hosts of 16 PEs
// (16,000 milli-CPU) and 32 GiB, and VMs of 1, 2 or 4 PEs (drawn
// uniformly, 2 GiB per PE) all submitted at time 0 and running an hour,
// as a broker submits its VM list to the data centre's VmAllocationPolicy.
// Every VM fits (about 233,000 of 320,000 PEs are asked for), so each is
// placed once, in submission order, and then finishes.
func cloudSimLike(hosts, vms int) ([]sim.NodeSpec, []sim.Task) {
	nodes := make([]sim.NodeSpec, hosts)
	for i := range nodes {
		nodes[i] = sim.NodeSpec{Name: fmt.Sprintf("host-%d", i), Slots: 16, Speed: 1, CPU: 16000, Memory: 32 << 30}
	}
	r := sim.NewRand(1, "cloudsim")
	tasks := make([]sim.Task, vms)
	for i := range tasks {
		pes := []int64{1, 2, 4}[r.IntN(3)]
		tasks[i] = sim.Task{ID: int64(i + 1), CPU: 1000 * pes, Memory: pes * 2 << 30, Work: 3600 * sim.Second}
	}
	return nodes, tasks
}

// BenchmarkCloudSimPlacement places 100,000 VMs on 20,000 hosts by first
// fit through the central scheduler (the whole run: every placement and
// every finish), on first-fit's tree and with its scan (the oracle).
// CloudSim Plus took about 52 s for a placement of this size (issue 22).
//
//	GOMAXPROCS=1 go test ./strategies -run '^$' -bench CloudSimPlacement -benchtime 1x -count 5
func BenchmarkCloudSimPlacement(b *testing.B) {
	nodes, vms := cloudSimLike(20000, 100000)
	for _, c := range []struct {
		label string
		args  strategies.Args
	}{{"first-fit", nil}, {"first-fit{scan=true}", strategies.Args{"scan": true}}} {
		b.Run(c.label, func(b *testing.B) {
			var placed int
			cpu0 := processCPU()
			for b.Loop() {
				st, err := strategies.New("first-fit", c.args, nil)
				if err != nil {
					b.Fatal(err)
				}
				placed = 0
				cfg := sim.Config{Nodes: nodes, Seed: 1, OnRecord: func(r *sim.Record) {
					if r.Status == sim.Completed {
						placed++
					}
				}}
				s, err := sim.NewScheduler(cfg, &vmSource{vms: vms}, st)
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Run(); err != nil {
					b.Fatal(err)
				}
			}
			if placed != len(vms) {
				b.Fatalf("%d of %d VMs ran", placed, len(vms))
			}
			b.ReportMetric(float64(len(vms))*float64(b.N)/b.Elapsed().Seconds(), "VMs/s")
			b.ReportMetric(float64(processCPU()-cpu0)/1e9/float64(b.N), "cpu-s/op")
		})
	}
}

// processCPU is the process's user plus system CPU time so far, in
// nanoseconds: the placement benchmarks report CPU seconds per run beside
// wall time, as on a shared machine a run's CPU time does not grow while
// it waits for a core.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
