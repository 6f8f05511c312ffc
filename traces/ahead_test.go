package traces

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fleetsim/fleetsim/sim"
)

// readPositioned reads src to its end: each task with the line Position
// gives after it, then the error that ended it ("" at io.EOF).
func readPositioned(t *testing.T, src sim.Source) ([]sim.Task, []int, string) {
	t.Helper()
	var tasks []sim.Task
	var lines []int
	for {
		var task sim.Task
		task.CPU = 77 // (a previous task's value: Next overwrites every field)
		err := src.Next(&task)
		if err == io.EOF {
			return tasks, lines, ""
		}
		if err != nil {
			return tasks, lines, err.Error()
		}
		_, line := src.(Positioner).Position()
		tasks = append(tasks, task)
		lines = append(lines, line)
	}
}

// aheadInput is a CSV trace of n random rows, native or with a shorter
// header, with CR, CRLF or LF line ends, plain rows (only id, arrival
// and duration) and others, blank and quoted lines, and, by chance, one
// error at a random row: a bad number, an arrival out of order, a line
// over MaxLine, a field too few.
func aheadInput(r *rand.Rand, n int) string {
	var b strings.Builder
	native := r.IntN(4) != 0
	nl := []string{"\n", "\r\n", "\r"}[r.IntN(3)]
	if native {
		b.WriteString(strings.TrimSuffix(csvHeader, "\n") + nl)
	} else {
		b.WriteString("arrival,duration,tenant" + nl)
	}
	bad := -1
	if r.IntN(2) == 0 {
		bad = r.IntN(n + 1)
	}
	var prev sim.Time
	for i := range n {
		if i == bad {
			switch r.IntN(4) {
			case 0:
				b.WriteString("x,1,2" + nl)
			case 1:
				b.WriteString(strings.Repeat("7", MaxLine+1) + nl)
			case 2:
				b.WriteString("1" + nl)
			default:
				if native {
					fmt.Fprintf(&b, "%d,%s,1,0,0,0,0,0,,,,,0,0,0%s", i, FormatSeconds(prev-1), nl)
				} else {
					fmt.Fprintf(&b, "%s,1,%s", FormatSeconds(prev-1), nl)
				}
			}
			continue
		}
		if r.IntN(50) == 0 {
			b.WriteString(nl) // a blank line
		}
		task := randomNativeTask(r, prev, true)
		prev = task.Arrival
		if !native {
			fmt.Fprintf(&b, "%s,%s,%s%s", FormatSeconds(task.Arrival), FormatSeconds(task.Work), appendCSVField(nil, task.Tenant), nl)
			continue
		}
		if r.IntN(3) != 0 { // plain: what a generated workload's rows hold
			fmt.Fprintf(&b, "%d,%s,%s,0,0,0,0,0,,,,,0,0,0%s", task.ID, FormatSeconds(task.Arrival), FormatSeconds(task.Work), nl)
			continue
		}
		var row bytes.Buffer
		w := NewCSVWriter(&row)
		w.Write(&task)
		w.Flush()
		line := strings.TrimPrefix(row.String(), csvHeader)
		b.WriteString(strings.ReplaceAll(line, "\n", nl))
	}
	return b.String()
}

// TestAheadSourceSame: Open's CSV reader, which reads ahead on a
// goroutine, gives the tasks, the lines (Position) and the error, in the
// same words, that the reader itself gives on the same bytes, plain and
// gzip'd, on random inputs of up to a few batches, with and without an
// error somewhere; and no goroutine is left once it is closed.
func TestAheadSourceSame(t *testing.T) {
	twoProcs(t)
	before := runtime.NumGoroutine()
	r := rand.New(rand.NewPCG(22, 5))
	dir := t.TempDir()
	sizes := []int{0, 1, 2, 100, aheadRows - 1, aheadRows, aheadRows + 1, 3*aheadRows + 17, 9 * aheadRows}
	for k := range 40 {
		n := sizes[k%len(sizes)]
		in := aheadInput(r, n)
		rd, err := NewCSVReader(strings.NewReader(in), filepath.Join(dir, "t.csv"))
		var want []sim.Task
		var wantLines []int
		wantErr := ""
		if err != nil {
			wantErr = "header: " + err.Error()
		} else {
			want, wantLines, wantErr = readPositioned(t, rd)
		}
		sameAhead(t, fmt.Sprintf("case %d (%d rows)", k, n), filepath.Join(dir, "t.csv"), in, want, wantLines, wantErr)
	}
	waitGoroutines(t, before)
}

// twoProcs lets Go run two threads during the test, as Open wants for
// its read-ahead.
func twoProcs(t *testing.T) {
	if n := runtime.GOMAXPROCS(0); n < 2 {
		runtime.GOMAXPROCS(2)
		t.Cleanup(func() { runtime.GOMAXPROCS(n) })
	}
}

