package traces

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

func readSWF(in, file string) ([]sim.Task, *SWFReader, error) {
	r, err := NewSWFReader(strings.NewReader(in), file)
	if err != nil {
		return nil, nil, err
	}
	tasks, err := readAll(r)
	return tasks, r, err
}

// tinySWF is a small hand-made log, written to a temporary file by the
// tests that need a path.
const tinySWF = `; Version: 2.2
; Computer: Tiny SP2
; MaxNodes: 8
;MaxProcs:16 (two per node)
; UnixStartTime: 843480031
;

    1      0    10    100    4   -1   -1    4    200   -1  1   7   1  -1 -1 -1 -1 -1
	2	5	0	60	2	-1	-1	-1	-1	1024	1	8	1	-1	3	-1	-1	-1
; a comment between jobs
    3     7     0      1   -1   -1   -1   -1    600   -1  1   9   2  -1 -1 -1 -1 -1
    4     9     0     -1    1   -1   -1    1    600   -1  0   9   2  -1 -1 -1 -1 -1
    5    12.5   0    0.25   1  0.2  100.5   1     30    8  5   7   1   4  0  1  -1  -1`

// TestSWFFixture reads a small log with a header whose
// fields are spelled loosely (";MaxProcs:16 (two per node)"), tabs between
// fields, a comment between jobs, decimal times, a job whose processors
// are both unknown and one whose run time is unknown (both skipped).
func TestSWFFixture(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tiny.swf")
	if err := os.WriteFile(path, []byte(tinySWF), 0o644); err != nil {
		t.Fatal(err)
	}
	src, c, err := Open(path, "") // by the extension
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := src.(*SWFReader)
	wantHdr := SWFHeader{Version: "2.2", Computer: "Tiny SP2", MaxNodes: 8, MaxProcs: 16, UnixStartTime: 843480031}
	if got := r.Header(); got != wantHdr {
		t.Errorf("header before the first job %+v, want %+v", got, wantHdr)
	}
	s := sim.Second
	want := []sim.Task{
		{ID: 1, Arrival: 0, Work: 100 * s, CPU: 4000, Estimate: 200 * s, Tenant: "u7"},
		{ID: 2, Arrival: 5 * s, Work: 60 * s, CPU: 2000, Memory: 1024 * 2 * 1024, Tenant: "u8", Class: "q3"},
		{ID: 5, Arrival: 12*s + s/2, Work: s / 4, CPU: 1000, Estimate: 30 * s, Memory: 8 * 1024, Tenant: "u7", Class: "q0"},
	}
	var got []sim.Task
	var lines []int
	for {
		var task sim.Task
		err := r.Next(&task)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, task)
		_, line := r.Position()
		lines = append(lines, line)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	if want := []int{8, 9, 13}; !reflect.DeepEqual(lines, want) {
		t.Errorf("Position lines %v, want %v", lines, want)
	}
	if r.Skipped() != 2 {
		t.Errorf("Skipped() = %d, want 2 (jobs 3 and 4)", r.Skipped())
	}
}

// TestSWFLeniency checks what the reader accepts besides the plain form.
func TestSWFLeniency(t *testing.T) {
	const job = "1 0 -1 5 2 -1 -1 2 -1 -1 1 1 1 -1 -1 -1 -1 -1"
	wantOne := []sim.Task{{ID: 1, Work: 5 * sim.Second, CPU: 2000, Tenant: "u1"}}
	for _, tc := range []struct{ name, in string }{
		{"no header", job + "\n"},
		{"no final newline", job},
		{"byte-order mark", "\uFEFF" + job + "\n"},
		{"byte-order mark before the header", "\uFEFF; MaxProcs: 4\n" + job + "\n"},
		{"blank lines and spaces", "\n  \t\n  " + job + "  \n\n"},
		{"tabs", strings.ReplaceAll(job, " ", "\t") + "\n"},
		{"comments after jobs", job + "\n; trailer\n"},
		{"unknown written as a decimal", strings.Replace(job, "-1 -1 1 1 1", "-1.0 -1e0 1 1 1", 1) + "\n"},
		{"whole numbers written as decimals", "1.0 0.0 -1 5 2.0 -1 -1 2e0 -1 -1 1 1.0 1 -1 -1 -1 -1 -1\n"},
		{"negative zero", "1 -0 -1 5 2 -1 -1 2 -1 -1 1 1 1 -1 -1 -1 -1 -1\n"},
		{"unused fields with fractions", "1 0 0.5 5 2 12.75 1024.5 2 -1 -1 1 1 1 -1 -1 -1 -1 3.5\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := readSWF(tc.in, "l.swf")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, wantOne) {
				t.Errorf("got %+v, want %+v", got, wantOne)
			}
		})
	}
	// Only comments, or nothing at all: no tasks, no error.
	for _, in := range []string{"", "; Version: 2.2\n;\n", "\n\n"} {
		if got, _, err := readSWF(in, "e.swf"); err != nil || len(got) != 0 {
			t.Errorf("%q: got %v, %v; want no tasks, no error", in, got, err)
		}
	}
}

