package traces

import (
	"bytes"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// stringPool holds the awkward strings a writer must quote or escape.
var stringPool = []string{
	"", "a", "us-east", "carol, inc", `say "hi"`, "two\nlines", " leading space", "\ttab",
	`\.`, "café 😀", "trailing,", `"`, "\\", "x\u2028y", "ctl\x01\x1f",
}

// gpuSpecPool holds GPU model lists, plain and awkward.
var gpuSpecPool = []string{"", "", "V100M16", "V100M16|V100M32", "A10|G2|P100|T4", "a,b", `"q"`, "x\ny"}

// randomTask draws a task with every field exercised, including the
// extremes of each range; arrivals are made non-decreasing by the caller.
func randomTask(rng *rand.Rand, id int64) sim.Task {
	pick := func(extremes ...int64) int64 {
		if rng.IntN(4) == 0 {
			return extremes[rng.IntN(len(extremes))]
		}
		return rng.Int64() >> rng.IntN(64)
	}
	return sim.Task{
		ID:       pick(0, -1, math.MinInt64, math.MaxInt64) * int64(1-2*rng.IntN(2)),
		Work:     sim.Time(pick(0, 1, math.MaxInt64)),
		CPU:      pick(0, 1, 999, 1000, math.MaxInt64),
		Memory:   pick(0, 1, 1<<30, math.MaxInt64),
		GPUs:     int32(pick(0, 1, math.MaxInt32) & math.MaxInt32),
		GPUMilli: int32(rng.IntN(1001)),
		Priority: int32(pick(0, math.MinInt32, math.MaxInt32)),
		Tenant:   stringPool[rng.IntN(len(stringPool))],
		Region:   stringPool[rng.IntN(len(stringPool))],
		Class:    stringPool[rng.IntN(len(stringPool))],
		GPUSpec:  gpuSpecPool[rng.IntN(len(gpuSpecPool))],
		Estimate: sim.Time(pick(0, 1, math.MaxInt64)),

		PromptTokens: int32(pick(0, 1, math.MaxInt32) & math.MaxInt32),
		OutputTokens: int32(pick(0, 1, math.MaxInt32) & math.MaxInt32),
	}
}

// writeRead writes tasks with the given format's writer and reads them back.
func writeRead(t *testing.T, format string, tasks []sim.Task) []sim.Task {
	t.Helper()
	return writeReadWith(t, format, tasks, false)
}

// writeReadWith is writeRead, the CSV writer writing the workflow columns
// when workflows is set.
func writeReadWith(t *testing.T, format string, tasks []sim.Task, workflows bool) []sim.Task {
	t.Helper()
	var b bytes.Buffer
	var w interface {
		Write(*sim.Task) error
		Flush() error
	}
	if format == "csv" {
		cw := NewCSVWriter(&b)
		cw.Workflows = workflows
		w = cw
	} else {
		w = NewJSONLWriter(&b)
	}
	for i := range tasks {
		if err := w.Write(&tasks[i]); err != nil {
			t.Fatalf("write %+v: %v", tasks[i], err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	var got []sim.Task
	var err error
	if format == "csv" {
		got, err = readCSV(b.String(), "rt.csv")
	} else {
		got, err = readJSONL(b.String(), "rt.jsonl")
	}
	if err != nil {
		t.Fatalf("read back: %v\n%s", err, b.String())
	}
	return got
}

// TestRoundTrip is the property read∘write = identity, for both formats,
// over random tasks with every field set, gpu_spec, estimate and the
// token counts included: times and cpu are written as exact decimals, so
// every nanosecond and milli-core survives.
func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, format := range []string{"csv", "jsonl"} {
		for trial := 0; trial < 200; trial++ {
			n := rng.IntN(50)
			tasks := make([]sim.Task, n)
			var now sim.Time
			for i := range tasks {
				tasks[i] = randomTask(rng, int64(i))
				if rng.IntN(3) > 0 {
					now += sim.Time(rng.Int64N(int64(sim.MaxTime-now)/int64(n-i+1)+1) >> rng.IntN(40))
				}
				tasks[i].Arrival = now
			}
			got := writeRead(t, format, tasks)
			if len(got) == 0 && len(tasks) == 0 {
				continue
			}
			if !reflect.DeepEqual(got, tasks) {
				for i := range tasks {
					if i >= len(got) || !reflect.DeepEqual(got[i], tasks[i]) {
						t.Fatalf("%s: task %d\n got %+v\nwant %+v", format, i, got[i], tasks[i])
					}
				}
				t.Fatalf("%s: got %d tasks, want %d", format, len(got), len(tasks))
			}
		}
	}
}

// TestRoundTripWorkflows is read∘write = identity for workflow and gang
// tasks: CSV with CSVWriter.Workflows and JSONL keep the workflow name
// (awkward strings too), parents with and without their own bytes,
// output_bytes and nodes. Each workflow's tasks arrive together and name
// earlier tasks of it as parents, as the readers require.
func TestRoundTripWorkflows(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, format := range []string{"csv", "jsonl"} {
		for trial := 0; trial < 100; trial++ {
			var tasks []sim.Task
			var now sim.Time
			id := int64(0)
			for w := rng.IntN(4); w >= 0; w-- {
				now += sim.Time(rng.Int64N(1e12))
				name := stringPool[1+rng.IntN(len(stringPool)-1)] + "-" + string(rune('a'+w))
				first := id
				for k := rng.IntN(6); k >= 0; k-- {
					tk := randomTask(rng, id)
					tk.ID, tk.Arrival, tk.Workflow = id, now, name
					tk.OutputBytes = rng.Int64() >> rng.IntN(64)
					tk.Nodes = int32(rng.IntN(3))
					for p := first; p < id; p++ {
						if rng.IntN(2) == 0 {
							if tk.Deps == nil {
								tk.Deps = &sim.Deps{}
							}
							e := sim.Edge{Parent: p, Bytes: -1}
							if rng.IntN(2) == 0 {
								e.Bytes = rng.Int64() >> rng.IntN(64)
							}
							tk.Deps.Parents = append(tk.Deps.Parents, e)
						}
					}
					tasks = append(tasks, tk)
					id++
				}
			}
			got := writeReadWith(t, format, tasks, true)
			if !reflect.DeepEqual(got, tasks) {
				for i := range tasks {
					if i >= len(got) || !reflect.DeepEqual(got[i], tasks[i]) {
						t.Fatalf("%s: task %d\n got %+v %+v\nwant %+v %+v", format, i, got[i], got[i].Deps, tasks[i], tasks[i].Deps)
					}
				}
				t.Fatalf("%s: got %d tasks, want %d", format, len(got), len(tasks))
			}
		}
	}
}
