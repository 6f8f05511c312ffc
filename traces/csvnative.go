package traces

import (
	"bytes"
	"encoding/binary"
	"math"

	"github.com/fleetsim/fleetsim/sim"
)

// The native writer's rows (CSVWriter without Workflows) are read by a
// straight-line scanner when the header is exactly the one the writer
// emits: every field in its known place, numbers as the writer spells
// them (plain digits, a point and at most the unit's decimals), text
// without quotes. It takes a row only when every field is of that form
// and the row is valid (arrival not earlier than the previous one), and
// then fills the task exactly as the general path would: each number is
// one that plainFixed accepts, with the same value. Any other row, valid
// or not, goes to the general path (split, per-column parse), which
// therefore says what is wrong with it in the very same words.

// isNativeHeader reports whether cols is the header CSVWriter writes
// without Workflows.
func isNativeHeader(cols []column) bool {
	if len(cols) != int(numWritten) {
		return false
	}
	for i, c := range cols {
		if c != column(i) {
			return false
		}
	}
	return true
}

// uintAt reads 1 to 18 digits at b[i:]: their value and the index
// after them; ok is false for none or more. (Small enough to be inlined;
// for the short runs of ids and whole seconds, a loop costs less than
// reading eight bytes at once.)
func uintAt(b []byte, i int) (v uint64, j int, ok bool) {
	for j = i; j < len(b); j++ {
		d := b[j] - '0'
		if d > 9 {
			break
		}
		v = v*10 + uint64(d)
	}
	n := j - i
	return v, j, n > 0 && n <= 18
}

// digitComma reports whether b[i:] starts with one digit and a comma,
// the common "0" of an unused column.
func digitComma(b []byte, i int) bool {
	return i+1 < len(b) && isDigit(b[i]) && b[i+1] == ','
}

// fixedAt reads at b[i:] digits, then optionally a point and 1 to
// scale (at most 9) more, with at most 18 digits counting the scale, the
// form plainFixed accepts: the value times 10^scale and the index after
// it. Eight fraction digits are read at once.
func fixedAt(b []byte, i, scale int) (v int64, j int, ok bool) {
	ip, j, ok := uintAt(b, i)
	if !ok || j-i+scale > 18 {
		return 0, j, false
	}
	v = int64(ip) * pow10[scale]
	if j >= len(b) || b[j] != '.' {
		return v, j, true
	}
	return fractionAt(b, j+1, v, scale)
}

// fractionAt reads the 1 to scale digits at b[j:] after a fixed-point
// number's point, v being its whole part times 10^scale, as fixedAt does.
func fractionAt(b []byte, j int, v int64, scale int) (int64, int, bool) {
	end := len(b)
	k := 0
	var f uint64
	x := uint64(0)
	if j+8 <= end {
		x = binary.LittleEndian.Uint64(b[j:])
	}
	if d, ok := digitWord(x); ok {
		// Eight digits, and a ninth if there is one; a tenth is left for
		// the caller to find where it expects the field's end.
		f, k = d, 8
		if j+8 < end && isDigit(b[j+8]) {
			f, k = f*10+uint64(b[j+8]-'0'), 9
		}
	} else {
		for ; j+k < end && isDigit(b[j+k]); k++ {
			f = f*10 + uint64(b[j+k]-'0')
		}
	}
	if k == 0 || k > scale {
		return 0, j, false
	}
	return v + int64(f)*pow10[scale-k], j + k, true
}

// A textGuess is the text a field of the next native row is likely to
// start with, up to 8 bytes with the byte that ends it: the id after the
// last row's, with its comma (a trace's ids often count up), or the last
// arrival's whole seconds, with the point (rows often arrive within the
// same second). Checking a row against it is one compare of a word where
// reading the digits takes a step each. w holds the n bytes, mask their
// bits; v is the digits' value. The zero textGuess matches nothing.
type textGuess struct {
	w, mask uint64
	n       int
	v       uint64
	last    uint // the bit offset of the last digit in w
}

// at reports whether b[i:] starts with g's text.
func (g *textGuess) at(b []byte, i int) bool {
	return i+8 <= len(b) && binary.LittleEndian.Uint64(b[i:])&g.mask == g.w && g.mask != 0
}

