package traces

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/fleetsim/fleetsim/sim"
)

// fixtureTasks are the tasks of testdata/jobs.csv and testdata/jobs.jsonl.
var fixtureTasks = []sim.Task{
	{ID: 1, Arrival: 0, Work: 1_500_000_000, CPU: 2000, Memory: 4 << 30, Tenant: "alice", Region: "us-east", Class: "web"},
	{ID: 2, Arrival: 250 * sim.Millisecond, Work: 1, CPU: 500, Memory: 512 << 20, GPUs: 1, Priority: 10, Tenant: "bob", Region: "eu-west", Class: "train"},
	{ID: 3, Arrival: 250 * sim.Millisecond, Work: 12 * sim.Second, CPU: 16000, Memory: 64e9, GPUMilli: 500, Priority: -1, Tenant: "carol, inc", Region: "us-east", Class: `say "hi"`},
	{ID: 4, Arrival: 3750 * sim.Millisecond, Work: sim.Millisecond},
}

func TestFixtures(t *testing.T) {
	for _, file := range []string{"jobs.csv", "jobs.jsonl", "jobs.csv.gz"} {
		t.Run(file, func(t *testing.T) {
			src, c, err := Open(filepath.Join("testdata", file), "")
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			got, err := readAll(src)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, fixtureTasks) {
				t.Errorf("got\n%+v\nwant\n%+v", got, fixtureTasks)
			}
		})
	}
}

