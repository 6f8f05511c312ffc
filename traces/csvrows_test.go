package traces

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// csvRecords reads every record of data with csvRows, or with
// encoding/csv over the same line reader (the oracle, as the CSV reader
// read before csvRows), rendering fields, the line of each field and the
// error the reader ends with.
func csvRecords(data string, oracle bool) string {
	var b strings.Builder
	if oracle {
		cr := csv.NewReader(newLineReader(strings.NewReader(data), "t.csv", 64))
		cr.FieldsPerRecord = -1
		prev := 0
		for {
			rec, err := cr.Read()
			if err != nil {
				if err != io.EOF {
					err = csvReadError(err, "t.csv", prev)
				}
				fmt.Fprintf(&b, "end: %v\n", err)
				return b.String()
			}
			prev, _ = cr.FieldPos(0)
			for i, f := range rec {
				l, _ := cr.FieldPos(i)
				fmt.Fprintf(&b, "%d:%q ", l, f)
			}
			b.WriteString("\n")
		}
	}
	c := newCSVRows(strings.NewReader(data), "t.csv", 64)
	for {
		rec, line, err := c.read()
		if err != nil {
			fmt.Fprintf(&b, "end: %v\n", err)
			return b.String()
		}
		if c.lineOf(0) != line {
			fmt.Fprintf(&b, "record line %d, first field's %d\n", line, c.lineOf(0))
		}
		for i, f := range rec {
			fmt.Fprintf(&b, "%d:%q ", c.lineOf(i), f)
		}
		b.WriteString("\n")
	}
}

// TestCSVRowsMatchesEncodingCSV: csvRows, the allocation-free reader of
// the native CSV format, reads every input as encoding/csv does (the
// oracle: the fields, each field's line, and the error, with its line and
// byte, that ends the input): plain rows, blank lines, CRLF and lone CR
// line ends, quoted fields with commas, doubled quotes and line breaks,
// bare and unterminated quotes, a missing last line end, and lines over
// the 64-byte cap of the test. Then 2,000 random inputs from those pieces.
func TestCSVRowsMatchesEncodingCSV(t *testing.T) {
	cases := []string{
		"",
		"a,b\n1,2\n",
		"a,b\r\n1,2\r\n\r\n3,4",
		"a,b\r1,2\r",
		"a,b\n\n\n1,2\n,\n",
		"a,\"b,c\"\n\"x\"\"y\",2\n",
		"a,\"multi\nline\nfield\",c\n1,2,3\n",
		"a,b\n1,x\"y\n",
		"a,b\n\"unterminated,2\n3,4\n",
		"a,b\n\"q\"x,2\n",
		"a,b\n" + strings.Repeat("x", 70) + "\n",
		"a,\"" + strings.Repeat("y", 70) + "\"\n",
		"a,\"ok\"\n1,\"" + strings.Repeat("z", 40) + "\n" + strings.Repeat("z", 40) + "\"\n",
		"\uFEFFa,b\n1,2",
		"a,b\n1,2,3\n\"\"\n",
	}
	pieces := []string{"a", "1", ",", ",", "\n", "\n", "\r\n", "\r", "\"", "\"\"", " ", "x y", strings.Repeat("w", 30)}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(30) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		cases = append(cases, b.String())
	}
	for _, in := range cases {
		if got, want := csvRecords(in, false), csvRecords(in, true); got != want {
			t.Fatalf("input %q\n got %s\nwant %s", in, got, want)
		}
	}
}

// FuzzCSVRows: the same comparison on inputs the fuzzer makes.
func FuzzCSVRows(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "a,\"b\nc\"\n", "a\r\n\"x\"\"\",\n", "\"", "a,b\n1,x\"y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if got, want := csvRecords(in, false), csvRecords(in, true); got != want {
			t.Fatalf("input %q\n got %s\nwant %s", in, got, want)
		}
	})
}

// TestSplitMatchesStringsSplit: csvRows.split, eight bytes at a time, finds
// the fields strings.Split finds, on every string of up to 11 bytes over
// {a, ',', 0xac, '-'} (the bytes a borrow or the high bit could
// confuse with a comma) and on random longer lines.
func TestSplitMatchesStringsSplit(t *testing.T) {
	alphabet := []byte{'a', ',', 0xac, '-'}
	var c csvRows
	check := func(b []byte) {
		c.fields = c.fields[:0]
		c.split(b)
		if want := strings.Split(string(b), ","); !slices.Equal(c.fields, want) {
			t.Fatalf("split %q: %q, strings.Split %q", b, c.fields, want)
		}
	}
	for n := 0; n <= 11; n++ {
		b := make([]byte, n)
		total := 1
		for range n {
			total *= len(alphabet)
		}
		for k := 0; k < total; k++ {
			x := k
			for i := range b {
				b[i] = alphabet[x%len(alphabet)]
				x /= len(alphabet)
			}
			check(b)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		b := make([]byte, r.IntN(300))
		for i := range b {
			b[i] = byte(r.IntN(256))
			if r.IntN(4) == 0 {
				b[i] = ','
			}
		}
		check(b)
	}
}
