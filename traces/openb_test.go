package traces

import (
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// sharedTraces is where the real traces live, beside the repository.
const sharedTraces = "../../shared/traces"

// sharedTrace returns the path of a real trace, or skips the test when the
// shared traces are not there.
func sharedTrace(tb testing.TB, rel string) string {
	tb.Helper()
	path := filepath.Join(sharedTraces, rel)
	if _, err := os.Stat(path); err != nil {
		tb.Skipf("real trace %s is not available (%v); the shared traces live in %s beside the repository", rel, err, sharedTraces)
	}
	return path
}

func readOpenb(in, file string) ([]sim.Task, error) {
	r, err := NewOpenbReader(strings.NewReader(in), file)
	if err != nil {
		return nil, err
	}
	return readAll(r)
}

// positions reads src to the end and returns the line Position gives
// after each task.
func positions(t *testing.T, src sim.Source) []int {
	t.Helper()
	var lines []int
	var task sim.Task
	for src.Next(&task) == nil {
		_, line := src.(Positioner).Position()
		lines = append(lines, line)
	}
	return lines
}

// TestOpenbFixtures reads each layout of the pod list by hand-made
// fixtures: the full layout with a pending pod (no scheduled_time), "nan"
// and multi-model gpu_spec, decimal times; the five-column multigpu
// layout (no times); and a CRLF file with a byte-order mark, reordered and
// unknown columns, a blank line and arrivals out of order.
func TestOpenbFixtures(t *testing.T) {
	const mi = 1 << 20
	s := sim.Second
	for _, tc := range []struct {
		file  string
		times bool
		want  []sim.Task
		lines []int
	}{
		{"openb_pods.csv", true, []sim.Task{
			{ID: 0, CPU: 10000, Memory: 16000 * mi, GPUs: 1, Class: "LS", Arrival: 0, Work: 12500000 * s},
			{ID: 1, CPU: 5000, Memory: 12000 * mi, GPUMilli: 450, Class: "LS", Arrival: 400000 * s, Work: 12500000 * s},
			{ID: 2, CPU: 88000, Memory: 327680 * mi, GPUs: 8, GPUSpec: "V100M16|V100M32", Class: "Burstable", Arrival: 9900000 * s, Work: 3500 * s},
			{ID: 3, CPU: 4000, Class: "BE", Arrival: 9900000 * s},
			{ID: 4, CPU: 11000, Memory: 47000 * mi, GPUs: 1, Class: "BE", Arrival: 10001000 * s, Work: 125 * s},
			{ID: 5, CPU: 2000, Memory: 4096 * mi, GPUs: 2, GPUSpec: "G2", Class: "Guaranteed", Arrival: 10001000*s + s/2, Work: 1250 * sim.Millisecond},
		}, []int{2, 3, 4, 5, 6, 7}},
		{"openb_pods_5col.csv", false, []sim.Task{
			{ID: 0, CPU: 10000, Memory: 16000 * mi, GPUs: 1},
			{ID: 1, CPU: 5000, Memory: 12000 * mi, GPUMilli: 450},
			{ID: 2, CPU: 96000, Memory: 786432 * mi, GPUs: 8},
			{ID: 3, CPU: 32000, Memory: 65536 * mi},
		}, []int{2, 3, 4, 5}},
		{"openb_pods_crlf.csv", true, []sim.Task{
			{ID: 0, CPU: 1000, Memory: 1024 * mi, GPUMilli: 500, Class: "LS", Arrival: 5 * s, Work: 60 * s},
			{ID: 1, CPU: 250, Memory: 512 * mi, Class: "BE", Arrival: 3 * s, Work: s},
		}, []int{2, 4}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", tc.file)
			src, c, err := Open(path, "openb")
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if got := src.(*OpenbReader).HasTimes(); got != tc.times {
				t.Errorf("HasTimes() = %v, want %v", got, tc.times)
			}
			got, err := readAll(src)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, tc.want)
			}
			src, c2, _ := Open(path, "OPENB")
			defer c2.Close()
			if lines := positions(t, src); !reflect.DeepEqual(lines, tc.lines) {
				t.Errorf("Position lines %v, want %v", lines, tc.lines)
			}
			if file, _ := src.(Positioner).Position(); file != path {
				t.Errorf("Position file %q, want %q", file, path)
			}
		})
	}
}