// TestCSVNumbering checks that tasks without an id column, or with an
// empty id cell, are numbered by their position in the stream.
func TestCSVNumbering(t *testing.T) {
	got, err := readCSV("arrival,duration\n0,1\n0.5,2\n1.25,0.75\n", "m.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []sim.Task{
		{ID: 0, Arrival: 0, Work: sim.Second},
		{ID: 1, Arrival: 500 * sim.Millisecond, Work: 2 * sim.Second},
		{ID: 2, Arrival: 1250 * sim.Millisecond, Work: 750 * sim.Millisecond},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	got, err = readCSV("duration,id,arrival\n1,,0\n1,70,1\n1, ,2\n", "m.csv")
	if err != nil {
		t.Fatal(err)
	}
	if ids := []int64{got[0].ID, got[1].ID, got[2].ID}; !reflect.DeepEqual(ids, []int64{0, 70, 2}) {
		t.Errorf("ids %v, want [0 70 2]", ids)
	}
}

func TestCSVLeniency(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"byte-order mark", "\uFEFFarrival,duration\n1,2\n"},
		{"spaces around names and numbers", " arrival , duration \n 1 ,\t2 \n"},
		{"CRLF", "arrival,duration\r\n1,2\r\n"},
		{"blank lines", "\narrival,duration\n\n\n1,2\n\n"},
		{"no final newline", "arrival,duration\n1,2"},
		{"quoted numbers", "\"arrival\",\"duration\"\n\"1\",\"2\"\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readCSV(tc.in, "x.csv")
			if err != nil {
				t.Fatal(err)
			}
			want := []sim.Task{{Arrival: sim.Second, Work: 2 * sim.Second}}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

// TestCSVLineNumbers checks lines are counted as a text editor shows them,
// across blank lines and quoted fields that span lines.
func TestCSVLineNumbers(t *testing.T) {
	in := "arrival,duration,class\n0,1,\"two\nlines\"\n\n1,x,c\n"
	_, err := readCSV(in, "l.csv")
	if err == nil || err.Error() != `l.csv:5: column duration: expected a non-negative number of seconds, got "x"` {
		t.Fatalf("got %v", err)
	}
}

func TestCSVHeaderOnly(t *testing.T) {
	got, err := readCSV("arrival,duration\n", "h.csv")
	if err != nil || len(got) != 0 {
		t.Fatalf("got %v, %v; want no tasks, no error", got, err)
	}
}

// TestCSVStreams checks that the reader does not need the whole input: it
// returns the first task before the rest can be read.
func TestCSVStreams(t *testing.T) {
	pr, pw := io.Pipe()
	go func() {
		io.WriteString(pw, "arrival,duration\n1,1\n")
		// the rest never comes until the first task has been read
	}()
	r, err := NewCSVReader(iotest.OneByteReader(pr), "p.csv")
	if err != nil {
		t.Fatal(err)
	}
	var task sim.Task
	if err := r.Next(&task); err != nil || task.Arrival != sim.Second {
		t.Fatalf("first task %+v, %v", task, err)
	}
	pw.CloseWithError(errors.New("connection reset"))
	err = r.Next(&task)
	var te *Error
	if !errors.As(err, &te) || err.Error() != "p.csv: read failed after line 2: connection reset" {
		t.Fatalf("got %v", err)
	}
}

func TestCSVWriterHeaderOnly(t *testing.T) {
	var b bytes.Buffer
	w := NewCSVWriter(&b)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "id,arrival,duration,cpu,memory,gpus,gpu_milli,priority,tenant,region,class,gpu_spec,estimate,prompt_tokens,output_tokens\n" {
		t.Errorf("got %q", got)
	}
}

func TestCSVWriterOutput(t *testing.T) {
	var b bytes.Buffer
	w := NewCSVWriter(&b)
	for i := range fixtureTasks {
		if err := w.Write(&fixtureTasks[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := `id,arrival,duration,cpu,memory,gpus,gpu_milli,priority,tenant,region,class,gpu_spec,estimate,prompt_tokens,output_tokens
1,0,1.5,2,4294967296,0,0,0,alice,us-east,web,,0,0,0
2,0.25,0.000000001,0.5,536870912,1,0,10,bob,eu-west,train,,0,0,0
3,0.25,12,16,64000000000,0,500,-1,"carol, inc",us-east,"say ""hi""",,0,0,0
4,3.75,0.001,0,0,0,0,0,,,,,0,0,0
`
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestWriterRefusesBadTasks(t *testing.T) {
	for _, tc := range []struct {
		task sim.Task
		want string
	}{
		{sim.Task{ID: 9, Arrival: -1}, "traces: task 0 (id 9): negative arrival -1"},
		{sim.Task{Work: -5}, "traces: task 0 (id 0): negative duration -5"},
		{sim.Task{CPU: -5}, "traces: task 0 (id 0): negative cpu -5"},
		{sim.Task{Memory: -5}, "traces: task 0 (id 0): negative memory -5"},
		{sim.Task{GPUs: -5}, "traces: task 0 (id 0): negative gpus -5"},
		{sim.Task{GPUMilli: 1001}, "traces: task 0 (id 0): gpu_milli 1001 is outside 0..1000"},
		{sim.Task{Estimate: -5}, "traces: task 0 (id 0): negative estimate -5"},
		{sim.Task{PromptTokens: -5}, "traces: task 0 (id 0): negative prompt_tokens -5"},
		{sim.Task{OutputTokens: -5}, "traces: task 0 (id 0): negative output_tokens -5"},
	} {
		for _, w := range []interface{ Write(*sim.Task) error }{NewCSVWriter(io.Discard), NewJSONLWriter(io.Discard)} {
			if err := w.Write(&tc.task); err == nil || err.Error() != tc.want {
				t.Errorf("%T.Write(%+v) = %v, want %s", w, tc.task, err, tc.want)
			}
		}
	}
	w := NewCSVWriter(io.Discard)
	if err := w.Write(&sim.Task{Arrival: 2 * sim.Second}); err != nil {
		t.Fatal(err)
	}
	err := w.Write(&sim.Task{Arrival: sim.Second})
	if err == nil || err.Error() != "traces: task 1 (id 0): arrival 1 is earlier than the previous task's 2" {
		t.Errorf("got %v", err)
	}
}

func TestCRLFFixture(t *testing.T) {
	f, err := os.Open("testdata/crlf.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewCSVReader(f, "crlf.csv")
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].Tenant != "b" || strings.ContainsRune(got[0].Tenant, '\r') {
		t.Errorf("got %+v", got)
	}
}

// TestNativeGPUSpecAndEstimate reads the optional gpu_spec and estimate
// columns (JSONL keys), and checks that the JSONL writer leaves them out
// when unknown, as its other optional keys.
func TestNativeGPUSpecAndEstimate(t *testing.T) {
	want := []sim.Task{
		{ID: 0, Arrival: 0, Work: sim.Second, GPUs: 1, GPUSpec: "V100M16|V100M32", Estimate: 90 * sim.Second},
		{ID: 1, Arrival: sim.Second, Work: sim.Second, Estimate: 1},
		{ID: 2, Arrival: sim.Second, Work: sim.Second},
	}
	got, err := readCSV("arrival,duration,gpus,gpu_spec,estimate\n0,1,1,V100M16|V100M32,90\n1,1,0,,0.000000001\n1,1,,,\n", "g.csv")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("CSV: got %+v, %v\nwant %+v", got, err, want)
	}
	got, err = readJSONL(`{"arrival":0,"duration":1,"gpus":1,"gpu_spec":"V100M16|V100M32","estimate":9e1}`+"\n"+
		`{"arrival":1,"duration":1,"estimate":1e-9,"gpu_spec":null}`+"\n"+`{"arrival":1,"duration":1,"gpu_spec":""}`+"\n", "g.jsonl")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("JSONL: got %+v, %v\nwant %+v", got, err, want)
	}
	var b bytes.Buffer
	w := NewJSONLWriter(&b)
	for i := range want {
		w.Write(&want[i])
	}
	w.Flush()
	const wantJSONL = `{"id":0,"arrival":0,"duration":1,"gpus":1,"gpu_spec":"V100M16|V100M32","estimate":90}
{"id":1,"arrival":1,"duration":1,"estimate":0.000000001}
{"id":2,"arrival":1,"duration":1}
`
	if b.String() != wantJSONL {
		t.Errorf("JSONL writer:\n got %s\nwant %s", b.String(), wantJSONL)
	}
}

// TestNativeTokens reads the optional prompt_tokens and output_tokens
// columns (JSONL keys) and writes them back: the CSV writer always, the
// JSONL writer only when not 0.
func TestNativeTokens(t *testing.T) {
	want := []sim.Task{
		{ID: 0, Arrival: 0, Work: sim.Second, PromptTokens: 4808, OutputTokens: 10},
		{ID: 1, Arrival: sim.Second, Work: sim.Second, PromptTokens: 2147483647},
		{ID: 2, Arrival: sim.Second, Work: sim.Second, OutputTokens: 1},
		{ID: 3, Arrival: sim.Second, Work: sim.Second},
	}
	got, err := readCSV("arrival,duration,output_tokens,prompt_tokens\n0,1,10,4808\n1,1,0,2147483647\n1,1,1e0,\n1,1,,\n", "k.csv")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("CSV: got %+v, %v\nwant %+v", got, err, want)
	}
	got, err = readJSONL(`{"arrival":0,"duration":1,"prompt_tokens":4808,"output_tokens":10}`+"\n"+
		`{"arrival":1,"duration":1,"prompt_tokens":2147483647,"output_tokens":null}`+"\n"+
		`{"arrival":1,"duration":1,"output_tokens":1.0}`+"\n"+`{"arrival":1,"duration":1}`+"\n", "k.jsonl")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("JSONL: got %+v, %v\nwant %+v", got, err, want)
	}
	var b bytes.Buffer
	w := NewJSONLWriter(&b)
	for i := range want {
		w.Write(&want[i])
	}
	w.Flush()
	const wantJSONL = `{"id":0,"arrival":0,"duration":1,"prompt_tokens":4808,"output_tokens":10}
{"id":1,"arrival":1,"duration":1,"prompt_tokens":2147483647}
{"id":2,"arrival":1,"duration":1,"output_tokens":1}
{"id":3,"arrival":1,"duration":1}
`
	if b.String() != wantJSONL {
		t.Errorf("JSONL writer:\n got %s\nwant %s", b.String(), wantJSONL)
	}
	b.Reset()
	cw := NewCSVWriter(&b)
	for i := range want {
		cw.Write(&want[i])
	}
	cw.Flush()
	const wantCSV = `id,arrival,duration,cpu,memory,gpus,gpu_milli,priority,tenant,region,class,gpu_spec,estimate,prompt_tokens,output_tokens
0,0,1,0,0,0,0,0,,,,,0,4808,10
1,1,1,0,0,0,0,0,,,,,0,2147483647,0
2,1,1,0,0,0,0,0,,,,,0,0,1
3,1,1,0,0,0,0,0,,,,,0,0,0
`
	if b.String() != wantCSV {
		t.Errorf("CSV writer:\n got %s\nwant %s", b.String(), wantCSV)
	}
}
