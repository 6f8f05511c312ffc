package traces_test

import (
	"bytes"
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
	// task 0 arrives at 0.369307801s, needs 1.082787865s
	// task 1 arrives at 1.938891548s, needs 0.964609545s
	// task 2 arrives at 2.358284474s, needs 4.142324933s
}

// Writing tasks as native CSV; reading the output back gives the same
// tasks, to the nanosecond.
func ExampleNewCSVWriter() {
	w := traces.NewCSVWriter(os.Stdout)
	w.Write(&sim.Task{ID: 7, Arrival: 1500 * sim.Millisecond, Work: 1, CPU: 250, Tenant: "a, b"})
	w.Flush()
	// Output:
	// id,arrival,duration,cpu,memory,gpus,gpu_milli,priority,tenant,region,class,gpu_spec,estimate,prompt_tokens,output_tokens
	// 7,1.5,0.000000001,0.25,0,0,0,0,"a, b",,,,0,0,0
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

// Reading an openb pod list (Alibaba GPU cluster trace 2023): a share of
// one GPU, whole GPUs limited to some models, and a CPU-only pod. Work is
// deletion_time minus scheduled_time (creation_time for a pending pod).
func ExampleNewOpenbReader() {
	const pods = `name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time
pod-a,6000,12288,1,460,,LS,Running,0,3600,0
pod-b,88000,327680,8,1000,V100M16|V100M32,BE,Running,10,130,20
pod-c,4000,1024,0,0,,BE,Pending,15,75,
`
	r, err := traces.NewOpenbReader(strings.NewReader(pods), "pods.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	var t sim.Task
	for r.Next(&t) == nil {
		_, line := r.Position()
		fmt.Printf("line %d: task %d at %v, work %v, %d milli-cores, gpus %d, gpu_milli %d, models %q, class %s\n",
			line, t.ID, t.Arrival, t.Work, t.CPU, t.GPUs, t.GPUMilli, t.GPUSpec, t.Class)
	}
	// Output:
	// line 2: task 0 at 0s, work 3600s, 6000 milli-cores, gpus 0, gpu_milli 460, models "", class LS
	// line 3: task 1 at 10s, work 110s, 88000 milli-cores, gpus 8, gpu_milli 0, models "V100M16|V100M32", class BE
	// line 4: task 2 at 15s, work 60s, 4000 milli-cores, gpus 0, gpu_milli 0, models "", class BE
}

// Reading an openb node list into node specs: CPU-only nodes form the
// group "cpu", GPU nodes a group per model.
func ExampleReadOpenbNodesFrom() {
	const nodes = `sn,cpu_milli,memory_mib,gpu,model
node-a,32000,262144,0,
node-b,64000,262144,2,P100
node-c,96000,786432,8,V100M32
`
	specs, err := traces.ReadOpenbNodesFrom(strings.NewReader(nodes), "nodes.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range specs {
		fmt.Printf("%s: group %s, %d milli-cores, %d GiB, %d GPUs %q\n", n.Name, n.Group, n.CPU, n.Memory>>30, n.GPUs, n.GPUModel)
	}
	_, err = traces.ReadOpenbNodesFrom(strings.NewReader("sn,cpu_milli,memory_mib,gpu,model\nnode-a,32000,-1,0,\n"), "nodes.csv")
	fmt.Println(err)
	// Output:
	// node-a: group cpu, 32000 milli-cores, 256 GiB, 0 GPUs ""
	// node-b: group P100, 64000 milli-cores, 256 GiB, 2 GPUs "P100"
	// node-c: group V100M32, 96000 milli-cores, 768 GiB, 8 GPUs "V100M32"
	// nodes.csv:2:14: column memory_mib: expected a non-negative whole number of MiB, got "-1" (negative)
}

// Reading a Standard Workload Format log: the header comes with the
// reader; each job becomes a task of 1000 milli-cores per processor, with
// the user's runtime estimate. A job whose processors are unknown (-1) is
// skipped and counted.
func ExampleNewSWFReader() {
	const log = `; Version: 2.2
; MaxNodes: 100
; MaxProcs: 100
; UnixStartTime: 843480031
    1      0     10   3500    4  -1  -1    4   3600    -1  1  12  12  -1 -1 -1 -1 -1
    2     60      0     16    1  -1  -1   -1     60  1024  1  13  13  -1  2 -1 -1 -1
    3     90     30     10   -1  -1  -1   -1    600    -1  0  12  12  -1 -1 -1 -1 -1
`
	r, err := traces.NewSWFReader(strings.NewReader(log), "tiny.swf")
	if err != nil {
		fmt.Println(err)
		return
	}
	h := r.Header()
	fmt.Printf("version %s, %d processors, time 0 at unix %d\n", h.Version, h.MaxProcs, h.UnixStartTime)
	var t sim.Task
	for r.Next(&t) == nil {
		fmt.Printf("job %d at %v: work %v, estimate %v, %d milli-cores, %d bytes, tenant %s, class %q\n",
			t.ID, t.Arrival, t.Work, t.Estimate, t.CPU, t.Memory, t.Tenant, t.Class)
	}
	fmt.Println("skipped:", r.Skipped())
	// Output:
	// version 2.2, 100 processors, time 0 at unix 843480031
	// job 1 at 0s: work 3500s, estimate 3600s, 4000 milli-cores, 0 bytes, tenant u12, class ""
	// job 2 at 60s: work 16s, estimate 60s, 1000 milli-cores, 1048576 bytes, tenant u13, class "q2"
	// skipped: 1
}

// Reading the cluster of an openb node list from a file (here a small one
// of the package's test data), summed up by GPU model.
func ExampleReadOpenbNodes() {
	nodes, err := traces.ReadOpenbNodes("testdata/openb_nodes.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	gpus := map[string]int{}
	for _, n := range nodes {
		gpus[n.Group] += n.GPUs
	}
	fmt.Println(len(nodes), "nodes; GPUs by group:", gpus)
	// Output:
	// 3 nodes; GPUs by group: map[P100:2 V100M32:8 cpu:0]
}

// Reading the Azure LLM inference trace 2023: each request's arrival
// counts from the first row's TIMESTAMP, to the nanosecond; its work comes
// from its tokens by a token model (here DefaultTokenModel: 0.2 ms per
// context token, 20 ms per generated token), and the task keeps the token
// counts for nodes with per-token times of their own.
func ExampleNewAzureLLMReader() {
	const trace = "TIMESTAMP,ContextTokens,GeneratedTokens\r\n" +
		"2023-11-16 18:17:03.9799600,4808,10\r\n" +
		"2023-11-16 18:17:04.0319600,3180,8\r\n" +
		"2023-11-16 18:17:04.0781490,110,27"
	r, err := traces.NewAzureLLMReader(strings.NewReader(trace), "code.csv", traces.DefaultTokenModel)
	if err != nil {
		fmt.Println(err)
		return
	}
	var t sim.Task
	for r.Next(&t) == nil {
		fmt.Printf("request %d at %v: %d prompt tokens, %d output tokens, work %v\n",
			t.ID, t.Arrival, t.PromptTokens, t.OutputTokens, t.Work)
	}
	r, _ = traces.NewAzureLLMReader(strings.NewReader("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.9799600,-1,10\n"), "bad.csv", traces.DefaultTokenModel)
	fmt.Println(r.Next(&t))
	// Output:
	// request 0 at 0s: 4808 prompt tokens, 10 output tokens, work 1.1616s
	// request 1 at 0.052s: 3180 prompt tokens, 8 output tokens, work 0.796s
	// request 2 at 0.098189s: 110 prompt tokens, 27 output tokens, work 0.562s
	// bad.csv:2:29: column ContextTokens: expected a non-negative whole number of tokens, got "-1" (negative)
}

// Users' runtime estimates for synthetic tasks: the factor requested time /
// run time has quantiles 1, 2 and 8 at probabilities 0, 1/2 and 1, and no
// estimate exceeds an hour unless the work does.
func ExampleNewWithEstimates() {
	var tasks []sim.Task
	for i, w := range []float64{60, 600, 3000, 5000} {
		tasks = append(tasks, sim.Task{ID: int64(i), Work: sim.FromSeconds(w)})
	}
	o := traces.Overestimate{Factors: []float64{1, 2, 8}, Max: sim.Hour}
	src, err := traces.NewWithEstimates(&taskList{tasks}, o, sim.NewRand(1, "example"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for {
		var t sim.Task
		if err := src.Next(&t); err != nil {
			break
		}
		fmt.Printf("work %5.0f s, estimate %5.0f s\n", t.Work.Seconds(), t.Estimate.Seconds())
	}
	fmt.Printf("factor at probability 0.25: %.3f\n", o.Factor(0.25))
	// Output:
	// work    60 s, estimate   179 s
	// work   600 s, estimate   665 s
	// work  3000 s, estimate  3600 s
	// work  5000 s, estimate  5000 s
	// factor at probability 0.25: 1.414
}

// taskList is a source of the tasks it holds.
type taskList struct{ ts []sim.Task }

func (l *taskList) Next(t *sim.Task) error {
	if len(l.ts) == 0 {
		return io.EOF
	}
	*t, l.ts = l.ts[0], l.ts[1:]
	return nil
}

// A trace cache is a binary columnar copy of a trace (what fleetsim trace
// convert IN OUT.fsc writes); it reads back to the same tasks without
// parsing text.
func ExampleNewCacheWriter() {
	csv := "id,arrival,duration,cpu,tenant\n1,0,1.5,2,alice\n2,0.25,3,0.5,bob\n"
	src, err := traces.NewCSVReader(strings.NewReader(csv), "jobs.csv")
	if err != nil {
		panic(err)
	}
	var cache bytes.Buffer
	w := traces.NewCacheWriter(&cache)
	var t sim.Task
	for src.Next(&t) == nil {
		if err := w.Write(&t); err != nil {
			panic(err)
		}
	}
	if err := w.Flush(); err != nil {
		panic(err)
	}
	// 16 header + 16 block header + 92 payload (id, arrival, duration,
	// cpu: 2×8 bytes each; tenant: 2×4; its table: 4 + 2×4 + 8) + 24 end.
	fmt.Println(len(cache.Bytes()), "bytes")

	rd, err := traces.NewCacheReader(bytes.NewReader(cache.Bytes()), "jobs.fsc")
	if err != nil {
		panic(err)
	}
	for rd.Next(&t) == nil {
		fmt.Println(t.ID, t.Arrival, t.Work, t.CPU, t.Tenant)
	}
	// A cut file is refused, naming where it ends.
	rd, _ = traces.NewCacheReader(bytes.NewReader(cache.Bytes()[:60]), "cut.fsc")
	fmt.Println(rd.Next(&t))
	// Output:
	// 148 bytes
	// 1 0s 1.5s 2000 alice
	// 2 0.25s 3s 500 bob
	// cut.fsc: byte 24: block header: payload of 92 bytes, but only 28 bytes follow (truncated?)
}

// FormatExt is the extension Open infers a trace's format from: a .gz
// suffix only says the file is gzip'd.
func ExampleFormatExt() {
	fmt.Println(traces.FormatExt("jobs.CSV"))
	fmt.Println(traces.FormatExt("runs/jobs.jsonl.gz"))
	fmt.Println(traces.FormatExt("jobs.gz") == "")
	// Output:
	// .csv
	// .jsonl
	// true
}
