package traces

import (
	"cmp"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fleetsim/fleetsim/sim"
)

// The fuzz targets of the openb, SWF and Azure LLM readers: no input makes them
// panic; an error is an *Error naming the file and a line >= 1; every task
// they return is a valid request (sim's three GPU forms, nothing negative)
// that the native writers carry unchanged (arrivals sorted first, since
// these formats do not promise order). Seeds: the cases below and
// testdata/fuzz/<target>/.

var openbSeeds = []string{
	"",
	"name,cpu_milli,memory_mib,num_gpu,gpu_milli\n",
	"name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n" +
		"p0,10000,16000,1,1000,,LS,Running,0,12500000,0\np1,5000,12000,1,450,nan,LS,Pending,400000,12900000,\n" +
		"p2,88000,327680,8,1000,V100M16|V100M32,BE,Failed,5,9.5,6\n",
	"\uFEFFgpu_milli,num_gpu,cpu_milli,memory_mib,x\r\n0,0,1,1,\"a,b\"\r\n\r\n500,1,1e3,2.0,\n",
	"cpu_milli,memory_mib,num_gpu,gpu_milli\n1,8796093022207,2147483647,1000\n1,1,2,500\n",
	"cpu_milli,memory_mib,num_gpu,gpu_milli,creation_time,deletion_time\n1,1,0,0,9223372036.854775807,9223372036.854775807\n",
	"cpu_milli,memory_mib,num_gpu,gpu_milli,cpu_milli\n",
	"cpu_milli,memory_mib,num_gpu,gpu_milli\n1,1,1,1001\n",
}

var openbNodeSeeds = []string{
	"",
	"sn,cpu_milli,memory_mib,gpu,model\nn0,32000,262144,0,\nn1,64000,262144,2,P100\n",
	"model,gpu,memory_mib,cpu_milli,sn,rack\r\nT4,4096,8796093022207,9223372036854775807,\"n,1\",r1\r\n",
	"sn,cpu_milli,memory_mib,gpu,model\na,1,1,0,\na,1,1,0,\n",
	"sn,cpu_milli,memory_mib,gpu,model\na,1,1,1,\n",
}

var swfSeeds = []string{
	"",
	"; Version: 2.2\n; MaxNodes: 100\n; MaxProcs: 100\n; UnixStartTime: 843480031\n;\n" +
		"   15   600000 190000   3500    4     -1    -1    4  54000    -1  1  12  12  -1 -1 -1 -1 -1\n" +
		"   16   600100    480      1   -1     -1    -1   -1    600    -1  1  48 225  -1 -1 -1 -1 -1\n",
	"\uFEFF;MaxProcs:16 (x)\r\n\t2\t5\t0\t60\t2\t-1\t-1\t-1\t-1\t1024\t1\t8\t1\t-1\t3\t-1\t-1\t-1\r\n",
	"5 12.5 0 0.25 1 0.2 100.5 1 30 8 5 7 1 4 0 1 -1 -1",
	"1 0 -1 5 4 -1 -1 4 -1 9223372036854775807 1 1 1 -1 -1 -1 -1 -1\n",
	"1 -1.0 -1 5 2 -1 -1 2 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
	"1 0 -1 9223372036 2 -1 -1 9223372036854775 9223372036 -1 1 1 1 -1 -1 -1 -1 -1\n",
	"; MaxProcs: -1\n; MaxNodes: x\n",
}

var azureSeeds = []string{
	"",
	azureHeader,
	"TIMESTAMP,ContextTokens,GeneratedTokens\r\n2023-11-16 18:17:03.9799600,4808,10\r\n2023-11-16 18:17:04.0319600,3180,8\r\n2023-11-16 18:17:04.0781490,110,27",
	"\uFEFFgeneratedtokens,x,timestamp,CONTEXTTOKENS\n\n 13 ,\"a,b\", 2023-11-16 18:17:03 ,1469\n0,,2023-11-16 18:17:03.000000001,0\n",
	"TIMESTAMP,ContextTokens,GeneratedTokens\n1970-01-01 00:00:00,2147483647,2147483647\n2262-04-11 23:47:16.854775807,0,0\n",
	"TIMESTAMP,ContextTokens,GeneratedTokens\n0000-02-29 23:59:59.999999999,1e3,2.0\n9999-12-31 00:00:00,1,1\n",
	"TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:04,1,1\n2023-11-16 18:17:03.9999999,1,1\n",
	"TIMESTAMP,ContextTokens,GeneratedTokens\n2023-02-29 00:00:00,1,1\n",
	"TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03,2147483648,-1\n",
}

// FuzzAzureLLM: besides the common checks, tasks are numbered by row, the
// first arrives at 0, arrivals never decrease, and work is the default
// token model's for the task's tokens, which are all the task has.
func FuzzAzureLLM(f *testing.F) {
	for _, s := range azureSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := NewAzureLLMReader(strings.NewReader(in), "fuzz.csv", DefaultTokenModel)
		if err != nil {
			checkLineError(t, err, "fuzz.csv")
			return
		}
		tasks := drain(t, r, "fuzz.csv")
		for i, task := range tasks {
			if task.ID != int64(i) || i == 0 && task.Arrival != 0 || i > 0 && task.Arrival < tasks[i-1].Arrival {
				t.Fatalf("task %d: %+v; want id %d, arrivals from 0 in order", i, task, i)
			}
			if task.PromptTokens < 0 || task.OutputTokens < 0 || task.Work != DefaultTokenModel.Work(task.PromptTokens, task.OutputTokens) {
				t.Fatalf("task %+v: work is not the default model's for its tokens", task)
			}
			if rest := (sim.Task{ID: task.ID, Arrival: task.Arrival, Work: task.Work, PromptTokens: task.PromptTokens, OutputTokens: task.OutputTokens}); task != rest {
				t.Fatalf("task %+v sets fields the trace does not have", task)
			}
		}
		checkNativeRoundTrip(t, tasks)
	})
}

