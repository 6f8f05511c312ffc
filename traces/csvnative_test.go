package traces

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// readCSVAll reads a native CSV to its end with the native row scanner on
// or off: the tasks, then the error that ended it ("" at io.EOF).
func readCSVAll(t testing.TB, in string, native bool) ([]sim.Task, string) {
	return readCSVFrom(t, strings.NewReader(in), in, native)
}

// readCSVFrom is readCSVAll reading in through r.
func readCSVFrom(t testing.TB, r io.Reader, in string, native bool) ([]sim.Task, string) {
	t.Helper()
	rd, err := NewCSVReader(r, "n.csv")
	if err != nil {
		return nil, "header: " + err.Error()
	}
	if native && !rd.native {
		t.Fatalf("header of %q not taken as the native one", in[:min(len(in), 200)])
	}
	rd.native = native
	var tasks []sim.Task
	for {
		var task sim.Task
		err := rd.Next(&task)
		if err == io.EOF {
			return tasks, ""
		}
		if err != nil {
			return tasks, err.Error()
		}
		tasks = append(tasks, task)
	}
}

// checkNativeSame: the native scanner and the general path read in to
// the same tasks and end with the same error, in the same words.
func checkNativeSame(t testing.TB, in string) {
	t.Helper()
	checkNativeSameFrom(t, strings.NewReader(in), in)
}

// checkNativeSameFrom is checkNativeSame with the native scanner reading
// in through r.
func checkNativeSameFrom(t testing.TB, r io.Reader, in string) {
	t.Helper()
	got, gotErr := readCSVFrom(t, r, in, true)
	want, wantErr := readCSVAll(t, in, false)
	if gotErr != wantErr {
		t.Fatalf("input %q:\nnative scanner ends with %q\ngeneral path ends with %q", in, gotErr, wantErr)
	}
	if len(got) != len(want) {
		t.Fatalf("input %q: native scanner read %d tasks, general path %d", in, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("input %q, task %d:\nnative  %+v\ngeneral %+v", in, i, got[i], want[i])
		}
	}
}

// randomNativeTask is a task with every written column drawn over its
// whole range, small values and zeros being the most likely; with plain,
// only values the native scanner reads (no sign, at most 18 digits with
// a column's decimals, no text the writer quotes), each column up to that limit.
func randomNativeTask(r *rand.Rand, prev sim.Time, plain bool) sim.Task {
	pick := func(max int64) int64 {
		switch r.IntN(4) {
		case 0:
			return 0
		case 1:
			return r.Int64N(10)
		case 2:
			return r.Int64N(min(max, 1e6) + 1)
		}
		return r.Int64N(max) + 1
	}
	words := []string{"", "", "alice", "bob", "us-east", "a b", "x\ty", "é", ",", "\"q\"", " lead", "\\."}
	big, neg := int64(1<<62-1), int64(r.IntN(2))
	if plain {
		words = []string{"", "", "alice", "bob", "us-east", "a b", "x\ty", "é", "trail ", ".\\"}
		big, neg = 1e18-1, 0
	}
	t := sim.Task{
		ID:           pick(big) - pick(big)*neg,
		Arrival:      prev + sim.Time(pick(1<<44)),
		Work:         sim.Time(pick(big)),
		CPU:          pick(big),
		Memory:       pick(big),
		GPUs:         int32(pick(1<<31 - 1)),
		GPUMilli:     int32(pick(1000)),
		Priority:     int32(pick(1<<31-1) - pick(1<<31-1)*neg),
		Tenant:       words[r.IntN(len(words))],
		Region:       words[r.IntN(len(words))],
		Class:        words[r.IntN(len(words))],
		GPUSpec:      words[r.IntN(len(words))],
		Estimate:     sim.Time(pick(big)),
		PromptTokens: int32(pick(1<<31 - 1)),
		OutputTokens: int32(pick(1<<31 - 1)),
	}
	if r.IntN(3) == 0 {
		// Times to the microsecond, millisecond, second: fewer decimals.
		unit := []sim.Time{1e3, 1e6, 1e9}[r.IntN(3)]
		t.Arrival = max(prev, t.Arrival/unit*unit)
		t.Work = t.Work / unit * unit
	}
	return t
}