// TestOpenCSVOneProcNotAhead: with GOMAXPROCS=1, Open's CSV reader is the
// reader itself: no goroutine to hand tasks over.
func TestOpenCSVOneProcNotAhead(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	path := filepath.Join(t.TempDir(), "t.csv")
	if err := os.WriteFile(path, []byte("arrival,duration\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src, c, err := Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, ok := src.(*CSVReader); !ok {
		t.Errorf("Open gave a %T", src)
	}
}

// waitGoroutines fails unless the count of goroutines is back to n within
// a few seconds.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestAheadSourceClose: Close stops the read-ahead wherever it is (not
// started, a batch or two read, at the end), a second Close is harmless,
// and Next after Close gives at most the rest of the batch in hand, then
// an error, not a hang; no goroutine is left.
func TestAheadSourceClose(t *testing.T) {
	twoProcs(t)
	before := runtime.NumGoroutine()
	path := filepath.Join(t.TempDir(), "t.csv")
	in := aheadInput(rand.New(rand.NewPCG(1, 1)), 10*aheadRows)
	for strings.Contains(in, "7777777") || strings.Count(in, "\n") < 10*aheadRows {
		in = aheadInput(rand.New(rand.NewPCG(uint64(len(in)), 2)), 10*aheadRows)
	}
	if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, reads := range []int{0, 1, aheadRows + 5, 1 << 30} {
		src, c, err := Open(path, "csv")
		if err != nil {
			t.Fatal(err)
		}
		var task sim.Task
		for i := 0; i < reads; i++ {
			if src.Next(&task) != nil {
				break
			}
		}
		if err := c.Close(); err != nil {
			t.Errorf("after %d reads: Close: %v", reads, err)
		}
		if err := c.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		// At most the rest of the batch in hand, then an error.
		err = nil
		for i := 0; i <= aheadRows && err == nil; i++ {
			err = src.Next(&task)
		}
		if err == nil || err == io.EOF && reads < 1<<30 {
			t.Errorf("after %d reads: Next after Close gave %v", reads, err)
		}
	}
	waitGoroutines(t, before)
}

// TestAheadSourceCloseWhileReading: Close from another goroutine while
// Next is being called (a library user stopping a run) ends the reading
// with an error, or the end, and leaves no goroutine (run with -race).
func TestAheadSourceCloseWhileReading(t *testing.T) {
	twoProcs(t)
	before := runtime.NumGoroutine()
	path := filepath.Join(t.TempDir(), "t.csv")
	var b strings.Builder
	b.WriteString(csvHeader)
	for i := range 20 * aheadRows {
		fmt.Fprintf(&b, "%d,%d.5,1,0,0,0,0,0,,,,,0,0,0\n", i, i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, wait := range []time.Duration{0, time.Millisecond, 5 * time.Millisecond} {
		src, c, err := Open(path, "")
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			var task sim.Task
			for {
				if err := src.Next(&task); err != nil {
					done <- err
					return
				}
			}
		}()
		time.Sleep(wait)
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		select {
		case err := <-done:
			if err != errAheadClosed && err != io.EOF {
				t.Errorf("Next ended with %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Next still going 10 s after Close")
		}
	}
	waitGoroutines(t, before)
}

// TestOpenCSVFIFONotAhead: a CSV trace from a named pipe is read as it
// comes, with no goroutine: a row its writer sent is read at once, though
// the writer has not closed the pipe.
func TestOpenCSVFIFONotAhead(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "t.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	w, err := os.OpenFile(fifo, os.O_RDWR, 0) // (a writer that stays; O_RDWR: no wait for a reader)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.WriteString("arrival,duration\n1,2\n"); err != nil {
		t.Fatal(err)
	}
	src, c, err := Open(fifo, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, ok := src.(*aheadSource); ok {
		t.Fatal("a pipe read ahead")
	}
	done := make(chan error, 1)
	go func() {
		var task sim.Task
		done <- src.Next(&task)
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Next: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the row the writer sent not read after 10 s")
	}
}

// TestPlainTaskEveryField: plainTask is true for a task with only ID,
// Arrival and Work set, and false when any other field of sim.Task is set
// (a field added to sim.Task and not to plainTask would be lost on the
// way through the read-ahead: this test names it).
func TestPlainTaskEveryField(t *testing.T) {
	task := sim.Task{ID: 1, Arrival: 2, Work: 3}
	if !plainTask(&task) {
		t.Fatal("id, arrival and work only: not plain")
	}
	typ := reflect.TypeOf(task)
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		if name == "ID" || name == "Arrival" || name == "Work" {
			continue
		}
		task := sim.Task{}
		f := reflect.ValueOf(&task).Elem().Field(i)
		switch f.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			f.SetInt(-1)
		case reflect.String:
			f.SetString("x")
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
		default:
			t.Fatalf("field %s of kind %s: teach plainTask and this test", name, f.Kind())
		}
		if plainTask(&task) {
			t.Errorf("field %s set: plainTask says plain", name)
		}
	}
}

// aheadJSONL is a JSONL trace of n random tasks as JSONLWriter writes
// them (some with a tenant and cpu), with LF or CRLF line ends, blank
// lines, and, by chance, one error at a random line: not an object, an
// arrival out of order, a line over MaxJSONLLine, an unknown type.
func aheadJSONL(t *testing.T, r *rand.Rand, n int) string {
	var b bytes.Buffer
	w := NewJSONLWriter(&b)
	bad := -1
	if r.IntN(2) == 0 {
		bad = r.IntN(n + 1)
	}
	var at sim.Time
	for i := range n {
		at += sim.Time(r.IntN(3)) * sim.Millisecond
		task := sim.Task{ID: int64(i), Arrival: at, Work: sim.Time(1+r.IntN(5000)) * sim.Millisecond}
		if r.IntN(3) == 0 {
			task.CPU, task.Tenant = int64(1+r.IntN(4000)), []string{"a", "b"}[r.IntN(2)]
		}
		if err := w.Write(&task); err != nil {
			t.Fatal(err)
		}
		if i == bad {
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			switch r.IntN(4) {
			case 0:
				b.WriteString("[1,2]\n")
			case 1:
				b.WriteString(`{"id":1,"arrival":-5,"duration":1}` + "\n")
			case 2:
				b.WriteString(`{"id":"` + strings.Repeat("7", MaxJSONLLine) + `"}` + "\n")
			default:
				b.WriteString(`{"id":1,"arrival":true}` + "\n")
			}
		}
		if r.IntN(40) == 0 {
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			b.WriteString("\n")
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if r.IntN(3) == 0 {
		out = strings.ReplaceAll(out, "\n", "\r\n")
	}
	return out
}

// TestAheadJSONLSame: Open reads a JSONL file ahead too, with the same
// tasks, the same line for each and the same error as the reader itself,
// plain and gzip'd, over batch boundaries.
func TestAheadJSONLSame(t *testing.T) {
	twoProcs(t)
	before := runtime.NumGoroutine()
	r := rand.New(rand.NewPCG(23, 6))
	dir := t.TempDir()
	sizes := []int{0, 1, 100, aheadRows, aheadRows + 1, 2*aheadRows + 5}
	for k := range 18 {
		n := sizes[k%len(sizes)]
		in := aheadJSONL(t, r, n)
		rd, err := NewJSONLReader(strings.NewReader(in), filepath.Join(dir, "t.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		want, wantLines, wantErr := readPositioned(t, rd)
		sameAhead(t, fmt.Sprintf("case %d (%d tasks)", k, n), filepath.Join(dir, "t.jsonl"), in, want, wantLines, wantErr)
	}
	waitGoroutines(t, before)
}

// sameAhead writes in to name, plain and gzip'd, opens each with Open,
// which must read it ahead, and checks that it gives the tasks, lines and
// error (a header's error prefixed "header: ") the reader gave in place.
func sameAhead(t *testing.T, what, name, in string, want []sim.Task, wantLines []int, wantErr string) {
	t.Helper()
	for _, gz := range []bool{false, true} {
		file, data := name, []byte(in)
		if gz {
			var z bytes.Buffer
			zw := gzip.NewWriter(&z)
			zw.Write(data)
			zw.Close()
			data, file = z.Bytes(), name+".gz"
		}
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		src, c, err := Open(file, "")
		var got []sim.Task
		var gotLines []int
		gotErr := ""
		if err != nil {
			gotErr = "header: " + err.Error()
		} else {
			if _, ok := src.(*aheadSource); !ok {
				t.Fatalf("%s: Open gave a %T, not the read-ahead", what, src)
			}
			got, gotLines, gotErr = readPositioned(t, src)
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
		}
		gotErr = strings.Replace(gotErr, file, name, 1)
		if gotErr != wantErr || len(got) != len(want) {
			t.Fatalf("%s, gzip %v: read ahead %d tasks, then %q; the reader %d, then %q", what, gz, len(got), gotErr, len(want), wantErr)
		}
		for i := range got {
			if got[i] != want[i] || gotLines[i] != wantLines[i] {
				t.Fatalf("%s, gzip %v, task %d:\nahead  line %d %+v\nreader line %d %+v", what, gz, i, gotLines[i], got[i], wantLines[i], want[i])
			}
		}
	}
}
