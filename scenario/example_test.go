package scenario_test

import (
	"fmt"

	"github.com/fleetsim/fleetsim/scenario"
)

func Example() {
	src := `
name: two-tier
stop: {tasks: 10000}
cluster:
  nodes:
    - {group: fast, count: 2, speed: 2, cpu: 16, memory: 64Gi, region: us-east}
    - {group: slow, count: 1, cpu: 500m, memory: 1.5Gi}
workload:
  arrivals: {process: poisson, rate: 4}
  service: {dist: exponential, mean: 250ms}
strategies: [random, round-robin]
`
	s, err := scenario.Parse("two-tier.yaml", []byte(src), ".")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: stop after %v, mean work %v\n", s.Name, s.Stop, s.Workload.Service.Mean)
	for _, n := range s.Nodes() {
		fmt.Printf("%-6s group %-4s region %-7q speed %g, %d milli-cores, %d bytes\n",
			n.Name, n.Group, n.Region, n.Speed, n.CPU, n.Memory)
	}
	for _, spec := range s.Strategies {
		fmt.Printf("strategy %s (line %d)\n", spec, spec.Line)
	}

	// A mistake is reported at its line and column.
	_, err = scenario.Parse("two-tier.yaml", []byte("stop: {tasks: -5}\n"), ".")
	fmt.Println(err)
	// Output:
	// two-tier: stop after 10000 tasks, mean work 0.25s
	// fast-0 group fast region "us-east" speed 2, 16000 milli-cores, 68719476736 bytes
	// fast-1 group fast region "us-east" speed 2, 16000 milli-cores, 68719476736 bytes
	// slow-0 group slow region ""      speed 1, 500 milli-cores, 1610612736 bytes
	// strategy random (line 11)
	// strategy round-robin (line 11)
	// two-tier.yaml:1:15: stop.tasks: expected an integer >= 1, got -5
}

// ExampleWfNodes builds the cluster a WfCommons instance recorded: three
// tasks of four ran on m2, so its clock rate is the reference.
func ExampleWfNodes() {
	inst, err := scenario.ReadInstance("testdata/wf-machines.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range scenario.WfNodes(inst) {
		fmt.Printf("%s: %d cores, speed %g\n", n.Name, n.CPU/1000, n.Speed)
	}
	// Output:
	// m1: 1 cores, speed 0.5
	// m2: 2 cores, speed 1
	// m3: 4 cores, speed 1
}