// TestNativeRowsAsWritten: every row CSVWriter writes of random tasks
// with plain values, each column up to the scanner's limit, is taken by
// the native scanner and read to the very task written, the task the
// general path reads.
func TestNativeRowsAsWritten(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 22))
	var buf bytes.Buffer
	w := NewCSVWriter(&buf)
	var tasks []sim.Task
	var prev sim.Time
	for range 20000 {
		task := randomNativeTask(r, prev, true)
		prev = task.Arrival
		if err := w.Write(&task); err != nil {
			t.Fatal(err)
		}
		tasks = append(tasks, task)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	in := buf.String()
	rd, err := NewCSVReader(strings.NewReader(in), "w.csv")
	if err != nil {
		t.Fatal(err)
	}
	if !rd.native {
		t.Fatal("the writer's header is not taken as native")
	}
	for i, want := range tasks {
		b, ln, err := rd.rows.nextLine()
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		var got sim.Task
		if !rd.rows.nl || rd.nativeRow(b[:len(b)+1], ln, &got) != len(b)+1 {
			t.Fatalf("row %d (%q) not taken by the native scanner", i, b)
		}
		if got != want {
			t.Fatalf("row %d (%q):\nread  %+v\nwrote %+v", i, b, got, want)
		}
	}
	checkNativeSame(t, in)
}

// nativeTokens are field values the native scanner must either read as
// the general path does or leave to it: numbers at and past the limits
// of its form (18 digits, nine decimals), spellings only the general path
// knows (signs, exponents, suffixes, spaces, a point without digits),
// values out of a column's range, quotes.
var nativeTokens = []string{
	"", "0", "00", "7", "0.5", "1.", ".5", "1.0", "1.000000000", "1.0000000001", "0.123456789", "0.12345678",
	"0.1234567891", "123456789.123456789", "1234567890.1", "9223372036.854775807", "9223372036.854775808",
	"999999999999999999", "1000000000000000000", "9223372036854775807", "9223372036854775808", "12345678",
	"123456789", "2147483647", "2147483648", "1000", "1001", "-0", "-1", "+1", " 1", "1 ", "1e3", "1E-3",
	"1.5Gi", "4K", "NaN", "inf", "0x10", "1_000", "\"1\"", "\"a,b\"", "abc", "a\"b", "é", "1.2.3", "..",
	"0.000000001", "0.0000000005", "18446744073709551616", "1,2",
}

// TestNativeRowsHostile: rows of the native header with one or more
// fields replaced by nativeTokens read to the same tasks and the same
// error, in the same words and on the same line, as with the general path
// alone; so do rows with a field too many or too few (cut anywhere).
func TestNativeRowsHostile(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 7))
	header := strings.TrimSuffix(csvHeader, "\n")
	row := func(prev sim.Time) []string {
		task := randomNativeTask(r, prev, r.IntN(2) == 0)
		var b bytes.Buffer
		w := NewCSVWriter(&b)
		if err := w.Write(&task); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		line := strings.TrimSuffix(strings.SplitN(b.String(), "\n", 2)[1], "\n")
		return strings.Split(line, ",")
	}
	for n := range 10000 {
		var sb strings.Builder
		sb.WriteString(header + "\n")
		rows := 1 + r.IntN(4)
		for k := range rows {
			f := row(sim.Time(k) * 1e9)
			if n%3 == 0 || k == rows-1 {
				for range 1 + r.IntN(2) {
					f[r.IntN(len(f))] = nativeTokens[r.IntN(len(nativeTokens))]
				}
			}
			switch r.IntN(20) {
			case 0:
				f = f[:len(f)-1]
			case 1:
				f = append(f, "0")
			case 2:
				sb.WriteString("\n") // a blank line
			case 3:
				f = f[:1+r.IntN(len(f)-1)] // cut anywhere, a text cell last too
			}
			sb.WriteString(strings.Join(f, ","))
			sb.WriteString([]string{"\n", "\r\n", ""}[r.IntN(3)])
		}
		checkNativeSame(t, sb.String())
	}
}

