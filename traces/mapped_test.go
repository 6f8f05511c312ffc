package traces

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"unsafe"

	"github.com/fleetsim/fleetsim/sim"
)

// oneProc runs the test with GOMAXPROCS=1, where Open reads a native CSV
// file in place.
func oneProc(t *testing.T) {
	n := runtime.GOMAXPROCS(1)
	t.Cleanup(func() { runtime.GOMAXPROCS(n) })
}

// openMapped opens the CSV file at path with Open, which reads it in place
// when mapped is true (and must, else the test fails): the source and its
// Closer.
func openMapped(t *testing.T, path string, mapped bool) (*CSVReader, io.Closer) {
	t.Helper()
	src, c, err := Open(path, "csv")
	if err != nil {
		t.Fatal(err)
	}
	rd, ok := src.(*CSVReader)
	if !ok {
		t.Fatalf("Open gave a %T", src)
	}
	if (rd.mp != nil) != mapped {
		t.Fatalf("read in place: %v, want %v", rd.mp != nil, mapped)
	}
	return rd, c
}

// TestMappedSame: with one thread, Open's CSV reader, reading a native
// file's rows in place (mapped.go), gives the tasks, the lines (Position)
// and the error, in the same words, that the general path gives on the
// same bytes: on rows like a generated workload's and their near misses
// (plainishInput), on hostile inputs (aheadInput: CR, CRLF, blank and
// quoted lines, a line over MaxLine, errors) and hand-picked ones, some
// larger than the
// releases of pages behind (mappedDrop, made small). The fault guard is
// off again after each read.
func TestMappedSame(t *testing.T) {
	oneProc(t)
	defer func(d int) { mappedDrop = d }(mappedDrop)
	mappedDrop = 3 * pageSize
	r := rand.New(rand.NewPCG(8, 8))
	path := filepath.Join(t.TempDir(), "t.csv")
	// Hand-picked: a CR inside a text cell (two lines to the line
	// reader); native rows of MaxLine bytes and one more; the last row
	// without its LF; a blank line; a quoted cell.
	long := func(n int) string { // a native row of n bytes, its LF aside
		head, tail := "2,0.5,1,0,0,0,0,0,", ",,,,0,0,0"
		return head + strings.Repeat("x", n-len(head)-len(tail)) + tail + "\n"
	}
	hand := []string{
		csvHeader + "0,0.5,1" + zeroTail + "1,0.5,1,0,0,0,0,0,a\rb,,,,0,0,0\n2,0.5,1" + zeroTail,
		csvHeader + "0,0.5,1" + zeroTail + "1,0.5,1" + zeroTail + long(MaxLine) + "3,0.5,1" + zeroTail,
		csvHeader + "0,0.5,1" + zeroTail + "1,0.5,1" + zeroTail + long(MaxLine+1) + "3,0.5,1" + zeroTail,
		csvHeader + "0,0.5,1" + zeroTail + "1,0.5,1" + strings.TrimSuffix(zeroTail, "\n"),
		csvHeader + "0,0.5,1" + zeroTail + "\n1,0.5,1" + zeroTail,
		csvHeader + "0,0.5,1" + zeroTail + "1,0.5,1,0,0,0,0,0,\"a\nb\",,,,0,0,0\n2,0.5,1" + zeroTail,
	}
	inPlace := 0
	for k := range 120 {
		var in string
		if k < len(hand) {
			in = hand[k]
		} else if k%2 == 0 {
			in = plainishInput(r, []int{1, 2, 63, 64, 65, 500, 3000}[r.IntN(7)])
		} else {
			in = aheadInput(r, []int{0, 1, 100, 2000}[r.IntN(4)])
		}
		if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
			t.Fatal(err)
		}
		want, wantLines, wantErr := readGeneral(t, in)
		src, c, err := Open(path, "csv")
		if err != nil {
			if "header: "+strings.Replace(err.Error(), path, "n.csv", 1) != wantErr {
				t.Fatalf("case %d: Open: %v; the general path: %s", k, err, wantErr)
			}
			continue
		}
		if rd, ok := src.(*CSVReader); ok && rd.mp != nil {
			inPlace++
		}
		got, gotLines, gotErr := readPositioned(t, src)
		if debug.SetPanicOnFault(false) {
			t.Fatalf("case %d: the fault guard left on", k)
		}
		c.Close()
		gotErr = strings.Replace(gotErr, path, "n.csv", 1)
		if gotErr != wantErr || len(got) != len(want) {
			t.Fatalf("case %d: in place %d tasks, then %q; the general path %d, then %q", k, len(got), gotErr, len(want), wantErr)
		}
		for i := range got {
			if got[i] != want[i] || gotLines[i] != wantLines[i] {
				t.Fatalf("case %d, task %d:\nin place line %d %+v\ngeneral  line %d %+v", k, i, gotLines[i], got[i], wantLines[i], want[i])
			}
		}
	}
	if inPlace < 60 {
		t.Errorf("%d of 120 inputs read in place", inPlace)
	}
}