func FuzzOpenb(f *testing.F) {
	for _, s := range openbSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := NewOpenbReader(strings.NewReader(in), "fuzz.csv")
		if err != nil {
			checkLineError(t, err, "fuzz.csv")
			return
		}
		tasks := drain(t, r, "fuzz.csv")
		for i, task := range tasks {
			if task.ID != int64(i) {
				t.Fatalf("task %d has id %d, want its position", i, task.ID)
			}
			if task.Estimate != 0 || task.Priority != 0 || task.Tenant != "" || task.Region != "" {
				t.Fatalf("task %+v sets fields a pod list does not have", task)
			}
		}
		checkNativeRoundTrip(t, tasks)
	})
}

func FuzzOpenbNodes(f *testing.F) {
	for _, s := range openbNodeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		nodes, err := ReadOpenbNodesFrom(strings.NewReader(in), "fuzz.csv")
		if err != nil {
			checkLineError(t, err, "fuzz.csv")
			return
		}
		seen := map[string]bool{}
		for _, n := range nodes {
			if n.Name == "" || seen[n.Name] || n.CPU < 0 || n.Memory < 0 || n.GPUs < 0 || n.GPUs > MaxOpenbNodeGPUs ||
				n.GPUs > 0 && n.GPUModel == "" || n.Slots != 1 || n.Speed != 1 || n.Group == "" {
				t.Fatalf("invalid node %+v", n)
			}
			seen[n.Name] = true
		}
	})
}

func FuzzSWF(f *testing.F) {
	for _, s := range swfSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := NewSWFReader(strings.NewReader(in), "fuzz.swf")
		if err != nil {
			checkLineError(t, err, "fuzz.swf")
			return
		}
		if h := r.Header(); h.MaxJobs < 0 || h.MaxRecords < 0 || h.MaxNodes < 0 || h.MaxProcs < 0 || h.UnixStartTime < 0 {
			t.Fatalf("header %+v has a negative number", h)
		}
		tasks := drain(t, r, "fuzz.swf")
		for _, task := range tasks {
			if task.ID < 0 || task.CPU%1000 != 0 || task.GPUs != 0 || task.GPUMilli != 0 || task.GPUSpec != "" {
				t.Fatalf("task %+v is not what a job line gives", task)
			}
		}
		if r.Skipped() < 0 {
			t.Fatalf("Skipped() = %d", r.Skipped())
		}
		checkNativeRoundTrip(t, tasks)
	})
}

// checkLineError checks that err is an *Error naming file and a line.
func checkLineError(t *testing.T, err error, file string) {
	t.Helper()
	checkReaderError(t, err, file)
	var te *Error
	errors.As(err, &te)
	if te.Line < 1 || te.Col < 0 {
		t.Fatalf("error %q names no line", err)
	}
}

// drain reads src to its end, checks each task is a valid request and
// that Position moves forward, and returns the tasks.
func drain(t *testing.T, src sim.Source, file string) []sim.Task {
	t.Helper()
	var tasks []sim.Task
	prevLine := 0
	for {
		var task sim.Task
		err := src.Next(&task)
		if err == io.EOF {
			break
		}
		if err != nil {
			checkLineError(t, err, file)
			if again := src.Next(&task); again != err {
				t.Fatalf("error %v, then %v: want the same error again", err, again)
			}
			break
		}
		k, milli := task.GPUDemand()
		if task.Arrival < 0 || task.Work < 0 || task.Estimate < 0 || task.CPU < 0 || task.Memory < 0 ||
			task.GPUs < 0 || task.GPUMilli < 0 || task.GPUMilli >= 1000 || task.GPUs > 0 && task.GPUMilli > 0 ||
			k > 0 && milli <= 0 {
			t.Fatalf("task %+v is not a valid request", task)
		}
		f, line := src.(Positioner).Position()
		if f != file || line <= prevLine {
			t.Fatalf("Position() = %s:%d after line %d", f, line, prevLine)
		}
		prevLine = line
		tasks = append(tasks, task)
	}
	return tasks
}

// checkNativeRoundTrip writes the tasks, sorted by arrival, in both native
// formats and reads them back unchanged.
func checkNativeRoundTrip(t *testing.T, tasks []sim.Task) {
	t.Helper()
	if len(tasks) == 0 {
		return
	}
	tasks = slices.Clone(tasks)
	slices.SortStableFunc(tasks, func(a, b sim.Task) int { return cmp.Compare(a.Arrival, b.Arrival) })
	if got := writeRead(t, "csv", tasks); !reflect.DeepEqual(got, tasks) {
		t.Fatalf("CSV round trip\n got %+v\nwant %+v", got, tasks)
	}
	for _, task := range tasks {
		if !utf8.ValidString(task.Class) || !utf8.ValidString(task.GPUSpec) || !utf8.ValidString(task.Tenant) {
			return
		}
	}
	if got := writeRead(t, "jsonl", tasks); !reflect.DeepEqual(got, tasks) {
		t.Fatalf("JSONL round trip\n got %+v\nwant %+v", got, tasks)
	}
}