// randChunkReader returns what it reads in pieces of random length, so
// that rows end anywhere in the read buffer.
type randChunkReader struct {
	r   io.Reader
	rng *rand.Rand
	max int
}

func (c *randChunkReader) Read(p []byte) (int, error) {
	return c.r.Read(p[:min(len(p), 1+c.rng.IntN(c.max))])
}

// TestNativeRowsBufferEnds: long inputs (many refills of the 64 KiB read
// buffer, read in pieces of random length) of plain and hostile rows and
// blank lines: the native scanner, taking rows from the buffer while
// they are whole there, reads the tasks and ends with the error of the
// general path; a row cut by the buffer's end is read whole, on its line.
func TestNativeRowsBufferEnds(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for round := range 6 {
		var buf bytes.Buffer
		w := NewCSVWriter(&buf)
		var prev sim.Time
		for range 6000 {
			task := randomNativeTask(r, prev, round%2 == 0 || r.IntN(50) > 0)
			prev = task.Arrival
			if err := w.Write(&task); err != nil {
				t.Fatal(err)
			}
		}
		w.Flush()
		lines := strings.SplitAfter(buf.String(), "\n")
		switch round {
		case 2, 3: // blank lines and CRLF
			for i := 1; i < len(lines); i += 1 + r.IntN(40) {
				lines[i] = "\r\n" + strings.Replace(lines[i], "\n", "\r\n", 1)
			}
		case 4, 5: // one bad value late in the file
			i := len(lines) - 1 - r.IntN(len(lines)/4)
			f := strings.Split(lines[i], ",")
			f[r.IntN(len(f))] = nativeTokens[r.IntN(len(nativeTokens))]
			lines[i] = strings.Join(f, ",")
		}
		in := strings.Join(lines, "")
		checkNativeSame(t, in)
		checkNativeSameFrom(t, &randChunkReader{strings.NewReader(in), r, 1 + r.IntN(300)}, in)
	}
}

// TestNativeRowsEdges: hand-picked rows: the earliest arrival after a later
// one (the order error names both lines), numbers at the scanner's limits
// and just past them, and each column's range error.
func TestNativeRowsEdges(t *testing.T) {
	h := csvHeader
	rest := ",0,0,0,0,0,,,,,0,0,0\n"
	cases := []string{
		h + "1,2,1" + rest + "2,1,1" + rest,
		h + "1,2,1" + rest + "\n\n2,2,1" + rest,
		h + "1,123456789.123456789,1" + rest,
		h + "1,1234567890.123456789,1" + rest,
		h + "999999999999999999,0,0" + rest,
		h + "9223372036854775807,0,0" + rest,
		h + "9223372036854775808,0,0" + rest,
		h + "0,0,0,999999999999999.999,999999999999999999,2147483647,1000,2147483647,t,r,c,g,999999999.999999999,2147483647,2147483647\n",
		h + "0,0,0,9999999999999999.999,0,0,0,0,,,,,0,0,0\n",
		h + "0,0,0,0,0,2147483648,0,0,,,,,0,0,0\n",
		h + "0,0,0,0,0,0,1001,0,,,,,0,0,0\n",
		h + "0,0,0,0,0,0,0,2147483648,,,,,0,0,0\n",
		h + "0,0,0,0,0,0,0,0,,,,,0,2147483648,0\n",
		h + "0,0,0,0,0,0,0,0,,,,,0,0,2147483648\n",
		h + "0,0,0,0,0,0,0,0,,,,,0,0,",
		h + "0,0,0,0,0,0,0,0,,,,,0,0,0,",
		h + "0,0,0,0,0,0,0,0,,,,,0,0",
		h + "0,0,0,0.0001,0,0,0,0,,,,,0,0,0\n",
		h + "0,0,0,0.5,0,0,0,0,,,,,0.5,0,0\n",
		h + "0,0,0,0,0,0,0,0,a,\"b\",c,d,0,0,0\n",
		h + "0,0,0,0,0,0,0,0,\"a\nb\",,,,0,0,0\n1,0,x" + rest,
		h + "0,0,1,0,0,0,0,0,,,,,0,0,0\n1,0,1,0,0,0,0,0,,,,,0,0,0\n",
		h + "0,0.000000001,0.1,0,0,0,0,0,,,,,0,0,0\n",
		// A row ending in a text cell, fields short, whose next line would
		// complete it: two rows, the first too short, not one task.
		h + "0,0,1,0,0,0,0,0,abc\n,,,0,0,0,0\n",
		h + "0,0,1,0,0,0,0,0,a,b,c\n,0,0,0,0\n",
		h + "0,0,1,0,0,0,0,0,a,b,c,d,0,0\n0\n",
	}
	for _, in := range cases {
		checkNativeSame(t, in)
	}
	// The first case, by hand: the second row is the first out of order;
	// a row a field short is an error on its own line.
	_, msg := readCSVAll(t, cases[0], true)
	if want := "n.csv:3: column arrival: arrival 1 is earlier than the previous task's 2 (line 2); tasks must be sorted by arrival"; msg != want {
		t.Fatalf("order error %q, want %q", msg, want)
	}
	if _, msg := readCSVAll(t, h+"0,0,1,0,0,0,0,0,abc\n,,,0,0,0,0\n", true); msg != "n.csv:2: expected 15 fields, as in the header, got 9" {
		t.Fatalf("short row: error %q", msg)
	}
}