// readGeneral reads in with the general path alone (no native scanner):
// the tasks, their lines and the error that ends them ("" at io.EOF), or
// the header's error.
func readGeneral(t *testing.T, in string) ([]sim.Task, []int, string) {
	rd, err := NewCSVReader(strings.NewReader(in), "n.csv")
	if err != nil {
		return nil, nil, "header: " + err.Error()
	}
	rd.native = false
	return readPositioned(t, rd)
}

// plainRows writes a native CSV of n rows without resources to path,
// rows plainRow takes, or, with !plain, rows it leaves to nativeRow (a
// duration with one decimal): its bytes.
func plainRows(t *testing.T, path string, n int, plain bool) []byte {
	var b strings.Builder
	b.WriteString(csvHeader)
	work := "1.5"
	if plain {
		work = "1.500000001"
	}
	for i := range n {
		fmt.Fprintf(&b, "%d,%d.%09d,%s%s", i, i/1000, i%1000*1000+1, work, zeroTail)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return []byte(b.String())
}

// TestMappedTruncated: a file truncated while its rows are read in place
// (its pages past the new end gone from the mapping) ends them with an
// error that names the file and the line and says what happened, where
// read would have met the end: no crash, every row before that line
// read, and the fault guard off again. The line is the one the cut falls
// in, or one whose first bytes come less than plainLen before the cut
// (plainRow reads that far ahead). The cuts fall in a batch of plain rows
// at different places, and among rows plainRow leaves to nativeRow.
func TestMappedTruncated(t *testing.T) {
	oneProc(t)
	path := filepath.Join(t.TempDir(), "t.csv")
	for k, pages := range []int{16, 17, 19, 23, 16, 17} {
		data := plainRows(t, path, 100000, k < 4)
		rd, c := openMapped(t, path, true)
		var task sim.Task
		for range 100 {
			if err := rd.Next(&task); err != nil {
				t.Fatal(err)
			}
		}
		cut := pages * pageSize
		if err := os.Truncate(path, int64(cut)); err != nil {
			t.Fatal(err)
		}
		var err error
		n := 100
		for ; ; n++ {
			if err = rd.Next(&task); err != nil {
				break
			}
			if task.ID != int64(n) {
				t.Fatalf("cut at %d: row %d has id %d", cut, n, task.ID)
			}
		}
		c.Close()
		last := strings.Count(string(data[:cut]), "\n") + 1 // the line cut
		first := strings.Count(string(data[:cut-plainLen]), "\n") + 2
		line := n + 2
		want := fmt.Sprintf("%s:%d: the file changed while it was read (truncated, or its storage failed)", path, line)
		if err.Error() != want || line < first || line > last {
			t.Fatalf("cut at %d: after %d rows: %v, want %q with a line in [%d, %d]", cut, n, err, want, first, last)
		}
		if debug.SetPanicOnFault(false) {
			t.Fatal("the fault guard left on")
		}
	}
}

// TestMappedGrows: rows appended to the file after Open mapped it are
// read after those mapped, by reading the file.
func TestMappedGrows(t *testing.T) {
	oneProc(t)
	path := filepath.Join(t.TempDir(), "t.csv")
	plainRows(t, path, 1000, true)
	rd, c := openMapped(t, path, true)
	defer c.Close()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "1000,1.0,2,0,0,0,0,0,t,,,,0,0,0\n1001,1.5,2%s", zeroTail)
	f.Close()
	tasks, lines, msg := readPositioned(t, rd)
	if msg != "" || len(tasks) != 1002 || tasks[1000].Tenant != "t" || tasks[1001].Arrival != 1500*sim.Millisecond || lines[1001] != 1003 {
		t.Fatalf("%d tasks, then %q; last %+v on line %d", len(tasks), msg, tasks[len(tasks)-1], lines[len(lines)-1])
	}
}