// TestSWFErrors lists the reader's errors with their full text: file,
// line, byte column, field name and number, what was expected.
func TestSWFErrors(t *testing.T) {
	const ok = "1 0 -1 5 2 -1 -1 2 -1 -1 1 1 1 -1 -1 -1 -1 -1\n"
	for _, tc := range []struct{ name, in, want string }{
		{"too few fields", ok + "2 0 -1 5 2 -1 -1 2 -1 -1 1 1 1 -1 -1 -1 -1\n",
			`j.swf:2: expected 18 fields separated by spaces, got 17`},
		{"too many fields", ok + "2 0 -1 5 2 -1 -1 2 -1 -1 1 1 1 -1 -1 -1 -1 -1 7\n",
			`j.swf:2:47: expected 18 fields separated by spaces, got more`},
		{"non-numeric run time", "; MaxProcs: 4\n1 0 -1 five 2 -1 -1 2 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
			`j.swf:2:8: column run_time: field 4: expected a number of seconds >= 0, or -1 for unknown, got "five"`},
		{"negative other than -1", "1 0 -1 5 -2 -1 -1 2 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
			`j.swf:1:10: column allocated_processors: field 5: expected a whole number of processors >= 0, or -1 for unknown, got "-2"`},
		{"negative time", "1 -5 -1 5 2 -1 -1 2 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
			`j.swf:1:3: column submit_time: field 2: expected a number of seconds >= 0, or -1 for unknown, got "-5"`},
		{"fraction of a processor", "1 0 -1 5 2 -1 -1 2.5 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
			`j.swf:1:18: column requested_processors: field 8: expected a whole number of processors >= 0, or -1 for unknown, got "2.5" (fractions are not allowed)`},
		{"unknown job number", "-1 0 -1 5 2 -1 -1 2 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
			`j.swf:1:1: column job_number: field 1: expected a job number >= 0, got "-1"`},
		{"NaN", "1 0 -1 5 2 NaN -1 2 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
			`j.swf:1:12: column average_cpu_time: field 6: expected a number of seconds >= 0, or -1 for unknown, got "NaN"`},
		{"time out of range", "1 0 -1 9223372037 2 -1 -1 2 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
			`j.swf:1:8: column run_time: field 4: value "9223372037" is out of range`},
		{"memory overflows", "1 0 -1 5 4 -1 -1 4 -1 9223372036854775807 1 1 1 -1 -1 -1 -1 -1\n",
			`j.swf:1:23: column requested_memory: field 10: 9223372036854775807 KB per processor × 4 processors is more than 9223372036854775807 bytes`},
		{"bad header number", "; Version: 2.2\n;  MaxProcs:  many\n" + ok,
			`j.swf:2:15: header field MaxProcs: expected a whole number >= 0, got "many"`},
		{"after a byte-order mark", "\uFEFF1 0 -1 x 2 -1 -1 2 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
			`j.swf:1:11: column run_time: field 4: expected a number of seconds >= 0, or -1 for unknown, got "x"`},
		{"line too long", ok + strings.Repeat(" ", MaxSWFLine+1) + "\n",
			`j.swf:2: line longer than 1048576 bytes`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := readSWF(tc.in, "j.swf")
			var te *Error
			if !errors.As(err, &te) || te.Line < 1 {
				t.Fatalf("error %v (%T), want a *traces.Error with a line", err, err)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got %s\nwant %s", err, tc.want)
			}
		})
	}
}

// TestSWFRealKTH reads the whole KTH SP2 log: its header says 100
// processors; of its 28,476 job lines one (job 27313, processors unknown)
// is skipped, leaving 28,475 tasks from 599,850 s (the cleaning removed
// the first 14 jobs) to 29,363,618 s, by 214 users.
func TestSWFRealKTH(t *testing.T) {
	path := sharedTrace(t, "swf/KTH-SP2-1996-2.1-cln.swf")
	src, c, err := Open(path, "swf")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := src.(*SWFReader)
	h := r.Header()
	if h.MaxProcs != 100 || h.MaxNodes != 100 || h.UnixStartTime != 843480031 || h.MaxRecords != 28476 || h.Version != "2.2" {
		t.Errorf("header %+v", h)
	}
	var (
		n           int64
		first, last sim.Time
		users       = map[string]bool{}
		task        sim.Task
		prevLine    int
	)
	for {
		err := r.Next(&task)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			first = task.Arrival
		}
		last = task.Arrival
		n++
		users[task.Tenant] = true
		if task.ID == 27313 {
			t.Errorf("job 27313, whose processors are unknown, was not skipped: %+v", task)
		}
		if task.CPU <= 0 || task.CPU > 100_000 || task.Estimate <= 0 || task.Class != "" || task.Memory != 0 {
			t.Fatalf("job %d: %+v", task.ID, task)
		}
		if _, line := r.Position(); line <= prevLine {
			t.Fatalf("job %d on line %d, after line %d", task.ID, line, prevLine)
		} else {
			prevLine = line
		}
	}
	if n != 28475 || r.Skipped() != 1 {
		t.Errorf("%d tasks and %d skipped, want 28475 and 1", n, r.Skipped())
	}
	if first != 599850*sim.Second || last != 29363618*sim.Second {
		t.Errorf("submits from %v to %v, want 599850s to 29363618s", first, last)
	}
	if len(users) != 214 {
		t.Errorf("%d users, want 214", len(users))
	}
	if prevLine != 24+28476 {
		t.Errorf("last job on line %d, want %d", prevLine, 24+28476)
	}
}