// TestOpenbErrors lists the pod list's errors, each with its full text:
// file, line, byte column, column name and what was expected.
func TestOpenbErrors(t *testing.T) {
	const head = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n"
	const row = "p0,1000,1024,0,0,,LS,Running,0,10,0\n"
	for _, tc := range []struct{ name, in, want string }{
		{"empty file", "",
			`p.csv:1: empty file: expected an openb pod list's header, ` + openbPodHeader},
		{"missing column", "name,cpu_milli,memory_mib,num_gpu\np0,1,1,0\n",
			`p.csv:1: column gpu_milli: missing required column; an openb pod list's header is ` + openbPodHeader},
		{"missing column on a later header line", "\n\nname,cpu_milli,num_gpu,gpu_milli\n",
			`p.csv:3: column memory_mib: missing required column; an openb pod list's header is ` + openbPodHeader},
		{"no header", "pod-a,10000,16000,1,1000\n",
			`p.csv:1: column cpu_milli: missing required column; an openb pod list's header is ` + openbPodHeader},
		{"duplicate column", "cpu_milli,memory_mib,num_gpu,gpu_milli,CPU_MILLI\n",
			`p.csv:1: column cpu_milli: duplicate column (fields 1 and 5 of the header)`},
		{"creation without deletion", "cpu_milli,memory_mib,num_gpu,gpu_milli,creation_time\n",
			`p.csv:1: column deletion_time: missing column: creation_time is there, and work is deletion_time minus scheduled_time or creation_time`},
		{"deletion without creation", "cpu_milli,memory_mib,num_gpu,gpu_milli,deletion_time\n",
			`p.csv:1: column creation_time: missing column: deletion_time is there, and the arrival is creation_time`},
		{"field count", head + row + "p1,1000,1024,0,0\n",
			`p.csv:3: expected 11 fields, as in the header, got 5`},
		{"negative cpu", head + "p0,-1000,1024,0,0,,LS,Running,0,10,0\n",
			`p.csv:2:4: column cpu_milli: expected a non-negative whole number of milli-cores, got "-1000" (negative)`},
		{"negative memory", head + row + "p1,1000,-1,0,0,,LS,Running,0,10,0\n",
			`p.csv:3:9: column memory_mib: expected a non-negative whole number of MiB, got "-1" (negative)`},
		{"negative num_gpu", head + "p0,1000,1024,-2,1000,,LS,Running,0,10,0\n",
			`p.csv:2:14: column num_gpu: expected a non-negative whole number of GPUs, got "-2" (negative)`},
		{"fraction of a milli-core", head + "p0,1000.5,1024,0,0,,LS,Running,0,10,0\n",
			`p.csv:2:4: column cpu_milli: expected a non-negative whole number of milli-cores, got "1000.5" (fractions are not allowed)`},
		{"non-numeric memory", head + "p0,1000,lots,0,0,,LS,Running,0,10,0\n",
			`p.csv:2:9: column memory_mib: expected a non-negative whole number of MiB, got "lots"`},
		{"empty cpu", head + "p0,,1024,0,0,,LS,Running,0,10,0\n",
			`p.csv:2:4: column cpu_milli: expected a non-negative whole number of milli-cores, got an empty cell`},
		{"memory too large", head + "p0,1000,8796093022208,0,0,,LS,Running,0,10,0\n",
			`p.csv:2:9: column memory_mib: value "8796093022208" is out of range (at most 8796093022207)`},
		{"GPU share over 1000 milli", head + "p0,1000,1024,1,1500,,LS,Running,0,10,0\n",
			`p.csv:2:16: column gpu_milli: GPU share over 1000 milli: got "1500"; a pod asks for k whole GPUs with num_gpu k and gpu_milli 1000`},
		{"GPU share far over 1000 milli", head + "p0,1000,1024,1,99999999999999999999,,LS,Running,0,10,0\n",
			`p.csv:2:16: column gpu_milli: GPU share over 1000 milli: got "99999999999999999999"; a pod asks for k whole GPUs with num_gpu k and gpu_milli 1000`},
		{"num_gpu over 1 with a share", head + "p0,1000,1024,2,500,,LS,Running,0,10,0\n",
			`p.csv:2:16: column gpu_milli: expected 1000 when num_gpu is 2 (a GPU share is of one GPU), got "500"`},
		{"share without a GPU", head + "p0,1000,1024,0,500,,LS,Running,0,10,0\n",
			`p.csv:2:16: column gpu_milli: expected 0 when num_gpu is 0, got "500"`},
		{"one GPU with no share", head + "p0,1000,1024,1,0,,LS,Running,0,10,0\n",
			`p.csv:2:16: column gpu_milli: expected 1 to 1000 when num_gpu is 1, got "0"`},
		{"negative gpu_milli", head + "p0,1000,1024,1,-5,,LS,Running,0,10,0\n",
			`p.csv:2:16: column gpu_milli: expected a non-negative whole number of milli-GPUs (thousandths of one GPU), got "-5" (negative)`},
		{"non-numeric creation time", head + "p0,1000,1024,0,0,,LS,Running,yesterday,10,0\n",
			`p.csv:2:30: column creation_time: expected a non-negative number of seconds, got "yesterday"`},
		{"empty deletion time", head + "p0,1000,1024,0,0,,LS,Running,0,,0\n",
			`p.csv:2:32: column deletion_time: expected a non-negative number of seconds, got an empty cell`},
		{"negative scheduled time", head + "p0,1000,1024,0,0,,LS,Running,0,10,-3\n",
			`p.csv:2:35: column scheduled_time: expected a non-negative number of seconds, got "-3"`},
		{"negative work", head + "p0,1000,1024,0,0,,LS,Running,0,10,12\n",
			`p.csv:2:32: column deletion_time: deletion_time 10 is earlier than scheduled_time 12: the work would be negative`},
		{"negative work without scheduling", head + "p0,1000,1024,0,0,,LS,Pending,20,10,\n",
			`p.csv:2:33: column deletion_time: deletion_time 10 is earlier than creation_time 20: the work would be negative`},
		{"malformed CSV", head + "p0,1000,1024,0,0,\"x\"y,LS,Running,0,10,0\n",
			`p.csv:2: malformed CSV at byte 20 of the line: extraneous or missing " in quoted-field`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readOpenb(tc.in, "p.csv")
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("error %v (%T), want a *traces.Error", err, err)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got %s\nwant %s", err, tc.want)
			}
		})
	}
}

