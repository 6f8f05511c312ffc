package traces_test

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/traces"
)

// Reading a native CSV trace: a header row, then one task per row. Times
// are decimal seconds, read exactly to the nanosecond; cpu is in cores,
// memory in bytes or with a suffix.
func ExampleNewCSVReader() {
	const trace = `arrival,duration,cpu,memory,tenant
0,1.5,2,4Gi,alice
0.25,0.000000001,0.5,512Mi,bob
3.75,12,,,
`
	r, err := traces.NewCSVReader(strings.NewReader(trace), "jobs.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	var t sim.Task
	for {
		err := r.Next(&t)
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("id %d at %v: work %v, %d milli-cores, %d bytes, tenant %q\n",
			t.ID, t.Arrival, t.Work, t.CPU, t.Memory, t.Tenant)
	}
	// Output:
	// id 0 at 0s: work 1.5s, 2000 milli-cores, 4294967296 bytes, tenant "alice"
	// id 1 at 0.25s: work 0.000000001s, 500 milli-cores, 536870912 bytes, tenant "bob"
	// id 2 at 3.75s: work 12s, 0 milli-cores, 0 bytes, tenant ""
}

// Errors name the file, the line, the column and what was expected.
func ExampleError() {
	const trace = "arrival,duration\n0,1\n1,abc\n"
	r, _ := traces.NewCSVReader(strings.NewReader(trace), "jobs.csv")
	var t sim.Task
	for r.Next(&t) == nil {
	}
	fmt.Println(r.Next(&t))
	// Output:
	// jobs.csv:3: column duration: expected a non-negative number of seconds, got "abc"
}

// A synthetic workload: Poisson arrivals at 2 per second and exponential
// work of mean 1 s. The stream is endless; the same seed always gives the
// same tasks.
func ExampleNewGenerator() {
	g := traces.NewGenerator(traces.Poisson{Rate: 2}, traces.Exponential{Mean: sim.Second}, 1)
	var t sim.Task
	for range 3 {
		if err := g.Next(&t); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("task %d arrives at %v, needs %v\n", t.ID, t.Arrival, t.Work)
	}
	// Output:
	// task 0 arrives at 1.214747557s, needs 1.258448893s
	// task 1 arrives at 1.758490177s, needs 2.339750461s
	// task 2 arrives at 2.211311559s, needs 1.712392338s
}

// Writing tasks as native CSV; reading the output back gives the same
// tasks, to the nanosecond.
func ExampleNewCSVWriter() {
	w := traces.NewCSVWriter(os.Stdout)
	w.Write(&sim.Task{ID: 7, Arrival: 1500 * sim.Millisecond, Work: 1, CPU: 250, Tenant: "a, b"})
	w.Flush()
	// Output:
	// id,arrival,duration,cpu,memory,gpus,gpu_milli,priority,tenant,region,class
	// 7,1.5,0.000000001,0.25,0,0,0,0,"a, b",,
}

// Summarizing a workload; a generator never ends, so give a limit.
func ExampleComputeStats() {
	g := traces.NewGenerator(traces.Deterministic{Rate: 4}, traces.Constant{Value: 100 * sim.Millisecond}, 1)
	s, err := traces.ComputeStats(g, 1000)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d tasks, first at %v, last at %v, %.2f per second, mean duration %.3fs, CV %.1f\n",
		s.Count, s.First, s.Last, s.Rate, s.DurationMean, s.DurationCV)
	// Output:
	// 1000 tasks, first at 0.25s, last at 250s, 4.00 per second, mean duration 0.100s, CV 0.0
}
