package traces

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// cacheBytes writes tasks as a trace cache.
func cacheBytes(t testing.TB, tasks []sim.Task) []byte {
	t.Helper()
	var b bytes.Buffer
	w := NewCacheWriter(&b)
	for i := range tasks {
		if err := w.Write(&tasks[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// readCache reads every task of a cache: the tasks, then the error that
// ended the stream (nil for io.EOF).
func readCache(data []byte, file string) ([]sim.Task, error) {
	return readCacheMax(data, file, -1)
}

// readCacheMax is readCache stopping after max tasks (max < 0: all): a
// block of 65,536 rows with no field stored takes 16 bytes, so a small
// input can hold millions of tasks.
func readCacheMax(data []byte, file string, max int) ([]sim.Task, error) {
	rd, err := NewCacheReader(bytes.NewReader(data), file)
	if err != nil {
		return nil, err
	}
	var tasks []sim.Task
	for {
		var t sim.Task
		err := rd.Next(&t)
		if err == io.EOF {
			return tasks, nil
		}
		if err != nil {
			if again := rd.Next(&t); again != err {
				return tasks, errors.New("a second Next returned " + again.Error() + " after " + err.Error())
			}
			return tasks, err
		}
		tasks = append(tasks, t)
		if len(tasks) == max {
			return tasks, nil
		}
	}
}

// randomCacheTasks draws n tasks with every cached field exercised (the
// round trip test's randomTask, with the non-negative fields made so),
// arrivals in order.
func randomCacheTasks(n int, seed uint64) []sim.Task {
	rng := rand.New(rand.NewPCG(seed, 2))
	tasks := make([]sim.Task, n)
	var at sim.Time
	for i := range tasks {
		tasks[i] = randomTask(rng, int64(i))
		at += sim.Time(rng.IntN(3)) * sim.Second
		tasks[i].Arrival = at
		tasks[i].OutputBytes = rng.Int64N(1 << 40)
		tasks[i].Nodes = int32(rng.IntN(3))
		tasks[i].MemoryUse, tasks[i].MemoryRate = rng.Int64N(1<<34), rng.Int64N(1<<20)
	}
	return tasks
}

// TestCacheRoundTrip writes random tasks over three blocks, with ids that
// are arbitrary and ids that are the row numbers (then not stored), and
// checks that they read back equal, field for field.
func TestCacheRoundTrip(t *testing.T) {
	n := 2*CacheBlockRows + 17
	for _, seqIDs := range []bool{false, true} {
		tasks := randomCacheTasks(n, 1)
		if seqIDs {
			for i := range tasks {
				tasks[i].ID = int64(i)
			}
		}
		data := cacheBytes(t, tasks)
		got, err := readCache(data, "r.fsc")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n {
			t.Fatalf("read %d tasks, want %d", len(got), n)
		}
		for i := range got {
			if !reflect.DeepEqual(got[i], tasks[i]) {
				t.Fatalf("seq ids %v: task %d reads back as\n%+v\nwant\n%+v", seqIDs, i, got[i], tasks[i])
			}
		}
	}
}

// TestCacheSameAsCSV reads the CSV fixture, caches its tasks, and checks
// the cache gives the very tasks the CSV reader does.
func TestCacheSameAsCSV(t *testing.T) {
	for _, name := range []string{"jobs.csv", "minimal.csv", "crlf.csv"} {
		f, err := os.Open(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		rd, err := NewCSVReader(f, name)
		if err != nil {
			t.Fatal(err)
		}
		var want []sim.Task
		for {
			var task sim.Task
			if err := rd.Next(&task); err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			want = append(want, task)
		}
		f.Close()
		got, err := readCache(cacheBytes(t, want), name+".fsc")
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: cache reads %+v, %v; want %+v", name, got, err, want)
		}
	}
}

// TestCacheOpen opens a cache file by extension and by format name, and an
// empty one (no tasks: header and end block, 40 bytes).
func TestCacheOpen(t *testing.T) {
	dir := t.TempDir()
	tasks := randomCacheTasks(100, 3)
	p := filepath.Join(dir, "t.fsc")
	if err := os.WriteFile(p, cacheBytes(t, tasks), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"", "fsc"} {
		src, c, err := Open(p, format)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		for {
			if _, row := src.(Positioner).Position(); row != n {
				t.Fatalf("Position after %d tasks says row %d", n, row)
			}
			var task sim.Task
			if err := src.Next(&task); err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			} else if !reflect.DeepEqual(task, tasks[n]) {
				t.Fatalf("task %d differs", n)
			}
			n++
		}
		c.Close()
		if n != len(tasks) {
			t.Errorf("format %q: %d tasks, want %d", format, n, len(tasks))
		}
	}
	if empty := cacheBytes(t, nil); len(empty) != cacheHeaderSize+cacheBlockHead+8 {
		t.Errorf("an empty cache is %d bytes, want %d", len(empty), cacheHeaderSize+cacheBlockHead+8)
	} else if got, err := readCache(empty, "e.fsc"); err != nil || len(got) != 0 {
		t.Errorf("empty cache: %v, %v", got, err)
	}
}

// TestCacheTruncated cuts a valid cache at every length short of its own
// and through a real file (whose size the reader checks claims against):
// each must end in an *Error naming the file and a byte offset, never in a
// clean io.EOF or a panic.
func TestCacheTruncated(t *testing.T) {
	data := cacheBytes(t, randomCacheTasks(40, 5))
	dir := t.TempDir()
	for n := 0; n < len(data); n++ {
		_, err := readCache(data[:n], "cut.fsc")
		checkCacheError(t, err, "cut.fsc", "")
		p := filepath.Join(dir, "cut.fsc")
		if err := os.WriteFile(p, data[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		src, c, err := Open(p, "")
		if err == nil {
			for err == nil {
				var task sim.Task
				err = src.Next(&task)
			}
			c.Close()
		}
		checkCacheError(t, err, p, "")
	}
}

// checkCacheError fails unless err is an *Error of file whose message
// names a byte offset and contains want.
func checkCacheError(t *testing.T, err error, file, want string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.File != file || !strings.Contains(e.Msg, "byte ") || !strings.Contains(err.Error(), want) {
		t.Fatalf("got error %v, want an *Error of %s naming a byte offset and saying %q", err, file, want)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Fatalf("error spans lines: %q", err)
	}
}

// reblock rewrites the first block's checksum after its payload was
// edited, so that a test reaches the checks behind the checksum.
func reblock(data []byte) {
	le := binary.LittleEndian
	size := le.Uint32(data[cacheHeaderSize+8:])
	p := data[cacheHeaderSize+cacheBlockHead : cacheHeaderSize+cacheBlockHead+int(size)]
	le.PutUint32(data[cacheHeaderSize+12:], crc32.Checksum(p, castagnoli))
}

// TestCacheHostile checks each refusal by the message it must give.
func TestCacheHostile(t *testing.T) {
	tasks := []sim.Task{
		{ID: 10, Arrival: 0, Work: sim.Second, CPU: 1000, Tenant: "a"},
		{ID: 11, Arrival: sim.Second, Work: sim.Second, CPU: 2000, Tenant: "b"},
	}
	good := cacheBytes(t, tasks)
	le := binary.LittleEndian
	// Payload of the block: id (16 bytes), arrival (16), duration (16), cpu (16), tenant (8), table.
	const p0 = cacheHeaderSize + cacheBlockHead
	for _, tc := range []struct {
		name, want string
		edit       func(b []byte) []byte
	}{
		{"not a cache", "byte 0: expected the trace cache magic", func(b []byte) []byte { return []byte("arrival,duration\n0,1\n") }},
		{"wrong version", "byte 8: expected version 1, got 2", func(b []byte) []byte { le.PutUint32(b[8:], 2); return b }},
		{"flags", "byte 12: expected flags 0, got 0x4", func(b []byte) []byte { le.PutUint32(b[12:], 4); return b }},
		{"too many rows", "expected at most 65536 rows, got 65537", func(b []byte) []byte { le.PutUint32(b[cacheHeaderSize:], CacheBlockRows+1); return b }},
		{"unknown field", "expected field bits within 0x7ffff, got", func(b []byte) []byte { b[cacheHeaderSize+7] = 0x80; return b }},
		{"huge block", "expected a payload of at most 33554432 bytes, got 4294967295", func(b []byte) []byte { le.PutUint32(b[cacheHeaderSize+8:], 1<<32-1); return b }},
		{"block past the end", "byte 24: block header: payload of 1000000 bytes, but only", func(b []byte) []byte { le.PutUint32(b[cacheHeaderSize+8:], 1e6); return b }},
		{"too small for its rows", "need at least", func(b []byte) []byte { le.PutUint32(b[cacheHeaderSize:], 1000); return b }},
		{"flipped bit", "byte 28: block checksum: expected CRC-32C", func(b []byte) []byte { b[p0+20] ^= 1; return b }},
		{"negative duration", "byte 64: row 1: column duration: expected a non-negative value, got -1", func(b []byte) []byte {
			le.PutUint64(b[p0+32:], 1<<64-1)
			reblock(b)
			return b
		}},
		{"out of order", "byte 56: row 2: column arrival: expected arrivals in order: 0.5 is earlier than the previous row's 1", func(b []byte) []byte {
			le.PutUint64(b[p0+16:], uint64(sim.Second))
			le.PutUint64(b[p0+24:], uint64(sim.Second/2))
			reblock(b)
			return b
		}},
		{"bad string index", "row 2: column tenant: expected an index into the block's 2 strings, got 9", func(b []byte) []byte {
			le.PutUint32(b[p0+68:], 9)
			reblock(b)
			return b
		}},
		{"wrong total", "end block: the file has 2 rows, the end block says 3", func(b []byte) []byte {
			le.PutUint64(b[len(b)-8:], 3)
			le.PutUint32(b[len(b)-12:], crc32.Checksum(b[len(b)-8:], castagnoli))
			return b
		}},
		{"trailing bytes", "expected the end of the file after the end block", func(b []byte) []byte { return append(b, 0) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.edit(slices.Clone(good))
			_, err := readCache(data, "h.fsc")
			checkCacheError(t, err, "h.fsc", tc.want)
		})
	}
}

// TestCacheWriterRefuses checks that the writer refuses what the readers
// would, and workflow tasks, which it cannot carry.
func TestCacheWriterRefuses(t *testing.T) {
	for _, tc := range []struct {
		task sim.Task
		want string
	}{
		{sim.Task{Work: -1}, "negative duration"},
		{sim.Task{GPUMilli: 1001}, "gpu_milli 1001 is outside 0..1000"},
		{sim.Task{Workflow: "w"}, "workflow tasks (workflow, parents) cannot be cached"},
		{sim.Task{Nodes: -2}, "negative output_bytes, nodes"},
	} {
		w := NewCacheWriter(io.Discard)
		if err := w.Write(&tc.task); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %q", tc.task, err, tc.want)
		}
	}
	w := NewCacheWriter(io.Discard)
	w.Write(&sim.Task{Arrival: 2})
	if err := w.Write(&sim.Task{Arrival: 1}); err == nil || !strings.Contains(err.Error(), "earlier than the previous task's") {
		t.Errorf("out of order: got %v", err)
	}
}

// TestCacheReaderAllocates checks that reading allocates per block, not
// per task: a cache of 200,000 text-free tasks is read with fewer
// allocations than it has blocks times a small constant.
func TestCacheReaderAllocates(t *testing.T) {
	tasks := make([]sim.Task, 200000)
	for i := range tasks {
		tasks[i] = sim.Task{ID: int64(i), Arrival: sim.Time(i), Work: sim.Second}
	}
	data := cacheBytes(t, tasks)
	allocs := testing.AllocsPerRun(3, func() {
		rd, err := NewCacheReader(bytes.NewReader(data), "a.fsc")
		if err != nil {
			t.Fatal(err)
		}
		var task sim.Task
		for rd.Next(&task) == nil {
		}
	})
	if blocks := (len(tasks) + CacheBlockRows - 1) / CacheBlockRows; allocs > float64(4*blocks+8) {
		t.Errorf("%v allocations reading %d blocks", allocs, blocks)
	}
}

// FuzzCacheReader feeds arbitrary bytes to the cache reader (make fuzz).
// It must never panic nor allocate past its bounds; it returns tasks that
// obey the native format's rules, then io.EOF or a one-line *Error naming
// the file and a byte offset; the tasks it returns write and read back
// unchanged.
func FuzzCacheReader(f *testing.F) {
	f.Add(cacheBytes(f, nil))
	f.Add(cacheBytes(f, []sim.Task{{ID: 4, Arrival: 1, Work: 2, Tenant: "x", GPUSpec: "A10|T4"}}))
	f.Add(cacheBytes(f, randomCacheTasks(50, 9)))
	f.Add([]byte("\x89FSC\r\n\x1a\n\x01\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tasks, err := readCacheMax(data, "fuzz.fsc", 3*CacheBlockRows)
		if err != nil {
			checkCacheError(t, err, "fuzz.fsc", "")
		}
		var prev sim.Time
		for i, task := range tasks {
			if task.Arrival < prev || task.Work < 0 || task.CPU < 0 || task.Memory < 0 || task.GPUs < 0 ||
				task.GPUMilli < 0 || task.GPUMilli > 1000 || task.Estimate < 0 || task.Nodes < 0 {
				t.Fatalf("task %d breaks the format's rules: %+v", i, task)
			}
			prev = task.Arrival
		}
		again, err := readCache(cacheBytes(t, tasks), "again.fsc")
		if err != nil || len(again) != len(tasks) || len(tasks) > 0 && !reflect.DeepEqual(again, tasks) {
			t.Fatalf("tasks do not survive a write and a read: %v", err)
		}
	})
}

// TestCacheSniffed opens a cache whose name does not say what it is, by
// its magic bytes, and still refuses a text file of unknown extension.
func TestCacheSniffed(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "trace.bin")
	tasks := randomCacheTasks(10, 4)
	if err := os.WriteFile(p, cacheBytes(t, tasks), 0o644); err != nil {
		t.Fatal(err)
	}
	src, c, err := Open(p, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var task sim.Task
	if err := src.Next(&task); err != nil || !reflect.DeepEqual(task, tasks[0]) {
		t.Errorf("first task %+v, %v; want %+v", task, err, tasks[0])
	}
	txt := filepath.Join(dir, "trace.txt")
	os.WriteFile(txt, []byte("arrival,duration\n0,1\n"), 0o644)
	if _, _, err := Open(txt, ""); err == nil || !strings.Contains(err.Error(), "cannot tell the format") {
		t.Errorf("text file of unknown extension: %v", err)
	}
}

// TestCacheWriterBlocksByText checks that a block is cut by its text as
// well as its rows: tasks of 1 MiB of tenant each make blocks of at most
// 16 MiB of text, which read back.
func TestCacheWriterBlocksByText(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	tasks := make([]sim.Task, 40)
	for i := range tasks {
		tasks[i] = sim.Task{ID: int64(i), Tenant: big[:len(big)-i]}
	}
	data := cacheBytes(t, tasks)
	le := binary.LittleEndian
	blocks := 0
	for off := cacheHeaderSize; le.Uint32(data[off:]) != 0; off += cacheBlockHead + int(le.Uint32(data[off+8:])) {
		if size := le.Uint32(data[off+8:]); size > cacheMaxBlock {
			t.Fatalf("block of %d bytes", size)
		}
		blocks++
	}
	if blocks != 3 { // 16 tasks of just under 1 MiB fit under 16 MiB, 40 make three blocks
		t.Errorf("%d blocks, want 3", blocks)
	}
	got, err := readCache(data, "big.fsc")
	if err != nil || !reflect.DeepEqual(got, tasks) {
		t.Errorf("read back: %d tasks, %v", len(got), err)
	}
	w := NewCacheWriter(io.Discard)
	if err := w.Write(&sim.Task{Tenant: strings.Repeat(big, 17)}); err == nil || !strings.Contains(err.Error(), "more than a cache block holds") {
		t.Errorf("17 MiB of text: %v", err)
	}
}