// TestOpenbStickyError checks that after an error the reader returns it
// again, and that the rows before it were read.
func TestOpenbStickyError(t *testing.T) {
	r, err := NewOpenbReader(strings.NewReader("cpu_milli,memory_mib,num_gpu,gpu_milli\n1,1,0,0\nx,1,0,0\n1,1,0,0\n"), "s.csv")
	if err != nil {
		t.Fatal(err)
	}
	var task sim.Task
	if err := r.Next(&task); err != nil || task.CPU != 1 {
		t.Fatalf("first row: %+v, %v", task, err)
	}
	e1 := r.Next(&task)
	e2 := r.Next(&task)
	if e1 == nil || e1 != e2 {
		t.Fatalf("errors %v then %v, want the same error twice", e1, e2)
	}
}

// TestOpenbNodesFixture reads a node list: a CPU-only node (group "cpu")
// and GPU nodes grouped by model.
func TestOpenbNodesFixture(t *testing.T) {
	got, err := ReadOpenbNodes(filepath.Join("testdata", "openb_nodes.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := []sim.NodeSpec{
		{Name: "node-a", Group: "cpu", Slots: 1, Speed: 1, CPU: 32000, Memory: 262144 << 20},
		{Name: "node-b", Group: "P100", Slots: 1, Speed: 1, CPU: 64000, Memory: 262144 << 20, GPUs: 2, GPUModel: "P100"},
		{Name: "node-c", Group: "V100M32", Slots: 1, Speed: 1, CPU: 96000, Memory: 786432 << 20, GPUs: 8, GPUModel: "V100M32"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
}

// TestOpenbNodesErrors lists the node list's errors with their full text.
func TestOpenbNodesErrors(t *testing.T) {
	const head = "sn,cpu_milli,memory_mib,gpu,model\n"
	for _, tc := range []struct{ name, in, want string }{
		{"empty file", "",
			`n.csv:1: empty file: expected an openb node list's header, sn,cpu_milli,memory_mib,gpu,model`},
		{"missing column", "sn,cpu_milli,memory_mib,gpu\n",
			`n.csv:1: column model: missing required column; an openb node list's header is sn,cpu_milli,memory_mib,gpu,model`},
		{"duplicate name", head + "a,1,1,0,\nb,1,1,0,\n a ,1,1,0,\n",
			`n.csv:4:1: column sn: duplicate node name "a" (first on line 2)`},
		{"empty name", head + ",1,1,0,\n",
			`n.csv:2:1: column sn: expected a node name, got an empty cell`},
		{"negative cpu", head + "a,-1,1,0,\n",
			`n.csv:2:3: column cpu_milli: expected a non-negative whole number of milli-cores, got "-1" (negative)`},
		{"negative memory", head + "a,1,-1,0,\n",
			`n.csv:2:5: column memory_mib: expected a non-negative whole number of MiB, got "-1" (negative)`},
		{"non-numeric gpu", head + "a,1,1,eight,T4\n",
			`n.csv:2:7: column gpu: expected a non-negative whole number of GPUs, got "eight"`},
		{"too many GPUs", head + "a,1,1,4097,T4\n",
			`n.csv:2:7: column gpu: value "4097" is out of range (at most 4096)`},
		{"GPUs without a model", head + "a,1,1,2,\n",
			`n.csv:2:9: column model: expected the model of the node's 2 GPUs, got an empty cell`},
		{"field count", head + "a,1,1,2\n",
			`n.csv:2: expected 5 fields, as in the header, got 4`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadOpenbNodesFrom(strings.NewReader(tc.in), "n.csv")
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("error %v (%T), want a *traces.Error", err, err)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got %s\nwant %s", err, tc.want)
			}
		})
	}
}

// TestOpenbRealPodLists checks the readers against the real trace files,
// with the figures measured in them independently (the shared README):
// row counts, the num_gpu histogram, shares and the total GPU request.
func TestOpenbRealPodLists(t *testing.T) {
	for _, tc := range []struct {
		file      string
		tasks     int64
		numGPU    map[int32]int64 // num_gpu → pods; nil: not known
		shares    int64           // GPU-sharing pods; -1: not known
		gpus      float64         // total GPU request, GPUs, to 0.1
		sharePct  float64         // GPU-sharing pods' part of it, %, to 0.1; -1: not known
		multiPct  float64         // multi-GPU pods' part of it, %, to 0.1; -1: not known
		times     bool
		unordered bool
	}{
		{"openb_pod_list_default.csv", 8152, map[int32]int64{0: 1088, 1: 6989, 2: 16, 4: 15, 8: 44}, 3078, 6086.8, 28.5, 7.3, true, false},
		{"openb_pod_list_gpuspec33.csv", 8152, map[int32]int64{0: 1088, 1: 6989, 2: 16, 4: 15, 8: 44}, 3078, 6086.8, 28.5, 7.3, true, false},
		{"openb_pod_list_gpushare40.csv", 8152, nil, -1, 5641.2, 40.1, -1, true, true},
		{"openb_pod_list_multigpu50.csv", 9061, nil, -1, 11358.8, -1, 50.3, false, false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := sharedTrace(t, "alibaba-gpu-2023/"+tc.file)
			src, c, err := Open(path, "openb")
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if src.(*OpenbReader).HasTimes() != tc.times {
				t.Errorf("HasTimes() = %v, want %v", !tc.times, tc.times)
			}
			hist := map[int32]int64{}
			var n, shares, milli, shareMilli, multiMilli, specs int64
			var task sim.Task
			for {
				err := src.Next(&task)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if task.ID != n {
					t.Fatalf("task %d has id %d, want its row position", n, task.ID)
				}
				n++
				k, m := task.GPUDemand()
				switch {
				case task.GPUMilli > 0:
					hist[1]++
					shares++
				default:
					hist[task.GPUs]++
				}
				milli += int64(k) * int64(m)
				if k == 1 && m < 1000 {
					shareMilli += int64(m)
				}
				if k > 1 {
					multiMilli += int64(k) * int64(m)
				}
				if task.GPUSpec != "" {
					specs++
				}
			}
			if n != tc.tasks {
				t.Errorf("%d tasks, want %d", n, tc.tasks)
			}
			if tc.numGPU != nil && !reflect.DeepEqual(hist, tc.numGPU) {
				t.Errorf("num_gpu histogram %v, want %v", hist, tc.numGPU)
			}
			if tc.shares >= 0 && shares != tc.shares {
				t.Errorf("%d GPU-sharing pods, want %d", shares, tc.shares)
			}
			// The README rounds to 0.1: allow half of that, and a hair for
			// a figure that ends in 5.
			const tol = 0.05 + 1e-9
			if got := float64(milli) / 1000; math.Abs(got-tc.gpus) > tol {
				t.Errorf("total GPU request %.3f GPUs, want %.1f ± 0.05", got, tc.gpus)
			}
			for _, p := range []struct {
				what string
				part int64
				want float64
			}{{"GPU-sharing", shareMilli, tc.sharePct}, {"multi-GPU", multiMilli, tc.multiPct}} {
				if got := 100 * float64(p.part) / float64(milli); p.want >= 0 && math.Abs(got-p.want) > tol {
					t.Errorf("%s pods make %.3f%% of the GPU request, want %.1f%%", p.what, got, p.want)
				}
			}
			if tc.file == "openb_pod_list_gpuspec33.csv" && specs != 2388 {
				t.Errorf("%d pods with gpu_spec, want 2388", specs)
			}
			if tc.file == "openb_pod_list_default.csv" && specs != 0 {
				t.Errorf("%d pods with gpu_spec, want 0", specs)
			}
			st, err := ComputeStats(mustOpen(t, path, "openb"), 0)
			if err != nil {
				t.Fatal(err)
			}
			if (st.OutOfOrder > 0) != tc.unordered {
				t.Errorf("%d arrivals out of order; the file is sorted: %v", st.OutOfOrder, !tc.unordered)
			}
		})
	}
}