// TestFixedAtMatchesParseFixed: fixedAt reads what plainFixed reads, to
// the same value, and nothing else parseFixed would read differently:
// every string of digits and points up to 21 bytes drawn at random, and
// every decimal with 1 to 10 integer and 0 to 10 fraction digits of a
// random value.
func TestFixedAtMatchesParseFixed(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	check := func(s string, scale int) {
		b := []byte(s + ",")
		v, j, ok := fixedAt(b, 0, scale)
		ok = ok && j == len(s)
		pv, pok := plainFixed(s, scale)
		if ok != pok || ok && v != pv {
			t.Fatalf("%q scale %d: fixedAt %d %v, plainFixed %d %v", s, scale, v, ok, pv, pok)
		}
		if ok {
			if gv, e := parseFixedSlow(s, scale); e != numOK || gv != v {
				t.Fatalf("%q scale %d: fixedAt %d, parseFixedSlow %d (%d)", s, scale, v, gv, e)
			}
		}
	}
	for range 200000 {
		n := 1 + r.IntN(21)
		b := make([]byte, n)
		for i := range b {
			b[i] = "0123456789.9"[r.IntN(12)]
		}
		for _, scale := range []int{0, 3, 9} {
			check(string(b), scale)
		}
		ip := strconv.FormatUint(r.Uint64()%uint64(pow10[1+r.IntN(10)]), 10)
		fp := fmt.Sprintf("%010d", r.Uint64()%1e10)[:r.IntN(11)]
		s := ip
		if fp != "" || r.IntN(2) == 0 {
			s += "." + fp
		}
		for _, scale := range []int{0, 3, 9} {
			check(s, scale)
		}
	}
}

// FuzzCSVNative: on any rows under the native header, the native scanner
// and the general path read the same tasks and end with the same error.
func FuzzCSVNative(f *testing.F) {
	for _, s := range []string{
		"0,0.002699439,1.258448893,0,0,0,0,0,,,,,0,0,0\n1,0.003907756,2.339750461,0,0,0,0,0,,,,,0,0,0\n",
		"1,0,1.5,2,4000,0,0,0,alice,us-east,web,a100,0.5,10,20\n",
		"2,1,1,0,0,0,0,0,,,,,0,0,0\n1,0.5,1,0,0,0,0,0,,,,,0,0,0\n",
		"0,0,0,0,0,0,0,0,\"a\nb\",,,,0,0,0\n",
		"0,1.0000000001,0,0,0,0,1001,0,,,,,0,0,0",
		"0,0,1,0,0,0,0,0,abc\n,,,0,0,0,0\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rows string) {
		checkNativeSame(t, csvHeader+rows)
	})
}