// TestMappedClose: Next after the Closer releases the mapping gives an
// error (no fault, no row), and a second Close does no harm.
func TestMappedClose(t *testing.T) {
	oneProc(t)
	path := filepath.Join(t.TempDir(), "t.csv")
	plainRows(t, path, 1000, true)
	for _, reads := range []int{0, 1, 70, 2000} {
		rd, c := openMapped(t, path, true)
		var task sim.Task
		for range reads {
			if rd.Next(&task) != nil {
				break
			}
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if err := rd.Next(&task); err == nil || reads < 1000 && err == io.EOF {
			t.Errorf("after %d reads and Close: Next gave %v", reads, err)
		}
		c.Close()
	}
}

// TestMappedNotWhenCR: a file whose header ends with CRLF is read as
// before, not in place (its offsets are not the line reader's).
func TestMappedNotWhenCR(t *testing.T) {
	oneProc(t)
	path := filepath.Join(t.TempDir(), "t.csv")
	in := strings.Replace(csvHeader, "\n", "\r\n", 1) + "0,1,1" + zeroTail
	if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	_, c := openMapped(t, path, false)
	c.Close()
}

// TestMappedReleases: the pages of a mapped file the reader has gone past
// leave the process's resident set (mappedDrop, made small here), so that
// reading a large trace in place does not hold the whole file: the
// mapping's Rss in /proc/self/smaps, near the end of a 4 MiB file, is
// under 1 MiB (mappedDrop, the pages read ahead by the last faults, and
// the batch's rows; reading without releasing, it is the whole file).
func TestMappedReleases(t *testing.T) {
	if _, err := os.Stat("/proc/self/smaps"); err != nil {
		t.Skip("no /proc/self/smaps here")
	}
	oneProc(t)
	defer func(d int) { mappedDrop = d }(mappedDrop)
	mappedDrop = 16 * pageSize
	path := filepath.Join(t.TempDir(), "t.csv")
	data := plainRows(t, path, 100000, true)
	rd, c := openMapped(t, path, true)
	defer c.Close()
	var task sim.Task
	for range 99000 {
		if err := rd.Next(&task); err != nil {
			t.Fatal(err)
		}
	}
	rss := mappingRss(t, rd.mp.b)
	if len(data) < 4<<20 || rss >= 1<<20 {
		t.Fatalf("a mapping of %d bytes read to near its end: Rss %d bytes", len(data), rss)
	}
}

// mappingRss is the Rss of the mapping that starts at b's first byte, from
// /proc/self/smaps.
func mappingRss(t *testing.T, b []byte) int {
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	start := fmt.Sprintf("%x-", uintptr(unsafe.Pointer(&b[0])))
	in := false
	for _, l := range strings.Split(string(smaps), "\n") {
		if strings.HasPrefix(l, start) {
			in = true
		}
		var kb int
		if in && strings.HasPrefix(l, "Rss:") {
			if _, err := fmt.Sscanf(l, "Rss: %d kB", &kb); err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no mapping at %s in /proc/self/smaps", start)
	return 0
}
