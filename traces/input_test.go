package traces

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCROnlyLineEnds: every line reader reads a file with CR-only line
// ends as the same tasks as with LF (issue 15: openb and SWF read such a
// file as 0 tasks, exit 0).
func TestCROnlyLineEnds(t *testing.T) {
	swf := ";Version: 2\n;Note: two jobs\n1 0 0 10 1 -1 -1 1 -1 -1 1 1 1 1 1 -1 -1 -1\n2 5 0 20 2 -1 -1 2 -1 -1 1 1 1 1 1 -1 -1 -1\n"
	for _, c := range []struct {
		format, file, text string
	}{
		{"openb", "openb_pods.csv", ""},
		{"csv", "jobs.csv", ""},
		{"azure-llm", "azure_llm.csv", ""},
		{"jsonl", "jobs.jsonl", ""},
		{"swf", "", swf},
	} {
		t.Run(c.format, func(t *testing.T) {
			lf := c.text
			if c.file != "" {
				data, err := os.ReadFile(filepath.Join("testdata", c.file))
				if err != nil {
					t.Fatal(err)
				}
				lf = string(data)
			}
			cr := strings.ReplaceAll(lf, "\n", "\r")
			want := readFormat(t, c.format, lf)
			got := readFormat(t, c.format, cr)
			if len(want) < 2 || len(got) != len(want) {
				t.Fatalf("CR-only: %d tasks, LF: %d (want the same, at least 2)", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("task %d: CR-only %+v, LF %+v", i, got[i], want[i])
				}
			}
		})
	}
}

// readFormat reads text in format to the end; an error fails the test.
func readFormat(t *testing.T, format, text string) []taskKey {
	t.Helper()
	formatsMu.RLock()
	f := formats[format]
	formatsMu.RUnlock()
	src, err := f.New(strings.NewReader(text), "t."+format)
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := readAll(src)
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]taskKey, len(tasks))
	for i, tk := range tasks {
		keys[i] = taskKey{tk.ID, int64(tk.Arrival), int64(tk.Work), tk.CPU, tk.GPUs}
	}
	return keys
}

// taskKey is what TestCROnlyLineEnds compares of a task.
type taskKey struct {
	id            int64
	arrival, work int64
	cpu           int64
	gpus          int32
}

// TestLineCap: a line over MaxLine ends every CSV-based reader and SWF
// with an error naming the file and the line, after reading at most about
// that much (issue 15: a 2 GB line, /dev/zero or a gzip of NULs ran out
// of memory after 3-4 GB).
func TestLineCap(t *testing.T) {
	long := strings.Repeat("9", MaxLine+10)
	for _, c := range []struct{ format, text string }{
		{"csv", "arrival,duration\n1,2\n" + long + "\n"},
		{"openb", "name,cpu_milli,memory_mib,num_gpu,gpu_milli\n" + long},
		{"azure-llm", long},
		{"swf", "; c\n" + long},
	} {
		t.Run(c.format, func(t *testing.T) {
			formatsMu.RLock()
			f := formats[c.format]
			formatsMu.RUnlock()
			cr := &countingReader{r: strings.NewReader(c.text)}
			src, err := f.New(cr, "big")
			if err == nil {
				_, err = readAll(src)
			}
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(err.Error(), "line longer than") || e.File != "big" || e.Line < 1 {
				t.Fatalf("error %v, want an *Error naming big, its line, and the limit", err)
			}
			if cr.n > 2*MaxLine+(64<<10) {
				t.Errorf("read %d bytes before refusing; the cap is %d", cr.n, MaxLine)
			}
		})
	}
	// A gzip bomb of NULs: refused after about MaxLine of it.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(make([]byte, 32<<20))
	zw.Close()
	path := filepath.Join(t.TempDir(), "nul.csv.gz")
	os.WriteFile(path, gz.Bytes(), 0o644)
	_, _, err := Open(path, "")
	if err == nil || !strings.Contains(err.Error(), "nul.csv.gz:1: line longer than") {
		t.Errorf("gzip of NULs: %v", err)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestOpenFIFONoWriter: a named pipe with no writer, as a trace, is an
// empty file at once, not a wait for a writer that never comes (issue 15:
// it blocked until SIGKILL).
func TestOpenFIFONoWriter(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "t.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := Open(fifo, "")
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "empty file") {
			t.Errorf("error %v, want the empty-file error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Open of a FIFO with no writer still blocked after 10 s")
	}
}

// TestOpenbNodesHeaderOnly: a node list with a header and no rows is an
// error, not a cluster of 0 nodes that drops every task (issue 15).
func TestOpenbNodesHeaderOnly(t *testing.T) {
	_, err := ReadOpenbNodesFrom(strings.NewReader("sn,cpu_milli,memory_mib,gpu,model\n"), "n.csv")
	if err == nil || err.Error() != "n.csv:1: no nodes: expected at least one row after the header" {
		t.Errorf("error %v", err)
	}
}

// TestJSONLByteOrderMark: a JSONL trace starting with a UTF-8 BOM reads
// as without one, as CSV and SWF do.
func TestJSONLByteOrderMark(t *testing.T) {
	data, err := os.ReadFile("testdata/jobs.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	plain := readFormat(t, "jsonl", string(data))
	bom := readFormat(t, "jsonl", "\uFEFF"+string(data))
	if len(plain) == 0 || len(bom) != len(plain) || bom[0] != plain[0] {
		t.Errorf("with a BOM: %d tasks, without: %d", len(bom), len(plain))
	}
}

// TestLineReaderLongLineNumber: the line a too-long line is refused on is
// its own, however the input arrives (in chunks shorter than the limit,
// which the reader counts at once, or longer, which it walks line by
// line), with LF, CRLF and lone CR line ends before it.
func TestLineReaderLongLineNumber(t *testing.T) {
	const max = 100
	ends := []string{"\n", "\r\n", "\r"}
	for k := 0; k < 60; k++ {
		var sb strings.Builder
		for i := 0; i < k; i++ {
			sb.WriteString(strings.Repeat("x", i%(max+1)))
			sb.WriteString(ends[i%3])
		}
		sb.WriteString(strings.Repeat("y", max+1+k))
		for _, chunk := range []int{1, 7, 64, 1000} {
			lr := newLineReader(&chunkReader{s: sb.String(), n: chunk}, "f", max)
			_, err := io.ReadAll(lr)
			var e *Error
			if !errors.As(err, &e) || e.Line != k+1 {
				t.Fatalf("%d lines before, chunks of %d: %v, want line %d", k, chunk, err, k+1)
			}
		}
	}
}

// chunkReader reads s n bytes at a time.
type chunkReader struct {
	s string
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.n)], c.s)
	c.s = c.s[n:]
	return n, nil
}