// TestIsZeroTail: isZeroTail says what string comparison says, for
// zeroTail and for every string one byte away from it.
func TestIsZeroTail(t *testing.T) {
	if len(zeroTail) != 21 {
		t.Fatalf("zeroTail has %d bytes; isZeroTail compares 21", len(zeroTail))
	}
	b := []byte(zeroTail)
	if !isZeroTail(b) {
		t.Fatal("zeroTail itself not recognised")
	}
	for i := range b {
		for _, c := range []byte{0, '0', ',', '1', '\n', 0xff} {
			old := b[i]
			b[i] = c
			if got, want := isZeroTail(b), string(b) == zeroTail; got != want {
				t.Fatalf("%q: isZeroTail %v, string comparison %v", b, got, want)
			}
			b[i] = old
		}
	}
}

// plainishInput is a native CSV trace of n rows like a generated
// workload's, which plainRow takes ("<id>,<s>.<ns>,<s>.<ns>" and
// zeroTail, ids counting up, arrivals within a second), with the ways a
// row can fall just outside its form or make a guess wrong: ids that jump,
// carry (9 to 10, up to 8 digits and past) or have a leading zero;
// arrivals that cross into the next second, have 8 or fewer decimals or
// none (a second's first), or 7 or 8 digits of seconds; durations of 0 to 3 digits of
// seconds, with or without decimals; other tails, CRLF, blank lines; and,
// in half of the inputs, one error at a random row: an arrival back
// within its second, a tenth decimal, a field too many, a bad byte.
func plainishInput(r *rand.Rand, n int) string {
	var b strings.Builder
	b.WriteString(csvHeader)
	id := []int64{0, 7, 97, 9996, 9999990, 99999990, 999999999990}[r.IntN(7)]
	sec := []int64{0, 9, 999999, 9999990, 99999999}[r.IntN(5)]
	var ns, lastSec, lastNs int64
	// frac writes *v, nanoseconds, with 9 decimals, or, rounding *v up
	// to fewer (the writer drops trailing zeros), 8 most often.
	frac := func(v *int64) string {
		k := 9
		switch r.IntN(12) {
		case 0:
			k = 8
		case 1:
			k = 1 + r.IntN(7)
		}
		unit := int64(pow10[9-k])
		if up := (*v + unit - 1) / unit * unit; up < 1e9 {
			*v = up
		} else {
			k = 9
		}
		return fmt.Sprintf("%09d", *v)[:k]
	}
	bad := r.IntN(2 * n)
	for row := range n {
		switch r.IntN(1000) {
		case 0, 1, 2, 3, 4, 5, 6, 7, 8, 9:
			id += 1 + r.Int64N(1000)
		case 10:
			id = r.Int64N(1e12)
		}
		idText := strconv.FormatInt(id, 10)
		if r.IntN(200) == 0 {
			idText = "0" + idText
		}
		id++
		whole := false
		switch r.IntN(30) {
		case 0:
			sec++
			ns = r.Int64N(1e9)
			if whole = r.IntN(4) == 0; whole {
				ns = 0
			}
		case 1:
			sec += 1 + r.Int64N(3)
		default:
			ns += r.Int64N(2e6)
		}
		for ns >= 1e9 {
			sec, ns = sec+1, ns-1e9
		}
		arrival := strconv.FormatInt(sec, 10) + "." + frac(&ns)
		if whole {
			arrival = strconv.FormatInt(sec, 10)
		}
		work := strconv.Itoa(r.IntN([]int{10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 100, 1000}[r.IntN(12)])) + "." + frac(new(r.Int64N(1e9)))
		if r.IntN(50) == 0 {
			work = strconv.Itoa(r.IntN(100))
		}
		tail := zeroTail
		switch r.IntN(100) {
		case 0:
			tail = ",1,0,0,0,0,,,,,0,0,0\n"
		case 1:
			tail = ",0,0,0,0,0,t,,,,0,0,0\n"
		case 2:
			tail = ",0,0,0,0,0,,,,,0,0,0\r\n"
		case 3:
			tail = zeroTail + "\n" // a blank line after
		}
		if row == bad {
			switch r.IntN(4) {
			case 0:
				arrival = fmt.Sprintf("%d.%09d", lastSec, max(lastNs-1, 0)) // (before the last row's)
			case 1:
				work += "7"
			case 2:
				tail = ",0,0,0,0,0,,,,,0,0,0,\n"
			default:
				tail = ",0,0,0,0,0,,,,,0,0,\x000\n"
			}
		}
		b.WriteString(idText + "," + arrival + "," + work + tail)
		lastSec, lastNs = sec, ns
	}
	return b.String()
}