// set makes g the text b[i:j+1], the digits b[i:j] of value v and the
// byte after them, and reports true, when there are 1 to 7 digits and b
// holds 8 bytes from i; otherwise g matches nothing.
func (g *textGuess) set(b []byte, i, j int, v uint64) bool {
	if n := j + 1 - i; n >= 2 && n <= 8 && i+8 <= len(b) {
		g.mask = ^uint64(0) >> (64 - 8*n)
		g.w, g.n, g.v, g.last = binary.LittleEndian.Uint64(b[i:])&g.mask, n, v, uint(n-2)*8
		return true
	}
	*g = textGuess{}
	return false
}

// inc makes g the text of its value plus one, the same byte after it: the
// last digit goes up by one, carrying into the ones before; a value
// whose digits are all nines gains a digit, and g then matches nothing
// when that leaves it more than 8 bytes.
func (g *textGuess) inc() {
	if byte(g.w>>g.last) != '9' {
		g.w += 1 << g.last
		g.v++
		return
	}
	g.carry()
}

func (g *textGuess) carry() {
	var t [9]byte
	binary.LittleEndian.PutUint64(t[:], g.w)
	d := g.n - 1 // digits
	k := d - 1
	for ; k >= 0 && t[k] == '9'; k-- {
		t[k] = '0'
	}
	if k >= 0 {
		t[k]++
	} else {
		copy(t[1:], t[:d+1]) // 9…9x becomes 10…0x
		t[0] = '1'
		d++
	}
	if d+1 > 8 {
		*g = textGuess{}
		return
	}
	g.n, g.last = d+1, uint(d-1)*8
	g.mask = ^uint64(0) >> (64 - 8*g.n)
	g.w = binary.LittleEndian.Uint64(t[:8]) & g.mask
	g.v++
}

// comma reports whether b[i] is the comma ending a field.
func comma(b []byte, i int) bool { return i < len(b) && b[i] == ',' }

// uintCell reads the unsigned cell after the comma at b[i] and the comma
// that ends it: the value and that comma's index; ok false unless the cell
// has the writer's form, is at most max and a comma follows.
func uintCell(b []byte, i int, max uint64) (uint64, int, bool) {
	v, j, ok := uintAt(b, i+1)
	return v, j, ok && comma(b, j) && v <= max
}

// fixedCell reads the fixed-point cell (scale decimals) after the comma at
// b[i] as fixedAt does, a lone digit ("0", most often) at once, and the
// comma that ends it: the value and that comma's index.
func fixedCell(b []byte, i, scale int) (int64, int, bool) {
	if i++; digitComma(b, i) {
		return int64(b[i]-'0') * pow10[scale], i + 1, true
	}
	v, j, ok := fixedAt(b, i, scale)
	return v, j, ok && comma(b, j)
}

// textAt reads a text field at b[i:] up to the next comma: the index
// of that comma (or len(b)), and ok false if the field holds a quote or
// reaches the row's LF (b may hold the rows after it: a row with a field
// too few must not take its end from the next line).
func textAt(b []byte, i int) (j int, ok bool) {
	for j = i; j < len(b); j++ {
		switch b[j] {
		case ',':
			return j, true
		case '"', '\n':
			return j, false
		}
	}
	return j, true
}

// internText returns the text b[i:j] of text column k (0 to 3) as the
// general path stores it ("" for an empty cell, else interned): the
// column's text on the previous row when it is the same (traces often
// repeat a region or class row after row), without a map look-up.
func (rd *CSVReader) internText(k int, b []byte, i, j int) string {
	if i == j {
		return ""
	}
	s := view(b[i:j])
	if s == rd.lastText[k] {
		return rd.lastText[k]
	}
	v, ok := rd.in.m[s]
	if !ok {
		v = rd.in.intern(s)
	}
	rd.lastText[k] = v
	return v
}

// zeroTail is the end of a native row whose columns after duration all
// hold their zero value, as rows of generated workloads do: cpu, memory,
// gpus, gpu_milli, priority 0, no text, estimate and tokens 0.
const zeroTail = ",0,0,0,0,0,,,,,0,0,0\n"

// The zeroTail bytes as three little-endian words, at 0, 8 and 13.
var zeroTailWords = [3]uint64{
	binary.LittleEndian.Uint64([]byte(zeroTail[0:8])),
	binary.LittleEndian.Uint64([]byte(zeroTail[8:16])),
	binary.LittleEndian.Uint64([]byte(zeroTail[13:21])),
}