func mustOpen(t *testing.T, path, format string) sim.Source {
	t.Helper()
	src, c, err := Open(path, format)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return src
}

// TestOpenbRealNodeLists checks the node lists: 1,213 GPU nodes (1,523
// with the CPU-only ones), 6,212 GPUs and 107,018,000 milli-cores in the
// GPU node list, and the README's mix of models.
func TestOpenbRealNodeLists(t *testing.T) {
	for _, tc := range []struct {
		file  string
		nodes int
		gpus  int
		cpu   int64
		mix   map[string]int
	}{
		{"openb_node_list_gpu_node.csv", 1213, 6212, 107_018_000,
			map[string]int{"G2": 549, "T4": 404, "P100": 134, "V100M16": 55, "G3": 39, "V100M32": 30, "A10": 2}},
		{"openb_node_list_all_node.csv", 1523, 6212, -1, nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			nodes, err := ReadOpenbNodes(sharedTrace(t, "alibaba-gpu-2023/"+tc.file))
			if err != nil {
				t.Fatal(err)
			}
			gpus, cpu, mix := 0, int64(0), map[string]int{}
			for _, n := range nodes {
				gpus += n.GPUs
				cpu += n.CPU
				if n.GPUs > 0 {
					mix[n.GPUModel]++
				} else if n.Group != "cpu" || n.GPUModel != "" {
					t.Errorf("CPU-only node %+v: want group cpu and no model", n)
				}
			}
			if len(nodes) != tc.nodes || gpus != tc.gpus {
				t.Errorf("%d nodes, %d GPUs; want %d, %d", len(nodes), gpus, tc.nodes, tc.gpus)
			}
			if tc.cpu >= 0 && cpu != tc.cpu {
				t.Errorf("total CPU %d milli, want %d", cpu, tc.cpu)
			}
			if tc.mix != nil && !reflect.DeepEqual(mix, tc.mix) {
				t.Errorf("model mix %v, want %v", mix, tc.mix)
			}
		})
	}
}