// TestPlainRowsSame: on rows like a generated workload's and the ways
// they fall just outside plainRow's form, the native scanner (plainRow
// first) reads what the general path reads and ends with its error, in the
// same words; and plainRow takes thousands of the rows (about a fifth:
// the others test where it must refuse).
func TestPlainRowsSame(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 31))
	taken, rows := 0, 0
	for range 300 {
		in := plainishInput(r, 1+r.IntN(400))
		checkNativeSame(t, in)
		n, all := plainTaken(t, in)
		taken += n
		rows += all
	}
	if taken < 5000 {
		t.Errorf("plainRow took %d rows of %d: its path is barely tested", taken, rows)
	}
}

// plainTaken reads in's rows as Next does, plainRow first, then
// nativeRow, passing over the lines neither takes: how many lines
// plainRow took, of how many.
func plainTaken(t *testing.T, in string) (taken, rows int) {
	rd, err := NewCSVReader(strings.NewReader(in), "p.csv")
	if err != nil {
		t.Fatal(err)
	}
	buf := []byte(in[strings.IndexByte(in, '\n')+1:] + strings.Repeat(" ", plainLen))
	for len(buf) >= plainLen {
		_, _, _, n := rd.plainRow((*[plainLen]byte)(buf))
		if n > 0 {
			taken++
		} else if n = rd.nativeRow(buf, 2, new(sim.Task)); n == 0 {
			if n = bytes.IndexByte(buf, '\n') + 1; n == 0 { // (not a native row: the next line)
				break
			}
		}
		rows++
		buf = buf[n:]
	}
	return taken, rows
}

// TestTextGuessCounts: a guess set from an id's text and counted up (inc,
// carrying) holds, each time, the text of its value with the byte after
// it, as strconv writes it: across every carry up to 7 digits (9 to 10,
// 999999 to 1000000), and from random values; and matches nothing once
// the value needs 8 digits.
func TestTextGuessCounts(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	starts := []uint64{0, 8, 98, 989, 9990, 99998, 999990, 9999980, 9999999}
	for range 200 {
		starts = append(starts, r.Uint64N(1e7))
	}
	for _, v := range starts {
		b := []byte(strconv.FormatUint(v, 10) + ",.......")
		var g textGuess
		if !g.set(b, 0, strings.IndexByte(string(b), ','), v) {
			t.Fatalf("set %d: refused", v)
		}
		for range 30 {
			g.inc()
			v++
			if v >= 1e7 {
				if g.mask != 0 || g.at([]byte(strconv.FormatUint(v, 10)+",......."), 0) {
					t.Fatalf("%d: a guess of %d digits (mask %x)", v, len(strconv.FormatUint(v, 10)), g.mask)
				}
				break
			}
			want := strconv.FormatUint(v, 10) + ","
			var w [8]byte
			binary.LittleEndian.PutUint64(w[:], g.w)
			if g.v != v || string(w[:g.n]) != want || g.mask != ^uint64(0)>>(64-8*len(want)) ||
				!g.at([]byte(want+"9999999"), 0) || g.at([]byte(strconv.FormatUint(v+1, 10)+",9999999"), 0) {
				t.Fatalf("after %d: guess %q value %d mask %x, want %q", v-1, w[:g.n], g.v, g.mask, want)
			}
		}
	}
}