// isZeroTail reports whether b, len(zeroTail) bytes, is zeroTail (what
// string(b) == zeroTail says, without a call of memequal).
func isZeroTail(b []byte) bool {
	_ = b[20]
	return binary.LittleEndian.Uint64(b[0:8]) == zeroTailWords[0] &&
		binary.LittleEndian.Uint64(b[8:16]) == zeroTailWords[1] &&
		binary.LittleEndian.Uint64(b[13:21]) == zeroTailWords[2]
}

// plainLen is the length of the bytes plainRow looks at: a plain row of
// at most plainMax bytes, and the 8 that a word read at its last byte
// covers.
const (
	plainMax = 64
	plainLen = plainMax + 8
)

// plainRow takes the row at the start of b if it has the form most rows
// of a generated workload have, and the guesses of its id and whole
// seconds hold: "<id>,<s>.<ns>,<s>.<ns>" and zeroTail, where the id and
// the arrival's seconds are the guessed ones (rd.nextID, rd.second), each
// fraction has 8 or 9 digits and the duration's seconds 1 or 2, at most
// plainMax bytes in all, and it arrives in order. It returns the id,
// arrival and duration and the row's length with its LF, having counted
// the row as nativeRow does (but for rd.prevLine, the caller's); or 0,
// changing nothing, for any other row, which nativeRow then reads. The
// values are the ones nativeRow gives for the same row: each read the
// same way, by fewer steps.
//
// Every index is masked to the word reads that b, plainLen bytes, can
// hold, without bounds checks: one that went past plainMax makes the
// row's length exceed it, which refuses the row.
func (rd *CSVReader) plainRow(b *[plainLen]byte) (id int64, arrival, work sim.Time, n int) {
	word := func(i int) uint64 { return binary.LittleEndian.Uint64(b[i&(plainMax-1):]) }
	if g := &rd.nextID; word(0)&g.mask != g.w || g.mask == 0 {
		return 0, 0, 0, 0
	}
	i := rd.nextID.n // the arrival's first byte
	g := &rd.second
	if word(i)&g.mask != g.w || g.mask == 0 {
		return 0, 0, 0, 0
	}
	i += g.n
	af, i, ok := fraction89(b, i)
	if !ok || b[i&(plainMax-1)] != ',' {
		return 0, 0, 0, 0
	}
	// The duration's seconds: one digit or two, then the point.
	i++
	ws := uint64(b[i&(plainMax-1)] - '0')
	if ws > 9 {
		return 0, 0, 0, 0
	}
	if b[(i+1)&(plainMax-1)] != '.' {
		d := uint64(b[(i+1)&(plainMax-1)] - '0')
		if d > 9 || b[(i+2)&(plainMax-1)] != '.' {
			return 0, 0, 0, 0
		}
		ws = ws*10 + d
		i++
	}
	wf, i, ok := fraction89(b, i+2)
	if !ok || i+len(zeroTail) > plainMax || !isZeroTail(b[i&(plainMax-1):]) {
		return 0, 0, 0, 0
	}
	arrival = sim.Time(int64(g.v)*1e9 + af)
	if arrival < rd.prev {
		return 0, 0, 0, 0
	}
	id = int64(rd.nextID.v)
	rd.nextID.inc()
	rd.prev = arrival
	rd.seq++
	return id, arrival, sim.Time(int64(ws)*1e9 + wf), i + len(zeroTail)
}

// fraction89 reads the fraction at b[j:] if it has 8 or 9 digits and a
// non-digit after them: its value in nanoseconds and the index after it.
// j is masked as in plainRow.
func fraction89(b *[plainLen]byte, j int) (int64, int, bool) {
	d, ok := digitWord(binary.LittleEndian.Uint64(b[j&(plainMax-1):]))
	if !ok {
		return 0, j, false
	}
	if c := uint64(b[(j+8)&(plainMax-1)] - '0'); c <= 9 {
		if isDigit(b[(j+9)&(plainMax-1)]) {
			return 0, j, false
		}
		return int64(d*10 + c), j + 9, true
	}
	return int64(d) * 10, j + 8, true
}

// nativeRow reads the row at the start of b, line ln of a file with the
// native header, into t if it is one line ended by its LF, every field
// has the writer's form and the row is valid, and returns its length with
// the LF; otherwise it returns 0 and changes nothing but t.
func (rd *CSVReader) nativeRow(b []byte, ln int, t *sim.Task) int {
	if len(b) >= plainLen {
		if id, arrival, work, n := rd.plainRow((*[plainLen]byte)(b)); n > 0 {
			*t = sim.Task{} // (then field by field, as below)
			t.ID, t.Arrival, t.Work = id, arrival, work
			rd.prevLine = ln
			return n
		}
	}
	end := len(b)
	var id uint64
	var i int
	if g := &rd.nextID; g.at(b, 0) {
		id, i = g.v, g.n-1
		g.inc()
	} else {
		var ok bool
		if id, i, ok = uintAt(b, 0); !ok || !comma(b, i) {
			return 0
		}
		if g.set(b, 0, i, id) {
			g.inc()
		}
	}
	var arrival int64
	var ok bool
	if g := &rd.second; g.at(b, i+1) {
		arrival, i, ok = fractionAt(b, i+1+g.n, int64(g.v)*pow10[9], 9)
	} else {
		arrival, i, ok = rd.arrivalAt(b, i+1)
	}
	if !ok || !comma(b, i) || sim.Time(arrival) < rd.prev {
		return 0
	}
	work, i, ok := fixedAt(b, i+1, 9)
	if !ok {
		return 0
	}
	*t = sim.Task{} // (then field by field: a literal is built aside and copied)
	if i+len(zeroTail) <= end && isZeroTail(b[i:i+len(zeroTail)]) {
		i += len(zeroTail) - 1 // (three compares for eleven cells)
	} else if i = rd.nativeRest(b, i, t); i < 0 {
		return 0
	}
	t.ID, t.Arrival, t.Work = int64(id), sim.Time(arrival), sim.Time(work)
	rd.prev = t.Arrival
	rd.prevLine = ln
	rd.seq++
	return i + 1
}

// arrivalAt is fixedAt(b, i, 9) for an arrival, which also sets the guess
// of the next arrival's whole seconds (rd.second) to its own.
func (rd *CSVReader) arrivalAt(b []byte, i int) (int64, int, bool) {
	v, j, ok := fixedAt(b, i, 9)
	if k := bytes.IndexByte(b[i:j], '.'); ok && k > 0 {
		rd.second.set(b, i, i+k, uint64(v/1e9))
	}
	return v, j, ok
}

// nativeRest reads the cells after duration of a native row, from the
// comma at b[i], into t, which is zero: the index of the row's LF, or -1
// when a cell is not of the writer's form or the row does not end there.
func (rd *CSVReader) nativeRest(b []byte, i int, t *sim.Task) int {
	end := len(b)
	if !comma(b, i) {
		return -1
	}
	// cpu … priority: most often "0" in traces without resources.
	cpu, i, ok := fixedCell(b, i, 3)
	if !ok {
		return -1
	}
	memory, i, ok := uintCell(b, i, math.MaxUint64)
	if !ok {
		return -1
	}
	gpus, i, ok := uintCell(b, i, math.MaxInt32)
	if !ok {
		return -1
	}
	milli, i, ok := uintCell(b, i, 1000)
	if !ok {
		return -1
	}
	prio, i, ok := uintCell(b, i, math.MaxInt32)
	if !ok {
		return -1
	}
	var text [4][2]int // tenant, region, class, gpu_spec: start and end
	hasText := false
	if i+5 <= end && string(b[i+1:i+5]) == ",,,," {
		i += 4 // all four empty, the common case
	} else {
		for k := range text {
			i++
			j, ok := textAt(b, i)
			if !ok || !comma(b, j) {
				return -1
			}
			text[k] = [2]int{i, j}
			hasText = hasText || j > i
			i = j
		}
	}
	estimate, i, ok := fixedCell(b, i, 9)
	if !ok {
		return -1
	}
	prompt, i, ok := uintCell(b, i, math.MaxInt32)
	if !ok {
		return -1
	}
	output, i, ok := uintAt(b, i+1)
	if !ok || i >= end || b[i] != '\n' || output > math.MaxInt32 {
		return -1
	}
	t.CPU, t.Memory, t.GPUs, t.GPUMilli, t.Priority = cpu, int64(memory), int32(gpus), int32(milli), int32(prio)
	t.Estimate, t.PromptTokens, t.OutputTokens = sim.Time(estimate), int32(prompt), int32(output)
	if hasText {
		t.Tenant = rd.internText(0, b, text[0][0], text[0][1])
		t.Region = rd.internText(1, b, text[1][0], text[1][1])
		t.Class = rd.internText(2, b, text[2][0], text[2][1])
		t.GPUSpec = rd.internText(3, b, text[3][0], text[3][1])
	}
	return i
}
